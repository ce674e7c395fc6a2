"""Panels for notebook 03: collective cost vs message size, group size and link; a cross-site split.

No math here: times come from :mod:`suanli.models.cluster` through :mod:`suanli.scenarios.interconnect`,
training steps from :func:`suanli.estimate`. Bad input shows as one red sentence in place.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.ticker import NullLocator

from suanli import present
from suanli.models import cluster as CL
from suanli.scenarios import interconnect as R
from suanli.widgets.base import (
    STYLE,
    FigureView,
    Panel,
    dropdown,
    key_value_table,
    legend_html,
    nice_ceiling,
    readout,
    slider,
    steady_decades,
    steady_top,
)

SIZES = np.logspace(3, 10.5, 121)
"""Message sizes on the chart's x axis: 1 kB to ~32 GB."""

GROUPS = tuple(2**k for k in range(1, 13))
"""Group sizes the slider steps through (2 to 4,096 ranks)."""

COLOURS = {
    "all-reduce": "#4c78a8",
    "reduce-scatter": "#f58518",
    "all-gather": "#54a24b",
    "all-to-all": "#e45756",
    "all-reduce (ring)": "#9ecae9",
    "all-reduce (tree)": "#b279a2",
}


def _fmt_bytes(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.3g} {unit}"
    return f"{n:,.0f} B"


def _fmt_s(t: float) -> str:
    if t >= 1:
        return f"{t:,.3g} s"
    if t >= 1e-3:
        return f"{t * 1e3:,.3g} ms"
    return f"{t * 1e6:,.3g} us"


def _table(rows: list[tuple[str, str]]) -> str:
    return key_value_table(rows, bold_values=False)


