"""Power and siting panels for notebooks: a waterfall, a site chart, an interactive cost panel.

No math here: numbers come from :mod:`suanli.scenarios.power` and the models behind it. Errors a user
can fix (:class:`~suanli.errors.SuanliError`) are shown in place as one sentence, never a traceback.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from suanli.errors import SuanliError

WATERFALL_STEPS = (
    ("accelerators_kw", "accelerators"),
    ("host_overhead_kw", "host CPUs, memory,\nNICs, fans"),
    ("network_storage_kw", "network +\nstorage"),
    ("facility_overhead_kw", "cooling, power\ndistribution (PUE)"),
)


def message_html(text: str) -> str:
    """A user-facing error as a small red box (what panels show instead of a traceback)."""
    return f'<div style="color:#a00;border-left:3px solid #a00;padding:2px 8px">{html.escape(text)}</div>'


class Message:
    """A user-facing error sentence that displays as a red box in a notebook and as plain text elsewhere."""

    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        return message_html(self.text)

    def __repr__(self) -> str:
        return self.text


def in_place(fn: Callable[[], Any]):
    """Call ``fn``; on a :class:`SuanliError` return its :class:`Message` instead of raising."""
    try:
        return fn()
    except SuanliError as err:
        return Message(str(err))


def waterfall_figure(waterfall_kw: Mapping[str, float], title: str = "", ax=None):
    """A waterfall of the power chain: accelerators, then each overhead stacked up to the facility total."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.4))
    else:
        fig = ax.figure
    base, labels = 0.0, []
    colours = ("#4c72b0", "#dd8452", "#55a868", "#c44e52")
    for (key, label), colour in zip(WATERFALL_STEPS, colours):
        value = float(waterfall_kw[key])
        ax.bar(len(labels), value, bottom=base, color=colour)
        ax.text(len(labels), base + value, f"{value:,.0f}", ha="center", va="bottom", fontsize=8)
        base += value
        labels.append(label)
    ax.bar(len(labels), base, color="#8c8c8c")
    ax.text(len(labels), base, f"{base:,.0f}", ha="center", va="bottom", fontsize=8)
    labels.append("facility total")
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylabel("kW")
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def sites_figure(rows: Sequence[Mapping[str, Any]], centre: str = "beijing", currency: str = "CNY", ax=None):
    """Sites as points: electricity price (x) against typical PUE (y), coloured by latency to ``centre``.

    Error bars show the published ranges; sites with no latency figure to ``centre`` are hollow.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 4.5))
    else:
        fig = ax.figure
    price_key = f"price_{currency.lower()}_kwh"
    x = np.array([r[price_key] for r in rows], dtype=float)
    y = np.array([r["pue_typical"] for r in rows], dtype=float)
    lat = np.array(
        [np.nan if r.get(f"latency_{centre}_ms") is None else r[f"latency_{centre}_ms"] for r in rows], dtype=float
    )
    xerr = np.array([[r[price_key] - r["price_low"] for r in rows], [r["price_high"] - r[price_key] for r in rows]])
    yerr = np.array([[r["pue_typical"] - r["pue_low"] for r in rows], [r["pue_high"] - r["pue_typical"] for r in rows]])
    ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="none", ecolor="#bbbbbb", lw=1, zorder=1)
    known = np.isfinite(lat)
    points = ax.scatter(
        x[known],
        y[known],
        c=lat[known],
        cmap="viridis_r",
        s=60,
        zorder=2,
        vmin=0,
        vmax=max(20, np.nanmax(lat) if known.any() else 20),
    )
    ax.scatter(x[~known], y[~known], facecolors="none", edgecolors="#555555", s=60, zorder=2)
    groups: dict[tuple[float, float], list[str]] = {}
    for r, xi, yi in zip(rows, x, y):
        groups.setdefault((round(float(xi), 4), round(float(yi), 4)), []).append(r["site"].removeprefix("cn-"))
    for (xi, yi), names in groups.items():
        # sites at one point (the shared eastern-China estimate) get one label listing them all, below the point
        ax.annotate(
            "\n".join(names),
            (xi, yi),
            fontsize=7,
            xytext=(5, 3 if len(names) == 1 else -3),
            textcoords="offset points",
            va="bottom" if len(names) == 1 else "top",
        )
    fig.colorbar(points, ax=ax, label=f"round-trip latency to {centre} (ms)")
    ax.set_title(f"price vs PUE vs latency to {centre} (hollow: no latency figure; bars: published ranges)", fontsize=9)
    ax.set_xlabel(f"electricity price ({currency}/kWh)")
    ax.set_ylabel("typical PUE")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


class PowerPanel:
    """Pick a chip, a fleet, a time and a site (or a PUE and a price); see power, energy, cost and CO2.

    ``PowerPanel(catalog).widget`` is the ipywidgets box to display; :meth:`update` recomputes and is
    what every control calls. The waterfall redraws in place.
    """

    def __init__(
        self,
        catalog,
        chip: str = "nvidia-h100-sxm5-80gb",
        site: str = "cn-gansu-qingyang",
        count: int = 1024,
        hours: float = 720.0,
        currency: str = "CNY",
    ):
        import ipywidgets as W

        from suanli.models.power import DEFAULTS

        self.catalog = catalog
        chips = sorted(catalog.accelerators)
        sites = ["(custom PUE and price)", *sorted(catalog.sites)]
        self.chip = W.Dropdown(options=chips, value=chip if chip in chips else chips[0], description="chip")
        self.count = W.IntText(value=count, description="count")
        self.hours = W.FloatText(value=hours, description="hours")
        self.utilization = W.FloatSlider(
            value=round(DEFAULTS.utilization, 2), min=0.0, max=1.0, step=0.01, description="utilisation"
        )
        self.site = W.Dropdown(options=sites, value=site if site in sites else sites[0], description="site")
        self.pue = W.FloatText(value=1.3, description="PUE")
        self.price = W.FloatText(value=0.5, description="price/kWh")
        self.currency = W.ToggleButtons(options=["CNY", "USD"], value=currency, description="currency")
        self.result = W.HTML()
        self.plot = W.HTML()
        controls = [self.chip, self.count, self.hours, self.utilization, self.site, self.pue, self.price, self.currency]
        for control in controls:
            control.observe(lambda _change: self.update(), names="value")
        self.widget = W.HBox([W.VBox(controls), W.VBox([self.result, self.plot])])
        self.update()

    def options(self) -> dict[str, Any]:
        custom = self.site.value.startswith("(")
        return {
            "site": None if custom else self.site.value,
            "pue": self.pue.value if custom else None,
            "price_kwh": self.price.value if custom else None,
            "currency": self.currency.value,
        }

    def compute(self) -> dict[str, Any]:
        from suanli.scenarios.power import energy_and_cost

        return energy_and_cost(
            self.options(),
            self.catalog.accelerator(self.chip.value),
            self.count.value,
            self.hours.value,
            self.utilization.value,
            catalog=self.catalog,
        )

    def update(self) -> None:
        self.pue.disabled = self.price.disabled = not self.site.value.startswith("(")
        try:
            report = self.compute()
        except SuanliError as err:
            self.result.value = message_html(str(err))
            self.plot.value = ""
            return
        self.result.value = report_html(report)
        self.plot.value = waterfall_html(report["waterfall_kw"])


def waterfall_html(waterfall_kw: Mapping[str, float], width_px: int = 320) -> str:
    """The power waterfall as HTML bars (cheap enough to redraw on every slider move)."""
    total = float(waterfall_kw["facility_power_kw"]) or 1.0
    colours = ("#4c72b0", "#dd8452", "#55a868", "#c44e52")
    rows, base = [], 0.0
    steps = [(key, label.replace("\n", " ")) for key, label in WATERFALL_STEPS] + [
        ("facility_power_kw", "facility total")
    ]
    for i, (key, label) in enumerate(steps):
        value = float(waterfall_kw[key])
        left = 0.0 if key == "facility_power_kw" else base
        colour = colours[i] if i < len(colours) else "#8c8c8c"
        bar = (
            f"<div style='margin-left:{left / total * width_px:.1f}px;width:{max(value, 0) / total * width_px:.1f}px;"
            f"height:12px;background:{colour}'></div>"
        )
        rows.append(
            f"<tr><td style='font-size:11px'>{html.escape(label)}</td><td style='width:{width_px}px'>{bar}</td>"
            f"<td style='text-align:right;font-size:11px'>{value:,.0f} kW</td></tr>"
        )
        if key != "facility_power_kw":
            base += value
    return "<table>" + "".join(rows) + "</table>"


def report_html(report: Mapping[str, Any]) -> str:
    """The key numbers of an :func:`~suanli.scenarios.power.energy_and_cost` report as a small table."""
    from suanli.present import money, quantity

    ccy = report["currency"]

    def fmt(value, unit=""):
        return "n/a" if value is None else quantity(value, unit)

    def cash(value):
        return "n/a" if value is None else money(value, ccy)

    rows = [
        ("IT power", fmt(report["it_power_kw"], "kW")),
        ("facility power", fmt(report["facility_power_kw"], "kW")),
        ("energy", fmt(report["energy_mwh"], "MWh")),
        ("electricity", cash(report["electricity_cost"])),
        (f"hardware ({report['hardware_cost_basis'] or 'no price'})", cash(report["hardware_cost"])),
        ("total", cash(report["total_cost"])),
        ("CO2", fmt(report["co2_t"], "t")),
        ("PUE", f"{report['pue']:.3g}"),
    ]
    body = "".join(
        f"<tr><td>{html.escape(k)}</td><td style='text-align:right'>{html.escape(v)}</td></tr>" for k, v in rows
    )
    return f"<table>{body}</table>"
