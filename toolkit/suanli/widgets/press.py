"""The press-claims panel (notebook 08): move the inputs a claim leaves out and watch it hold or break.

No math here: every number comes from :mod:`suanli.scenarios.claims`. Bad input shows in place.
"""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from suanli.scenarios import claims as PC
from suanli.widgets.base import STYLE, FigureView, Panel, dropdown, nice_ceiling, slider

PRICES = np.linspace(0.5, 6.0, 56)
"""$/GPU-hour on the chart's x axis."""


def _rows(rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><td style='padding:0 12px 0 0'>{html.escape(k)}</td><td style='text-align:right'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def verdict_html(check: PC.Check) -> str:
    """A check's verdict as one coloured line."""
    colour = {"holds": "#2a7", "holds under assumptions": "#c80", "does not hold": "#a00"}[check.verdict]
    return (
        f"<div style='border-left:3px solid {colour};padding:2px 8px'><b>{html.escape(check.title)}</b>: "
        f"<span style='color:{colour}'>{html.escape(check.verdict)}</span><br>{html.escape(check.headline)}</div>"
    )


class ClaimsPanel(Panel):
    """Two claims with their hidden inputs on sliders: GPT-3's training cost (price per GPU-hour, MFU)
    and the '500B model on 15 TB' claim (bytes per token, utilisation, chip)."""

    def __init__(self, catalog=None):
        super().__init__()
        self.catalog = PC._catalog(catalog)
        self.price = slider("A100 price ($/GPU-hour)", 0.5, 6.0, 2.0, step=0.05)
        self.mfu = slider("MFU", 0.05, 0.75, 0.45, step=0.01)
        self.bytes_per_token = slider("bytes per token", 1.0, 6.0, 4.0, step=0.1)
        chips = sorted(a.id for a in self.catalog.accelerators.values() if a.peak_tflops("bf16"))
        self.chip = dropdown("card for the 'month on 10,000 cards'", chips, "nvidia-h100-sxm5-80gb")
        self.target = W.FloatText(description="cost to reach ($M)", value=1.4, step=0.1, style=STYLE)
        self.watch(self.price, self.mfu, self.target, self.bytes_per_token, self.chip)
        self.cost_out = W.HTML()
        self.big_out = W.HTML()
        self.view = FigureView(6.0, 2.8)
        ax = self.view.axes
        (self._curve,) = ax.plot(PRICES, PRICES, color="#4c78a8", lw=1.6)
        (self._marker,) = ax.plot([2.0], [1.0], "o", color="black", ms=5)
        for value, label in ((1.4, "$1.4M (Guosheng / Sunyan)"), (4.6, "$4.6M (Lambda, V100)")):
            ax.axhline(value, color="#999", lw=0.8, ls=":")
            ax.text(PRICES[-1], value, label, fontsize=7, ha="right", va="bottom", color="#555")
        ax.set_xlabel("A100 price ($ per GPU-hour)")
        ax.set_ylabel("GPT-3 training cost ($M)")
        ax.spines[["top", "right"]].set_visible(False)
        self.view.figure.subplots_adjust(left=0.12, right=0.97, bottom=0.17, top=0.9)
        self.view.animate(self._curve, self._marker, ax.title)  # the axes redraw only when their limit steps
        controls = [W.HBox([self.price, self.mfu, self.target]), W.HBox([self.bytes_per_token, self.chip])]
        self.widget = self.layout(controls, [self.cost_out, self.view.image, self.big_out])
        self.update()

    def compute(self) -> None:
        from suanli.present import money

        peak = self.catalog.accelerator("nvidia-a100-sxm4-80gb").peak_flops("bf16")
        mfu, price = float(self.mfu.value), float(self.price.value)
        cost = float(PC.gpt3_training_cost(price, peak * mfu))
        curve = PC.gpt3_training_cost(PRICES, peak * mfu) / 1e6
        self.cost_out.value = _rows(
            [
                ("GPT-3 (3.14e23 FLOPs) on A100 at this price and MFU", money(cost, "USD")),
                (
                    f"price that gives {money(self.target.value * 1e6, 'USD')} at this MFU",
                    f"{money(float(PC.price_for_cost(self.target.value * 1e6, peak * mfu)), 'USD')} per GPU-hour",
                ),
            ]
        )
        if self.changed("chart", price, mfu):
            self._curve.set_ydata(curve)
            self._marker.set_data([price], [cost / 1e6])
            top = max(5.0, nice_ceiling(float(curve.max()) * 1.05))
            axes_changed = self.changed("axes", top)
            if axes_changed:
                self.view.axes.set_ylim(0, top)
            self.view.axes.set_title(f"A100 at {mfu:.0%} MFU", fontsize=9)
            self.view.draw(full=axes_changed)
        if not self.changed("claim", float(self.bytes_per_token.value), mfu, self.chip.value):
            return  # only the cost target moved: the 500B check and the chart stand
        check = PC.large_model_500b(
            bytes_per_token=float(self.bytes_per_token.value), mfu=mfu, engine_chip=None, catalog=self.catalog
        )
        f = check.figures
        chip = self.catalog.accelerator(self.chip.value)
        need = f["sustained_flops_per_card_for_month"] / chip.peak_flops("bf16")
        self.check = check
        self.big_out.value = verdict_html(check) + _rows(
            [
                ("tokens in 15 TB", f"{f['tokens'] / 1e12:,.2f}T"),
                ("years on 1,000 PFLOPS at this MFU", f"{f['years_at_mfu']:,.2f}"),
                ("utilisation that makes it '3 years'", f"{f['utilisation_for_claimed_years']:.1%}"),
                (f"MFU a month on 10,000 {chip.id} needs", f"{need:.0%}" + (" (impossible)" if need > 1 else "")),
            ]
        )
