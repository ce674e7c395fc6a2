"""Ranges for a training estimate: the engine, energy and cost run on N samples of their uncertain inputs.

    >>> from suanli.scenarios.uncertainty import uncertain_estimate
    >>> u = uncertain_estimate("gpt3-175b", tokens=300e9, chip="nvidia-a100-sxm4-80gb", count=1024)
    >>> u.summary()["train_days"]          # {"p10": ..., "p50": ..., "p90": ...}
    >>> u.tornado["train_days"][0]["input"] # the input that drives the spread most

How it works. :func:`suanli.scenarios.training.estimate` finds the layout at the catalog's central values. The
inputs that layout's speed depends on are then drawn together (:func:`suanli.models.uncertainty.monte_carlo`)
and the engine's vectorised core :func:`suanli.scenarios.training.evaluate` runs ONCE on arrays of N values for
that fixed layout; energy and cost follow from the vectorised power and cost models. The layout is
not re-searched per sample: the spread is that of the chosen plan, as a cluster operator would run it.

Which inputs are uncertain, and how much (:func:`engine_inputs`, :func:`cost_inputs`):

- a spec number (peak, HBM bandwidth, link bandwidths, link efficiencies, TDP, price, a site's PUE and
  electricity price) takes its own ``[low, high]`` range from the plugin when it has one (triangular,
  most likely at the published value), else the default spread of its confidence level
  (:data:`suanli.models.uncertainty.DEFAULT_SPREAD`: datasheet 0, paper/measured 5%, press 20%,
  estimate 35%); efficiencies never exceed 1;
- the engine's own uncertain constants, which a datasheet-only chip (an A100) still carries: the
  calibrated stack efficiency (:data:`STACK_EFFICIENCY_SPREAD`, from the backtest's spread), the
  failure rate (:data:`FAILURE_RATE_RANGE`, Llama 3 / MegaScale / OPT), the software stack's
  best..worst factor from the CUDA-compat model, the default matmul and link efficiencies;
- HBM capacity is not varied: it decides which layouts fit, and the layout is fixed.

MFU is reported against the PUBLISHED peak: when a press peak is drawn lower than published, the
MFU an observer would compute from the published figure falls with it.

Anything can be overridden with a number (fixed) or a range / distribution via ``ranges=`` (keys:
the input names, e.g. ``{"matmul_efficiency": (0.5, 0.7), "tokens": uniform(1.8e12, 2.2e12)}``).

References: Morgan & Henrion 1990 (Monte Carlo propagation, tornado diagrams); the engine's and
power models' own references; the sources of each input (``UncertainEstimate.inputs``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suanli.errors import InputError
from suanli.models import defaults as D
from suanli.models import uncertainty as U
from suanli.spec import Source

ENGINE_OUTPUTS = ("train_days", "accelerator_hours", "mfu", "step_time_s", "tokens_per_s", "goodput")
"""Engine results that come as ranges."""

COST_OUTPUTS = (
    "it_power_kw",
    "facility_power_kw",
    "energy_mwh",
    "electricity_cost",
    "hardware_cost",
    "total_cost",
    "co2_t",
)
"""Energy and cost results that come as ranges (those the options make computable)."""

DEFAULT_SAMPLES = 10_000

STACK_EFFICIENCY_SPREAD = {0.0: 0.686, 0.1: 0.816, 0.5: 1.0, 0.9: 1.386, 1.0: 1.408}
"""Quantiles of the calibrated stack efficiency as multiples of :data:`suanli.models.defaults.STACK_EFFICIENCY`."""

STACK_EFFICIENCY_SPREAD_SOURCE = Source(
    "suanli backtest over toolkit/suanli/data/training_runs.csv (suanli.scenarios.backtest.run): spread of the per-run time errors",
    date="2026-11",
    confidence="estimate",
    note=(
        "at the calibrated factor the 28 public runs' signed time errors e (predicted/reported - 1) were: min -31.4%, "
        "P10 -18.4%, P50 -2.5%, P90 +38.6%, max +40.8% (2026-11). A run the engine overstates by e ran at about "
        "factor x (1 + e) (time is not exactly inverse in it: communication does not scale with it), so its "
        "quantiles are factor x 0.686 / 0.816 / 1.0 / 1.386 / 1.408, the median kept at the calibrated value, "
        "which zeroes the median error by construction. It carries every model error the backtest sees, some of "
        "which the chip inputs carry too: a conservative (wide) range"
    ),
)


def stack_efficiency_distribution(central: float | None = None) -> U.Distribution:
    """The run-to-run distribution of the calibrated stack efficiency (:data:`STACK_EFFICIENCY_SPREAD`)."""
    from suanli.validate import fraction

    c = D.STACK_EFFICIENCY.value if central is None else fraction("central", central, zero_ok=False)
    return U.quantiles({q: min(c * m, 1.0) for q, m in STACK_EFFICIENCY_SPREAD.items()})


FAILURE_RATE_RANGE = (D.FAILURE_RATE_MEGASCALE.value, D.FAILURE_RATE_PER_DEVICE_HOUR.value, D.FAILURE_RATE_OPT.value)
"""(low, central, high) interruptions per device-hour: MegaScale 2.0e-5, Llama 3 2.2e-5, OPT 7.4e-5."""

FAILURE_RATE_RANGE_SOURCE = Source(
    "Llama 3 (arXiv:2407.21783 Sec 3.3.4), MegaScale (arXiv:2402.15627) and OPT (arXiv:2205.01068 Sec 2.5) interruption counts",
    confidence="paper",
    note="triangular: most likely the Llama 3 rate, as low as MegaScale's, as high as OPT's (an older stack on A100s); "
    "see suanli.models.defaults FAILURE_RATE_* for the arithmetic",
)

_FRACTIONS = {
    "matmul_efficiency",
    "hbm_efficiency",
    "scaleup_efficiency",
    "scaleout_efficiency",
    "software_stack",
    "stack_efficiency",
}
"""Inputs that are shares of an ideal: their draws are capped at 1."""


@dataclass(frozen=True)
class UncertainInput:
    """One input of a ranged run: its distribution (or fixed number), central value, source and why so wide."""

    name: str
    distribution: Any
    nominal: float
    unit: str
    where: str
    source: Source
    basis: str

    @property
    def uncertain(self) -> bool:
        return isinstance(self.distribution, U.Distribution)

    def row(self) -> dict[str, Any]:
        d = self.distribution
        lo, hi = (d.ppf(0.1), d.ppf(0.9)) if self.uncertain else (self.nominal, self.nominal)
        return {
            "input": self.name,
            "value": self.nominal,
            "p10": lo,
            "p90": hi,
            "unit": self.unit,
            "basis": self.basis,
            "confidence": self.source.confidence,
            "where": self.where,
            "citation": self.source.citation,
        }


def _capped(dist: Any, cap: float | None) -> Any:
    if cap is None or not isinstance(dist, U.Distribution) or dist.kind == "lognormal":
        return dist
    if dist.kind == "quantiles":
        return U.Distribution("quantiles", tuple(min(v, cap) if i % 2 else v for i, v in enumerate(dist.params)))
    if dist.kind == "uniform":  # clipped, not truncated: the draws above the cap sit at it, the median stays put
        low, high = dist.params
        if high <= cap:
            return dist
        if low >= cap:
            return float(cap)
        return U.quantiles({0.0: low, (cap - low) / (high - low): cap, 1.0: cap})
    low, mode, high = dist.params
    return U.triangular(min(low, cap), min(mode, cap), min(high, cap))


def spec_input(
    name: str,
    value: float,
    unit: str,
    where: str,
    source: Source,
    rng: tuple[float, ...] | None = None,
    *,
    spreads: bool = True,
) -> UncertainInput:
    """An input from a spec number: its own range (triangular, mode at the value) or its confidence's spread."""
    from suanli.scenarios._checks import instance
    from suanli.validate import array, non_negative

    value = non_negative("value", value)  # a spec number: a size, a rate, a price
    instance("source", source, Source, "a Source (suanli.Source)")
    for label, word in (("name", name), ("unit", unit), ("where", where)):
        if not isinstance(word, str):
            raise InputError(f"{label} must be text, got {word!r}")
    if rng is not None:
        rng = tuple(array("rng", rng).ravel()) if np.size(rng) else None
    if not spreads:
        dist, basis = value, "fixed (spreads off)"
    elif rng:
        low, high = min(min(rng), value), max(max(rng), value)
        dist = U.spec_distribution(value, source.confidence, (low, high))
        basis = f"range {low:.4g}..{high:.4g} given with the number"
    else:
        dist = U.spec_distribution(value, source.confidence)
        spread = U.DEFAULT_SPREAD.get(source.confidence, 0.0)
        basis = (
            f"default spread of {'an' if source.confidence[0] in 'aeiou' else 'a'} {source.confidence} value (+/-{spread:.0%})"
            if spread
            else f"fixed ({source.confidence})"
        )
    dist = _capped(dist, 1.0 if name in _FRACTIONS else None)
    return UncertainInput(
        name=name, distribution=dist, nominal=value, unit=unit, where=where, source=source, basis=basis
    )


