"""Energy, electricity, hardware cost and carbon of running accelerators somewhere, as one dict.

The glue between the catalog (an :class:`~suanli.spec.Accelerator`, a :class:`~suanli.spec.Site`)
and the pure models in :mod:`suanli.models.power`, :mod:`suanli.models.cost` and
:mod:`suanli.models.money`. ``suanli power`` prints it; ``suanli estimate`` calls it with the
engine's hours::

    energy_and_cost({"site": "cn-gansu-qingyang", "currency": "CNY"}, cat.accelerator("nvidia-h100-sxm5-80gb"),
                    count=1024, hours=720)

Options may come as a mapping or as an object with attributes of the same names (the command line's
parsed flags): ``site``, ``pue``, ``price_kwh``, ``currency``, ``gco2_kwh``, ``rental_per_hour``, ``lifetime_years``,
``cost_of_capital``, ``server_capex_fraction``; a missing option takes its default from
:data:`suanli.models.power.DEFAULTS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from suanli.errors import InputError
from suanli.scenarios._checks import accelerator as checked_accelerator
from suanli.scenarios._checks import catalog as checked_catalog
from suanli.scenarios._checks import instance, shown, text

OPTION_NAMES = (
    "site",
    "site_type",
    "pue",
    "price_kwh",
    "currency",
    "gco2_kwh",
    "rental_per_hour",
    "lifetime_years",
    "cost_of_capital",
    "server_capex_fraction",
)
"""The options :func:`energy_and_cost` reads (the attribute names the ``suanli power`` flags create)."""


def _options(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if isinstance(options, (str, bytes, int, float, list, tuple)) or callable(options):
        raise InputError(f"options must be a mapping of option names ({', '.join(OPTION_NAMES)}), got {shown(options)}")
    if isinstance(options, Mapping):
        unknown = set(options) - set(OPTION_NAMES) - {"utilization"}
        if unknown:
            raise InputError(f"unknown option(s) {', '.join(sorted(unknown))}; use {', '.join(OPTION_NAMES)}")
        return {k: options.get(k) for k in OPTION_NAMES}
    return {k: getattr(options, k, None) for k in OPTION_NAMES}


def _site(site_id: str | None, catalog):
    if site_id is None:
        return None
    if not isinstance(site_id, str) or not site_id.strip():
        raise InputError(f"site must be a site id from `suanli catalog --kind sites`, got {site_id!r}")
    return checked_catalog(catalog).site(site_id)


def _site_spec(site):
    from suanli.spec import Site

    return instance("site", site, Site, "a site from the catalog (catalog.site(id))")


def _site_specs(sites) -> list:
    if isinstance(sites, (str, bytes)) or not hasattr(sites, "__iter__"):
        raise InputError(f"sites must be a list of sites from the catalog (catalog.site(id)), got {shown(sites)}")
    return [_site_spec(site) for site in sites]


def site_price_per_kwh(site, currency: str):
    """A site's electricity price (central, low, high) per kWh in ``currency`` at the dated rate."""
    from suanli.models.money import convert

    site = _site_spec(site)
    field = "electricity_cny_kwh" if site.electricity_cny_kwh is not None else "electricity_usd_kwh"
    published = "CNY" if field == "electricity_cny_kwh" else "USD"
    value = getattr(site, field)
    low, high = site.ranges.get(field, (value, value))
    return tuple(convert(v, published, currency) for v in (value, low, high))


def site_currency(site) -> str:
    """The currency a site's electricity price was published in."""
    site = _site_spec(site)
    return "CNY" if site.electricity_cny_kwh is not None else "USD"


