"""Run-level goodput: what a production training run loses beyond its steady-state steps, item by item.

A *benchmark* (MLPerf timed region, a throughput table, a fixed-layout iteration time) is steady-state
steps only. A *production* run allocated for ``T`` hours trains for only part of them; the rest goes to

- **failures and restarts**: interruptions at a per-device-hour rate times the fleet size (so a
  16,384-GPU job is interrupted every few hours, a 512-GPU job every few days), scaled by the maturity
  of the chip's software stack; each costs a restart plus the work since the last checkpoint (Daly);
- **checkpoints**: one blocking write every Young/Daly interval;
- **evaluation**: forward-only passes over a held-out set every few hundred steps;
- **stalls**: stragglers, data-loader hand-offs and day-to-day throughput drift;
- **batch ramp-up**: the first billions of tokens run at a small batch, which leaves pipeline stages
  and data-parallel ranks idle.

Each item is an *overhead ratio* ``o`` (extra wall-clock time per unit of productive time); the run's
wall-clock time is ``productive x (1 + sum o)`` and its goodput ``1 / (1 + sum o)``: "10 hours
allocated, 8 used" is goodput 0.8, overheads summing to 0.25.

References: [1] Young 1974, 'A first order approximation to the optimum checkpoint interval', CACM 17(9);
[2] Daly 2006, FGCS 22(3), eq. 20 and 37; [3] Llama Team 2024, 'The Llama 3 Herd of Models',
arXiv:2407.21783, Sec 3.3.4 (419 unexpected interruptions in 54 days on 16,384 H100; > 90% effective
training time; 1-2% diurnal throughput variation); [4] Zhang et al. 2022, 'OPT', arXiv:2205.01068 Sec 2.5
and the metaseq OPT-175B logbook (about 105 restarts in two months on 992 A100); [5] Kokolis et al. 2025,
'Revisiting Reliability in Large-Scale Machine Learning Research Clusters', HPCA 2025, arXiv:2410.21680
(job MTTF falls as 1/GPUs; effective training time ratio); [6] Brown et al. 2020, 'Language Models are
Few-Shot Learners', arXiv:2005.14165, Sec 2.3 / App. B (batch ramp from 32k tokens over the first 4-12B
tokens); [7] Megatron-LM `arguments.py` defaults (`--eval-interval 1000`, `--eval-iters 100`).
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models import reliability as rel
from suanli.models.defaults import Default
from suanli.spec import Source

RUN_KINDS = ("benchmark", "production")
"""``benchmark``: steady-state steps only; ``production``: a whole run with every loss of this module."""

DEFAULT_RUN_KIND = "production"
"""A whole-run question (days, accelerator-hours, cost) is about a production run unless told otherwise:
the published run totals (Llama, BLOOM, OPT, PaLM) all include failures, evaluation and ramp-up."""

WHOLE_RUN_TOKENS_PER_PARAM = Default(
    1.0,
    "training tokens per parameter",
    Source(
        "Hoffmann et al. 2022 (Chinchilla) arXiv:2203.15556: compute-optimal ~20 tokens per parameter; GPT-3 "
        "(Brown et al. 2020), the leanest published pretraining run, 300B tokens on 175B parameters (1.7)",
        url="https://arxiv.org/abs/2203.15556",
        confidence="paper",
        note="below one token per parameter a question is about a slice of training (an MLPerf timed region is "
        "1.2B tokens on 175B parameters, 0.007), so the default run kind is benchmark; at or above it, production",
    ),
)


@V.checked(tokens=V.ONE_POSITIVE, params=V.ONE_POSITIVE)
def default_run_kind(tokens, params) -> str:
    """The run kind to assume when none is given: production for a whole-run token budget, benchmark for a slice.

    References: Hoffmann et al. 2022, arXiv:2203.15556 (tokens per parameter of pretraining runs);
    MLCommons Training GPT-3 benchmark (a 1.2B-token timed region from a checkpoint).
    """
    per_param = float(tokens) / max(float(params), 1.0)
    return DEFAULT_RUN_KIND if per_param >= WHOLE_RUN_TOKENS_PER_PARAM.value else "benchmark"


ITEMS = ("failures", "checkpoints", "evaluation", "stalls", "rampup", "other")
"""The run-level loss items, in the order they are shown (``other``: a caller-given residual, e.g. a calibrated one)."""

_OPT_RATE = 105 / (60 * 24 * 992)  # OPT-175B: ~105 restarts (35 manual + ~70 automatic) in ~60 days on 992 GPUs
_LLAMA3_RATE = 419 / (54 * 24 * 16384)  # Llama 3: 419 unexpected interruptions in 54 days on 16,384 GPUs

STACK_MATURITY = {
    "mature": Default(
        1.0,
        "x the base interruption rate",
        Source(
            "Llama 3 report (arXiv:2407.21783 Sec 3.3.4), MegaScale (arXiv:2402.15627) and BLOOM "
            "(arXiv:2211.05100: 1-2 GPU failures a week on 384 A100) agree within ~20% at ~2e-5 per GPU-hour",
            url="https://arxiv.org/abs/2407.21783",
            date="2024-07",
            confidence="paper",
            note="CUDA on NVIDIA datacenter GPUs and XLA on TPUs: stacks with years of production at 10k-chip scale",
        ),
    ),
    "early": Default(
        _OPT_RATE / _LLAMA3_RATE,
        "x the base interruption rate",
        Source(
            "OPT-175B (Zhang et al. 2022, arXiv:2205.01068 Sec 2.5; metaseq logbook): ~105 restarts in ~60 days "
            "on 992 A100 = 7.4e-5 per GPU-hour, against Llama 3's 2.0e-5",
            url="https://arxiv.org/abs/2205.01068",
            date="2022-05",
            confidence="paper",
            note="a first large run on a freshly built cluster with a young training stack; the ratio of the two "
            "published rates (3.7x)",
        ),
    ),
    "new": Default(
        float(np.sqrt(_OPT_RATE / _LLAMA3_RATE)),
        "x the base interruption rate",
        Source(
            "suanli estimate for stacks without a published large-scale reliability record (CANN, DTK, Neuware, "
            "MUSA, SUPA, TopsRider, Gaudi software, ROCm at 10k scale)",
            confidence="estimate",
            note="geometric mean of parity with mature stacks (1x) and the OPT-to-Llama-3 ratio (3.7x): 1.9x, "
            "range 1x-3.7x. No public per-device-hour interruption rate of a domestic 1k+-chip run was found",
        ),
    ),
}
"""Interruption-rate multipliers by the maturity of a chip's software stack (the same rate for every chip is wrong)."""

