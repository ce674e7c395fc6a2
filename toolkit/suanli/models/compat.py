"""What it costs to run CUDA training code on another software stack, and what porting wins back.

The model is Amdahl's law over operation classes (Amdahl 1967). A training step on native CUDA is
split into the classes of :data:`suanli.spec.OP_CLASSES` with time shares ``w_c`` (summing to 1).
On another stack each class runs partly on the vendor's native path, partly through a translation
layer (HIPIFY, MUSIFY, DTK, a Triton/XLA path without vendor tuning), partly on a slow generic
fallback (unfused eager ops, a reference kernel) and partly not at all. Its time grows by

    f_c = (1 + t_c (1/e_t,c - 1) + b_c (1/e_b,c - 1)) / g_c

where ``t_c`` and ``b_c`` are the translated and fallback shares of the class's time, ``e_t,c`` and
``e_b,c`` their speed relative to the native path on the same chip, and ``g_c`` a library factor:
the collective library's efficiency against NCCL for ``collectives``, the framework's efficiency
against PyTorch-on-CUDA for ``host_overhead``, 1 otherwise. The step slows down by

    S = sum_c w_c f_c                        (Amdahl 1967, generalised to several fractions)

so S = 1 exactly on native CUDA, and S grows with every translated or fallback share and falls with
every efficiency (it is monotone in each input). The loss of class c is ``w_c (f_c - 1)``; the
losses add up to ``S - 1``.

Unsupported code (``u_c``) cannot run: the step fails until it is ported. The model does not hide
it in the slowdown. It reports the run as *not feasible as is*, prices the mandatory port
(engineer-months) and computes the slowdown for the state after that port, assuming the ported code
reaches the native path (the porting effort in the data is sized to reach native parity). So the
unsupported share adds cost, never speed, and ``f_c`` above does not contain it.

What the slowdown costs: keeping the same deadline needs ``chips (S - 1)`` more chips (linear
scaling, an optimistic bound: scale-out efficiency below 1 makes it more); keeping the same chips
needs ``days (S - 1)`` more days. Porting class c to the native path costs ``m_c`` engineer-months
at a monthly rate and removes ``w_c (f_c - 1/g_c)`` from S (a kernel port cannot fix the collective
library or the framework: ``1/g_c`` stays). Porting pays against buying chips once the fleet has
more than ``cost / (removed slowdown x chip price)`` chips: the break-even fleet size.

A stack's ``maturity`` (0..1) is reported next to the result but does not enter the arithmetic:
it is a qualitative score, and the quantities it summarises are already the shares and
efficiencies above. :func:`stack_step_efficiency` gives ``1/S`` for callers (the training-time
engine) that need one whole-step factor for a stack instead of the per-class picture.

Ranges in give ranges out: every number of a stack may be ``[low, high]``. Because S is monotone in
each input, its exact bounds are two corner evaluations (:func:`profile_case`); Monte Carlo over the
ranges (:func:`sample_profile`) gives P10/P50/P90 in one vectorised call.

References:
    Amdahl, G. M. (1967). Validity of the single processor approach to achieving large scale
    computing capabilities. AFIPS Spring Joint Computer Conference, 483-485.
    Hennessy, J. L. and Patterson, D. A., Computer Architecture: A Quantitative Approach, 6th ed.
    (2017), section 1.9 (Amdahl's law with several enhanced fractions).
    Ivanov, A. et al. (2021). Data Movement Is All You Need: A Case Study on Optimizing
    Transformers. MLSys 2021, arXiv:2007.00072 (runtime by operator class).
    Understanding the Performance Horizon of the Latest ML Workloads with NonGEMM Workloads (2024),
    arXiv:2404.11788 (GEMM vs non-GEMM share of execution time).
    Stack numbers: each stack's ``op_sources`` in the plugins' ``stacks.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models.uncertainty import MAX_SAMPLES
from suanli.spec import OP_CLASSES, PATHS, Source
from suanli.validate import require_positive

N_CLASSES = len(OP_CLASSES)
NATIVE_STACKS = ("cuda",)
"""The stacks the model measures others against: CUDA code runs on them as written (no fallback, no port)."""
LIBRARY_FACTOR = {"collectives": "collective_efficiency", "host_overhead": "framework_efficiency"}
"""The op classes whose time a stack-wide library efficiency divides, and that efficiency's field."""

CASES = ("best", "central", "worst")

"""Corner cases of a profile given as ranges: everything at its most favourable bound, the central
values, everything at its least favourable bound."""

# --------------------------------------------------------------------------------------------
# Workload profiles for when the engine is not used.
# --------------------------------------------------------------------------------------------

FALLBACK_WORKLOADS: dict[str, dict[str, float]] = {
    "dense": {
        "gemm": 0.55,
        "attention": 0.15,
        "elementwise": 0.12,
        "moe_routing": 0.0,
        "collectives": 0.08,
        "optimizer": 0.03,
        "host_overhead": 0.04,
        "custom_kernels": 0.03,
    },
    "moe": {
        "gemm": 0.45,
        "attention": 0.12,
        "elementwise": 0.10,
        "moe_routing": 0.10,
        "collectives": 0.13,
        "optimizer": 0.03,
        "host_overhead": 0.04,
        "custom_kernels": 0.03,
    },
}
"""Share of step time per op class of a large transformer training step on H100-class GPUs with
Megatron-style parallelism, fused kernels and FlashAttention, for when no engine breakdown is used."""

