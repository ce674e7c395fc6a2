"""Per-chip efficiency from evidence: reads ``suanli/data/chip_efficiency.toml`` and applies
:mod:`suanli.models.chip_efficiency` to it.

The engine's ``matmul_efficiency`` input comes from here when the file has an entry for the chip
(:func:`suanli.scenarios.training.input_sources`), else from the plugin's own value. ``suanli show CHIP`` prints the
derivation (:func:`explain_lines`).

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
        return (f"{self.chip}: sustained GEMM share {self.central:.2f} of peak (range {self.low:.2f}-{self.high:.2f}) "
                f"from {len(self.evidence)} piece(s) of evidence ({kinds}); {self.summary}")

    def as_dict(self) -> dict[str, Any]:
        return {"chip": self.chip, "entry": self.entry, "central": self.central, "low": self.low, "high": self.high,
                "rule": self.rule, "summary": self.summary, "measured": self.measured, "evidence": self.evidence}


def _catalog(catalog):
    if catalog is not None:
        return catalog
    from suanli.catalog import load_catalog

    return load_catalog()


def _stack_factor(acc, cat) -> float:
    """The chip's software-stack factor as the engine applies it (1 for CUDA; the compat model's central else)."""
    from suanli.scenarios.training import NATIVE_STACKS

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
    vals = [ev["value"] for e in entries().values() if e.get("cap_basis")
            for ev in e["evidence"] if ev["kind"] == "independent" and ev["metric"] == "gemm_share"]
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
            item["how"] = (f"{ev['value']:.3g} x A100 share {ref_share:.3f} x {ref_peak:g} TFLOPS / ({peak:g} TFLOPS x "
                           f"stack factor {stack:.3f})")
        else:
            item["share"] = float(ev["value"])
        out.append(item)
    return out


def survival(catalog=None) -> list[float]:
    """Rule 3's ratios: training-implied share / the vendor's own GEMM share, on the entries that have both."""
    cat = _catalog(catalog)
    ratios = []
    for e in entries().values():
        vendor_gemm = [ev["value"] for ev in e["evidence"]
                       if ev["metric"] == "gemm_share" and ev["kind"] in ("vendor", "vendor_harness")]
        trained = [ev for ev in e["evidence"]
                   if ev["metric"] == "training_ratio_vs_a100" and ev["kind"] in CE.MEASURED_KINDS]
        ids = [i for i in e.get("applies_to", ()) if i in cat.accelerators]
        if not vendor_gemm or not trained or not ids:
            continue
        acc = cat.accelerator(ids[0])
        shares = [it["share"] for it in _implied({"evidence": trained}, acc, cat)]
        ratios += [s / float(np.median(vendor_gemm)) for s in shares]
    return ratios or [1.0]


_CACHE: dict[tuple[int, str], tuple[Any, Any, ChipEfficiency]] = {}


def derive(chip: str, catalog=None) -> ChipEfficiency | None:
    """The evidence-derived efficiency of ``chip`` (an id or an Accelerator), or None without an entry.

    Cached per catalog object and accelerator (the evidence file is read once): every estimate resolves it."""
    cat = _catalog(catalog)
    acc = cat.accelerator(chip) if isinstance(chip, str) else chip
    entry = entry_for(acc.id)
    if entry is None:
        return None
    hit = _CACHE.get((id(cat), acc.id))
    if hit is not None and hit[0] is cat and hit[1] is acc:
        return hit[2]
    eff = _derive(acc, entry, cat)
    _CACHE[(id(cat), acc.id)] = (cat, acc, eff)
    return eff


def _derive(acc, entry, cat) -> ChipEfficiency:
    items = _implied(entry, acc, cat)
    res = CE.derive_efficiency([it["share"] for it in items], [it["kind"] for it in items], cap=cap(),
                               survival=survival(cat), gemm=[it["metric"] == "gemm_share" for it in items])
    for it, capped in zip(items, res["capped"]):
        it["share_used"] = capped
    return ChipEfficiency(acc.id, entry["id"], res["central"], res["low"], res["high"], res["rule"],
                          entry.get("summary", ""), res["measured"], items)


def explain_lines(eff: ChipEfficiency) -> list[str]:
    """Lines for ``suanli show`` and the docs: the result, the rule, then each piece of evidence."""
    lines = [(f"efficiency (sustained GEMM share of peak, from suanli/data/chip_efficiency.toml [{eff.entry}]): "
             f"{eff.central:.3f} (range {eff.low:.3f}-{eff.high:.3f})"),
             f"  how: {eff.rule}", f"  summary: {eff.summary}"]
    for ev in eff.evidence:
        val = f"{ev['value']:.3g} ({ev['metric']})"
        if ev["metric"] != "gemm_share":
            val += f" -> share {ev['share']:.3f} = {ev['how']}"
        if abs(ev["share_used"] - ev["share"]) > 1e-9:
            val += f" -> capped {ev['share_used']:.3f}"
        lines.append(f"  - [{ev['kind']}, {ev.get('confidence', '')}] {val}: {ev['source']}")
    return lines


COMPARED = ("huawei-ascend-910b", "hygon-dcu-k100", "cambricon-mlu590", "metax-c500", "biren-br100",
            "moorethreads-mtt-s4000", "nvidia-h20")
"""The chips the comparison table sets beside their public claims."""

REFERENCE_JOB = {"model": "gpt3-175b", "tokens": 300e9, "count": 1024}
"""GPT-3 175B on 300B tokens on 1,024 chips: the job the ratios are taken on."""


def ratio_to_reference(chip: str, *, catalog=None, **job) -> dict[str, Any]:
    """Per-chip training throughput of ``chip`` over the A100's on :data:`REFERENCE_JOB` (steady state), with the
    range from the evidence's low and high efficiency. Each side searches its own fastest layout."""
    from suanli.scenarios.training import estimate

    job = {**REFERENCE_JOB, **job}
    cat = _catalog(catalog)

    def tput(chip_id, eff=None):
        est = estimate(job["model"], tokens=job["tokens"], chip=chip_id, count=job["count"], run_kind="benchmark",
                       matmul_efficiency=eff, runners_up=0, catalog=cat)
        return est.tokens_per_s, est

    ref, _ = tput(REFERENCE_JOB_CHIP)
    central, est = tput(chip)
    eff = derive(chip, catalog=cat)
    low = tput(chip, eff.low)[0] if eff else central
    high = tput(chip, eff.high)[0] if eff else central
    return {"chip": chip, "ratio": central / ref, "ratio_low": low / ref, "ratio_high": high / ref, "mfu": est.mfu,
            "efficiency": eff.central if eff else None, "efficiency_low": eff.low if eff else None,
            "efficiency_high": eff.high if eff else None, "measured": eff.measured if eff else None}


