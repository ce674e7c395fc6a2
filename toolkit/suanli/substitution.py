"""Domestic substitution, orchestrated: a training goal and a reference fleet in, one row per candidate out.

    >>> from suanli.substitution import make_goal, compare
    >>> goal = make_goal("gpt3-175b", tokens=300e9)
    >>> result = compare(goal, reference=("nvidia-h100-sxm5-80gb", 10_000),
    ...                  candidates=["huawei-ascend-910b", "nvidia-h20"], options=Options(site="cn-gansu-qingyang"))
    >>> result.rows[0]["chips_needed"], result.rows[0]["reasons"]

The glue between the catalog, the training-time engine (:func:`suanli.engine.estimate`), the
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

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suanli.errors import InputError
from suanli.models import substitution as S

COST_BASES = ("capex", "amortised", "rental")
"""How a fleet is paid for: bought outright (capex), owned and amortised over the run, or rented."""

ROW_KEYS = ("chip", "chips_needed", "train_days", "facility_mw", "energy_mwh", "cost", "feasible", "reasons")
"""The keys every row has at least (the CLI's contract); rows carry more (see :func:`compare`)."""

SECONDS_PER_DAY = 86_400.0
SMALL_SCALEUP_DOMAIN = 8
"""Below this many chips per scale-up domain (an 8-GPU NVLink/HCCS node), a row says the domain limits TP."""
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


@dataclass(frozen=True)
class Goal:
    """What to train: a workload, a token count and a deadline (days) and/or a budget (in the options' currency).

    ``global_batch`` (sequences) overrides the workload's batch. It matters: data parallelism cannot
    exceed it, so it caps how many chips a run can use well, and a slower chip may need a larger batch
    (a change of training recipe) to meet a deadline at all.
    """

    workload: Any
    tokens: float
    deadline_days: float | None = None
    budget: float | None = None
    precision: str = "bf16"
    global_batch: int | None = None

    @property
    def model(self) -> str:
        return getattr(self.workload, "name", "custom")


def make_goal(model: str | Any | None = None, *, params: float | None = None, tokens: float,
              deadline_days: float | None = None, budget: float | None = None, precision: str = "bf16",
              global_batch: int | None = None) -> Goal:
    """A :class:`Goal` from a preset name (or a Workload) or a parameter count; inputs checked, one sentence each."""
    from suanli.engine import make_workload

    _check_positive("tokens", tokens)
    if deadline_days is not None:
        _check_positive("deadline_days", deadline_days)
    if budget is not None:
        _check_positive("budget", budget)
    if params is not None:
        _check_positive("params", params)
    from suanli.engine import TRAINING_PRECISIONS

    if precision not in TRAINING_PRECISIONS:
        raise InputError(f"precision must be one of {', '.join(TRAINING_PRECISIONS)}, got {precision!r}")
    if global_batch is not None:
        from suanli.validate import whole

        global_batch = whole("global_batch (sequences)", global_batch)
    workload = make_workload(model, params=params)
    return Goal(workload=workload, tokens=float(tokens), deadline_days=None if deadline_days is None else float(deadline_days),
                budget=None if budget is None else float(budget), precision=precision,
                global_batch=None if global_batch is None else int(global_batch))


def _check_positive(name: str, value: Any) -> float:
    from suanli.validate import positive

    return positive(name, value)


def parse_fleet(text: str, *, what: str = "--reference") -> tuple[str, int]:
    """``"nvidia-h100-sxm5-80gb:10000"`` -> ``("nvidia-h100-sxm5-80gb", 10000)``; InputError if malformed.

    The count may use ``_`` or ``,`` as thousands separators. The chip id is checked by the catalog
    when used (which suggests close ids).
    """
    if not isinstance(text, str) or text.count(":") != 1:
        raise InputError(f"{what} must be CHIP:COUNT, like nvidia-h100-sxm5-80gb:10000; got {text!r}")
    chip, count_text = (part.strip() for part in text.split(":"))
    if not chip:
        raise InputError(f"{what} must be CHIP:COUNT, like nvidia-h100-sxm5-80gb:10000; the chip is missing in {text!r}")
    try:
        count = int(count_text.replace("_", "").replace(",", ""))
    except ValueError:
        raise InputError(f"{what} count must be a whole number of chips, got {count_text!r}") from None
    if count <= 0:
        raise InputError(f"{what} count must be at least 1, got {count}")
    return chip, count


@dataclass(frozen=True)
class Options:
    """Where the fleet runs, how it is paid for, and the limits feasibility checks against.

    ``rental_per_hour`` maps chip id -> price per accelerator-hour in ``currency`` (for
    ``cost_basis="rental"``; a chip not in it takes the catalog's rental price, if any). ``supply_units_per_year`` overrides a chip's catalog supply (chip id ->
    units). ``procurement_days`` is the window supply is counted over (default: the deadline, else a
    year). Everything left None takes its documented default.
    """

    site: str | None = None
    currency: str = "CNY"
    cost_basis: str = "capex"
    pue: float | None = None
    price_kwh: float | None = None
    utilization: float | None = None
    rental_per_hour: Mapping[str, float] | None = None
    lifetime_years: float | None = None
    cost_of_capital: float | None = None
    rack_power_kw: float = S.RACK_POWER_KW.value
    supply_share: float = S.SUPPLY_SHARE.value
    yield_fraction: float = S.YIELD_FRACTION.value
    supply_units_per_year: Mapping[str, float] | None = None
    procurement_days: float | None = None
    export_rule: str = "oct2023"
    switch_radix: float = S.SWITCH_RADIX.value
    fabric_tiers: float = S.FABRIC_TIERS.value

    def __post_init__(self) -> None:
        from suanli.models.money import check_currency

        object.__setattr__(self, "currency", check_currency(self.currency))
        if self.cost_basis not in COST_BASES:
            raise InputError(f"cost basis must be one of {', '.join(COST_BASES)}, got {self.cost_basis!r}")
        if self.export_rule not in S.EXPORT_RULES:
            raise InputError(f"export rule must be one of {', '.join(S.EXPORT_RULES)}, got {self.export_rule!r}")
        for name in ("rack_power_kw", "switch_radix", "fabric_tiers"):
            _check_positive(name, getattr(self, name))
        for name in ("supply_share", "yield_fraction"):
            value = _check_positive(name, getattr(self, name))
            if value > 1:
                raise InputError(f"{name} must be a fraction in (0, 1], got {value!r}")
        if self.procurement_days is not None:
            _check_positive("procurement_days", self.procurement_days)
        if self.lifetime_years is not None:  # checked here too, not only when the amortised basis uses it
            _check_positive("lifetime_years", self.lifetime_years)
        if self.cost_of_capital is not None and (not math.isfinite(self.cost_of_capital) or self.cost_of_capital < 0):
            raise InputError(f"cost_of_capital must not be negative, got {self.cost_of_capital!r}")
        if self.pue is not None and (not math.isfinite(self.pue) or self.pue < 1):
            raise InputError(f"pue must be at least 1, got {self.pue!r}")
        if self.utilization is not None and not 0 <= self.utilization <= 1:
            raise InputError(f"utilization must be between 0 and 1, got {self.utilization!r}")
        if self.price_kwh is not None and (not math.isfinite(self.price_kwh) or self.price_kwh < 0):
            raise InputError(f"price_kwh must not be negative, got {self.price_kwh!r}")
        for mapping_name in ("rental_per_hour", "supply_units_per_year"):
            mapping = getattr(self, mapping_name)
            if mapping is not None:
                for chip, value in mapping.items():
                    _check_positive(f"{mapping_name}[{chip}]", value)
                # frozen and hashable: keep mappings as sorted tuples of pairs inside a dict subclass
                object.__setattr__(self, mapping_name, _FrozenMap(mapping))

    def __hash__(self) -> int:
        return hash(tuple((k, getattr(self, k)) for k in self.__dataclass_fields__))


class _FrozenMap(dict):
    """A dict that hashes (so :class:`Options` can key a cache)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


# --------------------------------------------------------------------------------------------
# The engine on a grid of fleet sizes
# --------------------------------------------------------------------------------------------


def smooth_numbers(limit: int) -> np.ndarray:
    """Every 2^a 3^b 5^c up to ``limit``, sorted (fleet sizes in servers that factor into TP x PP x DP)."""
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
    ks = smooth_numbers(max(1, int(max_chips) // int(granule)))
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
        scale = {"central": 1.0, "best": self.slowdown_best / self.slowdown, "worst": self.slowdown_worst / self.slowdown}[case]
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
        return None, (), (f"software stack {acc.stack!r} of {acc.id} is not in the catalog; no compat slowdown applied (flatters it)",)
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
    return f"TP{layout['tp']} PP{layout['pp']} DP{layout['dp']}" + (f" EP{layout['ep']}" if layout.get("ep", 1) > 1 else "")


def evaluate_point(acc, goal: Goal, count: int, catalog, factors=None, global_batch: int | None = None) -> dict[str, Any]:
    """The engine at one fleet size, with the stack slowdown: seconds per token (inf if nothing fits), MFU, layout.

    ``global_batch`` (sequences) overrides the workload's batch (a pool of a mixed fleet trains on its share)."""
    from suanli import engine

    try:
        est = engine.estimate(goal.workload, tokens=CURVE_TOKENS, chip=acc, count=int(count), precision=goal.precision,
                              global_batch=global_batch or goal.global_batch, catalog=catalog, runners_up=0)
    except InputError as err:
        return {"fits": False, "reason": str(err), "seconds_per_token": math.inf, "native_seconds_per_token": math.inf,
                "slowdown": 1.0, "slowdown_best": 1.0, "slowdown_worst": 1.0, "mfu": math.nan, "memory_gb": math.nan,
                "layout": "", "warnings": []}
    # The engine's time already carries the stack's central slowdown (it takes it from the compat
    # model), so it is used as is; the compat bounds only widen it into best and worst cases.
    seconds = est.train_days * SECONDS_PER_DAY / CURVE_TOKENS
    slow = {"central": 1.0, "best": 1.0, "worst": 1.0}
    if factors is not None:
        slow = {case: 1.0 / float(eff) for case, eff in factors.items()}
    return {"fits": True, "reason": "", "seconds_per_token": seconds, "native_seconds_per_token": seconds / slow["central"],
            "slowdown": slow["central"], "slowdown_best": slow["best"], "slowdown_worst": slow["worst"],
            "mfu": est.mfu, "memory_gb": est.memory_gb_per_device, "layout": _layout_text(est.layout),
            "warnings": list(est.warnings)}


def _catalog(catalog=None):
    if catalog is not None:
        return catalog
    from suanli.catalog import load_catalog

    return load_catalog()


_CURVES: dict[tuple, FleetCurve] = {}


def fleet_curve(chip: str, goal: Goal, *, catalog=None, max_chips: int = MAX_CHIPS, ratio: float = GRID_RATIO) -> FleetCurve:
    """The chip's :class:`FleetCurve` for the goal's workload and precision (cached per process)."""
    cat = _catalog(catalog)
    acc = cat.accelerator(chip)
    _CATALOGS[id(cat)] = cat  # kept alive, so its id cannot be reused by another catalog while cached
    key = (id(cat), acc.id, _engine_goal(goal), int(max_chips), float(ratio))
    if key in _CURVES:
        return _CURVES[key]
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
        if math.isfinite(best) and misses_after_best >= 12 and c >= 8 * counts[int(np.argmin([q["seconds_per_token"] for q in points]))]:
            break
    n = len(points)
    col = lambda k: np.array([p[k] for p in points], dtype=float)
    warnings = list(warns)
    for p in points:
        for w in p["warnings"]:
            if w not in warnings and not w.startswith("global batch rounded"):
                warnings.append(w)
    curve = FleetCurve(
        chip=acc.id, counts=counts[:n].astype(float), seconds_per_token=col("seconds_per_token"),
        native_seconds_per_token=col("native_seconds_per_token"), slowdown=col("slowdown"),
        slowdown_best=col("slowdown_best"), slowdown_worst=col("slowdown_worst"), mfu=col("mfu"),
        memory_gb=col("memory_gb"), layouts=tuple(p["layout"] for p in points), granule=granule,
        porting=porting, warnings=tuple(warnings), failure=next((p["reason"] for p in points if p["reason"]), ""),
    )
    _CURVES[key] = curve
    return curve


def clear_cache() -> None:
    """Forget every cached curve (after changing the catalog in place)."""
    _CURVES.clear()
    _point.cache_clear()


@functools.lru_cache(maxsize=4096)
def _point(cat_id: int, chip: str, goal: Goal, count: int, global_batch: int | None) -> tuple:
    cat = _CATALOGS[cat_id]
    acc = cat.accelerator(chip)
    factors, _, _ = _stack_factors(acc, cat)
    p = evaluate_point(acc, goal, count, cat, factors, global_batch)
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in p.items()))