FALLBACK_WORKLOAD_SOURCE = Source(
    citation=(
        "suanli estimate from Ivanov et al. 2021 (MLSys, arXiv:2007.00072), 'Understanding the Performance Horizon "
        "of the Latest ML Workloads with NonGEMM Workloads' (arXiv:2404.11788) and Megatron-Core's published MFU"
    ),
    url="https://arxiv.org/abs/2404.11788",
    date="2026-11",
    confidence="estimate",
    note=(
        "Ivanov et al. show that in transformer training the memory-bound normalisation and element-wise "
        "operators, a tiny share of the flop, take a large share of runtime. arXiv:2404.11788 measures GEMM "
        "operators at 42.8-96.6% of execution time across 16 models, with non-GEMM operators still 15-48% after "
        "operator fusion. Megatron-Core reports up to 47% MFU on H100, so matmuls cannot fill much more than "
        "70% of a large-model step. Large decoder models with fused norm/activation kernels and FlashAttention "
        "(Dao et al. 2022) we split: GEMM 0.55, attention 0.15, norm+element-wise 0.12, exposed collectives 0.08, "
        "optimizer 0.03, host/launch 0.04, custom kernels 0.03 (dense); the MoE profile moves 0.10 to "
        "routing/permutation and 0.05 to all-to-all. Replace by the engine's breakdown or a profiler trace."
    ),
)

# --------------------------------------------------------------------------------------------
# Porting effort and its price.
# --------------------------------------------------------------------------------------------

DEFAULT_PORT_ENGINEER_MONTHS: dict[str, tuple[float, float]] = {
    "gemm": (3.0, 12.0),
    "attention": (6.0, 24.0),
    "elementwise": (2.0, 8.0),
    "moe_routing": (3.0, 12.0),
    "collectives": (6.0, 24.0),
    "optimizer": (0.5, 3.0),
    "host_overhead": (3.0, 12.0),
    "custom_kernels": (6.0, 24.0),
}
"""Engineer-months to bring one op class of a typical LLM-training codebase to the native path of a
stack, (low, high), used where a stack's ``op_profile`` entry gives no ``port_engineer_months``."""

DEFAULT_PORT_SOURCE = Source(
    citation="suanli estimate (no published engineer-month figures for CUDA ports; compat_layers.md sections 2.1-2.9)",
    date="2026-11",
    confidence="estimate",
    note=(
        "No public source quantifies porting effort (the reference survey found none for HIP, DTK, MUSA, "
        "MXMACA, CANN or BANG). Reasoning: a class's port is one to three kernel families (attention "
        "forward+backward with its variants; GEMM epilogues and tuning tables; fused norm/activation "
        "kernels; MoE permute/unpermute and grouped GEMM; the collective integration and its tuning at "
        "scale), each a few thousand lines of tuned code that experienced kernel engineers write and "
        "validate in one to six months per family and per chip generation. Optimizer kernels are small "
        "(fused Adam). Ranges span a team reusing a vendor library to one writing from scratch."
    ),
)

USD_PER_ENGINEER_MONTH = (15_000.0, 30_000.0)
"""Fully loaded monthly cost of a GPU kernel engineer in the US, (low, high) USD."""

USD_PER_ENGINEER_MONTH_SOURCE = Source(
    citation="suanli estimate from US BLS Occupational Employment and Wage Statistics, Software Developers (15-1252), May 2024",
    url="https://www.bls.gov/oes/current/oes151252.htm",
    date="2025-04",
    confidence="estimate",
    note=(
        "BLS May 2024: mean annual wage of software developers $144,570, 90th percentile $211,450 "
        "(12.0k-17.6k USD a month). Kernel and compiler engineers sit near the top of that range; "
        "employer costs (benefits, payroll tax, equipment, management) add 30-50%. Hence 15k-30k USD "
        "per engineer-month."
    ),
)

CNY_PER_ENGINEER_MONTH = (40_000.0, 100_000.0)
"""Fully loaded monthly cost of a kernel engineer in China, (low, high) CNY."""

CNY_PER_ENGINEER_MONTH_SOURCE = Source(
    citation=(
        "suanli estimate from the Zhilian Zhaopin Q2 2024 AI salary report, via Global Times (2024-07-08) and "
        "yourai.pro ('AI engineers take top spot in China salary rankings')"
    ),
    url="https://www.globaltimes.cn/page/202407/1315636.shtml",
    date="2024-07",
    confidence="estimate",
    note=(
        "Zhilian Zhaopin: average monthly salary in the AI sector 13,594 CNY in Q2 2024, AI engineers "
        "about 22,000 CNY (the highest-paid occupation). Experienced operator/kernel engineers for "
        "domestic accelerators earn two to three times the AI-engineer average (job postings ask for 5-10 "
        "years of GPU-architecture experience); social insurance and housing fund add about 30-40%, "
        "overheads more. Hence 40k-100k CNY per engineer-month."
    ),
)

# --------------------------------------------------------------------------------------------
# The model: pure, vectorised functions.
# --------------------------------------------------------------------------------------------


