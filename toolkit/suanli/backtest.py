"""Backtest: the engine against public training runs, with its documented defaults and no per-run tuning.

The runs live in ``suanli/data/training_runs.csv`` (curated from ``shared/reference/training_runs.csv``;
every row names its source and quotes it). Each row has one ``metric``:

- ``accelerator_hours`` of a full run (the engine searches the layout),
- ``iteration_time_s`` or ``wall_minutes`` of a benchmark (the reported layout is fixed where known),
- ``mfu`` or ``hfu`` reported for a fixed layout (Megatron's TFLOP/s count recomputation: HFU).

The error of a row is expressed as a time error, predicted / reported - 1 (for utilisation metrics
reported / predicted - 1, since time goes as one over utilisation). A row whose chip is not in the
catalog is listed as skipped, not dropped silently.

Rows of the reference file left out, and why (:data:`EXCLUDED`):
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from suanli.errors import SuanliError

EXCLUDED = {
    "gopher-280b": "TPU v3 is not in the catalog (and its 920 h include development pauses)",
    "chinchilla-70b": "no chip count or wall time published",
    "opt-175b": "token count ambiguous (180B-token corpus vs a 300B-token schedule); GPU-hours are a third-party estimate",
    "mtnlg-530b full run": "wall time / GPU-hours of the full run not published (the iteration-time rows are used instead)",
    "llama3-8b, llama3-70b": "GPU count not reported and the model card's hours cover more than the main pre-training run",
    "megascale-production-run": "no model size, token count or timing",
    "pangu-alpha-200b, pangu-sigma-1.085t, ernie3-titan-260b": "wall time or token count not published",
    "pangu-ultra-moe-718b": "expert shape and NPU variant not published; its MFU is inconsistent with the 910B peak (see reference notes)",
    "yuan-1.0-245b": "wall time not published; efficiency figure of unclear definition",
    "ling-plus-290b, iflytek-spark-ascend": "device SKUs and counts not published",
    "olmo / mistral LCA rows": "energy/carbon only, no time",
    "mlperf v3.1 azure / gaudi2 fp8 / tpu v5e": "duplicates of kept rows or chips/precisions not yet in the catalog",
    "seed and vendor claims": "press statements, not measurements",
}
__doc__ += "".join(f"\n- {k}: {v}" for k, v in EXCLUDED.items()) + "\n"

TIME_METRICS = ("accelerator_hours", "iteration_time_s", "wall_minutes")
UTIL_METRICS = ("mfu", "hfu")


def load_runs() -> list[dict[str, Any]]:
    """The bundled backtest rows, numbers parsed (blank -> None)."""
    with resources.files("suanli.data").joinpath("training_runs.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ints = ("count", "global_batch", "tp", "pp", "dp", "micro_batch")
    floats = ("tokens", "reported", "reported_mfu", "reported_hfu")
    for r in rows:
        for k in ints:
            r[k] = int(float(r[k])) if r.get(k) else None
        for k in floats:
            r[k] = float(r[k]) if r.get(k) else None
        r["recompute"] = r.get("recompute") or None
    return rows


def predict(row: dict[str, Any], *, stack_efficiency: float | None = None, catalog=None):
    """The engine's estimate for one backtest row and the value comparable with ``row['reported']``."""
    from suanli.engine import estimate

    est = estimate(row["model"], tokens=row["tokens"], chip=row["chip"], count=row["count"], precision=row["precision"],
                   global_batch=row["global_batch"], tp=row["tp"], pp=row["pp"], dp=row["dp"],
                   micro_batch=row["micro_batch"], recompute=row["recompute"], stack_efficiency=stack_efficiency,
                   uneven_pipeline=True, runners_up=0, catalog=catalog,
                   run_kind="production" if row["record_type"] == "full_run" else "benchmark",
                   framework=row.get("framework") or None)
    metric = row["metric"]
    value = {
        "accelerator_hours": est.accelerator_hours,
        "iteration_time_s": est.step_time_s,
        "wall_minutes": est.train_days * 1440.0,
        "mfu": est.mfu,
        "hfu": est.hfu,
    }[metric]
    return est, value


def time_error(metric: str, predicted: float, reported: float) -> float:
    """Signed time error: predicted/reported - 1 for times, reported/predicted - 1 for utilisations."""
    if metric in UTIL_METRICS:
        return reported / predicted - 1.0
    return predicted / reported - 1.0


