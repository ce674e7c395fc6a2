"""The backtest panel: predicted vs reported for the public runs, and what the run-level residual does.

The panel takes every row's error at each value of :data:`suanli.scenarios.backtest.CALIBRATION_GRID` when it is
built (:func:`suanli.scenarios.backtest.calibrate`); moving the residual-run-efficiency slider then only picks a
column, so it answers at once. No math here: the numbers come from :mod:`suanli.scenarios.backtest`.
"""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from suanli.widgets.base import FigureView, Panel, dropdown, slider

KINDS = (
    ("all rows", "all"),
    ("full runs (accelerator-hours)", "accelerator_hours"),
    ("benchmarks and fixed layouts", "fixed"),
)


class BacktestPanel(Panel):
    """A stack-efficiency slider and a row filter; a predicted/reported scatter and the error table."""

    def __init__(self, catalog=None):
        super().__init__()
        from suanli.models.defaults import RUN_EFFICIENCY
        from suanli.scenarios import backtest

        self.result = backtest.run(catalog=catalog)
        calib = backtest.calibrate(catalog=catalog, result=self.result)
        self.grid = calib["grid"]
        self.log_errors = calib["log_errors"]
        self.ids = calib["ids"]
        self.metric = {r["id"]: r["metric"] for r in self.result.rows}
        self.efficiency = slider(
            "run efficiency (residual)", float(self.grid[0]), float(self.grid[-1]), RUN_EFFICIENCY.value, step=0.01
        )
        self.kind = dropdown("rows", KINDS, "all")
        self.watch(self.efficiency, self.kind)
        self.stats = W.HTML()
        self.table = W.HTML()
        self.view = FigureView(5.0, 3.4)
        self._points = None
        self.widget = self.layout([W.HBox([self.efficiency, self.kind])], [self.stats, self.view.image, self.table])
        self.update()

    def errors_at(self, efficiency: float) -> np.ndarray:
        """Each row's signed time error at ``efficiency`` (interpolated on the calibration grid)."""
        return np.array([np.expm1(np.interp(efficiency, self.grid, row)) for row in self.log_errors])

    def compute(self) -> None:
        err = self.errors_at(self.efficiency.value)
        kind = self.kind.value
        keep = np.array(
            [
                kind == "all" or (self.metric[i] == "accelerator_hours") == (kind == "accelerator_hours")
                for i in self.ids
            ]
        )
        shown = err[keep]
        ratio = 1.0 + shown
        self.stats.value = (
            f"<b>{keep.sum()} rows</b>: median |error| <b>{np.median(np.abs(shown)):.1%}</b>, "
            f"worst <b>{shown[np.argmax(np.abs(shown))]:+.1%}</b> ({html.escape(np.array(self.ids)[keep][np.argmax(np.abs(shown))])}), "
            f"all within 2x: <b>{bool(np.all((ratio <= 2) & (ratio >= 0.5)))}</b>"
        )
        ax = self.view.axes
        if self._points is None:
            ax.axhline(0, color="#888", lw=0.8)
            ax.axhspan(-0.15, 0.15, color="#dfd", zorder=0)
            self._points = ax.scatter(np.arange(len(err)), err, s=18, color="#4c78a8")
            self.view.animate(self._points)  # the axes and the rotated row names stay: a move redraws only the points
            ax.set_xticks(range(len(self.ids)), self.ids, rotation=90, fontsize=6)
            ax.set_ylabel("time error")
            ax.set_ylim(-1.0, 1.0)
            self.view.figure.subplots_adjust(bottom=0.45, left=0.13, right=0.98, top=0.97)
        self._points.set_offsets(np.column_stack([np.arange(len(err)), err]))
        self._points.set_facecolors(["#4c78a8" if k else "#ddd" for k in keep])
        self.view.draw()
        rows = "".join(
            f"<tr><td>{html.escape(i)}</td><td>{html.escape(self.metric[i])}</td>"
            f"<td style='text-align:right'>{e:+.1%}</td></tr>"
            for i, e, k in zip(self.ids, err, keep)
            if k
        )
        self.table.value = f"<table><tr><th>row</th><th>metric</th><th>error</th></tr>{rows}</table>"
