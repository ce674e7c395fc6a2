"""The training-time panel: a model, tokens, two chips and counts side by side; days, MFU, memory, breakdown.

No math here: every number comes from :func:`suanli.scenarios.training.estimate`. Bad input (a layout that does
not fit, a chip without the precision) shows as one red sentence in place.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from suanli import present
from suanli.widgets.base import FigureView, Panel, dropdown, legend_html, nice_ceiling, readout, slider

COUNTS = tuple(sorted({2**k for k in range(3, 15)} | {3 * 2**k for k in range(3, 13)}))
"""Device counts the count sliders step through (multiples of an 8-chip node)."""

PARTS = (
    ("compute", "#4c78a8"),
    ("memory_bound", "#9ecae9"),
    ("tp_comm", "#f58518"),
    ("pp_bubble", "#e45756"),
    ("dp_comm_exposed", "#72b7b2"),
    ("ep_comm", "#54a24b"),
    ("host_overhead", "#bab0ac"),
    ("failures", "#b279a2"),
)

ROWS = (
    ("train_days", "days", "days"),
    ("accelerator_hours", "accelerator-hours", "number"),
    ("mfu", "MFU", "percent"),
    ("hfu", "HFU", "percent"),
    ("tokens_per_s", "tokens/s", "number"),
    ("goodput", "goodput", "percent"),
    ("memory_gb_per_device", "memory / device (GiB)", "number"),
    ("step_time_s", "step time (s)", "number"),
)
"""Rows of the comparison table: estimate attribute, label, :mod:`suanli.present` formatter."""


def _chip_options(catalog) -> list[tuple[str, str]]:
    accs = [a for a in catalog.accelerators.values() if a.peak_tflops("bf16")]
    accs.sort(key=lambda a: (a.vendor, -(a.bf16_tflops or a.fp16_tflops or 0)))
    return [(f"{a.id}", a.id) for a in accs]


class TrainingPanel(Panel):
    """Pick a model, tokens and two (chip, count) fleets; see days, MFU, accelerator-hours, memory fit and
    the step-time breakdown update as a slider moves."""

    def __init__(
        self,
        model: str = "llama2-70b",
        tokens: float = 2e12,
        chip_a: str = "nvidia-a100-sxm4-80gb",
        chip_b: str = "nvidia-h100-sxm5-80gb",
        count_a: int = 2048,
        count_b: int = 1024,
        catalog=None,
    ):
        super().__init__()
        from suanli.scenarios.training import _catalog, presets

        self.catalog = _catalog(catalog)
        chips = _chip_options(self.catalog)
        models = [(f"{k} ({v})", k) for k, v in presets().items()] + [("custom: by parameter count", "")]
        self.model = dropdown("model", models, model)
        self.params = slider("params (custom)", 1e9, 2e12, 70e9, log=True)
        self.tokens = slider("tokens", 1e10, 3e13, tokens, log=True)
        self.precision = dropdown("precision", ["bf16", "fp16", "fp8"], "bf16")
        self.chip_a = dropdown("chip A", chips, chip_a)
        self.count_a = W.SelectionSlider(
            description="count A",
            options=COUNTS,
            value=_nearest(count_a),
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.chip_b = dropdown("chip B", chips, chip_b)
        self.count_b = W.SelectionSlider(
            description="count B",
            options=COUNTS,
            value=_nearest(count_b),
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.watch(
            self.model, self.params, self.tokens, self.precision, self.chip_a, self.count_a, self.chip_b, self.count_b
        )
        self.table = W.HTML()
        self.view = FigureView(7.0, 1.8)
        self.legend = W.HTML(
            legend_html([(part.replace("_", " "), f"height:9px;background:{colour}") for part, colour in PARTS])
        )
        self._bars = None
        self.estimates: list[Any] = []
        controls = [
            W.HBox([self.model, readout(self.params, present.scaled)]),
            W.HBox([readout(self.tokens, present.scaled), self.precision]),
            W.HBox([self.chip_a, self.count_a]),
            W.HBox([self.chip_b, self.count_b]),
        ]
        self.widget = self.layout(controls, [self.table, self.view.image, self.legend])
        self.update()

    def compute(self) -> None:
        from suanli.scenarios.training import estimate

        kwargs: dict[str, Any] = {
            "tokens": self.tokens.value,
            "precision": self.precision.value,
            "catalog": self.catalog,
        }
        if self.model.value:
            kwargs["model"] = self.model.value
        else:
            kwargs["params"] = self.params.value
        self.params.disabled = bool(self.model.value)
        ests = [
            estimate(chip=chip.value, count=count.value, runners_up=0, **kwargs)
            for chip, count in ((self.chip_a, self.count_a), (self.chip_b, self.count_b))
        ]
        self.estimates = ests
        self.table.value = comparison_html(ests)
        self._draw(ests)

    def _draw(self, ests) -> None:
        ax = self.view.axes
        if self._bars is None:
            ax.clear()
            self._bars = {}
            for part, colour in PARTS:
                self._bars[part] = ax.barh(
                    range(len(ests)), [0.0] * len(ests), color=colour, label=part.replace("_", " ")
                )
                self.view.animate(*self._bars[part])
            # the fleet names are text over the cached axes (tick labels would force a full redraw per move)
            self._names = [
                ax.text(-0.02, i, "", transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=8)
                for i in range(len(ests))
            ]
            self.view.animate(*self._names)
            ax.set_yticks(range(len(ests)), [""] * len(ests))
            ax.set_xlabel("seconds per optimizer step")
            ax.spines[["top", "right"]].set_visible(False)
            self.view.figure.subplots_adjust(left=0.32, bottom=0.27, right=0.97, top=0.95)
        left = [0.0] * len(ests)
        for part, _ in PARTS:
            for i, (rect, e) in enumerate(zip(self._bars[part], ests)):
                rect.set_x(left[i])
                rect.set_width(e.breakdown[part])
                left[i] += e.breakdown[part]
        for name, e in zip(self._names, ests):
            name.set_text(f"{e.count:,} x {e.chip}")
        right = nice_ceiling(max(left) * 1.05)  # a stepped limit: most moves only blit the bars
        axes_changed = self.changed("xlim", right)
        if axes_changed:
            ax.set_xlim(0, right)
        self.view.draw(full=axes_changed)


def _nearest(count: int) -> int:
    return min(COUNTS, key=lambda c: abs(c - count))


def comparison_html(ests) -> str:
    """Estimates side by side as an HTML table (headline numbers, memory fit, layout)."""
    from suanli import present

    head = "".join(
        f"<th style='text-align:right;padding:0 10px'>{html.escape(f'{present.count(e.count)} x {e.chip}')}</th>"
        for e in ests
    )
    body = ""
    for key, label, fmt in ROWS:
        cells = "".join(
            f"<td style='text-align:right;padding:0 10px'>{getattr(present, fmt)(getattr(e, key))}</td>" for e in ests
        )
        body += f"<tr><td>{label}</td>{cells}</tr>"
    fit = "".join(
        f"<td style='text-align:right;padding:0 10px'>{present.number(e.memory_gb_per_device)} of "
        f"{present.number(e.details['memory_gb']['usable'])} GiB usable</td>"
        for e in ests
    )
    body += f"<tr><td>memory fit</td>{fit}</tr>"
    lay = "".join(
        f"<td style='text-align:right;padding:0 10px'>{html.escape(e.summary()['layout'])}</td>" for e in ests
    )
    body += f"<tr><td>layout</td>{lay}</tr>"
    warn = "".join(f"<li>{html.escape(w)}</li>" for e in ests for w in e.warnings)
    return (
        f"<table><caption style='text-align:left;font-weight:bold'>Training time, side by side</caption>"
        f"<tr><th></th>{head}</tr>{body}</table>"
        + (f"<ul style='color:#a60;font-size:90%'>{warn}</ul>" if warn else "")
    )
