"""Step time, throughput, MFU/HFU and memory of a training layout, vectorised over layouts.

:func:`step_time` is the engine's core. Every layout argument may be a numpy array (one entry per
layout, as :func:`suanli.models.parallelism.layout_grid` builds them) and every efficiency a scalar or
an array (for Monte Carlo); the result is a dict of arrays that broadcast together.

The step of one pipeline stage is ``(m + (p-1)/v)`` micro-batch slots (Narayanan et al. 2021) plus
exposed gradient communication and the optimizer update. One micro-batch slot is:

- compute: GEMM FLOPs at the precision's peak x the chip's sustained matmul efficiency x a small-GEMM
  factor d/(d + d_half) x the software stack's efficiency; attention-core FLOPs at the BF16 rate;
- memory-bound ops (norms, activations, dropout, residuals): bytes / HBM bandwidth;
- tensor-parallel all-reduces (4 per layer, 6 with full recomputation) over the scale-up link;
- MoE all-to-alls (dispatch + combine, forward and backward) over scale-up or scale-out links;
- pipeline send/recv of the stage boundary activations;
- a small host overhead.

References: Narayanan et al. 2021 (arXiv:2104.04473) Sec 2-3 and eq. 3; Korthikanti et al. 2022
(arXiv:2205.05198); Chowdhery et al. 2022 (PaLM, arXiv:2204.02311) App. B for MFU/HFU; Williams et al.
2009 (roofline, CACM 52(4)) for memory-bound time; Rajbhandari et al. 2020 (ZeRO) for sharded states.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models import defaults as D
from suanli.models import flops
from suanli.models import interconnect as ic
from suanli.models import memory as mem
from suanli.models import reliability as rel
from suanli.models.parallelism import activation_layer_slots, edge_stage_layers, micro_batches, stage_layers
from suanli.models.workload import Workload, parameter_counts

BYTES_ACT = 2.0  # bf16 activations and activation gradients on the wire


@dataclass(frozen=True)
class Hardware:
    """The numbers of one accelerator the step-time model needs, in SI units.

    ``scaleup_bytes_per_s`` and ``scaleout_bytes_per_s`` are per chip, one direction, already
    multiplied by the achievable efficiency (link efficiency x the stack's collective efficiency).
    ``gemm_peak_flops`` is the peak of the training precision (FP8 or BF16/FP16), ``bf16_peak_flops``
    the rate attention runs at.
    """

    name: str
    gemm_peak_flops: float
    bf16_peak_flops: float
    hbm_bytes: float
    hbm_bytes_per_s: float
    matmul_efficiency: float
    scaleup_domain: int
    scaleup_bytes_per_s: float
    scaleup_alpha_s: float
    scaleout_bytes_per_s: float
    scaleout_alpha_s: float
    stack_efficiency: float = 1.0
    fp8: bool = False
    fp8_capable: bool = True  # the chip has FP8 tensor cores (Hopper and later): FlashAttention-3 runs on it
    kernel_factor: float = (
        1.0  # the chip generation's share of the calibrated kernel efficiency (defaults.kernel_factor)
    )


HARDWARE = V.instance(
    Hardware,
    positive=(
        "gemm_peak_flops",
        "bf16_peak_flops",
        "hbm_bytes",
        "hbm_bytes_per_s",
        "scaleup_domain",
        "scaleup_bytes_per_s",
        "scaleout_bytes_per_s",
    ),
    non_negative=("scaleup_alpha_s", "scaleout_alpha_s"),
    efficiency=("matmul_efficiency", "stack_efficiency"),
)
"""The entry check of a :class:`Hardware` argument: every number finite and in its range."""


def _a(x):
    return np.asarray(x, dtype=float)


def _share(name: str, x) -> np.ndarray:
    """An efficiency as an array; :class:`InputError` unless every value is in (0, 1] (a share of a peak)."""
    from suanli.validate import efficiency

    return efficiency(name, x)


def flash_generation(flash_attention=None) -> int:
    """The FlashAttention generation as an int: 0 (unfused attention) to 3; True means the default generation.

    References: Dao et al. 2022 (arXiv:2205.14135); Dao 2023 (arXiv:2307.08691); Shah et al. 2024
    (arXiv:2407.08608).
    """
    value = D.FLASH_ATTENTION.value if flash_attention is None else flash_attention
    if isinstance(value, (bool, np.bool_)):
        return int(D.FLASH_ATTENTION.value) if value else 0
    whole = isinstance(value, (int, np.integer)) or (
        isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value)
    )
    if not whole or int(value) not in (0, 1, 2, 3):
        raise InputError(
            f"flash_attention must be 0 (none) or a FlashAttention generation 1-3, got {flash_attention!r}"
        )
    return int(value)


@V.checked(dim=V.POSITIVE, half_dim=V.optional(V.POSITIVE))
def gemm_size_efficiency(dim, half_dim=None):
    """Share of the large-GEMM rate a GEMM whose smallest dimension is ``dim`` reaches: d/(d + d_half).

    References: NVIDIA 'Matrix Multiplication Background User's Guide' (throughput vs. size); the
    curve and d_half are an estimate (:data:`suanli.models.defaults.GEMM_HALF_DIM`).
    """
    half = D.GEMM_HALF_DIM.value if half_dim is None else half_dim
    d = _a(dim)
    return d / (d + half)


@V.checked(gemm_peak_flops=V.POSITIVE, hbm_bytes_per_s=V.POSITIVE, half_dim_reference=V.optional(V.POSITIVE))
def gemm_half_dim(gemm_peak_flops, hbm_bytes_per_s, half_dim_reference=None):
    """The GEMM dimension at which a chip reaches half its large-GEMM rate, scaled by its roofline ridge.

    A GEMM whose smallest dimension is d does about d FLOPs per byte it moves, so it leaves the memory-bound
    part of the roofline when d passes the chip's ridge point, peak FLOP/s / memory bandwidth. A chip with
    twice the A100's ridge (H100: about 1.9x at BF16; an FP8 GEMM halves its bytes as it doubles its peak, so it keeps that ridge) needs twice the dimension for the same
    share of peak: d_half = d_half(A100) x ridge / ridge(A100) (:data:`suanli.models.defaults.GEMM_HALF_DIM`
    at :data:`suanli.models.defaults.GEMM_REFERENCE_RIDGE_FLOP_PER_BYTE`).

    References: Williams, Waterman & Patterson 2009, 'Roofline', CACM 52(4); NVIDIA 'Matrix Multiplication
    Background User's Guide' (arithmetic intensity of a GEMM and its throughput against size).
    """
    ref = D.GEMM_HALF_DIM.value if half_dim_reference is None else half_dim_reference
    ridge = _a(gemm_peak_flops) / _a(hbm_bytes_per_s)
    return ref * ridge / D.GEMM_REFERENCE_RIDGE_FLOP_PER_BYTE.value


@V.checked(nbytes=V.NON_NEGATIVE, hbm_bytes_per_s=V.POSITIVE)
def memory_bound_seconds(nbytes, hbm_bytes_per_s):
    """Time of a memory-bound operation: bytes moved / HBM bandwidth (the roofline's slanted part).

    References: Williams, Waterman & Patterson 2009, 'Roofline', CACM 52(4).
    """
    return _a(nbytes) / hbm_bytes_per_s


def _link(n_nodes, hw: Hardware):
    """(bandwidth, alpha) of a group: scale-up inside one domain, the NIC across domains."""
    inside = _a(n_nodes) <= 1
    return (
        np.where(inside, hw.scaleup_bytes_per_s, hw.scaleout_bytes_per_s),
        np.where(inside, hw.scaleup_alpha_s, hw.scaleout_alpha_s),
    )


@V.checked(comm_s=V.NON_NEGATIVE, window_s=V.NON_NEGATIVE, overlap_slowdown=V.optional(V.NON_NEGATIVE))
def hidden_communication_seconds(comm_s, window_s, overlap_slowdown=None):
    """Time a communication adds to the step when it runs behind a compute window of ``window_s``.

    The part longer than the window is exposed; the part that overlaps still slows the compute it runs
    beside, because the collective's kernels take streaming multiprocessors and memory bandwidth from the
    GEMMs: ``max(comm - window, 0) + slowdown x min(comm, window)``. Lee et al. 2025 measured that slowdown
    at 18.9% on average (up to 40%) on A100, H100, MI250 and MI210 for GPT and Llama layers
    (:data:`suanli.models.defaults.OVERLAP_SLOWDOWN`). A perfectly hidden collective is therefore never free.

    References: Lee, Oh, Kim, Go, Park & Mahajan 2025, 'Characterizing Compute-Communication Overlap in
    GPU-Accelerated Distributed Deep Learning: Performance and Power Implications', arXiv:2507.03114.
    """
    kappa = D.OVERLAP_SLOWDOWN.value if overlap_slowdown is None else np.asarray(overlap_slowdown, dtype=float)
    comm, window = _a(comm_s), np.maximum(_a(window_s), 0.0)
    return np.maximum(comm - window, 0.0) + kappa * np.minimum(comm, window)


@dataclass(frozen=True)
class _Step:
    """The per-layout quantities every named step of :func:`step_time` reads (arrays broadcast together)."""

    w: Workload
    hw: Hardware
    tp: np.ndarray
    pp: np.ndarray
    dp: np.ndarray
    ep: np.ndarray
    mb: np.ndarray
    cp: np.ndarray
    v: np.ndarray
    rc: np.ndarray
    zero: np.ndarray
    sp: np.ndarray
    m: np.ndarray  # micro-batches per step
    layers_stage: np.ndarray
    s: float | np.ndarray  # tokens of one sequence on one device (after context parallelism)
    tokens_mb: np.ndarray
    split: np.ndarray  # 1, or tp where sequence parallelism splits the norms and dropouts
    kappa: float


def _compute_seconds(c: _Step, pc, eff_mm, eff_stack, half_dim, flash):
    """GEMM and attention-core seconds of one micro-batch on the slowest stage, and the score-matrix traffic of
    unfused attention (memory-bound)."""
    w, hw, tp = c.w, c.hw, c.tp
    L, h, s_full, V = w.layers, float(w.hidden), float(w.seq), float(w.vocab)
    n_moe, n_dense = w.n_moe_layers, w.layers - w.n_moe_layers
    k = w.top_k + w.shared_experts
    router = h * w.experts if w.is_moe else 0.0
    layer_active = (
        pc["attention_per_layer"] + (n_dense * pc["ffn_per_layer"] + n_moe * (k * pc["expert_ffn"] + router)) / L
    )
    gemm_layer = 6.0 * layer_active + np.where(c.rc == 2, 2.0 * layer_active, 0.0)
    # attention core per token: 12 s d (forward 4 s d) against the whole sequence; each CP rank holds s/cp
    # queries of a load-balanced (zig-zag) causal split, so its share is 1/cp of the full-sequence work
    attn_layer = 12.0 * s_full * w.q_dim + np.where(c.rc >= 1, 4.0 * s_full * w.q_dim, 0.0)
    edge = edge_stage_layers(L, c.pp)  # the output stage may carry one layer fewer (Llama 3 balancing)
    gemm_flops_mb = c.tokens_mb * np.maximum(c.layers_stage * gemm_layer, edge * gemm_layer + 6.0 * V * h) / tp
    attn_flops_mb = c.tokens_mb * c.layers_stage * attn_layer / tp
    tok_expert = c.tokens_mb * w.top_k * c.ep / w.experts if w.is_moe else c.tokens_mb
    ffn_small = min(w.ffn_dense if n_dense else np.inf, w.ffn_expert if n_moe else np.inf)
    dim = np.minimum(np.minimum(h / tp, ffn_small / tp), tok_expert)
    fp8_eff = D.FP8_GEMM_EFFICIENCY.value if hw.fp8 else 1.0
    # an FP8 GEMM moves half the bytes per FLOP as well as doubling the peak: its ridge in elements is BF16's
    half = gemm_half_dim(hw.bf16_peak_flops, hw.hbm_bytes_per_s) if half_dim is None else half_dim
    gemm_rate = hw.gemm_peak_flops * eff_mm * eff_stack * gemm_size_efficiency(dim, half) * fp8_eff
    t_gemm = gemm_flops_mb / gemm_rate
    if flash:  # a fused kernel at its measured share of the BF16 peak; it skips the causal mask's empty half
        attn_rate = hw.bf16_peak_flops * D.attention_efficiency(flash, hw.fp8_capable) * eff_stack
        attn_flops_mb = 0.5 * attn_flops_mb
        t_scores = 0.0
    else:  # batched GEMMs of inner size head_dim + memory-bound softmax/mask/dropout over the s x s scores
        attn_rate = hw.bf16_peak_flops * eff_mm * eff_stack * gemm_size_efficiency(w.head_width, half)
        score_bytes = D.SCORE_BYTES_PER_ELEMENT.value + np.where(
            c.rc >= 1, D.SCORE_RECOMPUTE_BYTES_PER_ELEMENT.value, 0.0
        )
        t_scores = memory_bound_seconds(
            score_bytes * (w.heads / tp) * c.s * s_full * c.mb * c.layers_stage, hw.hbm_bytes_per_s
        )
    return t_gemm, attn_flops_mb / attn_rate, t_scores


def _elementwise_seconds(c: _Step, fused_kernels):
    """Memory-bound seconds of one micro-batch: norms, activations, dropout, residuals, MoE routing copies."""
    w, h = c.w, float(c.w.hidden)
    elem_bytes = D.ELEMENTWISE_BYTES_PER_TOKEN_HIDDEN.value * h * c.tokens_mb * c.layers_stage / c.split
    elem_bytes = (
        elem_bytes
        * np.where(c.rc == 2, 4.0 / 3.0, 1.0)
        * (1.0 if fused_kernels else D.UNFUSED_ELEMENTWISE_FACTOR.value)
    )
    moe_stage = np.ceil(w.n_moe_layers / c.pp)
    route_bytes = 4.0 * BYTES_ACT * c.tokens_mb / c.split * w.top_k * h * moe_stage if w.is_moe else 0.0
    return memory_bound_seconds(elem_bytes, c.hw.hbm_bytes_per_s), memory_bound_seconds(
        route_bytes, c.hw.hbm_bytes_per_s
    )


def _tensor_parallel_seconds(c: _Step, tp_overlap, t_attn):
    """Tensor-parallel all-reduces (4 per layer, 6 with full recomputation) over the scale-up link, and the
    context-parallel K/V ring, each net of what hides behind the micro-batch's GEMMs / attention blocks."""
    w, hw, tp, cp = c.w, c.hw, c.tp, c.cp
    n_tp_coll = 4.0 + np.where(c.rc == 2, 2.0, 0.0)
    tp_bytes = c.tokens_mb * w.hidden * BYTES_ACT
    raw = c.layers_stage * n_tp_coll * ic.all_reduce(tp_bytes, tp, hw.scaleup_bytes_per_s, hw.scaleup_alpha_s)
    t_tp = np.where(tp > 1, _partly_hidden(raw, tp_overlap, c.kappa), 0.0)
    # K and V blocks of every other CP rank travel the ring forward, dK and dV back in backward
    _, cp_nodes = ic.group_placement(cp, tp, hw.scaleup_domain)
    cp_bw, cp_alpha = _link(cp_nodes, hw)
    kv_bytes = 2.0 * c.tokens_mb * w.kv * w.head_width * BYTES_ACT / np.maximum(tp, 1.0)
    ring = (cp - 1.0) * (3.0 * kv_bytes / cp_bw + 3.0 * cp_alpha) * c.layers_stage
    t_cp = np.where(cp > 1, hidden_communication_seconds(ring, t_attn, c.kappa), 0.0)
    return t_tp, t_cp


def _expert_parallel_seconds(c: _Step, ep_overlap):
    """MoE all-to-alls (dispatch + combine, forward and backward) over scale-up or scale-out links."""
    w, hw, ep = c.w, c.hw, c.ep
    if not w.is_moe:
        return np.zeros_like(c.tp)
    ep_local, ep_nodes = ic.group_placement(ep, c.tp, hw.scaleup_domain)
    a2a_bytes = c.tokens_mb / c.split * w.top_k * w.hidden * BYTES_ACT
    cross = a2a_bytes * np.maximum(ep - ep_local, 0.0) / ep / hw.scaleout_bytes_per_s
    local = a2a_bytes * (ep_local - 1.0) / ep / hw.scaleup_bytes_per_s
    alpha = np.where(ep_nodes > 1, hw.scaleout_alpha_s, hw.scaleup_alpha_s) * (ep - 1.0)
    n_a2a = 4.0 + np.where(c.rc == 2, 2.0, 0.0)
    raw = np.ceil(w.n_moe_layers / c.pp) * n_a2a * (np.maximum(cross, local) + alpha)
    return np.where(ep > 1, _partly_hidden(raw, ep_overlap, c.kappa), 0.0)


def _partly_hidden(raw, overlap, kappa):
    """A collective of which the stack hides the share ``overlap``: the rest is exposed, the hidden part slows
    the compute beside it (:func:`hidden_communication_seconds`)."""
    return (1.0 - overlap) * raw + hidden_communication_seconds(overlap * raw, overlap * raw, kappa)


def _pipeline_p2p_seconds(c: _Step, pp_overlap):
    """Pipeline send/recv of the stage-boundary activations (scatter/gather optimisation of Narayanan et al.
    2021, Sec 4.1: each TP rank sends 1/tp of them)."""
    _, pp_nodes = ic.group_placement(c.pp, c.tp * c.dp, c.hw.scaleup_domain)
    p2p_bw, p2p_alpha = _link(pp_nodes, c.hw)
    p2p_bytes = c.tokens_mb * c.w.hidden * BYTES_ACT / c.tp
    raw = 2.0 * c.v * ic.send_recv(p2p_bytes, p2p_bw, p2p_alpha)
    return np.where(c.pp > 1, _partly_hidden(raw, pp_overlap, c.kappa), 0.0)


def _data_parallel_seconds(c: _Step, pc, dp_overlap, t_compute_mb):
    """Exposed gradient (and, under ZeRO-3, parameter) traffic of the step, the optimizer update, and the
    parameters per device (shared and routed-expert)."""
    w, hw, tp, pp, dp, ep, zero = c.w, c.hw, c.tp, c.pp, c.dp, c.ep, c.zero
    L, h, V = w.layers, float(w.hidden), float(w.vocab)
    n_moe, n_dense = w.n_moe_layers, w.layers - w.n_moe_layers
    router = h * w.experts if w.is_moe else 0.0
    layer_shared = (
        pc["attention_per_layer"]
        + (n_dense * pc["ffn_per_layer"] + n_moe * (w.shared_experts * pc["expert_ffn"] + router)) / L
    )
    routed_layer = n_moe * w.experts * pc["expert_ffn"] / L
    embed_stage = V * h * np.where((pp == 1) & (not w.tied_embeddings), 2.0, 1.0) / tp
    params_shared = c.layers_stage * layer_shared / tp + embed_stage
    params_expert = c.layers_stage * routed_layer / (tp * ep)
    dp_local, dp_nodes = ic.group_placement(dp, tp, hw.scaleup_domain)
    edp = np.maximum(dp / ep, 1.0)
    edp_local, edp_nodes = ic.group_placement(edp, tp * ep, hw.scaleup_domain)

    def reduce_time(nbytes, n_local, n_nodes):
        return ic.hierarchical_all_reduce(
            nbytes,
            n_local,
            n_nodes,
            hw.scaleup_bytes_per_s,
            hw.scaleup_alpha_s,
            hw.scaleout_bytes_per_s,
            hw.scaleout_alpha_s,
        )

    gbytes = D.GRAD_REDUCE_BYTES.value
    t_dp = reduce_time(params_shared * gbytes, dp_local, dp_nodes)
    if w.is_moe:
        t_dp = t_dp + reduce_time(params_expert * gbytes, edp_local, edp_nodes)
    t_dp = np.where(dp > 1, t_dp, 0.0)
    # ZeRO-1/2: reduce-scatter fp32 grads + all-gather bf16 weights = 3/4 of an fp32 all-reduce;
    # ZeRO-3 gathers weights twice and scatters gradients every micro-batch.
    t_dp = t_dp * np.where((zero == 1) | (zero == 2), 0.75, 1.0)
    t_dp = np.where(zero == 3, t_dp * c.m, t_dp)
    window = np.where(zero == 3, c.m * t_compute_mb, (2.0 / 3.0) * t_compute_mb) * dp_overlap
    t_dp_exposed = np.where(dp > 1, hidden_communication_seconds(t_dp, window, c.kappa), 0.0)
    opt_params = params_shared / np.where(zero >= 1, dp, 1.0) + params_expert / np.where(zero >= 1, edp, 1.0)
    t_opt = memory_bound_seconds(opt_params * D.OPTIMIZER_BYTES_PER_PARAM.value, hw.hbm_bytes_per_s)
    return t_dp_exposed, t_opt, params_shared, params_expert, edp


def _memory_per_device(c: _Step, params_shared, params_expert, edp):
    """Model states and activations per device (bytes) on the busiest pipeline stage."""
    w = c.w
    n_moe, n_dense = w.n_moe_layers, w.layers - w.n_moe_layers
    k = w.top_k + w.shared_experts
    states = mem.model_state_bytes(params_shared, c.zero, c.dp) + mem.model_state_bytes(params_expert, c.zero, edp)
    ffn_active = max(w.ffn_dense if n_dense else 0, (k * w.ffn_expert) if n_moe else 0)
    acts = mem.activation_bytes(
        activation_layer_slots(w.layers, c.pp, c.m),
        c.pp,
        c.v,
        c.s,
        c.mb,
        w.hidden,
        w.heads,
        ffn_active,
        c.tp,
        c.sp,
        c.rc,
        gated=w.gated,
        dropout=w.dropout,
    )
    # fp32 logits + a bf16 copy live on the output stage, which holds one micro-batch in flight where the
    # first stage holds pp of them (1F1B): the busiest stage is the larger of the two.
    logits = c.mb * c.s * w.vocab * 6.0 / c.tp
    last_stage = acts / (c.pp * np.where(c.v > 1, 1.0 + (c.pp - 1.0) / (c.pp * c.v), 1.0)) + logits
    acts = np.where(c.pp > 1, np.maximum(acts, last_stage), acts + logits)
    return states, acts


@V.checked(
    w=V.instance(Workload),
    hw=HARDWARE,
    tp=V.COUNT,
    pp=V.COUNT,
    dp=V.COUNT,
    ep=V.COUNT,
    micro_batch=V.COUNT,
    global_batch=V.COUNT,
    recompute=V.between(0, 2),
    zero=V.between(0, 3),
    sp=V.between(0, 1),
    interleave=V.COUNT,
    matmul_efficiency=V.optional(V.EFFICIENCY),
    stack_efficiency=V.optional(V.EFFICIENCY),
    tp_overlap=V.optional(V.SHARE),
    dp_overlap=V.optional(V.SHARE),
    ep_overlap=V.optional(V.SHARE),
    pp_overlap=V.SHARE,
    gemm_half_dim=V.optional(V.POSITIVE),
    cp=V.COUNT,
    overlap_slowdown=V.optional(V.NON_NEGATIVE),
)
def step_time(
    w: Workload,
    hw: Hardware,
    tp,
    pp,
    dp,
    ep,
    micro_batch,
    global_batch,
    recompute,
    zero,
    sp,
    interleave,
    *,
    matmul_efficiency=None,
    stack_efficiency=None,
    tp_overlap=None,
    dp_overlap=None,
    ep_overlap=None,
    pp_overlap=0.0,
    gemm_half_dim=None,
    flash_attention=None,
    fused_kernels=True,
    cp=1,
    overlap_slowdown=None,
) -> dict[str, np.ndarray]:
    """Seconds per optimizer step of each layout, its breakdown, tokens per step and memory per device.

    Returns arrays: ``step_time_s``, ``tokens_per_step``, ``micro_batches``, ``compute``,
    ``memory_bound``, ``tp_comm``, ``pp_bubble`` (bubble + pipeline send/recv), ``dp_comm_exposed``,
    ``ep_comm``, ``host_overhead`` (these seven sum to the step time), the op-class times
    ``op_<class>``, ``memory_bytes`` (weights, gradients, optimizer, activations: ``mem_*``), ``fits``,
    ``model_flops_per_token`` and ``hardware_flops_per_token``.

    The step is computed in named parts that mirror the breakdown: :func:`_compute_seconds` (GEMMs and
    attention), :func:`_elementwise_seconds` (memory-bound work), :func:`_tensor_parallel_seconds` (TP and CP
    collectives), :func:`_expert_parallel_seconds`, :func:`_pipeline_p2p_seconds`, then the pipeline schedule
    ``(m + (p - 1)/v)`` micro-batch slots, :func:`_data_parallel_seconds` and :func:`_memory_per_device`.

    References: Narayanan et al. 2021, arXiv:2104.04473, Sec 2.2 (pipeline time (m + p - 1) t),
    Sec 3.2-3.3 (communication), eq. 3 (FLOPs); Korthikanti et al. 2022, arXiv:2205.05198 (sequence
    parallelism: all-reduce = reduce-scatter + all-gather, same volume); Rajbhandari et al. 2020 (ZeRO);
    Dao et al. 2022 (FlashAttention: with it, recompute 0 behaves as 1 for memory and FLOPs); Dao 2023
    (FlashAttention-2, arXiv:2307.08691) and Shah et al. 2024 (FlashAttention-3, arXiv:2407.08608) for the
    attention kernels' share of peak; Liu et al. 2023 (ring attention, arXiv:2310.01889) and Llama Team
    2024 (arXiv:2407.21783, Sec 3.3.2) for context parallelism; Lee et al. 2025 (arXiv:2507.03114) for the
    compute slowdown under overlapped communication.

    ``flash_attention`` is 0 (unfused: the s x s scores are written, softmax and dropout are memory-bound
    and the two attention matmuls run as small batched GEMMs), a FlashAttention generation 1-3, or a bool
    (True = :data:`suanli.models.defaults.FLASH_ATTENTION`'s generation). ``stack_efficiency`` is the
    share of the sustained GEMM rate the training stack reaches over a layer (default
    :data:`suanli.models.defaults.STACK_EFFICIENCY`, calibrated on fixed-layout step times only).
    ``tp_overlap``/``dp_overlap``/``pp_overlap`` are the shares of that communication the stack hides
    (a framework profile's values, :mod:`suanli.frameworks`); hidden communication still costs
    ``overlap_slowdown`` of its duration (default :data:`suanli.models.defaults.OVERLAP_SLOWDOWN`, see
    :func:`hidden_communication_seconds`). ``cp`` is the context-parallel degree: each of the ``cp`` devices
    holds s/cp tokens of every sequence and the K/V blocks travel round the CP ring, hidden behind the
    attention compute where it is long enough. Devices = tp x cp x pp x dp.
    """
    pc = parameter_counts(w)
    tp, pp, dp, ep, mb = _a(tp), _a(pp), _a(dp), _a(ep), _a(micro_batch)
    rc, zero, sp, v = np.asarray(recompute), np.asarray(zero), np.asarray(sp), _a(interleave)
    cp = _a(cp)
    flash = flash_generation(flash_attention)
    if flash:  # fused attention stores no scores and recomputes them in backward: 'none' costs as 'selective'
        rc = np.where(rc == 0, 1, rc)
    gb = _a(global_batch)
    eff_mm = hw.matmul_efficiency if matmul_efficiency is None else _share("matmul_efficiency", matmul_efficiency)
    eff_stack = hw.stack_efficiency * (
        D.STACK_EFFICIENCY.value if stack_efficiency is None else _share("stack_efficiency", stack_efficiency)
    )
    tp_ov = D.TP_COMM_OVERLAP.value if tp_overlap is None else tp_overlap
    dp_ov = D.DP_COMM_OVERLAP.value if dp_overlap is None else dp_overlap
    ep_ov = D.EP_COMM_OVERLAP.value if ep_overlap is None else ep_overlap
    kappa = D.OVERLAP_SLOWDOWN.value if overlap_slowdown is None else float(overlap_slowdown)
    s = float(w.seq) / cp
    m = micro_batches(gb, dp, mb)
    c = _Step(
        w=w,
        hw=hw,
        tp=tp,
        pp=pp,
        dp=dp,
        ep=ep,
        mb=mb,
        cp=cp,
        v=v,
        rc=rc,
        zero=zero,
        sp=sp,
        m=m,
        layers_stage=stage_layers(w.layers, pp),
        s=s,
        tokens_mb=mb * s,
        split=np.where(sp == 1, tp, 1.0),
        kappa=kappa,
    )

    t_gemm, t_attn, t_scores = _compute_seconds(c, pc, eff_mm, eff_stack, gemm_half_dim, flash)
    t_elem, t_route = _elementwise_seconds(c, fused_kernels)
    t_elem = t_elem + t_scores
    t_tp, t_cp = _tensor_parallel_seconds(c, tp_ov, t_attn)
    t_ep = _expert_parallel_seconds(c, ep_ov)
    t_p2p = _pipeline_p2p_seconds(c, pp_overlap)
    host = D.HOST_OVERHEAD_S_PER_MICROBATCH.value + c.layers_stage * D.KERNEL_OVERHEAD_S_PER_LAYER.value
    t_mb = t_gemm + t_attn + t_elem + t_route + t_tp + t_cp + t_ep + t_p2p + host
    slots = m + (pp - 1.0) / v
    bubble = (pp - 1.0) / v * t_mb
    t_dp_exposed, t_opt, params_shared, params_expert, edp = _data_parallel_seconds(c, pc, dp_ov, t_gemm + t_attn)
    step = slots * t_mb + t_dp_exposed + t_opt

    # --- breakdown (seconds per step; sums to step) ----------------------------------------------------
    out = {
        "compute": m * (t_gemm + t_attn),
        "memory_bound": m * (t_elem + t_route) + t_opt,
        "tp_comm": m * (t_tp + t_cp),
        "pp_bubble": bubble + m * t_p2p,
        "dp_comm_exposed": t_dp_exposed,
        "ep_comm": m * t_ep,
        "host_overhead": m * host + np.zeros_like(step),
    }
    # op classes: the bubble is idle time that stretches with every op of a micro-batch, so it is shared
    # out in proportion to them (a slower GEMM makes the bubble longer too).
    stretch = slots / m
    cust = D.CUSTOM_KERNEL_SHARE_OF_MEMORY_BOUND.value
    out.update(
        {
            "op_gemm": m * t_gemm * stretch,
            "op_attention": m * t_attn * stretch,
            "op_elementwise": m * t_elem * (1 - cust) * stretch,
            "op_custom_kernels": m * t_elem * cust * stretch,
            "op_moe_routing": m * (t_route + t_ep) * stretch,
            "op_collectives": m * (t_tp + t_cp + t_p2p) * stretch + t_dp_exposed,
            "op_optimizer": t_opt + np.zeros_like(step),
            "op_host_overhead": m * host * stretch + np.zeros_like(step),
        }
    )

    states, acts = _memory_per_device(c, params_shared, params_expert, edp)
    total = states + acts
    L, h, V = w.layers, float(w.hidden), float(w.vocab)
    params_local = params_shared + params_expert
    # FLOPs per token of the model, whatever the split: context parallelism divides the sequence between
    # devices but every token still attends over the whole of it
    model_flops = flops.model_flops_per_token(pc["matmul_active"], L, float(w.seq), w.q_dim)
    hw_flops = flops.hardware_flops_per_token(pc["matmul_active"], L, float(w.seq), w.q_dim, rc, V * h)
    out.update(
        {
            "step_time_s": step,
            "tokens_per_step": m * mb * dp * float(w.seq),
            "micro_batches": m,
            "microbatch_s": t_mb,
            "optimizer_s": t_opt,
            "params_per_device": params_local,
            "mem_states": states,
            "mem_activations": acts,
            "memory_bytes": total,
            "fits": total <= mem.usable_bytes(hw.hbm_bytes),
            "model_flops_per_token": model_flops + np.zeros_like(step),
            "hardware_flops_per_token": hw_flops + np.zeros_like(step),
        }
    )
    return out


@V.checked(
    step=V.mapping_with("step_time_s", "tokens_per_step", "model_flops_per_token", "hardware_flops_per_token"),
    tokens=V.POSITIVE,
    count=V.COUNT,
    peak_flops=V.POSITIVE,
    params=V.POSITIVE,
    failure_rate_per_device_hour=V.optional(V.NON_NEGATIVE),
    restart_s=V.optional(V.NON_NEGATIVE),
    storage_bytes_per_s=V.optional(V.POSITIVE),
    run_efficiency=V.optional(V.EFFICIENCY),
)
def training_time(
    step: dict,
    tokens,
    count,
    peak_flops,
    params,
    *,
    failure_rate_per_device_hour=None,
    restart_s=None,
    storage_bytes_per_s=None,
    run_efficiency=None,
) -> dict[str, np.ndarray]:
    """Tokens/s, MFU, HFU, goodput, wall-clock days and accelerator-hours from a :func:`step_time` result.

    References: Chowdhery et al. 2022 (PaLM) App. B (MFU/HFU); :mod:`suanli.models.reliability`
    (Young 1974, Daly 2006) for goodput. ``run_efficiency`` is the share of the remaining wall-clock a
    production run spends in steady-state steps (default :data:`suanli.models.defaults.RUN_EFFICIENCY`;
    1 for a benchmark): it stretches days and accelerator-hours, never the step time or the MFU.
    """
    tokens_per_s = step["tokens_per_step"] / step["step_time_s"]
    mfu = step["model_flops_per_token"] * tokens_per_s / (_a(count) * peak_flops)
    hfu = step["hardware_flops_per_token"] * tokens_per_s / (_a(count) * peak_flops)
    ideal_s = _a(tokens) / tokens_per_s
    mtbf = rel.mtbf_seconds(count, failure_rate_per_device_hour)
    ckpt = rel.checkpoint_seconds(params, count, storage_bytes_per_s=storage_bytes_per_s)
    good = rel.goodput(ckpt, mtbf, restart_s)
    run_eff = _share("run_efficiency", D.RUN_EFFICIENCY.value if run_efficiency is None else run_efficiency)
    wall = ideal_s / good / run_eff
    return {
        "tokens_per_s": tokens_per_s,
        "mfu": mfu,
        "hfu": hfu,
        "goodput": good,
        "ideal_days": ideal_s / 86400.0,
        "train_days": wall / 86400.0,
        "accelerator_hours": wall * _a(count) / 3600.0,
        "checkpoint_s": ckpt + np.zeros_like(good),
        "checkpoint_interval_s": rel.optimal_checkpoint_interval(ckpt, mtbf) + np.zeros_like(good),
        "mtbf_s": mtbf + np.zeros_like(good),
        "failure_fraction": 1.0 - good,
        "run_efficiency": run_eff + np.zeros_like(good),
    }
