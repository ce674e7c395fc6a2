"""The scaling panel and its public-models table."""

from __future__ import annotations

import pytest

from suanli.models import scaling as s
from suanli.widgets.scaling import ScalingPanel, public_models


@pytest.fixture
def panel(monkeypatch):
    monkeypatch.setattr(ScalingPanel, "strict", True)
    return ScalingPanel()


def test_public_models_are_sourced_and_consistent():
    rows = public_models()
    assert {"gpt3-175b", "chinchilla-70b", "palm-540b", "llama2-70b"} <= {r["id"] for r in rows}
    for r in rows:
        assert r["source"].strip() and r["compute_basis"] in ("reported", "6ND")
        six_nd = s.training_flops(r["params"], r["tokens"])
        # reported budgets may count overheads (recomputation, padding) but stay near 6ND
        assert 0.7 < r["compute_flops"] / six_nd < 1.45, r["id"]


def test_panel_moves_and_reports(panel):
    assert panel.ok and panel.view.image.value
    before = panel.summary.value
    panel.flops.value = 1e25
    assert panel.ok and panel.summary.value != before
    expected = s.compute_optimal(1e25).params
    assert f"{expected / 1e9:,.3g}B" in panel.summary.value


def test_cluster_mode_and_invalid_mfu_shows_message(panel):
    panel.mode.value = "cluster"
    assert panel.ok and "PF-days" in panel.summary.value
    panel.mfu.value = 0.0
    assert not panel.ok and "mfu" in panel.error
    panel.mfu.value = 0.4
    assert panel.ok and panel.error == ""


def test_unreachable_target_loss_shows_message(panel):
    panel.target_loss.value = 1.6
    assert not panel.ok and "irreducible" in panel.error
    panel.law.value = "kaplan"
    assert panel.ok and "choose chinchilla or besiroglu" in panel.inference.value
