"""The workload: a dense or mixture-of-experts decoder-only transformer, its shape and parameter counts.

A :class:`Workload` holds a shape (layers, hidden, heads, KV heads, FFN width, vocabulary, sequence
length, experts and top-k). Parameter counts follow from it (:func:`parameter_counts`); given only a
parameter count, :func:`shape_from_params` picks a plausible shape by a documented rule.

References: Vaswani et al. 2017 (arXiv:1706.03762); Narayanan et al. 2021 (arXiv:2104.04473) eq. 2
(parameter count 12 l h^2 (1 + 13/(12h) + (V+s)/(12lh))); Ainslie et al. 2023 (GQA, arXiv:2305.13245);
Shazeer 2020 (GLU variants, arXiv:2002.05202); Fedus et al. 2021 (Switch, arXiv:2101.03961).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models import defaults as D


@dataclass(frozen=True)
class Workload:
    """A decoder-only transformer to train.

    ``ffn`` is the FFN width of a dense layer; ``expert_ffn`` that of one routed expert (defaults to
    ``ffn``). ``gated`` says the FFN has three matrices (SwiGLU) instead of two. ``moe_layers`` is how
    many layers are MoE (the rest dense; DeepSeek-V3 keeps its first 3 dense). ``attention_params``
    overrides the per-layer attention parameter count (multi-head latent attention).
    """

    name: str = "custom"
    layers: int = 32
    hidden: int = 4096
    heads: int = 32
    kv_heads: int | None = None
    ffn: int | None = None
    vocab: int = 32000
    seq: int = 4096
    gated: bool = False
    experts: int = 1
    top_k: int = 1
    shared_experts: int = 0
    expert_ffn: int | None = None
    moe_layers: int | None = None
    head_dim: int | None = None
    attention_params: float | None = None
    tied_embeddings: bool = False
    dropout: bool = False
    global_batch: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("layers", "hidden", "heads", "vocab", "seq", "experts", "top_k"):
            value = getattr(self, name)
            if not isinstance(value, (int,)) or isinstance(value, bool) or value < 1:
                raise InputError(f"{name} must be a positive whole number, got {value!r}")
        for name in ("ffn", "expert_ffn", "head_dim"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise InputError(f"{name} must be a positive whole number, got {value!r}")
        if self.head_dim is None and self.hidden % self.heads:
            raise InputError(f"hidden ({self.hidden}) must be a multiple of heads ({self.heads}), or give head_dim")
        if self.kv_heads is not None and (self.kv_heads < 1 or self.heads % self.kv_heads):
            raise InputError(f"kv_heads ({self.kv_heads}) must divide heads ({self.heads})")
        if self.top_k > self.experts:
            raise InputError(f"top_k ({self.top_k}) cannot exceed the number of experts ({self.experts})")
        if self.moe_layers is not None and not 0 <= self.moe_layers <= self.layers:
            raise InputError(f"moe_layers must be between 0 and layers ({self.layers})")

    # -- derived shape ----------------------------------------------------------------------------
    @property
    def kv(self) -> int:
        return self.kv_heads or self.heads

    @property
    def head_width(self) -> int:
        return self.head_dim or self.hidden // self.heads

    @property
    def q_dim(self) -> int:
        """Width of the attention inner dimension (heads x head_dim; equals hidden in most models)."""
        return self.heads * self.head_width

    @property
    def ffn_dense(self) -> int:
        return self.ffn or 4 * self.hidden

    @property
    def ffn_expert(self) -> int:
        return self.expert_ffn or self.ffn_dense

    @property
    def is_moe(self) -> bool:
        return self.experts > 1

    @property
    def n_moe_layers(self) -> int:
        if not self.is_moe:
            return 0
        return self.layers if self.moe_layers is None else self.moe_layers

    @property
    def params(self) -> float:
        return parameter_counts(self)["total"]

    @property
    def active_params(self) -> float:
        return parameter_counts(self)["active"]

    def replace(self, **changes) -> Workload:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out.update(parameter_counts(self))
        return out


@V.checked(w=V.instance(Workload))
def parameter_counts(w: Workload) -> dict[str, float]:
    """Parameters of a workload: total, active per token, per-layer attention/FFN, experts, embedding.

    Attention with GQA: Q and O are h x (a d), K and V are h x (kv d) each (d the head width) (Ainslie et al. 2023).
    A dense FFN has 2 h f weights, or 3 h f when gated (Shazeer 2020). An MoE layer holds
    ``experts + shared_experts`` FFNs of width ``expert_ffn`` and a router of h x experts; a token
    uses ``top_k + shared_experts`` of them (Fedus et al. 2021). Biases and norms are ignored
    (under 0.1%, Narayanan et al. 2021 eq. 2).

    References: Narayanan et al. 2021, arXiv:2104.04473, eq. 2.
    """
    h = w.hidden
    mats = 3 if w.gated else 2
    attn = w.attention_params if w.attention_params else 2 * h * w.q_dim + 2 * h * w.head_width * w.kv
    ffn_dense = mats * h * w.ffn_dense
    ffn_expert = mats * h * w.ffn_expert
    n_moe = w.n_moe_layers
    n_dense = w.layers - n_moe
    experts_total = n_moe * (w.experts + w.shared_experts) * ffn_expert + n_moe * h * w.experts
    experts_active = n_moe * (w.top_k + w.shared_experts) * ffn_expert + n_moe * h * w.experts
    embed = w.vocab * h * (1 if w.tied_embeddings else 2)
    body_shared = w.layers * attn + n_dense * ffn_dense
    routed = n_moe * w.experts * ffn_expert
    return {
        "total": body_shared + experts_total + embed,
        "active": body_shared + experts_active + embed,
        "attention_per_layer": attn,
        "ffn_per_layer": ffn_dense,
        "expert_ffn": ffn_expert,
        "routed_expert_params": routed,
        "embedding": embed,
        # weights every token multiplies by (the output projection counts; the input lookup does not)
        "matmul_active": body_shared + experts_active + w.vocab * h,
    }


@V.checked(
    params=V.ONE_POSITIVE,
    active_params=V.optional(V.ONE_POSITIVE),
    seq=V.optional(V.ONE_COUNT),
    vocab=V.optional(V.ONE_COUNT),
    name=V.instance(str, what="name (text)"),
)
def shape_from_params(
    params: float,
    active_params: float | None = None,
    *,
    seq: int | None = None,
    vocab: int | None = None,
    name: str = "",
) -> Workload:
    """A plausible transformer shape for a parameter count (and an active count for MoE).

    Rule (dense): hidden/layers = 128 (Kaplan et al. 2020 Fig. 5; GPT-3 175B, Llama 2 7B), 128-wide
    heads, FFN 4h, non-embedding params 12 l h^2 (Narayanan et al. 2021 eq. 2), so
    h = (128 N / 12)^(1/3) rounded to a multiple of 128 (512 from h = 2048, 1024 from h = 8192, so
    that tensor parallelism can split the heads) and l = round(N / (12 h^2)).
    Rule (MoE, active < total): the dense rule sizes the model for the *active* count with top-2
    routing over experts of half the dense FFN width (Mixtral-style), and the expert count is the one
    that makes the total come out right.

    References: Kaplan et al. 2020, arXiv:2001.08361; Narayanan et al. 2021, arXiv:2104.04473, eq. 2.
    """
    if not params or params <= 0 or not math.isfinite(params):
        raise InputError(f"params must be a positive number, got {params!r}")
    if active_params is not None and not 0 < active_params <= params:
        raise InputError(f"active params ({active_params:g}) must be positive and at most params ({params:g})")
    # None means "the default"; a 0 the user typed is checked by Workload like any other bad size
    vocab = int(D.DEFAULT_VOCAB.value) if vocab is None else vocab
    seq = int(D.DEFAULT_SEQ.value) if seq is None else seq
    head_dim = int(D.HEAD_DIM.value)
    target = active_params if active_params and active_params < params else params
    body = max(target - 2 * vocab * 1024, target * 0.5)
    h = (D.ASPECT_RATIO.value * body / 12) ** (1 / 3)
    step = head_dim * (8 if h >= 8192 else 4 if h >= 2048 else 1)  # heads divisible by 8 / 4 so TP can split them
    h = max(head_dim, round(h / step) * step)
    body = max(target - 2 * vocab * h, target * 0.5)
    layers = max(1, round(body / (12 * h * h)))
    heads = max(1, h // head_dim)
    label = name or f"{params / 1e9:g}B"
    dense = Workload(
        name=label,
        layers=layers,
        hidden=h,
        heads=heads,
        ffn=4 * h,
        vocab=vocab,
        seq=seq,
        source="shape_from_params rule (hidden/layers=128, head 128, ffn 4h)",
    )
    if not active_params or active_params >= params:
        return dense
    per_expert = 2 * h * (2 * h)  # an expert of width 2h (half of 4h), two matrices
    extra = params - dense.params
    experts = max(2, round(2 + extra / (layers * per_expert)))
    return dense.replace(
        experts=experts, top_k=2, expert_ffn=2 * h, source="shape_from_params MoE rule (top-2, experts of width 2h)"
    )


# --- global batch policy -----------------------------------------------------------------------


@V.checked(compute_flops=V.POSITIVE)
def optimal_batch_tokens(compute_flops):
    """Compute-optimal global batch in tokens: B_opt = 0.292 C^0.3271 (C in FLOPs).

    References: DeepSeek-AI 2024, 'DeepSeek LLM: Scaling Open-Source Language Models with Longtermism',
    arXiv:2401.02954, Sec 3.1, eq. 1 (fitted on their IsoFLOP runs, C = M D with M the non-embedding
    FLOPs per token).
    """
    return 0.292 * np.asarray(compute_flops, dtype=float) ** 0.3271


@V.checked(params=V.POSITIVE, tokens=V.POSITIVE)
def critical_batch_tokens(params, tokens):
    """Critical batch in tokens at the end of training: B_crit(L) = B* / L^(1/alpha_B), B* = 2e8 tokens,
    alpha_B = 0.21, with the loss L (nats) from the Chinchilla fit L = E + A/N^alpha + B/D^beta.

    Beyond it, a larger batch buys little speed for its extra tokens. An estimate: Kaplan's constants were
    fitted on WebText2, the loss comes from another fit; at GPT-3 175B / 300B tokens it gives 7.3M tokens
    (GPT-3 used 3.2M), at Llama 3 405B / 15.6T 11.6M (Llama 3 ended at 16M).

    References: McCandlish et al. 2018, 'An Empirical Model of Large-Batch Training', arXiv:1812.06162;
    Kaplan et al. 2020, arXiv:2001.08361, eq. 1.4 and Table 3 (B* = 2e8, alpha_B = 0.21); Hoffmann et al.
    2022, arXiv:2203.15556, eq. 10 (E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28).
    """
    n = np.asarray(params, dtype=float)
    d = np.asarray(tokens, dtype=float)
    loss = 1.69 + 406.4 / n**0.34 + 410.7 / d**0.28
    return 2e8 / loss ** (1.0 / 0.21)


@V.checked(
    params=V.ONE_POSITIVE,
    tokens=V.ONE_POSITIVE,
    seq=V.ONE_COUNT,
    count=V.ONE_COUNT,
    scaleup_domain=V.ONE_COUNT,
    flops_per_token=V.optional(V.ONE_POSITIVE),
)
def policy_global_batch(params, tokens, seq, count, scaleup_domain, *, flops_per_token=None) -> tuple[int, str]:
    """The global batch (sequences) practitioners would choose when none is given, and the rule that chose it.

    B = min(B_opt(C), B_crit) tokens (:func:`optimal_batch_tokens`, :func:`critical_batch_tokens`), at least
    one sequence per scale-up domain (so that a layout without pipeline parallelism exists), in whole
    sequences rounded to the nearest 2^n or 3 x 2^n (so that data-parallel degrees divide it, as practitioners'
    batches do: 1536, 2048, 3072, 4096). C = 6 N D unless ``flops_per_token`` is given.

    References: DeepSeek-AI 2024, arXiv:2401.02954, eq. 1; McCandlish et al. 2018, arXiv:1812.06162;
    Llama Team 2024, arXiv:2407.21783, Sec 3.4.1 (batch 4M -> 8M -> 16M tokens as training proceeds);
    Brown et al. 2020, arXiv:2005.14165, Table 2.1 (GPT-3 175B: 3.2M tokens).
    """
    fpt = 6.0 * float(params) if flops_per_token is None else float(flops_per_token)
    b_opt = float(optimal_batch_tokens(fpt * float(tokens)))
    b_crit = float(critical_batch_tokens(params, tokens))
    floor_seqs = max(1, int(np.ceil(count / max(1, scaleup_domain))))
    if b_opt <= b_crit:
        chosen, rule = (
            b_opt,
            (
                f"compute-optimal batch B = 0.292 C^0.3271 = {b_opt / 1e6:.3g}M tokens "
                f"(DeepSeek LLM 2024, C = {fpt * float(tokens):.3g} FLOPs), below the critical batch "
                f"{b_crit / 1e6:.3g}M tokens"
            ),
        )
    else:
        chosen, rule = (
            b_crit,
            (
                f"critical batch {b_crit / 1e6:.3g}M tokens (McCandlish et al. 2018 / Kaplan et al. 2020 "
                f"at the Chinchilla loss), below the compute-optimal {b_opt / 1e6:.3g}M tokens "
                f"(DeepSeek LLM 2024)"
            ),
        )
    seqs = _round_batch(chosen / seq)
    rule += f"; {seqs:,} sequences of {seq:,} tokens (rounded to the nearest 2^n or 3 x 2^n)"
    if seqs < floor_seqs:
        seqs, rule = (
            floor_seqs,
            (
                f"one sequence per scale-up domain of {scaleup_domain} on {count:,} devices "
                f"({floor_seqs:,} sequences), above the " + rule
            ),
        )
    return seqs, rule


def _round_batch(seqs: float) -> int:
    """The nearest (in ratio) whole number of the form 2^n or 3 x 2^n, at least 1."""
    if seqs <= 1:
        return 1
    n = math.floor(math.log2(seqs))
    cands = [2**n, 3 * 2 ** (n - 1) if n >= 1 else 1, 2 ** (n + 1)]
    return int(min(cands, key=lambda c: abs(math.log(c / seqs))))
