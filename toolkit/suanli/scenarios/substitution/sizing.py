"""How many chips of a candidate meet the goal, and the substitution table against a reference fleet.

The glue between the catalog, the training-time engine (:func:`suanli.scenarios.training.estimate`), the
CUDA-compat model (:mod:`suanli.models.compat`), power and cost (:mod:`suanli.models.power`,
:mod:`suanli.models.cost`, :mod:`suanli.models.money`), export classification
(:mod:`suanli.models.export`) and the pure substitution models (:mod:`suanli.models.substitution`).

How a candidate is sized. Each chip's training time is evaluated by the engine on a grid of fleet
sizes (whole servers times 2^a 3^b 5^c, about 10% apart, so that every size factors into TP x PP x DP)
carries the chip's software-stack slowdown: the engine takes it from the compat model (its Amdahl sum
over the operation classes, library efficiencies included) and applies it once; the compat model's
best and worst cases widen it here into a range, without applying it again. That curve
is cached per chip and model: the dashboard moves its sliders over it without calling the engine. The
fewest chips that meet the deadline are found on the grid and, with ``refine=True`` (the CLI), narrowed
by bisection over the sizes between two grid points.

With no deadline and no budget, the deadline is the reference fleet's own time (equal time). With a
budget, the fleet is the fastest one the budget pays for.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suanli.catalog import CatalogCache
from suanli.errors import InputError
from suanli.models import substitution as S
from suanli.scenarios._checks import accelerator as checked_accelerator
from suanli.scenarios._checks import catalog as checked_catalog
from suanli.scenarios.substitution.costs import SiteTerms, economics, rental_rate, server_share, site_terms
from suanli.scenarios.substitution.feasibility import (
    export_reason,
    max_fabric_chips,
    no_fit_reason,
    supply,
    unchecked,
)
from suanli.scenarios.substitution.inputs import SECONDS_PER_DAY, Goal, Options, _catalog, checked_goal, checked_options
from suanli.validate import positive, whole

GRID_RATIO = 1.1
"""Spacing of the fleet-size grid: consecutive sizes differ by at most ~10%."""
MAX_CHIPS = 131_072
"""The largest fleet the grid evaluates (twice what a three-tier 64-port fat tree joins)."""
CURVE_TOKENS = 1e12
"""Tokens the engine is asked about when building a curve: time is linear in tokens (failures and
checkpoints depend on the fleet, not on the run's length), so a curve is stored per token."""


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def smooth_numbers(limit: int) -> np.ndarray:
    """Every 2^a 3^b 5^c up to ``limit``, sorted (fleet sizes in servers that factor into TP x PP x DP)."""
    limit = whole("limit", limit)
    out, p2 = [], 1
    while p2 <= limit:
        p3 = p2
        while p3 <= limit:
            p5 = p3
            while p5 <= limit:
                out.append(p5)
                p5 *= 5
            p3 *= 3
        p2 *= 2
    return np.array(sorted(out), dtype=np.int64)


def count_grid(granule: int, max_chips: int = MAX_CHIPS, ratio: float = GRID_RATIO) -> np.ndarray:
    """Fleet sizes to evaluate: ``granule`` x smooth numbers, thinned so neighbours differ by <= ``ratio``."""
    granule, max_chips = whole("granule", granule), whole("max_chips", max_chips)
    ratio = positive("ratio", ratio)
    ks = smooth_numbers(max(1, max_chips // granule))
    kept = [int(ks[0])]
    for i in range(1, len(ks)):
        nxt = int(ks[i + 1]) if i + 1 < len(ks) else None
        # keep k when skipping it would open a gap wider than the ratio
        if nxt is None or nxt > kept[-1] * ratio:
            kept.append(int(ks[i]))
    return np.array(kept, dtype=np.int64) * int(granule)


@dataclass(frozen=True)
class FleetCurve:
    """One chip's training time against fleet size, for one workload and precision.

    ``seconds_per_token`` is wall-clock (failures and checkpoints included) times the stack slowdown;
    ``inf`` where nothing fits. ``slowdown`` is the compat model's central factor at each size,
    ``slowdown_best``/``slowdown_worst`` its bounds.
    """

    chip: str
    counts: np.ndarray
    seconds_per_token: np.ndarray
    native_seconds_per_token: np.ndarray
    slowdown: np.ndarray
    slowdown_best: np.ndarray
    slowdown_worst: np.ndarray
    mfu: np.ndarray
    memory_gb: np.ndarray
    layouts: tuple[str, ...]
    granule: int
    porting: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    failure: str = ""
    """Why the engine refused the sizes that do not fit (its first message), for when none fits."""

    def days(self, tokens: float, case: str = "central") -> np.ndarray:
        """Training days at each grid size for ``tokens`` (``case``: central, best or worst stack slowdown)."""
        scale = {
            "central": 1.0,
            "best": self.slowdown_best / self.slowdown,
            "worst": self.slowdown_worst / self.slowdown,
        }[case]
        return self.seconds_per_token * scale * tokens / SECONDS_PER_DAY

    def envelope_days(self, tokens: float, case: str = "central") -> np.ndarray:
        """Days on the best layout using *at most* each grid size (a larger fleet may idle chips): the running
        minimum of :meth:`days`. The raw curve is jagged because sizes factor differently into TP x PP x DP."""
        days = self.days(tokens, case)
        return np.minimum.accumulate(np.where(np.isnan(days), np.inf, days))

    @property
    def fits(self) -> np.ndarray:
        return np.isfinite(self.seconds_per_token)

    @property
    def fastest_index(self) -> int | None:
        if not self.fits.any():
            return None
        return int(np.argmin(self.seconds_per_token))


def _stack_factors(acc, catalog):
    """The whole-step efficiency of a chip's stack against CUDA (best/central/worst), which the engine
    already applies at its central value, the op classes that cannot run as is, and warnings.
    None for native CUDA."""
    from suanli.models import compat

    if not acc.stack or acc.stack == "cuda":
        return None, (), ()
    stack = catalog.stacks.get(acc.stack)
    if stack is None:
        return (
            None,
            (),
            (
                f"software stack {acc.stack!r} of {acc.id} is not in the catalog; no compat slowdown applied (flatters it)",
            ),
        )
    try:
        prof = compat.stack_profile(stack)
        efficiency = compat.stack_step_efficiency(stack)
    except InputError as err:
        return None, (), (f"no compat slowdown for {acc.id}: {err}",)
    unsupported = prof.bounds["unsupported"][2]
    porting = tuple(op for i, op in enumerate(_op_classes()) if unsupported[i] > 0)
    return efficiency, porting, ()


def _op_classes():
    from suanli.spec import OP_CLASSES

    return OP_CLASSES


def _layout_text(layout: Mapping[str, Any]) -> str:
    return f"TP{layout['tp']} PP{layout['pp']} DP{layout['dp']}" + (
        f" EP{layout['ep']}" if layout.get("ep", 1) > 1 else ""
    )


def evaluate_point(
    acc, goal: Goal, count: int, catalog, factors=None, global_batch: int | None = None
) -> dict[str, Any]:
    """The engine at one fleet size, with the stack slowdown: seconds per token (inf if nothing fits), MFU, layout.

    ``global_batch`` (sequences) overrides the workload's batch (a pool of a mixed fleet trains on its share)."""
    acc = checked_accelerator("acc", acc)
    goal = checked_goal(goal)
    catalog = checked_catalog(catalog)
    count = whole("count (chips)", count)
    global_batch = None if global_batch is None else whole("global_batch (sequences)", global_batch)
    from suanli.scenarios import training

    try:
        est = training.estimate(
            goal.workload,
            tokens=CURVE_TOKENS,
            chip=acc,
            count=int(count),
            precision=goal.precision,
            global_batch=global_batch or goal.global_batch,
            catalog=catalog,
            runners_up=0,
        )
    except InputError as err:
        return {
            "fits": False,
            "reason": str(err),
            "seconds_per_token": math.inf,
            "native_seconds_per_token": math.inf,
            "slowdown": 1.0,
            "slowdown_best": 1.0,
            "slowdown_worst": 1.0,
            "mfu": math.nan,
            "memory_gb": math.nan,
            "layout": "",
            "warnings": [],
        }
    # The engine's time already carries the stack's central slowdown (it takes it from the compat
    # model), so it is used as is; the compat bounds only widen it into best and worst cases.
    seconds = est.train_days * SECONDS_PER_DAY / CURVE_TOKENS
    slow = {"central": 1.0, "best": 1.0, "worst": 1.0}
    if factors is not None:
        slow = {case: 1.0 / float(eff) for case, eff in factors.items()}
    return {
        "fits": True,
        "reason": "",
        "seconds_per_token": seconds,
        "native_seconds_per_token": seconds / slow["central"],
        "slowdown": slow["central"],
        "slowdown_best": slow["best"],
        "slowdown_worst": slow["worst"],
        "mfu": est.mfu,
        "memory_gb": est.memory_gb_per_device,
        "layout": _layout_text(est.layout),
        "warnings": list(est.warnings),
    }


_CURVES = CatalogCache(maxsize=512)
"""Fleet curves per catalog object: (chip, engine goal, grid) -> :class:`FleetCurve`."""
_POINTS = CatalogCache(maxsize=4096)
"""Single fleet sizes per catalog object: (chip, engine goal, count, batch) -> :func:`evaluate_point` items."""
__unguarded__ = ("_CURVES", "_POINTS")  # caches: they change in normal use (see suanli.plugin_guard)


def fleet_curve(
    chip: str, goal: Goal, *, catalog=None, max_chips: int = MAX_CHIPS, ratio: float = GRID_RATIO
) -> FleetCurve:
    """The chip's :class:`FleetCurve` for the goal's workload and precision (cached for as long as the
    catalog object lives)."""
    goal = checked_goal(goal)
    cat = _catalog(catalog)
    acc = cat.accelerator(chip)
    max_chips, ratio = whole("max_chips", max_chips), positive("ratio", ratio)
    key = (acc.id, _engine_goal(goal), max_chips, ratio)
    cached = _CURVES.get(cat, key)
    if cached is not None:
        return cached
    from suanli.models.power import DEFAULTS

    granule = int(acc.chips_per_server or DEFAULTS.chips_per_server)
    factors, porting, warns = _stack_factors(acc, cat)
    counts = count_grid(granule, max_chips, ratio)
    goal = _engine_goal(goal)  # the batch every fleet trains at (see _engine_goal)
    points = []
    misses_after_best = 0
    best = math.inf
    for c in counts:
        p = evaluate_point(acc, goal, int(c), cat, factors)
        points.append(p)
        if p["seconds_per_token"] < best:
            best, misses_after_best = p["seconds_per_token"], 0
        elif math.isfinite(best):
            misses_after_best += 1
        # past the fastest size by a factor of 8 with no improvement: the rest only gets slower
        if (
            math.isfinite(best)
            and misses_after_best >= 12
            and c >= 8 * counts[int(np.argmin([q["seconds_per_token"] for q in points]))]
        ):
            break
    n = len(points)

    def col(k):
        return np.array([p[k] for p in points], dtype=float)

    warnings = list(warns)
    for p in points:
        for w in p["warnings"]:
            if w not in warnings and not w.startswith("global batch rounded"):
                warnings.append(w)
    curve = FleetCurve(
        chip=acc.id,
        counts=counts[:n].astype(float),
        seconds_per_token=col("seconds_per_token"),
        native_seconds_per_token=col("native_seconds_per_token"),
        slowdown=col("slowdown"),
        slowdown_best=col("slowdown_best"),
        slowdown_worst=col("slowdown_worst"),
        mfu=col("mfu"),
        memory_gb=col("memory_gb"),
        layouts=tuple(p["layout"] for p in points),
        granule=granule,
        porting=porting,
        warnings=tuple(warnings),
        failure=next((p["reason"] for p in points if p["reason"]), ""),
    )
    return _CURVES.put(cat, key, curve)


def clear_cache() -> None:
    """Forget every cached curve and point (after changing a catalog in place)."""
    _CURVES.clear()
    _POINTS.clear()


def point(chip: str, goal: Goal, count: int, *, catalog=None, global_batch: int | None = None) -> dict[str, Any]:
    """:func:`evaluate_point` for a chip id, cached per catalog object (the reference fleet and the refined answers)."""
    goal = checked_goal(goal)
    count = whole("count (chips)", count)
    global_batch = None if global_batch is None else whole("global_batch (sequences)", global_batch)
    cat = _catalog(catalog)
    key = (chip, _engine_goal(goal), count, global_batch)
    items = _POINTS.get(cat, key)
    if items is None:
        acc = cat.accelerator(chip)
        factors, _, _ = _stack_factors(acc, cat)
        p = evaluate_point(acc, key[1], key[2], cat, factors, key[3])
        items = _POINTS.put(cat, key, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in p.items())))
    return dict(items)


def _engine_goal(goal: Goal) -> Goal:
    """The part of a goal the engine sees (workload, precision, batch): the key of the caches, so that
    moving the tokens, deadline or budget never re-runs the engine.

    With no batch given (and no published batch in the preset), every fleet trains at the critical batch
    of the goal (:func:`suanli.models.workload.critical_batch_tokens`): at equal time a larger fleet may
    grow the batch up to that bound and no further, so a fleet that would need more data parallelism
    does not fit and the fastest feasible fleet is reported instead."""
    batch = goal.global_batch
    if batch is None and not getattr(goal.workload, "global_batch", None):
        from suanli.models.workload import _round_batch, critical_batch_tokens

        w = goal.workload
        batch = _round_batch(float(critical_batch_tokens(w.active_params, goal.tokens)) / w.seq)
    return Goal(workload=goal.workload, tokens=1.0, precision=goal.precision, global_batch=batch)


def _refine(acc_id: str, goal: Goal, curve: FleetCurve, hit: int, target_s: float, catalog) -> tuple[int, dict]:
    """Narrow the grid answer by bisection over the smooth fleet sizes between the grid point below and it."""
    idx = int(np.searchsorted(curve.counts, hit))
    low = int(curve.counts[idx - 1]) if idx > 0 else 0
    ks = smooth_numbers(hit // curve.granule) * curve.granule
    sizes = [int(k) for k in ks if low < k <= hit]
    count = S.bisect_sizes(
        lambda n: point(acc_id, goal, n, catalog=catalog)["seconds_per_token"] * goal.tokens, target_s, sizes
    )
    pt = point(acc_id, goal, count, catalog=catalog)
    if not pt["seconds_per_token"] * goal.tokens <= target_s:  # a size between grid points that misses (the batch
        return hit, point(acc_id, goal, hit, catalog=catalog)  # splits badly over it): keep the grid answer
    return count, pt


def _float_or_none(value) -> float | None:
    return None if value is None else float(value)


def size_candidate(
    chip: str,
    goal: Goal,
    options: Options,
    *,
    target_days: float | None,
    catalog=None,
    refine: bool = True,
    terms: SiteTerms | None = None,
) -> dict[str, Any]:
    """One row: the fleet of ``chip`` that meets ``target_days`` (or that the goal's budget buys), its
    power, racks, money, and feasibility with reasons. Keys: :data:`ROW_KEYS` and more (see :func:`compare`)."""
    if target_days is not None:
        target_days = positive("target_days", target_days)
    goal = checked_goal(goal)
    options = checked_options(options)
    cat = _catalog(catalog)
    acc = cat.accelerator(chip)
    terms = terms or site_terms(options, cat)
    curve = fleet_curve(acc.id, goal, catalog=cat)
    grid_days = curve.days(goal.tokens)
    fastest = curve.fastest_index
    best_days = float(grid_days[fastest]) if fastest is not None else math.inf
    chips = math.nan
    pt = None
    basis = "deadline"
    if target_days is not None:
        hit = S.first_count_meeting(curve.counts, grid_days, target_days)
        if np.isfinite(hit):
            chips = int(hit)
            if refine:
                chips, pt = _refine(acc.id, goal, curve, chips, target_days * SECONDS_PER_DAY, cat)
    window = options.procurement_days or goal.deadline_days or 365.0
    supply_per_year, supply_units = supply(acc, options, window)
    fabric = max_fabric_chips(acc, options, cat)
    if target_days is None and goal.budget is not None:
        # the fastest fleet the budget pays for, among those the fabric joins and the supply delivers
        basis = "budget"
        econ = economics(acc, curve.counts, grid_days, options, terms)
        if econ["cost"] is not None:
            ok = (np.asarray(econ["cost"]) <= goal.budget) & np.isfinite(grid_days) & (curve.counts <= fabric)
            if supply_units is not None:
                ok &= curve.counts <= supply_units
            if ok.any():
                i = int(np.argmin(np.where(ok, grid_days, np.inf)))
                chips = int(curve.counts[i])
    if np.isfinite(chips):
        if pt is None:
            pt = point(acc.id, goal, int(chips), catalog=cat) if refine else _grid_point(curve, int(chips))
        days = pt["seconds_per_token"] * goal.tokens / SECONDS_PER_DAY
    else:
        days = math.nan
    blocked, classification = export_reason(acc, options)
    econ = economics(acc, chips if np.isfinite(chips) else 0.0, days if np.isfinite(days) else math.nan, options, terms)
    unknowns = unchecked(acc, options, econ, terms.price_kwh, supply_units, bool(curve.fits.any()))
    feasible, reasons = S.feasibility(
        chips_needed=chips if np.isfinite(chips) else None,
        deadline_days=target_days,
        best_days=best_days,
        supply_units=supply_units,
        supply_window_days=window,
        max_fabric_chips=fabric,
        fits_memory=bool(curve.fits.any()),
        no_fit_reason=no_fit_reason(curve),
        export_reason=blocked,
        needs_porting=curve.porting,
        unknowns=unknowns,
        best_chips=int(curve.counts[fastest]) if fastest is not None else None,
        batch_note=_batch_note(goal),
    )
    over_budget = (
        goal.budget is not None
        and basis == "deadline"
        and econ["cost"] is not None
        and np.isfinite(chips)
        and float(econ["cost"]) > goal.budget
    )
    if over_budget:
        feasible = False
        reasons.insert(0, f"costs {float(econ['cost']):,.0f} {options.currency}, over the {goal.budget:,.0f} budget")
    if basis == "budget" and not np.isfinite(chips):
        feasible = False
        reasons.insert(
            0,
            f"no fleet of {acc.id} that the fabric and supply allow fits the {goal.budget:,.0f} {options.currency} budget"
            if econ["unit_price"] is not None
            else f"cannot size a fleet of {acc.id} to a budget without a price",
        )
    scal = _float_or_none
    return {
        "chip": acc.id,
        "chips_needed": int(chips) if np.isfinite(chips) else None,
        "train_days": float(days) if np.isfinite(days) else None,
        "facility_mw": scal(econ["facility_mw"]) if np.isfinite(chips) else None,
        "energy_mwh": scal(econ["energy_mwh"]) if np.isfinite(days) else None,
        "cost": scal(econ["cost"]) if np.isfinite(chips) else None,
        "feasible": bool(feasible),
        "reasons": reasons,
        "currency": options.currency,
        "cost_basis": options.cost_basis,
        "cost_includes": econ["cost_includes"],
        "capex": scal(econ["capex"]) if np.isfinite(chips) else None,
        "hardware_cost": scal(econ["hardware_cost"]) if np.isfinite(chips) else None,
        "electricity_cost": scal(econ["electricity_cost"]) if np.isfinite(chips) else None,
        "unit_price": econ["unit_price"],
        "servers": scal(econ["servers"]) if np.isfinite(chips) else None,
        "racks": scal(econ["racks"]) if np.isfinite(chips) else None,
        "floor_m2": scal(econ["floor_m2"]) if np.isfinite(chips) else None,
        "slowdown": pt["slowdown"] if pt else None,
        "mfu": pt["mfu"] if pt else None,
        "layout": pt["layout"] if pt else "",
        "sized_by": basis,
        "target_days": target_days,
        "fastest_days": best_days if math.isfinite(best_days) else None,
        "fastest_chips": int(curve.counts[fastest]) if fastest is not None else None,
        "supply_units_per_year": supply_per_year,
        "supply_in_window": supply_units,
        "max_fabric_chips": fabric,
        "export": (classification or {}).get(options.export_rule, {}).get("eccn")
        if options.export_rule != "none"
        else None,
        "domestic": S.is_domestic(acc.id),
        "stack": acc.stack,
        "porting_required": list(curve.porting),
        "warnings": list(curve.warnings),
    }


def _batch_note(goal: Goal) -> str:
    """What bounds a larger fleet: the critical batch every fleet trains at when no batch was given."""
    if goal.global_batch is not None or getattr(goal.workload, "global_batch", None):
        return ""
    batch = _engine_goal(goal).global_batch
    return (
        f"a larger fleet would need a global batch above the critical batch of {batch:,} sequences "
        f"(McCandlish et al. 2018)"
    )


def _grid_point(curve: FleetCurve, count: int) -> dict[str, Any]:
    i = int(np.searchsorted(curve.counts, count))
    return {
        "seconds_per_token": float(curve.seconds_per_token[i]),
        "slowdown": float(curve.slowdown[i]),
        "mfu": float(curve.mfu[i]),
        "layout": curve.layouts[i],
    }


@dataclass
class Comparison:
    """The answer: the reference fleet, one row per candidate, and the Pareto flags over the rows."""

    goal: Goal
    options: Options
    reference: dict[str, Any]
    rows: list[dict[str, Any]]
    target_days: float | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.goal.model,
            "tokens": self.goal.tokens,
            "deadline_days": self.goal.deadline_days,
            "budget": self.goal.budget,
            "target_days": self.target_days,
            "currency": self.options.currency,
            "cost_basis": self.options.cost_basis,
            "site": self.options.site,
            "reference": self.reference,
            "candidates": self.rows,
            "notes": self.notes,
        }

    def headline(self, row: Mapping[str, Any]) -> str:
        """ "Replacing 10,000 H100 takes N 910B, X MW and Y yuan" for one row."""
        ref = self.reference
        if row.get("chips_needed") is None:
            return f"{row['chip']}: no fleet meets the goal ({'; '.join(row['reasons'][:1])})"
        from suanli.present import count, days, money, number

        cash = f" and {money(row['cost'], self.options.currency)}" if row.get("cost") is not None else ""
        return (
            f"Replacing {count(ref['count'])} {ref['chip']} ({days(ref['train_days'])}) takes {count(row['chips_needed'])} "
            f"{row['chip']} ({days(row['train_days'])}), {number(row['facility_mw'])} MW{cash}"
        )


def reference_row(
    chip: str, count: int, goal: Goal, options: Options, *, catalog=None, terms: SiteTerms | None = None
) -> dict[str, Any]:
    """The reference fleet run through the same engine, compat, power and cost models.

    Its time is that of the best layout on *at most* ``count`` chips (a size that factors badly into
    TP x PP x DP would otherwise make a larger fleet look slower; ``chips_used`` says how many ran);
    its power, energy and cost are those of the whole fleet."""
    goal = checked_goal(goal)
    options = checked_options(options)
    cat = _catalog(catalog)
    acc = cat.accelerator(chip)
    count = whole("the reference count (chips)", count)
    terms = terms or site_terms(options, cat)
    pt = point(acc.id, goal, int(count), catalog=cat)
    used = int(count)
    curve = fleet_curve(acc.id, goal, catalog=cat)
    below = curve.counts <= count
    if below.any():
        i = int(np.argmin(np.where(below, curve.seconds_per_token, np.inf)))
        if curve.seconds_per_token[i] < pt["seconds_per_token"]:
            used, pt = int(curve.counts[i]), point(acc.id, goal, int(curve.counts[i]), catalog=cat)
    if not pt["fits"]:
        raise InputError(f"the reference fleet cannot train the model: {pt['reason']}")
    days = pt["seconds_per_token"] * goal.tokens / SECONDS_PER_DAY
    econ = economics(acc, count, days, options, terms)
    scal = _float_or_none
    return {
        "chip": acc.id,
        "count": int(count),
        "chips_used": used,
        "train_days": float(days),
        "facility_mw": scal(econ["facility_mw"]),
        "energy_mwh": scal(econ["energy_mwh"]),
        "cost": scal(econ["cost"]),
        "capex": scal(econ["capex"]),
        "hardware_cost": scal(econ["hardware_cost"]),
        "electricity_cost": scal(econ["electricity_cost"]),
        "unit_price": econ["unit_price"],
        "racks": scal(econ["racks"]),
        "floor_m2": scal(econ["floor_m2"]),
        "slowdown": pt["slowdown"],
        "mfu": pt["mfu"],
        "layout": pt["layout"],
        "cost_includes": econ["cost_includes"],
    }


def compare(
    goal: Goal,
    reference: tuple[str, int],
    candidates: Sequence[str],
    options: Options | None = None,
    *,
    catalog=None,
    refine: bool = True,
) -> Comparison:
    """Size every candidate for the goal against the reference fleet: the substitution table.

    Rows add to :data:`ROW_KEYS`: ``equal_time_chips`` (chips matching the reference's time),
    ``chips_per_reference_chip``, ``equal_cost_chips`` and ``equal_cost_days`` (the fleet the reference
    fleet's hardware money buys, and its time), ``pareto`` (on the time-cost-power front of the rows),
    racks, floor area, capex, slowdown, MFU, layout, supply, fabric limit, export ECCN and warnings.
    """
    goal = checked_goal(goal)
    options = checked_options(options)
    cat = _catalog(catalog)
    if isinstance(candidates, str) or not isinstance(candidates, Sequence) or not candidates:
        raise InputError(f"candidates must be a list of one or more chip ids, got {candidates!r}")
    from suanli import validate

    if not isinstance(reference, (tuple, list)) or len(reference) != 2:
        raise InputError(f"reference must be (chip id, count), got {reference!r}")
    ref_chip, ref_count = validate.name("reference chip", reference[0]), validate.whole("reference count", reference[1])
    terms = site_terms(options, cat)
    ref = reference_row(ref_chip, ref_count, goal, options, catalog=cat, terms=terms)
    target = goal.deadline_days
    notes = []
    if target is None and goal.budget is None:
        target = ref["train_days"]
        notes.append(f"no deadline given: candidates are sized to the reference fleet's {target:.1f} days (equal time)")
    if isinstance(candidates, str) or not isinstance(candidates, (list, tuple)):
        raise InputError(f"candidates must be a list of chip ids, got {candidates!r}")
    if not all(isinstance(c, str) for c in candidates):
        raise InputError(f"candidates must be chip ids (text), got {candidates!r}")
    rows = []
    for chip in dict.fromkeys(candidates):
        row = size_candidate(chip, goal, options, target_days=target, catalog=cat, refine=refine, terms=terms)
        _add_reference_comparisons(row, ref, goal, options, cat, terms, refine)
        rows.append(row)
    objectives = np.array(
        [
            [
                r["train_days"] if r["train_days"] is not None else np.nan,
                r["cost"] if r["cost"] is not None else np.nan,
                r["facility_mw"] if r["facility_mw"] is not None else np.nan,
            ]
            for r in rows
        ],
        dtype=float,
    )
    feasible = np.array([r["feasible"] for r in rows])
    objectives[~feasible] = np.nan
    mask = S.pareto_mask(objectives)
    for r, m in zip(rows, mask):
        r["pareto"] = bool(m)
    return Comparison(goal=goal, options=options, reference=ref, rows=rows, target_days=target, notes=notes)


def _add_reference_comparisons(row, ref, goal, options, cat, terms, refine) -> None:
    acc = cat.accelerator(row["chip"])
    curve = fleet_curve(acc.id, goal, catalog=cat)
    days = curve.days(goal.tokens)
    eq_time = S.first_count_meeting(curve.counts, days, ref["train_days"])
    if np.isfinite(eq_time) and refine:
        eq_time, _ = _refine(acc.id, goal, curve, int(eq_time), ref["train_days"] * SECONDS_PER_DAY, cat)
    row["equal_time_chips"] = int(eq_time) if np.isfinite(eq_time) else None
    row["chips_per_reference_chip"] = (row["equal_time_chips"] / ref["count"]) if row["equal_time_chips"] else None
    row["equal_cost_chips"], row["equal_cost_days"] = None, None
    if options.cost_basis == "rental":
        unit, ref_unit = rental_rate(acc, options), rental_rate(cat.accelerator(ref["chip"]), options)
        budget = None if ref_unit is None else ref_unit * ref["count"]  # equal spend per hour
    else:
        from suanli.models.cost import accelerator_capex

        unit = None if row["unit_price"] is None else float(accelerator_capex(row["unit_price"], 1, server_share(acc)))
        budget = ref["capex"]  # equal hardware money
    if unit and budget:
        n = float(S.equal_cost_count(budget, unit, 1))
        ok = (curve.counts <= n) & np.isfinite(days)
        if ok.any():
            i = int(np.argmin(np.where(ok, days, np.inf)))
            row["equal_cost_chips"] = int(curve.counts[i])
            row["equal_cost_days"] = float(days[i])