@V.checked(
    translated=V.SHARE,
    fallback=V.SHARE,
    translated_efficiency=V.EFFICIENCY,
    fallback_efficiency=V.EFFICIENCY,
    library_efficiency=V.EFFICIENCY,
)
def class_time_factor(translated, fallback, translated_efficiency, fallback_efficiency, library_efficiency=1.0):
    """Time of an op class on a stack over its time on native CUDA (>= 1).

    ``translated`` and ``fallback`` are shares of the class's time (the native and unsupported
    shares run at native speed: unsupported code is counted as ported, see the module docstring);
    the efficiencies are speeds relative to the native path, in (0, 1]; ``library_efficiency`` is
    the collective library's or the framework's efficiency for the classes they govern.
    All arguments broadcast.

    References: Amdahl 1967; Hennessy & Patterson, 6th ed., section 1.9.
    """
    t, b = V.share("translated", translated), V.share("fallback", fallback)
    if np.any(t + b > 1.0 + 1e-9):
        raise InputError(f"translated + fallback shares cannot exceed 1, got {translated!r} + {fallback!r}")
    et, eb = (
        V.efficiency("translated_efficiency", translated_efficiency),
        V.efficiency("fallback_efficiency", fallback_efficiency),
    )
    g = V.efficiency("library_efficiency", library_efficiency)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # a path with no share costs nothing
        out = (1.0 + np.where(t > 0, t * (1.0 / et - 1.0), 0.0) + np.where(b > 0, b * (1.0 / eb - 1.0), 0.0)) / g
    if not np.all(np.isfinite(out)):
        raise InputError("an efficiency so close to 0 makes the slowdown overflow; give efficiencies above 1e-300")
    return out


@V.checked(op_shares=V.SHARE, time_factors=V.AT_LEAST_ONE)
def slowdown(op_shares, time_factors):
    """Step time on the stack over step time on native CUDA: ``sum_c w_c f_c`` over the last axis.

    Computed as ``1 + sum_c w_c (f_c - 1)``, equal when the shares sum to 1, so that a stack whose
    every factor is 1 gives exactly 1 whatever the rounding of the shares.

    References: Amdahl 1967 (the serial/parallel split generalised to several fractions, as in
    Hennessy & Patterson, 6th ed., section 1.9).
    """
    return 1.0 + np.sum(class_losses(op_shares, time_factors), axis=-1)


@V.checked(op_shares=V.SHARE, time_factors=V.AT_LEAST_ONE)
def class_losses(op_shares, time_factors):
    """Time each op class adds, as a fraction of the native step: ``w_c (f_c - 1)``; sums to S - 1.

    References: Amdahl 1967.
    """
    return V.share("op_shares", op_shares) * (V.array("time_factors", time_factors, low=1.0) - 1.0)


@V.checked(chips=V.NON_NEGATIVE, slowdown_factor=V.AT_LEAST_ONE)
def extra_chips(chips, slowdown_factor):
    """Extra chips to keep the native deadline: ``chips (S - 1)``, assuming linear scaling.

    Linear scaling is the optimistic bound; a scale-out efficiency below 1 needs more.
    References: Amdahl 1967 (time = work / rate at fixed work).
    """
    return V.array("chips", chips, low=0.0) * (V.array("slowdown_factor", slowdown_factor, low=1.0) - 1.0)


@V.checked(days=V.NON_NEGATIVE, slowdown_factor=V.AT_LEAST_ONE)
def extra_days(days, slowdown_factor):
    """Extra days on the same chips: ``days (S - 1)``. References: Amdahl 1967."""
    return V.array("days", days, low=0.0) * (V.array("slowdown_factor", slowdown_factor, low=1.0) - 1.0)


@V.checked(op_shares=V.SHARE, time_factors=V.AT_LEAST_ONE, library_efficiency=V.EFFICIENCY)
def porting_gain(op_shares, time_factors, library_efficiency):
    """Slowdown removed by porting each class to the native path: ``w_c (f_c - 1/g_c)``.

    A kernel port cannot change the collective library's or the framework's efficiency, so
    ``1/g_c`` remains. References: Amdahl 1967.
    """
    w, f = V.share("op_shares", op_shares), V.array("time_factors", time_factors, low=1.0)
    g = V.efficiency("library_efficiency", library_efficiency)
    if np.any(f < 1.0 / g - 1e-12):
        raise InputError(
            "a time factor includes its library efficiency g, so it is at least 1/g; "
            f"got time_factors {time_factors!r} with library_efficiency {library_efficiency!r}"
        )
    # within the 1e-12 tolerance above, f may sit a rounding error below 1/g: that is no gain, not a loss
    return w * np.maximum(f - 1.0 / g, 0.0)