def engine_inputs(chip, precision: str = "bf16", *, catalog=None, spreads: bool = True) -> dict[str, UncertainInput]:
    """The uncertain inputs of the engine for ``chip`` (an id or an Accelerator), by name.

    Spec numbers come from :func:`suanli.scenarios.training.input_sources` (the same resolution the engine uses);
    the engine's own constants take :data:`STACK_EFFICIENCY_RANGE`, :data:`FAILURE_RATE_RANGE` and the
    software stack's best..worst factor.
    """
    from suanli.scenarios.training import input_sources

    out: dict[str, UncertainInput] = {}
    for row in input_sources(chip, precision, catalog=catalog):
        if row.name == "hbm_gb":
            continue  # capacity picks the layout, which stays fixed
        rng, source, basis = row.range, row.source, None
        if row.name == "stack_efficiency":
            out[row.name] = UncertainInput(
                name=row.name,
                distribution=stack_efficiency_distribution(row.value) if spreads else row.value,
                nominal=row.value,
                unit=row.unit,
                where=row.where,
                source=STACK_EFFICIENCY_SPREAD_SOURCE,
                basis="backtest spread of the calibration" if spreads else "fixed (spreads off)",
            )
            continue
        if row.name == "failure_rate_per_device_hour":
            rng, source, basis = FAILURE_RATE_RANGE, FAILURE_RATE_RANGE_SOURCE, "Llama 3 / MegaScale / OPT rates"
        elif row.name == "software_stack" and rng:
            basis = "compat model, stack ranges at worst..best"
        item = spec_input(row.name, row.value, row.unit, row.where, source, rng, spreads=spreads and row.sampled)
        out[row.name] = dataclasses.replace(item, basis=basis) if basis and item.uncertain else item
    return out