def energy_and_cost(
    options: Any, accelerator, count, hours, utilization=None, *, tokens=None, catalog=None
) -> dict[str, Any]:
    """Power, energy, electricity, hardware cost, total and carbon of ``count`` x ``accelerator`` for ``hours``.

    Returns a dict with ``it_power_kw``, ``facility_power_kw``, ``energy_mwh``, ``electricity_cost``,
    ``hardware_cost`` (capex amortised with a cost of capital, or rental when ``rental_per_hour`` is
    given), ``total_cost``, ``currency``, ``co2_t``, the power ``waterfall`` in kW, the inputs used
    (``pue``, ``price_kwh``, ``grid_gco2_kwh``, ``utilization``, ``site``), ``electricity_cost_range``
    when the site's price or PUE is a range, ``cost_per_million_tokens`` when ``tokens`` is given,
    and ``exchange_rate`` when a conversion was made. Costs that cannot be computed (no price) are
    ``None``; ``total_cost_includes`` says what the total adds up.

    Raises :class:`~suanli.errors.InputError` for a bad input (negative hours, PUE < 1, unknown
    site or currency).
    """
    from suanli.models import cost as C
    from suanli.models import power as P
    from suanli.models.money import CNY_PER_USD, check_currency

    opts = _options(options)
    d = P.DEFAULTS
    from suanli.validate import fraction, non_negative, positive, whole

    accelerator = checked_accelerator("accelerator", accelerator)
    n = float(whole("count (accelerators)", count))
    h = non_negative("hours", hours)
    if h == 0:
        raise InputError(f"hours must be a positive number, got {hours!r}")
    if tokens is not None:
        tokens = positive("tokens", tokens)
    if utilization is None:
        utilization = _utilization_option(options)
    # the chip's measured draw under load when nothing is given (FlagPerf, Latif et al.; else the A100 fallback)
    u = P.chip_utilization(accelerator.id) if utilization is None else fraction("utilization", utilization)

    site = _site(opts["site"], catalog)
    currency = check_currency(opts["currency"] or (site_currency(site) if site else "USD"))
    converted = False

    if opts["pue"] is not None:
        pue, pue_range = float(P.check_pue(opts["pue"])), None
    elif site is not None:
        pue, pue_range = site.pue_typical, site.ranges.get("pue_typical")
    else:
        pue, pue_range = P.pue_for_site_type(opts["site_type"] or "hyperscale"), None

    price_range = None
    if opts["price_kwh"] is not None:
        price = float(P._non_negative("price_kwh", opts["price_kwh"]))
    elif site is not None:
        price, low, high = site_price_per_kwh(site, currency)
        price_range = (low, high) if low != high else None
        converted = site_currency(site) != currency
    else:
        price = None

    if opts["gco2_kwh"] is not None:
        grid = float(P._non_negative("gco2_kwh", opts["gco2_kwh"]))
    else:
        grid = site.grid_gco2_kwh if site is not None else None

    per_server = accelerator.chips_per_server or d.chips_per_server
    chain = P.fleet_power(accelerator.tdp_w, n, per_server, u, pue, server_rating_w=accelerator.server_power_w)
    energy = P.energy_mwh(chain.facility_w, h)
    electricity = C.electricity_cost(energy, price) if price is not None else None

    from suanli.prices import chip_price as one_price

    hardware, basis, price_used = None, None, None
    if opts["rental_per_hour"] is not None:
        hardware, basis = C.rental_cost(opts["rental_per_hour"], n, h), "rental"
    else:
        price_used = one_price(accelerator, currency, "purchase")
        if price_used is not None:
            converted = converted or price_used.converted
            server_share = opts["server_capex_fraction"]
            if server_share is None:
                # A price that already is a server share (DGX / 8) must not pay for the server twice.
                server_share = 0.0 if accelerator.price_basis == "system" else d.server_capex_fraction
            hardware = C.owned_hardware_cost(
                price_used.value,
                n,
                h,
                cost_of_capital=d.cost_of_capital if opts["cost_of_capital"] is None else opts["cost_of_capital"],
                lifetime_years=d.lifetime_years if opts["lifetime_years"] is None else opts["lifetime_years"],
                server_capex_fraction=server_share,
            )
            basis = f"capex amortised (chip price x {1 + server_share:.2f} for the server)"
        else:
            price_used = one_price(accelerator, currency, "rental")
            if price_used is not None:  # cloud-only parts (TPUs) are rented, never bought
                converted = converted or price_used.converted
                hardware = C.rental_cost(price_used.value, n, h)
                basis = "rental at the catalog's list price per accelerator-hour"

    parts = {"electricity": electricity, "hardware": hardware}
    included = [k for k, v in parts.items() if v is not None]
    total = sum(parts[k] for k in included) if included else None

    out: dict[str, Any] = {
        "accelerator": accelerator.id,
        "count": int(n),
        "hours": h,
        "utilization": u,
        "chip_load": P.chip_load(accelerator.id).as_dict() if utilization is None else None,
        "site": site.id if site is not None else None,
        "pue": pue,
        "price_kwh": price,
        "currency": currency,
        "grid_gco2_kwh": grid,
        "it_power_kw": chain.it_w / 1e3,
        "facility_power_kw": chain.facility_w / 1e3,
        "energy_mwh": energy,
        "electricity_cost": electricity,
        "hardware_cost": hardware,
        "hardware_cost_basis": basis,
        "chip_price": None if price_used is None else price_used.as_dict(),
        "total_cost": total,
        "total_cost_includes": included,
        "co2_t": P.co2_t(energy, grid) if grid is not None else None,
        "waterfall_kw": chain.as_dict(),
    }
    if electricity is not None and (price_range or pue_range):
        p_lo, p_hi = price_range or (price, price)
        q_lo, q_hi = pue_range or (pue, pue)
        # the energy at each end's PUE times that end's price (a price of 0 is allowed: no ratio to it)
        out["electricity_cost_range"] = [
            C.electricity_cost(energy * q / pue, p) for p, q in ((p_lo, q_lo), (p_hi, q_hi))
        ]
    if tokens is not None and total is not None:
        out["cost_per_million_tokens"] = C.cost_per_million_tokens(total, tokens)
    if converted:
        out["exchange_rate"] = CNY_PER_USD.as_dict()
    return out