@dataclass
class BacktestResult:
    """Rows with predicted vs reported values and errors, plus summary statistics."""

    rows: list[dict[str, Any]]
    skipped: list[dict[str, Any]] = field(default_factory=list)
    loo: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> np.ndarray:
        return np.array([r["error"] for r in self.rows], dtype=float)

    def summary(self) -> dict[str, Any]:
        err = np.abs(self.errors)
        if err.size == 0:
            return {"rows": 0}
        worst = self.rows[int(np.argmax(err))]
        ratio = np.array([1.0 + r["error"] for r in self.rows])
        out = {
            "rows": len(self.rows),
            "skipped": len(self.skipped),
            "median_abs_error": float(np.median(err)),
            "mean_abs_error": float(np.mean(err)),
            "worst_row": worst["id"],
            "worst_error": float(worst["error"]),
            "within_2x": bool(np.all((ratio <= 2.0) & (ratio >= 0.5))),
            "share_within_15pct": float(np.mean(err <= 0.15)),
        }
        out.update(self.loo)
        return out

    def frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows)


def run(*, stack_efficiency: float | None = None, catalog=None, rows: list[dict[str, Any]] | None = None,
        leave_one_out: bool = False) -> BacktestResult:
    """Run the engine over every bundled row; optionally add the leave-one-out error of the calibration."""
    from suanli.engine import _catalog

    cat = _catalog(catalog)
    out, skipped = [], []
    for row in rows if rows is not None else load_runs():
        if cat is not None and row["chip"] not in cat.accelerators:
            skipped.append({"id": row["id"], "reason": f"chip {row['chip']!r} not in the catalog"})
            continue
        try:
            est, value = predict(row, stack_efficiency=stack_efficiency, catalog=cat)
        except SuanliError as err:
            skipped.append({"id": row["id"], "reason": str(err)})
            continue
        rec = {
            "id": row["id"], "model": row["model"], "chip": row["chip"], "count": row["count"],
            "metric": row["metric"], "reported": row["reported"], "predicted": value,
            "error": time_error(row["metric"], value, row["reported"]),
            "reported_mfu": row["reported_mfu"], "predicted_mfu": est.mfu, "predicted_hfu": est.hfu,
            "layout": est.summary()["layout"], "count_basis": row["count_basis"], "source": row["source"],
        }
        out.append(rec)
    result = BacktestResult(out, skipped)
    if leave_one_out:
        result.loo = leave_one_out_errors(catalog=cat)
    return result


CALIBRATION_GRID = np.round(np.arange(0.50, 1.0001, 0.025), 3)


def _error_matrix(catalog=None) -> tuple[list[str], np.ndarray]:
    """log(1 + time error) of every runnable row at every stack efficiency of :data:`CALIBRATION_GRID`."""
    ids, cols = None, []
    for c in CALIBRATION_GRID:
        res = run(stack_efficiency=float(c), catalog=catalog)
        ids = [r["id"] for r in res.rows]
        cols.append(np.log1p(res.errors))
    return ids or [], np.array(cols).T


def _root(log_err_by_c: np.ndarray) -> float:
    """Stack efficiency at which the median log error crosses zero (linear interpolation on the grid)."""
    med = np.median(log_err_by_c, axis=0)  # decreasing in c: more efficient stack, shorter times
    if med[0] <= 0:
        return float(CALIBRATION_GRID[0])
    if med[-1] >= 0:
        return float(CALIBRATION_GRID[-1])
    j = int(np.argmax(med < 0))
    c0, c1, m0, m1 = CALIBRATION_GRID[j - 1], CALIBRATION_GRID[j], med[j - 1], med[j]
    return float(c0 + (c1 - c0) * m0 / (m0 - m1))


def calibrate(catalog=None) -> dict[str, Any]:
    """The stack efficiency that zeroes the median log time error over all rows, with the error matrix.

    This is how :data:`suanli.models.defaults.STACK_EFFICIENCY` was set; it is not applied at run time.
    """
    ids, mat = _error_matrix(catalog)
    return {"stack_efficiency": _root(mat), "ids": ids, "grid": CALIBRATION_GRID, "log_errors": mat}


def leave_one_out_errors(catalog=None) -> dict[str, float]:
    """Calibrate on all rows but one, predict that one; the median and worst absolute LOO errors."""
    ids, mat = _error_matrix(catalog)
    if len(ids) < 3:
        return {}
    errs = []
    for i in range(len(ids)):
        c = _root(np.delete(mat, i, axis=0))
        errs.append(math.expm1(float(np.interp(c, CALIBRATION_GRID, mat[i]))))
    errs = np.abs(np.array(errs))
    return {"loo_median_abs_error": float(np.median(errs)), "loo_worst_abs_error": float(np.max(errs)),
            "calibrated_stack_efficiency": _root(mat)}