def _given(name: str, value: Any, base: UncertainInput | None, unit: str = "") -> UncertainInput:
    """A caller's number (fixed) or range / distribution for one input."""
    dist = U.as_distribution(value)
    if dist is None:
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise InputError(
                f"{name} must be a number, a (low, high) / (low, mode, high) range or a distribution, got {value!r}"
            ) from None
    nominal = float(value) if dist is None else (base.nominal if base is not None else dist.median)
    src = Source(f"given by the caller for {name}", confidence="estimate", note="the caller's own number or range")
    return UncertainInput(
        name=name,
        distribution=value if dist is None else dist,
        nominal=nominal,
        unit=base.unit if base is not None else unit,
        where="given",
        source=src,
        basis="given" if dist is None else f"given {dist.kind} range",
    )


def _apply_ranges(inputs: dict[str, UncertainInput], ranges: Mapping[str, Any] | None) -> None:
    """Replace inputs by the caller's numbers or ranges; an unknown name is an error listing the known ones."""
    if ranges is not None and not isinstance(ranges, Mapping):
        raise InputError(f"ranges must map input names to numbers or ranges, got {ranges!r}")
    for name, value in (ranges or {}).items():
        if name not in inputs:
            raise InputError(f"unknown uncertain input {name!r}; inputs: {', '.join(inputs)}")
        inputs[name] = _given(name, value, inputs[name])


# --------------------------------------------------------------------------------------------
# energy and cost
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostContext:
    """What the vectorised cost model needs besides its uncertain inputs: the resolved point report."""

    accelerator: Any
    count: int
    report: Mapping[str, Any]
    chips_per_server: float
    chip_price: float | None

    def __call__(self, hours, tdp_w, pue, price_kwh=None, chip_price=None) -> dict[str, Any]:
        """Facility power, energy, electricity, hardware, total cost and CO2 for arrays of the inputs.

        Energy and electricity run the power and cost models on arrays; hardware cost is linear in the
        hours and the chip price in both :func:`suanli.models.cost.owned_hardware_cost` and
        :func:`~suanli.models.cost.rental_cost`, so the point figure scales exactly.

        References: :mod:`suanli.models.power` (chip -> server -> IT -> facility), :mod:`suanli.models.cost`.
        """
        from suanli.models import cost as C
        from suanli.models import power as P

        rep, acc = self.report, self.accelerator
        chain = P.fleet_power(
            tdp_w, self.count, self.chips_per_server, rep["utilization"], pue, server_rating_w=acc.server_power_w
        )
        energy = np.asarray(P.energy_mwh(chain.facility_w, hours))
        out: dict[str, Any] = {
            "it_power_kw": np.asarray(chain.it_w) / 1e3,
            "facility_power_kw": np.asarray(chain.facility_w) / 1e3,
            "energy_mwh": energy,
        }
        parts = []
        if rep["electricity_cost"] is not None:
            out["electricity_cost"] = np.asarray(
                C.electricity_cost(energy, price_kwh if price_kwh is not None else rep["price_kwh"])
            )
            parts.append(out["electricity_cost"])
        if rep["hardware_cost"] is not None:
            ratio = 1.0 if chip_price is None or not self.chip_price else np.asarray(chip_price) / self.chip_price
            out["hardware_cost"] = rep["hardware_cost"] * (np.asarray(hours) / rep["hours"]) * ratio
            parts.append(out["hardware_cost"])
        if parts and set(rep["total_cost_includes"]) == {k for k in ("electricity", "hardware") if f"{k}_cost" in out}:
            out["total_cost"] = sum(parts)
        if rep["grid_gco2_kwh"] is not None:
            out["co2_t"] = np.asarray(P.co2_t(energy, rep["grid_gco2_kwh"]))
        return out