def wants_energy(options: Any) -> bool:
    """True when the options name anything but the currency: a site, a price, a PUE, a grid intensity,
    a utilisation or a hardware-cost term (``suanli estimate`` then adds energy and cost, which also
    checks those values: an option given is never ignored)."""
    opts = _options(options)
    return _utilization_option(options) is not None or any(
        opts.get(k) is not None for k in OPTION_NAMES if k != "currency"
    )


def for_estimate(options: Any, est, *, utilization=None, catalog=None) -> dict[str, Any]:
    """:func:`energy_and_cost` of an engine :class:`~suanli.scenarios.training.Estimate`: its chip, count, train days and tokens.

    ``suanli estimate`` calls this after the engine when :func:`wants_energy` is true and merges the
    result (``energy_mwh``, ``electricity_cost``, ``total_cost``, ``currency``, ``co2_t`` ...) into its output.
    """
    missing = [k for k in ("chip", "count", "train_days", "tokens") if not hasattr(est, k)]
    if missing:
        raise InputError(f"est must be an Estimate (suanli.estimate(...)), got {shown(est)}")
    chip = est.chip
    if isinstance(chip, str):
        chip = checked_catalog(catalog).accelerator(chip)
    opts = {k: v for k, v in _options(options).items() if v is not None}
    return energy_and_cost(
        opts,
        chip,
        est.count,
        est.train_days * 24.0,
        utilization if utilization is not None else _utilization_option(options),
        tokens=est.tokens,
        catalog=catalog,
    )


def _utilization_option(options: Any):
    if options is None:
        return None
    return options.get("utilization") if isinstance(options, Mapping) else getattr(options, "utilization", None)


# --------------------------------------------------------------------------------------------
# Sites side by side (the notebook's table, chart and siting answer)
# --------------------------------------------------------------------------------------------

CENTRES = ("beijing", "shanghai", "guangzhou")
"""The demand centres the site table shows latency to."""


def site_records(sites, currency: str = "CNY") -> list[dict[str, Any]]:
    """One row per site: price per kWh in ``currency`` (with its range), PUE, grid intensity, latencies.

    ``price_per_it_kwh`` is price x typical PUE: what one kWh delivered to the IT load costs. ``price_date``,
    ``pue_target_date`` and ``grid_date`` give the date of each figure's source.
    """
    from suanli.models.money import check_currency

    currency = check_currency(currency)
    rows = []
    for site in _site_specs(sites):
        price, low, high = site_price_per_kwh(site, currency)
        pue_lo, pue_hi = site.ranges.get("pue_typical", (site.pue_typical, site.pue_typical))
        field = "electricity_cny_kwh" if site.electricity_cny_kwh is not None else "electricity_usd_kwh"
        row = {
            "site": site.id,
            "hub": site.hub or site.region or site.country,
            f"price_{currency.lower()}_kwh": price,
            "price_low": low,
            "price_high": high,
            "price_confidence": site.sources[field].confidence,
            "pue_typical": site.pue_typical,
            "pue_low": pue_lo,
            "pue_high": pue_hi,
            "pue_target": site.pue_target,
            "grid_gco2_kwh": site.grid_gco2_kwh,
            "price_per_it_kwh": price * site.pue_typical,
        }
        for centre in CENTRES:
            row[f"latency_{centre}_ms"] = site.latency_ms.get(centre)
        # the date of each figure, from its source ("undated" when the source gives none)
        for key, fld in (("price", field), ("pue_target", "pue_target"), ("grid", "grid_gco2_kwh")):
            src = site.sources.get(fld)
            row[f"{key}_date"] = (src.date or "undated") if src is not None else None
        rows.append(row)
    return rows


