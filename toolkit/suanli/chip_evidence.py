"""Per-chip efficiency from evidence: reads ``suanli/data/chip_efficiency.toml`` and applies
:mod:`suanli.models.chip_efficiency` to it.

The engine's ``matmul_efficiency`` input comes from here when the file has an entry for the chip
(:func:`suanli.scenarios.training.input_sources`), else from the plugin's own value. ``suanli show CHIP`` prints the
derivation (:func:`explain_lines`); :mod:`suanli.scenarios.chip_comparison` sets each chip's modelled
throughput beside its public claims.

    >>> from suanli.chip_evidence import derive
    >>> eff = derive("huawei-ascend-910b")
    >>> round(eff.central, 2), eff.low < eff.central < eff.high
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from suanli.catalog import CatalogCache
from suanli.models import chip_efficiency as CE

REFERENCE_ID = "nvidia-a100-sxm4-80gb"
"""The chip training ratios are measured against (A100, or the A800 with the same silicon)."""


@functools.lru_cache(maxsize=1)
def entries() -> dict[str, dict[str, Any]]:
    """Entry id -> entry (``applies_to``, ``summary``, ``evidence`` ...), as in the data file."""
    with resources.files("suanli.data").joinpath("chip_efficiency.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {e["id"]: e for e in data.get("chip", [])}


def entry_for(chip_id: str) -> dict[str, Any] | None:
    """The entry covering ``chip_id`` (None when the file has none)."""
    for e in entries().values():
        if chip_id in e.get("applies_to", ()):
            return e
    return None


@dataclass(frozen=True)
class ChipEfficiency:
    """A chip's derived GEMM share of peak: central, range, the rule applied and each piece of evidence."""

    chip: str
    entry: str
    central: float
    low: float
    high: float
    rule: str
    summary: str
    measured: bool
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def thin(self) -> bool:
        """True when the estimate should say so: no measurement, or a range wider than 1.5x."""
        return (not self.measured) or self.high / self.low > 1.5

    def sentence(self) -> str:
        """One sentence: the value, its range, and how it was derived."""
        kinds = ", ".join(sorted({e["kind"] for e in self.evidence}))
        return (
            f"{self.chip}: sustained GEMM share {self.central:.2f} of peak (range {self.low:.2f}-{self.high:.2f}) "
            f"from {len(self.evidence)} piece(s) of evidence ({kinds}); {self.summary}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "chip": self.chip,
            "entry": self.entry,
            "central": self.central,
            "low": self.low,
            "high": self.high,
            "rule": self.rule,
            "summary": self.summary,
            "measured": self.measured,
            "evidence": self.evidence,
        }


def _catalog(catalog):
    if catalog is not None:
        return catalog
    from suanli.catalog import load_catalog

    return load_catalog()


def _stack_factor(acc, cat) -> float:
    """The chip's software-stack factor as the engine applies it (1 for CUDA; the compat model's central else)."""
    from suanli.models.compat import NATIVE_STACKS

    if not acc.stack or acc.stack in NATIVE_STACKS:
        return 1.0
    stack = cat.stacks.get(acc.stack)
    if stack is None:
        return 1.0
    from suanli.models.compat import stack_step_efficiency

    return float(stack_step_efficiency(stack)["central"])


def _peak_tflops(acc) -> float:
    return float(getattr(acc, acc.peak_field("bf16")))


def cap() -> float:
    """Rule 1's cap: the median independently measured GEMM share of the mature GPUs (entries marked ``cap_basis``)."""
    vals = [
        ev["value"]
        for e in entries().values()
        if e.get("cap_basis")
        for ev in e["evidence"]
        if ev["kind"] == "independent" and ev["metric"] == "gemm_share"
    ]
    return float(np.median(vals))


def _reference(cat) -> tuple[float, float]:
    """(share, peak TFLOP/s) of the reference chip, the share derived from its own entry."""
    ref = entry_for(REFERENCE_ID)
    vals = [ev["value"] for ev in ref["evidence"]]
    kinds = [ev["kind"] for ev in ref["evidence"]]
    share = CE.derive_efficiency(vals, kinds, cap=cap())["central"]
    return share, _peak_tflops(cat.accelerator(REFERENCE_ID))


