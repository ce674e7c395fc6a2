"""Step-time backtest: the engine against published iteration times of FIXED layouts.

The rows (``suanli/data/step_benchmarks.csv``) are steady-state steps only: Korthikanti et al. 2022
Table 5 (Megatron-LM, A100, 22B to 1T), Narayanan et al. 2021 Table 1, Smith et al. 2022 (MT-NLG),
BLOOM, MegaScale Table 2, Llama 3 Table 4, MLPerf Training GPT-3. Each row names its training
framework (:mod:`suanli.frameworks`), so the engine runs the stack that produced the number.

:func:`calibrate` fits the one step-time constant, the stack's kernel efficiency
(:data:`suanli.models.defaults.STACK_EFFICIENCY`), as the value that zeroes the median log error over
the rows; :func:`leave_one_paper_out` refits it without each paper's rows and predicts them, the
honest error on data the fit did not see. Whole-run losses (evaluation, failures, stalls) are not in
these rows and not in this constant.
"""

from __future__ import annotations

import csv
import math
from importlib import resources
from typing import Any

import numpy as np

from suanli.errors import InputError, SuanliError
from suanli.scenarios._checks import mapping
from suanli.scenarios._checks import rows as checked_rows
from suanli.validate import POSITIVE, TEXT, array, checked, number

TIME_METRICS = ("iteration_time_s", "timed_region_minutes")
UTIL_METRICS = ("mfu", "hfu")
GRID = np.round(np.arange(0.50, 1.0001, 0.01), 3)
"""Kernel efficiencies :func:`calibrate` tries."""


def load_rows() -> list[dict[str, Any]]:
    """The bundled fixed-layout rows, numbers parsed (blank -> None)."""
    with resources.files("suanli.data").joinpath("step_benchmarks.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ints = (
        "layers",
        "hidden",
        "heads",
        "kv_heads",
        "ffn",
        "vocab",
        "seq",
        "count",
        "tp",
        "pp",
        "dp",
        "cp",
        "micro_batch",
        "global_batch",
        "interleave",
        "zero",
        "sequence_parallel",
    )
    for r in rows:
        for k in ints:
            r[k] = int(float(r[k])) if r.get(k) else None
        for k in ("tokens", "reported"):
            r[k] = float(r[k]) if r.get(k) else None
        r["recompute"] = r.get("recompute") or None
        r["model"] = r.get("model") or None
    return rows


ROW_KEYS = (
    *("model", "tokens", "chip", "count", "precision", "framework", "global_batch", "tp", "pp", "dp", "cp"),
    *("micro_batch", "interleave", "recompute", "zero", "sequence_parallel", "metric"),
    *("layers", "hidden", "heads", "kv_heads", "ffn", "vocab", "seq"),
)
"""The keys :func:`predict` reads from a row (the columns of the bundled ``step_benchmarks.csv``)."""
METRICS = ("iteration_time_s", "timed_region_minutes", "mfu", "hfu")


def predict(row: dict[str, Any], *, stack_efficiency: float | None = None, catalog=None):
    """The engine's estimate for one row's fixed layout and the value comparable with ``row['reported']``."""
    from suanli.scenarios.training import estimate

    mapping("row", row, ROW_KEYS)
    if row["metric"] not in METRICS:
        raise InputError(f"row['metric'] must be one of {', '.join(METRICS)}, got {row['metric']!r}")
    if stack_efficiency is not None:
        number("stack_efficiency", stack_efficiency)  # one run, one value (evaluate() takes arrays)
    shape = {k: row[k] for k in ("layers", "hidden", "heads", "kv_heads", "ffn", "vocab", "seq") if row[k]}
    est = estimate(
        row["model"],
        tokens=row["tokens"] or 1e12,
        chip=row["chip"],
        count=row["count"],
        precision=row["precision"],
        framework=row["framework"],
        global_batch=row["global_batch"],
        tp=row["tp"],
        pp=row["pp"],
        dp=row["dp"],
        cp=row["cp"],
        micro_batch=row["micro_batch"],
        interleave=row["interleave"],
        recompute=row["recompute"],
        zero=row["zero"],
        sequence_parallel=bool(row["sequence_parallel"]) if row["sequence_parallel"] is not None else None,
        stack_efficiency=stack_efficiency,
        uneven_pipeline=True,
        runners_up=0,
        catalog=catalog,
        **shape,
    )
    value = {
        "iteration_time_s": est.step_time_s,
        "timed_region_minutes": (row["tokens"] or 0.0) / est.tokens_per_s / 60.0,
        "mfu": est.mfu,
        "hfu": est.hfu,
    }[row["metric"]]
    return est, value


@checked(metric=TEXT, predicted=POSITIVE, reported=POSITIVE)
def error(metric: str, predicted: float, reported: float) -> float:
    """Signed time error: predicted/reported - 1 for times, reported/predicted - 1 for utilisations."""
    return reported / predicted - 1.0 if metric in UTIL_METRICS else predicted / reported - 1.0


