"""The catalog panel: filter accelerators, compare them side by side, and show where each number comes from.

    >>> from suanli.widgets.catalog import CatalogPanel
    >>> panel = CatalogPanel()          # display(panel) in a notebook
    >>> panel.vendor.value = "huawei"   # what a user's click does; panel.summary.value changes

Everything shown is read from :func:`suanli.load_catalog` (chip numbers, their sources, the
export-control metrics the catalog derives); this module only filters, sorts and draws.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as W

from suanli.errors import InputError
from suanli.spec import PRECISIONS
from suanli.widgets.base import FigureView, Panel, dropdown, nice_ceiling, slider

DEFAULT_COMPARE = ("nvidia-h100-sxm5-80gb", "nvidia-h20", "huawei-ascend-910b")
"""Chips compared when the panel opens (those present in the catalog): the reference part, its
export-compliant China variant and the domestic part most often set against them."""

TABLE_COLUMNS = {
    "vendor": "vendor",
    "peak": "{precision} peak (TFLOP/s)",
    "hbm_gb": "memory (GB)",
    "hbm_tbs": "memory bw (TB/s)",
    "tdp_w": "TDP (W)",
    "tpp": "TPP",
    "performance_density": "perf. density",
    "export_oct2022": "export Oct 2022",
    "export_oct2023": "export Oct 2023",
}
"""Columns of the filtered table (catalog field -> heading); absent fields are left out."""

COMPARE_ROWS = (
    "vendor",
    "release_year",
    "form_factor",
    "bf16_tflops",
    "fp16_tflops",
    "fp8_tflops",
    "int8_tops",
    "fp4_tflops",
    "hbm_gb",
    "hbm_tbs",
    "scaleup_link",
    "scaleup_gbs",
    "scaleup_domain",
    "tdp_w",
    "stack",
    "tpp",
    "performance_density",
    "export_oct2022",
    "export_oct2023",
)
"""Rows of the side-by-side comparison, in reading order."""

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#e7ba52",
    "#637939",
    "#843c39",
    "#5254a3",
)
"""Distinct colours (matplotlib's tab10, then darker tab20b tones), one per vendor in name order."""


def unit_label(precision: str) -> str:
    return "TOP/s" if precision == "int8" else "TFLOP/s"


def accelerator_table(catalog) -> Any:
    """The accelerators as a DataFrame with one ``peak_<precision>`` column per precision.

    Peaks come from :meth:`Accelerator.peak_tflops` (so a chip publishing only fp16 counts for
    bf16, as the spec defines).
    """
    frame = catalog.frame("accelerators")
    if frame.empty:
        raise InputError("the catalog has no accelerators; run `suanli plugins` to see why")
    for rule in ("oct2022", "oct2023"):
        if f"export_{rule}" not in frame.columns:  # the record nests it as {rule: {"eccn", "reason"}}
            frame[f"export_{rule}"] = [export_class(catalog.record(catalog.accelerator(i)), rule) for i in frame.index]
    for precision in PRECISIONS:
        frame[f"peak_{precision}"] = [catalog.accelerator(i).peak_tflops(precision) for i in frame.index]
    return frame


def export_class(record: dict[str, Any], rule: str) -> str | None:
    """The ECCN a catalog record gives under ``rule`` (``oct2022`` or ``oct2023``), flat or nested."""
    value = record.get(f"export_{rule}", record.get(rule))
    return value.get("eccn") if isinstance(value, dict) else value


class CatalogPanel(Panel):
    """Filter by vendor, precision and memory; compare chips in a table and two charts; show sources.

    ``summary`` (HTML) states how many chips match; ``table`` lists them; ``chart`` plots peak
    throughput against memory bandwidth (left) and the compared chips' peaks per precision (right);
    ``comparison`` is :meth:`Catalog.compare`; ``sources`` is :meth:`Catalog.provenance` of one
    chip, shown on demand.
    """

    def __init__(self, catalog=None, precision: str = "bf16", compare: Sequence[str] = DEFAULT_COMPARE):
        super().__init__()
        if catalog is None:
            from suanli.catalog import load_catalog

            catalog = load_catalog()
        self.catalog = catalog
        self.frame = accelerator_table(catalog)
        vendors = sorted(self.frame["vendor"].unique(), key=str.lower)
        self.colours = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(vendors)}
        max_gb = int(self.frame["hbm_gb"].max())

        self.vendor = dropdown("vendor", [("all vendors", ""), *[(v, v) for v in vendors]], "")
        self.precision = dropdown("precision", list(PRECISIONS), precision)
        self.min_memory = slider("memory at least (GB)", 0, max_gb + (-max_gb) % 8, 0, 8, integer=True)
        ids = list(self.frame.index)
        chosen = tuple(i for i in compare if i in ids) or tuple(ids[:2])
        self.compare = W.SelectMultiple(
            options=ids, value=chosen, rows=6, description="compare", style={"description_width": "initial"}
        )
        self.source_chip = dropdown("sources of", ids, chosen[0] if chosen else None)
        self.show_sources = W.ToggleButton(value=False, description="show sources", icon="book")

        self.summary = W.HTML()
        self.table = W.HTML()
        self.comparison = W.HTML()
        self.sources = W.HTML()
        self.legend = W.HTML()
        self.bars_key = W.HTML()
        self.scatter_view = FigureView(width_in=5.6, height_in=4.0)
        self.bars_view = FigureView(width_in=5.6, height_in=4.0)
        self._build_axes()

        self.watch(self.vendor, self.precision, self.min_memory, self.compare, self.source_chip, self.show_sources)
        filters = W.HBox([self.vendor, self.precision, self.min_memory])
        self.widget = self.layout(
            [filters],
            [
                self.summary,
                self.table,
                self.compare,
                self.legend,
                W.HBox([self.scatter_view.image, W.VBox([self.bars_view.image, self.bars_key])]),
                self.comparison,
                W.HBox([self.source_chip, self.show_sources]),
                self.sources,
            ],
        )
        self.update()

    @property
    def main_controls(self) -> list[W.Widget]:
        return [self.vendor, self.precision, self.min_memory, self.compare]

    # -- figures ----------------------------------------------------------------------------------
    def _build_axes(self) -> None:
        import numpy as np

        scatter, bars = self.scatter_view.axes, self.bars_view.axes
        self.points = scatter.scatter([], [], s=36, zorder=2)
        self.highlight = scatter.scatter(
            [], [], s=140, facecolors="none", edgecolors="#222222", linewidths=1.2, zorder=3
        )
        scatter.set_xlabel("memory bandwidth (TB/s)")
        scatter.grid(alpha=0.3)
        bars.grid(alpha=0.3, axis="y")
        bars.set_xticks(range(len(PRECISIONS)), [p.upper() for p in PRECISIONS], fontsize=8)
        bars.set_yscale("log")
        from matplotlib.ticker import NullLocator

        bars.yaxis.set_minor_locator(NullLocator())  # minor log ticks double the cost of a draw
        bars.set_ylabel("dense peak (TFLOP/s; INT8 in TOP/s)")
        bars.set_title("compared chips, per precision (no bar: not published)", fontsize=9)
        # Fixed limits spanning every chip: the axes then never change, and a new selection only blits bars.
        peaks = self.frame[[f"peak_{p}" for p in PRECISIONS]].to_numpy(dtype=float, na_value=np.nan)
        bars.set_ylim(np.nanmin(peaks) / 1.5, np.nanmax(peaks) * 1.5)
        bars.set_xlim(-0.6, len(PRECISIONS) - 0.4)
        scatter.set_title(" ", fontsize=9, y=1.0)  # fixed positions: placing them measures every tick label
        scatter.xaxis.set_label_coords(0.5, -0.09)
        scatter.yaxis.set_label_coords(-0.11, 0.5)
        self.scatter_view.animate(self.points, self.highlight, scatter.title)
        for view in (self.scatter_view, self.bars_view):
            view.axes.spines[["top", "right"]].set_visible(False)
            view.figure.subplots_adjust(left=0.14, right=0.97, bottom=0.12, top=0.92)
        self._bars: list[Any] = []
        self._labels: list[Any] = []

    def _draw_scatter(self, rows, precision: str, compared: Sequence[str], filters_moved: bool) -> None:
        import numpy as np

        ax = self.scatter_view.axes
        column = f"peak_{precision}"
        xy = rows[["hbm_tbs", column]].to_numpy(dtype=float)
        self.points.set_offsets(xy)
        self.points.set_facecolors([self.colours[v] for v in rows["vendor"]])
        marked = rows.loc[[i for i in compared if i in rows.index]]
        self.highlight.set_offsets(marked[["hbm_tbs", column]].to_numpy(dtype=float).reshape(-1, 2))
        self.scatter_view.forget(*self._labels)
        self._labels = [
            ax.annotate(chip, (x, y), fontsize=7, xytext=(5, 4), textcoords="offset points")
            for chip, x, y in zip(marked.index, marked["hbm_tbs"], marked[column])
        ]
        self.scatter_view.animate(*self._labels)
        if filters_moved:
            ax.title.set_text(f"{len(rows)} accelerators: {precision} peak against memory bandwidth")
            # Keys are HTML beside the images: a 13-entry matplotlib legend costs a third of a draw.
            self.legend.value = _key_html({v: self.colours[v] for v in dict.fromkeys(rows["vendor"])}, "&#9679;")
        # stepped limits: a filter that keeps them (and the precision) only blits the points
        right = max(1.0, nice_ceiling(float(np.nanmax(xy[:, 0])) * 1.12))
        top = max(1.0, nice_ceiling(float(np.nanmax(xy[:, 1])) * 1.15))
        axes_changed = self.changed("scatter axes", precision, right, top)
        if axes_changed:
            ax.set_ylabel(f"dense {precision} peak ({unit_label(precision)})")
            ax.set_xlim(0, right)
            ax.set_ylim(0, top)
        self.scatter_view.draw(full=axes_changed)

    def _draw_bars(self, compared: Sequence[str]) -> None:
        import numpy as np

        ax = self.bars_view.axes
        self.bars_view.forget(*self._bars)  # the number of bars follows the selection; the axes stay
        width = 0.8 / max(1, len(compared))
        x = np.arange(len(PRECISIONS))
        columns = [f"peak_{p}" for p in PRECISIONS]
        self._bars = []
        for k, chip in enumerate(compared):
            peaks = self.frame.loc[chip, columns].to_numpy(dtype=float, na_value=np.nan)
            self._bars.extend(
                ax.bar(
                    x + (k - (len(compared) - 1) / 2) * width, peaks, width, label=chip, color=PALETTE[k % len(PALETTE)]
                ).patches
            )
        self.bars_view.animate(*self._bars)
        self.bars_key.value = _key_html({chip: PALETTE[k % len(PALETTE)] for k, chip in enumerate(compared)}, "&#9632;")
        self.bars_view.draw()

    # -- update -----------------------------------------------------------------------------------
    def filtered(self):
        """The rows that pass the filters, highest peak first (raises InputError if none)."""
        precision = self.precision.value
        column = f"peak_{precision}"
        rows = self.frame[self.frame[column].notna() & (self.frame["hbm_gb"] >= self.min_memory.value)]
        if self.vendor.value:
            rows = rows[rows["vendor"] == self.vendor.value]
        if rows.empty:
            who = f"{self.vendor.value} accelerator" if self.vendor.value else "accelerator"
            raise InputError(
                f"no {who} in the catalog publishes a dense {precision} peak and has at least "
                f"{self.min_memory.value} GB of memory; lower the memory floor or pick another precision"
            )
        return rows.sort_values(column, ascending=False)

    def compute(self) -> None:
        precision = self.precision.value
        rows = self.filtered()
        compared = list(self.compare.value)
        if not compared:
            raise InputError("select at least one chip to compare (ctrl/cmd-click in the 'compare' list)")
        vendors = rows["vendor"].nunique()
        self.summary.value = (
            f"<b>{len(rows)}</b> of {len(self.frame)} accelerators match "
            f"({vendors} vendor{'s' if vendors != 1 else ''}); top {precision} peak: "
            f"<b>{html.escape(rows.index[0])}</b> at {rows[f'peak_{precision}'].iloc[0]:,.1f} {unit_label(precision)}"
        )
        # Redraw only what the moved control affects: a chart costs most of an update.
        filters_moved = self.changed("filters", precision, self.vendor.value, self.min_memory.value)
        if filters_moved:
            self.table.value = self.table_html(rows, precision)
        if self.changed("scatter", precision, self.vendor.value, self.min_memory.value, compared):
            self._draw_scatter(rows, precision, compared, filters_moved=filters_moved)
        if self.changed("compare", compared):
            self._draw_bars(compared)
            self.comparison.value = self.comparison_html(compared)
        if self.changed("sources", self.source_chip.value, self.show_sources.value):
            self.sources.value = self.sources_html(self.source_chip.value) if self.show_sources.value else ""

    # -- tables -----------------------------------------------------------------------------------
    def table_html(self, rows, precision: str) -> str:
        columns = {k: v.format(precision=precision) for k, v in TABLE_COLUMNS.items()}
        table = rows.rename(columns={f"peak_{precision}": "peak"})
        table = table[[c for c in columns if c in table.columns]].rename(columns=columns).rename_axis(None)
        return _scroll(table.to_html(float_format=_number, na_rep="", classes="suanli-table", border=0))

    def comparison_html(self, ids: Sequence[str]) -> str:
        side = self.catalog.compare(list(ids))
        side = side.loc[[r for r in COMPARE_ROWS if r in side.index]]
        return "<b>Side by side</b>" + _scroll(side.to_html(na_rep="", classes="suanli-table", border=0))

    def sources_html(self, chip: str) -> str:
        prov = self.catalog.provenance(chip)
        link = prov["url"].map(lambda u: f'<a href="{html.escape(u)}" target="_blank">link</a>' if u else "")
        text = {c: prov[c].fillna("").astype(str).map(html.escape) for c in ("citation", "note", "date")}
        prov = prov.assign(url=link, **text)[
            ["value", "range", "unit", "confidence", "citation", "url", "date", "note"]
        ]
        return f"<b>Sources of {html.escape(chip)}</b>" + _scroll(
            prov.to_html(escape=False, na_rep="", classes="suanli-sources", border=0), height=320
        )


TABLE_STYLE = (
    "<style>.suanli-table td, .suanli-table th {padding: 1px 8px; text-align: right}"
    " .suanli-table td:nth-child(2) {text-align: left}</style>"
)


def _number(value: float) -> str:
    """Table numbers as published (:data:`suanli.present.INPUT_DIGITS`), thousands separated."""
    from suanli.present import INPUT_DIGITS, number

    return number(value, INPUT_DIGITS)


def _scroll(table_html: str, height: int = 260) -> str:
    """A table in a box that scrolls instead of pushing the rest of the panel down."""
    return f'<div style="max-height:{height}px;overflow:auto;font-size:12px">{TABLE_STYLE}{table_html}</div>'


def _key_html(colours: dict[str, str], mark: str) -> str:
    """A one-line colour key (what a matplotlib legend would show, at no drawing cost)."""
    return " ".join(
        f'<span style="white-space:nowrap;font-size:12px;margin-right:8px"><span style="color:{c}">{mark}</span> {html.escape(k)}</span>'
        for k, c in colours.items()
    )