def _price_field(acc, rented: bool) -> str | None:
    from suanli.prices import quote_field

    picked = quote_field(acc, "rental" if rented else "purchase")
    return None if picked is None else picked[0]


def cost_inputs(
    accelerator, options: Any, report: Mapping[str, Any], *, catalog=None, spreads: bool = True
) -> tuple[dict[str, UncertainInput], CostContext]:
    """The uncertain inputs of energy and cost (TDP, PUE, electricity price, chip price) and the context.

    ``report`` is the point :func:`suanli.scenarios.power.energy_and_cost` for the same options: it fixes
    the currency, utilisation and what the total includes. A number the caller gave (``--pue``,
    ``--price-kwh``, ``--rental-per-hour``) is fixed; a site's own range is used, else its confidence's spread.
    """
    from suanli.models import power as P
    from suanli.scenarios._checks import accelerator as checked_accelerator
    from suanli.scenarios._checks import mapping
    from suanli.scenarios.power import _options, _site, site_price_per_kwh

    opts = _options(options)
    acc = checked_accelerator("accelerator", accelerator)
    mapping("report", report, ("currency", "pue", "price_kwh", "hardware_cost", "hardware_cost_basis", "count"))
    inputs = {
        "tdp_w": spec_input(
            "tdp_w",
            acc.tdp_w,
            "W",
            f"{acc.id}.tdp_w",
            acc.sources.get("tdp_w") or _unsourced(acc.id, "tdp_w"),
            acc.ranges.get("tdp_w"),
            spreads=spreads,
        )
    }
    site = _site(opts["site"], catalog)
    if opts["pue"] is None and site is not None:
        inputs["pue"] = spec_input(
            "pue",
            site.pue_typical,
            "ratio",
            f"{site.id}.pue_typical",
            site.sources.get("pue_typical") or _unsourced(site.id, "pue_typical"),
            site.ranges.get("pue_typical"),
            spreads=spreads,
        )
    else:
        inputs["pue"] = _given("pue", report["pue"], None, "ratio")
    if report["price_kwh"] is not None:
        if opts["price_kwh"] is None and site is not None:
            fld = "electricity_cny_kwh" if site.electricity_cny_kwh is not None else "electricity_usd_kwh"
            price, low, high = site_price_per_kwh(site, report["currency"])
            inputs["price_kwh"] = spec_input(
                "price_kwh",
                price,
                f"{report['currency']}/kWh",
                f"{site.id}.{fld}",
                site.sources.get(fld) or _unsourced(site.id, fld),
                (low, high) if low != high else None,
                spreads=spreads,
            )
        else:
            inputs["price_kwh"] = _given("price_kwh", report["price_kwh"], None, f"{report['currency']}/kWh")
    nominal_price = None
    if report["hardware_cost"] is not None and opts["rental_per_hour"] is None:
        fld = _price_field(acc, rented=report["hardware_cost_basis"].startswith("rental"))
        if fld is not None:
            nominal_price = float(getattr(acc, fld))
            unit = fld.split("_")[1].upper() + ("/h" if fld.startswith("rental") else "")
            inputs["chip_price"] = spec_input(
                "chip_price",
                nominal_price,
                unit,
                f"{acc.id}.{fld}",
                acc.sources.get(fld) or _unsourced(acc.id, fld),
                acc.ranges.get(fld),
                spreads=spreads,
            )
    ctx = CostContext(
        acc, int(report["count"]), report, float(acc.chips_per_server or P.DEFAULTS.chips_per_server), nominal_price
    )
    return inputs, ctx


def _unsourced(spec_id: str, fld: str) -> Source:
    return Source(
        f"{spec_id}: no source given for {fld}", confidence="estimate", note="an unsourced value counts as an estimate"
    )


# --------------------------------------------------------------------------------------------
# the ranged run
# --------------------------------------------------------------------------------------------

_HW_FIELDS = {  # Hardware field -> the inputs whose ratio to their central value scales it
    "gemm_peak_flops": ("peak_tflops",),
    "bf16_peak_flops": ("peak_tflops",),
    "hbm_bytes_per_s": ("hbm_tbs", "hbm_efficiency"),
    "scaleup_bytes_per_s": ("scaleup_gbs", "scaleup_efficiency"),
    "scaleout_bytes_per_s": ("scaleout_gbps", "scaleout_efficiency"),
    "stack_efficiency": ("software_stack",),
}
_EVALUATE_KW = ("matmul_efficiency", "stack_efficiency", "failure_rate_per_device_hour", "restart_s", "tokens")
_COST_KW = ("tdp_w", "pue", "price_kwh", "chip_price")


