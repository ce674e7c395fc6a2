"""The substitution question's inputs: a training goal, a fleet given as ``CHIP:COUNT``, and the options
(site, currency, cost basis, supply and fabric limits) the other modules read."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from suanli.errors import InputError
from suanli.models import substitution as S

COST_BASES = ("capex", "amortised", "rental")
"""How a fleet is paid for: bought outright (capex), owned and amortised over the run, or rented."""

ROW_KEYS = ("chip", "chips_needed", "train_days", "facility_mw", "energy_mwh", "cost", "feasible", "reasons")
"""The keys every row has at least (the CLI's contract); rows carry more (see :func:`compare`)."""

SECONDS_PER_DAY = 86_400.0


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

    def __post_init__(self) -> None:
        from suanli.models.workload import Workload
        from suanli.scenarios._checks import instance
        from suanli.scenarios.training import TRAINING_PRECISIONS
        from suanli.validate import positive, whole

        instance("goal.workload", self.workload, Workload, "a Workload (make_goal builds one from a preset or params)")
        positive("goal.tokens", self.tokens)
        for name in ("deadline_days", "budget"):
            if getattr(self, name) is not None:
                positive(f"goal.{name}", getattr(self, name))
        if self.precision not in TRAINING_PRECISIONS:
            raise InputError(f"goal.precision must be one of {', '.join(TRAINING_PRECISIONS)}, got {self.precision!r}")
        if self.global_batch is not None:
            whole("goal.global_batch (sequences)", self.global_batch)

    @property
    def model(self) -> str:
        return getattr(self.workload, "name", "custom")


def make_goal(
    model: str | Any | None = None,
    *,
    params: float | None = None,
    tokens: float,
    deadline_days: float | None = None,
    budget: float | None = None,
    precision: str = "bf16",
    global_batch: int | None = None,
) -> Goal:
    """A :class:`Goal` from a preset name (or a Workload) or a parameter count; inputs checked, one sentence each."""
    from suanli.scenarios.training import make_workload

    _check_positive("tokens", tokens)
    if deadline_days is not None:
        _check_positive("deadline_days", deadline_days)
    if budget is not None:
        _check_positive("budget", budget)
    if params is not None:
        _check_positive("params", params)
    from suanli.scenarios.training import TRAINING_PRECISIONS

    if precision not in TRAINING_PRECISIONS:
        raise InputError(f"precision must be one of {', '.join(TRAINING_PRECISIONS)}, got {precision!r}")
    if global_batch is not None:
        from suanli.validate import whole

        global_batch = whole("global_batch (sequences)", global_batch)
    workload = make_workload(model, params=params)
    return Goal(
        workload=workload,
        tokens=float(tokens),
        deadline_days=None if deadline_days is None else float(deadline_days),
        budget=None if budget is None else float(budget),
        precision=precision,
        global_batch=None if global_batch is None else int(global_batch),
    )


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
        raise InputError(
            f"{what} must be CHIP:COUNT, like nvidia-h100-sxm5-80gb:10000; the chip is missing in {text!r}"
        )
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


def _catalog(catalog=None):
    from suanli.scenarios._checks import catalog as checked_catalog

    return checked_catalog(catalog)


def checked_goal(goal: Any) -> Goal:
    """``goal`` if it is a :class:`Goal` (its fields were checked when it was built); else one sentence."""
    from suanli.scenarios._checks import instance

    return instance("goal", goal, Goal, "a Goal (substitution.make_goal(...))")


def checked_options(options: Any) -> Options:
    """``options`` if it is an :class:`Options` (checked when built), ``Options()`` for None; else one sentence."""
    from suanli.scenarios._checks import instance

    return (
        Options()
        if options is None
        else instance("options", options, Options, "an Options (substitution.Options(...))")
    )
