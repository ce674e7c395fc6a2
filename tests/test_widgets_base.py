"""The shared panel machinery: errors in place, strict mode, partial redraws, control sweeps."""

from __future__ import annotations

import itertools

import ipywidgets as W
import pytest

from suanli.errors import InputError
from suanli.validate import require_positive
from suanli.widgets.base import (
    BUG_PREFIX,
    FigureView,
    Panel,
    dropdown,
    find_controls,
    slider,
    sweep_values,
)


class Doubler(Panel):
    """The docstring's example panel, plus a switch that triggers a bug."""

    def __init__(self):
        super().__init__()
        self.x = slider("x", -5, 10, 2, 1, integer=True)
        self.buggy = W.Checkbox(value=False, description="bug")
        self.out = W.HTML()
        self.computed = []
        self.watch(self.x, self.buggy)
        self.widget = self.layout([self.x, self.buggy], [self.out])
        self.update()

    def compute(self):
        if self.buggy.value:
            raise KeyError("oops")
        require_positive(x=self.x.value)
        if self.changed("out", self.x.value):
            self.computed.append(self.x.value)
            self.out.value = f"2x = {2 * self.x.value}"


def test_a_move_updates_and_an_invalid_input_shows_in_place():
    panel = Doubler()
    assert panel.ok and panel.out.value == "2x = 4" and panel.error == ""
    panel.x.value = 3
    assert panel.out.value == "2x = 6"
    panel.x.value = -1  # no exception escapes: the message shows instead
    assert not panel.ok
    assert panel.error == "x must be a positive number, got -1"
    assert "Traceback" not in panel.message.value
    assert panel.results.layout.display == "none"  # stale numbers are hidden
    panel.x.value = 4
    assert panel.ok and panel.error == "" and panel.out.value == "2x = 8"
    assert panel.results.layout.display is None


def test_a_bug_is_shown_as_one_and_raised_in_strict_mode(monkeypatch):
    panel = Doubler()
    panel.buggy.value = True
    assert not panel.ok and panel.error.startswith(BUG_PREFIX) and "KeyError" in panel.error
    panel.buggy.value = False
    monkeypatch.setattr(Panel, "strict", True)
    with pytest.raises(KeyError):
        panel.buggy.value = True


def test_changed_skips_unchanged_parts_and_forgets_after_an_error():
    panel = Doubler()
    panel.update()
    assert panel.computed == [2]  # same input: not recomputed
    panel.x.value = -1
    panel.x.value = 2
    assert panel.computed == [2, 2]  # after an error everything redraws


def test_hold_suppresses_updates():
    panel = Doubler()
    with panel.hold():
        panel.x.value = 7
    assert panel.out.value == "2x = 4"
    panel.update()
    assert panel.out.value == "2x = 14"


def test_sliders_compute_on_release():
    for control in (slider("a", 0, 1, 0.5), slider("b", 1, 100, 10, integer=True), slider("c", 1, 1e6, 1e3, log=True)):
        assert control.continuous_update is False
    assert slider("c", 1, 1e6, 1e3, log=True).value == pytest.approx(1e3)


def test_dropdown_falls_back_to_the_first_option():
    assert dropdown("d", ["a", "b"], "zz").value == "a"
    assert dropdown("d", [("A", 1), ("B", 2)]).value == 1


def test_sweep_values_move_each_kind_of_control():
    int_slider = W.IntSlider(value=0, min=0, max=10)
    values = sweep_values(int_slider, 8)
    assert len(values) == 8 and all(a != b for a, b in itertools.pairwise(values)) and all(0 <= v <= 10 for v in values)
    assert values[0] != int_slider.value  # the first move is a real change
    drop = W.Dropdown(options=["a", "b", "c"], value="a")
    assert sweep_values(drop, 3) == ["b", "c", "a"]
    assert sweep_values(W.Dropdown(options=["only"]), 3) == []
    multi = W.SelectMultiple(options=["a", "b", "c"], value=("a",))
    assert all(v and set(v) <= {"a", "b", "c"} for v in sweep_values(multi, 5))
    assert sweep_values(W.Checkbox(value=False), 2) == [True, False]


def test_find_controls_walks_boxes_and_skips_outputs():
    a, b = W.IntSlider(), W.Dropdown(options=["x", "y"])
    box = W.VBox([W.HBox([a, W.HTML("hi")]), W.Output(), b, W.Label("l")])
    assert find_controls(box) == [a, b]


def test_figure_view_renders_png_into_the_image():
    view = FigureView(width_in=3, height_in=2)
    (line,) = view.axes.plot([0, 1], [0, 1])
    view.draw()
    first = view.png()
    assert first.startswith(b"\x89PNG")
    line.set_ydata([1, 0])
    view.draw()  # no animated artists: every draw is full
    assert view.png() != first


def test_figure_view_blits_animated_artists_and_redraws_axes_on_request():
    view = FigureView(width_in=3, height_in=2)
    view.axes.set_xlim(0, 1)
    view.axes.set_ylim(0, 1)
    (line,) = view.axes.plot([0, 1], [0, 1])
    view.animate(line)
    view.draw()
    first = view.png()
    line.set_ydata([1, 0])
    view.draw()  # blit: the moved line shows over the cached axes
    moved = view.png()
    assert moved != first
    line.set_ydata([0, 1])
    view.draw()
    assert view.png() == first  # the background holds no trace of the line
    view.axes.set_title("new title")
    view.draw()
    assert view.png() == first  # a static change needs a full draw...
    view.draw(full=True)
    assert view.png() != first  # ...which picks it up
    view.forget(line)
    assert line not in view.animated and line.axes is None


def test_input_error_is_a_suanli_error():
    # the panel contract relies on library input errors deriving from SuanliError
    from suanli.errors import SuanliError

    assert issubclass(InputError, SuanliError)


# --- axis-limit helpers the panels use to keep redraws rare ------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from suanli.widgets.base import compact_number, decade_limits, nice_ceiling, steady_decades, steady_top  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1e-9, max_value=1e15, allow_nan=False))
def test_nice_ceiling_covers_the_value_within_one_and_a_half(value):
    top = nice_ceiling(value)  # a step within 1e-12 of the value counts as reaching it (float noise)
    assert value * (1 - 1e-12) <= top <= 1.5 * value * (1 + 1e-12)


def test_nice_ceiling_steps_and_bad_values():
    assert [nice_ceiling(v) for v in (0.7, 1, 1.2, 2.5, 7, 9)] == [0.8, 1, 1.5, 3, 8, 10]
    assert nice_ceiling(0) == 1.0 and nice_ceiling(float("nan")) == 1.0


def test_steady_limits_hold_while_the_data_fits():
    assert steady_top(100.0, 60.0) == 100.0  # fits and fills over half: unchanged
    assert steady_top(100.0, 40.0) == 40.0  # under half: tighten
    assert steady_top(100.0, 120.0) == 150.0  # over: the next step
    assert decade_limits(3.0, 420.0) == (1.0, 1000.0)
    assert steady_decades((1.0, 1e4), 3.0, 420.0) == (1.0, 1e4)
    assert steady_decades((1.0, 1e4), 3.0, 4.2e4) == (1.0, 1e5)


def test_compact_number():
    assert [compact_number(v) for v in (950, 1500, 2.4e9, 3e12)] == ["950", "1.5k", "2.4G", "3T"]
