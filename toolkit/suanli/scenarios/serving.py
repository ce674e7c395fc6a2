"""Serving: a model, a chip and a demand in; replica size, batch, latency, fleet, power and cost per million tokens out::

    from suanli.scenarios.serving import serve, compare
    r = serve("llama3-70b", "nvidia-h100-sxm5-80gb", precision="fp8", tpot_ms=50, demand_tokens_per_day=1e9)
    r.tokens_per_s_per_chip, r.chips_needed, r.cost_per_million_tokens
    rows = compare("deepseek-v3", tpot_ms=50, demand_tokens_per_day=1e10)   # every chip in the catalog

The physics is :mod:`suanli.models.serving` (roofline prefill/decode, KV cache, batch limits, TP/EP
collectives); power goes through :func:`suanli.models.power.fleet_power` and money through
:mod:`suanli.models.cost`. ``demand_tokens_per_day`` counts GENERATED (output) tokens, the unit of
"cost per million output tokens"; ``qps`` is requests per second of ``input_len`` + ``output_len``.
Chip prices come through :func:`chip_price`, which asks the shared price service (:mod:`suanli.prices`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from suanli.errors import InputError, SuanliError
from suanli.models import cost as C
from suanli.models import power as P
from suanli.models import serving as S
from suanli.spec import Source
from suanli.validate import positive, require_positive, require_whole

PRECISIONS = {
    # name: (weight format, default KV format, compute precision of the matmuls)
    "bf16": ("bf16", "bf16", "bf16"),
    "fp16": ("fp16", "fp16", "fp16"),
    "fp8": ("fp8", "fp8", "fp8"),  # W8A8 FP8 (TensorRT-LLM / DeepSeek), FP8 KV cache
    "int8": ("int8", "bf16", "bf16"),  # weight-only INT8 (W8A16): weights read as INT8, matmuls in BF16
    "int4": ("int4", "bf16", "bf16"),  # weight-only INT4 (AWQ / GPTQ, W4A16)
}
"""Serving precisions: INT8/INT4 are weight-only (W8A16/W4A16: Lin et al. 2024, AWQ, arXiv:2306.00978;
Frantar et al. 2023, GPTQ, arXiv:2210.17323), so they halve/quarter the bytes read but compute at BF16."""

DEFAULT_INPUT_LEN = 1000
DEFAULT_OUTPUT_LEN = 200
SECONDS_PER_DAY = 86_400.0
MAX_REPLICA_CHIPS = 1024

ELECTRICITY_USD_KWH = 0.08
ELECTRICITY_SOURCE = Source(
    citation="US average industrial electricity price ~8 cents/kWh (EIA Electric Power Monthly, 2023 annual average)",
    url="https://www.eia.gov/electricity/monthly/",
    date="2023",
    confidence="estimate",
    note="used only when neither --site nor --price-kwh is given; the same $0.08/kWh the ChatGPT electricity "
    "estimate (Guosheng Securities 2023) assumed",
)
SERVING_POWER_UTILIZATION = Source(
    citation="chip utilisation in the linear power model while serving at full load",
    confidence="estimate",
    note="decode is memory-bound, so a serving chip draws less than a saturating GEMM; without a published serving "
    "power trace we scale suanli's GEMM-derived default (0.79, FlagPerf) by the replica's busy share of time",
)


# --- model shapes -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _serving_shapes() -> dict[str, dict[str, Any]]:
    with resources.files("suanli.data").joinpath("serving_shapes.toml").open("rb") as fh:
        return tomllib.load(fh)


def serving_model(model) -> S.ServingModel:
    """The :class:`~suanli.models.serving.ServingModel` of a preset id or a :class:`~suanli.models.workload.Workload`.

    Weights come from :func:`suanli.models.workload.parameter_counts`; MLA latent width and the MLA
    attention width come from ``data/serving_shapes.toml`` (with their sources).
    """
    from suanli.models.workload import parameter_counts
    from suanli.scenarios.training import make_workload

    w = make_workload(model) if isinstance(model, str) else model
    pc = parameter_counts(w)
    extra = _serving_shapes().get(w.name, {})
    expert = pc["expert_ffn"] if w.is_moe else 0.0
    moe_layers = w.n_moe_layers
    dense = pc["matmul_active"] - (w.top_k * moe_layers * expert if w.is_moe else 0.0)
    resident = pc["total"] - (pc["routed_expert_params"] if w.is_moe else 0.0)
    return S.ServingModel(
        layers=float(w.layers),
        hidden=float(w.hidden),
        attn_dim=float(extra.get("attn_dim", w.q_dim)),
        kv_heads=float(w.kv),
        head_dim=float(w.head_width),
        dense_params=float(dense),
        resident_params=float(resident),
        expert_params=float(expert),
        experts=float(w.experts if w.is_moe else 0),
        top_k=float(w.top_k if w.is_moe else 0),
        moe_layers=float(moe_layers),
        latent_dim=float(extra.get("kv_latent_dim", 0.0)),
    )


# --- chips --------------------------------------------------------------------------------------


def _catalog(catalog=None):
    from suanli.scenarios._checks import catalog as checked_catalog

    return checked_catalog(catalog)


def precision_formats(precision: str, kv_precision: str | None = None) -> tuple[S.Precision, str]:
    """Bytes per weight / KV value / activation and the matmul precision for a serving precision name."""
    for name, value in (("precision", precision), ("kv_precision", kv_precision)):
        if value is not None and not isinstance(value, str):
            raise InputError(f"{name} must be a number format such as bf16 or fp8, got {value!r}")
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    weights, kv, compute = PRECISIONS[precision]
    kv = kv_precision or kv
    if kv not in ("bf16", "fp16", "fp8", "int8"):
        raise InputError(f"kv_precision must be bf16, fp16, fp8 or int8, got {kv_precision!r}")
    return S.Precision(S.BYTES_PER_VALUE[weights], S.BYTES_PER_VALUE[kv], 2.0), compute


def device(chip, precision: str = "bf16", *, catalog=None) -> tuple[S.Device, Any]:
    """The serving model's :class:`~suanli.models.serving.Device` of a chip, and its Accelerator.

    Peaks and capacity are the chip's datasheet numbers; links, matmul efficiency and the software
    stack's step-time efficiency are the training engine's resolution of the same chip
    (:func:`suanli.scenarios.training.hardware`), so both models read one set of chip inputs.
    """
    if not isinstance(precision, str):
        raise InputError(f"precision must be a number format such as bf16 or fp8, got {precision!r}")
    from suanli.scenarios.training import GIB, hardware

    cat = _catalog(catalog)
    from suanli.scenarios._checks import accelerator

    acc = accelerator("chip", chip) if not isinstance(chip, str) else cat.accelerator(chip)
    _, compute = precision_formats(precision)
    key = (id(cat), id(acc), precision)
    held = _DEVICES.get(key)
    if held is not None and held[0] is cat and held[1] is acc:  # the same (frozen) catalog and spec objects
        return held[2], acc
    try:
        hw = hardware(acc, compute, catalog=cat)
    except InputError as err:
        raise InputError(f"{acc.id} cannot serve at {precision}: {err}") from None
    dev = S.Device(
        peak_flops=hw.gemm_peak_flops,
        hbm_bytes_per_s=float(acc.hbm_tbs) * 1e12,
        hbm_bytes=float(acc.hbm_gb) * GIB,
        scaleup_domain=float(hw.scaleup_domain),
        scaleup_bytes_per_s=hw.scaleup_bytes_per_s,
        scaleup_alpha_s=hw.scaleup_alpha_s,
        scaleout_bytes_per_s=hw.scaleout_bytes_per_s,
        scaleout_alpha_s=hw.scaleout_alpha_s,
        matmul_efficiency=hw.matmul_efficiency,
        stack_efficiency=hw.stack_efficiency,
    )
    if len(_DEVICES) >= 1024:
        _DEVICES.clear()
    _DEVICES[key] = (cat, acc, dev)
    return dev, acc


_DEVICES: dict[tuple[int, int, str], tuple[Any, Any, S.Device]] = {}
"""Devices already resolved, by (catalog, spec, precision) object identity: a device depends on nothing else,
and a panel compares every chip on every move (resolving them is a third of a move). Specs and catalogs are
frozen, so an entry cannot go stale; it is used only while the very same objects are passed."""


def chip_price(acc, currency: str = "USD") -> tuple[float | None, str]:
    """Purchase price of one chip in ``currency`` and its basis ("chip" / "system"), or ``(None, why)``.

    The ONE place the serving scenario reads hardware prices; it asks the shared price service
    (:func:`suanli.prices.chip_price`: one quote per chip, converted at the dated rate of
    :data:`suanli.models.money.CNY_PER_USD`), so every command prices a chip the same.
    """
    from suanli.prices import chip_price as one_price

    p = one_price(acc, currency, "purchase")
    if p is None:
        return None, "no purchase price in the catalog"
    return p.value, acc.price_basis or "chip"


def chip_rental_per_hour(acc, currency: str = "USD") -> float | None:
    """Rental price per accelerator-hour in ``currency`` (cloud-only parts), or None (shared price service)."""
    from suanli.prices import price_value

    return price_value(acc, currency, "rental")


# --- the replica --------------------------------------------------------------------------------


def _count_grid(dev: S.Device, model: S.ServingModel, acc) -> np.ndarray:
    """Replica sizes tried: 1, 2, 4 ... up to the scale-up domain, then 1, 2, 3, 4, 6 ... 128 whole servers
    (dense: pipeline stages across servers; MoE: expert parallelism across servers)."""
    domain = int(max(1, dev.scaleup_domain))
    per_server = int(acc.chips_per_server or P.DEFAULTS.chips_per_server)
    inside = [n for n in (1, 2, 4, 8, 16, 32, 64, 72, 128, 256, 384) if n <= domain]
    step = max(per_server, 1)
    across = [
        step * k for k in (1, 2, 3, 4, 6, 8, 12, 16, 18, 24, 32, 48, 64, 96, 128) if step * k <= MAX_REPLICA_CHIPS
    ]
    return np.array(sorted(set(inside + across)), dtype=float)


def _batch_grid(bmax: float) -> np.ndarray:
    top = int(min(bmax, 65_536))
    grid = np.unique(np.round(np.geomspace(1, max(top, 1), 160)))
    return grid[grid <= top]


@dataclass
class ServeResult:
    """One chip serving one model: the replica, the chosen batch, latency, throughput, fleet, power and cost."""

    model: str
    chip: str
    precision: str
    count: int
    batch: int
    input_len: int
    output_len: int
    ttft_ms: float
    tpot_ms: float
    tokens_per_s_per_chip: float
    tokens_per_s_per_replica: float
    tokens_per_s_per_server: float
    memory_gb_per_device: float
    max_batch: int
    bound: str
    demand_tokens_per_s: float | None
    replicas: int
    chips_needed: int
    servers_needed: float
    utilization: float
    facility_kw: float
    energy_kwh_per_million_tokens: float
    electricity_per_million_tokens: float
    hardware_per_million_tokens: float | None
    cost_per_million_tokens: float | None
    currency: str
    pue: float
    price_kwh: float
    site: str | None
    hardware_cost_basis: str
    breakdown_ms: dict[str, float] = field(default_factory=dict)
    targets: dict[str, float | None] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)

    KEYS = (
        "model",
        "chip",
        "precision",
        "count",
        "batch",
        "input_len",
        "output_len",
        "ttft_ms",
        "tpot_ms",
        "tokens_per_s_per_chip",
        "tokens_per_s_per_replica",
        "tokens_per_s_per_server",
        "memory_gb_per_device",
        "max_batch",
        "bound",
        "demand_tokens_per_s",
        "replicas",
        "chips_needed",
        "servers_needed",
        "utilization",
        "facility_kw",
        "energy_kwh_per_million_tokens",
        "electricity_per_million_tokens",
        "hardware_per_million_tokens",
        "cost_per_million_tokens",
        "currency",
        "pue",
        "price_kwh",
        "site",
        "hardware_cost_basis",
        "breakdown_ms",
        "targets",
        "sources",
    )

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.KEYS}

    def explain(self) -> str:
        """How the numbers were reached, in a few lines."""
        b = self.breakdown_ms
        cost = self.cost_per_million_tokens if self.cost_per_million_tokens is not None else float("nan")
        lines = [
            f"{self.model} on {self.count} x {self.chip} ({self.precision}), batch {self.batch} of at most {self.max_batch}:",
            (
                f"  decode step {b.get('step_ms', 0):.2f} ms = max(compute {b.get('compute_ms', 0):.2f}, memory "
                f"{b.get('memory_ms', 0):.2f}) + communication {b.get('comm_ms', 0):.2f} + overhead "
                f"{b.get('overhead_ms', 0):.2f} ({self.bound}-bound)"
            ),
            (
                f"  prefill of {self.input_len} tokens {b.get('prefill_ms', 0):.1f} ms; TTFT {self.ttft_ms:.1f} ms, "
                f"TPOT {self.tpot_ms:.2f} ms (the decode step plus the newcomers' prompts that stall it)"
            ),
            (
                f"  {self.tokens_per_s_per_chip:,.0f} output tokens/s per chip; {self.chips_needed:,} chips "
                f"({self.replicas:,} replicas) at utilisation {self.utilization:.0%}"
            ),
            (
                f"  {self.facility_kw:,.1f} kW at the facility meter (PUE {self.pue:.2f}), "
                f"{self.energy_kwh_per_million_tokens:.2f} kWh and {cost:.3f} {self.currency} per million output tokens"
            ),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"ServeResult({self.model} on {self.count} x {self.chip}: batch {self.batch}, TTFT {self.ttft_ms:.0f} ms, "
            f"TPOT {self.tpot_ms:.1f} ms, {self.tokens_per_s_per_chip:,.0f} tok/s/chip, "
            f"{self.chips_needed:,} chips, {self.cost_per_million_tokens or float('nan'):.3f} {self.currency}/M tok)"
        )


def _check_target(name: str, value) -> float | None:
    if value is None:
        return None
    from suanli.validate import positive

    return positive(name, value)


def _targets_met(pt, ttft_s, tpot_s):
    ok = np.ones(np.shape(pt["tpot_s"]), dtype=bool)
    if tpot_s is not None:
        ok &= np.asarray(pt["tpot_s"]) <= tpot_s
    if ttft_s is not None:
        ok &= np.asarray(pt["ttft_s"]) <= ttft_s
    return ok


def _binding_sentence(smodel, prec, dev, counts, input_len, output_len, ttft_s, tpot_s, chip_id, kw) -> str:
    """Why no batch meets the targets: one request on the replica size that serves it fastest."""
    pt = S.serving_point(smodel, prec, dev, counts, 1.0, input_len, output_len, **kw)
    tpot, ttft = np.asarray(pt["tpot_s"]).reshape(-1), np.asarray(pt["ttft_s"]).reshape(-1)
    if tpot_s is not None and np.all(tpot > tpot_s):
        k = int(np.argmin(tpot))
        dec = S.decode_step(smodel, prec, dev, counts[k], 1.0, input_len + output_len / 2.0, **kw)
        limit = "memory bandwidth" if dec["memory_s"] >= dec["compute_s"] else "compute"
        if dec["comm_s"] > max(dec["memory_s"], dec["compute_s"]):
            limit = "the interconnect"
        return (
            f"no batch meets TPOT {tpot_s * 1e3:g} ms on {chip_id}: even one request takes {tpot[k] * 1e3:.1f} ms "
            f"per token at best ({int(counts[k])} chips; {limit} binds: {dec['bytes_per_chip'] / 1e9:.1f} GB read "
            f"per chip per token, {dec['comm_s'] * 1e3:.1f} ms of communication)"
        )
    k = int(np.argmin(ttft))
    return (
        f"no batch meets TTFT {ttft_s * 1e3:g} ms on {chip_id}: the {int(input_len)}-token prompt alone takes "
        f"{ttft[k] * 1e3:.0f} ms at best ({int(counts[k])} chips; compute binds the prompt pass)"
        + (" with the TPOT target also met" if tpot_s is not None else "")
    )


def _replica(smodel, prec, dev, acc, count, batch, input_len, output_len, ttft_s, tpot_s, disaggregated, kw):
    """Choose (count, batch) and evaluate it; returns (count, batch, max_batch, point).

    Every candidate replica size and batch is evaluated in one vectorised call (sizes x batches);
    the fewest chips with a feasible batch win, and among their batches the largest that meets the targets.
    """
    context = input_len + output_len
    counts = np.array([float(count)]) if count is not None else _count_grid(dev, smodel, acc)
    bmax_all = np.asarray(S.max_batch(smodel, prec, dev, counts, context), dtype=float).reshape(-1)
    fits = bmax_all >= 1
    if not fits.any():
        need = S.memory_per_device_bytes(smodel, prec, dev, counts[-1], 1, context) / 2**30
        raise InputError(
            f"{smodel_label(smodel)} does not fit on {int(counts[-1])} x {acc.id} at this precision: "
            f"{need:.0f} GiB per device needed, {dev.hbm_bytes / 2**30 * S.SERVING_DEFAULTS.memory_usable_fraction:.0f} GiB usable"
            + ("; give a larger --count or a smaller precision" if count is not None else "")
        )
    counts, bmax_all = counts[fits], bmax_all[fits]
    if batch is not None:
        ok_size = bmax_all >= batch
        if not ok_size.any():
            raise InputError(
                f"batch {batch} does not fit on {int(counts[-1])} x {acc.id}: at most {int(bmax_all[-1])} "
                f"sequences of {int(context)} tokens fit beside the weights"
            )
        counts, bmax_all = counts[ok_size], bmax_all[ok_size]
        grid = np.array([float(batch)])
    else:
        grid = np.unique(np.concatenate([_batch_grid(bmax_all.max()), np.minimum(bmax_all, 65_536)]))
    pt = S.serving_point(
        smodel, prec, dev, counts[:, None], grid[None, :], input_len, output_len, disaggregated=disaggregated, **kw
    )
    ok = (grid[None, :] <= bmax_all[:, None]) & _targets_met(pt, ttft_s, tpot_s)
    if not ok.any():
        raise InputError(
            _binding_sentence(smodel, prec, dev, counts, input_len, output_len, ttft_s, tpot_s, acc.id, kw)
        )
    row = int(np.argmax(ok.any(axis=1)))  # the fewest chips with a feasible batch, then its largest feasible batch
    n, b = float(counts[row]), float(grid[np.flatnonzero(ok[row])[-1]])
    return (
        int(n),
        int(b),
        int(bmax_all[row]),
        S.serving_point(smodel, prec, dev, n, b, input_len, output_len, disaggregated=disaggregated, **kw),
    )


def smodel_label(smodel: S.ServingModel) -> str:
    """A model's size in words for a sentence (``a 70B-parameter model``)."""
    from suanli.scenarios._checks import instance

    instance("smodel", smodel, S.ServingModel, "a ServingModel (serving.serving_model(...))")
    return f"a {smodel.total_params / 1e9:.0f}B-parameter model"