def cost_by_site(
    accelerator, count, hours, sites, currency: str = "CNY", utilization=None, *, tokens=None
) -> list[dict[str, Any]]:
    """:func:`energy_and_cost` of one run at each site, in one currency, cheapest total first."""
    rows = []
    for site in _site_specs(sites):
        r = energy_and_cost(
            {"site": site.id, "currency": currency},
            accelerator,
            count,
            hours,
            utilization,
            tokens=tokens,
            catalog=_OneSite(site),
        )
        rows.append(
            {
                "site": site.id,
                "energy_mwh": r["energy_mwh"],
                "electricity_cost": r["electricity_cost"],
                "electricity_low": (r.get("electricity_cost_range") or [r["electricity_cost"]] * 2)[0],
                "electricity_high": (r.get("electricity_cost_range") or [r["electricity_cost"]] * 2)[1],
                "hardware_cost": r["hardware_cost"],
                "total_cost": r["total_cost"],
                "co2_t": r["co2_t"],
                **({"cost_per_million_tokens": r["cost_per_million_tokens"]} if "cost_per_million_tokens" in r else {}),
            }
        )
    return sorted(rows, key=lambda row: row["total_cost"] if row["total_cost"] is not None else math.inf)


def cheapest_site(sites, centre: str, max_latency_ms: float, currency: str = "CNY") -> dict[str, Any]:
    """The site with the lowest cost per IT kWh (price x typical PUE) within ``max_latency_ms`` of ``centre``.

    Sites without a latency figure to ``centre`` never qualify. Raises :class:`InputError` when none does.
    """
    from suanli.models.power import cheapest_site_within_latency

    sites = _site_specs(sites)
    text("centre", centre)
    known = {c for s in sites for c in s.latency_ms}
    if centre not in known:
        raise InputError(f"no site gives a latency to {centre!r}; known demand centres: {', '.join(sorted(known))}")
    rows = site_records(sites, currency)
    best = cheapest_site_within_latency(
        [r["price_per_it_kwh"] for r in rows],
        [s.latency_ms.get(centre, math.nan) for s in sites],
        max_latency_ms,
    )
    return {
        **rows[best],
        "centre": centre,
        "max_latency_ms": max_latency_ms,
        "latency_ms": sites[best].latency_ms[centre],
    }


class _OneSite:
    """A stand-in catalog that knows one site (so cost_by_site needs no catalog lookup)."""

    def __init__(self, site):
        self._site = site

    def site(self, site_id: str):
        return self._site


# --------------------------------------------------------------------------------------------
# Calibration of the power chain against published measured energies
# --------------------------------------------------------------------------------------------

FLAGPERF_DGX_A100 = {"system_w": 3354.0, "card_w": 338.0, "cards": 8, "rated_w": 6500.0, "tdp_w": 400.0}
"""FlagPerf DGX A100 BF16 GEMM (measured system and per-card averages) and the DGX A100 rating."""