def make_model(
    workload,
    hw,
    layout: Mapping[str, Any],
    nominal: Mapping[str, float],
    *,
    precision: str = "bf16",
    cost: CostContext | None = None,
    run: Mapping[str, Any] | None = None,
):
    """The vectorised model of one fixed layout: ``model(**inputs) -> {output: array}`` for monte_carlo/tornado.

    Spec inputs scale the matching :class:`~suanli.models.performance.Hardware` numbers by their ratio to
    the central value (so central values give the engine's own numbers exactly); the engine's constants
    go to :func:`suanli.scenarios.training.evaluate` as arrays; energy and cost follow through ``cost``.
    """
    from suanli.scenarios.training import evaluate

    def model(**x):
        ratio = {k: np.asarray(x[k], dtype=float) / nominal[k] for k in nominal if k in x and nominal[k]}
        changes = {}
        for fld, names in _HW_FIELDS.items():
            scale = 1.0
            for name in names:
                scale = scale * ratio.get(name, 1.0)
            changes[fld] = getattr(hw, fld) * scale
        r = evaluate(
            workload,
            dataclasses.replace(hw, **changes),
            layout,
            tokens=x.get("tokens", nominal["tokens"]),
            global_batch=layout["global_batch"],
            precision=precision,
            run=run,
            **{k: x[k] for k in _EVALUATE_KW if k in x and k != "tokens"},
        )
        out = {k: r[k] for k in ENGINE_OUTPUTS}
        out["mfu"] = r["mfu"] * ratio.get("peak_tflops", 1.0)  # against the published peak
        if cost is not None:
            out.update(cost(r["train_days"] * 24.0, **{k: x[k] for k in _COST_KW if k in x}))
        return out

    return model


@dataclass
class Ranged:
    """Samples, percentiles, inputs and tornado of a ranged run (base of the two results below)."""

    ranged: U.RangedResult
    inputs: dict[str, UncertainInput]
    tornado: dict[str, list[dict[str, float]]]
    model: Any = field(default=None, repr=False)

    @property
    def samples(self) -> dict[str, np.ndarray]:
        return self.ranged.samples

    def tornado_for(self, output: str) -> list[dict[str, float]]:
        """The tornado rows of any ranged output (computed on first use, in one vectorised call)."""
        if output not in self.tornado:
            if output not in self.samples or self.model is None:
                raise InputError(f"no ranged output {output!r}; outputs: {', '.join(self.samples)}")
            self.tornado.update(_tornado(self.model, {k: i.distribution for k, i in self.inputs.items()}, (output,)))
        return self.tornado[output]

    def summary(self) -> dict[str, dict[str, float]]:
        """``{output: {"p10", "p50", "p90"}}``."""
        return self.ranged.summary()

    def input_table(self) -> list[dict[str, Any]]:
        """One row per input: central value, P10, P90, unit, basis of the range, confidence, source."""
        return [i.row() for i in self.inputs.values()]

    def _uncertainty(self) -> dict[str, Any]:
        return {
            "samples": self.ranged.n,
            "seed": self.ranged.seed,
            "inputs": self.input_table(),
            "tornado": self.tornado,
        }

    def _repr_html_(self) -> str:
        from suanli.present import summary_html

        return summary_html(self)


