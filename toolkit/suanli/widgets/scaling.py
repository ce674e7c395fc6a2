"""The scaling panel: what model and how many tokens a budget buys, and where public models sit.

    >>> from suanli.widgets.scaling import ScalingPanel
    >>> panel = ScalingPanel()              # display(panel) in a notebook
      >>> panel.flops.value = 1e24            # what a slider move does; panel.summary.value changes

The budget is either a FLOP count or a cluster (chip x count x days x MFU, peak from the catalog).
The panel also shows the inference-aware optimum (Sardana et al. 2023) for a target loss and a
lifetime of inference tokens. Numbers come from :mod:`suanli.models.scaling`; this module formats
and draws. Well-known public models come from ``suanli/data/public_models.csv`` (each row sourced).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import ipywidgets as W
import numpy as np

from suanli import present
from suanli.widgets.base import FigureView, Panel, dropdown, key_value_table, readout, slider

PUBLIC_MODELS_CSV = Path(__file__).resolve().parent.parent / "data" / "public_models.csv"
FRONTIER_FLOPS = np.logspace(18, 27, 181)
"""Budgets the frontier line is drawn over (FLOPs)."""

DEFAULT_CHIP = "nvidia-h100-sxm5-80gb"

LABELLED = {
    "gpt3-175b": (-5, 2),
    "gopher-280b": (-5, 4),
    "palm-540b": (5, -3),
    "chinchilla-70b": (6, -8),
    "llama1-7b": (-5, 2),
    "llama2-70b": (6, 0),
    "mt-nlg-530b": (-5, 3),
}
"""Public models named on the chart (others are unlabelled points), with label offsets in points."""


@cache
def public_models() -> tuple[dict, ...]:
    """Rows of ``public_models.csv``: id, model, organisation, year, params, tokens, compute_flops (floats),
    compute_basis ('reported' or '6ND'), source, note."""
    with PUBLIC_MODELS_CSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for key in ("params", "tokens", "compute_flops"):
            row[key] = float(row[key])
        row["year"] = int(row["year"])
    return tuple(rows)


def _fmt(value: float, unit: str = "") -> str:
    value = float(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= scale and unit in ("params", "tokens"):
            return f"{value / scale:,.3g}{suffix}"
    return f"{value:.3g}"


def _table(rows: list[tuple[str, str]]) -> str:
    return key_value_table(rows, bold_values=True)


class ScalingPanel(Panel):
    """Budget (FLOPs or a cluster) -> compute-optimal N, D and loss, plus the inference-aware optimum."""

    def __init__(self, law: str | None = None, compute_flops: float = 5.76e23) -> None:
        super().__init__()
        from suanli.models import scaling

        self.scaling = scaling
        self.law = dropdown(
            "law",
            [
                ("Besiroglu 2024 refit of Chinchilla (default)", "besiroglu"),
                ("Chinchilla Approach 3 as printed (Hoffmann 2022)", "chinchilla"),
                ("Kaplan 2020", "kaplan"),
            ],
            law or scaling.DEFAULT_LAW,
        )
        self.mode = W.ToggleButtons(
            options=[("FLOP budget", "flops"), ("cluster", "cluster")],
            value="flops",
            description="budget from",
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.flops = slider("training FLOPs", 1e18, 1e27, compute_flops, step=0.05, log=True)
        self.chip = dropdown("chip", self._chip_ids(), DEFAULT_CHIP)
        self.count = slider("chips", 8, 100_000, 1024, step=0.05, log=True, readout_format=",.0f")
        self.days = slider("days", 1, 365, 30, step=1)
        self.mfu = slider("MFU", 0.0, 0.8, scaling.DEFAULT_MFU, step=0.01, readout_format=".2f")
        self.target_loss = slider("target loss (inference-aware)", 1.5, 3.5, 2.1, step=0.01)
        self.inference_tokens = slider("lifetime inference tokens", 1e9, 1e16, 2e12, step=0.1, log=True)
        self.cluster_box = W.VBox([self.chip, self.count, self.days, self.mfu])
        self.summary = W.HTML()
        self.inference = W.HTML()
        self.view = FigureView(width_in=6.4, height_in=4.0)
        self._build_figure()
        self.watch(
            self.law,
            self.mode,
            self.flops,
            self.chip,
            self.count,
            self.days,
            self.mfu,
            self.target_loss,
            self.inference_tokens,
        )
        self.widget = self.layout(
            [
                self.law,
                self.mode,
                readout(self.flops, present.scientific),
                self.cluster_box,
                self.target_loss,
                readout(self.inference_tokens, present.scaled),
            ],
            [W.HBox([self.summary, self.inference]), self.view.image],
        )
        self.update()

    @staticmethod
    def _chip_ids() -> list[str]:
        from suanli.catalog import load_catalog

        return sorted(load_catalog().accelerators) or [DEFAULT_CHIP]

    def _build_figure(self) -> None:
        ax = self.view.axes
        models = public_models()
        ax.set_xscale("log")
        ax.set_yscale("log")
        (self.frontier_line,) = ax.plot([], [], color="#4c72b0", lw=2, label="compute-optimal N", animated=True)
        (self.ratio20_line,) = ax.plot(
            FRONTIER_FLOPS,
            np.sqrt(FRONTIER_FLOPS / 120.0),
            color="#8c8c8c",
            lw=1,
            ls="--",
            label="20 tokens per parameter",
        )
        ax.scatter(
            [m["compute_flops"] for m in models],
            [m["params"] for m in models],
            s=18,
            color="#dd8452",
            zorder=3,
            label="public models",
        )
        for m in models:
            offset = LABELLED.get(m["id"])
            if offset is not None:
                ax.annotate(
                    m["model"],
                    (m["compute_flops"], m["params"]),
                    fontsize=7,
                    xytext=offset,
                    textcoords="offset points",
                    ha="right" if offset[0] < 0 else "left",
                )
        (self.marker,) = ax.plot(
            [], [], marker="*", ms=14, color="#c44e52", ls="none", zorder=4, label="this budget", animated=True
        )
        ax.set_xlim(FRONTIER_FLOPS[0], FRONTIER_FLOPS[-1])
        ax.set_ylim(1e7, 1e13)
        ax.set_xlabel("training compute (FLOPs)")
        ax.set_ylabel("parameters")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
        self.view.figure.tight_layout()
        # The public models, labels and legend never change: render them once and, on each update,
        # paint only the frontier and the marker over a copy (blitting), which keeps a move fast.
        canvas = self.view.figure.canvas
        canvas.draw()
        self._background = canvas.copy_from_bbox(self.view.figure.bbox)

    def _draw(self) -> None:
        import io

        from PIL import Image

        canvas = self.view.figure.canvas
        canvas.restore_region(self._background)
        self.view.axes.draw_artist(self.frontier_line)
        self.view.axes.draw_artist(self.marker)
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png", compress_level=1)
        self.view.image.value = buffer.getvalue()

    def budget(self) -> float:
        """The training budget in FLOPs the controls describe."""
        if self.mode.value == "flops":
            return float(self.flops.value)
        from suanli.catalog import load_catalog

        peak = load_catalog().accelerator(self.chip.value).peak_flops("bf16")
        return float(self.scaling.cluster_compute(self.count.value, peak, self.days.value, self.mfu.value))

    def compute(self) -> None:
        s = self.scaling
        self.cluster_box.layout.display = None if self.mode.value == "cluster" else "none"
        self.flops.layout.display = None if self.mode.value == "flops" else "none"
        law = s.get_law(self.law.value)
        budget = self.budget()
        alloc = s.compute_optimal(budget, law)
        rows = [
            ("budget", f"{budget:.3g} FLOPs ({s.flops_to_pf_days(budget):,.0f} PF-days)"),
            ("n_opt (parameters)", _fmt(alloc.params, "params")),
            ("d_opt (tokens)", _fmt(alloc.tokens, "tokens")),
            ("tokens per parameter", f"{float(alloc.tokens_per_param):.3g}"),
            (f"loss ({law.name})", f"{float(alloc.loss):.3f}"),
        ]
        self.summary.value = "<b>compute-optimal</b>" + _table(rows)
        frontier = s.compute_optimal(FRONTIER_FLOPS, law)
        self.frontier_line.set_data(FRONTIER_FLOPS, frontier.params)
        self.marker.set_data([budget], [alloc.params])
        self._draw()
        if law.name == "kaplan":
            self.inference.value = (
                "<b>inference-aware (Sardana 2023)</b><br>needs a law of the form "
                "E + A/N<sup>&alpha;</sup> + B/D<sup>&beta;</sup>: choose chinchilla or besiroglu"
            )
            return
        opt = s.inference_aware_optimum(self.target_loss.value, self.inference_tokens.value, law)
        rows = [
            ("target loss", f"{self.target_loss.value:.2f}"),
            (
                "parameters",
                f"{_fmt(opt['params'], 'params')} (Chinchilla-optimal {_fmt(opt['chinchilla_params'], 'params')})",
            ),
            (
                "training tokens",
                f"{_fmt(opt['tokens'], 'tokens')} (Chinchilla-optimal {_fmt(opt['chinchilla_tokens'], 'tokens')})",
            ),
            ("lifetime FLOPs", f"{opt['total_flops']:.3g} ({100 * opt['saving_fraction']:.1f}% less)"),
        ]
        self.inference.value = "<b>inference-aware (Sardana 2023)</b>" + _table(rows)