@V.checked(finite_result=False, port_cost=V.NON_NEGATIVE, slowdown_removed=V.NON_NEGATIVE, chip_price=V.POSITIVE)
def break_even_chips(port_cost, slowdown_removed, chip_price):
    """Fleet size (native chips) above which porting costs less than the chips it saves.

    ``port_cost / (slowdown_removed x chip_price)``, both in one currency; infinite when porting
    removes nothing. References: Amdahl 1967 (the saving is ``chips x slowdown_removed`` chips).
    """
    cost = V.array("port_cost", port_cost, low=0.0)
    saved = V.array("slowdown_removed", slowdown_removed, low=0.0) * V.array(
        "chip_price", chip_price, low=0.0, low_open=True
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(saved > 0, cost / np.where(saved > 0, saved, 1.0), np.inf)


# --------------------------------------------------------------------------------------------
# Profiles: from a stack spec (with ranges) to arrays.
# --------------------------------------------------------------------------------------------

_ENTRY_KEYS = (
    "translated",
    "fallback",
    "unsupported",
    "translated_efficiency",
    "fallback_efficiency",
    "port_engineer_months",
)
_WORSE_WHEN_HIGH = {
    "translated": True,
    "fallback": True,
    "unsupported": True,
    "port_engineer_months": True,
    "translated_efficiency": False,
    "fallback_efficiency": False,
    "library_efficiency": False,
}


def _bounds(value: Any, name: str) -> tuple[float, float, float]:
    """(low, central, high) of a number, ``[low, high]`` or ``[low, best, high]``."""
    vals = value if isinstance(value, (list, tuple)) else [value]
    try:
        vals = [float(v) for v in vals]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number or a [low, high] range, got {value!r}") from None
    if len(vals) not in (1, 2, 3) or not all(np.isfinite(vals)) or sorted(vals) != vals:
        raise InputError(f"{name} must be a number or an increasing [low, high] range, got {value!r}")
    central = vals[1] if len(vals) == 3 else sum(vals) / len(vals)
    return vals[0], central, vals[-1]


@dataclass(frozen=True)
class StackProfile:
    """A stack's op profile as arrays over :data:`OP_CLASSES` (last axis), with (low, central, high).

    ``bounds[key]`` has shape (3, n_classes) for the per-class keys and the library efficiency.
    """

    stack_id: str
    bounds: Mapping[str, np.ndarray]
    sources: Mapping[str, Source] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()

    def case(self, which: str = "central") -> dict[str, np.ndarray]:
        """The profile at one corner (:data:`CASES`): every input at its favourable, central or
        unfavourable bound. S is monotone in each input, so best and worst bound it exactly."""
        if which not in CASES:
            raise InputError(f"case must be one of {', '.join(CASES)}, got {which!r}")
        out = {}
        for key, arr in self.bounds.items():
            if which == "central":
                out[key] = arr[1]
            else:
                worst_high = _WORSE_WHEN_HIGH[key]
                pick_high = worst_high if which == "worst" else not worst_high
                out[key] = arr[2] if pick_high else arr[0]
        return out

    def sample(self, n: int, seed: int = 0) -> dict[str, np.ndarray]:
        """``n`` Monte Carlo draws, uniform within each range, independent: arrays (n, n_classes).

        Translated, fallback and unsupported shares are rescaled where a draw makes them exceed 1
        together (the native share is the remainder).
        """
        if int(n) != n or n < 1:
            raise InputError(f"samples must be a whole number >= 1, got {n!r}")
        if n > MAX_SAMPLES:
            raise InputError(f"samples must be at most {MAX_SAMPLES:,} (memory), got {n:,}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InputError(f"seed must be a whole number >= 0, got {seed!r}")
        rng = np.random.default_rng(seed)
        out = {k: rng.uniform(a[0], a[2], size=(int(n), a.shape[-1])) for k, a in self.bounds.items()}
        total = out["translated"] + out["fallback"] + out["unsupported"]
        scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-300), 1.0)
        for key in ("translated", "fallback", "unsupported"):
            out[key] = out[key] * scale
        return out

    def table(self) -> list[dict[str, Any]]:
        """One row per op class: low/central/high of every input (for display)."""
        rows = []
        for i, op in enumerate(OP_CLASSES):
            row: dict[str, Any] = {"op_class": op}
            for key, arr in self.bounds.items():
                lo, mid, hi = arr[:, i]
                row[key] = float(mid) if lo == hi else [float(lo), float(mid), float(hi)]
            row["native"] = float(1.0 - sum(self.bounds[k][1, i] for k in ("translated", "fallback", "unsupported")))
            rows.append(row)
        return rows


