"""Ranges for notebooks: a percentile table, a tornado chart and the spread of the samples.

No math here: the numbers come from :mod:`suanli.scenarios.uncertainty` (a ranged estimate or a ranged cost).

    >>> from suanli.scenarios.uncertainty import uncertain_estimate
    >>> from suanli.widgets.uncertainty import UncertaintyPanel
    >>> UncertaintyPanel(uncertain_estimate("llama2-70b", tokens=2e12, chip="huawei-ascend-910b", count=2048))

:func:`tornado_figure` and :func:`percentile_rows` also work on their own (a static figure, a table).
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from suanli.present import inputs_html, percentile_rows, summary_html
from suanli.widgets.base import FigureView, Panel, displayable, dropdown, legend_html

LOW_COLOUR, HIGH_COLOUR = "#4c78a8", "#e45756"
"""Bars of an input at its P10 (blue) and at its P90 (red)."""


def tornado_figure(rows, output: str, ax=None, top: int = 10):
    """A tornado chart: per input, the output at the input's P10 (blue) and P90 (red) around the base.

    References: Morgan & Henrion 1990, sec. 8.4 (tornado diagrams).
    """
    ax, own = _fresh_axes(ax)
    if TornadoChart(ax, top).show(rows, output):
        ax.legend(loc="lower right", fontsize="small")
    if own:  # a panel lays its figure out once; tight_layout on every redraw costs more than the drawing
        ax.figure.tight_layout()
        displayable(ax.figure)
    return ax.figure


def spread_figure(samples, output: str, ax=None, central: float | None = None):
    """The distribution of one output's samples, with P10, P50 and P90 (and the central estimate) marked."""
    ax, own = _fresh_axes(ax)
    SpreadChart(ax).show(samples, output, central)
    ax.legend(fontsize="small")
    if own:
        ax.figure.tight_layout()
        displayable(ax.figure)
    return ax.figure


def _fresh_axes(ax):
    """``ax`` cleared, or new axes on a new (pyplot-free) figure; and whether they are new."""
    if ax is None:
        from matplotlib.figure import Figure

        return Figure(figsize=(6.4, 3.6)).subplots(), True
    ax.clear()
    return ax, False


def _padded(low: float, high: float, margin: float = 0.05) -> tuple[float, float]:
    """``low..high`` widened by ``margin`` of its span on each side (matplotlib's default autoscale margin)."""
    pad = (high - low) * margin or abs(high) * margin or 1.0
    return low - pad, high + pad


class TornadoChart:
    """A tornado chart whose bars, base line and labels are built once and changed in place by :meth:`show`.

    A panel switching outputs redraws it without clearing the axes or creating artists (clearing
    axes and re-creating their ticks cost more than drawing them). References as :func:`tornado_figure`.
    """

    def __init__(self, ax, top: int = 10):
        from matplotlib.ticker import FixedFormatter, FixedLocator

        self.ax, self.top = ax, top
        slots = np.arange(top)
        self.low = ax.barh(slots, np.zeros(top), color=LOW_COLOUR, label="input at P10")
        self.high = ax.barh(slots, np.zeros(top), color=HIGH_COLOUR, label="input at P90")
        self.base = ax.axvline(0.0, color="k", lw=0.8)
        self.empty = ax.text(
            0.5,
            0.5,
            "no uncertain input moves this output",
            ha="center",
            va="center",
            transform=ax.transAxes,
            visible=False,
        )
        ax.yaxis.set_major_locator(FixedLocator(slots))
        self.labels = FixedFormatter([""] * top)
        ax.yaxis.set_major_formatter(self.labels)

    def show(self, rows, output: str) -> bool:
        """Draw the ``top`` inputs that move ``output`` (largest on top); False if none does."""
        rows = [r for r in rows if r["swing"] > 0][: self.top][::-1]
        ax = self.ax
        self.empty.set_visible(not rows)
        if not rows:
            ax.set_axis_off()
            return False
        ax.set_axis_on()
        base = rows[0]["base"]
        ends = []
        for i, (low, high) in enumerate(zip(self.low, self.high)):
            used = i < len(rows)
            low.set_visible(used)
            high.set_visible(used)
            if used:
                for rect, key in ((low, "output_low"), (high, "output_high")):
                    rect.set_x(base)
                    rect.set_width(rows[i][key] - base)
                    ends.append(rows[i][key])
        self.base.set_xdata([base, base])
        self.labels.seq = [r["input"] for r in rows] + [""] * (self.top - len(rows))
        ax.set_ylim(*_padded(-0.4, len(rows) - 0.6))  # the bars' extent, as autoscaling would pad it
        ax.set_xlim(*_padded(min(base, *ends), max(base, *ends)))
        ax.set_xlabel(f"{output} (others at their medians)")
        return True


