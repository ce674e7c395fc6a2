"""The serving panel: a model, a demand and latency targets; cost per million tokens on every chip.

No math here: the numbers come from :func:`suanli.scenarios.serving.compare`.
"""

from __future__ import annotations

import html

import ipywidgets as W

from suanli import present
from suanli.widgets.base import FigureView, Panel, dropdown, legend_html, readout, slider, steady_top

MODELS = ("llama3-70b", "llama3-8b", "qwen2.5-72b", "deepseek-v3", "qwen3-235b-a22b", "llama3-405b")
PRECISIONS = ("bf16", "fp8", "int8", "int4")
SHOWN = 14
"""Chips drawn in the chart (the cheapest that can serve)."""

COLOURS = {"hardware": "#4c78a8", "electricity": "#f58518"}


class ServingPanel(Panel):
    """Model, precision, demand (output tokens/day), TPOT and TTFT targets; a bar chart and a table by chip."""

    def __init__(self, catalog=None, model: str = "llama3-70b"):
        super().__init__()
        from suanli.scenarios.serving import _catalog

        self.catalog = _catalog(catalog)
        self._chips = [
            self.catalog.accelerator(c) for c in sorted(self.catalog.accelerators)
        ]  # read once, not per move
        self.model = dropdown("model", MODELS, model)
        self.precision = dropdown("precision", PRECISIONS, "bf16")
        self.demand = slider("output tokens per day", 1e8, 1e12, 1e10, log=True, step=0.25)
        self.tpot = slider("TPOT target (ms)", 10, 200, 50, integer=True, step=5)
        self.ttft = slider("TTFT target (ms)", 100, 10_000, 2_000, integer=True, step=100)
        self.watch(self.model, self.precision, self.demand, self.tpot, self.ttft)
        self.stats = W.HTML()
        self.table = W.HTML()
        self.view = FigureView(6.4, 4.0)
        self._build_chart()
        self.rows: list[dict] = []
        legend = W.HTML(legend_html([(name, f"height:9px;background:{c}") for name, c in COLOURS.items()]))
        self.widget = self.layout(
            [
                W.HBox([self.model, self.precision]),
                readout(self.demand, present.scaled),
                W.HBox([self.tpot, self.ttft]),
            ],
            [self.stats, self.view.image, legend, self.table],
        )
        self.update()

    def _build_chart(self) -> None:
        """Bars and chip names built once, for :data:`SHOWN` slots; a move changes their widths and texts
        and blits them over the cached axes (a full draw only when the x-axis steps or the currency changes)."""
        ax = self.view.axes
        slots = range(SHOWN)
        self._hard = ax.barh(slots, [0.0] * SHOWN, color=COLOURS["hardware"])
        self._elec = ax.barh(slots, [0.0] * SHOWN, color=COLOURS["electricity"])
        self._names = [
            ax.text(-0.02, y, "", transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=7)
            for y in slots
        ]
        ax.set_ylim(-0.6, SHOWN - 0.4)
        ax.set_yticks([])
        ax.spines[["top", "right"]].set_visible(False)
        self.view.figure.subplots_adjust(left=0.32, right=0.97, top=0.97, bottom=0.12)
        self.view.animate(*self._hard, *self._elec, *self._names)
        self._xmax = None

    def compute(self) -> None:
        from suanli.errors import InputError
        from suanli.scenarios.serving import compare

        self.rows = compare(
            self.model.value,
            self._chips,
            catalog=self.catalog,
            precision=self.precision.value,
            demand_tokens_per_day=self.demand.value,
            tpot_ms=self.tpot.value,
            ttft_ms=self.ttft.value,
        )
        ok = [r for r in self.rows if r["error"] is None and r["cost_per_million_tokens"] is not None]
        if not ok:
            raise InputError(
                f"no chip in the catalog serves {self.model.value} at TPOT <= {self.tpot.value} ms and "
                f"TTFT <= {self.ttft.value} ms; first reason: {self.rows[0]['error']}"
            )
        shown = ok[:SHOWN][::-1]  # the cheapest at the top
        blank = SHOWN - len(shown)
        for i in range(SHOWN):
            r = shown[i - blank] if i >= blank else None
            hard = (r["hardware_per_million_tokens"] or 0.0) if r else 0.0
            elec = r["electricity_per_million_tokens"] if r else 0.0
            self._hard[i].set_width(hard)
            self._elec[i].set_x(hard)
            self._elec[i].set_width(elec)
            self._names[i].set_text(r["chip"] if r else "")
        self._xmax = steady_top(self._xmax, max(r["cost_per_million_tokens"] for r in shown))
        currency = ok[0]["currency"]
        full = self.changed("axes", self._xmax, currency)
        if full:
            self.view.axes.set_xlim(0, self._xmax)
            self.view.axes.set_xlabel(f"{currency} per million output tokens")
        self.view.draw(full=full)
        best = ok[0]
        self.stats.value = (
            f"<b>{html.escape(self.model.value)}</b>, {present.scaled(self.demand.value)} output tokens a day: cheapest "
            f"<b>{html.escape(best['chip'])}</b> at <b>{best['cost_per_million_tokens']:.3g} {best['currency']}</b> per "
            f"million tokens ({best['chips_needed']:,} chips, {best['facility_kw']:,.0f} kW); "
            f"{len(ok)} of {len(self.rows)} chips meet the targets"
        )
        head = (
            "chip",
            "count",
            "batch",
            "tpot_ms",
            "ttft_ms",
            "tokens_per_s_per_chip",
            "chips_needed",
            "facility_kw",
            "cost_per_million_tokens",
        )
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r[k]))}</td>" for k in head) + "</tr>" for r in ok)
        self.table.value = "<table><tr>" + "".join(f"<th>{k}</th>" for k in head) + f"</tr>{body}</table>"


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)