MATURITY_RANGE = {
    "mature": (1.0, 1.0),
    "early": (2.0, _OPT_RATE / _LLAMA3_RATE),
    "new": (1.0, _OPT_RATE / _LLAMA3_RATE),
}

MATURE_STACKS = ("cuda", "google-xla")
"""Stacks rated ``mature`` (the rest are ``new`` unless the caller says otherwise)."""

EVAL_ITERS_PER_INTERVAL = Default(
    0.1,
    "eval iterations per training iteration",
    Source(
        "Megatron-LM arguments.py defaults: --eval-iters 100 every --eval-interval 1000 iterations",
        url="https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/training/arguments.py",
        confidence="paper",
        note="what a run gets unless it changes them; GPT-NeoX configs use 10 per 1000 (0.01), the low end of the range",
    ),
)
EVAL_RANGE = (0.01, 0.1)

FORWARD_SHARE = Default(
    1.0 / 3.0,
    "fraction of a training step",
    Source(
        "Kaplan et al. 2020 arXiv:2001.08361 Sec 2.1: forward 2N FLOPs per token of the 6N of a training step",
        url="https://arxiv.org/abs/2001.08361",
        confidence="paper",
        note="an evaluation iteration is a forward pass: a third of a training iteration's FLOPs",
    ),
)

STALL_FRACTION = Default(
    0.02,
    "overhead ratio",
    Source(
        "suanli estimate from Llama 3 (arXiv:2407.21783 Sec 3.3.4: 1-2% diurnal throughput variation; stragglers "
        "and slow data loading diagnosed at 16k-GPU scale) and MegaScale (arXiv:2402.15627 Sec 5: stragglers)",
        url="https://arxiv.org/abs/2407.21783",
        confidence="estimate",
        note="stragglers, data-loader hand-offs and throughput drift not in the step model; range 0.5%-5%",
    ),
)
STALL_RANGE = (0.005, 0.05)