class CollectivePanel(Panel):
    """Pick a link, a collective, a message size and a group size: see the time, the bus bandwidth and
    the curves of every collective on that link (left) and of all-reduce on every compared link (right)."""

    def __init__(
        self,
        link: str = "nvidia-nvlink4",
        collective: str = "all-reduce",
        nbytes: float = 64e6,
        group: int = 8,
        catalog=None,
    ):
        super().__init__()
        self.catalog = R._catalog(catalog)
        links = sorted(self.catalog.links, key=lambda i: (self.catalog.link(i).link_kind, i))
        self.link = dropdown("link", links, link)
        self.collective = dropdown("collective", list(CL.COLLECTIVES), collective)
        self.algorithm = dropdown("all-reduce algorithm", list(CL.ALGORITHMS), "auto")
        self.size = slider("message size", 1e3, 3e10, nbytes, log=True)
        self.group = W.SelectionSlider(
            description="group size",
            options=GROUPS,
            value=min(GROUPS, key=lambda g: abs(g - group)),
            continuous_update=False,
            style=STYLE,
        )
        self.watch(self.link, self.collective, self.algorithm, self.size, self.group)
        self.summary = W.HTML()
        self.view = FigureView(9.0, 3.4, ncols=2)
        self._lines: dict[str, Any] = {}
        self._compare: dict[str, Any] = {}
        self._time_limits: tuple[float, float] | None = None
        self._busbw_top: float | None = None
        self._build()
        controls = [
            W.HBox([self.link, self.collective, self.algorithm]),
            W.HBox([readout(self.size, present.size_bytes), self.group]),
        ]
        self.widget = self.layout(controls, [self.summary, self.view.image, self.legend])
        self.update()

    def _build(self) -> None:
        left, right = self.view.axes
        for name, colour in COLOURS.items():
            style = "--" if "(" in name else "-"
            (self._lines[name],) = left.loglog(SIZES, SIZES, style, color=colour, lw=1.4, label=name)
        (self._marker,) = left.loglog([1e6], [1e-3], "o", color="black", ms=5)
        left.set_xlabel("message size per rank (bytes)")
        left.set_ylabel("time")
        for link_id in R.DEFAULT_LINKS:
            (self._compare[link_id],) = right.semilogx(SIZES, SIZES * 0, lw=1.2)
        (self._cmp_marker,) = right.semilogx([1e6], [0], "o", color="black", ms=5)
        right.set_xlabel("message size per rank (bytes)")
        right.set_ylabel("all-reduce bus bandwidth (GB/s)")
        # the legends are HTML under the chart: drawing their text in matplotlib doubled each redraw
        self.legend = W.HTML(
            legend_html([(n, f"height:3px;background:{c}") for n, c in COLOURS.items()], "left")
            + legend_html([(i, f"height:3px;background:{ln.get_color()}") for i, ln in self._compare.items()], "right")
        )
        for ax in (left, right):
            ax.spines[["top", "right"]].set_visible(False)
            # minor log ticks cost about half of each redraw and add little to a slider panel
            ax.xaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_minor_locator(NullLocator())
        self.view.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9, wspace=0.28)
        # Curves, markers and the title are drawn over a cached background of the axes.
        self.view.animate(*self._lines.values(), self._marker, *self._compare.values(), self._cmp_marker, left.title)

    def compute(self) -> None:
        link_id, coll, algo = self.link.value, self.collective.value, self.algorithm.value
        nbytes, n = float(self.size.value), int(self.group.value)
        self.algorithm.disabled = coll != "all-reduce"
        bw, alpha, eff = R.link_alpha_beta(self.catalog.link(link_id))
        t = float(CL.collective_seconds(coll, nbytes, n, bw, alpha, algo))
        busbw = float(CL.bus_bandwidth(coll, nbytes, t, n)) / 1e9
        self.result = {"seconds": t, "busbw_gbs": busbw, "bandwidth_gbs": bw / 1e9, "alpha_us": alpha * 1e6}
        self.summary.value = _table(
            [
                (f"{coll} of {_fmt_bytes(nbytes)} over {n} ranks on {link_id}", _fmt_s(t)),
                ("bus bandwidth reached", f"{busbw:,.1f} GB/s"),
                ("effective link bandwidth (one direction)", f"{bw / 1e9:,.1f} GB/s ({eff:.0%} of rated)"),
                ("latency per step (alpha)", f"{alpha * 1e6:,.1f} us"),
                ("latency-bound below about", _fmt_bytes(alpha * bw * n)),
            ]
        )
        if self.changed("curves", link_id, n):
            curves = R.size_sweep(link_id, SIZES, n, catalog=self.catalog)
            for name, line in self._lines.items():
                line.set_ydata(np.maximum(curves[name], 1e-9))
            low = max(1e-7, min(float(np.min(v[v > 0])) for v in curves.values()) / 2)
            self._time_limits = steady_decades(
                self._time_limits, low, max(float(np.max(v)) for v in curves.values()) * 2
            )
            self.view.axes[0].set_title(f"{link_id}, {n} ranks", fontsize=9)
            ymax = 0.0
            for link_id_cmp, line in self._compare.items():
                cbw, calpha, _ = R.link_alpha_beta(self.catalog.link(link_id_cmp))
                busbw_curve = (
                    CL.bus_bandwidth("all-reduce", SIZES, CL.collective_seconds("all-reduce", SIZES, n, cbw, calpha), n)
                    / 1e9
                )
                line.set_ydata(busbw_curve)
                ymax = max(ymax, float(busbw_curve.max()))
            self._busbw_top = steady_top(self._busbw_top, ymax * 1.1)
        # Limits move in steps and stay while the data fits them, so most moves keep the axes and only blit.
        axes_changed = self.changed("limits", self._time_limits, self._busbw_top)
        if axes_changed:
            self.view.axes[0].set_ylim(*self._time_limits)
            self.view.axes[1].set_ylim(0, self._busbw_top)
        self._marker.set_data([nbytes], [t])
        if coll == "all-reduce":
            self._cmp_marker.set_data([nbytes], [busbw])
            self._cmp_marker.set_visible(True)
        else:
            self._cmp_marker.set_visible(False)
        self.view.draw(full=axes_changed)


