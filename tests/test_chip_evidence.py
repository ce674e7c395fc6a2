"""Per-chip efficiency from evidence: vendor figures capped, measurements narrow the range, show says how."""

import json

import numpy as np
import pytest

from suanli import chip_evidence as CEV
from suanli.cli import main
from suanli.errors import InputError
from suanli.models import chip_efficiency as CE
from suanli.scenarios import chip_comparison as CC
from suanli.scenarios.training import estimate, input_sources

A100 = "nvidia-a100-sxm4-80gb"
KINDS = set(CE.KIND_WEIGHT)


def test_every_piece_of_evidence_names_its_source_kind_and_confidence():
    import suanli

    cat = suanli.load_catalog()
    for entry in CEV.entries().values():
        assert entry["applies_to"], entry["id"]
        for chip in entry["applies_to"]:
            assert chip in cat.accelerators, (entry["id"], chip)
        for ev in entry["evidence"]:
            assert ev["kind"] in KINDS and ev["metric"] in ("gemm_share", "training_ratio_vs_a100"), entry["id"]
            assert ev["source"] and ev["confidence"] and ev["value"] > 0, entry["id"]


def test_the_cap_is_the_median_independent_share_of_mature_gpus():
    # A100 0.831 (FlagPerf reference run), H100 0.806 (community torch.matmul), V100 0.78 (community cuBLAS)
    assert CEV.cap() == pytest.approx(0.806)


def test_rules_vendor_gemm_capped_measurements_narrow_vendor_only_discounted():
    only_vendor = CE.derive_efficiency([0.97], ["vendor"], cap=0.8, survival=[0.7, 0.8, 0.9])
    assert only_vendor["central"] == pytest.approx(0.8 * 0.8) and not only_vendor["measured"]
    assert only_vendor["high"] == pytest.approx(0.97) and only_vendor["low"] < only_vendor["central"]
    measured = CE.derive_efficiency([0.97, 0.7], ["vendor", "independent"], cap=0.8)
    assert measured["central"] == pytest.approx(np.exp((0.2 * np.log(0.8) + np.log(0.7)) / 1.2))
    assert measured["low"] == pytest.approx(0.7) and measured["measured"]
    assert CE.derive_efficiency([0.83], ["independent"], cap=0.8)["central"] == pytest.approx(0.83)
    with pytest.raises(InputError):
        CE.derive_efficiency([0.5], ["rumour"], cap=0.8)
    with pytest.raises(InputError):
        CE.derive_efficiency([], [], cap=0.8)


def test_implied_share_reproduces_the_ratio():
    share = CE.implied_gemm_share(0.5, 0.83, 312.0, 624.0, 0.9)
    assert share * 624.0 * 0.9 == pytest.approx(0.5 * 0.83 * 312.0)


def test_910b_follows_the_evidence_not_the_vendor_gemm_figure():
    eff = CEV.derive("huawei-ascend-910b")
    shares = [ev["share_used"] for ev in eff.evidence]
    assert eff.central < 0.972 - 0.1  # not the vendor-submitted GEMM share
    assert min(shares) <= eff.central <= max(shares)
    assert eff.low < eff.central < eff.high
    row = next(r for r in input_sources("huawei-ascend-910b") if r.name == "matmul_efficiency")
    assert row.value == pytest.approx(eff.central) and row.range == (eff.low, eff.central, eff.high)
    assert "chip_efficiency" in row.where


def test_910b_to_a100_ratio_on_gpt3_1024_chips_with_its_range():
    r = CC.ratio_to_reference("huawei-ascend-910b")
    assert r["ratio_low"] < r["ratio"] < r["ratio_high"]
    # the vendor's GEMM figure alone gave 0.98 of an A100; the evidence puts the central value clearly lower
    assert r["ratio"] < 0.9


def test_a_vendor_only_chip_is_discounted_and_says_so():
    eff = CEV.derive("biren-br100")
    assert not eff.measured and eff.thin
    assert eff.central < 0.8  # the plugin's estimate, capped and discounted
    est = estimate("gpt3-175b", tokens=300e9, chip="biren-br100", count=1024, runners_up=0)
    assert any("biren-br100: sustained GEMM share" in w for w in est.warnings)


def test_k100_low_efficiency_comes_with_a_sentence_saying_why():
    est = estimate("gpt3-175b", tokens=300e9, chip="hygon-dcu-k100", count=1024, runners_up=0)
    why = [w for w in est.warnings if w.startswith("hygon-dcu-k100: sustained GEMM share")]
    assert why and "rocBLAS" in why[0] and "PCIe" in why[0]


def test_show_says_how_the_efficiency_was_derived(capsys):
    assert main(["show", "huawei-ascend-910b"]) == 0
    text = capsys.readouterr().out
    assert "chip_efficiency.toml" in text and "how:" in text and "FlagPerf" in text
    assert main(["show", "huawei-ascend-910b", "--json"]) == 0
    eff = json.loads(capsys.readouterr().out)["efficiency"]
    assert eff["entry"] == "huawei-ascend-910b" and len(eff["evidence"]) >= 3
    assert main(["show", "intel-gaudi2"]) == 0
    assert "no entry" in capsys.readouterr().out


def test_docs_page_covers_every_compared_chip():
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "topics" / "chip-efficiency.md").read_text(encoding="utf-8")
    for chip in CC.COMPARED:
        assert f"`{chip}`" in text
        entry = CEV.entry_for(chip)
        assert entry["claims"] and entry["disagreement"], chip
