"""Scaling laws: how big a model and how many tokens a compute budget buys, and what budget a loss needs.

Everything here is a pure function of plain numbers or numpy arrays (they broadcast), in SI-like
counts: ``params`` (parameters), ``tokens`` (training tokens), ``compute_flops`` (FLOPs, not FLOP/s).

Contents:

- Accounting: FLOPs <-> parameters <-> tokens (C = 6ND and the fuller per-token count of Kaplan et
  al. 2020, Table 1), inference FLOPs per token (~2N), PF-days, growth arithmetic (CAGR, doubling).
- Loss laws: Kaplan et al. 2020 L(N), L(D), L(N, D); the parametric law L = E + A/N^alpha + B/D^beta of
  Hoffmann et al. 2022 ("Chinchilla") and its replication by Besiroglu et al. 2024; the approach-1/2
  power laws N_opt ~ C^a.
- The compute-optimal allocation, derived with sympy (:func:`derivation`), rendered as LaTeX and
  lambdified to numpy (:func:`compute_optimal`); the inverse problems (:func:`compute_for_loss`,
  :func:`compute_optimal_for_cluster`) and the inference-aware optimum of Sardana et al. 2023
  (:func:`inference_aware_optimum`).

Every published constant sits in :data:`CONSTANTS` with its paper and table. sympy and scipy load
inside the functions that need them (``import suanli`` stays fast); the derivation is cached.
Fitting a user's own (N, D, loss) table lives in :mod:`suanli.models.scaling_fit`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.spec import Source
from suanli.validate import require_positive

SECONDS_PER_DAY = 86_400.0
PF_DAY_FLOPS = 1e15 * SECONDS_PER_DAY
"""One petaflop/s-day in FLOPs (8.64e19), the unit of Brown et al. 2020 and Kaplan et al. 2020."""

TRAINING_FLOPS_PER_PARAM_TOKEN = 6.0
"""C = 6ND: 2 FLOPs per parameter per token forward, 4 backward (Kaplan et al. 2020, Sec. 2.1)."""

INFERENCE_FLOPS_PER_PARAM_TOKEN = 2.0
"""Forward pass only: ~2N FLOPs per generated or read token (Kaplan et al. 2020, Table 1)."""

# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------
_HOFFMANN = "Hoffmann et al. 2022, 'Training Compute-Optimal Large Language Models', arXiv:2203.15556"
_HOFFMANN_URL = "https://arxiv.org/abs/2203.15556"
_KAPLAN = "Kaplan et al. 2020, 'Scaling Laws for Neural Language Models', arXiv:2001.08361"
_KAPLAN_URL = "https://arxiv.org/abs/2001.08361"
_BESIROGLU = "Besiroglu, Erdil, Barnett, You 2024, 'Chinchilla Scaling: A replication attempt', arXiv:2404.10102"
_BESIROGLU_URL = "https://arxiv.org/abs/2404.10102"

SOURCES = {
    "hoffmann_eq10": Source(
        f"{_HOFFMANN}, Sec. D.2, eq. 10 (rounded values printed in the paper)", _HOFFMANN_URL, "2022-03-29", "paper"
    ),
    "hoffmann_table2": Source(f"{_HOFFMANN}, Table 2", _HOFFMANN_URL, "2022-03-29", "paper"),
    "hoffmann_table3": Source(
        f"{_HOFFMANN}, Table 3 (Approach 1 projections: 67B parameters at 5.76e23 FLOPs)",
        _HOFFMANN_URL,
        "2022-03-29",
        "paper",
    ),
    "hoffmann_fig3": Source(
        f"{_HOFFMANN}, Fig. 3 (Approach 2, IsoFLOP profiles: optimal size at the Gopher budget)",
        _HOFFMANN_URL,
        "2022-03-29",
        "estimate",
        note="63B is the Approach-2 optimum for the Gopher budget as recalled from the Fig. 3 caption; the "
        "stored copies searched in this session did not show the caption, so it is not re-verified. It only "
        "sets the prefactor of the approach-2 power law (its exponent, 0.49, is Table 2's)",
    ),
    "besiroglu_table1": Source(
        f"{_BESIROGLU}, Table 1 (their refit of Approach 3)", _BESIROGLU_URL, "2024-04-15", "paper"
    ),
    "kaplan_eq11_13": Source(f"{_KAPLAN}, eqs. 1.1-1.3 (single-variable laws)", _KAPLAN_URL, "2020-01-23", "paper"),
    "kaplan_eq15": Source(
        f"{_KAPLAN}, eq. 1.5 / 4.1 and the fit of L(N, D) in Sec. 4", _KAPLAN_URL, "2020-01-23", "paper"
    ),
    "kaplan_sec6": Source(
        f"{_KAPLAN}, Sec. 6.1, compute-efficient values N_opt = N_e C_min^p_N (C_min in PF-days)",
        _KAPLAN_URL,
        "2020-01-23",
        "paper",
    ),
    "kaplan_table1": Source(
        f"{_KAPLAN}, Table 1 (parameter and compute counts per token)", _KAPLAN_URL, "2020-01-23", "paper"
    ),
    "idc_2022": Source(
        "IDC & Inspur, 2022-2023 China AI Computing Power Development Assessment Report "
        "(2022-2023中国人工智能计算力发展评估报告): China intelligent computing 155.2 EFLOPS in 2021, "
        "1271.4 EFLOPS forecast for 2026, CAGR 52.3%",
        "",
        "2023-02",
        "press",
    ),
    "sevilla_2022": Source(
        "Sevilla et al. 2022, 'Compute Trends Across Three Eras of Machine Learning', arXiv:2202.05924, abstract: "
        "training compute doubling about every 6 months since the early 2010s",
        "https://arxiv.org/abs/2202.05924",
        "2022-02-11",
        "paper",
    ),
    "brown_2020": Source(
        "Brown et al. 2020, 'Language Models are Few-Shot Learners', arXiv:2005.14165, Table D.1: "
        "GPT-3 175B total train compute 3.14e23 FLOPs = 3.64e3 PF-days",
        "https://arxiv.org/abs/2005.14165",
        "2020-05-28",
        "paper",
    ),
    "sardana_2023": Source(
        "Sardana, Portes, Doubov, Frankle 2023, 'Beyond Chinchilla-Optimal: Accounting for Inference in "
        "Language Model Scaling Laws', arXiv:2401.00448, Sec. 2 (minimise 6N D_tr + 2N D_inf at fixed loss)",
        "https://arxiv.org/abs/2401.00448",
        "2023-12-31",
        "paper",
    ),
    "default_mfu": Source(
        "suanli default MFU",
        confidence="estimate",
        note=(
            "0.40 is a round value inside the MFU range reported for large dense runs: Gopher 32.5%, "
            "PaLM 540B 46.2% (Chowdhery et al. 2022, arXiv:2204.02311, Table 3), LLaMA-65B ~47.6% derived "
            "from 380 tokens/s/GPU (Touvron et al. 2023), MegaScale 55.2% at 12,288 GPUs (Jiang et al. 2024, "
            "Table 2). Override it with --mfu for a fleet you know."
        ),
    ),
}


@dataclass(frozen=True)
class Constant:
    """One published number: its name in code, its symbol, its value and unit, and where it comes from."""

    name: str
    symbol: str
    value: float
    unit: str
    law: str
    source: Source

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "symbol": self.symbol,
            "value": self.value,
            "unit": self.unit,
            "law": self.law,
            "source": self.source.citation,
            "confidence": self.source.confidence,
        }


def _c(name, symbol, value, unit, law, source_key) -> Constant:
    return Constant(name, symbol, value, unit, law, SOURCES[source_key])


CONSTANTS: tuple[Constant, ...] = (
    # Hoffmann et al. 2022, Approach 3 (the parametric fit), eq. 10
    _c("chinchilla_E", "E", 1.69, "nats/token", "chinchilla", "hoffmann_eq10"),
    _c("chinchilla_A", "A", 406.4, "nats/token", "chinchilla", "hoffmann_eq10"),
    _c("chinchilla_B", "B", 410.7, "nats/token", "chinchilla", "hoffmann_eq10"),
    _c("chinchilla_alpha", "alpha", 0.34, "1", "chinchilla", "hoffmann_eq10"),
    _c("chinchilla_beta", "beta", 0.28, "1", "chinchilla", "hoffmann_eq10"),
    # Besiroglu et al. 2024, Table 1
    _c("besiroglu_E", "E", 1.8172, "nats/token", "besiroglu", "besiroglu_table1"),
    _c("besiroglu_A", "A", 482.01, "nats/token", "besiroglu", "besiroglu_table1"),
    _c("besiroglu_B", "B", 2085.43, "nats/token", "besiroglu", "besiroglu_table1"),
    _c("besiroglu_alpha", "alpha", 0.3478, "1", "besiroglu", "besiroglu_table1"),
    _c("besiroglu_beta", "beta", 0.3658, "1", "besiroglu", "besiroglu_table1"),
    # Hoffmann et al. 2022, Table 2: N_opt ~ C^a, D_opt ~ C^b
    _c("approach1_a", "a", 0.50, "1", "approach1", "hoffmann_table2"),
    _c("approach1_b", "b", 0.50, "1", "approach1", "hoffmann_table2"),
    _c("approach2_a", "a", 0.49, "1", "approach2", "hoffmann_table2"),
    _c("approach2_b", "b", 0.51, "1", "approach2", "hoffmann_table2"),
    _c("approach3_a", "a", 0.46, "1", "approach3", "hoffmann_table2"),
    _c("approach3_b", "b", 0.54, "1", "approach3", "hoffmann_table2"),
    _c("kaplan_a", "a", 0.73, "1", "kaplan", "hoffmann_table2"),
    _c("kaplan_b", "b", 0.27, "1", "kaplan", "hoffmann_table2"),
    # Anchors of the approach-1/2 power laws: the model size each approach picks at the Gopher budget
    _c("gopher_budget_flops", "C_G", 5.76e23, "FLOPs", "approach1", "hoffmann_table3"),
    _c("approach1_params_at_gopher_budget", "N_1", 67e9, "parameters", "approach1", "hoffmann_table3"),
    _c("approach2_params_at_gopher_budget", "N_2", 63e9, "parameters", "approach2", "hoffmann_fig3"),
    # Kaplan et al. 2020
    _c("kaplan_alpha_N", "alpha_N", 0.076, "1", "kaplan", "kaplan_eq11_13"),
    _c("kaplan_N_c", "N_c", 8.8e13, "non-embedding parameters", "kaplan", "kaplan_eq11_13"),
    _c("kaplan_alpha_D", "alpha_D", 0.095, "1", "kaplan", "kaplan_eq11_13"),
    _c("kaplan_D_c", "D_c", 5.4e13, "tokens", "kaplan", "kaplan_eq11_13"),
    _c("kaplan_alpha_C_min", "alpha_C^min", 0.050, "1", "kaplan", "kaplan_eq11_13"),
    _c("kaplan_C_c_min", "C_c^min", 3.1e8, "PF-days", "kaplan", "kaplan_eq11_13"),
    _c("kaplan_ND_alpha_N", "alpha_N", 0.076, "1", "kaplan", "kaplan_eq15"),
    _c("kaplan_ND_alpha_D", "alpha_D", 0.103, "1", "kaplan", "kaplan_eq15"),
    _c("kaplan_ND_N_c", "N_c", 6.4e13, "non-embedding parameters", "kaplan", "kaplan_eq15"),
    _c("kaplan_ND_D_c", "D_c", 1.8e13, "tokens", "kaplan", "kaplan_eq15"),
    _c("kaplan_N_e", "N_e", 1.3e9, "non-embedding parameters", "kaplan", "kaplan_sec6"),
    _c("kaplan_p_N", "p_N", 0.73, "1", "kaplan", "kaplan_sec6"),
    # Growth figures
    _c("idc_china_ai_2021", "P_2021", 155.2e18, "FLOP/s", "growth", "idc_2022"),
    _c("idc_china_ai_2026", "P_2026", 1271.4e18, "FLOP/s", "growth", "idc_2022"),
    _c("idc_china_ai_cagr", "g", 0.523, "1/year", "growth", "idc_2022"),
    _c("training_compute_doubling_months", "T_2", 6.0, "months", "growth", "sevilla_2022"),
    # Anchors used by tests and the notebook
    _c("gpt3_training_flops", "C_GPT3", 3.14e23, "FLOPs", "anchor", "brown_2020"),
    _c("gpt3_training_pf_days", "C_GPT3", 3640.0, "PF-days", "anchor", "brown_2020"),
    _c("default_mfu", "MFU", 0.40, "1", "accounting", "default_mfu"),
)

_BY_NAME = {c.name: c for c in CONSTANTS}


@V.checked(name=V.TEXT)
def constant(name: str) -> float:
    """The value of a published constant by its name in :data:`CONSTANTS`."""
    try:
        return _BY_NAME[name].value
    except KeyError:
        raise InputError(f"unknown constant {name!r}; see suanli.models.scaling.CONSTANTS") from None


def constants_table() -> list[dict]:
    """Every constant as a row (name, symbol, value, unit, law, source, confidence)."""
    return [c.as_dict() for c in CONSTANTS]


DEFAULT_MFU = constant("default_mfu")


# --------------------------------------------------------------------------------------------
# Loss laws
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParametricLaw:
    """L(N, D) = E + A / N**alpha + B / D**beta (Hoffmann et al. 2022, eq. 2), N and D in parameters and tokens."""

    name: str
    E: float
    A: float
    B: float
    alpha: float
    beta: float
    source: Source

    def as_dict(self) -> dict:
        return {"law": self.name, "E": self.E, "A": self.A, "B": self.B, "alpha": self.alpha, "beta": self.beta}


@dataclass(frozen=True)
class KaplanLaw:
    """L(N, D) = ((N_c / N)**(alpha_N / alpha_D) + D_c / D)**alpha_D (Kaplan et al. 2020, eq. 1.5).

    N counts non-embedding parameters and the loss is in nats on WebText2 with the GPT-2 tokenizer,
    so its values are not comparable with the MassiveText losses of the parametric laws.
    """

    name: str
    N_c: float
    D_c: float
    alpha_N: float
    alpha_D: float
    N_e: float
    p_N: float
    source: Source


CHINCHILLA = ParametricLaw(
    "chinchilla", *(constant(f"chinchilla_{k}") for k in ("E", "A", "B", "alpha", "beta")), SOURCES["hoffmann_eq10"]
)
BESIROGLU = ParametricLaw(
    "besiroglu", *(constant(f"besiroglu_{k}") for k in ("E", "A", "B", "alpha", "beta")), SOURCES["besiroglu_table1"]
)
KAPLAN = KaplanLaw(
    "kaplan",
    N_c=constant("kaplan_ND_N_c"),
    D_c=constant("kaplan_ND_D_c"),
    alpha_N=constant("kaplan_ND_alpha_N"),
    alpha_D=constant("kaplan_ND_alpha_D"),
    N_e=constant("kaplan_N_e"),
    p_N=constant("kaplan_p_N"),
    source=SOURCES["kaplan_eq15"],
)
LAWS = {"chinchilla": CHINCHILLA, "besiroglu": BESIROGLU, "kaplan": KAPLAN}
"""The laws the CLI and the panel offer, by name."""

DEFAULT_LAW = "besiroglu"
"""The law every function uses when none is named.

