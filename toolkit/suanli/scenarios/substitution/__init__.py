"""Domestic substitution: a training goal and a reference fleet in, one row per candidate out.

    >>> from suanli.scenarios.substitution import Options, compare, make_goal
    >>> goal = make_goal("gpt3-175b", tokens=300e9)
    >>> result = compare(goal, reference=("nvidia-h100-sxm5-80gb", 10_000),
    ...                  candidates=["huawei-ascend-910b", "nvidia-h20"], options=Options(site="cn-gansu-qingyang"))
    >>> result.rows[0]["chips_needed"], result.rows[0]["reasons"]

The question is split by what each part answers: :mod:`~suanli.scenarios.substitution.sizing` (how
many chips of a candidate meet the goal, and what they cost), ``feasibility`` (can they be had at all:
supply, export rules, fabric size), ``mixed`` (two pools training one model), ``pareto`` (the
time/cost/power front) and ``sensitivity`` (which input moves the answer most).
"""

from suanli.scenarios.substitution.sizing import (
    COST_BASES,
    CURVE_TOKENS,
    DEFAULT_FIBRE_WAVELENGTHS,
    GRID_RATIO,
    MAX_CHIPS,
    PARETO_OBJECTIVES,
    ROW_KEYS,
    SENSITIVITY_OUTPUTS,
    Comparison,
    FleetCurve,
    Goal,
    Options,
    SiteTerms,
    chip_price,
    chip_price_range,
    clear_cache,
    compare,
    count_grid,
    economics,
    evaluate_point,
    fleet_curve,
    make_goal,
    mixed_fleet,
    pareto_options,
    parse_fleet,
    point,
    reference_row,
    rental_rate,
    sensitivity,
    server_share,
    site_terms,
    size_candidate,
    smooth_numbers,
)

__all__ = [
    "COST_BASES", "CURVE_TOKENS", "DEFAULT_FIBRE_WAVELENGTHS", "GRID_RATIO", "MAX_CHIPS", "PARETO_OBJECTIVES",
    "ROW_KEYS", "SENSITIVITY_OUTPUTS", "Comparison", "FleetCurve", "Goal", "Options", "SiteTerms", "chip_price",
    "chip_price_range", "clear_cache", "compare", "count_grid", "economics", "evaluate_point", "fleet_curve",
    "make_goal", "mixed_fleet", "pareto_options", "parse_fleet", "point", "reference_row", "rental_rate",
    "sensitivity", "server_share", "site_terms", "size_candidate", "smooth_numbers",
]
