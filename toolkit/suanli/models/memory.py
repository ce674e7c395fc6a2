"""Memory per device: weights, gradients, optimizer state, activations; ZeRO stages; fits or not.

Model states follow the ZeRO paper's mixed-precision Adam accounting (Rajbhandari et al. 2020,
arXiv:1910.02054, Sec 3.1): 2 bytes of fp16/bf16 weights, 2 of gradients and 12 of optimizer state
(fp32 master weights, momentum, variance) per parameter; ZeRO-1 shards the optimizer state over the
data-parallel group, ZeRO-2 the gradients too, ZeRO-3 the weights too (Sec 5).

Activations follow Korthikanti et al. 2022 (arXiv:2205.05198), Sec 4 and Table 2: per layer and
micro-batch, s b h (10 + 24/t + 5 a s/(h t)) bytes without sequence parallelism, s b h (34/t + 5 a s/(h t))
with it, selective recomputation drops the 5 a s/(h t) term (the attention core), full recomputation
keeps only the layer input (2 s b h, /t with sequence parallelism). The 24 and 34 split into
attention (11 s b h), MLP (19 s b h for a 4h FFN) and norms (4 s b h); here the MLP part scales with
the FFN width (and with top-k for MoE) so that SwiGLU, GQA-era and MoE models are covered.
1F1B keeps ``pp`` micro-batches in flight on the first stage (L layers' worth in total); interleaving
adds a factor 1 + (p-1)/(p v) (Sec 4.2.3).
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V
from suanli.models import defaults as D


@V.checked(
    params_local=V.NON_NEGATIVE,
    zero=V.between(0, 3),
    dp=V.COUNT,
    bytes_weight=V.optional(V.NON_NEGATIVE),
    bytes_grad=V.optional(V.NON_NEGATIVE),
    bytes_optimizer=V.optional(V.NON_NEGATIVE),
)
def model_state_bytes(params_local, zero, dp, *, bytes_weight=None, bytes_grad=None, bytes_optimizer=None):
    """Bytes of weights + gradients + optimizer state on one device, with ZeRO stage ``zero`` (0-3).

    ``params_local`` is the parameter count this device holds before ZeRO (after TP/PP/EP sharding).

    References: Rajbhandari et al. 2020 (ZeRO), arXiv:1910.02054, Sec 3.1 and 5 (Fig. 1 formulas).
    """
    bw = D.BYTES_WEIGHT.value if bytes_weight is None else bytes_weight
    bg = D.BYTES_GRADIENT.value if bytes_grad is None else bytes_grad
    bo = D.BYTES_OPTIMIZER.value if bytes_optimizer is None else bytes_optimizer
    zero = np.asarray(zero)
    dp = np.maximum(np.asarray(dp, dtype=float), 1.0)
    p = np.asarray(params_local, dtype=float)
    opt = np.where(zero >= 1, bo / dp, bo)
    grad = np.where(zero >= 2, bg / dp, bg)
    weight = np.where(zero >= 3, bw / dp, bw)
    return p * (weight + grad + opt)


@V.checked(
    seq=V.COUNT,
    micro_batch=V.COUNT,
    hidden=V.ONE_COUNT,
    heads=V.COUNT,
    ffn_active=V.ONE_COUNT,
    tp=V.COUNT,
    sp=V.between(0, 1),
    recompute=V.between(0, 2),
)
def activation_bytes_per_layer(
    seq, micro_batch, hidden, heads, ffn_active, tp, sp, recompute, *, gated=False, dropout=True
):
    """Activation bytes one transformer layer stores for one micro-batch on one device.

    ``ffn_active`` is the FFN width a token passes through (``top_k x expert_ffn`` for MoE);
    ``recompute`` is 0 none, 1 selective, 2 full; ``sp`` 1 with sequence parallelism.

    References: Korthikanti et al. 2022, arXiv:2205.05198, Sec 4.1-4.2, Table 2 (eq. 1-2 generalised
    to an FFN of width f: MLP = 3 s b h + 4 s b f bytes, 6 s b f when gated).
    """
    s = np.asarray(seq, dtype=float)
    b = np.asarray(micro_batch, dtype=float)
    h = float(hidden)
    t = np.asarray(tp, dtype=float)
    sp = np.asarray(sp)
    rc = np.asarray(recompute)
    f = float(ffn_active)
    # Korthikanti's inventory: attention 8 s b h split by TP (Q, K, V, projection input) + 3 s b h not;
    # MLP 4 s b f split (activation input and output; 6 s b f gated) + 3 s b h not; norms 4 s b h not.
    parallel = 8.0 * h + (6.0 if gated else 4.0) * f  # 24 h for GPT (f = 4h)
    # without dropout the two dropout masks (s b h each) and the attention-dropout tensors go away
    replicated = (10.0 if dropout else 8.0) * h
    per_token = np.where(sp == 1, (parallel + replicated) / t, replicated + parallel / t)
    scores = (
        (5.0 if dropout else 2.0) * heads * s / t
    )  # softmax (+ dropout) of the scores; gone with selective recompute
    per_token = per_token + np.where(rc == 0, scores, 0.0)
    full = np.where(sp == 1, 2.0 * h / t, 2.0 * h)
    per_token = np.where(rc == 2, full, per_token)
    return s * b * per_token


@V.checked(
    layers=V.POSITIVE,
    pp=V.COUNT,
    interleave=V.COUNT,
    seq=V.COUNT,
    micro_batch=V.COUNT,
    hidden=V.ONE_COUNT,
    heads=V.COUNT,
    ffn_active=V.ONE_COUNT,
    tp=V.COUNT,
    sp=V.between(0, 1),
    recompute=V.between(0, 2),
)
def activation_bytes(
    layers, pp, interleave, seq, micro_batch, hidden, heads, ffn_active, tp, sp, recompute, *, gated=False, dropout=True
):
    """Peak activation bytes on the busiest (first) pipeline stage under 1F1B (or interleaved 1F1B).

    The first stage holds ``pp`` micro-batches of its L/p layers, i.e. ``layers`` layers' worth (pass
    :func:`suanli.models.parallelism.activation_layer_slots` for uneven stages or fewer micro-batches
    than stages); interleaving multiplies this by 1 + (p - 1)/(p v).

    References: Korthikanti et al. 2022, arXiv:2205.05198, Sec 4.2.3 (eq. 5 and the interleaved factor).
    """
    per_layer = activation_bytes_per_layer(
        seq, micro_batch, hidden, heads, ffn_active, tp, sp, recompute, gated=gated, dropout=dropout
    )
    pp = np.asarray(pp, dtype=float)
    v = np.asarray(interleave, dtype=float)
    factor = np.where(v > 1, 1.0 + (pp - 1.0) / (pp * v), 1.0)
    stage_layers = np.asarray(layers, dtype=float) / pp
    return per_layer * stage_layers * pp * factor  # 1F1B: pp micro-batches in flight on the first stage


@V.checked(hbm_bytes=V.NON_NEGATIVE, fraction=V.optional(V.SHARE))
def usable_bytes(hbm_bytes, fraction=None):
    """HBM a training job can fill with tensors (the rest goes to the context, NCCL, fragmentation).

    References: see :data:`suanli.models.defaults.USABLE_HBM_FRACTION` (an estimate).
    """
    return np.asarray(hbm_bytes, dtype=float) * (D.USABLE_HBM_FRACTION.value if fraction is None else fraction)
