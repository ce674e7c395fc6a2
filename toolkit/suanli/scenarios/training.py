"""The training-time engine: a model, a token count, a chip and a count in; an :class:`Estimate` out.

    >>> import suanli
    >>> est = suanli.estimate("gpt3-175b", tokens=300e9, chip="nvidia-a100-sxm4-80gb", count=1024)
    >>> est.train_days, est.mfu, est.layout["tp"]

:func:`estimate` searches every valid layout (TP, PP, DP, EP, micro-batch, recompute, ZeRO,
interleave) in one vectorised pass and keeps the fastest that fits in memory; flags the caller fixes
are not searched. :func:`evaluate` is the vectorised core for a FIXED layout: pass numpy arrays for
uncertain inputs (matmul efficiency, stack efficiency, failure rate, data-parallel degree, tokens) and
get arrays of step time, MFU, train days, accelerator-hours and goodput back.

All the physics lives in :mod:`suanli.models` (workload, flops, memory, interconnect, parallelism,
performance, reliability); every default constant in :mod:`suanli.models.defaults`.
"""

from __future__ import annotations

import difflib
import functools
import html
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from suanli.errors import InputError, SuanliError
from suanli.frameworks import FrameworkProfile
from suanli.frameworks import resolve as resolve_framework
from suanli.models import defaults as D
from suanli.models.compat import NATIVE_STACKS
from suanli.models.flops import RECOMPUTE
from suanli.models.parallelism import check_layout, context_parallel_candidates, layout_grid
from suanli.models.performance import Hardware, flash_generation, step_time, training_time
from suanli.models.workload import Workload, policy_global_batch, shape_from_params
from suanli.scenarios import runlevel
from suanli.spec import OP_CLASSES, Accelerator
from suanli.validate import ONE_COUNT, ONE_POSITIVE, checked, instance, optional, require_positive, require_whole

BREAKDOWN_KEYS = ("compute", "memory_bound", "tp_comm", "pp_bubble", "dp_comm_exposed", "ep_comm", "host_overhead")
"""Per-step seconds that add up to the step time (``failures``, ``run_overheads`` and ``failure_fraction``, the
run level of :mod:`suanli.scenarios.runlevel`, come on top; ``failure_fraction`` is 1 - goodput)."""

GIB = 2.0**30
RUN_KINDS = runlevel.RUN_KINDS
"""What the days count: a production run (failures, checkpoints, other whole-run losses) or a benchmark."""


# --- presets ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _preset_table() -> dict[str, dict[str, Any]]:
    with resources.files("suanli.data").joinpath("models.toml").open("rb") as fh:
        return tomllib.load(fh)


def presets() -> dict[str, str]:
    """Preset id -> display name."""
    return {k: v.get("name", k) for k, v in _preset_table().items()}