def measured_energy_rows() -> list[dict[str, Any]]:
    """The bundled published energies (``suanli/data/measured_energy.csv``), numbers parsed."""
    import csv
    from importlib import resources

    with resources.files("suanli.data").joinpath("measured_energy.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        for k in ("count", "hours", "pue", "energy_mwh", "system_w_per_accelerator"):
            r[k] = float(r[k]) if r[k] else None
    return rows


def _host_fraction_for(row, acc, d) -> float:
    """The host draw fraction that makes the chain reproduce a metered row's system power per accelerator."""
    from suanli.models import power as P

    per_server = acc.chips_per_server or d.chips_per_server
    rated = float(P.rated_server_power_w(acc.tdp_w, per_server, acc.server_power_w))
    chip = float(P.accelerator_power_w(acc.tdp_w, P.chip_utilization(acc.id)))
    network = 0.0 if row["kind"] == "measured-node" else d.network_storage_fraction
    server_target = row["energy_mwh"] * 1e6 / (row["pue"] * row["hours"] * row["count"]) / (1 + network)
    return (server_target - chip) * per_server / (rated - acc.tdp_w * per_server)


def _flagperf_host_fraction() -> float:
    f = FLAGPERF_DGX_A100
    return (f["system_w"] - f["cards"] * f["card_w"]) / (f["rated_w"] - f["cards"] * f["tdp_w"])


def measured_energy_fit(catalog=None) -> dict[str, Any]:
    """The chain against every bundled measured energy, and the leave-one-out fit of the host draw.

    The one calibrated parameter is the host draw fraction ``h`` of
    :func:`suanli.models.power.server_power_w`, fitted by least squares on the relative errors of every
    metered point the catalog can model: FlagPerf's DGX A100 (system and card power measured together),
    GPT-3's training energy (Patterson et al. 2021 Table 4) and two measured 8 x H100 node powers
    (Latif et al. 2025; an MLPerf Training v4.0 power result). Leave-one-out refits without each point
    and predicts it. ``points`` gives the ``h`` each point alone would need: they disagree (V100-era
    ~0.06, A100 GEMM ~0.2, H100 LLM training ~0.5-0.66) because H100s in training draw closer to their
    TDP than the A100 GEMM the chip default comes from, so one parameter leaves misses of either sign,
    which the result reports. Rows the catalog cannot model (TPU v3) are listed with the reason; BLOOM's
    and Llama 2's published figures are TDP x GPU-hours, so they are compared with the chain's
    accelerator energy only.

    Returns ``{"host_draw_fraction_fit", "host_draw_fraction_default", "points", "errors", "loo", "rows"}``:
    ``errors`` are the fitted chain's relative errors per point, ``rows`` one dict per bundled energy
    with ``model_mwh`` and ``error`` (model / published - 1) where modelled.
    """
    from scipy.optimize import minimize_scalar

    from suanli.models import power as P

    catalog = checked_catalog(catalog)
    d = P.DEFAULTS
    rows = measured_energy_rows()
    metered = [r for r in rows if r["modelled"] == "yes" and r["kind"] in ("measured", "measured-node")]
    points = {"flagperf-dgx-a100": _flagperf_host_fraction()}
    points.update({r["id"]: _host_fraction_for(r, catalog.accelerator(r["chip"]), d) for r in metered})

    def predict(name: str, h: float) -> float:
        """Relative error of the chain for point ``name`` with host fraction ``h``."""
        if name == "flagperf-dgx-a100":
            f = FLAGPERF_DGX_A100
            modelled = f["cards"] * f["card_w"] + (f["rated_w"] - f["cards"] * f["tdp_w"]) * h
            return modelled / f["system_w"] - 1.0
        r = next(x for x in rows if x["id"] == name)
        return _row_model_mwh(r, catalog.accelerator(r["chip"]), h) / r["energy_mwh"] - 1.0

    def least_squares(names) -> float:
        res = minimize_scalar(
            lambda h: sum(predict(n, h) ** 2 for n in names),
            bounds=(0.0, 1.0),
            method="bounded",
            options={"xatol": 1e-6},
        )
        return float(res.x)

    fit = least_squares(list(points))
    loo = []
    for name in points:
        h = least_squares([n for n in points if n != name])
        loo.append({"point": name, "host_draw_fraction_from_others": h, "error": predict(name, h)})
    out_rows = []
    for r in rows:
        row = {
            k: r[k] for k in ("id", "model", "chip", "count", "hours", "pue", "energy_mwh", "kind", "source", "note")
        }
        if r["modelled"] == "yes":
            row["model_mwh"] = _row_model_mwh(r, catalog.accelerator(r["chip"]), d.host_draw_fraction)
        elif r["modelled"] == "chips-only":
            acc = catalog.accelerator(r["chip"])
            row["model_mwh"] = float(
                P.energy_mwh(P.accelerator_power_w(acc.tdp_w, P.chip_utilization(acc.id)) * r["count"], r["hours"])
            )
        else:
            row["model_mwh"] = None
        row["error"] = None if row["model_mwh"] is None else row["model_mwh"] / r["energy_mwh"] - 1.0
        out_rows.append(row)
    chip_loads = {r["id"]: P.chip_load(r["chip"]).fraction for r in rows if r["modelled"] in ("yes", "chips-only")}
    return {
        "host_draw_fraction_fit": fit,
        "host_draw_fraction_default": d.host_draw_fraction,
        "points": points,
        "chip_load": {"flagperf-dgx-a100": FLAGPERF_DGX_A100["card_w"] / FLAGPERF_DGX_A100["tdp_w"], **chip_loads},
        "errors": {name: predict(name, d.host_draw_fraction) for name in points},
        "loo": loo,
        "rows": out_rows,
    }


def _row_model_mwh(row, acc, host_draw_fraction) -> float:
    from suanli.models import power as P

    per_server = acc.chips_per_server or P.DEFAULTS.chips_per_server
    network = 0.0 if row["kind"] == "measured-node" else P.DEFAULTS.network_storage_fraction
    chain = P.fleet_power(
        acc.tdp_w,
        row["count"],
        per_server,
        P.chip_utilization(acc.id),
        pue=row["pue"],
        server_rating_w=acc.server_power_w,
        host_draw_fraction=host_draw_fraction,
        network_storage_fraction=network,
    )
    return float(P.energy_mwh(chain.facility_w, row["hours"]))