_CATALOGS: dict[int, Any] = {}


def point(chip: str, goal: Goal, count: int, *, catalog=None, global_batch: int | None = None) -> dict[str, Any]:
    """:func:`evaluate_point` for a chip id, cached (the reference fleet and the refined answers)."""
    cat = _catalog(catalog)
    _CATALOGS[id(cat)] = cat
    return dict(_point(id(cat), chip, _engine_goal(goal), int(count), None if global_batch is None else int(global_batch)))


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


# --------------------------------------------------------------------------------------------
# Power, racks and money for fleet sizes (vectorised)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteTerms:
    """PUE, electricity price and their ranges, resolved from the options and the site."""

    pue: float
    pue_range: tuple[float, float]
    price_kwh: float | None
    price_range: tuple[float, float] | None
    utilization: float
    site: str | None


def site_terms(options: Options, catalog=None) -> SiteTerms:
    """Resolve PUE, electricity price (in the options' currency) and utilisation from the options and site.

    The chip ids the options name (``rental_per_hour``, ``supply_units_per_year``) are checked against the
    catalog here too: a mistyped id would otherwise be ignored without a word.
    """
    from suanli.models.power import DEFAULTS
    from suanli.power_report import site_price_per_kwh

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
    u = DEFAULTS.utilization if options.utilization is None else float(options.utilization)
    return SiteTerms(pue, pue_range, price, price_range, u, site.id if site is not None else None)