def preset(name: str) -> Workload:
    """The :class:`Workload` of a named preset (``gpt3-175b``, ``llama3-405b``, ``deepseek-v3`` ...)."""
    table = _preset_table()
    if not isinstance(name, str):
        raise InputError(f"a model preset is named by text (suanli.scenarios.training.presets()), got {name!r}")
    if name not in table:
        close = difflib.get_close_matches(name, table, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; presets: {', '.join(table)}"
        raise InputError(f"unknown model preset {name!r}{hint}")
    raw = dict(table[name])
    raw["name"] = name
    return Workload(**raw)


def make_workload(
    model: str | Workload | None = None,
    *,
    params: float | None = None,
    active_params: float | None = None,
    seq: int | None = None,
    **shape: Any,
) -> Workload:
    """A workload from a preset, a parameter count (shape by rule) or an explicit shape; shape keys override."""
    shape = {k: v for k, v in shape.items() if v is not None}
    for name, value in {"seq": seq, **shape}.items():
        if value is not None:
            require_whole(name, value)
    if model is not None and not isinstance(model, (str, Workload)):
        raise InputError(f"model must be a preset name or a Workload, got {model!r}")
    if isinstance(model, Workload):
        w = model
    elif model:
        w = preset(model)
    elif shape.get("layers") and shape.get("hidden") and shape.get("heads"):
        w = Workload(name="custom", seq=seq or int(D.DEFAULT_SEQ.value), **shape)
        shape = {}
    elif params is not None:
        require_positive(**{"parameter count (params)": params})
        w = shape_from_params(params, active_params, seq=seq, vocab=shape.pop("vocab", None))
    else:
        raise InputError("give a model preset, a parameter count, or layers, hidden and heads")
    if seq is not None:
        shape["seq"] = int(seq)
    return w.replace(**shape) if shape else w


# --- hardware -----------------------------------------------------------------------------------


def _catalog(catalog=None):
    if catalog is not None:
        from suanli.scenarios._checks import catalog as checked_catalog

        return checked_catalog(catalog)
    try:
        from suanli.catalog import load_catalog
    except ImportError:  # the catalog module is optional for callers that pass Accelerator objects
        return None
    return load_catalog()


def _lookup(catalog, kind: str, obj_id: str | None):
    if not obj_id or catalog is None:
        return None
    return getattr(catalog, {"link": "links", "stack": "stacks"}[kind]).get(obj_id)


TRAINING_PRECISIONS = ("bf16", "fp16", "fp8", "int8")
"""Training precisions: 16-bit mixed precision, or 8-bit GEMMs (FP8 as Transformer Engine runs it; INT8 as Google's
AQT runs it on TPUs in MLPerf Training) with the rest of the step in BF16."""

EIGHT_BIT = ("fp8", "int8")


def hardware(
    chip: str | Accelerator | Hardware, precision: str = "bf16", *, catalog=None, warnings: list[str] | None = None
) -> Hardware:
    """Resolve a chip (catalog id or :class:`Accelerator`) into the numbers the step-time model needs.

    Built from :func:`input_sources`, the one resolution of a chip's numbers: missing ones fall back to
    documented defaults (:mod:`suanli.models.defaults`); those the estimate should warn about (matmul
    efficiency, scale-up domain and bandwidth, scale-out bandwidth, a stack not in the catalog) are
    appended to ``warnings``.
    """
    if isinstance(chip, Hardware):
        return chip
    if warnings is not None and not isinstance(warnings, list):
        raise InputError(f"warnings must be a list to append to (or None), got {warnings!r}")
    if precision not in TRAINING_PRECISIONS:
        raise InputError(f"precision must be one of {', '.join(TRAINING_PRECISIONS)}, got {precision!r}")
    acc, cat = _accelerator_and_catalog(chip, catalog)
    rows = {row.name: row for row in input_sources(acc, precision, catalog=cat)}
    if warnings is not None:
        warnings.extend(row.source.note for row in rows.values() if row.warning)

    def v(name: str) -> float:
        return rows[name].value

    return Hardware(
        name=acc.id,
        gemm_peak_flops=v("peak_tflops") * 1e12,
        bf16_peak_flops=v("bf16_peak_tflops") * 1e12,
        hbm_bytes=v("hbm_gb") * GIB,
        hbm_bytes_per_s=v("hbm_tbs") * 1e12 * v("hbm_efficiency"),
        matmul_efficiency=v("matmul_efficiency"),
        scaleup_domain=int(v("scaleup_domain")),
        scaleup_bytes_per_s=v("scaleup_gbs") * 1e9 * v("scaleup_efficiency"),
        scaleup_alpha_s=v("scaleup_latency_s"),
        scaleout_bytes_per_s=v("scaleout_gbps") / 8.0 * 1e9 * v("scaleout_efficiency"),
        scaleout_alpha_s=v("scaleout_latency_s"),
        stack_efficiency=v("software_stack"),
        fp8=precision in EIGHT_BIT,
        fp8_capable=bool(acc.fp8_tflops),
        kernel_factor=D.kernel_factor(acc.family)[0],
    )


@checked(prof=instance(FrameworkProfile), hw=instance(Hardware))
def kernel_efficiency(prof: FrameworkProfile, hw: Hardware) -> float:
    """The kernel efficiency a stack reaches on a chip: the framework's fitted value (or the calibrated
    :data:`suanli.models.defaults.STACK_EFFICIENCY`) x the chip generation's factor
    (:func:`suanli.models.defaults.kernel_factor`).

    References: the step-time calibration of :mod:`suanli.scenarios.step_backtest` on published fixed-layout steps.
    """
    base = D.STACK_EFFICIENCY.value if prof.kernel_efficiency is None else prof.kernel_efficiency
    return base * hw.kernel_factor


def _accelerator_and_catalog(chip, catalog):
    """The Accelerator for an id or spec, and the catalog its links and stack are looked up in."""
    if isinstance(chip, Accelerator):
        chip.validate()  # checked again on the way in: a spec edited in place never reaches a model
        return chip, (_catalog(catalog) if catalog is not None else _safe_catalog())
    cat = _catalog(catalog)
    if cat is None:
        raise InputError(f"unknown accelerator {chip!r}: no catalog is available")
    return cat.accelerator(chip), cat


def _safe_catalog():
    try:
        return _catalog(None)
    except Exception:  # noqa: BLE001 - a catalog that fails to load must not stop a run on an explicit Accelerator
        return None


def _stack_id(chip, catalog) -> str | None:
    """The software-stack id of a chip (None for a bare :class:`Hardware`): it sets the run's stack maturity."""
    if isinstance(chip, Hardware):
        return None
    if isinstance(chip, Accelerator):
        return chip.stack
    cat = _catalog(catalog)
    return cat.accelerator(chip).stack if cat is not None else None


# --- the estimate --------------------------------------------------------------------------------


@dataclass
class Estimate:
    """The answer: time, throughput, utilisation, cost in accelerator-hours, memory, layout, breakdown."""

    step_time_s: float
    tokens_per_s: float
    mfu: float
    hfu: float
    train_days: float
    accelerator_hours: float
    goodput: float
    memory_gb_per_device: float
    layout: dict[str, Any]
    breakdown: dict[str, float]
    op_shares: dict[str, float]
    chip: str
    count: int
    tokens: float
    precision: str
    model: str = ""
    runners_up: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    """The run level (:mod:`suanli.scenarios.runlevel`): run kind, allocated vs productive accelerator-hours, one line per loss."""
    catalog: Any = field(default=None, repr=False, compare=False)
    """The catalog the estimate was made with (None for bare :class:`Hardware` numbers): :meth:`explain`
    reads its inputs and sources from it, so the explanation shows what produced the numbers."""
    accelerator: Accelerator | None = field(default=None, repr=False, compare=False)
    """The chip spec the estimate ran (an id resolved in :attr:`catalog`, or the Accelerator given)."""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's ``--json``)."""
        keys = (
            "model",
            "chip",
            "count",
            "tokens",
            "precision",
            "step_time_s",
            "tokens_per_s",
            "mfu",
            "hfu",
            "train_days",
            "accelerator_hours",
            "goodput",
            "memory_gb_per_device",
            "layout",
            "breakdown",
            "op_shares",
            "runners_up",
            "warnings",
            "details",
            "run",
        )
        return {k: getattr(self, k) for k in keys}

    def summary(self) -> dict[str, Any]:
        """The headline numbers as name -> value."""
        lay = self.layout
        return {
            "model": self.model,
            "chip": self.chip,
            "count": self.count,
            "tokens": self.tokens,
            "train_days": self.train_days,
            "accelerator_hours": self.accelerator_hours,
            "step_time_s": self.step_time_s,
            "tokens_per_s": self.tokens_per_s,
            "mfu": self.mfu,
            "hfu": self.hfu,
            "goodput": self.goodput,
            "memory_gb_per_device": self.memory_gb_per_device,
            "framework": self.details.get("framework", ""),
            "layout": (
                f"TP{lay['tp']} "
                + (f"CP{lay['cp']} " if lay.get("cp", 1) > 1 else "")
                + f"PP{lay['pp']} DP{lay['dp']} EP{lay['ep']} mb{lay['micro_batch']} "
                f"GB{lay['global_batch']} rc={lay['recompute']} ZeRO-{lay['zero']}"
                + (" SP" if lay["sequence_parallel"] else "")
                + (f" v{lay['interleave']}" if lay["interleave"] > 1 else "")
            ),
        }

    def explain(self) -> Explanation:
        """How this estimate was computed: the formulas (closed forms rendered with sympy) with this
        estimate's numbers put in, the inputs with their sources and confidence, and the layout chosen
        with the reason each runner-up lost.

        Prints as plain text; in a notebook it renders the formulas as LaTeX. See :class:`Explanation`.
        """
        return _explain(self)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in self.summary().items()
        )
        total = self.step_time_s or 1.0
        bars = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{v:.3g} s</td><td><div style='background:#4c78a8;height:10px;"
            f"width:{max(0.0, 300 * v / total):.0f}px'></div></td></tr>"
            for k, v in self.breakdown.items()
            if k in BREAKDOWN_KEYS
        )
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return (
            f"<div><b>Training estimate</b><table>{rows}</table><b>Step-time breakdown</b><table>{bars}</table>"
            + (f"<ul style='color:#a60'>{warn}</ul>" if warn else "")
            + "</div>"
        )

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"Estimate({s['model']} on {self.count} x {self.chip}: {self.train_days:.1f} days, "
            f"MFU {self.mfu:.1%}, {self.accelerator_hours:,.0f} accelerator-hours, {s['layout']})"
        )


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if abs(v) < 1:
            return f"{v:.3f}"
        return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:.3e}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _recompute_code(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value not in RECOMPUTE:
            raise InputError(f"recompute must be one of {', '.join(RECOMPUTE)}, got {value!r}")
        return RECOMPUTE.index(value)
    return int(value)


@checked(w=instance(Workload), tokens=ONE_POSITIVE, count=ONE_COUNT, scaleup_domain=ONE_COUNT)
def global_batch_policy(w: Workload, tokens: float, count: int, scaleup_domain: int) -> tuple[int, str]:
    """The global batch (sequences) when none is given, and the rule that chose it: a preset's published
    batch, else :func:`suanli.models.workload.policy_global_batch` (grows with compute, bounded by the
    critical batch, at least one sequence per scale-up domain)."""
    if w.global_batch:
        return int(
            w.global_batch
        ), f"the preset's published batch ({int(w.global_batch):,} sequences of {w.seq:,} tokens)"
    return policy_global_batch(w.active_params, tokens, w.seq, count, scaleup_domain)


@checked(w=instance(Workload))
def default_global_batch(w: Workload) -> int:
    """The preset's batch, else ~4M tokens (:data:`suanli.models.defaults.GLOBAL_BATCH_TOKENS`) in sequences."""
    if w.global_batch:
        return int(w.global_batch)
    return max(1, round(D.GLOBAL_BATCH_TOKENS.value / w.seq))


def _safe_catalog_for(catalog):
    return catalog if catalog is not None else _safe_catalog()


@checked(
    prof=instance(FrameworkProfile),
    w=instance(Workload),
    tp=optional(ONE_COUNT),
    pp=optional(ONE_COUNT),
    interleave=optional(ONE_COUNT),
    cp=optional(ONE_COUNT),
)
def framework_options(
    prof: FrameworkProfile,
    w: Workload,
    *,
    tp=None,
    pp=None,
    zero=None,
    interleave=None,
    cp=None,
    sequence_parallel=None,
) -> dict[str, Any]:
    """The layout-search restrictions a framework profile imposes (``layout_grid`` keywords); one sentence
    when a fixed choice is one the framework does not offer."""

    def refuse(what: str) -> None:
        raise InputError(f"{prof.id} does not offer {what} (see `suanli estimate --framework` and its profile)")

    if zero is not None and zero not in prof.zero_stages:
        refuse(f"ZeRO stage {zero}; it offers {', '.join(map(str, prof.zero_stages))}")
    if not prof.tensor_parallel and tp is not None and tp > 1:
        refuse("tensor parallelism")
    if not prof.pipeline_parallel and pp is not None and pp > 1:
        refuse("pipeline parallelism")
    if not prof.interleaved_pipeline and interleave is not None and interleave > 1:
        refuse("the interleaved pipeline schedule")
    if not prof.context_parallel and cp is not None and cp > 1:
        refuse("context parallelism")
    if not prof.sequence_parallel and sequence_parallel:
        refuse("sequence parallelism")
    return {
        "zero_stages": prof.zero_stages,
        "tp_options": None if prof.tensor_parallel else (1,),
        "pp_options": None if prof.pipeline_parallel else (1,),
        "interleave_options": None if prof.interleaved_pipeline else (1,),
        "flexible_interleave": prof.flexible_interleave,
        "cp_options": context_parallel_candidates(w.seq) if prof.context_parallel else (1,),
        "sp": sequence_parallel if prof.sequence_parallel else False,
    }


def evaluate(
    workload: Workload | str,
    hw: Hardware | Accelerator | str,
    layout: dict[str, Any],
    *,
    tokens,
    global_batch: int | None = None,
    precision: str = "bf16",
    matmul_efficiency=None,
    stack_efficiency=None,
    failure_rate_per_device_hour=None,
    restart_s=None,
    storage_bytes_per_s=None,
    dp=None,
    count=None,
    catalog=None,
    framework: str | FrameworkProfile | None = None,
    run: dict[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """The vectorised core for a FIXED layout: arrays in, arrays out (10,000 samples in about a millisecond).

    ``layout`` holds tp, pp, dp (or pass ``dp`` as an array), and optionally ep, micro_batch,
    recompute (0/1/2 or a name), zero, sequence_parallel, interleave. Uncertain inputs
    (``matmul_efficiency``, ``stack_efficiency``, ``failure_rate_per_device_hour``, ``restart_s``,
    ``storage_bytes_per_s``, ``tokens``, ``dp`` or ``count``) may be numpy arrays; they broadcast. The
    device count is tp x pp x dp (a ``count`` array sets dp = count / (tp x pp), which must be whole).
    Returns arrays: step_time_s, tokens_per_s, mfu, hfu, goodput, train_days, accelerator_hours,
    memory_bytes, fits and the breakdown keys. ``run`` is an estimate's ``details['run_settings']``
    (:func:`suanli.scenarios.runlevel.settings`; default: a production run on a mature stack).
    """
    w = make_workload(workload) if isinstance(workload, str) else workload
    hwn = hardware(hw, precision, catalog=catalog)
    B = default_global_batch(w) if global_batch is None else global_batch
    from suanli.scenarios._checks import mapping

    mapping("layout", layout, ("tp", "pp", "micro_batch"))
    if run is not None:
        mapping("run", run, runlevel.RUN_KEYS)
    framework = layout.get("framework") if framework is None else framework
    prof = resolve_framework(framework, None if isinstance(hw, Hardware) else _safe_catalog_for(catalog))
    tp, pp, cpd = int(layout["tp"]), int(layout["pp"]), int(layout.get("cp", 1))
    if count is not None:
        cnt = np.asarray(count)
        if np.any(cnt % (tp * pp * cpd)):
            grp = f"TP x PP = {tp * pp}" if cpd == 1 else f"TP x PP x CP = {tp * pp * cpd}"
            raise InputError(f"every count must be a multiple of {grp}")
        dp = cnt // (tp * pp * cpd)
    dp_arr = np.asarray(layout["dp"] if dp is None else dp)
    sp = layout.get("sequence_parallel", layout.get("sp"))
    sp = int(tp > 1) if sp is None else int(bool(sp))
    res = step_time(
        w,
        hwn,
        tp,
        pp,
        dp_arr,
        layout.get("ep", 1),
        layout.get("micro_batch", 1),
        B,
        _recompute_code(layout.get("recompute", 0)) or 0,
        layout.get("zero", 0),
        sp,
        layout.get("interleave", 1),
        matmul_efficiency=matmul_efficiency,
        stack_efficiency=kernel_efficiency(prof, hwn) if stack_efficiency is None else stack_efficiency,
        flash_attention=prof.flash_attention,
        tp_overlap=prof.tp_overlap,
        dp_overlap=prof.dp_overlap,
        pp_overlap=prof.pp_overlap,
        fused_kernels=prof.fused_kernels,
        cp=cpd,
    )
    count = tp * pp * cpd * dp_arr
    tt = training_time(
        res,
        tokens,
        count,
        hwn.gemm_peak_flops,
        w.params,
        failure_rate_per_device_hour=failure_rate_per_device_hour,
        restart_s=restart_s,
        storage_bytes_per_s=storage_bytes_per_s,
        run_efficiency=1.0,
    )
    res.update(tt)
    res["count"] = count
    # the run level: the one place where whole-run losses are added (suanli.scenarios.runlevel)
    runlevel.apply(
        res,
        run or runlevel.settings(),
        count=count,
        tokens=tokens,
        pipeline_stages=pp,
        interleave=layout.get("interleave", 1),
        failure_rate_per_device_hour=failure_rate_per_device_hour,
        restart_s=restart_s,
    )
    return res


def estimate(
    model: str | Workload | None = None,
    *,
    tokens: float,
    chip: str | Accelerator | Hardware,
    count: int,
    precision: str = "bf16",
    params: float | None = None,
    active_params: float | None = None,
    layers: int | None = None,
    hidden: int | None = None,
    heads: int | None = None,
    kv_heads: int | None = None,
    ffn: int | None = None,
    vocab: int | None = None,
    seq: int | None = None,
    global_batch: int | None = None,
    tp: int | None = None,
    pp: int | None = None,
    dp: int | None = None,
    ep: int | None = None,
    micro_batch: int | None = None,
    recompute: str | int | None = None,
    zero: int | None = None,
    sequence_parallel: bool | None = None,
    interleave: int | None = None,
    uneven_pipeline: bool = False,
    flash_attention: bool | int | None = None,
    matmul_efficiency: float | None = None,
    stack_efficiency: float | None = None,
    failure_rate_per_device_hour: float | None = None,
    runners_up: int = 4,
    catalog=None,
    framework: str | FrameworkProfile | None = None,
    cp: int | None = None,
    run_kind: str | None = None,
    goodput: float | None = None,
    stack_maturity: str | None = None,
) -> Estimate:
    """Estimate training time on ``count`` devices of ``chip``: search the layouts, keep the fastest that fits.

    The model is a preset name, a :class:`Workload`, a parameter count (``params``, ``active_params``;
    shape by rule) or an explicit shape (layers, hidden, heads, ...). Layout arguments left as None are
    searched (the search may leave pipeline stages one layer apart; a fixed ``pp`` must divide the layers
    unless ``uneven_pipeline``). Raises :class:`InputError` with one sentence for an unknown chip or preset, an
    impossible layout or nothing that fits in memory.

    ``framework`` names a training-software profile (:mod:`suanli.frameworks`: ``megatron-lm``, ``nemo``,
    ``deepspeed`` ...; default :data:`suanli.frameworks.DEFAULT_FRAMEWORK`, a current production stack):
    its FlashAttention generation, communication overlaps, ZeRO stages and parallel dimensions enter
    the step time and restrict the search. ``cp`` fixes the context-parallel degree (searched for
    sequences of 32k tokens and more when the framework offers it).

    ``run_kind`` is ``production`` (the default: a whole run, with failures, checkpoints, evaluation, stalls,
    ramp-up and the calibrated residual :data:`suanli.models.defaults.RUN_EFFICIENCY` as separate lines) or
    ``benchmark`` (steady-state steps only); ``goodput`` replaces the run-level total with an observed share
    of allocated time ("10 h allocated, 8 used" = 0.8); ``stack_maturity`` (``mature``/``new``/``early``)
    overrides the one read from the chip's stack. See :mod:`suanli.scenarios.runlevel`.

    References: see :mod:`suanli.models.performance`, :mod:`suanli.models.parallelism` and :mod:`suanli.models.goodput`.
    """
    from suanli import validate

    tokens = validate.positive("tokens", tokens)
    count = validate.whole("count (devices)", count)
    if model is not None and not isinstance(model, (str, Workload)):
        raise InputError(f"model must be a preset name or a Workload, got {model!r}")
    w = make_workload(
        model,
        params=params,
        active_params=active_params,
        seq=seq,
        layers=layers,
        hidden=hidden,
        heads=heads,
        kv_heads=kv_heads,
        ffn=ffn,
        vocab=vocab,
    )
    warnings: list[str] = []
    hwn = hardware(chip, precision, catalog=catalog, warnings=warnings)
    run = runlevel.settings(
        run_kind, goodput, stack_maturity, stack_id=_stack_id(chip, catalog), tokens=tokens, params=w.params
    )
    prof = resolve_framework(framework, None if isinstance(chip, Hardware) else _safe_catalog_for(catalog))
    flash = prof.flash_attention if flash_attention is None else flash_generation(flash_attention)
    opts = framework_options(
        prof, w, tp=tp, pp=pp, zero=zero, interleave=interleave, cp=cp, sequence_parallel=sequence_parallel
    )
    if cp is not None:
        require_whole("cp (context-parallel degree)", cp)
    rc = _recompute_code(recompute)
    if rc is None and flash:
        rc = (1, 2)  # FlashAttention recomputes the attention core anyway: 'none' would duplicate 'selective'
    check_layout(
        w,
        count,
        hwn.scaleup_domain,
        tp=tp,
        pp=pp,
        dp=dp,
        ep=ep,
        interleave=interleave,
        uneven_pp=uneven_pipeline,
        cp=cp,
    )
    sp_opt = opts.pop("sp")

    def grid_for(batch: int, exact: bool):
        return layout_grid(
            w,
            count,
            hwn.scaleup_domain,
            batch,
            tp=tp,
            pp=pp,
            dp=dp,
            ep=ep,
            micro_batch=micro_batch,
            recompute=rc,
            zero=zero,
            sp=sp_opt,
            interleave=interleave,
            uneven_pp=uneven_pipeline,
            cp=cp,
            exact_batch=exact,
            **opts,
        )

    if global_batch is not None:  # given: honoured exactly, or refused with a sentence
        B = require_whole("global_batch (sequences)", global_batch)
        batch_rule = "given"
        grid = grid_for(B, True)
    else:
        B, batch_rule = global_batch_policy(w, tokens, count, hwn.scaleup_domain)
        try:
            grid = grid_for(B, True)
        except InputError as err:
            if "exactly" not in str(err):
                raise
            if w.global_batch:  # the published batch cannot be split over this fleet: the policy chooses, and says so
                published = B
                B, batch_rule = policy_global_batch(w.active_params, tokens, w.seq, count, hwn.scaleup_domain)
                batch_rule = (
                    f"the preset's published batch of {published:,} sequences fits no layout of {count:,} "
                    f"devices exactly, so the policy chose: {batch_rule}"
                )
                warnings.append(f"global batch changed from the preset's {published:,} sequences: {batch_rule}")
            # the policy's batch is a target, not a given: the nearest batch DP x micro-batch divides (stated below)
            grid = grid_for(B, False)
    res = step_time(
        w,
        hwn,
        grid["tp"],
        grid["pp"],
        grid["dp"],
        grid["ep"],
        grid["micro_batch"],
        B,
        grid["recompute"],
        grid["zero"],
        grid["sp"],
        grid["interleave"],
        matmul_efficiency=matmul_efficiency,
        stack_efficiency=kernel_efficiency(prof, hwn) if stack_efficiency is None else stack_efficiency,
        flash_attention=flash,
        tp_overlap=prof.tp_overlap,
        dp_overlap=prof.dp_overlap,
        pp_overlap=prof.pp_overlap,
        fused_kernels=prof.fused_kernels,
        cp=grid["cp"],
    )
    fits = res["fits"]
    if not fits.any():
        need = res["memory_bytes"].min() / GIB
        raise InputError(
            f"nothing fits in memory: the leanest layout needs {need:,.1f} GiB per device and "
            f"{hwn.name} has {hwn.hbm_bytes / GIB:,.0f} GiB; use more devices or a smaller model"
        )
    # per-token time, so layouts that round the batch up do not win by doing more work per step
    per_token = np.where(fits, res["step_time_s"] / res["tokens_per_step"], np.inf)
    order = np.lexsort((res["memory_bytes"], per_token))
    order = order[np.isfinite(per_token[order])]
    best = int(order[0])

    def pick(i: int) -> dict[str, Any]:
        return {
            "tp": int(grid["tp"][i]),
            "pp": int(grid["pp"][i]),
            "dp": int(grid["dp"][i]),
            "ep": int(grid["ep"][i]),
            "micro_batch": int(grid["micro_batch"][i]),
            "global_batch": int(res["micro_batches"][i] * grid["micro_batch"][i] * grid["dp"][i]),
            "recompute": RECOMPUTE[int(grid["recompute"][i])],
            "zero": int(grid["zero"][i]),
            "sequence_parallel": bool(grid["sp"][i]),
            "interleave": int(grid["interleave"][i]),
            "cp": int(grid["cp"][i]),
            "framework": prof.id,
        }

    one = {k: (np.asarray(v)[best] if np.ndim(v) else v) for k, v in res.items()}
    tt = training_time(
        {k: np.asarray(v) for k, v in one.items()},
        tokens,
        count,
        hwn.gemm_peak_flops,
        w.params,
        failure_rate_per_device_hour=failure_rate_per_device_hour,
        run_efficiency=1.0,
    )
    # the run level: the one place where whole-run losses are added (suanli.scenarios.runlevel)
    tt.update({k: one[k] for k in ("micro_batches", "tokens_per_step")})
    run_items = runlevel.apply(
        tt,
        run,
        count=count,
        tokens=tokens,
        pipeline_stages=int(grid["pp"][best]),
        interleave=int(grid["interleave"][best]),
        failure_rate_per_device_hour=failure_rate_per_device_hour,
    )
    step = float(one["step_time_s"])
    breakdown = {k: float(one[k]) for k in BREAKDOWN_KEYS}
    fail_frac = float(tt["failure_fraction"])
    breakdown["failures"] = step * float(run_items["failures"] + run_items["checkpoints"])
    breakdown["run_overheads"] = step * float(
        run_items["evaluation"] + run_items["stalls"] + run_items["rampup"] + run_items["other"]
    )
    breakdown["failure_fraction"] = fail_frac
    ops = {c: float(one[f"op_{c}"]) for c in OP_CLASSES}
    total = sum(ops.values()) or 1.0
    ops = {c: v / total for c, v in ops.items()}
    layout = pick(best)
    if layout["global_batch"] != B:  # only a policy target moves, and the rule says so
        batch_rule += (
            f"; rounded from {B:,} to {layout['global_batch']:,} sequences so that data parallelism x "
            f"micro-batch divides it on {count:,} devices"
        )
    runners = []
    for i in order[1 : 1 + runners_up]:
        lay = pick(int(i))
        lay["step_time_s"] = float(res["step_time_s"][i])
        lay["days_ideal"] = float(tokens / (res["tokens_per_step"][i] / res["step_time_s"][i]) / 86400.0)
        lay["memory_gb_per_device"] = float(res["memory_bytes"][i] / GIB)
        runners.append(lay)
    acc_used, cat_used = (None, None) if isinstance(chip, Hardware) else _accelerator_and_catalog(chip, catalog)
    return Estimate(
        catalog=cat_used,
        accelerator=acc_used,
        step_time_s=step,
        tokens_per_s=float(tt["tokens_per_s"]),
        mfu=float(tt["mfu"]),
        hfu=float(tt["hfu"]),
        train_days=float(tt["train_days"]),
        accelerator_hours=float(tt["accelerator_hours"]),
        goodput=float(tt["goodput"]),
        memory_gb_per_device=float(one["memory_bytes"] / GIB),
        layout=layout,
        breakdown=breakdown,
        op_shares=ops,
        chip=hwn.name,
        count=count,
        tokens=float(tokens),
        precision=precision,
        model=w.name,
        runners_up=runners,
        warnings=warnings,
        run=runlevel.summary(run_items, run, ideal_days=float(tt["ideal_days"]), count=count),
        details={
            "run_settings": run,
            "params": w.params,
            "active_params": w.active_params,
            "model_flops_per_token": float(one["model_flops_per_token"]),
            "mfu_vs_bf16_peak": float(tt["mfu"]) * hwn.gemm_peak_flops / hwn.bf16_peak_flops,
            "hardware_flops_per_token": float(one["hardware_flops_per_token"]),
            "memory_gb": {
                "states": float(one["mem_states"] / GIB),
                "activations": float(one["mem_activations"] / GIB),
                "usable": hwn.hbm_bytes * D.USABLE_HBM_FRACTION.value / GIB,
            },
            "micro_batches": int(one["micro_batches"]),
            "ideal_days": float(tt["ideal_days"]),
            "microbatch_s": float(one["microbatch_s"]),
            "optimizer_s": float(one["optimizer_s"]),
            "tokens_per_step": float(one["tokens_per_step"]),
            "checkpoint_s": float(tt["checkpoint_s"]),
            "checkpoint_interval_s": float(tt["checkpoint_interval_s"]),
            "mtbf_h": float(tt["mtbf_s"] / 3600.0),
            "layouts_searched": int(grid["tp"].size),
            "layouts_fitting": int(fits.sum()),
            "scaleup_domain": hwn.scaleup_domain,
            "framework": prof.id,
            "flash_attention": int(flash),
            "run_kind": run["run_kind"],
            "global_batch_sequences": int(layout["global_batch"]),
            "global_batch_tokens": float(layout["global_batch"] * w.seq),
            "global_batch_rule": batch_rule,
            "run_efficiency": float(run_items["run_efficiency"]),
        },
    )


# --- explanation: how an estimate was computed ---------------------------------------------------


@dataclass(frozen=True)
class EngineInput:
    """One number the engine read, where it read it (``spec.field`` or ``defaults.NAME``) and its source.

    ``range`` is the spec's own ``(low, high)`` (or ``(low, best, high)``) when it gives one; ``sampled``
    says whether the uncertainty model (:mod:`suanli.scenarios.uncertainty`) varies it.
    """

    name: str
    value: float
    unit: str
    where: str
    source: Any
    range: tuple[float, ...] | None = None
    sampled: bool = True
    warning: bool = False  # a fallback the estimate should warn about (its reason is ``source.note``)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "where": self.where,
            "range": list(self.range) if self.range else None,
            "confidence": self.source.confidence,
            "citation": self.source.citation,
            **({"note": self.source.note} if self.source.note else {}),
            **({"url": self.source.url} if self.source.url else {}),
        }


def _no_source(spec_id: str, fld: str):
    from suanli.spec import Source

    return Source(
        f"{spec_id}: the plugin gives no source for {fld}",
        confidence="estimate",
        note="a value without a source is treated as an estimate",
    )


def input_sources(chip: str | Accelerator, precision: str = "bf16", *, catalog=None) -> list[EngineInput]:
    """The numbers the engine reads for ``chip``, each with where it was read and its source.

    This is the one resolution of a chip's inputs (:func:`hardware` builds from it, the uncertainty
    model samples it): a chip field first, then its link's, then the documented default of
    :mod:`suanli.models.defaults`, else a fallback flagged ``warning``. The software-stack factor is the
    compat model's :func:`suanli.models.compat.stack_step_efficiency` (central, with its best and worst
    as the range), applied once.
    """
    from suanli.spec import Source

    if not isinstance(precision, str) or precision not in TRAINING_PRECISIONS:
        raise InputError(f"precision must be one of {', '.join(TRAINING_PRECISIONS)}, got {precision!r}")
    acc, cat = _accelerator_and_catalog(chip, catalog)
    rows: list[EngineInput] = []

    def from_spec(name: str, spec, fld: str, unit: str, scale: float = 1.0, sampled: bool = True) -> None:
        rng = spec.ranges.get(fld)
        rows.append(
            EngineInput(
                name,
                float(getattr(spec, fld)) * scale,
                unit,
                f"{spec.id}.{fld}",
                spec.sources.get(fld) or _no_source(spec.id, fld),
                tuple(float(r) * scale for r in rng) if rng else None,
                sampled,
            )
        )

    def from_default(name: str, const: str, unit: str | None = None, sampled: bool = True, warn: str = "") -> None:
        d = getattr(D, const)
        src = Source(d.source.citation, d.source.url, d.source.date, d.source.confidence, warn) if warn else d.source
        rows.append(
            EngineInput(name, float(d.value), unit or d.unit, f"defaults.{const}", src, None, sampled, bool(warn))
        )

    def fallback(name: str, value: float, unit: str, why: str, sampled: bool = True) -> None:
        rows.append(
            EngineInput(
                name,
                value,
                unit,
                "engine fallback",
                Source(f"engine fallback for {acc.id}", confidence="estimate", note=why),
                None,
                sampled,
                True,
            )
        )

    def chip_or_link(
        name: str, fld: str, link, link_fld: str, unit: str, scale: float = 1.0, sampled: bool = True
    ) -> bool:
        """The chip's own field, else its link's; False when neither has it."""
        if getattr(acc, fld, None):
            from_spec(name, acc, fld, unit, sampled=sampled)
        elif link is not None and getattr(link, link_fld, None):
            from_spec(name, link, link_fld, unit, scale=scale, sampled=sampled)
        else:
            return False
        return True

    try:  # a precision the chip lacks: one sentence naming what it has
        acc.peak_flops(precision)
        acc.peak_flops("bf16")
    except SuanliError as err:
        raise InputError(str(err)) from None
    fld = acc.peak_field(precision)
    if fld != ("int8_tops" if precision == "int8" else f"{precision}_tflops"):  # bf16 on a chip with only fp16 units
        base = acc.sources.get(fld) or _no_source(acc.id, fld)
        note = (
            f"{acc.id} has no {precision} units: {precision} training falls back to "
            f"{fld.removesuffix('_tflops')} mixed precision at its {getattr(acc, fld):g} TFLOP/s peak"
        )
        rng = acc.ranges.get(fld)
        rows.append(
            EngineInput(
                "peak_tflops",
                float(getattr(acc, fld)),
                "TFLOP/s",
                f"{acc.id}.{fld}",
                Source(base.citation, base.url, base.date, base.confidence, note),
                tuple(float(r) for r in rng) if rng else None,
                True,
                True,
            )
        )
    else:
        from_spec("peak_tflops", acc, fld, "TFLOP/s")
    from_spec("bf16_peak_tflops", acc, acc.peak_field("bf16"), "TFLOP/s", sampled=False)
    if acc.matmul_efficiency is not None:
        from_spec("matmul_efficiency", acc, "matmul_efficiency", "fraction of peak")
    else:
        from_default(
            "matmul_efficiency",
            "MATMUL_EFFICIENCY",
            warn=(
                f"{acc.id} has no matmul_efficiency; using the default {D.MATMUL_EFFICIENCY.value:.2f} "
                f"({D.MATMUL_EFFICIENCY.source.citation})"
            ),
        )
    from_spec("hbm_tbs", acc, "hbm_tbs", "TB/s")
    from_default("hbm_efficiency", "HBM_EFFICIENCY")
    from_spec("hbm_gb", acc, "hbm_gb", "GB", sampled=False)  # capacity decides the layout: fixed
    up, out = _lookup(cat, "link", acc.scaleup_link), _lookup(cat, "link", acc.scaleout_link)

    # scale-up: domain, bandwidth, efficiency, latency
    if not chip_or_link("scaleup_domain", "scaleup_domain", up, "max_domain", "chips", sampled=False):
        fallback(
            "scaleup_domain",
            float(acc.chips_per_server or 1),
            "chips",
            f"{acc.id} has no scale-up domain; assuming {acc.chips_per_server or 1}",
            sampled=False,
        )
    if not chip_or_link("scaleup_gbs", "scaleup_gbs", up, "bandwidth_gbs", "GB/s"):
        fallback("scaleup_gbs", 32.0, "GB/s", f"{acc.id} has no scale-up bandwidth; assuming PCIe 4.0 x16 (32 GB/s)")
    if up is not None and up.efficiency:
        from_spec("scaleup_efficiency", up, "efficiency", "fraction of link bandwidth")
    else:
        from_default("scaleup_efficiency", "SCALEUP_EFFICIENCY")
    if up is not None and up.latency_us:
        from_spec("scaleup_latency_s", up, "latency_us", "s", scale=1e-6, sampled=False)
    else:
        from_default("scaleup_latency_s", "SCALEUP_LATENCY_S", sampled=False)

    # scale-out: NIC bandwidth per chip (Gbit/s; a link gives GB/s), efficiency, latency
    if not chip_or_link("scaleout_gbps", "scaleout_gbps", out, "bandwidth_gbs", "Gbit/s", scale=8.0):
        fallback(
            "scaleout_gbps",
            200.0,
            "Gbit/s",
            f"{acc.id} has no scale-out bandwidth; assuming one 200 Gbit/s NIC per chip",
        )
    if out is not None and out.efficiency:
        from_spec("scaleout_efficiency", out, "efficiency", "fraction of NIC bandwidth")
    else:
        from_default("scaleout_efficiency", "SCALEOUT_EFFICIENCY")
    if out is not None and out.latency_us:
        from_spec("scaleout_latency_s", out, "latency_us", "s", scale=1e-6, sampled=False)
    else:
        from_default("scaleout_latency_s", "SCALEOUT_LATENCY_S", sampled=False)

    # the software stack, from the compat model, applied once
    stack = _lookup(cat, "stack", acc.stack)
    if acc.stack and acc.stack not in NATIVE_STACKS and stack is not None:
        from suanli.models.compat import stack_step_efficiency

        eff = stack_step_efficiency(stack)
        rows.append(
            EngineInput(
                "software_stack",
                eff["central"],
                "fraction of CUDA speed",
                f"compat.stack_step_efficiency({stack.id!r})",
                Source(
                    f"suanli CUDA-compat model over the {stack.id} stack's op profile (Amdahl 1967; its op_sources)",
                    confidence="estimate",
                    note="1/S of the compat model at the stack's central values; the range puts every stack "
                    "range at its least and most favourable bound",
                ),
                (eff["worst"], eff["central"], eff["best"]),
            )
        )
    elif acc.stack and acc.stack not in NATIVE_STACKS:
        fallback(
            "software_stack",
            1.0,
            "fraction of CUDA speed",
            f"software stack {acc.stack!r} is not in the catalog; assuming CUDA parity, which flatters it",
            sampled=False,
        )
    else:
        src = Source("native CUDA is the reference of the compat model: 1 by definition", confidence="datasheet")
        rows.append(EngineInput("software_stack", 1.0, "fraction of CUDA speed", "engine", src, None, False))
    factor, factor_src = D.kernel_factor(acc.family)
    if factor_src is None:
        from_default("stack_efficiency", "STACK_EFFICIENCY")
    else:
        d = D.STACK_EFFICIENCY
        src = Source(
            f"{d.source.citation}; x {factor:g} for {acc.family}: {factor_src.citation}",
            d.source.url,
            d.source.date,
            "estimate",
            f"{d.source.note}. Generation factor: {factor_src.note}",
        )
        rows.append(
            EngineInput(
                "stack_efficiency",
                float(d.value) * factor,
                d.unit,
                "defaults.STACK_EFFICIENCY x defaults.GENERATION_KERNEL_FACTOR",
                src,
                None,
                True,
                False,
            )
        )
    from_default("failure_rate_per_device_hour", "FAILURE_RATE_PER_DEVICE_HOUR")
    from_default("restart_s", "RESTART_SECONDS")
    _apply_chip_evidence(rows, acc, cat)
    return rows


def _apply_chip_evidence(rows: list[EngineInput], acc: Accelerator, cat) -> None:
    """Replace the plugin's matmul_efficiency with the one derived from suanli/data/chip_efficiency.toml, if any."""
    from suanli.spec import Source

    if cat is None:
        return
    from suanli.chip_evidence import derive

    eff = derive(acc, catalog=cat)
    if eff is None:
        return
    i = next(k for k, r in enumerate(rows) if r.name == "matmul_efficiency")
    src = Source(
        f"suanli/data/chip_efficiency.toml [{eff.entry}]: {eff.rule}",
        confidence="measured" if eff.measured else "estimate",
        note=eff.sentence(),
    )
    rows[i] = EngineInput(
        "matmul_efficiency",
        eff.central,
        "fraction of peak",
        f"chip_efficiency[{eff.entry}]",
        src,
        (eff.low, eff.central, eff.high),
        True,
        eff.thin,
    )


class Explanation(str):
    """An estimate's explanation: prints as plain text, renders formulas as LaTeX in a notebook.

    ``formulas``: rows of ``name``, ``latex`` (the closed form), ``numbers`` (LaTeX with this estimate's
    values substituted), ``value`` (the engine's number) and ``evaluated`` (the closed form evaluated); ``inputs``: :class:`EngineInput` rows (empty when the chip is not
    in the catalog); ``layout``: sentences on the layout chosen and why each runner-up lost.
    """

    formulas: list[dict[str, Any]]
    inputs: list[EngineInput]
    layout: list[str]

    def __new__(cls, text: str, formulas, inputs, layout):
        obj = super().__new__(cls, text)
        obj.formulas, obj.inputs, obj.layout = formulas, inputs, layout
        return obj

    def _repr_markdown_(self) -> str:
        parts = ["**Formulas** (numbers of this estimate substituted)", ""]
        for f in self.formulas:
            parts += [f"*{f['name']}*", "", f"$${f['latex']} \\;=\\; {f['numbers']} \\;=\\; {_fmt(f['value'])}$$", ""]
        if self.inputs:
            parts += [
                "**Inputs**",
                "",
                "| input | value | unit | from | confidence | source |",
                "|---|---|---|---|---|---|",
            ]
            for r in self.inputs:
                parts.append(
                    f"| {r.name} | {r.value:.4g} | {r.unit} | `{r.where}` | {r.source.confidence} | "
                    f"{r.source.citation.replace('|', '/')} |"
                )
            parts.append("")
        parts += ["**Layout**", ""] + [f"- {line}" for line in self.layout]
        return "\n".join(parts)


def _formulas(est: Estimate, peak_flops: float | None = None) -> list[dict[str, Any]]:
    """The closed forms of the step, throughput, MFU, failures and wall-clock time, rendered by sympy."""
    import sympy as sp

    d, lay = est.details, est.layout
    m, p, v = sp.symbols("m p v", positive=True)
    t_mb, t_dp, t_opt, t_step = sp.symbols(r"t_{mb} t_{dp} t_{opt} t_{step}", positive=True)
    b, R_tok, F_tok, N, P = sp.symbols(r"b R_{tok} F_{tok} N P_{peak}", positive=True)
    M, delta, tau, R, G, Dtok = sp.symbols(r"M \delta \tau R G D", positive=True)
    o_fc, o_e, o_s, o_r, o_o = sp.symbols(r"o_{fc} o_{eval} o_{stall} o_{ramp} o_{other}", nonnegative=True)
    items = {it["item"]: it["overhead_ratio"] for it in est.run.get("items", [])} or dict.fromkeys(
        ("failures", "checkpoints", "evaluation", "stalls", "rampup", "other"), 0.0
    )
    o_fc_value = items["failures"] + items["checkpoints"]
    if peak_flops is None:  # not in the catalog: the peak the MFU implies
        peak_flops = d["model_flops_per_token"] * est.tokens_per_s / (est.count * est.mfu) if est.mfu else 0.0
    peak = peak_flops
    mtbf_s = d["mtbf_h"] * 3600.0
    rows = [
        (
            "step time (Narayanan et al. 2021, Sec 2.2: interleaved 1F1B pipeline)",
            t_step,
            (m + (p - 1) / v) * t_mb + t_dp + t_opt,
            {
                m: d["micro_batches"],
                p: lay["pp"],
                v: lay["interleave"],
                t_mb: d["microbatch_s"],
                t_dp: est.breakdown["dp_comm_exposed"],
                t_opt: d["optimizer_s"],
            },
            est.step_time_s,
        ),
        ("throughput", R_tok, b / t_step, {b: d["tokens_per_step"], t_step: est.step_time_s}, est.tokens_per_s),
        (
            "MFU (Chowdhery et al. 2022, App. B)",
            sp.Symbol("MFU"),
            F_tok * R_tok / (N * P),
            {F_tok: d["model_flops_per_token"], R_tok: est.tokens_per_s, N: est.count, P: peak},
            est.mfu,
        ),
        (
            "checkpoint interval (Daly 2006, eq. 37)",
            tau,
            sp.sqrt(2 * delta * M) * (1 + sp.sqrt(delta / (2 * M)) / 3 + delta / (18 * M)) - delta,
            {delta: d["checkpoint_s"], M: mtbf_s},
            d["checkpoint_interval_s"],
        ),
        (
            "failure and checkpoint overhead (Daly 2006, eq. 20)",
            o_fc,
            (1 + delta / tau) / (1 - (R + (tau + delta) / 2) / M) - 1,
            {R: D.RESTART_SECONDS.value, tau: d["checkpoint_interval_s"], delta: d["checkpoint_s"], M: mtbf_s},
            o_fc_value,
        ),
        (
            "goodput (run level, suanli.models.goodput)",
            G,
            1 / (1 + o_fc + o_e + o_s + o_r + o_o),
            {
                o_fc: o_fc_value,
                o_e: items["evaluation"],
                o_s: items["stalls"],
                o_r: items["rampup"],
                o_o: items["other"],
            },
            est.goodput,
        ),
        (
            "wall-clock days",
            sp.Symbol("T_{days}"),
            Dtok / (R_tok * G * 86400),
            {Dtok: est.tokens, R_tok: est.tokens_per_s, G: est.goodput},
            est.train_days,
        ),
    ]
    out = []
    for name, lhs, rhs, values, value in rows:
        # the same expression tree with each symbol printed as its number: the substitution stays visible
        shown = {k: _tex_number(val) for k, val in values.items()}
        out.append(
            {
                "name": name,
                "latex": sp.latex(sp.Eq(lhs, rhs)),
                "numbers": sp.latex(rhs, symbol_names=shown, mul_symbol="times"),
                "value": float(value),
                "evaluated": float(rhs.subs(values)),
            }
        )
    return out


def _tex_number(value: float) -> str:
    text = f"{value:.4g}"
    if "e" in text:
        mant, exp = text.split("e")
        return rf"\left({mant} \cdot 10^{{{int(exp)}}}\right)"
    return text


def _equation_lines(est: Estimate) -> list[str]:
    d, lay = est.details, est.layout
    m, p, v = d["micro_batches"], lay["pp"], lay["interleave"]
    slot = d["microbatch_s"]
    return [
        (
            f"one micro-batch slot t_mb = compute {est.breakdown['compute'] / m:.4g} s + memory-bound + TP comm "
            f"+ EP comm + pipeline send/recv + host = {slot:.4g} s"
        ),
        (
            f"step = (m + (p - 1)/v) x t_mb + exposed DP comm + optimizer = ({m} + {p - 1}/{v}) x {slot:.4g} s "
            f"+ {est.breakdown['dp_comm_exposed']:.4g} s + {d['optimizer_s']:.4g} s = {est.step_time_s:.4g} s"
        ),
        f"tokens/s = tokens per step / step = {d['tokens_per_step']:,.0f} / {est.step_time_s:.4g} s = {est.tokens_per_s:,.0f}",
        (
            f"MFU = model FLOPs/token x tokens/s / (count x peak) = {d['model_flops_per_token']:.4g} x {est.tokens_per_s:,.0f} "
            f"/ ({est.count} x peak) = {est.mfu:.3f}"
        ),
        (
            f"days = tokens / (tokens/s) / goodput / run efficiency = {est.tokens:.4g} / {est.tokens_per_s:,.0f} / "
            f"{est.goodput:.3f} / {d.get('run_efficiency', 1.0):.3g} / 86400 = {est.train_days:.4g}"
        ),
        (
            f"goodput: MTBF {d['mtbf_h']:.3g} h, checkpoint {d['checkpoint_s']:.3g} s every {d['checkpoint_interval_s'] / 60:.3g} min "
            f"(Young/Daly) and the run-level items below -> {est.goodput:.3f}"
        ),
        *(runlevel.text_lines(est.run) if est.run else []),
    ]


def _layout_text(lay: dict[str, Any]) -> str:
    return (
        f"TP{lay['tp']} "
        + (f"CP{lay['cp']} " if lay.get("cp", 1) > 1 else "")
        + f"PP{lay['pp']} DP{lay['dp']} EP{lay['ep']} mb{lay['micro_batch']} rc={lay['recompute']} "
        f"ZeRO-{lay['zero']}" + (f" v{lay['interleave']}" if lay["interleave"] > 1 else "")
    )


def _layout_lines(est: Estimate, catalog=None) -> list[str]:
    """The layout chosen and, for each runner-up, the part of the step that makes it slower per token."""
    d = est.details
    lines = [
        f"chosen {_layout_text(est.layout)}: the fastest per token of {d['layouts_fitting']:,} layouts that fit "
        f"in memory ({d['layouts_searched']:,} searched; {est.memory_gb_per_device:.1f} GiB per device)"
    ]
    if not est.runners_up:
        return lines
    try:  # re-run the chosen layout and each runner-up at the same inputs to see which part grows
        w = make_workload(est.model)
        hw = hardware(est.accelerator or est.chip, est.precision, catalog=catalog)
        parts = {}
        for i, lay in enumerate([est.layout, *est.runners_up]):
            r = evaluate(w, hw, lay, tokens=est.tokens, global_batch=lay["global_batch"], precision=est.precision)
            parts[i] = {k: float(r[k]) / float(r["tokens_per_step"]) for k in BREAKDOWN_KEYS}
    except SuanliError:
        parts = {}
    best_per_token = est.step_time_s / d["tokens_per_step"]
    seq = d["tokens_per_step"] / est.layout["global_batch"]
    for i, lay in enumerate(est.runners_up, start=1):
        per_token = lay["step_time_s"] / (lay["global_batch"] * seq)
        slower = per_token / best_per_token - 1.0
        why = ""
        if parts:
            delta = {k: parts[i][k] - parts[0][k] for k in BREAKDOWN_KEYS}
            worst = max(delta, key=delta.get)
            if delta[worst] > 0:
                why = f"; it loses on {worst.replace('_', ' ')} (+{delta[worst] / best_per_token:.1%} of the chosen step per token)"
        lines.append(
            f"runner-up {_layout_text(lay)}: {slower:+.1%} time per token, "
            f"{lay['memory_gb_per_device']:.1f} GiB per device{why}"
        )
    return lines


def _stack_and_batch_lines(est: Estimate) -> list[str]:
    """The training framework the step assumed and the rule that chose the global batch."""
    d = est.details
    out = []
    if d.get("framework"):
        try:
            prof = resolve_framework(d["framework"], _safe_catalog_for(est.catalog))
            out.append(
                f"framework: {prof.id} ({prof.name}): FlashAttention generation {d.get('flash_attention', 0)}, "
                f"TP/DP/PP communication hidden {prof.tp_overlap:.0%}/{prof.dp_overlap:.0%}/{prof.pp_overlap:.0%}, "
                f"ZeRO stages {', '.join(map(str, prof.zero_stages))}"
            )
        except SuanliError:
            out.append(f"framework: {d['framework']}")
    if d.get("global_batch_rule"):
        out.append(
            f"global batch: {d['global_batch_sequences']:,} sequences ({d['global_batch_tokens'] / 1e6:.3g}M tokens); "
            f"rule: {d['global_batch_rule']}"
        )
    if d.get("run_kind"):
        out.append(f"run kind: {d['run_kind']} (run efficiency {d.get('run_efficiency', 1.0):.2f} on top of failures)")
    return out


def _explain(est: Estimate) -> Explanation:
    try:  # the estimate's own catalog and chip, not whatever the global catalog holds now
        inputs = input_sources(est.accelerator or est.chip, est.precision, catalog=est.catalog)
    except SuanliError:
        inputs = []  # an Accelerator object that is not in the catalog: its sources are the caller's
    layout = _layout_lines(est, catalog=est.catalog)
    text = ["how: " + line for line in _equation_lines(est)]
    text += _stack_and_batch_lines(est)
    if inputs:
        text.append("inputs (value unit  from  confidence: source):")
        text += [
            f"  {r.name} = {r.value:.4g} {r.unit}  {r.where}  {r.source.confidence}: {r.source.citation}"
            for r in inputs
        ]
    text += ["layout:"] + [f"  {line}" for line in layout]
    peak = next((r.value * 1e12 for r in inputs if r.name == "peak_tflops"), None)
    return Explanation("\n".join(text), _formulas(est, peak), inputs, layout)


DEFAULT_SCENARIO = {"model": "gpt3-175b", "tokens": 300e9, "chip": "nvidia-a100-sxm4-80gb", "count": 1024}
"""The question asked when none is: GPT-3 175B on 300B tokens (Brown et al. 2020) on 1,024 A100s
(``suanli estimate`` with no flags, the uncertainty panel with no result)."""
