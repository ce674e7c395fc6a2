"""A chip's sustained training efficiency from the evidence about it: a central value and a range.

Evidence comes in kinds of different weight (an independent measurement counts more than a vendor's own
figure) and in two metrics: a GEMM share of the chip's peak, or a training throughput ratio to an A100 on
the same job, turned into the GEMM share that reproduces it. The rules:

1. A GEMM share that is not independent is capped at ``cap``, the median independently measured share of
   mature GPUs (a vendor can calibrate its "peak" to its own GEMM result).
2. With at least one measured item (independent, vendor-run in a public harness, or transferred from the
   same silicon) the central value is the weighted geometric mean of all items and the range spans them.
3. With vendor, press or estimate items only, the central value is further multiplied by ``survival``:
   how much of a vendor's GEMM figure survived a training measurement on the chips that have both; the
   range runs from the lowest such survival to the highest figure claimed.

References: [1] BAAI FlagPerf (github.com/FlagOpen/FlagPerf): GEMM and training cases with vendor-run
submissions beside reference runs, the source of most evidence here. [2] GRADE Working Group, Guyatt et al.
2008, 'GRADE: an emerging consensus on rating quality of evidence', BMJ 336:924 (evidence graded by how it
was obtained, lower grades for indirect and self-reported evidence): the idea behind the weights, whose
values are suanli's estimate.
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V
from suanli.errors import InputError

KIND_WEIGHT = {"independent": 1.0, "vendor_harness": 0.5, "transfer": 0.5, "vendor": 0.2, "press": 0.2, "estimate": 0.1}
"""Weight of each kind of evidence (suanli's estimate, after GRADE's ordering: direct independent > indirect > self-reported)."""

MEASURED_KINDS = ("independent", "vendor_harness", "transfer")
"""Kinds that count as a measurement: one of them lifts the vendor-only discount."""


@V.checked(
    ratio_vs_reference=V.POSITIVE,
    reference_share=V.POSITIVE,
    reference_peak_tflops=V.POSITIVE,
    peak_tflops=V.POSITIVE,
    stack_factor=V.POSITIVE,
)
def implied_gemm_share(ratio_vs_reference, reference_share, reference_peak_tflops, peak_tflops, stack_factor=1.0):
    """The GEMM share at which a compute-bound step reproduces a measured throughput ratio to a reference chip.

    share = ratio x reference_share x reference_peak / (peak x stack_factor): the chip's sustained GEMM rate
    must be ``ratio`` times the reference's, and the engine multiplies the share by the chip's software-stack
    factor. Memory-bound and communication time are ignored (1x8 jobs of 7-8B models are GEMM-dominated).

    References
    ----------
    [1] Williams, Waterman & Patterson 2009, 'Roofline', CACM 52(4) (compute-bound regime). [2] Chowdhery et al.
    2022 (PaLM) App. B: throughput = MFU x peak / FLOPs per token, so equal jobs compare by MFU x peak.
    """
    for name, v in (
        ("ratio", ratio_vs_reference),
        ("reference share", reference_share),
        ("reference peak", reference_peak_tflops),
        ("peak", peak_tflops),
        ("stack factor", stack_factor),
    ):
        if not np.all(np.asarray(v, dtype=float) > 0):
            raise InputError(f"{name} must be positive, got {v!r}")
    return (
        np.asarray(ratio_vs_reference, dtype=float)
        * reference_share
        * reference_peak_tflops
        / (np.asarray(peak_tflops, dtype=float) * stack_factor)
    )


@V.checked(
    aligned=False,
    values=V.POSITIVE,
    kinds=V.sequence,
    cap=V.ONE_POSITIVE,
    survival=V.POSITIVE,
    gemm=V.optional(V.sequence),
    ceiling=V.ONE_POSITIVE,
)
def derive_efficiency(values, kinds, *, cap, survival=(1.0,), gemm=None, ceiling=1.0):
    """Central value, low and high of a chip's GEMM share from its evidence, and the rule applied.

    Parameters
    ----------
    values : sequence of float
        Each item as a GEMM share (training ratios already turned into shares, :func:`implied_gemm_share`).
    kinds : sequence of str
        Each item's kind (keys of :data:`KIND_WEIGHT`).
    cap : float
        Rule 1's cap on non-independent GEMM shares.
    survival : sequence of float
        Rule 3's survival ratios (training-implied share / vendor GEMM share) of the chips that have both.
    gemm : sequence of bool, optional
        Which items are GEMM shares (rule 1 caps only those); default all.
    ceiling : float
        No share above this (1: a peak is a peak).

    Returns
    -------
    dict with ``central``, ``low``, ``high``, ``rule`` (one sentence) and ``capped`` (the values after rule 1).

    References
    ----------
    [1] Guyatt et al. 2008, 'GRADE', BMJ 336:924 (grading evidence by how it was obtained). [2] BAAI FlagPerf.
    """
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        raise InputError("no evidence to derive an efficiency from")
    if len(kinds) != v.size or any(k not in KIND_WEIGHT for k in kinds):
        raise InputError(f"each evidence item needs a kind among {', '.join(KIND_WEIGHT)}")
    is_gemm = np.ones(v.size, dtype=bool) if gemm is None else np.asarray(gemm, dtype=bool)
    w = np.array([KIND_WEIGHT[k] for k in kinds])
    capped = np.where(is_gemm & np.array([k != "independent" for k in kinds]), np.minimum(v, cap), v)
    capped = np.minimum(capped, ceiling)
    central = float(np.exp(np.sum(w * np.log(capped)) / np.sum(w)))
    measured = any(k in MEASURED_KINDS for k in kinds)
    if measured:
        low, high = float(np.min(capped)), float(min(np.max(v), ceiling))
        rule = (
            "weighted geometric mean of the evidence (independent 1, vendor-run in a public harness 0.5, "
            "vendor/press 0.2, estimate 0.1), vendor GEMM shares capped at the independent median "
            f"{cap:.3f}; range over the evidence"
        )
        if len(kinds) == 1:  # one measurement: the spread of repeated GEMM sweeps and library versions, +-15%
            low, high = central * 0.85, min(central * 1.15, ceiling)
            rule = "a single independent measurement; range +-15% around it (library versions and GEMM shapes)"
    else:
        s = np.asarray(survival, dtype=float)
        med = float(np.median(s))
        central = central * med
        low = float(np.min(capped)) * float(np.min(s))
        high = float(min(np.max(v), ceiling))
        rule = (
            f"no measurement: the claimed/estimated share, capped at {cap:.3f}, times {med:.2f} (the median share "
            "of a vendor's GEMM figure that survived a training measurement on the chips that have both); wide range"
        )
    low, high = min(low, central), max(high, central)
    return {"central": central, "low": low, "high": high, "rule": rule, "capped": capped.tolist(), "measured": measured}