def chip_price(acc, currency: str) -> float | None:
    """The chip's purchase price in ``currency`` at the dated rate, or None when the catalog has none."""
    from suanli.prices import price_value

    return price_value(acc, currency, "purchase")


def rental_rate(acc, options: Options) -> float | None:
    """Price per accelerator-hour in the options' currency: the user's (``rental_per_hour``), else the
    catalog's list price, else None."""
    from suanli.prices import price_value

    given = (options.rental_per_hour or {}).get(acc.id)
    if given is not None:
        return float(given)
    return price_value(acc, options.currency, "rental")


def server_share(acc) -> float:
    """What the rest of the server adds to a chip's price: nothing when the price already is a server
    divided by its chips (``price_basis = "system"``), else the default share
    (:data:`suanli.models.power.DEFAULTS`, DGX H100 system vs GPU bill of materials)."""
    from suanli.models.power import DEFAULTS

    return 0.0 if getattr(acc, "price_basis", None) == "system" else DEFAULTS.server_capex_fraction


def economics(acc, counts, days, options: Options, terms: SiteTerms, *, price=None, pue=None, price_kwh=None,
              utilization=None) -> dict[str, Any]:
    """Facility power, energy, racks, floor area, capex and the run's cost of ``counts`` chips for ``days``.

    Vectorised over ``counts``/``days`` and the optional overrides (price per chip, PUE, electricity
    price, utilisation), which the sensitivity analysis swings. ``cost`` is the hardware on the options'
    basis plus the electricity (left out, and said so in ``cost_includes``, when there is no electricity
    price, and for a rental, whose hourly price includes the power); it is None when the hardware cost is unknown (no purchase or rental price), since electricity
    alone would make an unpriced chip look cheap.
    """
    from suanli.models import cost as C
    from suanli.models import power as P

    d = P.DEFAULTS
    n = np.asarray(counts, dtype=float)
    hours = np.asarray(days, dtype=float) * 24.0
    per_server = acc.chips_per_server or d.chips_per_server
    u = terms.utilization if utilization is None else utilization
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
        electricity = np.asarray(C.electricity_cost(np.nan_to_num(energy, nan=0.0), kwh)) * np.where(np.isfinite(energy), 1.0, np.nan)
        included.append("electricity")
    share = server_share(acc)
    capex = None if p is None else np.asarray(C.accelerator_capex(p, n, share))
    hardware = None
    if options.cost_basis == "capex":
        hardware = capex
    elif options.cost_basis == "amortised" and p is not None:
        hardware = np.asarray(C.owned_hardware_cost(
            p, n, finite_hours,
            cost_of_capital=d.cost_of_capital if options.cost_of_capital is None else options.cost_of_capital,
            lifetime_years=d.lifetime_years if options.lifetime_years is None else options.lifetime_years,
            server_capex_fraction=share,
        )) * np.where(np.isfinite(hours), 1.0, np.nan)
    elif options.cost_basis == "rental":
        rate = rental_rate(acc, options)
        if rate is not None:
            hardware = np.asarray(C.rental_cost(rate, n, finite_hours)) * np.where(np.isfinite(hours), 1.0, np.nan)
    if options.cost_basis == "rental":
        # a rental price per accelerator-hour includes the power (the provider pays the meter)
        electricity, included = None, []
    if hardware is not None:
        included.insert(0, {"capex": "hardware (purchase)", "amortised": "hardware (amortised)",
                            "rental": "rental (power included)"}[options.cost_basis])
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