def stack_profile(stack, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> StackProfile:
    """Arrays of a :class:`suanli.spec.SoftwareStack`'s op profile, with user ``overrides``.

    ``overrides`` maps an op class to entry keys (``translated``, ``fallback``, ``unsupported``,
    ``translated_efficiency``, ``fallback_efficiency``, ``port_engineer_months``) or, under the
    key ``"stack"``, to ``collective_efficiency`` / ``framework_efficiency``; values are numbers or
    ``[low, high]``. A class the stack does not describe is an error (no silent native default); a
    missing library efficiency counts as 1 and is listed in ``assumptions``.

    References: the stack's ``op_sources`` (plugins' ``stacks.toml``).
    """
    if not hasattr(stack, "op_profile") or not hasattr(stack, "id"):
        raise InputError(f"stack must be a software stack from the catalog (suanli.spec.SoftwareStack), got {stack!r}")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise InputError(f"overrides must map op classes to entries, got {overrides!r}")
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(OP_CLASSES) - {"stack"}
    if unknown:
        raise InputError(
            f"overrides name unknown op class(es) {', '.join(sorted(unknown))}; use {', '.join(OP_CLASSES)} or 'stack'"
        )
    profile = dict(getattr(stack, "op_profile", {}) or {})
    missing = [op for op in OP_CLASSES if op not in profile and op not in overrides]
    if missing:
        raise InputError(
            f"stack {stack.id!r} does not describe op class(es) {', '.join(missing)}; give them as overrides"
        )
    per = {k: np.zeros((3, N_CLASSES)) for k in _ENTRY_KEYS}
    per["translated_efficiency"][:] = 1.0
    per["fallback_efficiency"][:] = 1.0
    assumptions: list[str] = []
    for i, op in enumerate(OP_CLASSES):
        entry = dict(profile.get(op, {}))
        extra = dict(overrides.get(op, {}))
        bad = set(extra) - set(_ENTRY_KEYS)
        if bad:
            raise InputError(
                f"override for {op!r} has unknown key(s) {', '.join(sorted(bad))}; use {', '.join(_ENTRY_KEYS)}"
            )
        entry.update(extra)
        if "port_engineer_months" not in entry:
            entry["port_engineer_months"] = list(DEFAULT_PORT_ENGINEER_MONTHS[op])
        for key in _ENTRY_KEYS:
            if key in entry:
                per[key][:, i] = _bounds(entry[key], f"{op}.{key}")
        shares = per["translated"][:, i] + per["fallback"][:, i] + per["unsupported"][:, i]
        if (
            np.any(per["translated"][:, i] < 0)
            or np.any(per["fallback"][:, i] < 0)
            or np.any(per["unsupported"][:, i] < 0)
        ):
            raise InputError(f"{op}: shares cannot be negative")
        if shares[2] > 1.0 + 1e-9:
            where = "" if shares[1] > 1.0 + 1e-9 or shares[2] - shares[1] < 1e-9 else " at the top of their ranges"
            raise InputError(
                f"{op}: translated + fallback + unsupported shares reach {shares[2]:.3g}{where}, more than 1"
            )
        for key in ("translated_efficiency", "fallback_efficiency"):
            if np.any(per[key][:, i] <= 0) or np.any(per[key][:, i] > 1):
                raise InputError(f"{op}.{key} must lie in (0, 1], got {entry.get(key)!r}")
        if np.any(per["port_engineer_months"][:, i] < 0):
            raise InputError(f"{op}.port_engineer_months cannot be negative")
    lib = np.ones((3, N_CLASSES))
    stack_over = dict(overrides.get("stack", {}))
    bad = set(stack_over) - set(LIBRARY_FACTOR.values())
    if bad:
        raise InputError(f"stack overrides accept {', '.join(LIBRARY_FACTOR.values())}, not {', '.join(sorted(bad))}")
    for op, fname in LIBRARY_FACTOR.items():
        if fname in stack_over:
            lo, mid, hi = _bounds(stack_over[fname], fname)
        elif getattr(stack, fname, None) is not None:
            mid = float(getattr(stack, fname))
            lo, hi = stack.ranges.get(fname, (mid, mid))
        else:
            lo = mid = hi = 1.0
            assumptions.append(f"{fname} not given for {stack.id}: counted as 1 (no loss)")
        if not (0 < lo <= mid <= hi <= 1):
            raise InputError(f"{fname} must lie in (0, 1], got {[lo, mid, hi]}")
        lib[:, OP_CLASSES.index(op)] = (lo, mid, hi)
    per["library_efficiency"] = lib
    sources = dict(getattr(stack, "op_sources", {}) or {})
    for fname in LIBRARY_FACTOR.values():
        if fname in getattr(stack, "sources", {}):
            sources[fname] = stack.sources[fname]
    if any("port_engineer_months" not in (profile.get(op) or {}) for op in OP_CLASSES):
        sources["port_engineer_months_default"] = DEFAULT_PORT_SOURCE
    return StackProfile(stack_id=stack.id, bounds=per, sources=sources, assumptions=tuple(assumptions))


def _check_profile(profile: Any, keys: tuple[str, ...]) -> None:
    if not isinstance(profile, Mapping) or any(k not in profile for k in keys):
        raise InputError(
            f"profile must be a mapping with {', '.join(keys)} (from stack_profile), got {type(profile).__name__}"
        )


def time_factors(profile: Mapping[str, np.ndarray]):
    """Per-class time factors ``f_c`` of one profile case or sample (arrays broadcast).

    References: Amdahl 1967, generalised to several fractions as in Hennessy & Patterson, 6th ed.
    (2017), sec. 1.9 (see :func:`class_time_factor`).
    """
    _check_profile(
        profile, ("translated", "fallback", "translated_efficiency", "fallback_efficiency", "library_efficiency")
    )
    return class_time_factor(
        profile["translated"],
        profile["fallback"],
        profile["translated_efficiency"],
        profile["fallback_efficiency"],
        profile["library_efficiency"],
    )


def port_engineer_months(profile: Mapping[str, np.ndarray]):
    """(optional, mandatory) engineer-months per class: the class effort split in proportion to the
    translated+fallback share (optional, to win speed back) and the unsupported share (mandatory,
    to run at all).

    References: the effort figures are the stack's ``op_sources`` (plugins' ``stacks.toml``) or, where
    a stack gives none, :data:`DEFAULT_PORT_SOURCE` (a suanli estimate, compat_layers.md sections
    2.1-2.9); the split in proportion to the shares is this model's assumption (module docstring).
    """
    _check_profile(profile, ("translated", "fallback", "unsupported", "port_engineer_months"))
    t, b, u = profile["translated"], profile["fallback"], profile["unsupported"]
    total = t + b + u
    em = profile["port_engineer_months"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac_u = np.where(total > 0, u / np.where(total > 0, total, 1.0), 0.0)
        frac_opt = np.where(total > 0, (t + b) / np.where(total > 0, total, 1.0), 0.0)
    return em * frac_opt, em * frac_u


# --------------------------------------------------------------------------------------------
# Workload profile.
# --------------------------------------------------------------------------------------------


def _shares_kind(name: str, value: Any) -> None:
    """None, a mapping of op class -> share, or an object that carries one (an engine Estimate)."""
    if value is not None:
        V.mapping(name, getattr(value, "op_shares", value))


_SHARES = _shares_kind


@V.checked(op_shares=_SHARES, kind=V.TEXT, overrides=V.optional(V.mapping))
def workload_profile(
    op_shares: Mapping[str, float] | None = None, *, kind: str = "dense", overrides: Mapping[str, float] | None = None
) -> np.ndarray:
    """Shares of native step time per op class, as an array over :data:`OP_CLASSES` summing to 1.

    ``op_shares`` is the engine's breakdown (``Estimate.op_shares``); without it the documented
    fallback profile ``kind`` (:data:`FALLBACK_WORKLOADS`, source :data:`FALLBACK_WORKLOAD_SOURCE`)
    is used. ``overrides`` replaces individual shares; the others are then rescaled so the total
    stays 1 (an override is what the user means; the rest keeps its proportions).

    References: Ivanov et al. 2021, arXiv:2007.00072; arXiv:2404.11788 (time by operator class).
    """
    op_shares = getattr(op_shares, "op_shares", op_shares)  # an engine Estimate works as well as its shares
    if op_shares is None:
        if kind not in FALLBACK_WORKLOADS:
            raise InputError(f"unknown workload kind {kind!r}; use one of {', '.join(FALLBACK_WORKLOADS)}")
        op_shares = FALLBACK_WORKLOADS[kind]
    shares = {op: 0.0 for op in OP_CLASSES}
    for source_map, label in ((op_shares, "op_shares"), (overrides or {}, "overrides")):
        unknown = set(source_map) - set(OP_CLASSES)
        if unknown:
            raise InputError(
                f"{label} names unknown op class(es) {', '.join(sorted(unknown))}; use {', '.join(OP_CLASSES)}"
            )
    shares.update({k: V.number(f"op_shares[{k!r}]", v) for k, v in op_shares.items()})
    if any(v < 0 for v in shares.values()):
        raise InputError(f"op shares must be finite and >= 0, got {dict(op_shares)}")
    overrides = {k: V.number(f"the share override for {k!r}", v) for k, v in (overrides or {}).items()}
    if any(not 0 <= v <= 1 for v in overrides.values()):
        raise InputError(f"overridden shares must lie in 0..1, got {overrides}")
    fixed = sum(overrides.values())
    if fixed > 1.0 + 1e-9:
        raise InputError(f"overridden shares add up to {fixed:.3g}, more than 1")
    rest = sum(v for k, v in shares.items() if k not in overrides)
    out = np.array([overrides[op] if op in overrides else shares[op] for op in OP_CLASSES])
    free = np.array([op not in overrides for op in OP_CLASSES])
    if rest > 0:
        out[free] *= (1.0 - fixed) / rest
    elif fixed < 1.0 - 1e-9:
        raise InputError("the op shares are all zero outside the overrides; nothing to fill the rest of the step")
    if abs(out.sum() - 1.0) > 1e-6 or out.sum() == 0:
        raise InputError(f"op shares must sum to 1, got {out.sum():.4g}")
    return out


# --------------------------------------------------------------------------------------------
# The whole answer.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompatResult:
    """Slowdown, losses, extra chips/days/cost, mandatory porting and the porting programme.

    Values that depend on ranges are dicts ``{"best", "central", "worst"}`` (the exact bounds and
    the central value), with ``{"p10", "p50", "p90"}`` added when Monte Carlo samples were asked.
    """

    stack_id: str
    op_shares: dict[str, float]
    slowdown: dict[str, float]
    losses: list[dict[str, Any]]
    dominant: list[str]
    feasible_as_is: bool
    porting_required: list[dict[str, Any]]
    chips: float | None
    days: float | None
    extra_chips: dict[str, float] | None
    extra_days: dict[str, float] | None
    extra_cost: dict[str, dict[str, float]]
    programme: list[dict[str, Any]]
    porting_break_even: dict[str, Any]
    assumptions: list[str]
    sources: dict[str, dict[str, str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack_id,
            "op_shares": self.op_shares,
            "slowdown": self.slowdown,
            "losses": self.losses,
            "dominant": self.dominant,
            "feasible_as_is": self.feasible_as_is,
            "porting_required": self.porting_required,
            "chips": self.chips,
            "days": self.days,
            "extra_chips": self.extra_chips,
            "extra_days": self.extra_days,
            "extra_cost": self.extra_cost,
            "porting_programme": self.programme,
            "porting_break_even": self.porting_break_even,
            "assumptions": self.assumptions,
            "sources": self.sources,
        }


def _cases(values: Mapping[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items()}


def compat_estimate(
    stack,
    op_shares=None,
    *,
    chips: float | None = None,
    days: float | None = None,
    chip_price: float | None = None,
    currency: str = "USD",
    cost_per_engineer_month: tuple[float, float] | float | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    samples: int = 0,
    seed: int = 0,
) -> CompatResult:
    """The CUDA-compatibility cost of training on ``stack`` and the porting programme that wins it back.

    ``op_shares``: an array or mapping over :data:`OP_CLASSES` (see :func:`workload_profile`; None
    uses the dense fallback profile). ``chips``/``days``: the native fleet and schedule (either may
    be None). ``chip_price`` in ``currency`` (``USD`` or ``CNY``) prices extra chips and the break-even;
    ``cost_per_engineer_month`` defaults to :data:`USD_PER_ENGINEER_MONTH` or
    :data:`CNY_PER_ENGINEER_MONTH`. ``samples`` > 0 adds Monte Carlo percentiles.

    References: Amdahl 1967; the stack's ``op_sources``; :data:`USD_PER_ENGINEER_MONTH_SOURCE`,
    :data:`CNY_PER_ENGINEER_MONTH_SOURCE`, :data:`DEFAULT_PORT_SOURCE`.
    """
    if currency not in ("USD", "CNY"):
        raise InputError(f"currency must be USD or CNY, got {currency!r}")
    if chips is not None:
        require_positive(chips=chips)
    if days is not None:
        require_positive(days=days)
    if chip_price is not None:
        require_positive(chip_price=chip_price)
    w = op_shares if isinstance(op_shares, np.ndarray) else workload_profile(op_shares)
    w = np.asarray(w, float)
    if w.shape != (N_CLASSES,) or abs(w.sum() - 1) > 1e-6 or np.any(w < 0):
        raise InputError(f"op_shares must be {N_CLASSES} non-negative shares summing to 1 (one per op class)")
    rate_default = USD_PER_ENGINEER_MONTH if currency == "USD" else CNY_PER_ENGINEER_MONTH
    rate_lo, rate_mid, rate_hi = _bounds(
        list(rate_default) if cost_per_engineer_month is None else cost_per_engineer_month, "cost_per_engineer_month"
    )
    require_positive(cost_per_engineer_month=rate_lo)
    prof = stack_profile(stack, overrides)
    rate = {"best": rate_lo, "central": rate_mid, "worst": rate_hi}

    per_case = {}
    for case in CASES:
        p = prof.case(case)
        f = time_factors(p)
        opt_em, mand_em = port_engineer_months(p)
        per_case[case] = {
            "p": p,
            "f": f,
            "S": float(slowdown(w, f)),
            "loss": class_losses(w, f),
            "gain": porting_gain(w, f, p["library_efficiency"]),
            "opt_em": opt_em,
            "mand_em": mand_em,
        }
    central = per_case["central"]
    S = {c: per_case[c]["S"] for c in CASES}
    if samples:
        draws = prof.sample(samples, seed)
        s_mc = slowdown(w, time_factors(draws))
        S.update(
            {
                "p10": float(np.percentile(s_mc, 10)),
                "p50": float(np.percentile(s_mc, 50)),
                "p90": float(np.percentile(s_mc, 90)),
            }
        )

    total_loss = max(central["S"] - 1.0, 0.0)
    losses = []
    for i, op in enumerate(OP_CLASSES):
        losses.append(
            {
                "op_class": op,
                "share": float(w[i]),
                "time_factor": _cases({c: per_case[c]["f"][i] for c in CASES}),
                "loss": _cases({c: per_case[c]["loss"][i] for c in CASES}),
                "fraction_of_loss": float(central["loss"][i] / total_loss) if total_loss > 0 else 0.0,
            }
        )
    order = sorted(range(N_CLASSES), key=lambda i: -central["loss"][i])
    dominant, acc = [], 0.0
    for i in order:  # the classes that make up 80% of the loss
        if central["loss"][i] <= 0 or acc >= 0.8 * total_loss:
            break
        dominant.append(OP_CLASSES[i])
        acc += central["loss"][i]

    porting_required = []
    for i, op in enumerate(OP_CLASSES):
        if prof.bounds["unsupported"][2, i] > 0 and w[i] > 0:
            em = _cases({c: per_case[c]["mand_em"][i] for c in CASES})
            porting_required.append(
                {
                    "op_class": op,
                    "unsupported_share": _cases({c: per_case[c]["p"]["unsupported"][i] for c in CASES}),
                    "engineer_months": em,
                    f"cost_{currency.lower()}": _cases({c: em[c] * rate[c] for c in CASES}),
                }
            )
    feasible = not porting_required
    mandatory_cost = {c: sum(r[f"cost_{currency.lower()}"][c] for r in porting_required) for c in CASES}

    xchips = _cases({c: extra_chips(chips, S[c]) for c in CASES}) if chips is not None else None
    xdays = _cases({c: extra_days(days, S[c]) for c in CASES}) if days is not None else None
    extra_cost: dict[str, dict[str, float]] = {"mandatory_porting": _cases(mandatory_cost)}
    if xchips is not None and chip_price is not None:
        extra_cost["chips"] = _cases({c: xchips[c] * chip_price for c in CASES})
        extra_cost["total"] = _cases({c: extra_cost["chips"][c] + mandatory_cost[c] for c in CASES})

    # The programme: classes by slowdown removed per unit cost (central), cumulative.
    cost_c = {c: per_case[c]["opt_em"] * rate[c] for c in CASES}
    ratio = np.where(
        cost_c["central"] > 0, central["gain"] / np.where(cost_c["central"] > 0, cost_c["central"], 1), np.inf
    )
    steps = [i for i in sorted(range(N_CLASSES), key=lambda i: -ratio[i]) if central["gain"][i] > 1e-12]
    programme, cum_gain, cum_cost, cum_em = (
        [],
        dict.fromkeys(CASES, 0.0),
        dict.fromkeys(CASES, 0.0),
        dict.fromkeys(CASES, 0.0),
    )
    for i in steps:
        for c in CASES:
            cum_gain[c] += float(per_case[c]["gain"][i])
            cum_cost[c] += float(cost_c[c][i])
            cum_em[c] += float(per_case[c]["opt_em"][i])
        row = {
            "op_class": OP_CLASSES[i],
            "engineer_months": _cases({c: per_case[c]["opt_em"][i] for c in CASES}),
            f"cost_{currency.lower()}": _cases({c: cost_c[c][i] for c in CASES}),
            "slowdown_removed": _cases({c: per_case[c]["gain"][i] for c in CASES}),
            "slowdown_after": _cases({c: S[c] - cum_gain[c] for c in CASES}),
        }
        if chip_price is not None:
            row["break_even_chips"] = _break_even_range(cost_c, per_case, [i], chip_price)
            row["cumulative_break_even_chips"] = _break_even_range(
                cost_c, per_case, [s for s in steps[: steps.index(i) + 1]], chip_price
            )
        programme.append(row)

    be: dict[str, Any] = {
        "classes": [OP_CLASSES[i] for i in steps],
        "engineer_months": _cases(cum_em),
        f"cost_{currency.lower()}": _cases(cum_cost),
        "slowdown_after": _cases({c: S[c] - cum_gain[c] for c in CASES}),
        "currency": currency,
        "cost_per_engineer_month": {"best": rate_lo, "central": rate_mid, "worst": rate_hi},
    }
    if chip_price is not None and steps:
        be["break_even_chips"] = _break_even_range(cost_c, per_case, steps, chip_price)
        if chips is not None:
            be["chips_saved"] = _cases({c: chips * cum_gain[c] for c in CASES})
            be["value_of_chips_saved"] = _cases({c: chips * cum_gain[c] * chip_price for c in CASES})
            be["pays_off_central"] = be["break_even_chips"]["central"] is not None and bool(
                chips > be["break_even_chips"]["central"]
            )
            be["worth_porting_at_this_fleet"] = [
                r["op_class"]
                for r in programme
                if r["break_even_chips"]["central"] is not None and chips > r["break_even_chips"]["central"]
            ]
    sources = {k: v.as_dict() for k, v in prof.sources.items()}
    if op_shares is None:
        sources["op_shares"] = FALLBACK_WORKLOAD_SOURCE.as_dict()
    sources["cost_per_engineer_month"] = (
        USD_PER_ENGINEER_MONTH_SOURCE if currency == "USD" else CNY_PER_ENGINEER_MONTH_SOURCE
    ).as_dict()
    assumptions = list(prof.assumptions)
    if porting_required:
        assumptions.append(
            "unsupported code is ported before the run (mandatory, priced) and then runs at native speed"
        )
    if chips is not None:
        assumptions.append("extra chips assume linear scaling (an optimistic bound)")
    return CompatResult(
        stack_id=prof.stack_id,
        op_shares={op: float(w[i]) for i, op in enumerate(OP_CLASSES)},
        slowdown=_cases(S),
        losses=losses,
        dominant=dominant,
        feasible_as_is=feasible,
        porting_required=porting_required,
        chips=None if chips is None else float(chips),
        days=None if days is None else float(days),
        extra_chips=xchips,
        extra_days=xdays,
        extra_cost=extra_cost,
        programme=programme,
        porting_break_even=be,
        assumptions=assumptions,
        sources=sources,
    )


@V.checked(op_shares=_SHARES)
def stack_step_efficiency(stack, op_shares=None) -> dict[str, float]:
    """Whole-step efficiency of a stack against CUDA, ``1/S``, as best/central/worst.

    For a caller that multiplies a native step time by one factor: it contains the per-class
    coverage and efficiencies and the library efficiencies, so it replaces (never multiplies)
    ``framework_efficiency`` and ``collective_efficiency`` applied separately.

    References: Amdahl 1967; the stack's ``op_sources``.
    """
    w = workload_profile(op_shares)
    prof = stack_profile(stack)
    return {case: float(1.0 / slowdown(w, time_factors(prof.case(case)))) for case in CASES}


def _break_even_range(cost_c, per_case, idx: list[int], chip_price: float) -> dict[str, float]:
    """Break-even fleet size of porting the classes ``idx``: lowest with cheap porting and the worst
    slowdown (most to win), highest with dear porting and the best slowdown. None where porting removes
    no slowdown in that case (it never pays back)."""
    cost = {c: float(sum(cost_c[c][i] for i in idx)) for c in CASES}
    gain = {c: float(sum(per_case[c]["gain"][i] for i in idx)) for c in CASES}

    def never_is_none(value) -> float | None:  # porting that removes nothing never pays back: None, not inf
        value = float(value)
        return value if np.isfinite(value) else None

    return {
        "best": never_is_none(break_even_chips(cost["best"], gain["worst"], chip_price)),
        "central": never_is_none(break_even_chips(cost["central"], gain["central"], chip_price)),
        "worst": never_is_none(break_even_chips(cost["worst"], gain["best"], chip_price)),
    }


__all__ = [
    "CASES",
    "CNY_PER_ENGINEER_MONTH",
    "DEFAULT_PORT_ENGINEER_MONTHS",
    "DEFAULT_PORT_SOURCE",
    "FALLBACK_WORKLOADS",
    "FALLBACK_WORKLOAD_SOURCE",
    "PATHS",
    "USD_PER_ENGINEER_MONTH",
    "CompatResult",
    "StackProfile",
    "break_even_chips",
    "class_losses",
    "class_time_factor",
    "compat_estimate",
    "extra_chips",
    "extra_days",
    "port_engineer_months",
    "porting_gain",
    "slowdown",
    "stack_profile",
    "stack_step_efficiency",
    "time_factors",
    "workload_profile",
]
