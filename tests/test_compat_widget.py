"""The notebook panel: sliders override only what moved, bad input shows a message, figures draw."""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def panel():
    from suanli.widgets.compat import CompatPanel

    return CompatPanel(stack="hygon-dtk", chips=512)


def test_untouched_sliders_keep_the_ranges(panel):
    assert panel.overrides() == {}
    res = panel.result()
    assert res["slowdown"]["best"] < res["slowdown"]["worst"]


def test_moving_a_slider_overrides_that_input_only(panel):
    before = panel.result()["slowdown"]["central"]
    panel.sliders[("attention", "fallback_efficiency")].value = 0.05
    assert panel.overrides() == {"attention": {"fallback_efficiency": 0.05}}
    assert panel.result()["slowdown"]["central"] > before
    panel.sliders[("attention", "fallback_efficiency")].value = panel._defaults[("attention", "fallback_efficiency")]
    assert panel.overrides() == {}


def test_impossible_shares_show_a_message_in_place(panel):
    panel.sliders[("elementwise", "fallback")].value = 0.9
    assert "more than 1" in panel.summary.value and "Traceback" not in panel.summary.value
    panel.stack.value = "rocm"  # a new stack resets the sliders to its data
    assert panel.overrides() == {} and "slowdown" in panel.summary.value


def test_figures_draw_for_every_stack():
    import matplotlib.pyplot as plt

    from suanli.scenarios.compat import compat_for
    from suanli.widgets.compat import break_even_figure, waterfall_figure

    for stack in ("cuda", "huawei-cann", "rocm"):
        res = compat_for(stack, chips=1024)
        for draw in (waterfall_figure, break_even_figure):
            fig = draw(res)
            assert fig.axes
            plt.close(fig)
