"""Can the fleet be had at all: supply in the procurement window, the largest fabric, export rules,
and the inputs a row could not check. :func:`suanli.models.substitution.feasibility` turns them into
a verdict with reasons."""

from __future__ import annotations

from suanli.errors import InputError, shown
from suanli.models import substitution as S
from suanli.scenarios._checks import BOOLEAN, mapping
from suanli.scenarios._checks import accelerator as checked_accelerator
from suanli.scenarios._checks import catalog as checked_catalog
from suanli.scenarios.substitution.inputs import Options, checked_options
from suanli.validate import non_negative, positive

SMALL_SCALEUP_DOMAIN = 8
"""Below this many chips per scale-up domain (an 8-GPU NVLink/HCCS node), a row says the domain limits TP."""


def supply(acc, options: Options, window_days: float) -> tuple[float | None, float | None]:
    """The chip's yearly supply (the options' figure, else the catalog's) and the units available in
    ``window_days`` (:func:`suanli.models.substitution.supply_available`); (None, None) when unknown."""
    acc = checked_accelerator("acc", acc)
    options = checked_options(options)
    window_days = positive("window_days", window_days)
    units = (options.supply_units_per_year or {}).get(acc.id, acc.supply_units_per_year)
    if units is None:
        return None, None
    return float(units), float(S.supply_available(units, window_days, options.supply_share, options.yield_fraction))


def max_fabric_chips(acc, options: Options, catalog) -> float:
    """The most chips one fabric joins: the scale-out link's own ``max_domain`` where the catalog gives one,
    else a fat tree of the options' switch radix and tiers (:func:`suanli.models.substitution.fat_tree_max_endpoints`)."""
    acc = checked_accelerator("acc", acc)
    options = checked_options(options)
    catalog = checked_catalog(catalog)
    link = catalog.links.get(acc.scaleout_link) if acc.scaleout_link else None
    if link is not None and getattr(link, "max_domain", None):
        return float(link.max_domain)
    return float(S.fat_tree_max_endpoints(options.switch_radix, options.fabric_tiers))


def export_reason(acc, options: Options) -> tuple[str | None, dict | None]:
    """Why the options' export rule blocks the chip (None when it does not) and its classification
    (:func:`suanli.models.export.classify_accelerator`, :func:`suanli.models.substitution.export_blocked`)."""
    acc = checked_accelerator("acc", acc)
    options = checked_options(options)
    try:
        from suanli.models.export import classify_accelerator
    except ImportError:  # the export model is optional for this module
        return None, None
    classification = classify_accelerator(acc)
    return S.export_blocked(classification, acc.id, options.export_rule), classification


def no_fit_reason(curve) -> str | None:
    """The engine's own words when no size of a :class:`~suanli.scenarios.substitution.sizing.FleetCurve`
    fits and it was not about memory (e.g. a missing FP8 peak)."""
    # duck-typed: importing FleetCurve from sizing here would make the two modules import each other
    if not all(hasattr(curve, k) for k in ("fits", "failure", "chip", "counts")):
        raise InputError(f"curve must be a FleetCurve (substitution.fleet_curve(...)), got {shown(curve)}")
    if curve.fits.any() or not curve.failure or "memory" in curve.failure:
        return None
    return f"the engine cannot run it on {curve.chip}: {curve.failure}"


def unchecked(
    acc, options: Options, econ, price_kwh: float | None, supply_units: float | None, fits: bool
) -> list[str]:
    """What a row could not check or leaves out, one sentence each: no purchase or rental price, no
    electricity price (``price_kwh`` None), no supply figure, a scale-up domain too small for tensor
    parallelism (when the model ``fits`` at some size). ``econ`` is the row's
    :func:`~suanli.scenarios.substitution.costs.economics`."""
    acc = checked_accelerator("acc", acc)
    options = checked_options(options)
    mapping("econ", econ, ("unit_price", "hardware_cost"))
    if price_kwh is not None:
        non_negative("price_kwh", price_kwh)
    if supply_units is not None:
        non_negative("supply_units", supply_units)
    BOOLEAN("fits", fits)
    unknowns = []
    if econ["unit_price"] is None:
        unknowns.append(f"no purchase price for {acc.id} in the catalog: capex and cost unknown")
    if options.cost_basis == "rental" and econ["hardware_cost"] is None:
        unknowns.append(f"no rental price for {acc.id} (give one with rental_per_hour / --rental)")
    if price_kwh is None and options.cost_basis != "rental":
        unknowns.append("no electricity price (give a site or price_kwh): cost excludes electricity")
    if supply_units is None:
        unknowns.append(f"no supply figure for {acc.id}: supply not checked")
    domain = acc.scaleup_domain or 1
    if domain < SMALL_SCALEUP_DOMAIN and fits:
        unknowns.append(
            f"a scale-up domain of {domain} chip{'s' if domain > 1 else ''}: tensor parallelism stays inside it, "
            "so the run leans on pipeline and data parallelism over the scale-out network"
        )
    return unknowns