RAMP_TOKENS = Default(
    8e9,
    "tokens",
    Source(
        "Brown et al. 2020 (GPT-3) arXiv:2005.14165 Sec 2.3 / App. B: batch raised linearly from 32k tokens to the "
        "full batch 'over the first 4-12 billion tokens of training, depending on the model size'",
        url="https://arxiv.org/abs/2005.14165",
        confidence="paper",
        note="the middle of 4-12B tokens",
    ),
)
RAMP_START_TOKENS = Default(
    32768.0,
    "tokens per step",
    Source(
        "Brown et al. 2020 (GPT-3) arXiv:2005.14165 App. B: ramp starts at 32k tokens per batch",
        url="https://arxiv.org/abs/2005.14165",
        confidence="paper",
    ),
)


def _arr(name: str, x, low: float = 0.0, high: float = np.inf) -> np.ndarray:
    a = V.float_array(name, x, f"a number from {low:g} to {high:g}")
    if a.size == 0 or not np.all(np.isfinite(a) & (a >= low) & (a <= high)):
        raise InputError(f"{name} must be a number from {low:g} to {high:g}, got {x!r}")
    return a


def stack_maturity(stack_id: str | None) -> str:
    """The maturity class of a software stack id: ``mature`` for CUDA and XLA, else ``new``.

    References: Llama 3 report arXiv:2407.21783 Sec 3.3.4 and Gemini 2023 report arXiv:2312.11805 (production
    reliability at 10k-chip scale on CUDA and TPU/XLA); :data:`STACK_MATURITY` for the classes.
    """
    if stack_id is not None and not isinstance(stack_id, str):
        raise InputError(f"stack_id must be a stack id (text) or None, got {stack_id!r}")
    return "mature" if (stack_id or "cuda") in MATURE_STACKS else "new"


@V.checked(maturity_multiplier=V.NON_NEGATIVE, base_rate_per_device_hour=V.optional(V.NON_NEGATIVE))
def interruption_rate(maturity_multiplier=1.0, base_rate_per_device_hour=None):
    """Interruptions per device-hour: the mature base rate times the stack's maturity multiplier.

    Parameters
    ----------
    maturity_multiplier : numeric
        :data:`STACK_MATURITY` value (1 mature, 1.9 new, 3.7 early).
    base_rate_per_device_hour : numeric, optional
        Default :data:`suanli.models.defaults.FAILURE_RATE_PER_DEVICE_HOUR` (Llama 3: 466 in 54 days on 16,384 GPUs).

    References
    ----------
    [1] Llama Team 2024, arXiv:2407.21783, Sec 3.3.4. [2] Zhang et al. 2022 (OPT), arXiv:2205.01068 Sec 2.5.
    """
    from suanli.models import defaults as D

    base = D.FAILURE_RATE_PER_DEVICE_HOUR.value if base_rate_per_device_hour is None else base_rate_per_device_hour
    return _arr("maturity multiplier", maturity_multiplier) * _arr("failure rate per device-hour", base)


@V.checked(checkpoint_s=V.NON_NEGATIVE, mtbf_s=V.POSITIVE_OR_INF, restart_s=V.optional(V.NON_NEGATIVE))
def failure_and_checkpoint_overheads(checkpoint_s, mtbf_s, restart_s=None):
    """(failure, checkpoint) overhead ratios of Daly's expected waste at the Young/Daly interval.

    With ``G`` Daly's goodput (:func:`suanli.models.reliability.goodput`) the two together cost
    ``1/G - 1`` per unit of productive time; the checkpoint part is ``delta / tau``, the rest is
    restarts and lost work.

    References
    ----------
    [1] Daly 2006, FGCS 22(3), eq. 20 and 37. [2] Young 1974, CACM 17(9).
    """
    d = np.asarray(checkpoint_s, dtype=float)
    m = np.asarray(mtbf_s, dtype=float)
    tau = rel.optimal_checkpoint_interval(d, m)
    g = rel.goodput(d, m, restart_s, tau)
    with np.errstate(invalid="ignore", divide="ignore"):
        ckpt = np.where(np.isfinite(tau) & (tau > 0), d / tau, 0.0)
    total = 1.0 / g - 1.0
    return np.maximum(total - ckpt, 0.0), np.minimum(ckpt, total)


