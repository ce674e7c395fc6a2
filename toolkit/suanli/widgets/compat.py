"""CUDA-compatibility panels for notebooks: a waterfall, a porting break-even chart, a slider panel.

No math here: numbers come from :func:`suanli.scenarios.compat.compat_for` and
:mod:`suanli.models.compat` behind it. Errors a user can fix are shown in place as one sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from suanli.errors import SuanliError
from suanli.spec import OP_CLASSES
from suanli.widgets.base import (
    FigureView,
    compact_number,
    legend_html,
    scaled_text,
    scaled_value,
    steady_decades,
    steady_top,
)
from suanli.widgets.power import message_html

SLIDER_KEYS = (
    ("translated", "translated share"),
    ("fallback", "fallback share"),
    ("unsupported", "unsupported share"),
    ("translated_efficiency", "translated speed"),
    ("fallback_efficiency", "fallback speed"),
)
SHARE_KEYS = ("translated", "fallback", "unsupported")
"""The slider keys that are shares of one class's time (they add up to at most 1)."""
"""The per-class inputs the panel exposes, with their labels."""


def comparison_rows(catalog=None, workload: str = "dense") -> list[dict[str, Any]]:
    """One row per stack in the catalog: kind, slowdown best/central/worst, dominant classes, feasibility."""
    from suanli.catalog import load_catalog
    from suanli.models import compat

    cat = catalog or load_catalog()
    w = compat.workload_profile(kind=workload)
    rows = []
    for stack in sorted(cat.stacks.values(), key=lambda s: s.id):
        try:
            res = compat.compat_estimate(stack, w)
        except SuanliError as err:  # a third-party stack with an incomplete profile is listed, not fatal
            rows.append({"stack": stack.id, "kind": stack.stack_kind, "problem": str(err)})
            continue
        confidences = {src.confidence for src in stack.op_sources.values()}
        confidences |= {
            stack.sources[k].confidence for k in ("framework_efficiency", "collective_efficiency") if k in stack.sources
        }
        rows.append(
            {
                "stack": stack.id,
                "kind": stack.stack_kind,
                "slowdown": round(res.slowdown["central"], 3),
                "best": round(res.slowdown["best"], 3),
                "worst": round(res.slowdown["worst"], 3),
                "dominant": ", ".join(res.dominant[:3]),
                "runs_as_is": res.feasible_as_is,
                "evidence": ", ".join(
                    c for c in ("datasheet", "paper", "measured", "press", "estimate") if c in confidences
                ),
            }
        )
    return rows


