"""Training FLOPs per token: matmuls, the attention term, recomputation (MFU vs HFU), MoE active FLOPs.

Model FLOPs follow the PaLM convention (Chowdhery et al. 2022, arXiv:2204.02311, App. B):
6 N + 12 L H Q T per token, with N the weights a token multiplies by (active experts only for MoE,
the output projection included, the input embedding lookup not) and 12 L s d the attention-score and
attention-value matmuls (counted without the causal mask, as PaLM and Megatron-LM do). Hardware FLOPs add
what recomputation runs again: the whole forward pass for full recomputation (Narayanan et al. 2021,
arXiv:2104.04473, eq. 3: 96 B s l h^2 ... instead of 72), the attention core for selective
recomputation (Korthikanti et al. 2022, arXiv:2205.05198, Sec 5).
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V
from suanli.models.workload import Workload, parameter_counts

RECOMPUTE = ("none", "selective", "full")
"""Activation-recomputation modes, indexed 0, 1, 2 in the vectorised layout arrays."""


@V.checked(layers=V.NON_NEGATIVE, seq=V.NON_NEGATIVE, q_dim=V.NON_NEGATIVE)
def attention_flops_per_token(layers, seq, q_dim):
    """Training FLOPs per token of the attention-score and -value matmuls: 12 L s d.

    Forward QK^T and AV are 2 s d each per token per layer (4 s d); backward is twice the forward.

    References: Chowdhery et al. 2022 (PaLM), arXiv:2204.02311, App. B ("12 L H Q T").
    """
    return 12.0 * np.asarray(layers, dtype=float) * np.asarray(seq, dtype=float) * np.asarray(q_dim, dtype=float)


@V.checked(matmul_params=V.NON_NEGATIVE, layers=V.NON_NEGATIVE, seq=V.NON_NEGATIVE, q_dim=V.NON_NEGATIVE)
def model_flops_per_token(matmul_params, layers, seq, q_dim):
    """Model FLOPs per token for training (MFU numerator): 6 N + 12 L s d.

    References: Chowdhery et al. 2022 (PaLM), arXiv:2204.02311, App. B; Kaplan et al. 2020 (6N).
    """
    return 6.0 * np.asarray(matmul_params, dtype=float) + attention_flops_per_token(layers, seq, q_dim)


@V.checked(
    matmul_params=V.NON_NEGATIVE,
    layers=V.NON_NEGATIVE,
    seq=V.NON_NEGATIVE,
    q_dim=V.NON_NEGATIVE,
    recompute=V.between(0, 2),
    logit_params=V.NON_NEGATIVE,
)
def recompute_flops_per_token(matmul_params, layers, seq, q_dim, recompute, logit_params=0.0):
    """Extra FLOPs per token that recomputation runs: full = one more forward of the transformer layers
    (2 (N - N_logits) + 4 L s d; the output layer is not recomputed); selective = the attention core only
    (4 L s d); none = 0. ``recompute`` is 0/1/2 (broadcasts).

    References: Narayanan et al. 2021, arXiv:2104.04473, eq. 3 (the 4th pass); Korthikanti et al.
    2022, arXiv:2205.05198, Sec 5 (selective recomputation of the attention core).
    """
    if np.any(np.asarray(logit_params, dtype=float) > np.asarray(matmul_params, dtype=float)):
        raise V.InputError(
            f"logit_params ({logit_params!r}) are part of matmul_params ({matmul_params!r}), so cannot exceed them"
        )
    rc = np.asarray(recompute)
    attn_fwd = attention_flops_per_token(layers, seq, q_dim) / 3.0
    full = 2.0 * (np.asarray(matmul_params, dtype=float) - logit_params) + attn_fwd
    return np.where(rc == 2, full, np.where(rc == 1, attn_fwd, 0.0))


@V.checked(
    matmul_params=V.NON_NEGATIVE,
    layers=V.NON_NEGATIVE,
    seq=V.NON_NEGATIVE,
    q_dim=V.NON_NEGATIVE,
    recompute=V.between(0, 2),
    logit_params=V.NON_NEGATIVE,
)
def hardware_flops_per_token(matmul_params, layers, seq, q_dim, recompute, logit_params=0.0):
    """Hardware FLOPs per token (HFU numerator): model FLOPs plus recomputation.

    With full recomputation and ``logit_params = V h`` this is Megatron-LM's eq. 3 per token:
    96 l h^2 (1 + s/(6h) + V/(16 l h)) for a GPT layer (Narayanan et al. 2021).

    References: Chowdhery et al. 2022 (PaLM), arXiv:2204.02311, App. B (MFU vs HFU); Narayanan et al.
    2021, arXiv:2104.04473, eq. 3.
    """
    return model_flops_per_token(matmul_params, layers, seq, q_dim) + recompute_flops_per_token(
        matmul_params, layers, seq, q_dim, recompute, logit_params
    )


@V.checked(w=V.instance(Workload), recompute=V.between(0, 2))
def workload_flops(w: Workload, recompute=0) -> dict[str, np.ndarray]:
    """Model and hardware FLOPs per token of a :class:`Workload` (MoE: active experts only).

    References: see :func:`model_flops_per_token` and :func:`hardware_flops_per_token`.
    """
    n = parameter_counts(w)["matmul_active"]
    return {
        "model": model_flops_per_token(n, w.layers, w.seq, w.q_dim),
        "hardware": hardware_flops_per_token(n, w.layers, w.seq, w.q_dim, recompute, w.vocab * w.hidden),
        "attention": attention_flops_per_token(w.layers, w.seq, w.q_dim),
        "six_n": 6.0 * n,
    }


@V.checked(flops_per_token=V.NON_NEGATIVE, tokens_per_s=V.NON_NEGATIVE, count=V.COUNT, peak_flops=V.POSITIVE)
def utilization(flops_per_token, tokens_per_s, count, peak_flops):
    """FLOPs utilization: FLOPs per token x tokens/s over the fleet's peak (MFU or HFU by numerator).

    References: Chowdhery et al. 2022 (PaLM), arXiv:2204.02311, App. B.
    """
    return np.asarray(flops_per_token) * np.asarray(tokens_per_s) / (np.asarray(count) * np.asarray(peak_flops))