@V.checked(eval_iters_per_iter=V.optional(V.NON_NEGATIVE), forward_share=V.optional(V.SHARE))
def evaluation_overhead(eval_iters_per_iter=None, forward_share=None):
    """Evaluation overhead ratio: eval iterations per training iteration x a forward pass's share of a step.

    Megatron-LM's defaults (100 eval iterations every 1,000) give 0.1 x 1/3 = 3.3%.

    References
    ----------
    [1] Megatron-LM arguments.py (--eval-interval, --eval-iters). [2] Kaplan et al. 2020, arXiv:2001.08361 Sec 2.1.
    """
    e = EVAL_ITERS_PER_INTERVAL.value if eval_iters_per_iter is None else eval_iters_per_iter
    f = FORWARD_SHARE.value if forward_share is None else forward_share
    return _arr("evaluation iterations per training iteration", e, 0.0, 10.0) * _arr("forward share", f, 0.0, 1.0)


@V.checked(
    micro_batches=V.POSITIVE,
    pipeline_stages=V.COUNT,
    interleave=V.COUNT,
    batch_tokens=V.POSITIVE,
    total_tokens=V.POSITIVE,
    ramp_tokens=V.optional(V.NON_NEGATIVE),
    start_tokens=V.optional(V.POSITIVE),
    points=V.ONE_COUNT,
)
def rampup_overhead(
    micro_batches,
    pipeline_stages,
    interleave,
    batch_tokens,
    total_tokens,
    ramp_tokens=None,
    start_tokens=None,
    points: int = 256,
):
    """Extra time of a linear batch ramp-up, as an overhead ratio on the whole run's productive time.

    The batch grows linearly (in tokens trained) from ``start_tokens`` per step to the full batch over
    ``ramp_tokens``. With the data-parallel degree fixed, a step at a fraction ``f`` of the full batch
    runs ``max(f m, 1)`` micro-batch slots plus the pipeline fill ``(p - 1)/v``, so its time per token is
    ``(max(f m, 1) + b) / (f m)`` slot-times against ``(m + b) / m`` at full batch (``b = (p-1)/v``;
    Narayanan et al. 2021 Sec 2.2). A micro-batch is never split: below one slot per rank the ranks idle.

    Parameters
    ----------
    micro_batches : numeric
        Micro-batches per step at the full batch (``m``).
    pipeline_stages, interleave : numeric
        ``p`` and ``v`` of the layout.
    batch_tokens : numeric
        Tokens per step at the full batch.
    total_tokens : numeric
        Tokens of the whole run.
    ramp_tokens, start_tokens : numeric, optional
        Defaults :data:`RAMP_TOKENS` (8e9) and :data:`RAMP_START_TOKENS` (32,768).

    References
    ----------
    [1] Brown et al. 2020, arXiv:2005.14165 Sec 2.3 and App. B. [2] Narayanan et al. 2021, arXiv:2104.04473 Sec 2.2.
    """
    R = RAMP_TOKENS.value if ramp_tokens is None else ramp_tokens
    s0 = RAMP_START_TOKENS.value if start_tokens is None else start_tokens
    m = np.asarray(micro_batches, dtype=float)[..., None]
    b = ((np.asarray(pipeline_stages, dtype=float) - 1.0) / np.asarray(interleave, dtype=float))[..., None]
    B = np.asarray(batch_tokens, dtype=float)[..., None]
    T = np.asarray(total_tokens, dtype=float)
    R = np.minimum(np.asarray(R, dtype=float), T)
    f0 = np.minimum(np.asarray(s0, dtype=float)[..., None] / B, 1.0)
    u = (np.arange(points) + 0.5) / points  # midpoint rule over the ramp's tokens
    f = f0 + (1.0 - f0) * u
    slots = np.maximum(f * m, 1.0)
    per_token = (slots + b) / (f * m)
    full = (m + b) / m
    extra = np.mean(per_token / full - 1.0, axis=-1)
    return extra * R / T