def run(
    *, stack_efficiency: float | None = None, rows: list[dict[str, Any]] | None = None, catalog=None
) -> list[dict[str, Any]]:
    """Every row with its prediction and signed error (rows the catalog cannot run carry ``skipped``)."""
    out = []
    if rows is not None:
        rows = checked_rows("rows", rows, ("id", "paper", "reported", *ROW_KEYS))
    for row in rows if rows is not None else load_rows():
        try:
            est, value = predict(row, stack_efficiency=stack_efficiency, catalog=catalog)
        except SuanliError as err:
            out.append({"id": row["id"], "paper": row["paper"], "skipped": str(err)})
            continue
        out.append(
            {
                "id": row["id"],
                "paper": row["paper"],
                "framework": row["framework"],
                "chip": row["chip"],
                "metric": row["metric"],
                "reported": row["reported"],
                "predicted": value,
                "error": error(row["metric"], value, row["reported"]),
                "layout": est.summary()["layout"],
                "mfu": est.mfu,
            }
        )
    return out


def _matrix(rows, catalog=None) -> tuple[list[dict[str, Any]], np.ndarray]:
    """log(1 + error) of every runnable row (rows) at every kernel efficiency of :data:`GRID` (columns)."""
    cols, keep = [], None
    for c in GRID:
        res = [r for r in run(stack_efficiency=float(c), rows=rows, catalog=catalog) if "error" in r]
        keep = res if keep is None else keep
        cols.append([math.log1p(r["error"]) for r in res])
    return keep or [], np.array(cols).T


def median_zero_crossing(mat: np.ndarray, grid: np.ndarray = GRID) -> float:
    """The value on ``grid`` (one per column of ``mat``) at which the median log error of the rows crosses zero,
    by linear interpolation between the grid points around the sign change; the grid's end when it never does.

    Used by both calibrations (kernel efficiencies here, the run-level residual in :mod:`suanli.scenarios.backtest`):
    a median fit, so one outlying row moves it by at most one rank (Huber 1981, 'Robust Statistics', ch. 3).
    """
    mat = array("mat", mat)
    grid = array("grid", grid)
    if mat.ndim != 2 or grid.ndim != 1 or grid.size < 2 or mat.shape[1] != grid.size or not mat.shape[0]:
        raise InputError(
            f"mat must be rows x grid points and grid one value per column, got shapes {mat.shape} and {grid.shape}"
        )
    med = np.median(mat, axis=0)
    if med[0] <= 0:
        return float(grid[0])
    if med[-1] >= 0:
        return float(grid[-1])
    j = int(np.argmax(med < 0))
    return float(grid[j - 1] + (grid[j] - grid[j - 1]) * med[j - 1] / (med[j - 1] - med[j]))


SEPARATE = ("llm-foundry", "deepspeed")
"""Frameworks whose kernel efficiency is fitted on their own rows (``kernel_efficiency`` in their profile):
PyTorch FSDP stacks run the GEMMs through plain cuBLAS/autocast without Transformer Engine's fused
kernels, and the MosaicML table shows it (MFU 37-46% on H100 where Megatron-class stacks reach 40-55%);
Megatron-DeepSpeed as used for MT-NLG 530B (Smith et al. 2022: 113-126 TFLOP/s per A100) and BLOOM 176B
(BigScience 2022: 150 TFLOP/s) ran 10-20% slower than the same layouts under Megatron-LM."""

NOT_FITTED = {
    "llama3-405b-16384-cp16": "at 131,072 tokens the attention core is more than half of the model FLOPs, and the "
    "Llama 3 report does not say whether its MFU counts causal attention at half; suanli counts it in full "
    "(Chowdhery et al. 2022, App. B), so the row is reported but kept out of the fit",
}
"""Rows reported with their error but kept out of the fit, each with the reason."""

FACTOR_GRID = np.round(np.arange(0.50, 1.2001, 0.0025), 4)
"""Stack values and generation factors the joint fit tries (fine, as only interpolation is needed)."""


def _joint_fit(
    mat: np.ndarray, groups: list[str], families: list[str], use: np.ndarray, factors: tuple[str, ...]
) -> tuple[dict[str, float], dict[str, float]]:
    """Stack values (one per group) and generation factors (one per family in ``factors``) that zero the median
    log error of their rows, where a row runs at kernel efficiency value x factor.

    Alternating medians: each stack value on its rows with the factors fixed, then each factor on its family's
    rows with the values fixed, until neither moves by 1e-5 (at most 40 rounds). Rows outside ``use`` take no part.
    """
    values = {g: 0.9 for g in set(groups)}
    fac = {f: 1.0 for f in factors}

    def root(rows, scale_of):
        """The x on FACTOR_GRID where the median over ``rows`` of log error at efficiency scale_of(row) x x is 0."""
        curves = np.array(
            [np.interp(np.clip(scale_of(i) * FACTOR_GRID, GRID[0], GRID[-1]), GRID, mat[i]) for i in rows]
        )
        return median_zero_crossing(curves, FACTOR_GRID)

    for _ in range(40):
        before = (dict(values), dict(fac))
        for g in values:
            rows = [i for i in range(len(groups)) if use[i] and groups[i] == g]
            if rows:
                values[g] = root(rows, lambda i: fac.get(families[i], 1.0))
        for f in fac:
            rows = [i for i in range(len(groups)) if use[i] and families[i] == f]
            if rows:
                fac[f] = root(rows, lambda i: values[groups[i]])
        if all(abs(values[g] - before[0][g]) < 1e-5 for g in values) and all(
            abs(fac[f] - before[1][f]) < 1e-5 for f in fac
        ):
            break
    return values, fac