class SpreadChart:
    """The histogram of one output's samples with P10/P50/P90 (and the central estimate) marked, built once
    and changed in place by :meth:`show`."""

    BINS = 50

    def __init__(self, ax):
        self.ax = ax
        self.hist = ax.stairs(
            np.zeros(self.BINS), np.arange(self.BINS + 1.0), fill=True, color="#bbbbbb"
        )  # one artist, not 50 bars
        self.marks = [
            ax.axvline(0.0, color="k", ls=style, lw=1, label=f"P{q}") for q, style in ((10, ":"), (50, "-"), (90, ":"))
        ]
        self.central = ax.axvline(0.0, color=HIGH_COLOUR, lw=1.5, label="central estimate")
        ax.set_yticks([])

    def show(self, samples, output: str, central: float | None = None) -> None:
        arr = np.asarray(samples, dtype=float)
        arr = arr[np.isfinite(arr)]
        counts, edges = np.histogram(arr, bins=self.BINS)
        self.hist.set_data(counts, edges)
        for line, x in zip(self.marks, np.percentile(arr, (10, 50, 90))):
            line.set_xdata([x, x])
        self.central.set_visible(central is not None)
        self.central.set_label("_hidden" if central is None else "central estimate")  # a legend skips "_" labels
        low, high = float(edges[0]), float(edges[-1])
        if central is not None:
            self.central.set_xdata([central, central])
            low, high = min(low, central), max(high, central)
        self.ax.set_xlim(*_padded(low, high))
        self.ax.set_ylim(0, max(1, counts.max()) * 1.05)
        self.ax.set_xlabel(output)


class UncertaintyPanel(Panel):
    """A ranged result: the percentile table, a tornado chart and the spread of one chosen output.

    ``result`` is an :class:`~suanli.scenarios.uncertainty.UncertainEstimate` or :class:`~suanli.scenarios.uncertainty.UncertainCost`;
    with none, the CLI's default scenario (GPT-3 175B, 300B tokens, 1,024 A100) with 10,000 samples.
    """

    def __init__(self, result=None):
        super().__init__()
        if result is None:
            from suanli.scenarios.training import DEFAULT_SCENARIO
            from suanli.scenarios.uncertainty import uncertain_estimate

            scenario = dict(DEFAULT_SCENARIO)
            result = uncertain_estimate(scenario.pop("model"), **scenario)
        self.result = result
        outputs = [r["output"] for r in percentile_rows(result)]
        first = next(iter(result.tornado), outputs[0] if outputs else None)
        self.output = dropdown("output", outputs, first)
        self.table = W.HTML()
        self.inputs = W.HTML()
        self.view = FigureView(width_in=11.0, height_in=3.8, ncols=2)
        self.view.figure.subplots_adjust(left=0.2, right=0.98, bottom=0.14, top=0.96, wspace=0.12)
        tornado_ax, spread_ax = self.view.axes
        self.tornado, self.spread = TornadoChart(tornado_ax), SpreadChart(spread_ax)
        for ax in (tornado_ax, spread_ax):  # fixed: placing the label measures every tick label on each draw
            ax.xaxis.set_label_coords(0.5, -0.11)
        self.legend = W.HTML(  # the key in HTML: a matplotlib legend costs more to draw than the bars
            legend_html(
                [
                    ("input at P10", f"height:9px;background:{LOW_COLOUR}"),
                    ("input at P90", f"height:9px;background:{HIGH_COLOUR}"),
                ],
                "left",
            )
            + legend_html(
                [
                    ("P10 and P90", "border-top:1px dotted #000"),
                    ("P50", "border-top:1px solid #000"),
                    ("central estimate", f"border-top:2px solid {HIGH_COLOUR}"),
                ],
                "right",
            )
        )
        self.watch(self.output)
        self.widget = self.layout(
            [self.output],
            [
                self.table,
                self.view.image,
                self.legend,
                W.Accordion(children=[self.inputs], titles=("inputs and their ranges",)),
            ],
        )
        self.update()

    def compute(self) -> None:
        out = self.output.value
        if self.changed("result", id(self.result)):  # the tables follow the result, not the output shown
            self.table.value = summary_html(self.result, top=0)
            self.inputs.value = inputs_html(self.result)
        self.tornado.show(self.result.tornado_for(out), out)
        self.spread.show(self.result.samples[out], out, central=self.result.point().get(out))
        self.view.draw()
