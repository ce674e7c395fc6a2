"""The serving model against public serving measurements: predicted vs reported, per row, per group, leave-one-out.

The rows are ``data/serving_runs.csv`` (each with its source): TensorRT-LLM's published throughput and
first-token tables (H100, H200, A100; Llama 2/3, Qwen3 MoE), DeepSeek's published H800 decode
statistics and a community vLLM single-request measurement. ``suanli backtest --serving`` prints
:func:`run`.

Calibration (:func:`calibrate`) fits the four achievable fractions of the serving model (compute,
weight-read bandwidth, KV-read bandwidth, MoE share; :data:`GRIDS`) on a grid by least squares in log
throughput over the tokens/s rows; the leave-one-out error of a row is its error under the set fitted
without it.
TTFT and TPOT rows are never fitted: they check the calibrated model.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from suanli.models import serving as S
from suanli.scenarios._checks import BOOLEAN
from suanli.validate import checked

GRIDS = {
    "compute_efficiency": np.round(np.arange(0.40, 0.901, 0.05), 2),
    "bandwidth_efficiency": np.array([0.80]),  # fixed by physics, not fitted: see SERVING_DEFAULTS
    "kv_bandwidth_efficiency": np.round(np.arange(0.20, 0.901, 0.05), 2),
    "moe_efficiency": np.round(np.arange(0.30, 1.001, 0.05), 2),
}
"""The calibration grid of each fitted efficiency (physically plausible spans)."""
PARAMS = tuple(GRIDS)


@functools.lru_cache(maxsize=1)
def load_rows() -> tuple[dict[str, Any], ...]:
    """The bundled serving measurements as dicts (numbers parsed)."""
    with resources.files("suanli.data").joinpath("serving_runs.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        for k in ("count", "input_len", "output_len"):
            r[k] = int(r[k])
        r["batch"] = int(r["batch"]) if r["batch"] else None
        r["reported"] = float(r["reported"])
        r["tpot_target_ms"] = float(r["tpot_target_ms"]) if r.get("tpot_target_ms") else None
    return tuple(rows)


def _setup(row, catalog):
    from suanli.scenarios.serving import device, precision_formats, serving_model

    prec, _ = precision_formats(row["precision"], row["kv_precision"])
    dev, _ = device(row["chip"], row["precision"], catalog=catalog)
    return serving_model(row["model"]), prec, dev


def predict(row: dict[str, Any], params: dict[str, Any] | None = None, *, catalog=None):
    """The model's value of ``row['metric']`` for one row; ``params`` (efficiencies, default the model's
    defaults) may hold arrays of one shape (the calibration grid), and the result then has that shape."""
    from suanli.scenarios._checks import mapping
    from suanli.validate import array

    keys = ("model", "chip", "precision", "kv_precision", "count", "input_len", "output_len", "batch", "mode", "metric")
    mapping("row", row, keys)
    if params is not None:
        mapping("params", params)
    smodel, prec, dev = _setup(row, catalog)
    values = {
        k: array(f"params[{k!r}]", v, low=0.0, high=1.0, low_open=True)
        for k, v in (params or {}).items()
        if k in PARAMS
    }
    kw = {"eff": dataclasses.replace(S.SERVING_DEFAULTS, **values)}
    n, i, o = float(row["count"]), float(row["input_len"]), float(row["output_len"])
    mode, metric = row["mode"], row["metric"]
    if mode in ("static", "single", "inflight"):
        batch = row["batch"] if row["batch"] else float(S.max_batch(smodel, prec, dev, n, i + o))
        pt = S.serving_point(smodel, prec, dev, n, batch, i, o, **kw)
        if metric == "ttft_ms":
            return np.asarray(pt["prefill_s"]) * 1e3
        if metric == "tpot_ms":
            return np.asarray(pt["step_s"] if mode == "single" else pt["tpot_s"]) * 1e3
        return np.asarray(pt["tokens_per_s_per_chip"])
    # disaggregated decode (DeepSeek): the batch is searched, a batch axis in front of the parameter axes
    bmax = float(S.max_batch(smodel, prec, dev, n, i + o))
    shape = np.broadcast_shapes(*(v.shape for v in values.values()))
    grid = np.unique(np.round(np.geomspace(1, bmax, 80))).reshape((-1,) + (1,) * len(shape))
    pt = S.serving_point(smodel, prec, dev, n, grid, i, o, disaggregated=True, **kw)
    step = np.broadcast_to(np.asarray(pt["step_s"]), grid.shape[:1] + shape)
    tps = np.broadcast_to(np.asarray(pt["tokens_per_s_per_chip"]), grid.shape[:1] + shape)
    if mode == "disaggregated":  # throughput at the users' TPOT
        ok = step * 1e3 <= row["tpot_target_ms"]
        return np.where(ok.any(axis=0), np.where(ok, tps, -np.inf).max(axis=0), np.nan)
    j = np.argmin(np.abs(np.log(tps / row["reported_throughput"])), axis=0)  # TPOT at the reported throughput
    return np.take_along_axis(step, j[None, ...], axis=0)[0] * 1e3


def _with_throughput(rows):
    """Give the DeepSeek TPOT row the throughput it was measured at."""
    tput = {r["model"] + r["chip"]: r["reported"] for r in rows if r["mode"] == "disaggregated"}
    for r in rows:
        if r["mode"] == "disaggregated-at-throughput":
            r["reported_throughput"] = tput[r["model"] + r["chip"]]
    return rows


@dataclass
class ServingBacktest:
    """Rows with predicted values and errors, the efficiencies used, per-metric and per-group summaries."""

    rows: list[dict[str, Any]]
    efficiencies: dict[str, float]
    loo: bool
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.efficiencies)
        for metric in ("tokens_per_s_per_chip", "tpot_ms", "ttft_ms"):
            errs = [abs(r["error"]) for r in self.rows if r["metric"] == metric and np.isfinite(r["error"])]
            if errs:
                out[f"{metric}_rows"] = len(errs)
                out[f"{metric}_median_abs_error"] = float(np.median(errs))
                out[f"{metric}_worst_abs_error"] = float(np.max(errs))
            loo = [abs(r["loo_error"]) for r in self.rows if r["metric"] == metric and r.get("loo_error") is not None]
            if loo:
                out[f"{metric}_loo_median_abs_error"] = float(np.median(loo))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "summary": self.summary(), "groups": self.groups}


def _grid():
    mesh = np.meshgrid(*GRIDS.values(), indexing="ij")
    return {k: m.reshape(-1) for k, m in zip(PARAMS, mesh)}


def _grid_predictions(rows, catalog):
    grid = _grid()
    return grid, np.stack([np.asarray(predict(r, grid, catalog=catalog), dtype=float) for r in rows])


def _fit(pred, reported, mask) -> int:
    """Index of the grid point minimising the squared log error over the rows in ``mask``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.log(pred[mask] / reported[mask, None]) ** 2
    err = np.where(np.isfinite(err), err, 25.0)  # a row the point cannot serve counts as a miss of e^5
    return int(np.argmin(err.sum(axis=0)))


