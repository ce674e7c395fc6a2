"""The domestic-substitution dashboard: reference fleet and goal, candidates, the table and the Pareto chart.

    from suanli.widgets.substitution import SubstitutionPanel
    SubstitutionPanel()          # displays itself; works in JupyterLab and Voila

No math here: every number comes from :mod:`suanli.scenarios.substitution`. The engine runs once per chip and
model (a grid of fleet sizes, cached); moving a slider re-reads those curves, so an update costs
tens of milliseconds. The table uses the grid answer (sizes ~10% apart); ``suanli substitute``
refines it by bisection.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import ipywidgets as W
import numpy as np

from suanli import present
from suanli.errors import InputError
from suanli.widgets.base import (
    STYLE,
    TOGGLE_STYLE,
    FigureView,
    Panel,
    compact_number,
    decade_limits,
    dropdown,
    readout,
    slider,
)

DEFAULT_REFERENCE = "nvidia-h100-sxm5-80gb:10000"
DEFAULT_CANDIDATES = (
    "huawei-ascend-910b",
    "huawei-ascend-910c",
    "nvidia-h20",
    "cambricon-mlu590",
    "hygon-dcu-k100-ai",
    "moorethreads-mtt-s4000",
    "metax-c500",
    "kunlunxin-p800",
)
TABLE_COLUMNS = (
    ("chip", "chip"),
    ("chips_needed", "chips"),
    ("train_days", "days"),
    ("facility_mw", "MW"),
    ("energy_mwh", "MWh"),
    ("cost", "cost"),
    ("racks", "racks"),
    ("floor_m2", "m²"),
    ("equal_cost_chips", "chips for equal money"),
    ("slowdown", "stack slowdown"),
    ("feasible", "feasible"),
    ("reasons", "reasons"),
)
"""Columns of the dashboard table (key, label); numbers by :mod:`suanli.present` (money with currency, counts whole)."""
COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")


def rows_html(result, currency: str) -> str:
    """The comparison as a titled HTML table (reference first), one row per candidate, and a footer that
    says what the costs include (from the rows themselves)."""
    from suanli import present

    ref = result.reference

    def cell(row, key):
        value = row.get(key)
        if key == "reasons":
            text = "; ".join(value or []) or "-"
            return f"<td style='text-align:left;padding:2px 6px;font-size:90%'>{html.escape(text)}</td>"
        if key == "feasible":
            mark = "✔" if value else "✘"
            colour = "#2a7" if value else "#a00"
            return f"<td style='color:{colour};text-align:center'>{mark}</td>"
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "<td style='text-align:right;padding:2px 6px;color:#999'>–</td>"
        text = present.format_value(value, key, currency)
        weight = "bold" if key == "chip" and row.get("pareto") else "normal"
        align = "left" if key == "chip" else "right"
        return f"<td style='text-align:{align};padding:2px 6px;font-weight:{weight}'>{html.escape(text)}</td>"

    head = "".join(
        f"<th style='text-align:{'left' if k in ('chip', 'reasons') else 'right'};padding:2px 6px'>"
        f"{html.escape(label)}</th>"
        for k, label in TABLE_COLUMNS
    )
    ref_row = {**ref, "chips_needed": ref["count"], "feasible": True, "reasons": ["reference fleet"]}
    body = "".join("<tr>" + "".join(cell(r, k) for k, _ in TABLE_COLUMNS) + "</tr>" for r in [ref_row, *result.rows])
    note = "".join(f"<div style='color:#555'>{html.escape(n)}</div>" for n in result.notes)
    lines = "".join(f"<div>{html.escape(result.headline(r))}</div>" for r in result.rows if r.get("chips_needed"))
    includes = sorted({tuple(r["cost_includes"]) for r in [ref, *result.rows] if r.get("cost") is not None})
    costs = (
        "; ".join(present.cost_label(result.options.cost_basis, inc, currency) for inc in includes)
        or f"no row can be priced on the {result.options.cost_basis} basis"
    )
    title = (
        f"{result.goal.model}, {present.scaled(result.goal.tokens)} tokens: what replaces "
        f"{present.count(ref['count'])} x {ref['chip']}"
    )
    return (
        f"<div>{note}<table style='border-collapse:collapse'>"
        f"<caption style='text-align:left;font-weight:bold;padding:4px 0'>{html.escape(title)}</caption>"
        f"<tr>{head}</tr>{body}</table>"
        f"<div style='color:#555;font-size:90%'>{html.escape(costs)}; "
        f"bold chip = on the time-cost-power front of the feasible rows; – = no fleet meets the goal (see reasons)</div>"
        f"{lines}</div>"
    )


def legend_html(chips: Sequence[str], unpriced: Sequence[str] = ()) -> str:
    """Colour swatches for the chart's chips (same colours as the scatter), plus the markers' meaning."""
    items = "".join(
        f"<div><span style='color:{COLOURS[i % len(COLOURS)]}'>●</span> {html.escape(c)}"
        f"{' <i>(no price: not on the cost chart)</i>' if c in unpriced else ''}</div>"
        for i, c in enumerate(chips)
    )
    return (
        f"<div style='font-size:85%;padding-left:8px'>{items}<div>○ the sized fleet</div>"
        "<div>◌ on the Pareto front (days, cost, MW)</div><div style='color:#a00'>-- the deadline</div></div>"
    )


class SubstitutionPanel(Panel):
    """Reference fleet and goal -> chips needed per candidate, with the Pareto chart over (days, cost, MW).

    ``SubstitutionPanel(candidates=[...], reference="nvidia-h100-sxm5-80gb:10000")``; every control calls
    :meth:`update`. ``self.result`` is the last :class:`suanli.scenarios.substitution.Comparison`, ``self.front``
    the last :func:`suanli.scenarios.substitution.pareto_options` table.
    """

    REMEMBERED = 32
    """Answers kept for inputs already seen (toggling back to a currency or a site answers at once)."""

    def __init__(
        self,
        candidates: Sequence[str] = DEFAULT_CANDIDATES,
        reference: str = DEFAULT_REFERENCE,
        model: str = "gpt3-175b",
        tokens: float = 300e9,
        deadline_days: float = 30.0,
        site: str | None = "cn-gansu-qingyang",
        catalog=None,
    ):
        super().__init__()
        from suanli.catalog import load_catalog
        from suanli.scenarios.training import presets

        self.catalog = catalog or load_catalog()
        chips = sorted(self.catalog.accelerators)
        self.model = dropdown("model", [(f"{name} ({key})", key) for key, name in presets().items()], model)
        self.tokens = slider("tokens", 1e10, 3e13, tokens, log=True)
        self.reference = W.Text(
            value=reference,
            description="reference fleet (CHIP:COUNT)",
            style=STYLE,
            continuous_update=False,
            layout=W.Layout(width="420px"),
        )
        self.candidates = W.SelectMultiple(
            options=chips,
            value=tuple(c for c in candidates if c in chips),
            description="candidates",
            rows=8,
            style=STYLE,
        )
        self.sizing = W.ToggleButtons(
            options=[("meet a deadline", "deadline"), ("match the reference's time", "equal")],
            value="deadline",
            description="size to",
            style=TOGGLE_STYLE,
        )
        self.deadline = slider(
            "deadline (days)", 1, 365, deadline_days, log=True, readout_format=".3g"
        )  # as the reasons write it
        self.site = dropdown("site", [("none", "")] + [(s, s) for s in sorted(self.catalog.sites)], site or "")
        self.currency = W.ToggleButtons(options=["CNY", "USD"], value="CNY", description="currency", style=TOGGLE_STYLE)
        self.cost_basis = W.ToggleButtons(
            options=[
                ("buy (capex)", "capex"),
                ("amortise over the run", "amortised"),
                ("rent (catalog rates)", "rental"),
            ],
            value="capex",
            description="cost",
            style=TOGGLE_STYLE,
        )
        self.y_axis = W.ToggleButtons(
            options=[("cost", "cost"), ("power", "facility_mw")], value="cost", description="chart", style=TOGGLE_STYLE
        )
        self.rack_kw = slider("rack budget (kW)", 10, 60, 40.8, step=0.1, readout_format=".1f")
        self.supply_share = slider("share of supply", 0.05, 1.0, 1.0, step=0.05, readout_format=".2f")
        self.table = W.HTML()
        self.legend = W.HTML()
        self.view = FigureView(7.5, 4.2)
        ax = self.view.axes
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training days")
        ax.spines[["top", "right"]].set_visible(False)
        from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

        for axis in (ax.xaxis, ax.yaxis):  # text is what costs to draw: few plain tick labels, no mathtext
            axis.set_minor_locator(NullLocator())
            axis.set_major_locator(LogLocator(numticks=6))
            axis.set_major_formatter(FuncFormatter(lambda v, _: compact_number(v)))
        self.view.figure.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.97)
        ax.xaxis.set_label_coords(0.5, -0.085)  # fixed: placing a label measures every tick label on each draw
        ax.yaxis.set_label_coords(-0.075, 0.5)
        self._scatter: dict[str, Any] = {}
        self._front = ax.scatter([], [], s=28, facecolors="none", edgecolors="#222", linewidths=0.8, zorder=3)
        self._chosen = ax.scatter([], [], s=90, facecolors="none", edgecolors="#000", linewidths=1.5, zorder=4)
        self._deadline_line = ax.axvline(deadline_days, color="#a00", ls="--", lw=1)
        self.view.animate(self._front, self._chosen, self._deadline_line)
        self.result = None
        self._answers: dict[tuple, tuple] = {}  # inputs -> (comparison, Pareto table, table HTML), oldest first
        self.front = None
        self.watch(
            self.model,
            self.tokens,
            self.reference,
            self.candidates,
            self.sizing,
            self.deadline,
            self.site,
            self.currency,
            self.cost_basis,
            self.rack_kw,
            self.supply_share,
            self.y_axis,
        )
        controls = [
            W.HBox([self.model, readout(self.tokens, present.scaled)]),
            W.HBox([self.reference, self.sizing]),
            W.HBox(
                [
                    self.candidates,
                    W.VBox(
                        [
                            self.deadline,
                            self.site,
                            self.currency,
                            self.cost_basis,
                            self.rack_kw,
                            self.supply_share,
                            self.y_axis,
                        ]
                    ),
                ]
            ),
        ]
        self.widget = self.layout(controls, [self.table, W.HBox([self.view.image, self.legend])])
        self.update()

    @property
    def main_controls(self) -> list[W.Widget]:
        """The controls that re-read cached curves (what benchmarks time). The model and the candidate
        list run the engine for a chip the first time it is seen (~0.5 s per chip and model)."""
        return [c for c in self.controls if c not in (self.model, self.candidates, self.reference)]

    # -- inputs -------------------------------------------------------------------------------
    def goal(self):
        from suanli.scenarios.substitution import make_goal

        deadline = self.deadline.value if self.sizing.value == "deadline" else None
        return make_goal(self.model.value, tokens=self.tokens.value, deadline_days=deadline)

    def options(self):
        from suanli.scenarios.substitution import Options

        return Options(
            site=self.site.value or None,
            currency=self.currency.value,
            cost_basis=self.cost_basis.value,
            rack_power_kw=self.rack_kw.value,
            supply_share=self.supply_share.value,
        )

    # -- compute ------------------------------------------------------------------------------
    def compute(self) -> None:
        from suanli.scenarios.substitution import compare, pareto_options, parse_fleet

        reference = parse_fleet(self.reference.value, what="the reference fleet")
        self.catalog.accelerator(reference[0])
        if not self.candidates.value:
            raise InputError("pick at least one candidate chip")
        options = self.options()
        # the chart toggle only redraws: the engine runs again only for inputs it has not seen
        inputs = tuple(c.value for c in self.controls if c is not self.y_axis)
        if self.changed("engine", *inputs):
            if inputs not in self._answers:
                goal = self.goal()
                result = compare(
                    goal, reference, list(self.candidates.value), options, catalog=self.catalog, refine=False
                )
                front = pareto_options(goal, [reference[0], *self.candidates.value], options, catalog=self.catalog)
                if len(self._answers) >= self.REMEMBERED:
                    self._answers.pop(next(iter(self._answers)))  # the oldest
                self._answers[inputs] = (result, front, rows_html(result, options.currency))
            self.result, self.front, self.table.value = self._answers[inputs]
        self._draw(self.result, self.front, options.currency, cost_axis=self.y_axis.value)

    def _draw(self, result, front, currency: str, cost_axis: str) -> None:
        ax = self.view.axes
        chips = list(dict.fromkeys(front["chip"].tolist()))
        for key in list(self._scatter):
            if key not in chips:
                self.view.forget(self._scatter.pop(key))
        y_all = front[cost_axis].astype(float)
        for i, chip in enumerate(chips):
            sel = front["chip"] == chip
            xy = np.column_stack([front["train_days"][sel].astype(float), y_all[sel]])
            xy = xy[np.isfinite(xy).all(axis=1)]
            if chip not in self._scatter:
                self._scatter[chip] = ax.scatter([], [], s=12, zorder=2)
                self.view.animate(self._scatter[chip])
            art = self._scatter[chip]
            art.set_offsets(xy if xy.size else np.empty((0, 2)))
            art.set_color(COLOURS[i % len(COLOURS)])
            art.set_alpha(1.0 if front["allowed"][sel].any() else 0.3)
        on = front["pareto"].astype(bool)
        pts = np.column_stack([front["train_days"][on].astype(float), y_all[on]])
        self._front.set_offsets(pts[np.isfinite(pts).all(axis=1)] if pts.size else np.empty((0, 2)))
        picked = [
            (r["train_days"], r["cost"] if cost_axis == "cost" else r["facility_mw"])
            for r in result.rows
            if r["train_days"] is not None and (r["cost"] if cost_axis == "cost" else r["facility_mw"]) is not None
        ]
        self._chosen.set_offsets(np.array(picked, dtype=float) if picked else np.empty((0, 2)))
        target = result.target_days or np.nan
        self._deadline_line.set_xdata([target, target])
        finite = np.isfinite(front["train_days"].astype(float)) & np.isfinite(y_all)
        limits = None
        if finite.any():  # whole decades: limits that move in steps, so most moves only blit the points
            x, y = front["train_days"].astype(float)[finite], y_all[finite]
            limits = (
                decade_limits(max(x.min() / 1.5, 0.05), min(x.max() * 1.5, 3650)),
                decade_limits(y.min() / 1.5, y.max() * 1.5),
            )
        ylabel = f"cost ({currency})" if cost_axis == "cost" else "facility power (MW)"
        axes_changed = self.changed("axes", limits, ylabel)
        if axes_changed:
            if limits:
                ax.set_xlim(*limits[0])
                ax.set_ylim(*limits[1])
            ax.set_ylabel(ylabel)
        unpriced = [c for c in chips if cost_axis == "cost" and not np.isfinite(y_all[front["chip"] == c]).any()]
        self.legend.value = legend_html(
            chips, unpriced
        )  # in HTML: a matplotlib legend costs more to draw than the points
        self.view.draw(full=axes_changed)