def _site_terms(site_id, price_kwh, pue, currency, catalog):
    from suanli.models.money import check_currency, convert
    from suanli.validate import number

    pue = None if pue is None else number("pue", pue)
    price_kwh = None if price_kwh is None else number("price_kwh", price_kwh)
    site = _catalog(catalog).site(site_id) if site_id else None
    if site is not None:
        from suanli.scenarios.power import site_currency, site_price_per_kwh

        currency = check_currency(currency or site_currency(site))
        price = site_price_per_kwh(site, currency)[0] if price_kwh is None else price_kwh
        pue = site.pue_typical if pue is None else pue
    else:
        currency = check_currency(currency or "USD")
        price = convert(ELECTRICITY_USD_KWH, "USD", currency) if price_kwh is None else price_kwh
        pue = P.DEFAULTS.pue if pue is None else pue
    require_positive(pue=pue)
    P.check_pue(pue)
    if price is None or not np.isfinite(price) or price < 0:
        raise InputError(f"price_kwh must be a number >= 0, got {price_kwh!r}")
    return site, currency, float(price), float(pue)


def serve(
    model,
    chip,
    *,
    count: int | None = None,
    batch: int | None = None,
    precision: str = "bf16",
    kv_precision: str | None = None,
    input_len: int = DEFAULT_INPUT_LEN,
    output_len: int = DEFAULT_OUTPUT_LEN,
    ttft_ms: float | None = None,
    tpot_ms: float | None = None,
    demand_tokens_per_day: float | None = None,
    qps: float | None = None,
    site: str | None = None,
    price_kwh: float | None = None,
    pue: float | None = None,
    currency: str | None = None,
    disaggregated: bool = False,
    catalog=None,
    **efficiencies,
) -> ServeResult:
    """Serve ``model`` on ``chip``: the replica (``count`` chips, default the fewest that fit and meet the
    targets), the batch (default the largest meeting ``ttft_ms`` / ``tpot_ms``, or the largest that fits), and for a demand (``demand_tokens_per_day`` output tokens, or ``qps`` requests/s)
    the chips, power and cost per million output tokens. With no demand, one replica at full load.

    Raises :class:`~suanli.errors.InputError` with one sentence for a bad input, a model that does not fit,
    or targets no batch meets (naming the limit that binds).
    """
    cat = _catalog(catalog)
    input_len = require_whole("input_len", input_len, 1)
    output_len = require_whole("output_len", output_len, 1)
    if count is not None:
        count = require_whole("count", count, 1)
    if batch is not None:
        batch = require_whole("batch", batch, 1)
    ttft_s = None if ttft_ms is None else _check_target("ttft_ms", ttft_ms) / 1e3
    tpot_s = None if tpot_ms is None else _check_target("tpot_ms", tpot_ms) / 1e3
    if demand_tokens_per_day is not None and qps is not None:
        raise InputError("give either demand_tokens_per_day or qps, not both")
    if demand_tokens_per_day is not None:
        demand_tokens_per_day = positive("demand_tokens_per_day", demand_tokens_per_day)
    if qps is not None:
        qps = positive("qps", qps)
    unknown = set(efficiencies) - {"compute_efficiency", "bandwidth_efficiency", "step_overhead_s"}
    if unknown:
        raise InputError(f"unknown option(s) {', '.join(sorted(unknown))}")
    prec, _ = precision_formats(precision, kv_precision)
    smodel = serving_model(model)
    dev, acc = device(chip, precision, catalog=cat)
    site_obj, ccy, price, pue_v = _site_terms(site, price_kwh, pue, currency, cat)

    kw = {"eff": dataclasses.replace(S.SERVING_DEFAULTS, **efficiencies)} if efficiencies else {}
    n, b, bmax, pt = _replica(
        smodel, prec, dev, acc, count, batch, float(input_len), float(output_len), ttft_s, tpot_s, disaggregated, kw
    )
    replica_tps = float(pt["output_tokens_per_s"])
    if demand_tokens_per_day is not None:
        demand = float(demand_tokens_per_day) / SECONDS_PER_DAY
    elif qps is not None:
        demand = float(qps) * output_len
    else:
        demand = None
    replicas = 1 if demand is None else max(1, math.ceil(demand / replica_tps))
    chips = replicas * n
    if disaggregated:  # prompt chips: enough replicas of the same size to run every prompt
        prompt_rate = (demand if demand is not None else replica_tps) / output_len
        chips += max(1, math.ceil(prompt_rate * float(pt["prefill_s"]))) * n
    load = 1.0 if demand is None else demand / (replicas * replica_tps)
    served = replica_tps * replicas * load
    per_server = acc.chips_per_server or P.DEFAULTS.chips_per_server
    # each chip at its own measured draw under load (CHIP_LOAD), scaled by the share of capacity in use
    chain = P.fleet_power(
        acc.tdp_w,
        chips,
        per_server,
        utilization=P.chip_utilization(acc.id) * load,
        pue=pue_v,
        server_rating_w=acc.server_power_w,
    )
    facility_w = float(chain.facility_w)
    if not (served > 0 and math.isfinite(1e6 / served)):  # a demand so small it underflows: no cost per token
        raise InputError(f"the demand is too small to cost per million tokens ({served:.3g} tokens/s served)")
    hours_per_m = 1e6 / served / 3600.0
    energy_kwh = facility_w / 1e3 * hours_per_m
    electricity = float(C.electricity_cost(energy_kwh / 1e3, price))
    unit_price, basis = chip_price(acc, ccy)
    if unit_price is not None:
        share = 0.0 if basis == "system" else P.DEFAULTS.server_capex_fraction
        hardware = float(C.owned_hardware_cost(unit_price, chips, hours_per_m, server_capex_fraction=share))
        basis = f"capex amortised over {P.DEFAULTS.lifetime_years:g} years (price x {1 + share:.2f} for the server)"
    else:
        rent = chip_rental_per_hour(acc, ccy)
        hardware = None if rent is None else float(C.rental_cost(rent, chips, hours_per_m))
        basis = "rental per accelerator-hour" if rent is not None else basis
    dec = pt["decode"]
    return ServeResult(
        model=model if isinstance(model, str) else model.name,
        chip=acc.id,
        precision=precision,
        count=n,
        batch=b,
        input_len=input_len,
        output_len=output_len,
        ttft_ms=float(pt["ttft_s"]) * 1e3,
        tpot_ms=float(pt["tpot_s"]) * 1e3,
        tokens_per_s_per_chip=float(pt["tokens_per_s_per_chip"]),
        tokens_per_s_per_replica=replica_tps,
        tokens_per_s_per_server=float(pt["tokens_per_s_per_chip"]) * per_server,
        memory_gb_per_device=float(pt["memory_bytes_per_device"]) / 1e9,
        max_batch=bmax,
        bound="compute" if bool(dec["bound"]) else "memory-bandwidth",
        demand_tokens_per_s=demand,
        replicas=replicas,
        chips_needed=int(chips),
        servers_needed=chips / per_server,
        utilization=load,
        facility_kw=facility_w / 1e3,
        energy_kwh_per_million_tokens=energy_kwh,
        electricity_per_million_tokens=electricity,
        hardware_per_million_tokens=hardware,
        cost_per_million_tokens=None if hardware is None else electricity + hardware,
        currency=ccy,
        pue=pue_v,
        price_kwh=price,
        site=site_obj.id if site_obj is not None else None,
        hardware_cost_basis=basis,
        breakdown_ms={
            "step_ms": float(dec["step_s"]) * 1e3,
            "compute_ms": float(dec["compute_s"]) * 1e3,
            "memory_ms": float(dec["memory_s"]) * 1e3,
            "comm_ms": float(dec["comm_s"]) * 1e3,
            "overhead_ms": float(dec["overhead_s"]) * 1e3,
            "prefill_ms": float(pt["prefill_s"]) * 1e3,
        },
        targets={"ttft_ms": ttft_ms, "tpot_ms": tpot_ms},
        sources={
            "electricity": None if site_obj is not None or price_kwh is not None else ELECTRICITY_SOURCE.as_dict(),
            "efficiencies": {k: v.as_dict() for k, v in (S.SERVING_DEFAULTS.sources or {}).items()},
            "power_utilization": SERVING_POWER_UTILIZATION.as_dict(),
        },
    )