# --------------------------------------------------------------------------------------------
# Sizing one candidate
# --------------------------------------------------------------------------------------------


def _refine(acc_id: str, goal: Goal, curve: FleetCurve, hit: int, target_s: float, catalog) -> tuple[int, dict]:
    """Narrow the grid answer by bisection over the smooth fleet sizes between the grid point below and it."""
    idx = int(np.searchsorted(curve.counts, hit))
    low = int(curve.counts[idx - 1]) if idx > 0 else 0
    ks = smooth_numbers(hit // curve.granule) * curve.granule
    sizes = [int(k) for k in ks if low < k <= hit]
    count = S.bisect_sizes(lambda n: point(acc_id, goal, n, catalog=catalog)["seconds_per_token"] * goal.tokens,
                           target_s, sizes)
    pt = point(acc_id, goal, count, catalog=catalog)
    if not pt["seconds_per_token"] * goal.tokens <= target_s:  # a size between grid points that misses (the batch
        return hit, point(acc_id, goal, hit, catalog=catalog)  # splits badly over it): keep the grid answer
    return count, pt


def _supply(acc, options: Options, window_days: float) -> tuple[float | None, float | None]:
    units = (options.supply_units_per_year or {}).get(acc.id, acc.supply_units_per_year)
    if units is None:
        return None, None
    return float(units), float(S.supply_available(units, window_days, options.supply_share, options.yield_fraction))


def _max_fabric(acc, options: Options, catalog) -> float:
    link = catalog.links.get(acc.scaleout_link) if acc.scaleout_link else None
    if link is not None and getattr(link, "max_domain", None):
        return float(link.max_domain)
    return float(S.fat_tree_max_endpoints(options.switch_radix, options.fabric_tiers))


def _export_reason(acc, options: Options) -> tuple[str | None, dict | None]:
    try:
        from suanli.models.export import classify_accelerator
    except ImportError:  # the export model is optional for this module
        return None, None
    classification = classify_accelerator(acc)
    return S.export_blocked(classification, acc.id, options.export_rule), classification


def size_candidate(chip: str, goal: Goal, options: Options, *, target_days: float | None, catalog=None,
                   refine: bool = True, terms: SiteTerms | None = None) -> dict[str, Any]:
    """One row: the fleet of ``chip`` that meets ``target_days`` (or that the goal's budget buys), its
    power, racks, money, and feasibility with reasons. Keys: :data:`ROW_KEYS` and more (see :func:`compare`)."""
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
    supply_per_year, supply_units = _supply(acc, options, window)
    fabric = _max_fabric(acc, options, cat)
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
    export_reason, classification = _export_reason(acc, options)
    econ = economics(acc, chips if np.isfinite(chips) else 0.0, days if np.isfinite(days) else math.nan, options, terms)
    unknowns = []
    if econ["unit_price"] is None:
        unknowns.append(f"no purchase price for {acc.id} in the catalog: capex and cost unknown")
    if options.cost_basis == "rental" and econ["hardware_cost"] is None:
        unknowns.append(f"no rental price for {acc.id} (give one with rental_per_hour / --rental)")
    if terms.price_kwh is None and options.cost_basis != "rental":
        unknowns.append("no electricity price (give a site or price_kwh): cost excludes electricity")
    if supply_units is None:
        unknowns.append(f"no supply figure for {acc.id}: supply not checked")
    domain = acc.scaleup_domain or 1
    if domain < SMALL_SCALEUP_DOMAIN and curve.fits.any():
        unknowns.append(f"a scale-up domain of {domain} chip{'s' if domain > 1 else ''}: tensor parallelism stays inside it, "
                        "so the run leans on pipeline and data parallelism over the scale-out network")
    feasible, reasons = S.feasibility(
        chips_needed=chips if np.isfinite(chips) else None,
        deadline_days=target_days,
        best_days=best_days,
        supply_units=supply_units,
        supply_window_days=window,
        max_fabric_chips=fabric,
        fits_memory=bool(curve.fits.any()),
        no_fit_reason=_no_fit_reason(curve),
        export_reason=export_reason,
        needs_porting=curve.porting,
        unknowns=unknowns,
        best_chips=int(curve.counts[fastest]) if fastest is not None else None,
        batch_note=_batch_note(goal),
    )
    over_budget = goal.budget is not None and basis == "deadline" and econ["cost"] is not None and np.isfinite(chips) \
        and float(econ["cost"]) > goal.budget
    if over_budget:
        feasible = False
        reasons.insert(0, f"costs {float(econ['cost']):,.0f} {options.currency}, over the {goal.budget:,.0f} budget")
    if basis == "budget" and not np.isfinite(chips):
        feasible = False
        reasons.insert(0, f"no fleet of {acc.id} that the fabric and supply allow fits the {goal.budget:,.0f} {options.currency} budget"
                       if econ["unit_price"] is not None
                       else f"cannot size a fleet of {acc.id} to a budget without a price")
    scal = lambda v: None if v is None else float(v)
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
        "export": (classification or {}).get(options.export_rule, {}).get("eccn") if options.export_rule != "none" else None,
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
    return (f"a larger fleet would need a global batch above the critical batch of {batch:,} sequences "
            f"(McCandlish et al. 2018)")


def _no_fit_reason(curve: FleetCurve) -> str | None:
    """The engine's own words when no size fits and it was not about memory (e.g. a missing FP8 peak)."""
    if curve.fits.any() or not curve.failure or "memory" in curve.failure:
        return None
    return f"the engine cannot run it on {curve.chip}: {curve.failure}"


def _grid_point(curve: FleetCurve, count: int) -> dict[str, Any]:
    i = int(np.searchsorted(curve.counts, count))
    return {"seconds_per_token": float(curve.seconds_per_token[i]), "slowdown": float(curve.slowdown[i]),
            "mfu": float(curve.mfu[i]), "layout": curve.layouts[i]}


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------


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
        """"Replacing 10,000 H100 takes N 910B, X MW and Y yuan" for one row."""
        ref = self.reference
        if row.get("chips_needed") is None:
            return f"{row['chip']}: no fleet meets the goal ({'; '.join(row['reasons'][:1])})"
        from suanli.present import count, days, money, number

        cash = f" and {money(row['cost'], self.options.currency)}" if row.get("cost") is not None else ""
        return (f"Replacing {count(ref['count'])} {ref['chip']} ({days(ref['train_days'])}) takes {count(row['chips_needed'])} "
                f"{row['chip']} ({days(row['train_days'])}), {number(row['facility_mw'])} MW{cash}")


def reference_row(chip: str, count: int, goal: Goal, options: Options, *, catalog=None, terms: SiteTerms | None = None) -> dict[str, Any]:
    """The reference fleet run through the same engine, compat, power and cost models.

    Its time is that of the best layout on *at most* ``count`` chips (a size that factors badly into
    TP x PP x DP would otherwise make a larger fleet look slower; ``chips_used`` says how many ran);
    its power, energy and cost are those of the whole fleet."""
    cat = _catalog(catalog)
    acc = cat.accelerator(chip)
    if int(count) != count or count <= 0:
        raise InputError(f"the reference count must be a whole number of chips above 0, got {count!r}")
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
    scal = lambda v: None if v is None else float(v)
    return {
        "chip": acc.id, "count": int(count), "chips_used": used, "train_days": float(days), "facility_mw": scal(econ["facility_mw"]),
        "energy_mwh": scal(econ["energy_mwh"]), "cost": scal(econ["cost"]), "capex": scal(econ["capex"]),
        "hardware_cost": scal(econ["hardware_cost"]), "electricity_cost": scal(econ["electricity_cost"]),
        "unit_price": econ["unit_price"], "racks": scal(econ["racks"]), "floor_m2": scal(econ["floor_m2"]),
        "slowdown": pt["slowdown"], "mfu": pt["mfu"], "layout": pt["layout"], "cost_includes": econ["cost_includes"],
    }


def compare(goal: Goal, reference: tuple[str, int], candidates: Sequence[str], options: Options | None = None, *,
            catalog=None, refine: bool = True) -> Comparison:
    """Size every candidate for the goal against the reference fleet: the substitution table.

    Rows add to :data:`ROW_KEYS`: ``equal_time_chips`` (chips matching the reference's time),
    ``chips_per_reference_chip``, ``equal_cost_chips`` and ``equal_cost_days`` (the fleet the reference
    fleet's hardware money buys, and its time), ``pareto`` (on the time-cost-power front of the rows),
    racks, floor area, capex, slowdown, MFU, layout, supply, fabric limit, export ECCN and warnings.
    """
    options = options or Options()
    cat = _catalog(catalog)
    if not candidates:
        raise InputError("give at least one candidate chip")
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
    rows = []
    for chip in dict.fromkeys(candidates):
        row = size_candidate(chip, goal, options, target_days=target, catalog=cat, refine=refine, terms=terms)
        _add_reference_comparisons(row, ref, goal, options, cat, terms, refine)
        rows.append(row)
    objectives = np.array([[r["train_days"] if r["train_days"] is not None else np.nan,
                            r["cost"] if r["cost"] is not None else np.nan,
                            r["facility_mw"] if r["facility_mw"] is not None else np.nan] for r in rows], dtype=float)
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


# --------------------------------------------------------------------------------------------
# The Pareto front over every chip and fleet size
# --------------------------------------------------------------------------------------------

PARETO_OBJECTIVES = ("train_days", "cost", "facility_mw")


def pareto_options(goal: Goal, chips: Sequence[str], options: Options | None = None, *, catalog=None,
                   objectives: Sequence[str] = PARETO_OBJECTIVES, max_days: float | None = None) -> dict[str, np.ndarray]:
    """Every (chip, fleet size) on the grids as columns, with the non-dominated ones flagged.

    Columns (numpy arrays, one entry per option): ``chip``, ``count``, ``train_days`` (best layout on at
    most that many chips), ``cost``, ``facility_mw``, ``energy_mwh``, ``allowed`` (not export-blocked,
    within the window's supply and the fabric's size) and ``pareto`` (on the front of the allowed
    options over ``objectives``, all minimised; an option with an unknown objective, e.g. no price, is
    never on it). ``max_days`` drops options slower than that.

    References: :func:`suanli.models.substitution.pareto_mask` (Deb 2001, sec. 2.4).
    """
    options = options or Options()
    cat = _catalog(catalog)
    terms = site_terms(options, cat)
    unknown = set(objectives) - {"train_days", "cost", "facility_mw", "energy_mwh"}
    if unknown or not objectives:
        raise InputError(f"objectives must be among train_days, cost, facility_mw, energy_mwh; got {list(objectives)}")
    cols: dict[str, list] = {k: [] for k in ("chip", "count", "train_days", "cost", "facility_mw", "energy_mwh", "allowed")}
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
        _, supply = _supply(acc, options, window)
        allowed = (n <= _max_fabric(acc, options, cat)) & (True if supply is None else n <= supply)
        allowed &= _export_reason(acc, options)[0] is None
        cols["chip"] += [acc.id] * int(n.size)
        cols["count"].append(n)
        cols["train_days"].append(d)
        cols["cost"].append(np.full(n.shape, np.nan) if econ["cost"] is None else np.broadcast_to(econ["cost"], n.shape))
        cols["facility_mw"].append(np.broadcast_to(econ["facility_mw"], n.shape))
        cols["energy_mwh"].append(np.broadcast_to(econ["energy_mwh"], n.shape))
        cols["allowed"].append(np.broadcast_to(allowed, n.shape))
    out = {"chip": np.array(cols["chip"], dtype=object)}
    for k in ("count", "train_days", "cost", "facility_mw", "energy_mwh", "allowed"):
        out[k] = np.concatenate(cols[k]) if cols[k] else np.array([])
    x = np.column_stack([out[k].astype(float) for k in objectives]) if out["count"].size else np.zeros((0, len(objectives)))
    x[~out["allowed"].astype(bool)] = np.nan
    out["pareto"] = S.pareto_mask(x) if x.shape[0] else np.array([], dtype=bool)
    return out


# --------------------------------------------------------------------------------------------
# Sensitivity to the uncertain inputs
# --------------------------------------------------------------------------------------------

SENSITIVITY_OUTPUTS = ("chips_needed", "train_days", "cost", "facility_mw")


def sensitivity(goal: Goal, chip: str, options: Options | None = None, *, target_days: float, catalog=None,
                output: str = "chips_needed") -> list[dict[str, Any]]:
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
    from suanli import engine
    from suanli.models import uncertainty as U
    from suanli.models.power import DEFAULTS

    if output not in SENSITIVITY_OUTPUTS:
        raise InputError(f"output must be one of {', '.join(SENSITIVITY_OUTPUTS)}, got {output!r}")
    _check_positive("target_days", target_days)
    options = options or Options()
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
                est = engine.estimate(goal.workload, tokens=CURVE_TOKENS, chip=acc, count=count, precision=goal.precision,
                                      global_batch=goal.global_batch, matmul_efficiency=min(eff, 1.0), catalog=cat,
                                      runners_up=0)
                return est.train_days

            base = days_at(mm)
            inputs["matmul_efficiency"] = (days_at(hi) / base, days_at(lo) / base)  # as a time multiplier
    price = chip_price(acc, options.currency)
    if price is not None:
        from suanli.prices import quote_field

        field = quote_field(acc)[0]
        dist = U.spec_distribution(price, acc.sources[field].confidence,
                                   tuple(chip_price_range(acc, options.currency)) if field in acc.ranges else None)
        inputs["chip_price"] = (dist.ppf(0.0), dist.ppf(1.0)) if isinstance(dist, U.Distribution) else price
    inputs["pue"] = terms.pue_range if terms.pue_range[0] < terms.pue_range[1] else terms.pue
    if terms.price_kwh is not None:
        inputs["price_kwh"] = terms.price_range if terms.price_range and terms.price_range[0] < terms.price_range[1] else terms.price_kwh
    lo_u, hi_u = DEFAULTS.ranges["utilization"]
    inputs["utilization"] = (lo_u, hi_u)

    def model(stack_slowdown=1.0, matmul_efficiency=1.0, chip_price=price, pue=terms.pue, price_kwh=terms.price_kwh,
              utilization=terms.utilization):
        m = float(stack_slowdown) * float(matmul_efficiency)
        scaled = days * m
        n = float(S.interpolate_count(curve.counts, scaled, target_days))
        if not np.isfinite(n):
            return {k: np.nan for k in SENSITIVITY_OUTPUTS}
        first = scaled[np.isfinite(scaled)][0]
        d = float(first) if first <= target_days else float(target_days)  # the smallest fleet may beat the target
        econ = economics(acc, n, d, options, terms, price=chip_price, pue=pue, price_kwh=price_kwh, utilization=utilization)
        return {"chips_needed": n, "train_days": d, "cost": np.nan if econ["cost"] is None else econ["cost"],
                "facility_mw": econ["facility_mw"]}

    rows = U.tornado(model, inputs, output, low_q=0.1, high_q=0.9)
    for r in rows:
        r["output"] = output
        base = r["base"]
        # relative swings: apply them to a refined answer (the interpolated base is not the bisected count)
        r["relative_low"] = r["output_low"] / base if base else math.nan
        r["relative_high"] = r["output_high"] / base if base else math.nan
    return rows


def chip_price_range(acc, currency: str) -> tuple[float, float]:
    """The chip's price range (its own ``ranges`` entry) in ``currency``."""
    from suanli.prices import chip_price as one_price

    p = one_price(acc, currency)
    if p is None or p.low is None:
        raise InputError(f"{acc.id} has no price range in the catalog")
    return p.low, p.high


# --------------------------------------------------------------------------------------------
# Two pools: the compute-islands problem
# --------------------------------------------------------------------------------------------

DEFAULT_FIBRE_WAVELENGTHS = 16
"""Wavelengths leased on a cross-site route when none is given (an estimate: 16 x 400G = 6.4 Tb/s,
a quarter of a 64-channel C-band DWDM line system; pass ``link_ports`` for a real lease)."""


def mixed_fleet(goal: Goal, pool_a: tuple[str, int], pool_b: tuple[str, int], options: Options | None = None, *,
                link: str = "roce-400g", link_ports: int | None = None, route_km: float | None = None,
                overlap: float = S.CROSS_POOL_OVERLAP.value, catalog=None) -> dict[str, Any]:
    """Train on two pools at once (e.g. 2,000 H800 + 6,000 910B): load-balanced data parallelism over a
    cross-pool link, against each pool alone.

    Each pool runs its own best layout on its own chips (:func:`point`, stack slowdown included) and
    takes the share of the global batch that makes both finish a step together; the gradients (the
    model's parameters x :data:`suanli.models.defaults.GRAD_REDUCE_BYTES`) are then averaged across the
    ``link``: ``link_ports`` parallel ports (default: one per server of the smaller pool for a
    scale-out link; :data:`DEFAULT_FIBRE_WAVELENGTHS` for ``cross-site-fibre``) at the link's bandwidth
    and efficiency; for a cross-site link the latency scales with ``route_km`` (the catalog's figure is
    for 1,000 km). Returns the split, the mixed run's days, power and cost, each pool alone, the gain
    (or loss) against each, and the cross-link bandwidth at which the mix stops paying.

    References: :func:`suanli.models.substitution.two_pool_step`; the link's own sources.
    """
    from suanli.models import defaults as D
    from suanli.models.workload import parameter_counts

    options = options or Options()
    cat = _catalog(catalog)
    terms = site_terms(options, cat)
    link_spec = cat.link(link)
    pools = []
    for label, (chip, count) in (("a", pool_a), ("b", pool_b)):
        if int(count) != count or count <= 0:
            raise InputError(f"pool {label} count must be a whole number of chips above 0, got {count!r}")
        acc = cat.accelerator(chip)
        pt = point(acc.id, goal, int(count), catalog=cat)
        if not pt["fits"]:
            raise InputError(f"pool {label} ({count:,} x {acc.id}) cannot hold the model on its own: {pt['reason']}")
        tps = 1.0 / pt["seconds_per_token"]
        pools.append({"chip": acc.id, "count": int(count), "tokens_per_s": tps, "layout": pt["layout"],
                      "train_days": goal.tokens / tps / SECONDS_PER_DAY, "alone_layout": pt["layout"], "acc": acc})
    # Each pool trains on its share of the global batch, which changes its own throughput (fewer
    # micro-batches, a larger pipeline bubble): iterate share -> throughput -> share a few times.
    from suanli.engine import default_global_batch

    batch_seqs = goal.global_batch or default_global_batch(goal.workload)
    for _ in range(3):
        total_tps = sum(p["tokens_per_s"] for p in pools)
        for p in pools:
            # whole multiples of 16 sequences: a prime share would force a degenerate DP x micro-batch split
            seqs = max(16, 16 * round(batch_seqs * p["tokens_per_s"] / total_tps / 16))
            pt = point(p["chip"], goal, p["count"], catalog=cat, global_batch=seqs)
            if pt["fits"]:
                p.update(tokens_per_s=1.0 / pt["seconds_per_token"], layout=pt["layout"], batch_sequences=seqs)
    a, b = pools
    if link_ports is None:
        if link_spec.link_kind == "cross-site":
            link_ports = DEFAULT_FIBRE_WAVELENGTHS
        else:
            from suanli.models.power import DEFAULTS

            link_ports = int(min(math.ceil(p["count"] / (p["acc"].chips_per_server or DEFAULTS.chips_per_server)) for p in pools))
    _check_positive("link_ports", link_ports)
    bw = link_spec.bandwidth_gbs * 1e9 * (link_spec.efficiency or 1.0) * link_ports
    alpha = link_spec.latency_us * 1e-6
    if route_km is not None:
        _check_positive("route_km", route_km)
        if link_spec.link_kind != "cross-site":
            raise InputError(f"route_km applies to a cross-site link such as cross-site-fibre, not to {link_spec.id}")
        alpha = alpha * route_km / 1000.0
    batch_tokens = _batch_tokens(goal)
    grad_bytes = parameter_counts(goal.workload)["total"] * D.GRAD_REDUCE_BYTES.value
    step = S.two_pool_step(a["tokens_per_s"], b["tokens_per_s"], batch_tokens, grad_bytes, bw, alpha, overlap)
    mixed_days = goal.tokens / step["tokens_per_s"] / SECONDS_PER_DAY
    econ = [economics(p["acc"], p["count"], mixed_days, options, terms) for p in pools]
    alone = [economics(p["acc"], p["count"], p["train_days"], options, terms) for p in pools]

    def total(key, items):
        vals = [e[key] for e in items]
        return None if any(v is None for v in vals) else float(sum(float(v) for v in vals))

    best_alone = min(a["train_days"], b["train_days"])
    notes = []
    if a["acc"].stack != b["acc"].stack:
        notes.append(f"the pools run different stacks ({a['acc'].stack}, {b['acc'].stack}): their collective libraries "
                     "do not form one communicator, so the exchange goes through a bridge on the critical path")
    if mixed_days > best_alone:
        notes.append(f"the mix is slower than the faster pool alone: each pool trains on part of the global batch, with "
                     f"fewer sequences per replica than alone, and the cross-pool exchange takes {step['exchange_share']:.0%} of the step")
    return {
        "pool_a": {k: v for k, v in a.items() if k != "acc"},
        "pool_b": {k: v for k, v in b.items() if k != "acc"},
        "link": link_spec.id,
        "link_ports": int(link_ports),
        "link_gbs": bw / 1e9,
        "link_latency_ms": alpha * 1e3,
        "batch_tokens": batch_tokens,
        "gradient_gb": grad_bytes / 1e9,
        "share_a": step["share_a"],
        "share_b": step["share_b"],
        "step_s": step["step_s"],
        "exchange_s": step["exchange_s"],
        "exchange_share": step["exchange_share"],
        "train_days": mixed_days,
        "gain_vs_a": a["train_days"] / mixed_days,
        "gain_vs_b": b["train_days"] / mixed_days,
        "gain_vs_best_alone": best_alone / mixed_days,
        "break_even_link_gbs": step["break_even_bytes_per_s"] / 1e9,
        "facility_mw": total("facility_mw", econ),
        "energy_mwh": total("energy_mwh", econ),
        "cost": total("cost", econ),
        "alone_energy_mwh": {"a": float(alone[0]["energy_mwh"]), "b": float(alone[1]["energy_mwh"])},
        "currency": options.currency,
        "notes": notes,
    }


def _batch_tokens(goal: Goal) -> float:
    from suanli.engine import default_global_batch

    return float((goal.global_batch or default_global_batch(goal.workload)) * goal.workload.seq)
