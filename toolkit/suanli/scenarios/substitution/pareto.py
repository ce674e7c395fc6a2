"""The Pareto front over every chip and fleet size: time, cost and power, all minimised."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from suanli.errors import InputError
from suanli.models import substitution as S
from suanli.scenarios.substitution.costs import economics, site_terms
from suanli.scenarios.substitution.feasibility import export_reason, max_fabric_chips, supply
from suanli.scenarios.substitution.inputs import Goal, Options, _catalog, checked_goal, checked_options
from suanli.scenarios.substitution.sizing import fleet_curve
from suanli.validate import positive

PARETO_OBJECTIVES = ("train_days", "cost", "facility_mw")


def pareto_options(
    goal: Goal,
    chips: Sequence[str],
    options: Options | None = None,
    *,
    catalog=None,
    objectives: Sequence[str] = PARETO_OBJECTIVES,
    max_days: float | None = None,
) -> dict[str, np.ndarray]:
    """Every (chip, fleet size) on the grids as columns, with the non-dominated ones flagged.

    Columns (numpy arrays, one entry per option): ``chip``, ``count``, ``train_days`` (best layout on at
    most that many chips), ``cost``, ``facility_mw``, ``energy_mwh``, ``allowed`` (not export-blocked,
    within the window's supply and the fabric's size) and ``pareto`` (on the front of the allowed
    options over ``objectives``, all minimised; an option with an unknown objective, e.g. no price, is
    never on it). ``max_days`` drops options slower than that.

    References: :func:`suanli.models.substitution.pareto_mask` (Deb 2001, sec. 2.4).
    """
    goal = checked_goal(goal)
    options = checked_options(options)
    cat = _catalog(catalog)
    terms = site_terms(options, cat)
    if isinstance(objectives, str) or not isinstance(objectives, (list, tuple)):
        raise InputError(f"objectives must be a list of names (train_days, cost, ...), got {objectives!r}")
    if isinstance(chips, str) or not isinstance(chips, (list, tuple)) or not all(isinstance(c, str) for c in chips):
        raise InputError(f"chips must be a list of chip ids, got {chips!r}")
    if max_days is not None:
        max_days = positive("max_days", max_days)
    unknown = set(map(str, objectives)) - {"train_days", "cost", "facility_mw", "energy_mwh"}
    if unknown or not objectives:
        raise InputError(f"objectives must be among train_days, cost, facility_mw, energy_mwh; got {list(objectives)}")
    cols: dict[str, list] = {
        k: [] for k in ("chip", "count", "train_days", "cost", "facility_mw", "energy_mwh", "allowed")
    }
    for chip in dict.fromkeys(chips):
        acc = cat.accelerator(chip)
        curve = fleet_curve(acc.id, goal, catalog=cat)
        days = curve.envelope_days(goal.tokens)
        keep = np.isfinite(days) & (days == curve.days(goal.tokens))  # sizes whose own best layout is the envelope
        if max_days is not None:
            keep &= days <= max_days
        n, d = curve.counts[keep], days[keep]
        econ = economics(acc, n, d, options, terms)
        window = options.procurement_days or goal.deadline_days or 365.0
        _, units = supply(acc, options, window)
        allowed = (n <= max_fabric_chips(acc, options, cat)) & (True if units is None else n <= units)
        allowed &= export_reason(acc, options)[0] is None
        cols["chip"] += [acc.id] * int(n.size)
        cols["count"].append(n)
        cols["train_days"].append(d)
        cols["cost"].append(
            np.full(n.shape, np.nan) if econ["cost"] is None else np.broadcast_to(econ["cost"], n.shape)
        )
        cols["facility_mw"].append(np.broadcast_to(econ["facility_mw"], n.shape))
        cols["energy_mwh"].append(np.broadcast_to(econ["energy_mwh"], n.shape))
        cols["allowed"].append(np.broadcast_to(allowed, n.shape))
    out = {"chip": np.array(cols["chip"], dtype=object)}
    for k in ("count", "train_days", "cost", "facility_mw", "energy_mwh", "allowed"):
        out[k] = np.concatenate(cols[k]) if cols[k] else np.array([])
    x = (
        np.column_stack([out[k].astype(float) for k in objectives])
        if out["count"].size
        else np.zeros((0, len(objectives)))
    )
    x[~out["allowed"].astype(bool)] = np.nan
    out["pareto"] = S.pareto_mask(x) if x.shape[0] else np.array([], dtype=bool)
    return out