class CrossSitePanel(Panel):
    """Split a training run's data-parallel replicas over two data centres: distance and WAN bandwidth
    in, the added seconds per step and the slowdown out, with the slowdown against WAN bandwidth drawn."""

    WAN_GRID = np.logspace(0.5, 4.5, 81)

    def __init__(
        self,
        model: str = "gpt3-175b",
        tokens: float = 300e9,
        chip: str = "nvidia-a100-sxm4-80gb",
        count: int = 1024,
        route_km: float = 1500.0,
        wan_gbs: float = 200.0,
        catalog=None,
    ):
        super().__init__()
        from suanli.scenarios.training import presets

        self.catalog = R._catalog(catalog)
        self.model = dropdown("model", [(f"{k} ({v})", k) for k, v in presets().items()], model)
        chips = sorted(a.id for a in self.catalog.accelerators.values() if a.peak_tflops("bf16"))
        self.chip = dropdown("chip", chips, chip)
        self.count = W.BoundedIntText(description="devices", value=count, min=2, max=200_000, step=64, style=STYLE)
        self.tokens = slider("tokens", 1e10, 3e13, tokens, log=True)
        self.route = slider("fibre route (km)", 0, 4000, route_km, step=50)
        self.wan = slider("WAN bandwidth (GB/s, one direction)", 3, 30000, wan_gbs, log=True)
        self.watch(self.model, self.chip, self.count, self.tokens, self.route, self.wan)
        self.summary = W.HTML()
        self.view = FigureView(6.4, 3.0)
        ax = self.view.axes
        (self._curve,) = ax.semilogx(
            self.WAN_GRID, self.WAN_GRID * 0 + 1, color="#4c78a8", lw=1.6, label="no overlap (upper bound)"
        )
        (self._marker,) = ax.semilogx([wan_gbs], [1.0], "o", color="black", ms=5)
        ax.axhline(1.1, color="#999", lw=0.8, ls=":")
        ax.set_xlabel("WAN bandwidth between the sites (GB/s)")
        ax.set_ylabel("step time / single site")
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.set_minor_locator(NullLocator())
        ax.legend(fontsize=7, frameon=False)
        self.view.figure.subplots_adjust(left=0.12, right=0.97, bottom=0.17, top=0.9)
        self.view.animate(self._curve, self._marker, ax.title)  # the axes redraw only when their limits change
        controls = [
            W.HBox([self.model, self.chip, self.count]),
            W.HBox([readout(self.tokens, present.scaled), self.route]),
            readout(self.wan, present.number),
        ]
        self.widget = self.layout(controls, [self.summary, self.view.image])
        self.update()

    def compute(self) -> None:
        args = (self.model.value, self.tokens.value, self.chip.value, int(self.count.value))
        grid = np.append(self.WAN_GRID, self.wan.value)
        res = R.cross_site_split(*args, self.route.value, grid, catalog=self.catalog)
        self.result = {k: (v[-1] if isinstance(v, np.ndarray) and v.ndim else v) for k, v in res.items()}
        r, est = self.result, res["estimate"]
        self.summary.value = _table(
            [
                (
                    "single-site run",
                    (
                        f"{est.train_days:,.1f} days, step {est.step_time_s:,.2f} s, "
                        f"TP{est.layout['tp']} PP{est.layout['pp']} DP{est.layout['dp']}"
                    ),
                ),
                ("round trip over the fibre", f"{float(r['rtt_ms']):,.1f} ms"),
                ("gradient bytes crossing the WAN per step", _fmt_bytes(r["wan_bytes_per_step"])),
                (
                    "gradient all-reduce: one site / split",
                    f"{_fmt_s(r['all_reduce_one_site_s'])} / {_fmt_s(float(r['all_reduce_split_s']))}",
                ),
                ("slowdown if not hidden", f"{float(r['slowdown_no_overlap']):.2f}x"),
                ("slowdown if fully overlapped", f"{float(r['slowdown_full_overlap']):.2f}x"),
            ]
        )
        curve = res["slowdown_no_overlap"][:-1]
        self._curve.set_ydata(curve)
        self._marker.set_data([self.wan.value], [float(r["slowdown_no_overlap"])])
        self.view.axes.set_title(f"{self.count.value:,} x {self.chip.value}, {self.route.value:,.0f} km", fontsize=9)
        top = max(1.5, nice_ceiling(float(curve.max()) * 1.05))  # a stepped limit: most moves only blit
        axes_changed = self.changed("axes", top)
        if axes_changed:
            self.view.axes.set_ylim(0.95, top)
        self.view.draw(full=axes_changed)