Besiroglu et al. 2024 refit Hoffmann et al.'s Approach 3 on the paper's own data and got a law whose
compute-optimal point at Chinchilla's budget (5.76e23 FLOPs) is ~72B parameters and ~1.3T tokens,
~18 tokens per parameter: consistent with the 70B / 1.4T model Hoffmann et al. trained and with their
Approaches 1 and 2 (~20 tokens per parameter, Table 3). The printed Approach 3 fit (``chinchilla``, eq. 10)
puts the optimum at ~32B / ~3T (93 tokens per parameter) at the same budget, the inconsistency
Besiroglu et al. document, so it stays selectable but is not the default."""

LAW_DESCRIPTIONS = {
    "besiroglu": "default: Besiroglu et al. 2024 refit of Hoffmann et al.'s Approach 3 "
    "(~20 tokens/param at Chinchilla's budget, the field's compute-optimal point)",
    "chinchilla": "Hoffmann et al. 2022 Approach 3 as printed (eq. 10, rounded); its optimum (~93 tokens/param at "
    "5.76e23 FLOPs) disagrees with the paper's own 70B/1.4T model",
    "kaplan": "Kaplan et al. 2020 (non-embedding parameters, WebText2 loss; favours large models on few tokens)",
}
"""One line per law: what it is, for ``--help`` and the panel."""


def get_law(law: str | ParametricLaw | KaplanLaw) -> ParametricLaw | KaplanLaw:
    """A law by name ('chinchilla', 'besiroglu', 'kaplan') or the law itself (e.g. a fitted one)."""
    if isinstance(law, (ParametricLaw, KaplanLaw)):
        return law
    try:
        return LAWS[str(law).lower()]
    except KeyError:
        raise InputError(f"unknown scaling law {law!r}; use one of {', '.join(LAWS)}") from None


@V.checked(params=V.POSITIVE, tokens=V.POSITIVE)
def parametric_loss(params, tokens, law: str | ParametricLaw = DEFAULT_LAW):
    """Loss of a model of ``params`` parameters trained on ``tokens`` tokens: E + A/N^alpha + B/D^beta.

    References: Hoffmann et al. 2022, arXiv:2203.15556, eq. 2 with the eq. 10 constants
    ('chinchilla'); Besiroglu et al. 2024, arXiv:2404.10102, Table 1 ('besiroglu').
    """
    law = get_law(law)
    if not isinstance(law, ParametricLaw):
        raise InputError(f"the {law.name} law is not of the form E + A/N^alpha + B/D^beta; use kaplan_loss")
    require_positive(params=params, tokens=tokens)
    n, d = np.asarray(params, float), np.asarray(tokens, float)
    return law.E + law.A / n**law.alpha + law.B / d**law.beta


@V.checked(params=V.POSITIVE, tokens=V.POSITIVE, law=V.instance(KaplanLaw))
def kaplan_loss(params, tokens, law: KaplanLaw = KAPLAN):
    """Kaplan et al. 2020 joint law L(N, D) = ((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D.

    References: Kaplan et al. 2020, arXiv:2001.08361, eq. 1.5 (constants of the Sec. 4 fit:
    alpha_N 0.076, alpha_D 0.103, N_c 6.4e13, D_c 1.8e13). N is non-embedding parameters.
    """
    require_positive(params=params, tokens=tokens)
    n, d = np.asarray(params, float), np.asarray(tokens, float)
    return ((law.N_c / n) ** (law.alpha_N / law.alpha_D) + law.D_c / d) ** law.alpha_D


@V.checked(params=V.POSITIVE)
def kaplan_loss_params(params):
    """Kaplan et al. 2020 L(N) = (N_c / N)^alpha_N, data unlimited (arXiv:2001.08361, eq. 1.1)."""
    require_positive(params=params)
    return (constant("kaplan_N_c") / np.asarray(params, float)) ** constant("kaplan_alpha_N")


@V.checked(tokens=V.POSITIVE)
def kaplan_loss_tokens(tokens):
    """Kaplan et al. 2020 L(D) = (D_c / D)^alpha_D, model large enough (arXiv:2001.08361, eq. 1.2)."""
    require_positive(tokens=tokens)
    return (constant("kaplan_D_c") / np.asarray(tokens, float)) ** constant("kaplan_alpha_D")


@V.checked(compute_flops=V.POSITIVE)
def kaplan_loss_compute(compute_flops):
    """Kaplan et al. 2020 L(C_min) = (C_c^min / C_min)^alpha_C^min, C_min in PF-days (arXiv:2001.08361, eq. 1.3)."""
    require_positive(compute_flops=compute_flops)
    c_pf_days = np.asarray(compute_flops, float) / PF_DAY_FLOPS
    return (constant("kaplan_C_c_min") / c_pf_days) ** constant("kaplan_alpha_C_min")


@V.checked(params=V.POSITIVE, tokens=V.POSITIVE)
def loss(params, tokens, law: str | ParametricLaw | KaplanLaw = DEFAULT_LAW):
    """The loss a law predicts for ``params`` and ``tokens`` (dispatches to the law's own form).

    References: Hoffmann et al. 2022, eq. 2; Besiroglu et al. 2024, Table 1; Kaplan et al. 2020, eq. 1.5.
    """
    law = get_law(law)
    if isinstance(law, KaplanLaw):
        return kaplan_loss(params, tokens, law)
    return parametric_loss(params, tokens, law)


# --------------------------------------------------------------------------------------------
# Accounting
# --------------------------------------------------------------------------------------------
@V.checked(params=V.POSITIVE, tokens=V.POSITIVE, flops_per_param_token=V.POSITIVE)
def training_flops(params, tokens, flops_per_param_token=TRAINING_FLOPS_PER_PARAM_TOKEN):
    """Training compute C = 6 N D in FLOPs.

    References: Kaplan et al. 2020, arXiv:2001.08361, Sec. 2.1 (C ~ 6NBS); Hoffmann et al. 2022, Sec. 3.
    """
    require_positive(params=params, tokens=tokens, flops_per_param_token=flops_per_param_token)
    return flops_per_param_token * np.asarray(params, float) * np.asarray(tokens, float)


@V.checked(compute_flops=V.POSITIVE, params=V.POSITIVE, flops_per_param_token=V.POSITIVE)
def tokens_for_compute(compute_flops, params, flops_per_param_token=TRAINING_FLOPS_PER_PARAM_TOKEN):
    """Tokens a budget buys for a model of ``params`` parameters: D = C / (6 N) (Kaplan et al. 2020, Sec. 2.1)."""
    require_positive(compute_flops=compute_flops, params=params, flops_per_param_token=flops_per_param_token)
    return np.asarray(compute_flops, float) / (flops_per_param_token * np.asarray(params, float))


@V.checked(compute_flops=V.POSITIVE, tokens=V.POSITIVE, flops_per_param_token=V.POSITIVE)
def params_for_compute(compute_flops, tokens, flops_per_param_token=TRAINING_FLOPS_PER_PARAM_TOKEN):
    """Model size a budget buys for ``tokens`` tokens: N = C / (6 D) (Kaplan et al. 2020, Sec. 2.1)."""
    require_positive(compute_flops=compute_flops, tokens=tokens, flops_per_param_token=flops_per_param_token)
    return np.asarray(compute_flops, float) / (flops_per_param_token * np.asarray(tokens, float))


@V.checked(params=V.POSITIVE, n_layers=V.NON_NEGATIVE, context_tokens=V.NON_NEGATIVE, d_model=V.NON_NEGATIVE)
def training_flops_per_token(params, n_layers=0, context_tokens=0, d_model=0):
    """Training (model) FLOPs per token with the attention term: 6 N + 12 n_layer n_ctx d_model.

    This is the engine's count (:func:`suanli.models.flops.model_flops_per_token`, the PaLM
    convention); with the layer shape left at 0 it is the plain 6N of C = 6ND. The attention term
    matters when n_ctx is not small against d_model.

    References: Chowdhery et al. 2022, arXiv:2204.02311, App. B; Kaplan et al. 2020, Table 1.
    """
    from suanli.models.flops import model_flops_per_token

    require_positive(params=params)
    if np.any(np.asarray(n_layers, float) * np.asarray(context_tokens, float) * np.asarray(d_model, float) < 0):
        raise InputError("n_layers, context_tokens and d_model must not be negative")
    return model_flops_per_token(params, n_layers, context_tokens, d_model)


@V.checked(params=V.POSITIVE, n_layers=V.NON_NEGATIVE, context_tokens=V.NON_NEGATIVE, d_model=V.NON_NEGATIVE)
def inference_flops_per_token(params, n_layers=0, context_tokens=0, d_model=0):
    """Forward FLOPs per token: 2 N + 4 n_layer n_ctx d_model, a third of :func:`training_flops_per_token`.

    ~2N when the context term is small (Kaplan et al. 2020, arXiv:2001.08361, Table 1: C_forward
    ~ 2N + 2 n_layer n_ctx d_attn, whose attention term counts QK^T only; with the AV product it is 4).
    """
    return training_flops_per_token(params, n_layers, context_tokens, d_model) / 3.0


@V.checked(compute_flops=V.NON_NEGATIVE)
def flops_to_pf_days(compute_flops):
    """FLOPs to petaflop/s-days (1 PF-day = 1e15 x 86400 FLOPs; Brown et al. 2020, Table D.1)."""
    return np.asarray(compute_flops, float) / PF_DAY_FLOPS


@V.checked(pf_days=V.NON_NEGATIVE)
def pf_days_to_flops(pf_days):
    """Petaflop/s-days to FLOPs (Brown et al. 2020, Table D.1: 3,640 PF-days = 3.14e23 FLOPs)."""
    return np.asarray(pf_days, float) * PF_DAY_FLOPS


@V.checked(chip_count=V.POSITIVE)
def cluster_compute(chip_count, peak_flops_per_s, days, mfu=DEFAULT_MFU):
    """FLOPs a cluster delivers: count x peak FLOP/s x MFU x days x 86400.

    MFU (model FLOPs utilisation) is the fraction of peak that counts toward the 6ND model FLOPs
    (Chowdhery et al. 2022, arXiv:2204.02311, Sec. 4.1 and App. B).
    """
    require_positive(chip_count=chip_count, peak_flops_per_s=peak_flops_per_s, days=days, mfu=mfu)
    if np.any(np.asarray(mfu, float) > 1):
        raise InputError(f"mfu is a fraction of peak and must be at most 1, got {mfu!r}")
    return (
        np.asarray(chip_count, float)
        * np.asarray(peak_flops_per_s, float)
        * np.asarray(mfu, float)
        * np.asarray(days, float)
        * SECONDS_PER_DAY
    )


@V.checked(start_value=V.POSITIVE, end_value=V.POSITIVE, years=V.POSITIVE)
def cagr(start_value, end_value, years):
    """Compound annual growth rate (end/start)^(1/years) - 1.

    IDC & Inspur's China intelligent-computing figures, 155.2 EFLOPS (2021) to 1271.4 EFLOPS (2026),
    give 0.523 (52.3 % a year), the rate the report states.
    """
    require_positive(start_value=start_value, end_value=end_value, years=years)
    return (np.asarray(end_value, float) / np.asarray(start_value, float)) ** (1.0 / np.asarray(years, float)) - 1.0


@V.checked(annual_growth=V.POSITIVE)
def doubling_time(annual_growth):
    """Years to double at a compound annual growth rate g: ln 2 / ln(1 + g).

    References: compound growth, the doubling times of Sevilla et al. 2022, arXiv:2202.05924.
    """
    g = np.asarray(annual_growth, float)
    if np.any(~np.isfinite(g)) or np.any(g <= 0):
        raise InputError(f"annual_growth must be a positive rate (0.5 = 50 % a year), got {annual_growth!r}")
    return math.log(2.0) / np.log1p(g)


@V.checked(doubling_time_years=V.POSITIVE)
def annual_growth(doubling_time_years):
    """Compound annual growth rate of a quantity doubling every ``doubling_time_years``: 2^(1/T) - 1.

    Training compute doubling every ~6 months (Sevilla et al. 2022, arXiv:2202.05924) is 3x a year.
    """
    require_positive(doubling_time_years=doubling_time_years)
    return 2.0 ** (1.0 / np.asarray(doubling_time_years, float)) - 1.0


@V.checked(value=V.NON_NEGATIVE, annual_growth_rate=V.FINITE, years=V.NON_NEGATIVE)
def grow(value, annual_growth_rate, years):
    """``value`` compounded at ``annual_growth_rate`` for ``years``: value (1 + g)^years.

    References: compound growth, as in the growth projections of Sevilla et al. 2022, arXiv:2202.05924.
    """
    g = np.asarray(annual_growth_rate, float)
    if np.any(g <= -1):
        raise InputError(f"annual_growth_rate must be above -1, got {annual_growth_rate!r}")
    return np.asarray(value, float) * (1.0 + g) ** np.asarray(years, float)


# --------------------------------------------------------------------------------------------
# The compute-optimal frontier, derived with sympy
# --------------------------------------------------------------------------------------------
@cache
def derivation() -> dict:
    """The compute-optimal allocation of L = E + A/N^alpha + B/D^beta under C = k N D, derived by sympy.

    Returns sympy expressions: ``loss``, ``constraint``, ``n_opt``, ``d_opt``, ``loss_opt``,
    ``gamma`` (L_opt = E + K C^-gamma), ``K`` and ``compute_for_loss``, and ``symbols``.
    Cached: the derivation runs once per process (~0.3 s after sympy has loaded).

    References: Hoffmann et al. 2022, arXiv:2203.15556, eq. 4 (the closed form this reproduces).
    """
    import sympy as sp

    N, D, C, E, A, B, alpha, beta, k, L_target = sp.symbols("N D C E A B alpha beta k L_target", positive=True)
    loss_expr = E + A / N**alpha + B / D**beta
    constraint = sp.Eq(C, k * N * D)
    on_budget = loss_expr.subs(D, C / (k * N))
    (n_opt,) = sp.solve(sp.Eq(sp.diff(on_budget, N), 0), N)
    d_opt = sp.simplify(sp.powsimp(sp.expand_power_base(C / (k * n_opt), force=True), force=True))
    reducible = loss_expr.subs({N: n_opt, D: d_opt}) - E
    # On the frontier both terms fall as the same power of C; sympy finds the exponent and prefactor.
    gamma = sp.simplify(sp.expand_log(-C * sp.diff(sp.log(reducible), C), force=True))
    K = sp.simplify(sp.powsimp(sp.expand_power_base(reducible * C**gamma, force=True), force=True))
    return {
        "symbols": {
            "N": N,
            "D": D,
            "C": C,
            "E": E,
            "A": A,
            "B": B,
            "alpha": alpha,
            "beta": beta,
            "k": k,
            "L_target": L_target,
        },
        "loss": loss_expr,
        "constraint": constraint,
        "n_opt": n_opt,
        "d_opt": d_opt,
        "gamma": gamma,
        "K": K,
        "loss_opt": E + K * C ** (-gamma),
        "compute_for_loss": (K / (L_target - E)) ** (1 / gamma),
    }


def derivation_latex() -> dict[str, str]:
    """The derivation's results as LaTeX strings (for ``IPython.display.Math``)."""
    import sympy as sp

    d = derivation()
    s = d["symbols"]
    return {
        "loss": rf"L(N, D) = {sp.latex(d['loss'])}",
        "constraint": sp.latex(d["constraint"]),
        "n_opt": rf"N_{{opt}}(C) = {sp.latex(d['n_opt'])}",
        "d_opt": rf"D_{{opt}}(C) = {sp.latex(d['d_opt'])}",
        "loss_opt": rf"L_{{opt}}(C) = {sp.latex(s['E'])} + {sp.latex(d['K'])}\, C^{{-{sp.latex(d['gamma'])}}}",
        "compute_for_loss": rf"C(L) = {sp.latex(d['compute_for_loss'])}",
    }


@cache
def _frontier():
    """numpy functions lambdified from :func:`derivation` (cached; one call evaluates whole arrays)."""
    import sympy as sp

    d = derivation()
    s = d["symbols"]
    args = (s["C"], s["E"], s["A"], s["B"], s["alpha"], s["beta"], s["k"])
    inverse_args = (s["L_target"], s["E"], s["A"], s["B"], s["alpha"], s["beta"], s["k"])
    return {
        "n_opt": sp.lambdify(args, d["n_opt"], "numpy"),
        "d_opt": sp.lambdify(args, d["d_opt"], "numpy"),
        "loss_opt": sp.lambdify(args, d["loss_opt"], "numpy"),
        "compute_for_loss": sp.lambdify(inverse_args, d["compute_for_loss"], "numpy"),
    }


@dataclass(frozen=True)
class Allocation:
    """A model size and token count for a budget: what :func:`compute_optimal` and friends return.

    Fields are floats or numpy arrays (they follow the shape of the inputs).
    """

    law: str
    compute_flops: object
    params: object
    tokens: object
    loss: object

    @property
    def tokens_per_param(self):
        return np.asarray(self.tokens) / np.asarray(self.params)

    def as_dict(self) -> dict:
        return {
            "law": self.law,
            "compute_flops": self.compute_flops,
            "n_opt": self.params,
            "d_opt": self.tokens,
            "loss": self.loss,
            "tokens_per_param": self.tokens_per_param,
            "pf_days": flops_to_pf_days(self.compute_flops),
        }


def _scalar_or_array(x):
    arr = np.asarray(x, float)
    return float(arr) if arr.ndim == 0 else arr


@V.checked(compute_flops=V.POSITIVE, flops_per_param_token=V.POSITIVE)
def compute_optimal(
    compute_flops,
    law: str | ParametricLaw | KaplanLaw = DEFAULT_LAW,
    flops_per_param_token=TRAINING_FLOPS_PER_PARAM_TOKEN,
) -> Allocation:
    """The model size and token count that minimise the loss for a training budget.

    For the parametric laws the allocation is the sympy-derived closed form of :func:`derivation`:
    N_opt = G (C/k)^(beta/(alpha+beta)), D_opt = C / (k N_opt), G = (alpha A / (beta B))^(1/(alpha+beta)).
    For 'kaplan' it is N_opt = N_e (C/PF-day)^0.73 with D = C / (6 N) and the loss of eq. 1.5.

    References: Hoffmann et al. 2022, arXiv:2203.15556, eq. 4; Besiroglu et al. 2024, Table 1;
    Kaplan et al. 2020, arXiv:2001.08361, Sec. 6.1.
    """
    law = get_law(law)
    require_positive(compute_flops=compute_flops, flops_per_param_token=flops_per_param_token)
    c = np.asarray(compute_flops, float)
    if isinstance(law, KaplanLaw):
        n = law.N_e * (c / PF_DAY_FLOPS) ** law.p_N
        d = c / (flops_per_param_token * n)
        out_loss = kaplan_loss(n, d, law)
    else:
        f = _frontier()
        p = (law.E, law.A, law.B, law.alpha, law.beta, flops_per_param_token)
        n, d, out_loss = f["n_opt"](c, *p), f["d_opt"](c, *p), f["loss_opt"](c, *p)
    return Allocation(
        law.name, _scalar_or_array(c), _scalar_or_array(n), _scalar_or_array(d), _scalar_or_array(out_loss)
    )


@V.checked(compute_flops=V.POSITIVE)
def loss_for_compute(compute_flops, law: str | ParametricLaw | KaplanLaw = DEFAULT_LAW):
    """The lowest loss a training budget reaches, on the compute-optimal frontier (see :func:`compute_optimal`).

    References: as :func:`compute_optimal`: Hoffmann et al. 2022, arXiv:2203.15556, eq. 4; Besiroglu
    et al. 2024, Table 1; Kaplan et al. 2020, arXiv:2001.08361, Sec. 6.1 ('kaplan').
    """
    return compute_optimal(compute_flops, law).loss


@V.checked(target_loss=V.POSITIVE, flops_per_param_token=V.ONE_POSITIVE)
def compute_for_loss(
    target_loss,
    law: str | ParametricLaw | KaplanLaw = DEFAULT_LAW,
    flops_per_param_token=TRAINING_FLOPS_PER_PARAM_TOKEN,
):
    """The smallest training budget (FLOPs) that reaches ``target_loss`` with a compute-optimal model.

    Parametric laws: the sympy-derived inverse C(L) = (K / (L - E))^(1/gamma) of
    L_opt(C) = E + K C^-gamma, gamma = alpha beta / (alpha + beta). Kaplan: the root of
    L_opt(C) = target found by scipy (``scipy.optimize.elementwise.find_root``, vectorised) on log C.
    A target at or below the law's floor (E, or 0 for Kaplan) is unreachable: InputError.

    References: Hoffmann et al. 2022, eq. 4; Kaplan et al. 2020, eq. 1.5 and Sec. 6.1.
    """
    law = get_law(law)
    require_positive(target_loss=target_loss)
    target = np.asarray(target_loss, float)
    if isinstance(law, ParametricLaw):
        if np.any(target <= law.E):
            raise InputError(
                f"target loss {target_loss!r} is at or below the {law.name} law's irreducible loss E = {law.E}; no budget reaches it"
            )
        p = (law.E, law.A, law.B, law.alpha, law.beta, flops_per_param_token)
        return _scalar_or_array(_frontier()["compute_for_loss"](target, *p))
    from scipy.optimize.elementwise import find_root

    def frontier_loss(compute):
        return np.asarray(compute_optimal(compute, law, flops_per_param_token).loss, float)

    lo, hi = np.log(1e6), np.log(1e40)
    reachable = (frontier_loss(np.exp(hi)) < target) & (frontier_loss(np.exp(lo)) > target)
    if not np.all(reachable):
        raise InputError(
            f"target loss {target_loss!r} is outside what the {law.name} law reaches between 1e6 and 1e40 FLOPs"
        )
    res = find_root(
        lambda x, t: np.log(frontier_loss(np.exp(x))) - np.log(t),
        (np.full_like(target, lo), np.full_like(target, hi)),
        args=(target,),
    )
    return _scalar_or_array(np.exp(res.x))


@V.checked(chip_count=V.POSITIVE, peak_flops_per_s=V.POSITIVE, days=V.POSITIVE, mfu=V.EFFICIENCY)
def compute_optimal_for_cluster(
    chip_count, peak_flops_per_s, days, mfu=DEFAULT_MFU, law: str | ParametricLaw | KaplanLaw = DEFAULT_LAW
) -> Allocation:
    """The compute-optimal model for a cluster: count x peak x MFU x days x 86400 FLOPs, then :func:`compute_optimal`.

    References: Hoffmann et al. 2022, eq. 4 (allocation); Chowdhery et al. 2022, App. B (MFU).
    """
    return compute_optimal(cluster_compute(chip_count, peak_flops_per_s, days, mfu), law)


@V.checked(compute_flops=V.POSITIVE, flops_per_param_token=V.POSITIVE)
def power_law_allocation(
    compute_flops, approach: int = 1, flops_per_param_token=TRAINING_FLOPS_PER_PARAM_TOKEN
) -> Allocation:
    """Hoffmann et al.'s approach-1 or -2 power law N_opt = N_G (C / C_G)^a, D_opt = C / (6 N_opt).

    The exponent a is Table 2's (0.50 for approach 1, 0.49 for approach 2). The paper prints no
    prefactor; it is anchored where each approach places the Gopher budget C_G = 5.76e23 FLOPs:
    67B parameters for approach 1 (Table 3) and 63B for approach 2 (Fig. 3; marked an estimate in
    :data:`SOURCES`, not re-verified). ``loss`` is the
    Chinchilla law's prediction at that (N, D).

    References: Hoffmann et al. 2022, arXiv:2203.15556, Table 2, Table 3, Fig. 3.
    """
    if approach not in (1, 2):
        raise InputError(f"approach must be 1 or 2 (approach 3 is the parametric law), got {approach!r}")
    require_positive(compute_flops=compute_flops)
    c = np.asarray(compute_flops, float)
    a = constant(f"approach{approach}_a")
    n = constant(f"approach{approach}_params_at_gopher_budget") * (c / constant("gopher_budget_flops")) ** a
    d = c / (flops_per_param_token * n)
    return Allocation(
        f"approach{approach}",
        _scalar_or_array(c),
        _scalar_or_array(n),
        _scalar_or_array(d),
        _scalar_or_array(parametric_loss(n, d, CHINCHILLA)),
    )


# --------------------------------------------------------------------------------------------
# Inference-aware optimum (Sardana et al. 2023)
# --------------------------------------------------------------------------------------------
@cache
def _inference_aware():
    """d(total FLOPs)/d(log N) at fixed loss, derived with sympy and lambdified (cached)."""
    import sympy as sp

    s = derivation()["symbols"]
    N, E, A, B, alpha, beta, k, L_target = (s[x] for x in ("N", "E", "A", "B", "alpha", "beta", "k", "L_target"))
    D_inf, k_inf = sp.symbols("D_inf k_inf", positive=True)
    (d_train,) = sp.solve(sp.Eq(E + A / N**alpha + B / s["D"] ** beta, L_target), s["D"])
    total = k * N * d_train + k_inf * N * D_inf
    slope = sp.diff(total, N) * N  # d total / d log N
    args = (N, L_target, E, A, B, alpha, beta, k, k_inf, D_inf)
    return sp.lambdify(args, d_train, "numpy"), sp.lambdify(args, slope, "numpy")


@V.checked(
    target_loss=V.POSITIVE,
    inference_tokens=V.NON_NEGATIVE,
    flops_per_param_token=V.ONE_POSITIVE,
    inference_flops_per_param_token=V.ONE_POSITIVE,
)
def inference_aware_optimum(
    target_loss,
    inference_tokens,
    law: str | ParametricLaw = DEFAULT_LAW,
    flops_per_param_token=TRAINING_FLOPS_PER_PARAM_TOKEN,
    inference_flops_per_param_token=INFERENCE_FLOPS_PER_PARAM_TOKEN,
) -> dict:
    """The model that reaches ``target_loss`` with the least lifetime compute, training plus inference.

    Minimises 6 N D_tr + 2 N D_inf subject to L(N, D_tr) = target (Sardana et al. 2023). With a large
    lifetime inference demand D_inf the optimum moves to a smaller model trained on more tokens.
    The stationary point is found with scipy (``scipy.optimize.elementwise.find_root`` on log N,
    vectorised); D_tr(N) and the derivative are derived by sympy. With ``inference_tokens = 0`` it
    is the compute-optimal (Chinchilla) model for that loss.

    Returns a dict of arrays: params, tokens (training), training_flops, inference_flops,
    total_flops, and the Chinchilla-optimal model for the same loss with its lifetime FLOPs
    (chinchilla_params, chinchilla_tokens, chinchilla_total_flops) and the saving.

    References: Sardana, Portes, Doubov, Frankle 2023, arXiv:2401.00448, Sec. 2, eq. 2.
    """
    law = get_law(law)
    if not isinstance(law, ParametricLaw):
        raise InputError(
            "the inference-aware optimum needs a law of the form E + A/N^alpha + B/D^beta (chinchilla or besiroglu)"
        )
    require_positive(target_loss=target_loss)
    d_inf = np.asarray(inference_tokens, float)
    if np.any(~np.isfinite(d_inf)) or np.any(d_inf < 0):
        raise InputError(f"inference_tokens must be zero or positive, got {inference_tokens!r}")
    target = np.asarray(target_loss, float)
    if np.any(target <= law.E):
        raise InputError(
            f"target loss {target_loss!r} is at or below the {law.name} law's irreducible loss E = {law.E}; no model reaches it"
        )
    from scipy.optimize.elementwise import find_root

    d_train_of, slope_of = _inference_aware()
    p = (law.E, law.A, law.B, law.alpha, law.beta, flops_per_param_token, inference_flops_per_param_token)
    target, d_inf = np.broadcast_arrays(target, d_inf)
    # Below N_min = (A / (L - E))^(1/alpha) no amount of data reaches the target.
    log_n_min = np.log(law.A / (target - law.E)) / law.alpha
    lo, hi = log_n_min + 1e-9, log_n_min + 60.0
    res = find_root(lambda x, t, di: slope_of(np.exp(x), t, *p, di), (lo, hi), args=(target, d_inf))
    n = np.exp(res.x)
    d = d_train_of(n, target, *p, d_inf)
    train = flops_per_param_token * n * d
    infer = inference_flops_per_param_token * n * d_inf
    chin_c = compute_for_loss(target, law, flops_per_param_token)
    chin = compute_optimal(chin_c, law, flops_per_param_token)
    chin_total = np.asarray(chin_c) + inference_flops_per_param_token * np.asarray(chin.params) * d_inf
    out = {
        "law": law.name,
        "target_loss": target,
        "inference_tokens": d_inf,
        "params": n,
        "tokens": d,
        "tokens_per_param": d / n,
        "training_flops": train,
        "inference_flops": infer,
        "total_flops": train + infer,
        "chinchilla_params": chin.params,
        "chinchilla_tokens": chin.tokens,
        "chinchilla_total_flops": chin_total,
        "saving_fraction": 1.0 - (train + infer) / chin_total,
    }
    return {k: _scalar_or_array(v) if k != "law" else v for k, v in out.items()}