def compare(model, chips=None, *, catalog=None, **options) -> list[dict[str, Any]]:
    """:func:`serve` on every chip (default: the whole catalog), side by side, cheapest first.

    A chip that cannot serve (no peak at that precision, model too large, targets not met) gets a
    row with ``error`` set to the reason instead of numbers. ``chips`` are ids or accelerator specs.
    """
    if chips is not None and (isinstance(chips, str) or not isinstance(chips, (list, tuple))):
        raise InputError(f"chips must be a list of chip ids or accelerators, got {chips!r}")
    cat = _catalog(catalog)
    chips = list(chips) if chips is not None else sorted(cat.accelerators)
    rows = []
    for chip in chips:
        try:
            rows.append(serve(model, chip, catalog=cat, **options).as_dict() | {"error": None})
        except SuanliError as err:
            rows.append({"chip": chip if isinstance(chip, str) else chip.id, "error": str(err)})
    ok = [r for r in rows if r["error"] is None]
    bad = [r for r in rows if r["error"] is not None]
    ok.sort(key=lambda r: (r["cost_per_million_tokens"] is None, r["cost_per_million_tokens"] or 0.0))
    return ok + bad


def replace(model, reference: str, candidates, *, catalog=None, **options) -> list[dict[str, Any]]:
    """How many of each candidate chip serve what ``reference`` ("chip-id:N") serves, at the same targets.

    The reference fleet's capacity (N chips of its replica at the chosen batch) is the demand the
    candidates must meet; the answer is each candidate's ``chips_needed`` and the ratio to N.
    """
    if not isinstance(reference, str) or ":" not in reference:
        raise InputError(f"reference must be 'chip-id:N', got {reference!r}")
    ref_id, _, count_text = reference.rpartition(":")
    try:
        ref_n = int(count_text)
    except ValueError:
        raise InputError(f"reference count must be a whole number, got {count_text!r}") from None
    require_whole("reference count", ref_n, 1)
    options = {k: v for k, v in options.items() if k not in ("demand_tokens_per_day", "qps")}
    cat = _catalog(catalog)
    ref = serve(model, ref_id, catalog=cat, **options)
    capacity_per_day = ref.tokens_per_s_per_chip * ref_n * SECONDS_PER_DAY
    rows = [
        {
            "chip": ref.chip,
            "role": "reference",
            "chips_needed": ref_n,
            "per_reference_chip": 1.0,
            "tokens_per_s_per_chip": ref.tokens_per_s_per_chip,
            "tpot_ms": ref.tpot_ms,
            "ttft_ms": ref.ttft_ms,
            "count": ref.count,
            "batch": ref.batch,
            "error": None,
        }
    ]
    for cid in candidates:
        try:
            r = serve(model, cid, catalog=cat, demand_tokens_per_day=capacity_per_day, **options)
            rows.append(
                {
                    "chip": r.chip,
                    "role": "candidate",
                    "chips_needed": r.chips_needed,
                    "per_reference_chip": r.chips_needed / ref_n,
                    "tokens_per_s_per_chip": r.tokens_per_s_per_chip,
                    "tpot_ms": r.tpot_ms,
                    "ttft_ms": r.ttft_ms,
                    "count": r.count,
                    "batch": r.batch,
                    "error": None,
                }
            )
        except SuanliError as err:
            rows.append({"chip": cid, "role": "candidate", "error": str(err)})
    return rows
