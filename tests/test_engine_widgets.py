"""The training-time and backtest panels: they build, respond to controls, and show bad input in place."""

import pytest

pytest.importorskip("ipywidgets")


def _catalog_has(chip_id):
    try:
        import suanli

        return chip_id in suanli.load_catalog().accelerators
    except Exception:  # noqa: BLE001 - any catalog failure means: skip
        return False


pytestmark = pytest.mark.skipif(
    not (_catalog_has("nvidia-a100-sxm4-80gb") and _catalog_has("nvidia-h100-sxm5-80gb")),
    reason="the NVIDIA plugin's chips are not in this checkout",
)


@pytest.fixture
def strict_panels(monkeypatch):
    from suanli.widgets.backtest import BacktestPanel
    from suanli.widgets.training import TrainingPanel

    monkeypatch.setattr(TrainingPanel, "strict", True)
    monkeypatch.setattr(BacktestPanel, "strict", True)
    return TrainingPanel, BacktestPanel


def test_training_panel_updates_and_shows_errors_in_place(strict_panels):
    TrainingPanel, _ = strict_panels
    p = TrainingPanel(model="llama2-70b", count_a=2048, count_b=1024)
    assert p.ok and "days" in p.table.value and len(p.view.png()) > 1000
    days = p.estimates[0].train_days
    p.tokens.value = p.tokens.value * 2
    assert p.ok and p.estimates[0].train_days == pytest.approx(2 * days, rel=0.05)
    p.count_a.value = 8
    assert not p.ok and "nothing fits" in p.error
    p.count_a.value = 2048
    assert p.ok and p.error == ""
    p.precision.value = "fp8"  # the A100 has no FP8
    assert not p.ok and "fp8" in p.error
    p.precision.value = "bf16"
    p.model.value = ""
    assert p.ok and not p.params.disabled


def test_backtest_panel_slider(strict_panels):
    _, BacktestPanel = strict_panels
    b = BacktestPanel()
    assert b.ok and "median" in b.stats.value
    low = b.errors_at(0.6)
    high = b.errors_at(0.9)
    assert (high <= low + 1e-12).all()  # a more efficient stack predicts shorter times everywhere
    b.kind.value = "accelerator_hours"
    assert b.ok and "rows" in b.stats.value
