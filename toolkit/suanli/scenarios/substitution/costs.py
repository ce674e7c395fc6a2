"""Power, racks and money of fleet sizes (vectorised): what a sized fleet draws, occupies and costs.

References: the power chain of :func:`suanli.models.power.fleet_power` (chip -> server -> facility,
each chip at its own measured draw, :func:`suanli.models.power.chip_utilization`), the cost models
of :mod:`suanli.models.cost` and the one price service :mod:`suanli.prices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from suanli.errors import InputError
from suanli.models import substitution as S
from suanli.scenarios._checks import accelerator as checked_accelerator
from suanli.scenarios._checks import instance
from suanli.scenarios.substitution.inputs import Options, _catalog, checked_options


@dataclass(frozen=True)
class SiteTerms:
    """PUE, electricity price and their ranges, resolved from the options and the site.

    ``utilization`` is the one the options give for every chip, or None: then each chip runs at its own
    measured draw under load (:func:`fleet_utilization`)."""

    pue: float
    pue_range: tuple[float, float]
    price_kwh: float | None
    price_range: tuple[float, float] | None
    utilization: float | None
    site: str | None


def site_terms(options: Options, catalog=None) -> SiteTerms:
    """Resolve PUE, electricity price (in the options' currency) and utilisation from the options and site.

    The chip ids the options name (``rental_per_hour``, ``supply_units_per_year``) are checked against the
    catalog here too: a mistyped id would otherwise be ignored without a word.
    """
    options = checked_options(options)
    from suanli.models.power import DEFAULTS
    from suanli.scenarios.power import site_price_per_kwh

    cat = _catalog(catalog)
    for mapping in (options.rental_per_hour, options.supply_units_per_year):
        for chip in mapping or {}:
            cat.accelerator(chip)  # InputError with a did-you-mean for an unknown id
    site = cat.site(options.site) if options.site else None
    if options.pue is not None:
        pue, pue_range = float(options.pue), (float(options.pue), float(options.pue))
    elif site is not None:
        pue = float(site.pue_typical)
        pue_range = tuple(site.ranges.get("pue_typical", (pue, pue)))
    else:
        pue, pue_range = DEFAULTS.pue, tuple(DEFAULTS.ranges["pue"])
    if options.price_kwh is not None:
        price, price_range = float(options.price_kwh), (float(options.price_kwh),) * 2
    elif site is not None:
        price, low, high = site_price_per_kwh(site, options.currency)
        price_range = (low, high)
    else:
        price, price_range = None, None
    u = None if options.utilization is None else float(options.utilization)
    return SiteTerms(pue, pue_range, price, price_range, u, site.id if site is not None else None)


def fleet_utilization(acc, terms: SiteTerms) -> float:
    """The utilisation of ``acc`` in the power chain: the options' value if they give one, else the chip's
    own measured draw under training load (:func:`suanli.models.power.chip_utilization`: FlagPerf
    computation-BF16 for A100, Ascend 910B and Iluvatar BI-V150; Latif et al. 2024 for H100; the
    A100-based fallback for chips with no measurement)."""
    acc = checked_accelerator("acc", acc)
    terms = instance("terms", terms, SiteTerms, "SiteTerms (site_terms(options))")
    from suanli.models.power import chip_utilization

    return chip_utilization(acc.id) if terms.utilization is None else terms.utilization


def chip_price(acc, currency: str) -> float | None:
    """The chip's purchase price in ``currency`` at the dated rate, or None when the catalog has none."""
    acc = checked_accelerator("acc", acc)
    from suanli.prices import price_value

    return price_value(acc, currency, "purchase")


def rental_rate(acc, options: Options) -> float | None:
    """Price per accelerator-hour in the options' currency: the user's (``rental_per_hour``), else the
    catalog's list price, else None."""
    acc = checked_accelerator("acc", acc)
    options = checked_options(options)
    from suanli.prices import price_value

    given = (options.rental_per_hour or {}).get(acc.id)
    if given is not None:
        return float(given)
    return price_value(acc, options.currency, "rental")


def server_share(acc) -> float:
    """What the rest of the server adds to a chip's price: nothing when the price already is a server
    divided by its chips (``price_basis = "system"``), else the default share
    (:data:`suanli.models.power.DEFAULTS`, DGX H100 system vs GPU bill of materials)."""
    acc = checked_accelerator("acc", acc)
    from suanli.models.power import DEFAULTS

    return 0.0 if getattr(acc, "price_basis", None) == "system" else DEFAULTS.server_capex_fraction


def economics(
    acc, counts, days, options: Options, terms: SiteTerms, *, price=None, pue=None, price_kwh=None, utilization=None
) -> dict[str, Any]:
    """Facility power, energy, racks, floor area, capex and the run's cost of ``counts`` chips for ``days``.

    Vectorised over ``counts``/``days`` and the optional overrides (price per chip, PUE, electricity
    price, utilisation), which the sensitivity analysis swings. ``cost`` is the hardware on the options'
    basis plus the electricity (left out, and said so in ``cost_includes``, when there is no electricity
    price, and for a rental, whose hourly price includes the power); it is None when the hardware cost is unknown (no purchase or rental price), since electricity
    alone would make an unpriced chip look cheap.
    """
    acc = checked_accelerator("acc", acc)
    options = checked_options(options)
    terms = instance("terms", terms, SiteTerms, "SiteTerms (site_terms(options))")
    from suanli.validate import float_array, non_negative

    # inf or NaN days (a size that does not fit, a goal no size meets) are verdicts the rows carry on
    counts, days = float_array("counts (chips)", counts), float_array("days", days)
    if np.any(counts < 0) or np.any(days < 0):
        raise InputError("counts (chips) and days must not be negative")
    price, price_kwh = (
        None if v is None else non_negative(k, v) for k, v in (("price", price), ("price_kwh", price_kwh))
    )
    if pue is not None and non_negative("pue", pue) < 1:
        raise InputError(f"pue must be at least 1, got {pue!r}")
    if utilization is not None:
        from suanli.validate import fraction

        utilization = fraction("utilization", utilization)
    from suanli.models import cost as C
    from suanli.models import power as P

    d = P.DEFAULTS
    n = np.asarray(counts, dtype=float)
    hours = np.asarray(days, dtype=float) * 24.0
    per_server = acc.chips_per_server or d.chips_per_server
    u = fleet_utilization(acc, terms) if utilization is None else utilization
    q = terms.pue if pue is None else pue
    chain = P.fleet_power(acc.tdp_w, n, per_server, u, q, server_rating_w=acc.server_power_w)
    facility_w = np.asarray(chain.facility_w)
    finite_hours = np.where(np.isfinite(hours), hours, 0.0)
    energy = np.where(np.isfinite(hours), np.asarray(P.energy_mwh(facility_w, finite_hours)), np.nan)
    rated = P.rated_server_power_w(acc.tdp_w, per_server, acc.server_power_w)
    racks = S.rack_layout(n, per_server, rated, rack_power_kw=options.rack_power_kw)
    p = chip_price(acc, options.currency) if price is None else price
    kwh = terms.price_kwh if price_kwh is None else price_kwh
    included = []
    electricity = None
    if kwh is not None:
        electricity = np.asarray(C.electricity_cost(np.nan_to_num(energy, nan=0.0), kwh)) * np.where(
            np.isfinite(energy), 1.0, np.nan
        )
        included.append("electricity")
    share = server_share(acc)
    capex = None if p is None else np.asarray(C.accelerator_capex(p, n, share))
    hardware = None
    if options.cost_basis == "capex":
        hardware = capex
    elif options.cost_basis == "amortised" and p is not None:
        hardware = np.asarray(
            C.owned_hardware_cost(
                p,
                n,
                finite_hours,
                cost_of_capital=d.cost_of_capital if options.cost_of_capital is None else options.cost_of_capital,
                lifetime_years=d.lifetime_years if options.lifetime_years is None else options.lifetime_years,
                server_capex_fraction=share,
            )
        ) * np.where(np.isfinite(hours), 1.0, np.nan)
    elif options.cost_basis == "rental":
        rate = rental_rate(acc, options)
        if rate is not None:
            hardware = np.asarray(C.rental_cost(rate, n, finite_hours)) * np.where(np.isfinite(hours), 1.0, np.nan)
    if options.cost_basis == "rental":
        # a rental price per accelerator-hour includes the power (the provider pays the meter)
        electricity, included = None, []
    if hardware is not None:
        included.insert(
            0,
            {"capex": "hardware (purchase)", "amortised": "hardware (amortised)", "rental": "rental (power included)"}[
                options.cost_basis
            ],
        )
    # Electricity alone is not a cost to compare fleets by: without the hardware the cost is unknown.
    cost = None if hardware is None else (hardware if electricity is None else hardware + electricity)
    return {
        "facility_mw": facility_w / 1e6,
        "it_mw": np.asarray(chain.it_w) / 1e6,
        "energy_mwh": energy,
        "capex": capex,
        "hardware_cost": hardware,
        "electricity_cost": electricity,
        "cost": cost,
        "cost_includes": included,
        "unit_price": p,
        **{k: racks[k] for k in ("servers", "racks", "floor_m2", "servers_per_rack")},
    }


def chip_price_range(acc, currency: str) -> tuple[float, float]:
    """The chip's price range (its own ``ranges`` entry) in ``currency``."""
    acc = checked_accelerator("acc", acc)
    from suanli.prices import chip_price as one_price

    p = one_price(acc, currency)
    if p is None or p.low is None:
        raise InputError(f"{acc.id} has no price range in the catalog")
    return p.low, p.high