REFERENCE_JOB_CHIP = REFERENCE_ID


def comparison_table(chips=COMPARED, *, catalog=None) -> list[dict[str, Any]]:
    """One row per chip: the model's ratio to the A100 with its range, the public claims and why they differ."""
    cat = _catalog(catalog)
    rows = []
    for chip in chips:
        if chip not in cat.accelerators:
            continue
        r = ratio_to_reference(chip, catalog=cat)
        e = entry_for(chip) or {}
        rows.append({**r, "claims": e.get("claims", ""), "disagreement": e.get("disagreement", ""),
                     "evidence": len(e.get("evidence", ())), "entry": e.get("id", "")})
    return rows


def markdown(catalog=None) -> str:
    """The docs page: the comparison table and, per chip, its evidence (``python -m suanli.chip_evidence``)."""
    cat = _catalog(catalog)
    rows = comparison_table(catalog=cat)
    out = ["# Chip efficiency: the evidence, and the model beside every public claim", "",
           ("Generated by `python -m suanli.chip_evidence --markdown` from `toolkit/suanli/data/chip_efficiency.toml` "
           "and the engine of this commit; notebook 07 recomputes it live."), "",
           ("Ratio: per-chip training throughput over an A100-SXM4-80GB's on GPT-3 175B (300B tokens, 1,024 chips, "
           "steady-state steps, each chip on its own fastest layout). The range re-runs the chip at the low and high "
           "end of its evidence-derived GEMM share."), "",
           "| chip | model ratio to A100 | range | GEMM share used | evidence | public claims | why they differ |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| `{r['chip']}` | {r['ratio']:.2f} | {r['ratio_low']:.2f}-{r['ratio_high']:.2f} | "
                   f"{r['efficiency']:.2f} ({r['efficiency_low']:.2f}-{r['efficiency_high']:.2f}) | {r['evidence']} "
                   f"({'measured' if r['measured'] else 'no measurement'}) | {r['claims']} | {r['disagreement']} |")
    out += ["", "## How a chip's efficiency is derived", "", CE.__doc__.split("\n\n", 1)[1].strip(), ""]
    for chip in (REFERENCE_ID, *COMPARED):
        eff = derive(chip, catalog=cat) if chip in cat.accelerators else None
        if eff is None:
            continue
        out += [f"### `{chip}`", ""] + [f"    {line}" for line in explain_lines(eff)] + [""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m suanli.chip_evidence",
                                     description="Print the chip-efficiency comparison table (markdown or JSON).")
    parser.add_argument("--markdown", action="store_true", help="the docs page (docs/topics/chip-efficiency.md)")
    args = parser.parse_args(argv)
    print(markdown() if args.markdown else json.dumps(comparison_table(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
