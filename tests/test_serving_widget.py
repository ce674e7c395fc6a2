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


def test_fleet_panel_moves_run_a_quick_simulation_and_the_button_the_full_one():
    from suanli.widgets.fleet import FleetPanel

    panel = FleetPanel(gpus=1024, jobs=400, quick_jobs=150)
    assert panel.jobs_run == 150 and "quick run" in panel.summary.value
    first = panel.report
    panel.full_run.click()
    assert panel.jobs_run == 400 and "quick run" not in panel.summary.value
    panel.load.value = 0.8
    assert panel.jobs_run == 150
    panel.load.value = 0.6
    assert panel.report is first  # a control moved back answers from the runs already made


def test_serving_chart_keeps_its_bars_and_names_the_cheapest_chips():
    from suanli.catalog import load_catalog
    from suanli.widgets.serving import SHOWN, ServingPanel

    panel = ServingPanel(load_catalog())
    names = [t.get_text() for t in panel._names if t.get_text()]
    ok = [r for r in panel.rows if r["error"] is None and r["cost_per_million_tokens"] is not None]
    assert names[::-1] == [r["chip"] for r in ok[:SHOWN]]
    widths = [a.get_width() + b.get_width() for a, b in zip(panel._hard, panel._elec)][::-1][: len(names)]
    assert widths == pytest.approx([r["cost_per_million_tokens"] for r in ok[:SHOWN]])
    bars = list(panel._hard)
    panel.tpot.value = 100
    assert list(panel._hard) == bars and panel.view.axes.get_xlim()[1] >= max(widths) * 0.5