def _implied(entry, acc, cat) -> list[dict[str, Any]]:
    """Each evidence item with ``share``: the GEMM share it implies for ``acc``."""
    ref_share, ref_peak = _reference(cat)
    peak, stack = _peak_tflops(acc), _stack_factor(acc, cat)
    out = []
    for ev in entry["evidence"]:
        item = dict(ev)
        if ev["metric"] == "training_ratio_vs_a100":
            item["share"] = float(CE.implied_gemm_share(ev["value"], ref_share, ref_peak, peak, stack))
            item["how"] = (
                f"{ev['value']:.3g} x A100 share {ref_share:.3f} x {ref_peak:g} TFLOPS / ({peak:g} TFLOPS x "
                f"stack factor {stack:.3f})"
            )
        else:
            item["share"] = float(ev["value"])
        out.append(item)
    return out


def survival(catalog=None) -> list[float]:
    """Rule 3's ratios: training-implied share / the vendor's own GEMM share, on the entries that have both."""
    cat = _catalog(catalog)
    ratios = []
    for e in entries().values():
        vendor_gemm = [
            ev["value"]
            for ev in e["evidence"]
            if ev["metric"] == "gemm_share" and ev["kind"] in ("vendor", "vendor_harness")
        ]
        trained = [
            ev for ev in e["evidence"] if ev["metric"] == "training_ratio_vs_a100" and ev["kind"] in CE.MEASURED_KINDS
        ]
        ids = [i for i in e.get("applies_to", ()) if i in cat.accelerators]
        if not vendor_gemm or not trained or not ids:
            continue
        acc = cat.accelerator(ids[0])
        shares = [it["share"] for it in _implied({"evidence": trained}, acc, cat)]
        ratios += [s / float(np.median(vendor_gemm)) for s in shares]
    return ratios or [1.0]


_DERIVED = CatalogCache(maxsize=256)
"""Per catalog object: accelerator id -> (the Accelerator it was derived for, its ChipEfficiency)."""
__unguarded__ = ("_DERIVED",)  # a cache: it changes in normal use (see suanli.plugin_guard)


def derive(chip: str, catalog=None) -> ChipEfficiency | None:
    """The evidence-derived efficiency of ``chip`` (an id or an Accelerator), or None without an entry.

    Cached per catalog object and accelerator spec (the evidence file is read once): every estimate
    resolves it. The cache lives as long as the catalog does."""
    cat = _catalog(catalog)
    acc = cat.accelerator(chip) if isinstance(chip, str) else chip
    entry = entry_for(acc.id)
    if entry is None:
        return None
    hit = _DERIVED.get(cat, acc.id)
    if hit is not None and hit[0] is acc:
        return hit[1]
    eff = _derive(acc, entry, cat)
    _DERIVED.put(cat, acc.id, (acc, eff))
    return eff


def _derive(acc, entry, cat) -> ChipEfficiency:
    items = _implied(entry, acc, cat)
    res = CE.derive_efficiency(
        [it["share"] for it in items],
        [it["kind"] for it in items],
        cap=cap(),
        survival=survival(cat),
        gemm=[it["metric"] == "gemm_share" for it in items],
    )
    for it, capped in zip(items, res["capped"]):
        it["share_used"] = capped
    return ChipEfficiency(
        acc.id,
        entry["id"],
        res["central"],
        res["low"],
        res["high"],
        res["rule"],
        entry.get("summary", ""),
        res["measured"],
        items,
    )


def explain_lines(eff: ChipEfficiency) -> list[str]:
    """Lines for ``suanli show`` and the docs: the result, the rule, then each piece of evidence."""
    lines = [
        (
            f"efficiency (sustained GEMM share of peak, from suanli/data/chip_efficiency.toml [{eff.entry}]): "
            f"{eff.central:.3f} (range {eff.low:.3f}-{eff.high:.3f})"
        ),
        f"  how: {eff.rule}",
        f"  summary: {eff.summary}",
    ]
    for ev in eff.evidence:
        val = f"{ev['value']:.3g} ({ev['metric']})"
        if ev["metric"] != "gemm_share":
            val += f" -> share {ev['share']:.3f} = {ev['how']}"
        if abs(ev["share_used"] - ev["share"]) > 1e-9:
            val += f" -> capped {ev['share_used']:.3f}"
        lines.append(f"  - [{ev['kind']}, {ev.get('confidence', '')}] {val}: {ev['source']}")
    return lines
