"""The serving panel: opens with results, answers a move, shows an impossible target in place and recovers."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def panel():
    from suanli.catalog import load_catalog
    from suanli.widgets.base import Panel
    from suanli.widgets.serving import ServingPanel

    Panel.strict = True
    yield ServingPanel(catalog=load_catalog())
    Panel.strict = False


def test_opens_with_a_chart_and_a_table(panel):
    assert panel.ok and panel.error == ""
    assert panel.view.png()[:4] == b"\x89PNG"
    assert "nvidia-h100-sxm5-80gb" in panel.table.value
    assert "cheapest" in panel.stats.value


def test_tighter_latency_moves_the_numbers(panel):
    before = panel.table.value
    panel.tpot.value = 20
    assert panel.ok and panel.table.value != before
    panel.tpot.value = 50


def test_impossible_target_shows_a_sentence_then_recovers(panel):
    panel.model.value = "deepseek-v3"
    panel.tpot.value = 10
    panel.ttft.value = 100
    assert not panel.ok and "no chip" in panel.error
    panel.tpot.value = 100
    panel.ttft.value = 5000
    assert panel.ok and panel.error == ""
    panel.model.value = "llama3-70b"