@V.checked(
    run_kind=V.TEXT,
    count=V.COUNT,
    checkpoint_s=V.NON_NEGATIVE,
    micro_batches=V.POSITIVE,
    pipeline_stages=V.COUNT,
    interleave=V.COUNT,
    batch_tokens=V.POSITIVE,
    total_tokens=V.POSITIVE,
    maturity_multiplier=V.NON_NEGATIVE,
    base_rate_per_device_hour=V.optional(V.NON_NEGATIVE),
    restart_s=V.optional(V.NON_NEGATIVE),
    eval_iters_per_iter=V.optional(V.NON_NEGATIVE),
    stall_fraction=V.optional(V.SHARE),
    ramp_tokens=V.optional(V.NON_NEGATIVE),
    other_overhead=V.NON_NEGATIVE,
)
def run_overheads(
    run_kind,
    *,
    count,
    checkpoint_s,
    micro_batches,
    pipeline_stages,
    interleave,
    batch_tokens,
    total_tokens,
    maturity_multiplier=1.0,
    base_rate_per_device_hour=None,
    restart_s=None,
    eval_iters_per_iter=None,
    stall_fraction=None,
    ramp_tokens=None,
    other_overhead=0.0,
):
    """Every run-level overhead ratio of a run: a dict over :data:`ITEMS` (all zero for a benchmark).

    ``other_overhead`` is what the sourced items leave unexplained (a residual the caller brings, as
    ``1 / efficiency - 1``); it is kept as its own item so it is never mistaken for a sourced one.

    Also returns ``mtbf_s`` (mean time between interruptions of the whole job), ``rate_per_device_hour``,
    ``checkpoint_interval_s`` and ``goodput`` = 1 / (1 + sum of the items).

    References
    ----------
    [1] Daly 2006, FGCS 22(3). [2] Llama Team 2024, arXiv:2407.21783 Sec 3.3.4. [3] Brown et al. 2020,
    arXiv:2005.14165 App. B. [4] Kokolis et al. 2025, arXiv:2410.21680 (job MTTF as 1/GPUs).
    """
    if run_kind not in RUN_KINDS:
        raise InputError(f"run_kind must be one of {', '.join(RUN_KINDS)}, got {run_kind!r}")
    rate = interruption_rate(maturity_multiplier, base_rate_per_device_hour)
    mtbf = rel.mtbf_seconds(count, rate)
    tau = rel.optimal_checkpoint_interval(checkpoint_s, mtbf)
    zero = np.zeros(np.broadcast(np.asarray(count), np.asarray(checkpoint_s)).shape)
    if run_kind == "benchmark":
        items = {k: zero + 0.0 for k in ITEMS}
    else:
        fail, ckpt = failure_and_checkpoint_overheads(checkpoint_s, mtbf, restart_s)
        stall = _arr("stall fraction", STALL_FRACTION.value if stall_fraction is None else stall_fraction, 0.0, 1.0)
        items = {
            "failures": fail + zero,
            "checkpoints": ckpt + zero,
            "evaluation": evaluation_overhead(eval_iters_per_iter) + zero,
            "stalls": stall + zero,
            "rampup": rampup_overhead(
                micro_batches, pipeline_stages, interleave, batch_tokens, total_tokens, ramp_tokens
            )
            + zero,
            "other": _arr("other overhead", other_overhead) + zero,
        }
    total = sum(items.values())
    return {
        **items,
        "goodput": 1.0 / (1.0 + total),
        "mtbf_s": mtbf + zero,
        "rate_per_device_hour": rate + zero,
        "checkpoint_interval_s": tau + zero,
    }


def scale_to_goodput(items: dict, goodput):
    """Scale the overhead items so that they give ``goodput`` (an override such as '10 hours allocated, 8 used').

    The items keep their proportions; with all items zero (a benchmark) the whole loss is put in
    ``stalls``. Returns a new dict with ``goodput`` set.

    References: the overhead-ratio form of this module (goodput = 1 / (1 + sum o)); Kokolis et al. 2025,
    arXiv:2410.21680 (effective training time ratio).
    """
    if not isinstance(items, dict) or any(k not in items for k in ITEMS):
        raise InputError(f"items must be a dict with the overhead items {', '.join(ITEMS)}, got {items!r}")
    g = _arr("goodput", goodput, 1e-6, 1.0)
    target = 1.0 / g - 1.0
    total = sum(np.asarray(items[k], dtype=float) for k in ITEMS)
    out = dict(items)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k in ITEMS:
            share = np.where(
                total > 0,
                np.asarray(items[k], dtype=float) / np.where(total > 0, total, 1.0),
                1.0 if k == "stalls" else 0.0,
            )
            out[k] = share * target
    out["goodput"] = g + 0.0 * total
    return out