@dataclass
class UncertainEstimate(Ranged):
    """A ranged training estimate: the point :class:`~suanli.scenarios.training.Estimate` and its ranges.

    ``summary()`` gives ``{output: {"p10", "p50", "p90"}}``; ``samples[output]`` the draws; ``inputs``
    the :class:`UncertainInput` of each name; ``tornado[output]`` the one-at-a-time swings (largest
    first); ``cost`` the point energy and cost report (None without a site, price or PUE).
    """

    estimate: Any = None
    cost: dict[str, Any] | None = None

    def point(self) -> dict[str, Any]:
        """The point values of the ranged outputs (the engine's estimate and the point cost report)."""
        out = {k: getattr(self.estimate, k) for k in ENGINE_OUTPUTS}
        if self.cost:
            out.update({k: self.cost[k] for k in COST_OUTPUTS if k in self.samples})
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the estimate (and cost) with each ranged output as ``{p10, p50, p90}``, the point
        values under ``point``, the inputs and the tornado under ``uncertainty``."""
        return {
            **self.estimate.as_dict(),
            **(self.cost or {}),
            **self.summary(),
            "point": self.point(),
            "uncertainty": self._uncertainty(),
        }


@dataclass
class UncertainCost(Ranged):
    """Ranged energy and cost of a fleet for fixed hours (``suanli power --uncertain``)."""

    report: dict[str, Any] = field(default_factory=dict)

    def point(self) -> dict[str, Any]:
        return {k: self.report[k] for k in COST_OUTPUTS if k in self.samples}

    def as_dict(self) -> dict[str, Any]:
        return {**self.report, **self.summary(), "point": self.point(), "uncertainty": self._uncertainty()}


def _check_samples(samples: Any) -> int:
    from suanli.models.uncertainty import MAX_SAMPLES
    from suanli.validate import whole

    return whole("samples", samples, maximum=MAX_SAMPLES)


def ranged_estimate(
    est,
    *,
    workload=None,
    accelerator=None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    ranges: Mapping[str, Any] | None = None,
    options: Any = None,
    spreads: bool = True,
    tornado_outputs: tuple[str, ...] | None = None,
    catalog=None,
) -> UncertainEstimate:
    """Ranges around an existing point :class:`~suanli.scenarios.training.Estimate`, on its layout.

    ``workload`` is the estimate's :class:`~suanli.models.workload.Workload` (default: its preset
    name); ``accelerator`` the :class:`~suanli.spec.Accelerator` when the estimate's chip is not a catalog
    id; ``options`` the site/price options of :func:`suanli.scenarios.power.energy_and_cost` (energy and
    cost are added when they name a site, price or PUE); ``ranges`` overrides inputs by name;
    ``spreads=False`` fixes every input the caller did not give a range. ``tornado_outputs`` defaults to
    ``train_days`` and, with cost, ``total_cost``; ``()`` skips the tornado.
    """
    from suanli.models.workload import Workload
    from suanli.scenarios._checks import accelerator as checked_accelerator
    from suanli.scenarios._checks import instance, mapping
    from suanli.scenarios.power import for_estimate, wants_energy
    from suanli.scenarios.training import Estimate, _catalog, hardware, make_workload

    est = instance("est", est, Estimate, "an Estimate (suanli.estimate(...))")
    mapping("est.layout", est.layout, ("tp", "pp", "global_batch"))
    if not (isinstance(est.train_days, (int, float)) and math.isfinite(est.train_days) and est.train_days > 0):
        raise InputError(f"est.train_days must be a finite positive number of days, got {est.train_days!r}")
    n = _check_samples(samples)
    cat = _catalog(catalog)
    acc = checked_accelerator("accelerator", accelerator) if accelerator is not None else cat.accelerator(est.chip)
    w = instance("workload", workload, Workload, "a Workload") if workload is not None else make_workload(est.model)
    hw = hardware(acc, est.precision, catalog=cat)
    inputs = engine_inputs(acc, est.precision, catalog=cat, spreads=spreads)
    inputs["tokens"] = UncertainInput(
        "tokens",
        float(est.tokens),
        float(est.tokens),
        "tokens",
        "given",
        Source("the training goal", confidence="datasheet"),
        "fixed (the goal)",
    )
    ctx, report = None, None
    if options is not None and wants_energy(options):
        report = for_estimate(options, est, catalog=cat)
        extra, ctx = cost_inputs(acc, options, report, catalog=cat, spreads=spreads)
        inputs.update(extra)
    _apply_ranges(inputs, ranges)
    nominal = {k: i.nominal for k, i in inputs.items()}
    model = make_model(
        w, hw, est.layout, nominal, precision=est.precision, cost=ctx, run=est.details.get("run_settings")
    )
    dists = {k: i.distribution for k, i in inputs.items()}
    ranged = U.monte_carlo(model, dists, n=n, seed=seed)
    if tornado_outputs is None:
        tornado_outputs = ("train_days",) + (("total_cost",) if "total_cost" in ranged.samples else ())
    elif not isinstance(tornado_outputs, (tuple, list)) or not all(isinstance(o, str) for o in tornado_outputs):
        raise InputError(
            f"tornado_outputs must be a list of output names such as ('train_days',), got {tornado_outputs!r}"
        )
    tornado = _tornado(model, dists, tornado_outputs)
    return UncertainEstimate(ranged, inputs, tornado, model=model, estimate=est, cost=report)


_ESTIMATE_RANGED = ("matmul_efficiency", "stack_efficiency", "failure_rate_per_device_hour")
"""Inputs :func:`suanli.scenarios.training.estimate` also takes: a range's median picks the layout."""


