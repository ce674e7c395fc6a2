"""Domestic substitution: a training goal and a reference fleet in, one row per candidate out.

    >>> from suanli.scenarios.substitution import Options, compare, make_goal
    >>> goal = make_goal("gpt3-175b", tokens=300e9)
    >>> result = compare(goal, reference=("nvidia-h100-sxm5-80gb", 10_000),
    ...                  candidates=["huawei-ascend-910b", "nvidia-h20"], options=Options(site="cn-gansu-qingyang"))
    >>> result.rows[0]["chips_needed"], result.rows[0]["reasons"]

The question is split by what each part answers: ``inputs`` (the goal and the options), ``sizing``
(how many chips of a candidate meet the goal, the table against a reference fleet), ``economics``
(what a fleet draws, occupies and costs), ``feasibility`` (can it be had at all: supply, export rules,
fabric size), ``mixed`` (two pools training one model), ``pareto`` (the time/cost/power front) and
``sensitivity`` (which input moves the answer most). This package exports their public names.
"""

from suanli.scenarios.substitution.economics import (
    SiteTerms,
    chip_price,
    chip_price_range,
    economics,
    rental_rate,
    server_share,
    site_terms,
)
from suanli.scenarios.substitution.inputs import COST_BASES, ROW_KEYS, Goal, Options, make_goal, parse_fleet
from suanli.scenarios.substitution.mixed import DEFAULT_FIBRE_WAVELENGTHS, mixed_fleet
from suanli.scenarios.substitution.pareto import PARETO_OBJECTIVES, pareto_options
from suanli.scenarios.substitution.sensitivity import SENSITIVITY_OUTPUTS, sensitivity
from suanli.scenarios.substitution.sizing import (
    CURVE_TOKENS,
    GRID_RATIO,
    MAX_CHIPS,
    Comparison,
    FleetCurve,
    clear_cache,
    compare,
    count_grid,
    evaluate_point,
    fleet_curve,
    point,
    reference_row,
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