def waterfall_steps(result: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """The waterfall's added-time bars, largest first: (label, bottom, loss) for each op class that costs time."""
    steps, base = [], 1.0
    for row in sorted(result["losses"], key=lambda r: -r["loss"]["central"]):
        loss = row["loss"]["central"]
        if loss > 1e-6:
            steps.append((row["op_class"].replace("_", "\n"), base, loss))
            base += loss
    return steps


def slowdown_removed(result: Mapping[str, Any]) -> dict[str, float]:
    """best/central/worst slowdown the porting programme removes (what each chip of the fleet saves)."""
    after = result["porting_break_even"]["slowdown_after"]
    return {c: result["slowdown"][c] - after[c] for c in ("best", "central", "worst")}


def waterfall_figure(result: Mapping[str, Any], ax=None):
    """From the native step (1.0) through each op class's added time to the fallback step time.

    The last bar carries the best..worst range of the slowdown as an error bar.
    """
    import matplotlib.pyplot as plt

    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(8, 3.6))
    else:
        fig = ax.figure
    ax.bar(0, 1.0, color="#4c72b0")
    labels, base = ["native\nCUDA step"], 1.0
    for label, bottom, loss in waterfall_steps(result):
        ax.bar(len(labels), loss, bottom=bottom, color="#dd8452")
        ax.text(len(labels), bottom + loss, f"+{loss:.3f}", ha="center", va="bottom", fontsize=7)
        base = bottom + loss
        labels.append(label)
    s = result["slowdown"]
    ax.bar(
        len(labels),
        s["central"],
        color="#c44e52",
        yerr=[[s["central"] - s["best"]], [s["worst"] - s["central"]]],
        capsize=4,
    )
    ax.text(len(labels), s["worst"], f"{s['central']:.3f}", ha="center", va="bottom", fontsize=8)
    labels.append(f"{result['stack']}\nstep")
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_ylabel("step time / native")
    ax.set_ylim(0, max(s["worst"], base) * 1.12)
    ax.set_title(f"Where the time goes: CUDA code on {result['stack']} (error bar: best..worst)", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    if own:
        fig.tight_layout()
    return fig


def break_even_figure(result: Mapping[str, Any], ax=None, fleet_range=(10, 100_000)):
    """Porting programme cost against the chips it saves, over fleet size; they cross at the break-even.

    Chips saved = fleet x slowdown removed by the programme, priced at the chip price. The band is
    best..worst; the dashed line is the fleet of this result.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(7, 3.8))
    else:
        fig = ax.figure
    be, cur, price = result["porting_break_even"], result.get("currency", "USD"), result.get("chip_price")
    cost = be.get(f"cost_{cur.lower()}")
    if not price or not be["classes"]:
        ax.text(
            0.5,
            0.5,
            "no chip price or nothing to port: no break-even",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        return fig
    n = np.geomspace(*fleet_range, 200)
    removed = slowdown_removed(result)
    ax.fill_between(n, n * removed["best"] * price, n * removed["worst"] * price, color="#4c72b0", alpha=0.2)
    ax.plot(n, n * removed["central"] * price, color="#4c72b0", label="chips bought instead of porting")
    ax.fill_between(n, cost["best"], cost["worst"], color="#dd8452", alpha=0.2)
    ax.plot(n, np.full_like(n, cost["central"]), color="#dd8452", label="porting programme")
    x = be["break_even_chips"]["central"]
    if x is not None and np.isfinite(x):
        ax.axvline(x, color="#555", lw=0.8)
        ax.text(x, cost["central"], f" break-even ~{x:,.0f} chips", fontsize=8, va="bottom")
    if result.get("chips"):
        ax.axvline(result["chips"], color="k", ls="--", lw=0.8, label=f"this fleet ({result['chips']:,.0f})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("fleet size (native chips)")
    ax.set_ylabel(cur)
    from suanli.present import money

    ax.set_title(f"Port or buy chips? {result['stack']} at {money(price, cur)} a chip", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if own:
        fig.tight_layout()
    return fig


def summary_html(result: Mapping[str, Any]) -> str:
    """The headline numbers as a small HTML table."""
    import html

    from suanli.present import count, days, money

    cur = result.get("currency", "USD")

    def rng(d, fmt="{:,.3f}".format):
        def show(value):  # None: a break-even that never comes (porting removes nothing in that case)
            return "never" if value is None else fmt(value)

        return "n/a" if not d else f"{show(d['central'])} (best {show(d['best'])} .. worst {show(d['worst'])})"

    be = result["porting_break_even"]
    rows = [
        ("stack / chip", f"{result['stack']} ({result.get('stack_kind', '')}) on {result.get('chip') or 'no chip'}"),
        ("workload", str(result.get("workload_source", ""))),
        ("slowdown", rng(result["slowdown"])),
        ("dominant classes", ", ".join(result["dominant"]) or "none"),
        (
            "runs as is",
            "yes"
            if result["feasible_as_is"]
            else "no: " + ", ".join(r["op_class"] for r in result["porting_required"]) + " must be ported first",
        ),
        ("extra chips", rng(result["extra_chips"], count)),
        (
            "extra days",
            rng(result["extra_days"], days) + (f" on top of {days(result['days'])}" if result.get("days") else ""),
        ),
        ("extra cost", rng(result["extra_cost"].get("total"), lambda v: money(v, cur))),
        ("porting break-even (chips)", rng(be.get("break_even_chips"), count)),
        ("slowdown after porting", rng(be["slowdown_after"])),
    ]
    body = "".join(
        f"<tr><td style='text-align:left'>{html.escape(k)}</td><td style='text-align:left'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    title = f"CUDA training code on {result['stack']}: slowdown and what it costs"
    return f"<table><caption style='text-align:left;font-weight:bold'>{html.escape(title)}</caption>{body}</table>"


class CompatCharts:
    """The panel's waterfall and break-even charts: two figures built once and changed in place.

    Bars, curves and their labels are animated (blitted over cached axes); a chart's axes redraw
    only when its steady limits (:func:`steady_top`, :func:`steady_decades`) or its number of bars change. Titles and the key are HTML (text
    is most of a draw). Same content as :func:`waterfall_figure` and :func:`break_even_figure`.
    ``self.widget`` shows both.
    """

    FLEET = np.geomspace(10, 100_000, 200)
    LOSS, NATIVE, TOTAL = "#dd8452", "#4c72b0", "#c44e52"

    def __init__(self):
        import ipywidgets as W

        self.waterfall, self.break_even = FigureView(6.5, 3.8), FigureView(6.5, 3.8)
        self.waterfall.figure.subplots_adjust(left=0.12, right=0.98, bottom=0.2, top=0.97)
        self.break_even.figure.subplots_adjust(left=0.12, right=0.96, bottom=0.2, top=0.97)
        self._build_waterfall(self.waterfall.axes)
        self._build_break_even(self.break_even.axes)
        self.titles = (W.HTML(), W.HTML())
        self.legend = W.HTML()
        self.widget = W.HBox(
            [
                W.VBox([self.titles[0], self.waterfall.image]),
                W.VBox([self.titles[1], self.break_even.image, self.legend]),
            ]
        )
        self._axes: list[Any] = [None, None]

    def _build_waterfall(self, wf) -> None:
        from matplotlib.ticker import MaxNLocator

        slots = len(OP_CLASSES) + 2  # native, every op class, the stack's step
        wf.bar(0, 1.0, color=self.NATIVE)
        self.loss_bars = list(wf.bar(range(1, slots - 1), np.zeros(slots - 2), color=self.LOSS))
        self.loss_text = [wf.text(i, 0, "", ha="center", va="bottom", fontsize=7) for i in range(1, slots - 1)]
        (self.total_bar,) = wf.bar([0], [0.0], color=self.TOTAL)
        (self.total_range,) = wf.plot([0, 0], [0, 0], color="k", lw=1, marker="_", ms=8, mew=1)  # the error bar
        self.total_text = wf.text(0, 0, "", ha="center", va="bottom", fontsize=8)
        wf.set_xticks(range(slots), [""] * slots)
        self.names = [
            wf.text(i, -0.03, "", transform=wf.get_xaxis_transform(), ha="center", va="top", fontsize=7)
            for i in range(slots)
        ]
        wf.set_ylabel("step time / native")
        wf.yaxis.set_label_coords(-0.1, 0.5)  # fixed: placing it measures every tick label on each draw
        wf.yaxis.set_major_locator(MaxNLocator(5))  # each tick label is text to render
        wf.spines[["top", "right"]].set_visible(False)
        # names are animated too: which op classes cost time, and their order, change with the stack and sliders
        self.waterfall.animate(
            *self.loss_bars, *self.loss_text, self.total_bar, self.total_range, self.total_text, *self.names
        )

    def _build_break_even(self, be) -> None:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

        self.buy_band = be.fill_between(self.FLEET, self.FLEET, self.FLEET, color=self.NATIVE, alpha=0.2)
        (self.buy,) = be.plot(self.FLEET, self.FLEET, color=self.NATIVE)
        self.port_band = be.fill_between(self.FLEET, self.FLEET, self.FLEET, color=self.LOSS, alpha=0.2)
        (self.port,) = be.plot(self.FLEET, self.FLEET, color=self.LOSS)
        self.even = be.axvline(100, color="#555", lw=0.8)
        self.even_text = be.text(100, 1, "", fontsize=8, va="bottom")
        self.fleet = be.axvline(100, color="k", ls="--", lw=0.8)
        self.empty = be.text(
            0.5,
            0.5,
            "no chip price or nothing to port: no break-even",
            ha="center",
            va="center",
            transform=be.transAxes,
        )
        be.set_xscale("log")
        be.set_yscale("log")
        be.set_xlim(self.FLEET[0], self.FLEET[-1])
        be.set_xlabel("fleet size (native chips)")
        be.xaxis.set_label_coords(0.5, -0.14)  # fixed positions: placing them measures every tick label
        be.yaxis.set_label_coords(-0.1, 0.5)
        be.spines[["top", "right"]].set_visible(False)
        for axis in (be.xaxis, be.yaxis):  # few plain tick labels (10k, 1M), no minor ticks: text is the cost
            axis.set_minor_locator(NullLocator())
            axis.set_major_locator(LogLocator(numticks=8))
            axis.set_major_formatter(FuncFormatter(lambda v, _: compact_number(v)))
        self.break_even.animate(
            self.buy_band, self.buy, self.port_band, self.port, self.even, self.even_text, self.fleet
        )

    def show(self, result: Mapping[str, Any]) -> None:
        from suanli.present import money

        """Draw ``result`` (each chart redraws its axes only if they changed)."""
        import html

        names, top = self._waterfall(result)
        for text, name in zip(self.names, names + ("",) * len(self.names)):
            text.set_text(name)
        wf_axes = (len(names), top)
        if wf_axes != self._axes[0]:
            self.waterfall.axes.set_xlim(-0.6, len(names) - 0.4)
            self.waterfall.axes.set_ylim(0, top)
        self.waterfall.draw(full=wf_axes != self._axes[0])
        self._axes[0] = wf_axes
        be_axes = self._break_even(result)
        if be_axes != self._axes[1]:
            be = self.break_even.axes
            if be_axes:
                be.set_ylim(*be_axes[0])
                be.set_ylabel(be_axes[1])
                be.set_axis_on()
            else:
                be.set_axis_off()
        self.break_even.draw(full=be_axes != self._axes[1])
        self._axes[1] = be_axes
        price, cur = result.get("chip_price"), result.get("currency", "USD")
        titles = (
            f"Where the time goes: CUDA code on {result['stack']} (error bar: best..worst)",
            f"Port or buy chips? {result['stack']} at {money(price, cur)} a chip" if be_axes else "",
        )
        for widget, title in zip(self.titles, titles):
            widget.value = f"<div style='text-align:center;font-size:13px;width:{self.waterfall.image.layout.width}'>{html.escape(title)}</div>"

    def _waterfall(self, result) -> tuple[tuple[str, ...], float]:
        steps = waterfall_steps(result)
        for i, (bar, text) in enumerate(zip(self.loss_bars, self.loss_text)):
            used = i < len(steps)
            bar.set_visible(used)
            text.set_visible(used)
            if used:
                _, bottom, loss = steps[i]
                bar.set_y(bottom)
                bar.set_height(loss)
                text.set_position((i + 1, bottom + loss))
                text.set_text(f"+{loss:.3f}")
        s, last = result["slowdown"], len(steps) + 1
        base = steps[-1][1] + steps[-1][2] if steps else 1.0
        self.total_bar.set_x(last - 0.4)
        self.total_bar.set_height(s["central"])
        self.total_range.set_data([last, last], [s["best"], s["worst"]])
        self.total_text.set_position((last, s["worst"]))
        self.total_text.set_text(f"{s['central']:.3f}")
        names = ("native\nCUDA step", *(label for label, _, _ in steps), f"{result['stack']}\nstep")
        previous = self._axes[0][1] if self._axes[0] else None
        return names, steady_top(previous, max(s["worst"], base) * 1.12)  # a steady limit: most moves only blit

    def _break_even(self, result) -> tuple | None:
        """Set the break-even curves; the axes they need ((y limits, currency)), or None if there is no break-even."""
        be, cur, price = result["porting_break_even"], result.get("currency", "USD"), result.get("chip_price")
        cost = be.get(f"cost_{cur.lower()}")
        shown = bool(price and be["classes"])
        self.empty.set_visible(not shown)
        for artist in (self.buy_band, self.buy, self.port_band, self.port, self.even, self.even_text, self.fleet):
            artist.set_visible(shown)
        if not shown:
            self.legend.value = ""
            return None
        n, removed = self.FLEET, slowdown_removed(result)
        self.buy_band.set_data(n, n * removed["best"] * price, n * removed["worst"] * price)
        self.buy.set_ydata(n * removed["central"] * price)
        self.port_band.set_data(n, np.full_like(n, cost["best"]), np.full_like(n, cost["worst"]))
        self.port.set_ydata(np.full_like(n, cost["central"]))
        x = be["break_even_chips"]["central"]
        self.even.set_visible(bool(np.isfinite(x)))
        self.even_text.set_visible(bool(np.isfinite(x)))
        if np.isfinite(x):
            self.even.set_xdata([x, x])
            self.even_text.set_position((x, cost["central"]))
            self.even_text.set_text(f" break-even ~{x:,.0f} chips")
        chips = result.get("chips")
        self.fleet.set_visible(bool(chips))
        if chips:
            self.fleet.set_xdata([chips, chips])
        values = np.concatenate(
            [n * removed["best"] * price, n * removed["worst"] * price, [cost["best"], cost["worst"]]]
        )
        values = values[np.isfinite(values) & (values > 0)]
        self.legend.value = legend_html(
            [
                ("chips bought instead of porting", f"height:3px;background:{self.NATIVE}"),
                ("porting programme", f"height:3px;background:{self.LOSS}"),
            ]
            + ([(f"this fleet ({chips:,.0f})", "border-top:1px dashed #000")] if chips else [])
        )
        previous = self._axes[1][0] if self._axes[1] else None
        return (steady_decades(previous, values.min(), values.max()) if values.size else (1.0, 10.0)), cur


class CompatPanel:
    """Pick a stack and a workload; move coverage and efficiency sliders per op class; see the
    waterfall, the headline numbers and the porting break-even update.

    Sliders start at the stack's central values; only sliders you move override the data, so the
    ranges of the untouched inputs still give best..worst.
    """

    def __init__(self, stack: str = "huawei-cann", workload: str = "dense", chips: int = 1024, catalog=None):
        import ipywidgets as W

        from suanli.catalog import load_catalog

        self.catalog = catalog or load_catalog()
        self.stack = W.Dropdown(options=sorted(self.catalog.stacks), value=stack, description="stack")
        self.workload = W.Dropdown(options=["dense", "moe"], value=workload, description="workload")
        self.chips = W.IntText(value=chips, description="chips")
        from suanli.prices import has_price

        priced = sorted(a.id for a in self.catalog.accelerators.values() if has_price(a))
        self.chip = W.Dropdown(options=["(stack default)", *priced], value="(stack default)", description="chip")
        from suanli.scenarios.training import presets

        self.model = W.Dropdown(
            options=["(fallback profile)", *presets()], value="(fallback profile)", description="model"
        )
        self.tokens = scaled_text("tokens", 1e12)
        self._engine: dict[tuple, tuple[dict[str, float], float]] = {}
        self.sliders: dict[tuple[str, str], Any] = {}
        pages = []
        for op in OP_CLASSES:
            row = []
            for key, label in SLIDER_KEYS:
                lo = 0.05 if key.endswith("efficiency") else 0.0
                s = W.FloatSlider(
                    min=lo,
                    max=1.0,
                    step=0.01,
                    description=label,
                    readout_format=".2f",
                    continuous_update=False,
                    style={"description_width": "120px"},
                )
                self.sliders[(op, key)] = s
                row.append(s)
            pages.append(W.VBox(row))
        self.classes = W.Accordion(children=pages, titles=tuple(OP_CLASSES))
        self.summary = W.HTML()
        # PNGs in Image widgets, drawn in update(): display(fig) into an Output would leave the
        # rendering to the inline backend (a tight-bbox savefig, ~0.5 s a move) outside what a benchmark sees.
        self.charts = CompatCharts()
        self._defaults: dict[tuple[str, str], float] = {}
        self._loading = False
        self._load_stack()
        for control in (
            self.stack,
            self.workload,
            self.chips,
            self.chip,
            self.model,
            self.tokens,
            *self.sliders.values(),
        ):
            control.observe(self._on_change, names="value")
        self.widget = W.VBox(
            [
                W.HBox([self.stack, self.workload, self.model]),
                W.HBox([self.chip, self.chips, self.tokens]),
                self.classes,
                self.summary,
                self.charts.widget,
            ]
        )
        self.update()

    def _load_stack(self) -> None:
        """Sliders to the chosen stack's central values (what 'untouched' means)."""
        from suanli.models.compat import stack_profile

        self._loading = True
        try:
            central = stack_profile(self.catalog.stack(self.stack.value)).case("central")
            for (op, key), s in self.sliders.items():
                value = float(central[key][OP_CLASSES.index(op)])
                s.value = value
                self._defaults[(op, key)] = s.value
        except SuanliError:
            self._defaults = {k: s.value for k, s in self.sliders.items()}
        finally:
            self._loading = False

    def _on_change(self, change) -> None:
        if self._loading:
            return
        if change["owner"] is self.stack:
            self._load_stack()
        self.update()

    def overrides(self) -> dict[str, dict[str, float]]:
        """The slider values that differ from the stack's data.

        The three shares of a class (translated, fallback, unsupported) are one budget of at most 1:
        once one of them is moved, all three are taken as shown, so the check of their sum is the
        check of the values on screen, not of the untouched ones' range tops.
        """
        out: dict[str, dict[str, float]] = {}
        for (op, key), s in self.sliders.items():
            if abs(s.value - self._defaults.get((op, key), s.value)) > 1e-9:
                out.setdefault(op, {})[key] = float(s.value)
        for op, moved in out.items():
            if set(moved) & set(SHARE_KEYS):
                for key in SHARE_KEYS:
                    moved.setdefault(key, float(self.sliders[(op, key)].value))
        return out

    def result(self) -> dict[str, Any]:
        from suanli.scenarios.compat import compat_for, default_chip, engine_breakdown

        chip = None if self.chip.value == "(stack default)" else self.chip.value
        shares, days = None, None
        if self.model.value != "(fallback profile)":
            acc = self.catalog.accelerator(chip) if chip else default_chip(self.catalog, self.stack.value)
            tokens = scaled_value(self.tokens, "tokens")
            key = (self.model.value, tokens, acc.id if acc else None, self.chips.value)
            if key not in self._engine:  # the engine runs when its inputs change, not on every slider move
                self._engine[key] = engine_breakdown(
                    acc,
                    model=self.model.value,
                    params=None,
                    tokens=tokens,
                    chips=self.chips.value,
                    catalog=self.catalog,
                )
            shares, days = self._engine[key]
        return compat_for(
            self.stack.value,
            chip_id=chip,
            chips=self.chips.value,
            days=days,
            workload=self.workload.value,
            stack_overrides=self.overrides(),
            op_shares=shares,
            catalog=self.catalog,
        )

    def update(self) -> None:
        try:
            res = self.result()
        except SuanliError as err:
            self.summary.value = message_html(str(err))
            self.charts.widget.layout.display = "none"  # no stale charts under the message
            return
        self.summary.value = summary_html(res)
        self.charts.show(res)
        self.charts.widget.layout.display = None

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