def uncertain_estimate(
    model=None,
    *,
    tokens: float,
    chip,
    count: int,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    ranges: Mapping[str, Any] | None = None,
    options: Any = None,
    spreads: bool = True,
    tornado_outputs: tuple[str, ...] | None = None,
    catalog=None,
    **estimate_kwargs,
) -> UncertainEstimate:
    """:func:`suanli.scenarios.training.estimate` with ranges: the layout at central values, then N samples on it.

    Takes the arguments of :func:`~suanli.scenarios.training.estimate` (model, shape, layout flags ...) plus
    ``samples``, ``seed``, ``ranges`` (input name -> number, ``(low, high)``, ``(low, mode, high)`` or a
    :class:`~suanli.models.uncertainty.Distribution`), ``options`` (site, price, PUE ... as for
    ``suanli estimate``) and ``spreads`` (False: only the caller's ranges vary). Returns an
    :class:`UncertainEstimate`.
    """
    from suanli.scenarios.training import estimate, make_workload

    n = _check_samples(samples)
    if ranges is not None and not isinstance(ranges, Mapping):
        raise InputError(f"ranges must map input names to numbers or ranges, got {ranges!r}")
    ranges = dict(ranges or {})
    shape_keys = ("params", "active_params", "seq", "layers", "hidden", "heads", "kv_heads", "ffn", "vocab")
    w = make_workload(model, **{k: estimate_kwargs.pop(k) for k in shape_keys if k in estimate_kwargs})
    for name in _ESTIMATE_RANGED:
        if name in estimate_kwargs and estimate_kwargs[name] is not None:
            ranges.setdefault(name, estimate_kwargs[name])
        if name in ranges:
            dist = U.as_distribution(ranges[name])
            estimate_kwargs[name] = dist.median if dist is not None else float(ranges[name])
    from suanli.spec import Accelerator
    from suanli.validate import seed as checked_seed

    seed = checked_seed(seed)
    if not isinstance(chip, (str, Accelerator)):
        raise InputError("chip must be a catalog id or an Accelerator: the ranges come from its sources")
    est = estimate(w, tokens=tokens, chip=chip, count=count, catalog=catalog, **estimate_kwargs)
    return ranged_estimate(
        est,
        workload=w,
        accelerator=chip if isinstance(chip, Accelerator) else None,
        samples=n,
        seed=seed,
        ranges=ranges,
        options=options,
        spreads=spreads,
        tornado_outputs=tornado_outputs,
        catalog=catalog,
    )


def candidate_ranges(
    est,
    *,
    workload=None,
    samples: int = 2_000,
    seed: int = 0,
    options: Any = None,
    catalog=None,
    deadline_days: float | None = None,
) -> dict[str, Any]:
    """P10/P50/P90 of one substitution candidate's point estimate: ``{output: {"p10", "p50", "p90"}}``.

    For :mod:`suanli.scenarios.substitution`: pass the candidate's :class:`~suanli.scenarios.training.Estimate` (its chip,
    count and layout) and the run's site options; outputs are :data:`ENGINE_OUTPUTS` and, with a site
    or price, :data:`COST_OUTPUTS`. No tornado (it is the per-candidate hot path). With
    ``deadline_days``, the result also has ``deadline_probability``: the share of the draws whose
    training time is within the deadline (:func:`probability_within`), i.e. the probability that a
    fleet sized at central values finishes in time.
    """
    ranged = ranged_estimate(
        est, workload=workload, samples=samples, seed=seed, options=options, tornado_outputs=(), catalog=catalog
    )
    out: dict[str, Any] = ranged.summary()
    if deadline_days is not None:
        out["deadline_probability"] = probability_within(ranged.samples["train_days"], deadline_days)
    return out


def probability_within(samples: Any, limit: float) -> float:
    """The Monte Carlo estimate of P(X <= limit): the share of ``samples`` at or under ``limit``.

    Its standard error is sqrt(p (1 - p) / n) (binomial), under 1.2 percentage points at 2,000 draws.
    References: Morgan & Henrion 1990, ch. 8 (Monte Carlo estimates of probabilities).
    """
    from suanli.validate import float_array, number

    x = float_array("samples", samples).ravel()
    limit = number("limit", limit)
    x = x[~np.isnan(x)]  # an infinite draw (the run does not fit) counts as over the limit
    if x.size == 0:
        raise InputError("samples holds no number (all NaN), so no probability can be estimated")
    return float(np.mean(x <= limit))


PROGRESS_MIN_ITEMS = 2
"""Loops shorter than this show no progress bar."""


def progress(items, *, desc: str = "", unit: str = "it", total: int | None = None):
    """``items`` wrapped in a progress bar: tqdm in a terminal, an ipywidgets bar in a notebook
    (``tqdm.auto``); no bar when the output is not a terminal or notebook (pipes, tests, JSON) or the
    loop is short. The bar writes to stderr, so stdout stays the result."""
    import sys

    from suanli.validate import whole

    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise InputError(f"items must be a list or another iterable to loop over, got {items!r}")
    items = list(items)
    n = len(items) if total is None else whole("total", total, minimum=0)
    if n < PROGRESS_MIN_ITEMS:
        return items
    try:
        from IPython import get_ipython

        in_notebook = get_ipython() is not None and "IPKernelApp" in get_ipython().config
    except ImportError:
        in_notebook = False
    if not in_notebook and not sys.stderr.isatty():
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit=unit, total=n, leave=False)


def _tornado(model, dists: Mapping[str, Any], outputs) -> dict[str, list[dict[str, float]]]:
    """Tornado rows per output, each row with the input's unit-free P10/P90 and the output swing."""
    return {out: U.tornado(model, dists, out, vectorised=True) for out in outputs}