def _throughput_rows(rows):
    return [k for k, r in enumerate(rows) if r["metric"] == "tokens_per_s_per_chip"]


def calibrate(*, catalog=None) -> dict[str, float]:
    """The efficiencies that best fit the bundled throughput rows (least squares in log tokens/s)."""
    from suanli.scenarios.serving import _catalog

    cat = _catalog(catalog)
    rows = _with_throughput([dict(r) for r in load_rows()])
    idx = _throughput_rows(rows)
    grid, pred = _grid_predictions([rows[k] for k in idx], cat)
    best = _fit(pred, np.array([rows[k]["reported"] for k in idx]), np.ones(len(idx), dtype=bool))
    return {k: float(v[best]) for k, v in grid.items()}


@checked(leave_one_out=BOOLEAN)
def run(*, leave_one_out: bool = False, catalog=None) -> ServingBacktest:
    """Every bundled row with the model's defaults (:data:`suanli.models.serving.SERVING_DEFAULTS`); with
    ``leave_one_out`` each tokens/s row is also predicted by the efficiencies fitted without it."""
    from suanli.scenarios.serving import _catalog

    cat = _catalog(catalog)
    rows = _with_throughput([dict(r) for r in load_rows()])
    out = []
    for r in rows:
        p = float(predict(r, catalog=cat))
        out.append(
            {
                k: r[k]
                for k in (
                    "id",
                    "group",
                    "model",
                    "chip",
                    "count",
                    "precision",
                    "input_len",
                    "output_len",
                    "batch",
                    "metric",
                    "reported",
                )
            }
            | {"predicted": p, "error": p / r["reported"] - 1.0, "loo_error": None}
        )
    if leave_one_out:
        idx = _throughput_rows(rows)
        _, pred = _grid_predictions([rows[k] for k in idx], cat)
        reported = np.array([rows[k]["reported"] for k in idx])
        for pos, k in enumerate(idx):
            mask = np.ones(len(idx), dtype=bool)
            mask[pos] = False
            out[k]["loo_error"] = float(pred[pos, _fit(pred, reported, mask)] / reported[pos] - 1.0)
    groups: dict[str, dict[str, Any]] = {}
    for r in out:
        g = groups.setdefault(f"{r['group']} / {r['metric']}", {"rows": 0, "errors": [], "loo": []})
        g["rows"] += 1
        g["errors"].append(abs(r["error"]))
        if r["loo_error"] is not None:
            g["loo"].append(abs(r["loo_error"]))
    for g in groups.values():
        errs, loo = g.pop("errors"), g.pop("loo")
        g["median_abs_error"] = float(np.median(errs))
        g["worst_abs_error"] = float(np.max(errs))
        if loo:
            g["loo_median_abs_error"] = float(np.median(loo))
    d = S.SERVING_DEFAULTS
    return ServingBacktest(out, {k: getattr(d, k) for k in PARAMS}, leave_one_out, groups)