def _family(chip_id: str, catalog=None) -> str:
    """The catalog's family of a chip (Ampere, Hopper, ...), or the id when the catalog lacks it."""
    from suanli.catalog import load_catalog

    try:
        return (catalog or load_catalog()).accelerator(chip_id).family or chip_id
    except Exception:  # noqa: BLE001 - a chip the catalog lacks is grouped under its id
        return chip_id


def calibrate(rows=None, catalog=None) -> dict[str, Any]:
    """The kernel efficiencies (shared, per separate framework) and chip-generation factors that zero the median
    log step-time error, with leave-one-paper-out errors.

    A row runs at kernel efficiency = its stack's value (:data:`suanli.models.defaults.STACK_EFFICIENCY`, or its
    framework's own value for :data:`SEPARATE` frameworks) x its chip generation's factor
    (:data:`suanli.models.defaults.GENERATION_KERNEL_FACTOR`; 1 for Ampere and the chips anchored to it). The
    values and factors are fitted jointly (:func:`_joint_fit`); each paper's rows are then predicted from a fit
    made without them. Returns ``stack_efficiency``, ``framework_efficiency``, ``generation_factor``, ``rows``
    (id, paper, framework, family, the in-sample and held-out errors) and ``summary``.
    """
    from suanli.models import defaults as D

    rows = load_rows() if rows is None else rows
    kept, mat = _matrix(rows, catalog)
    groups = [r["framework"] if r["framework"] in SEPARATE else "shared" for r in kept]
    families = [_family(r["chip"], catalog) for r in kept]
    fitted_families = tuple(D.GENERATION_KERNEL_FACTOR)
    use = np.array([r["id"] not in NOT_FITTED for r in kept], dtype=bool)
    values, fac = _joint_fit(mat, groups, families, use, fitted_families)

    def err(i, vals, facs):
        e = vals.get(groups[i], values[groups[i]]) * facs.get(families[i], 1.0)
        return math.expm1(float(np.interp(e, GRID, mat[i])))

    out = []
    for paper in sorted({r["paper"] for r in kept}):
        held = np.array([r["paper"] == paper for r in kept])
        v_lo, f_lo = _joint_fit(mat, groups, families, use & ~held, fitted_families)
        for i in np.flatnonzero(held):
            r = kept[i]
            if not np.any(use & ~held & (np.array(groups) == groups[i])):
                # the paper is the only source of its stack's value: hold out the row alone instead
                alone = np.zeros_like(held)
                alone[i] = True
                v_lo, f_lo = _joint_fit(mat, groups, families, use & ~alone, fitted_families)
            out.append(
                {
                    **{k: r[k] for k in ("id", "paper", "framework", "metric", "reported")},
                    "family": families[i],
                    "error": err(i, values, fac),
                    "loo_fit": v_lo.get(groups[i], values[groups[i]]) * f_lo.get(families[i], 1.0),
                    "loo_error": err(i, v_lo, f_lo),
                    "fitted": bool(use[i]),
                }
            )
    order = {r["id"]: k for k, r in enumerate(kept)}
    out.sort(key=lambda r: order[r["id"]])
    return {
        "stack_efficiency": values.get("shared", float("nan")),
        "framework_efficiency": {g: v for g, v in sorted(values.items()) if g != "shared"},
        "generation_factor": fac,
        "rows": out,
        "papers": sorted({r["paper"] for r in kept}),
        "summary": summarise(out),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean, median and largest absolute error in sample and leave-one-paper-out, overall, by paper and by framework."""
    rows = checked_rows("rows", rows, ("error", "loo_error", "paper", "framework", "family"))
    if not rows:
        raise InputError("rows must hold at least one row to summarise")

    def stats(sub):
        e = np.abs([r["error"] for r in sub])
        lo = np.abs([r["loo_error"] for r in sub])
        return {
            "rows": len(sub),
            "mean_abs": float(e.mean()),
            "median_abs": float(np.median(e)),
            "max_abs": float(e.max()),
            "loo_mean_abs": float(lo.mean()),
            "loo_median_abs": float(np.median(lo)),
            "loo_max_abs": float(lo.max()),
        }

    out = {"all": stats(rows)}
    for key in ("paper", "framework", "family"):
        for val in sorted({r[key] for r in rows}):
            out[f"{key}:{val}"] = stats([r for r in rows if r[key] == val])
    return out
