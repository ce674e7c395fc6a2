"""Which uncertain input moves the substitution answer most: one-at-a-time swings (a tornado)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from suanli.errors import InputError
from suanli.models import substitution as S
from suanli.scenarios.substitution.costs import (
    chip_price,
    chip_price_range,
    economics,
    fleet_utilization,
    site_terms,
)
from suanli.scenarios.substitution.inputs import Goal, Options, _catalog, _check_positive, checked_goal, checked_options
from suanli.scenarios.substitution.sizing import CURVE_TOKENS, fleet_curve

SENSITIVITY_OUTPUTS = ("chips_needed", "train_days", "cost", "facility_mw")


def sensitivity(
    goal: Goal,
    chip: str,
    options: Options | None = None,
    *,
    target_days: float,
    catalog=None,
    output: str = "chips_needed",
) -> list[dict[str, Any]]:
    """Which uncertain input moves ``output`` most: one-at-a-time P10-P90 swings, largest first.

    Inputs: the stack's slowdown (the compat model's best..worst bounds), the chip's sustained matmul
    efficiency (its range, else a spread by the confidence of its source; the engine is re-run at the
    sized fleet), the chip price (likewise), PUE and electricity price (the site's ranges) and the
    utilisation of the power model. The fleet is re-sized on the cached curve for each swing (as a
    fractional count, :func:`suanli.models.substitution.interpolate_count`, so small swings show), so
    ``chips_needed`` responds to the time inputs and cost and power to all of them. Rows carry the
    tornado's keys (input, input_low/high, output_low/high, base, swing) and ``relative_low/high``
    (output over base), which apply to a refined answer as well.

    References: :func:`suanli.models.uncertainty.tornado` (Morgan & Henrion 1990, sec. 8.4).
    """
    goal = checked_goal(goal)
    options = checked_options(options)
    from suanli.models import uncertainty as U
    from suanli.models.power import DEFAULTS
    from suanli.scenarios import training

    if output not in SENSITIVITY_OUTPUTS:
        raise InputError(f"output must be one of {', '.join(SENSITIVITY_OUTPUTS)}, got {output!r}")
    _check_positive("target_days", target_days)
    cat = _catalog(catalog)
    acc = cat.accelerator(chip)
    terms = site_terms(options, cat)
    curve = fleet_curve(acc.id, goal, catalog=cat)
    days = curve.days(goal.tokens)
    hit = S.first_count_meeting(curve.counts, days, target_days)
    i0 = int(np.searchsorted(curve.counts, hit)) if np.isfinite(hit) else curve.fastest_index
    if i0 is None:
        raise InputError(f"{acc.id} cannot train this model at any fleet size, so there is nothing to swing")
    inputs: dict[str, Any] = {}
    s0 = curve.slowdown[i0]
    if curve.slowdown_worst[i0] > curve.slowdown_best[i0]:
        inputs["stack_slowdown"] = (curve.slowdown_best[i0] / s0, curve.slowdown_worst[i0] / s0)
    mm = acc.matmul_efficiency
    if mm is not None:
        dist = U.spec_distribution(mm, acc.sources["matmul_efficiency"].confidence, acc.ranges.get("matmul_efficiency"))
        if isinstance(dist, U.Distribution):
            lo, hi = dist.ppf(0.0), dist.ppf(1.0)
            count = int(curve.counts[i0])

            def days_at(eff: float) -> float:
                est = training.estimate(
                    goal.workload,
                    tokens=CURVE_TOKENS,
                    chip=acc,
                    count=count,
                    precision=goal.precision,
                    global_batch=goal.global_batch,
                    matmul_efficiency=min(eff, 1.0),
                    catalog=cat,
                    runners_up=0,
                )
                return est.train_days

            base = days_at(mm)
            inputs["matmul_efficiency"] = (days_at(hi) / base, days_at(lo) / base)  # as a time multiplier
    price = chip_price(acc, options.currency)
    if price is not None:
        from suanli.prices import quote_field

        field = quote_field(acc)[0]
        dist = U.spec_distribution(
            price,
            acc.sources[field].confidence,
            tuple(chip_price_range(acc, options.currency)) if field in acc.ranges else None,
        )
        inputs["chip_price"] = (dist.ppf(0.0), dist.ppf(1.0)) if isinstance(dist, U.Distribution) else price
    inputs["pue"] = terms.pue_range if terms.pue_range[0] < terms.pue_range[1] else terms.pue
    if terms.price_kwh is not None:
        inputs["price_kwh"] = (
            terms.price_range if terms.price_range and terms.price_range[0] < terms.price_range[1] else terms.price_kwh
        )
    lo_u, hi_u = DEFAULTS.ranges["utilization"]  # the spread of a run's draw around the central one
    inputs["utilization"] = (lo_u, hi_u)
    u0 = fleet_utilization(acc, terms)  # the chip's own measured draw unless the options give one

    def model(
        stack_slowdown=1.0,
        matmul_efficiency=1.0,
        chip_price=price,
        pue=terms.pue,
        price_kwh=terms.price_kwh,
        utilization=u0,
    ):
        m = float(stack_slowdown) * float(matmul_efficiency)
        scaled = days * m
        n = float(S.interpolate_count(curve.counts, scaled, target_days))
        if not np.isfinite(n):
            return {k: np.nan for k in SENSITIVITY_OUTPUTS}
        first = scaled[np.isfinite(scaled)][0]
        d = float(first) if first <= target_days else float(target_days)  # the smallest fleet may beat the target
        econ = economics(
            acc, n, d, options, terms, price=chip_price, pue=pue, price_kwh=price_kwh, utilization=utilization
        )
        return {
            "chips_needed": n,
            "train_days": d,
            "cost": np.nan if econ["cost"] is None else econ["cost"],
            "facility_mw": econ["facility_mw"],
        }

    rows = U.tornado(model, inputs, output, low_q=0.1, high_q=0.9)
    for r in rows:
        r["output"] = output
        base = r["base"]
        # relative swings: apply them to a refined answer (the interpolated base is not the bisected count)
        r["relative_low"] = r["output_low"] / base if base else math.nan
        r["relative_high"] = r["output_high"] / base if base else math.nan
    return rows
