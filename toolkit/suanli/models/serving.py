"""LLM inference (serving): prefill, decode, KV cache, batch limits and per-token latency.

A served request is a *prefill* over its ``input_len`` prompt tokens (one pass of large matrix
products: compute-bound) followed by ``output_len`` *decode* steps, each producing one token per
running request (every step reads the weights and the whole KV cache once: memory-bandwidth-bound
until the batch is large). Each step is costed on a roofline::

    t = max(FLOP / (peak x compute_efficiency), bytes / (HBM bandwidth x bandwidth_efficiency))

plus the collectives of tensor / expert parallelism (:mod:`suanli.models.interconnect`). The chain::

    kv_bytes_per_token        K and V (MHA / GQA / MQA) or the MLA latent, per token, all layers
    expected_experts_touched  how many routed experts a batch reads in one MoE layer
    decode_step               one decode step of a replica: time, FLOP, bytes, communication
    prefill_time              the prompt pass of one request
    serving_point             TTFT, TPOT, throughput per chip and memory per device at a batch
    max_batch                 the largest batch whose KV cache fits beside the weights

Everything is SI (s, bytes, FLOP/s) and broadcasts over numpy arrays, so a batch sweep over every
chip in the catalog is one call. The achievable fractions of peak compute and bandwidth are
calibrated in :data:`SERVING_DEFAULTS` against public measurements (``suanli backtest --serving``).

References
----------
- [1] Pope et al. 2022, "Efficiently Scaling Transformer Inference", arXiv:2211.05102 (Sec 2: the
  decode step's memory time, KV cache size, multi-query attention; Sec 3.2: 1D tensor-parallel
  layouts and their all-reduces).
- [2] Kwon et al. 2023, "Efficient Memory Management for LLM Serving with PagedAttention" (vLLM),
  SOSP '23, arXiv:2309.06180 (batch limited by the KV-cache memory left after the weights; Sec 2.3).
- [3] Yuan et al. 2024, "LLM Inference Unveiled: Survey and Roofline Model Insights",
  arXiv:2402.16363 (Sec 2: roofline of prefill and decode, arithmetic intensity).
- [4] DeepSeek-AI 2024, "DeepSeek-V2", arXiv:2405.04434, Sec 2.1.2-2.1.4 (MLA: the cache holds a
  d_c-wide latent plus a d_h^R-wide decoupled RoPE key per token and layer).
- [5] DeepSeek-AI 2024, "DeepSeek-V3 Technical Report", arXiv:2412.19437, Sec 3.4 (serving with
  expert parallelism across nodes, data-parallel attention); DeepSeek-AI 2025, "DeepSeek-V3/R1
  Inference System Overview" (open-infra-index, day 6: dual micro-batch overlap of all-to-all).
- [6] Ainslie et al. 2023, "GQA: Training Generalized Multi-Query Transformer Models from Multi-Head
  Checkpoints", arXiv:2305.13245.
- [7] Kaplan et al. 2020, arXiv:2001.08361, Table 1 (forward FLOP per token: 2N + 2 n_layer n_ctx d_attn).
- [8] Agrawal et al. 2024, "Sarathi-Serve", OSDI '24, arXiv:2403.02310 (chunked prefill rides on decode steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models import interconnect as ic
from suanli.spec import Source

BYTES_PER_VALUE = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
"""Bytes per stored weight or cache value by format (INT4 packs two values per byte)."""


@dataclass(frozen=True)
class ServingDefaults:
    """Defaults of the serving model, each with its source in ``sources``.

    An instance is also the ``eff`` argument of :func:`decode_step`, :func:`prefill_time` and
    :func:`serving_point`: ``dataclasses.replace(SERVING_DEFAULTS, compute_efficiency=grid)`` evaluates
    a grid of efficiencies in one call (the calibration does).
    """

    compute_efficiency: float = 0.65
    bandwidth_efficiency: float = 0.80
    kv_bandwidth_efficiency: float = 0.70
    moe_efficiency: float = 0.45
    memory_usable_fraction: float = 0.90
    step_overhead_s: float = 2.0e-3
    sources: dict[str, Source] | None = None


SERVING_DEFAULTS = ServingDefaults(
    sources={
        "compute_efficiency": Source(
            citation="calibrated: achievable share of the chip's sustained matmul throughput in serving steps",
            confidence="estimate",
            note="fitted (grid least squares in log tokens/s, with kv_bandwidth_efficiency and moe_efficiency) to the "
            "throughput rows of toolkit/suanli/data/serving_runs.csv (TensorRT-LLM performance tables, DeepSeek's H800 "
            "statistics); multiplies the chip's own matmul_efficiency. Leave-one-out: `suanli backtest --serving --loo`.",
        ),
        "bandwidth_efficiency": Source(
            citation="achievable share of peak HBM bandwidth while streaming the weights in a decode step",
            confidence="estimate",
            note="set from physics and one measurement, not fitted: Llama-3.1-8B BF16 (16.1 GB of weights) decodes one "
            "request at ~75 tokens/s on an A100 40GB under vLLM 0.23 (J. Musgrave 2026, vLLM throughput-latency sweep), "
            "i.e. 16.1 GB per 13.3 ms = 1.21 TB/s = 0.78 of 1.555 TB/s with the engine's overhead inside, ~0.85-0.9 "
            "without; large-copy kernels reach 0.8-0.9 of peak on A100/H100. 0.80 is taken.",
        ),
        "kv_bandwidth_efficiency": Source(
            citation="calibrated: achievable share of peak HBM bandwidth while decode attention reads the (paged) KV cache",
            confidence="estimate",
            note="fitted with the other efficiencies to the bundled throughput rows; attention reads many small "
            "KV blocks per sequence, which reaches less bandwidth than streaming weights (Kwon et al. 2023, Sec 7.1: "
            "the paged attention kernel is 20-26% slower than a contiguous one; Dao et al. 2023, Flash-Decoding). "
            "Leave-one-out error: `suanli backtest --serving --loo`.",
        ),
        "moe_efficiency": Source(
            citation="calibrated: share of the dense-model efficiency an MoE step reaches",
            confidence="estimate",
            note="fitted to the MoE rows of the bundled serving runs (Qwen3-235B-A22B on H100/H200, DeepSeek-V3 on H800); "
            "stands for what the roofline does not see in an MoE step: routing and gating kernels, grouped GEMMs over "
            "uneven expert loads and the rank the busiest experts land on (DeepSeek-V3 report Sec 3.4 keeps redundant "
            "experts for that imbalance). Leave-one-out error per group: `suanli backtest --serving --loo`.",
        ),
        "memory_usable_fraction": Source(
            citation="vLLM engine argument gpu_memory_utilization, default 0.9",
            url="https://docs.vllm.ai/en/latest/serving/engine_args.html",
            date="2024",
            confidence="datasheet",
            note="the share of device memory the engine takes for weights and KV cache; the rest is activations, "
            "CUDA graphs and the runtime (Kwon et al. 2023, Sec 4.1)",
        ),
        "step_overhead_s": Source(
            citation="per-step scheduling and kernel-launch overhead of an LLM engine",
            confidence="estimate",
            note="vLLM's profile of a decode step before CUDA graphs spent milliseconds in the scheduler and "
            "sampler (vLLM v0.6.0 performance blog, 2024-09-05: CPU overhead cut from ~60% of the step); 2 ms "
            "is taken for an engine with CUDA graphs and asynchronous scheduling; range 0.5..5 ms.",
        ),
    }
)


def _arr(name: str, value: Any) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.dtype == float:
        a = value
    else:
        try:
            a = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be a number, got {value!r}") from None
    if not (a >= 0).all() or not np.isfinite(a).all():  # NaN fails the first test
        raise InputError(f"{name} must be a finite number >= 0, got {value!r}")
    return a


def _kv_tok(model, prec) -> float:
    """:func:`kv_bytes_per_token` of a checked model (no re-validation inside the hot path)."""
    if model.latent_dim > 0:
        return model.layers * model.latent_dim * prec.kv_bytes
    return 2.0 * model.layers * model.kv_heads * model.head_dim * prec.kv_bytes


def _out(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


@V.checked(
    layers=V.NON_NEGATIVE,
    kv_heads=V.NON_NEGATIVE,
    head_dim=V.NON_NEGATIVE,
    bytes_per_value=V.NON_NEGATIVE,
    latent_dim=V.NON_NEGATIVE,
)
def kv_bytes_per_token(layers, kv_heads, head_dim, bytes_per_value, latent_dim=0):
    """KV-cache bytes one token occupies across all layers.

    Parameters
    ----------
    layers : numeric
        Transformer layers [-].
    kv_heads : numeric
        Key/value heads: the query heads for MHA, fewer for GQA [6], 1 for MQA [1].
    head_dim : numeric
        Width of one head [-].
    bytes_per_value : numeric
        Bytes per cached value [bytes] (2 for BF16, 1 for an FP8 cache).
    latent_dim : numeric, default 0
        MLA: width of the cached latent plus the decoupled RoPE key (d_c + d_h^R, 512 + 64 for
        DeepSeek-V2/V3 [4]); when > 0 it replaces the K and V heads.

    Returns
    -------
    numeric
        Bytes per token [bytes].

    Notes
    -----
    .. math:: b_{kv} = 2\\, l\\, n_{kv}\\, d_h\\, s \\quad\\text{or, with MLA,}\\quad b_{kv} = l\\,(d_c + d_h^R)\\, s

    References
    ----------
    [1] Pope et al. 2022, arXiv:2211.05102, Sec 3.3 (KV cache, multi-query). [4] DeepSeek-V2,
    arXiv:2405.04434, Table 1 (KV cache per token of MHA, GQA, MQA and MLA). [6] Ainslie et al. 2023.

    Examples
    --------
    >>> kv_bytes_per_token(80, 8, 128, 2.0)  # Llama 3 70B, BF16 cache: 320 KiB per token
    327680.0
    """
    layers, kv_heads, head_dim = _arr("layers", layers), _arr("kv_heads", kv_heads), _arr("head_dim", head_dim)
    s, latent = _arr("bytes_per_value", bytes_per_value), _arr("latent_dim", latent_dim)
    return _out(np.where(latent > 0, layers * latent * s, 2.0 * layers * kv_heads * head_dim * s))


@V.checked(experts=V.NON_NEGATIVE, top_k=V.NON_NEGATIVE, tokens=V.NON_NEGATIVE)
def expected_experts_touched(experts, top_k, tokens):
    """Expected number of distinct routed experts a batch of ``tokens`` reads in one MoE layer.

    Each token picks ``top_k`` of ``experts``; with balanced routing an expert is missed by all
    tokens with probability (1 - k/E)^T, so the batch reads E (1 - (1 - k/E)^T) experts. A decode
    step of an MoE model reads only those experts' weights: the batch, not the total parameter
    count, sets the bytes.

    Parameters
    ----------
    experts : numeric
        Routed experts per layer [-].
    top_k : numeric
        Experts each token uses [-].
    tokens : numeric
        Tokens in the step (the decode batch) [-].

    Returns
    -------
    numeric
        Distinct experts read [-], between min(k, E) and E.

    Notes
    -----
    .. math:: E_{read} = E\\,\\bigl(1 - (1 - k/E)^{T}\\bigr)

    References
    ----------
    [5] DeepSeek-V3 report, arXiv:2412.19437, Sec 3.4.2 (large expert-parallel batches so every
    expert sees enough tokens); balanced routing is the auxiliary-loss-free balancing of Sec 2.1.2.

    Examples
    --------
    >>> round(expected_experts_touched(256, 8, 1), 3)
    8.0
    """
    e, k, t = _arr("experts", experts), _arr("top_k", top_k), _arr("tokens", tokens)
    e = np.maximum(e, 1.0)
    return _out(np.where(e > 1, e * (1.0 - (1.0 - np.minimum(k, e) / e) ** t), 1.0))


@V.checked(
    flop=V.NON_NEGATIVE,
    nbytes=V.NON_NEGATIVE,
    peak_flops=V.POSITIVE,
    hbm_bytes_per_s=V.POSITIVE,
    compute_efficiency=V.EFFICIENCY,
    bandwidth_efficiency=V.EFFICIENCY,
)
def roofline_time_s(
    flop,
    nbytes,
    peak_flops,
    hbm_bytes_per_s,
    compute_efficiency=SERVING_DEFAULTS.compute_efficiency,
    bandwidth_efficiency=SERVING_DEFAULTS.bandwidth_efficiency,
):
    """Time of a kernel sequence that does ``flop`` and moves ``nbytes`` on one device (roofline).

    Parameters
    ----------
    flop : numeric
        Floating-point operations [FLOP].
    nbytes : numeric
        Bytes read from or written to device memory [bytes].
    peak_flops : numeric
        Dense peak of the precision used [FLOP/s].
    hbm_bytes_per_s : numeric
        Peak memory bandwidth [bytes/s].
    compute_efficiency, bandwidth_efficiency : numeric
        Achievable fractions of the two peaks [-] (:data:`SERVING_DEFAULTS`).

    Returns
    -------
    numeric
        Seconds [s]: the larger of the compute time and the memory time.

    Notes
    -----
    .. math:: t = \\max\\bigl(F / (P\\,\\eta_c),\\; B / (W\\,\\eta_m)\\bigr)

    References
    ----------
    [3] Yuan et al. 2024, arXiv:2402.16363, Sec 2.2 (roofline of LLM inference); Williams, Waterman &
    Patterson 2009, "Roofline", CACM 52(4).

    Examples
    --------
    >>> roofline_time_s(1e12, 1e9, 1e15, 1e12, 1.0, 1.0)
    0.001
    """
    f, b = _arr("flop", flop), _arr("nbytes", nbytes)
    return _out(
        np.maximum(
            f / (np.asarray(peak_flops, dtype=float) * compute_efficiency),
            b / (np.asarray(hbm_bytes_per_s, dtype=float) * bandwidth_efficiency),
        )
    )


@dataclass(frozen=True)
class ServingModel:
    """The shape numbers the serving model reads (build one with ``suanli.scenarios.serving.serving_model``).

    ``dense_params`` are the weights every token multiplies by (attention, dense FFNs, shared experts,
    output projection); ``expert_params`` the weights of ONE routed expert in one layer; a dense model
    has ``experts = 0``. ``attn_dim`` is heads x head width (the attention FLOP width [7]).
    """

    layers: float
    hidden: float
    attn_dim: float
    kv_heads: float
    head_dim: float
    dense_params: float
    resident_params: float
    expert_params: float = 0.0
    experts: float = 0.0
    top_k: float = 0.0
    moe_layers: float = 0.0
    latent_dim: float = 0.0

    @property
    def total_params(self) -> float:
        return self.resident_params + self.experts * self.moe_layers * self.expert_params

    @property
    def active_params(self) -> float:
        return self.dense_params + self.top_k * self.moe_layers * self.expert_params


@dataclass(frozen=True)
class Device:
    """The per-chip numbers: peaks already in SI, links already times their achievable efficiency."""

    peak_flops: Any
    hbm_bytes_per_s: Any
    hbm_bytes: Any
    scaleup_domain: Any
    scaleup_bytes_per_s: Any
    scaleup_alpha_s: Any
    scaleout_bytes_per_s: Any
    scaleout_alpha_s: Any
    matmul_efficiency: Any = 1.0
    stack_efficiency: Any = 1.0


@dataclass(frozen=True)
class Precision:
    """Bytes per weight, per KV value and per activation sent over a link."""

    weight_bytes: float = 2.0
    kv_bytes: float = 2.0
    act_bytes: float = 2.0


SERVING_MODEL = V.instance(
    ServingModel,
    positive=("layers", "hidden", "attn_dim", "kv_heads", "head_dim", "dense_params", "resident_params"),
    non_negative=("expert_params", "experts", "top_k", "moe_layers", "latent_dim"),
)
PRECISION = V.instance(Precision, positive=("weight_bytes", "kv_bytes", "act_bytes"))
DEVICE = V.instance(
    Device,
    positive=(
        "peak_flops",
        "hbm_bytes_per_s",
        "hbm_bytes",
        "scaleup_domain",
        "scaleup_bytes_per_s",
        "scaleout_bytes_per_s",
    ),
    non_negative=("scaleup_alpha_s", "scaleout_alpha_s"),
    efficiency=("matmul_efficiency", "stack_efficiency"),
)
"""Entry checks of the objects the serving functions take: every number finite and in its range."""
SERVING_EFFICIENCY = V.optional(V.instance(ServingDefaults))


def _layout(model: ServingModel, dev: Device, chips):
    """Tensor-parallel width (inside the scale-up domain) and pipeline stages of a dense replica;
    for MoE every chip is one data-parallel attention rank and one expert-parallel rank [5]."""
    n = np.asarray(chips, dtype=float)
    domain = np.maximum(np.asarray(dev.scaleup_domain, dtype=float), 1.0)
    tp = np.where(model.experts > 0, 1.0, np.minimum(n, domain))
    pp = np.where(model.experts > 0, 1.0, np.ceil(n / tp))
    return n, tp, pp


@V.checked(model=SERVING_MODEL, prec=PRECISION, dev=DEVICE, chips=V.COUNT, batch=V.NON_NEGATIVE, context=V.NON_NEGATIVE)
def memory_per_device_bytes(model: ServingModel, prec: Precision, dev: Device, chips, batch, context):
    """Device memory for the weights and the KV cache of ``batch`` sequences of ``context`` tokens [bytes].

    Dense: weights split over TP x PP; KV heads split over TP, replicated once TP exceeds the KV
    heads [1]. MoE: attention and the other dense weights replicated on every chip, routed experts
    split over all chips, sequences split over the chips (data-parallel attention) [5].

    Parameters
    ----------
    model, prec, dev : ServingModel, Precision, Device
    chips : numeric
        Chips of one replica [-].
    batch : numeric
        Concurrent sequences in the replica [-].
    context : numeric
        Tokens cached per sequence [-].

    Returns
    -------
    numeric
        Bytes per device [bytes].

    References
    ----------
    [1] Pope et al. 2022, arXiv:2211.05102, Sec 3.3; [2] Kwon et al. 2023 (vLLM), Sec 2.3; [5]
    DeepSeek-V3 report, Sec 3.4.
    """
    n, tp, pp = _layout(model, dev, chips)
    b, c = _arr("batch", batch), _arr("context", context)
    kv_tok = _kv_tok(model, prec)
    if model.experts > 0:
        weights = (
            model.resident_params * prec.weight_bytes
            + model.experts * model.moe_layers * model.expert_params * prec.weight_bytes / n
        )
        kv = kv_tok * b * c / n
    else:
        weights = model.total_params * prec.weight_bytes / (tp * pp)
        kv = kv_tok * b * c / (np.minimum(tp, model.kv_heads) * pp)
    return _out(weights + kv)


@V.checked(
    model=SERVING_MODEL,
    prec=PRECISION,
    dev=DEVICE,
    chips=V.COUNT,
    context=V.NON_NEGATIVE,
    memory_usable_fraction=V.EFFICIENCY,
)
def max_batch(
    model: ServingModel,
    prec: Precision,
    dev: Device,
    chips,
    context,
    memory_usable_fraction=SERVING_DEFAULTS.memory_usable_fraction,
):
    """The largest whole batch whose KV cache fits beside the weights (0 when the weights alone do not fit).

    Parameters
    ----------
    model, prec, dev : ServingModel, Precision, Device
    chips : numeric
        Chips of one replica [-].
    context : numeric
        Tokens cached per sequence at its longest (input + output) [-].
    memory_usable_fraction : numeric, default ``SERVING_DEFAULTS.memory_usable_fraction``
        Share of device memory the engine may use [-].

    Returns
    -------
    numeric
        Sequences [-].

    Notes
    -----
    .. math:: B_{max} = \\lfloor (f M - W/n) / (b_{kv} c / n_{kv}) \\rfloor

    References
    ----------
    [2] Kwon et al. 2023 (vLLM), arXiv:2309.06180, Sec 2.3 and 4.1 (batch bounded by free KV memory).

    Examples
    --------
    >>> m = ServingModel(80, 8192, 8192, 8, 128, 70e9, 70e9)
    >>> d = Device(1e15, 3.35e12, 80 * 2**30, 8, 4e11, 3e-6, 5e10, 5e-6)
    >>> int(max_batch(m, Precision(1.0, 1.0, 2.0), d, 2, 2048))
    252
    """
    weights_only = np.asarray(memory_per_device_bytes(model, prec, dev, chips, 0.0, 0.0), dtype=float)
    per_seq = np.asarray(memory_per_device_bytes(model, prec, dev, chips, 1.0, context), dtype=float) - weights_only
    free = np.asarray(dev.hbm_bytes, dtype=float) * memory_usable_fraction - weights_only
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(per_seq > 0, np.floor(np.maximum(free, 0.0) / per_seq), np.where(free > 0, np.inf, 0.0))
    return _out(b)


def _tp_allreduce_s(model, dev, tp, tokens, act_bytes, layers):
    """Two all-reduces per layer of the activations of ``tokens`` over the TP group [1] (Sec 3.2)."""
    nbytes = tokens * model.hidden * act_bytes
    return 2.0 * layers * ic.all_reduce(nbytes, tp, dev.scaleup_bytes_per_s, dev.scaleup_alpha_s)


def _ep_all_to_all_s(model, dev, n, tokens_per_chip, act_bytes):
    """Dispatch and combine of every MoE layer: each chip sends its tokens x top_k hidden vectors [5].

    Serving kernels (DeepEP) write to every peer at once with GPU-initiated RDMA, so the exchange pays
    one link latency, not the n - 1 sequential steps of a pairwise all-to-all: a point-to-point
    transfer of the (n-1)/n share that leaves the chip.
    """
    inside = n <= np.asarray(dev.scaleup_domain, dtype=float)
    bw = np.where(inside, dev.scaleup_bytes_per_s, dev.scaleout_bytes_per_s)
    alpha = np.where(inside, dev.scaleup_alpha_s, dev.scaleout_alpha_s)
    nbytes = tokens_per_chip * model.top_k * model.hidden * act_bytes * (n - 1.0) / np.maximum(n, 1.0)
    return 2.0 * model.moe_layers * np.where(n > 1, ic.send_recv(nbytes, bw, alpha), 0.0)


@V.checked(
    model=SERVING_MODEL,
    prec=PRECISION,
    dev=DEVICE,
    chips=V.COUNT,
    batch=V.COUNT,
    context=V.NON_NEGATIVE,
    eff=SERVING_EFFICIENCY,
    prefill_tokens=V.NON_NEGATIVE,
    prefill_context=V.NON_NEGATIVE,
)
def decode_step(
    model: ServingModel,
    prec: Precision,
    dev: Device,
    chips,
    batch,
    context,
    *,
    eff: ServingDefaults | None = None,
    prefill_tokens=0.0,
    prefill_context=0.0,
) -> dict[str, Any]:
    """One decode step of a replica: every running sequence gets one token (plus, optionally, a prompt chunk).

    Per device, the step reads its share of the weights (for MoE only the experts the batch
    touches, :func:`expected_experts_touched`) and its share of the KV cache, and does 2 FLOP per
    active weight per token plus 4 x attn_dim x context per layer for attention [7]. Time is the
    roofline of the two (:func:`roofline_time_s`), divided by the software stack's efficiency,
    plus the TP all-reduces (not overlapped), the EP all-to-all (overlapped with compute by two
    micro-batches [5]: only the excess shows) and a fixed engine overhead per step. A dense replica
    wider than one scale-up domain is a pipeline: each token crosses every stage in turn.

    Parameters
    ----------
    model, prec, dev : ServingModel, Precision, Device
    chips : numeric
        Chips of one replica [-].
    batch : numeric
        Running sequences [-].
    context : numeric
        Mean tokens in each sequence's cache during the step [-].
    eff : ServingDefaults, optional
        The calibrated fractions (``compute_efficiency``, ``bandwidth_efficiency`` for weights,
        ``kv_bandwidth_efficiency`` for KV-cache reads, ``moe_efficiency``) and ``step_overhead_s``
        [s]; default :data:`SERVING_DEFAULTS` (read at call time). Its fields may be arrays.
    prefill_tokens, prefill_context : numeric, default 0
        Prompt tokens carried in the same step (chunked prefill, Sarathi-Serve [8]) and the mean
        context they attend over [-]; they add FLOP and touched experts, not weight reads.

    Returns
    -------
    dict
        ``step_s`` (the time per output token, TPOT) and its parts ``roofline_s``, ``compute_s``,
        ``memory_s``, ``comm_s``, ``overhead_s`` [s]; ``flop_per_chip`` [FLOP], ``bytes_per_chip``
        [bytes]; ``bound`` (True where compute binds).

    References
    ----------
    [1] Pope et al. 2022, arXiv:2211.05102, Sec 2 and 3.2; [3] Yuan et al. 2024, arXiv:2402.16363,
    Sec 2.2; [5] DeepSeek-V3 report, Sec 3.4, and DeepSeek-V3/R1 Inference System Overview (2025).
    """
    eff = SERVING_DEFAULTS if eff is None else eff
    n, tp, pp = _layout(model, dev, chips)
    b, c = _arr("batch", batch), _arr("context", context)
    kv_tok = _kv_tok(model, prec)
    attn_flop_per_token = 4.0 * model.layers * model.attn_dim * c
    pf, pc = _arr("prefill_tokens", prefill_tokens), _arr("prefill_context", prefill_context)
    pf_flop = pf * (2.0 * model.active_params + 4.0 * model.layers * model.attn_dim * pc)
    if model.experts > 0:
        b_chip = b / n
        touched = expected_experts_touched(model.experts, model.top_k, b + pf)
        experts_read = np.minimum(
            model.experts / n, np.maximum(touched / n, np.minimum(1.0, (b + pf) * model.top_k / n))
        )
        weight_bytes = (
            model.resident_params + model.moe_layers * experts_read * model.expert_params
        ) * prec.weight_bytes
        kv_bytes = kv_tok * b_chip * c
        flop = (b * (2.0 * model.active_params + attn_flop_per_token) + pf_flop) / n
        comm = _ep_all_to_all_s(model, dev, n, (b + pf) / n, prec.act_bytes)
        stages, moe = 1.0, eff.moe_efficiency
    else:
        weight_bytes = model.total_params * prec.weight_bytes / (tp * pp)
        kv_bytes = kv_tok * b * c / (np.minimum(tp, model.kv_heads) * pp)
        flop = (b * (2.0 * model.active_params + attn_flop_per_token) + pf_flop) / (tp * pp)
        comm = _tp_allreduce_s(model, dev, tp, b + pf, prec.act_bytes, model.layers / pp)
        stages, moe = pp, 1.0
    nbytes = weight_bytes + kv_bytes
    peak = np.asarray(dev.peak_flops, dtype=float) * np.asarray(dev.matmul_efficiency, dtype=float)
    stack = np.asarray(dev.stack_efficiency, dtype=float) * moe
    bw = np.asarray(dev.hbm_bytes_per_s, dtype=float)
    compute_s = flop / (peak * eff.compute_efficiency) / stack
    memory_s = (weight_bytes / (bw * eff.bandwidth_efficiency) + kv_bytes / (bw * eff.kv_bandwidth_efficiency)) / stack
    roof = np.maximum(compute_s, memory_s)
    hop = np.where(
        stages > 1, ic.send_recv(b * model.hidden * prec.act_bytes, dev.scaleout_bytes_per_s, dev.scaleout_alpha_s), 0.0
    )
    if model.experts > 0:
        exposed = np.maximum(comm - roof, 0.0)  # all-to-all hidden behind the other micro-batch's compute
        stage_s, comm_shown = roof + exposed, exposed
    else:
        stage_s, comm_shown = roof + comm, comm * stages + (stages - 1.0) * hop
    step = stages * stage_s + (stages - 1.0) * hop + eff.step_overhead_s
    return {
        "step_s": _out(step),
        "roofline_s": _out(roof * stages),
        "compute_s": _out(compute_s * stages),
        "memory_s": _out(memory_s * stages),
        "comm_s": _out(comm_shown),
        "overhead_s": _out(np.full_like(step, eff.step_overhead_s)),
        "flop_per_chip": _out(flop),
        "bytes_per_chip": _out(nbytes),
        "bound": compute_s >= memory_s,
    }


@V.checked(
    model=SERVING_MODEL, prec=PRECISION, dev=DEVICE, chips=V.COUNT, input_len=V.NON_NEGATIVE, eff=SERVING_EFFICIENCY
)
def prefill_time(
    model: ServingModel, prec: Precision, dev: Device, chips, input_len, *, eff: ServingDefaults | None = None
):
    """Seconds of the prompt pass of one request of ``input_len`` tokens on a replica (its TTFT when idle).

    FLOP = 2 N_active L + 2 n_layer L^2 d_attn (causal attention over the prompt) [7], spread over the
    replica's chips; bytes = the weights once. Roofline [3], plus the TP all-reduces of L tokens
    (dense) or the EP all-to-all (MoE), plus one engine overhead.

    Parameters
    ----------
    model, prec, dev : ServingModel, Precision, Device
    chips : numeric
        Chips of one replica [-].
    input_len : numeric
        Prompt tokens [-].
    eff : ServingDefaults, optional
        As :func:`decode_step` (the prompt pass writes the KV cache once; it reads no cache).

    Returns
    -------
    numeric
        Seconds [s].

    References
    ----------
    [3] Yuan et al. 2024, arXiv:2402.16363, Sec 2.2 (prefill is compute-bound); [7] Kaplan et al.
    2020, Table 1; [1] Pope et al. 2022, Sec 3.2 (all-reduces).
    """
    eff = SERVING_DEFAULTS if eff is None else eff
    n, tp, pp = _layout(model, dev, chips)
    L = _arr("input_len", input_len)
    flop = 2.0 * model.active_params * L + 2.0 * model.layers * model.attn_dim * L * L
    if model.experts > 0:
        nbytes = (
            model.resident_params + model.experts * model.moe_layers * model.expert_params / n
        ) * prec.weight_bytes
        comm = _ep_all_to_all_s(model, dev, n, L / n, prec.act_bytes)
        flop_chip = flop / n
    else:
        nbytes = model.total_params * prec.weight_bytes / (tp * pp)
        comm = _tp_allreduce_s(model, dev, tp, L, prec.act_bytes, model.layers)
        flop_chip = flop / tp  # the stages run one after the other for a single prompt
        nbytes = nbytes * pp
    peak = np.asarray(dev.peak_flops, dtype=float) * np.asarray(dev.matmul_efficiency, dtype=float)
    t = roofline_time_s(flop_chip, nbytes, peak, dev.hbm_bytes_per_s, eff.compute_efficiency, eff.bandwidth_efficiency)
    moe = eff.moe_efficiency if model.experts > 0 else 1.0
    return _out(np.asarray(t) / (np.asarray(dev.stack_efficiency, dtype=float) * moe) + comm + eff.step_overhead_s)


@V.checked(
    model=SERVING_MODEL,
    prec=PRECISION,
    dev=DEVICE,
    chips=V.COUNT,
    batch=V.COUNT,
    input_len=V.NON_NEGATIVE,
    output_len=V.COUNT,
    eff=SERVING_EFFICIENCY,
    scheduling=V.TEXT,
)
def serving_point(
    model: ServingModel,
    prec: Precision,
    dev: Device,
    chips,
    batch,
    input_len,
    output_len,
    *,
    disaggregated: bool = False,
    eff: ServingDefaults | None = None,
    scheduling: str = "sequential",
) -> dict[str, Any]:
    """TTFT, TPOT and throughput of a replica running ``batch`` requests at a time.

    ``scheduling="mixed"`` (continuous batching with chunked prefill, as vLLM, SGLang and
    TensorRT-LLM's in-flight batching run): every step carries the B running decodes plus the prompt
    tokens the newcomers need, B x I / O of them, so prompts share the weight reads of the decode
    step [8]; TPOT is that step, throughput B / step, and a prompt finishes within O / B steps.
    ``scheduling="sequential"`` (static batching, prompts stall the batch): a replica serving R
    requests/s spends R x T_prefill on prompts and R x O / B steps on decoding, so
    R = 1 / (T_prefill + O t_step / B) and a user sees one token every t_step + B T_prefill / O.
    With ``disaggregated`` prompts run on other chips (as DeepSeek serves [5]) and TPOT is the pure
    decode step; the prompt chips are counted by the scenario.

    Parameters
    ----------
    model, prec, dev : ServingModel, Precision, Device
    chips : numeric
        Chips of one replica [-].
    batch : numeric
        Concurrent requests [-].
    input_len, output_len : numeric
        Prompt and generated tokens per request [-].
    disaggregated : bool, default False
        Prefill on separate chips.
    scheduling : {"sequential", "mixed"}, default "sequential"
        Prompts that stall the batch, or chunked prefill inside decode steps. "sequential" is the
        default because it fits the bundled in-flight-batching measurements better (median absolute
        error 9% against 15% for "mixed", ``suanli backtest --serving``).
    eff : ServingDefaults, optional
        As :func:`decode_step`.

    Returns
    -------
    dict
        ``ttft_s``, ``tpot_s``, ``step_s`` [s]; ``output_tokens_per_s`` (replica) and
        ``tokens_per_s_per_chip`` [tokens/s]; ``requests_per_s`` [1/s]; ``prefill_s`` [s];
        ``memory_bytes_per_device`` [bytes]; ``compute_bound`` (bool array).

    Notes
    -----
    .. math:: R = 1 / (T_{pf} + O\\, t_{step} / B), \\quad \\mathrm{TPOT} = t_{step} + B\\,T_{pf}/O

    References
    ----------
    [2] Kwon et al. 2023 (vLLM), Sec 4 (iteration-level scheduling); Yu et al. 2022, "Orca", OSDI '22
    (continuous batching); [8] Agrawal et al. 2024, "Taming Throughput-Latency Tradeoff in LLM
    Inference with Sarathi-Serve", OSDI '24, arXiv:2403.02310 (chunked prefills, stall-free batching);
    [5] DeepSeek-V3/R1 Inference System Overview, 2025 (prefill/decode disaggregation); Zhong et al.
    2024, "DistServe", OSDI '24.
    """
    n = np.asarray(chips, dtype=float)
    b = np.maximum(_arr("batch", batch), 1.0)
    i, o = _arr("input_len", input_len), np.maximum(_arr("output_len", output_len), 1.0)
    kw = {"eff": eff}
    if scheduling not in ("mixed", "sequential"):
        raise InputError(f"scheduling must be 'mixed' or 'sequential', got {scheduling!r}")
    t_pf = np.asarray(prefill_time(model, prec, dev, n, i, **kw), dtype=float)
    if disaggregated or scheduling == "sequential":
        step = decode_step(model, prec, dev, n, b, i + o / 2.0, **kw)
    else:
        step = decode_step(model, prec, dev, n, b, i + o / 2.0, prefill_tokens=b * i / o, prefill_context=i / 2.0, **kw)
    t_step = np.asarray(step["step_s"], dtype=float)
    if disaggregated:
        rate, tpot, ttft = b / (o * t_step), t_step, t_pf
    elif scheduling == "mixed":
        rate, tpot, ttft = b / (o * t_step), t_step, np.maximum(t_pf, o / b * t_step)
    else:
        rate = 1.0 / (t_pf + o * t_step / b)
        tpot, ttft = t_step + b * t_pf / o, t_pf
    tokens = rate * o
    return {
        "ttft_s": _out(ttft),
        "tpot_s": _out(tpot),
        "step_s": _out(t_step),
        "prefill_s": _out(t_pf),
        "requests_per_s": _out(rate),
        "output_tokens_per_s": _out(tokens),
        "tokens_per_s_per_chip": _out(tokens / n),
        "memory_bytes_per_device": memory_per_device_bytes(model, prec, dev, n, b, i + o),
        "compute_bound": step["bound"],
        "decode": step,
    }