def ranged_energy_and_cost(
    options: Any,
    accelerator,
    count: int,
    hours: float,
    utilization=None,
    *,
    tokens=None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    ranges: Mapping[str, Any] | None = None,
    spreads: bool = True,
    catalog=None,
) -> UncertainCost:
    """:func:`suanli.scenarios.power.energy_and_cost` with ranges over TDP, PUE, electricity and chip price.

    Hours are fixed here (``suanli estimate --uncertain`` samples them from the engine). The tornado is
    over ``total_cost`` when the options price both parts, else over ``energy_mwh``.
    """
    from suanli.scenarios.power import energy_and_cost

    n = _check_samples(samples)
    report = energy_and_cost(options, accelerator, count, hours, utilization, tokens=tokens, catalog=catalog)
    inputs, ctx = cost_inputs(accelerator, options, report, catalog=catalog, spreads=spreads)
    _apply_ranges(inputs, ranges)
    h = float(report["hours"])

    def model(**x):
        return ctx(h, **x)

    dists = {k: i.distribution for k, i in inputs.items()}
    ranged = U.monte_carlo(model, dists, n=n, seed=seed)
    out = "total_cost" if "total_cost" in ranged.samples else "energy_mwh"
    return UncertainCost(ranged, inputs, _tornado(model, dists, (out,)), model=model, report=report)


def range_text(point: float, p: Mapping[str, float], fmt=None) -> str:
    """``24.6 (P10-P90 18.9-30.0, P50 24.8)`` for people (:func:`suanli.present.range_text`: a central
    value outside P10-P90 is labelled the nominal case)."""
    from suanli.present import range_text as text

    return text(point, p, fmt)


# --------------------------------------------------------------------------------------------
# the CUDA-compat slowdown: which of a stack's ranges drive it
# --------------------------------------------------------------------------------------------

_COMPAT_SPEED_KEYS = ("translated", "fallback", "translated_efficiency", "fallback_efficiency", "library_efficiency")
"""The per-class stack inputs the slowdown depends on (unsupported code and porting effort do not enter it)."""


def compat_inputs(profile) -> dict[str, U.Distribution]:
    """Every ranged per-class input of a :class:`~suanli.models.compat.StackProfile`, named ``class.key``.

    Uniform over ``[low, high]``: the same assumption as :meth:`StackProfile.sample`.
    """
    from suanli.models.compat import StackProfile
    from suanli.scenarios._checks import instance
    from suanli.spec import OP_CLASSES

    instance("profile", profile, StackProfile, "a StackProfile (models.compat.stack_profile(stack))")
    out = {}
    for key in _COMPAT_SPEED_KEYS:
        lo, _, hi = profile.bounds[key]
        for i, op in enumerate(OP_CLASSES):
            if hi[i] > lo[i]:
                out[f"{op}.{key}"] = U.uniform(float(lo[i]), float(hi[i]))
    return out


def compat_slowdown_model(profile, op_shares):
    """``model(**{"class.key": array}) -> {"slowdown": array}``: the compat model with some inputs drawn,
    the rest at the stack's central values (for :func:`~suanli.models.uncertainty.tornado` / monte_carlo).

    References: :func:`suanli.models.compat.slowdown` (Amdahl 1967).
    """
    from suanli.models import compat
    from suanli.scenarios._checks import instance
    from suanli.spec import OP_CLASSES
    from suanli.validate import array

    instance("profile", profile, compat.StackProfile, "a StackProfile (models.compat.stack_profile(stack))")
    central = profile.case("central")
    w = array("op_shares", op_shares, low=0.0, high=1.0)
    if w.shape != (len(OP_CLASSES),):
        raise InputError(f"op_shares must hold one share per op class ({len(OP_CLASSES)}), got {op_shares!r}")

    def model(**x):
        n = max((np.size(v) for v in x.values()), default=1)
        prof = {k: np.broadcast_to(np.asarray(v, dtype=float), (n, len(OP_CLASSES))).copy() for k, v in central.items()}
        for name, value in x.items():
            op, key = name.split(".")
            prof[key][:, OP_CLASSES.index(op)] = value
        # shares that a draw pushes past 1 together are rescaled, as StackProfile.sample does
        total = prof["translated"] + prof["fallback"] + prof["unsupported"]
        scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-300), 1.0)
        for key in ("translated", "fallback", "unsupported"):
            prof[key] = prof[key] * scale
        return {"slowdown": compat.slowdown(w, compat.time_factors(prof))}

    return model


def compat_tornado(stack, op_shares=None, *, overrides=None) -> list[dict[str, float]]:
    """Which of a stack's ranged inputs (``class.key``) drive its slowdown most: tornado rows, widest first.

    ``op_shares`` as for :func:`suanli.models.compat.workload_profile` (None: the dense fallback profile).
    """
    from suanli.models import compat

    prof = compat.stack_profile(stack, overrides)
    w = compat.workload_profile(op_shares)
    inputs = compat_inputs(prof)
    if not inputs:
        return []
    return U.tornado(compat_slowdown_model(prof, w), inputs, "slowdown", vectorised=True)
