"""Shared pieces for notebook panels: the :class:`Panel` base, controls, in-place errors, figures.

The convention every panel follows
----------------------------------
1. **One object, one box.** A panel builds its controls in ``__init__``, lays them out in
   ``self.widget`` (an ipywidgets box; displaying the panel displays it) and calls
   :meth:`Panel.update` once at the end so it opens with results.
2. **One entry point.** ``update()`` recomputes everything from the controls. Every control calls
   it (:meth:`Panel.watch`), and ``benchmarks/bench_widgets.py`` times it by moving the controls
   from Python (setting ``control.value`` runs the observers synchronously, so the time measured is
   the kernel-side latency a user waits for). The goal is well under 100 ms per move.
3. **No math here.** ``compute()`` reads the controls, calls :mod:`suanli.models` / the catalog and
   writes the numbers into output widgets. Panels format; models calculate.
4. **Errors in place.** Anything a user can get wrong raises :class:`~suanli.errors.SuanliError`
   (an ``InputError`` naming the input) in the library. ``update()`` shows its message as one red
   sentence in ``self.message`` and hides the stale results; the next good update clears it. Any
   other exception is a bug: it is shown in place too (labelled as a bug, no traceback), and
   re-raised when ``Panel.strict`` is true (tests and the benchmark set it, so bugs fail loudly).
5. **Released, not dragged.** Sliders are made with ``continuous_update=False`` (:func:`slider`):
   dragging computes once, on release, so a slow kernel never queues a backlog of updates.
6. **One figure, redrawn.** :class:`FigureView` owns one matplotlib ``Figure`` (built without
   pyplot: no global state, no second copy from the inline backend) and shows it as a PNG in an
   ``ipywidgets.Image``. Build artists once, then change them in place (``set_data``,
   ``set_offsets``, ``set_height``) and call :meth:`FigureView.draw`: re-plotting from scratch or
   clearing an ``Output`` costs more and flickers. Register the data artists with
   :meth:`FigureView.animate` and fix the axes' limits where you can: a draw then blits the data
   over a cached background (axes, ticks and labels are most of a draw's cost) and only
   ``draw(full=True)`` redraws the axes. Limits that follow the data in steps
   (:func:`nice_ceiling`, :func:`decade_limits`) and ``Panel.changed("axes", limits)`` make a
   full draw rare; text that changes on every move (a title, bar names) can be animated too, and
   keys are HTML (:func:`legend_html`): glyphs are what a redraw spends most on.
7. **Programmatic changes don't recurse.** Inside ``compute()`` (or ``with self.hold():``) a panel
   may reset control options or values without triggering nested updates.

A minimal panel::

    class Doubler(Panel):
        def __init__(self):
            super().__init__()
            self.x = slider("x", 1, 10, 2)
            self.out = W.HTML()
            self.watch(self.x)
            self.widget = self.layout([self.x], [self.out])
            self.update()

        def compute(self):
            require_positive(x=self.x.value)
            self.out.value = f"2x = {2 * self.x.value}"
"""

from __future__ import annotations

import html
import io
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as W

from suanli.errors import SuanliError

STYLE = {"description_width": "initial"}
"""Descriptions at their natural width (ipywidgets cuts long labels at 90 px otherwise)."""
TOGGLE_STYLE = {**STYLE, "button_width": "auto"}
"""Toggle buttons as wide as their labels (ipywidgets' fixed width cuts "match the reference's time")."""

_UNSET = object()

BUG_PREFIX = "internal error (a bug in suanli; please report it)"


# -- messages ---------------------------------------------------------------------------------


def message_area() -> W.HTML:
    """An empty HTML widget where a panel shows a user-facing error."""
    return W.HTML(value="", layout=W.Layout(margin="2px 0"))


def message_html(text: str, *, bug: bool = False) -> str:
    """A message as one line of red text (a bug gets a dashed border, so it is told apart)."""
    border = "dashed" if bug else "solid"
    return (
        f'<div class="suanli-message" style="color:#a00;border-left:3px {border} #a00;padding:2px 8px">'
        f"{html.escape(text)}</div>"
    )


def show_message(area: W.HTML, text: str, *, bug: bool = False) -> None:
    area.value = message_html(text, bug=bug)


def clear_message(area: W.HTML) -> None:
    area.value = ""


@contextmanager
def errors_in_place(area: W.HTML, *, strict: bool = False) -> Iterator[None]:
    """Run the block; show a :class:`SuanliError` in ``area`` instead of raising, clear it on success.

    Other exceptions are bugs: shown in ``area`` as such, and re-raised when ``strict``.
    """
    try:
        yield
    except SuanliError as err:
        show_message(area, str(err))
    except Exception as err:
        show_message(area, f"{BUG_PREFIX}: {type(err).__name__}: {err}", bug=True)
        if strict:
            raise
    else:
        clear_message(area)


# -- controls ---------------------------------------------------------------------------------


def key_value_table(rows: Sequence[tuple[str, str]], *, bold_values: bool = False) -> str:
    """Label/value pairs as a small HTML table (the numbers panels show beside their charts)."""
    cell = "<b>{}</b>" if bold_values else "{}"
    body = "".join(
        f"<tr><td style='padding-right:1em'>{html.escape(k)}</td><td style='text-align:right'>{cell.format(html.escape(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def legend_html(entries: Sequence[tuple[str, str]], title: str = "") -> str:
    """A chart's key as one line of HTML under the chart: ``(name, swatch CSS)`` pairs, e.g.
    ``("compute", "height:9px;background:#4c78a8")`` for a bar or ``("P50", "border-top:1px solid #000")``
    for a line. Drawn by the browser, a key costs nothing per redraw (a matplotlib legend is text
    re-rendered on every full draw: about half the cost of a small chart)."""
    items = "".join(
        f"<span style='white-space:nowrap;margin-right:12px'><span style='display:inline-block;width:14px;"
        f"vertical-align:middle;margin-right:4px;{css}'></span>{html.escape(name)}</span> "
        for name, css in entries
    )
    head = f"<b>{html.escape(title)}:</b> " if title else ""
    return f"<div style='font-size:80%'>{head}{items}</div>"


def slider(
    description: str,
    low: float,
    high: float,
    value: float,
    step: float | None = None,
    *,
    integer: bool = False,
    log: bool = False,
    readout_format: str | None = None,
    **kwargs: Any,
) -> W.Widget:
    """A slider that computes on release (``continuous_update=False``), with a full-width label.

    ``log=True`` gives a :class:`ipywidgets.FloatLogSlider` over ``low..high`` (both > 0).
    """
    common = dict(description=description, continuous_update=False, style=STYLE, **kwargs)
    if readout_format:
        common["readout_format"] = readout_format
    if log:
        import math

        return W.FloatLogSlider(
            value=value, base=10, min=math.log10(low), max=math.log10(high), step=step or 0.01, **common
        )
    if integer:
        return W.IntSlider(value=int(value), min=int(low), max=int(high), step=int(step or 1), **common)
    return W.FloatSlider(value=value, min=low, max=high, step=step or (high - low) / 100, **common)


def readout(control: W.Widget, fmt) -> W.HBox:
    """``control`` with its own readout replaced by ``fmt(value)`` (a :mod:`suanli.present` function): a
    log slider of tokens reads ``300B``, not ``3.00e+11``. Lay out the returned box instead of the control."""
    label = W.Label(value=fmt(control.value), layout=W.Layout(min_width="70px"))
    control.readout = False

    def show(change) -> None:
        label.value = fmt(change["new"])

    control.observe(show, names="value")
    return W.HBox([control, label])


def scaled_text(description: str, value: float, **kwargs: Any) -> W.Text:
    """A text box for a large count, shown and typed the way the field writes it (``300B``, ``2T``;
    ``3e11`` and ``300,000,000,000`` are accepted too). Read it with :func:`scaled_value`."""
    from suanli import present

    return W.Text(value=present.scaled(value), description=description, continuous_update=False, style=STYLE, **kwargs)


def scaled_value(control: W.Text, name: str) -> float:
    """The number in a :func:`scaled_text` box; bad text raises :class:`~suanli.errors.InputError` naming the
    input, which the panel shows in place."""
    from suanli import present
    from suanli.errors import InputError

    try:
        return present.parse_scaled(control.value)
    except ValueError as err:
        raise InputError(f"{name}: {err}") from None


def dropdown(description: str, options: Sequence[Any], value: Any = None, **kwargs: Any) -> W.Dropdown:
    """A dropdown with a full-width label; ``value`` defaults to the first option."""
    options = list(options)
    if value not in [o[1] if isinstance(o, tuple) else o for o in options]:
        value = options[0][1] if options and isinstance(options[0], tuple) else (options[0] if options else None)
    return W.Dropdown(description=description, options=options, value=value, style=STYLE, **kwargs)


def option_values(control: W.Widget) -> list[Any]:
    """The values a selection control can take (labels stripped from ``(label, value)`` options)."""
    return [o[1] if isinstance(o, tuple) else o for o in getattr(control, "options", ())]


def sweep_values(control: W.Widget, n: int) -> list[Any]:
    """``n`` values that move ``control`` across its range (or options), none equal to the one before
    it (or, first, to the control's value), so that each assignment really fires the observers.
    The benchmark uses this."""
    values = _sweep(control, n)
    if values and values[0] == control.value:
        values = _sweep(control, n + 1)[1:]
    return values


def _sweep(control: W.Widget, n: int) -> list[Any]:
    import numpy as np

    if isinstance(control, W.SelectMultiple):
        opts = option_values(control)
        if not opts:
            return []
        # grow and shrink a selection over the options
        return [tuple(opts[: 1 + (i % min(len(opts), 4))]) for i in range(n)]
    if hasattr(control, "options"):
        opts = option_values(control)
        if len(opts) < 2:
            return []
        return [opts[(i + 1) % len(opts)] for i in range(n)]
    if isinstance(control, W.FloatLogSlider):
        exps = np.linspace(control.min, control.max, 7)
        return [float(control.base ** exps[i % 7]) for i in range(n)]
    if hasattr(control, "min") and hasattr(control, "max"):
        points = np.linspace(control.min, control.max, 7)
        if isinstance(control.value, int) and not isinstance(control.value, bool):
            points = np.unique(np.round(points).astype(int))
        values = [points[i % len(points)].item() for i in range(n)]
        return values if len(set(values)) > 1 else []
    if isinstance(control.value, bool):
        return [bool((i + 1 + control.value) % 2) for i in range(n)]
    return []


def find_controls(widget: W.Widget) -> list[W.Widget]:
    """The value-carrying controls (sliders, dropdowns, toggles, text boxes) under ``widget``, in order."""
    found: list[W.Widget] = []
    stack = [widget]
    while stack:
        w = stack.pop(0)
        children = getattr(w, "children", None)
        if children:
            stack[:0] = list(children)
        elif (
            isinstance(w, W.ValueWidget)
            and not isinstance(w, (W.HTML, W.HTMLMath, W.Label, W.Image, W.Output))
            and not getattr(w, "disabled", False)
        ):
            found.append(w)
    return found


# -- figures ----------------------------------------------------------------------------------


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 x 10^k that is >= ``value`` (> 0): an axis limit that
    moves in steps (at most 1.5x the data, so the chart keeps its resolution).

    A limit that follows the data exactly changes on every move and forces a full redraw; a stepped
    one changes rarely, so most moves only blit the data (see :class:`FigureView`).
    """
    import math

    if not value > 0 or not math.isfinite(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    steps = (
        float(f"{m}e{exponent}") for m in (1, 1.5, 2, 3, 4, 5, 6, 8, 10)
    )  # via text: 3e-1, not 0.30000000000000004
    return next(step for step in steps if step >= value * (1 - 1e-12))


def steady_top(current: float | None, value: float) -> float:
    """An upper limit for ``value`` that stays at ``current`` while ``value`` fits and fills over half of it
    (else :func:`nice_ceiling`): consecutive moves then share axes, and only blit."""
    if current is not None and current / 2 < value <= current:
        return current
    return nice_ceiling(value)


def steady_decades(current: tuple[float, float] | None, low: float, high: float) -> tuple[float, float]:
    """Log-axis limits for ``low..high`` (> 0) that stay at ``current`` while the data fits in them with at
    most two spare decades in all (else :func:`decade_limits`)."""
    import math

    wanted = decade_limits(low, high)
    if (
        current is not None
        and current[0] <= low
        and high <= current[1]
        and math.log10(current[1] / current[0]) <= math.log10(wanted[1] / wanted[0]) + 2.01
    ):
        return current
    return wanted


def compact_number(value: float) -> str:
    """1500 -> '1.5k', 2.4e9 -> '2.4G': short plain tick labels (cheaper to draw than mathtext powers of ten)."""
    for factor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:g}{suffix}"
    return f"{value:g}"


def decade_limits(low: float, high: float) -> tuple[float, float]:
    """``low..high`` (both > 0) widened to whole powers of ten: log-axis limits that move in steps."""
    import math

    return 10.0 ** math.floor(math.log10(low)), 10.0 ** math.ceil(math.log10(high))


def _figure_png(fig) -> bytes:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def displayable(fig):
    """``fig`` (a pyplot-free :class:`matplotlib.figure.Figure`), made to show as a PNG when it is a
    notebook cell's value, in JupyterLab and Voila alike.

    IPython formats figures as PNG only once pyplot has been imported under the inline backend; a
    figure built without pyplot in a notebook that never imported it would show as
    ``<Figure size ...>`` text. This registers the same PNG formatter when none is there; outside
    IPython it does nothing.
    """
    from matplotlib.figure import Figure

    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return fig
    shell = get_ipython()
    if shell is not None:
        png = shell.display_formatter.formatters["image/png"]
        if png.for_type(Figure) is None:
            png.for_type(Figure, _figure_png)
    return fig


class FigureView:
    """One matplotlib figure shown as a PNG in ``self.image``; change its artists, then :meth:`draw`.

    ``FigureView(ncols=2)`` makes a figure with two axes (``view.axes`` is then an array).

    Most of a draw is axes, ticks and labels, which rarely change. Artists registered with
    :meth:`animate` (the data: points, bars, annotations) are left out of a cached background and
    drawn over it (blitting), so a move that changes only data skips the axes. Anything else that
    changes (limits, scales, titles, labels) needs ``draw(full=True)``, which rebuilds the background.
    """

    def __init__(self, width_in: float = 6.4, height_in: float = 3.6, dpi: int = 96, nrows: int = 1, ncols: int = 1):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.dpi = dpi
        self.figure = Figure(figsize=(width_in, height_in), dpi=dpi)
        FigureCanvasAgg(self.figure)  # attaches itself as figure.canvas
        self.axes = self.figure.subplots(nrows, ncols, squeeze=True)
        self.image = W.Image(format="png", layout=W.Layout(width=f"{int(width_in * dpi)}px", height="auto"))
        self.animated: list[Any] = []
        self._background = None

    def animate(self, *artists: Any) -> None:
        """Draw these artists over the cached background on every :meth:`draw`."""
        for artist in artists:
            artist.set_animated(True)
            self.animated.append(artist)

    def forget(self, *artists: Any) -> None:
        """Remove animated artists from the figure (e.g. the previous selection's bars)."""
        for artist in artists:
            if artist in self.animated:
                self.animated.remove(artist)
            artist.remove()

    def draw(self, full: bool = False) -> None:
        """Render to PNG into the image widget; ``full`` also redraws the axes (after limits or labels change)."""
        canvas = self.figure.canvas
        if full or self._background is None or not self.animated:  # nothing registered: always a full draw
            canvas.draw()  # animated artists are skipped here
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.animated:
            if artist.get_visible() and artist.figure is not None:
                self.figure.draw_artist(artist)
        self.image.value = self._encode()

    def _encode(self) -> bytes:
        from PIL import Image

        canvas = self.figure.canvas
        buffer = io.BytesIO()
        # RGB, not RGBA (the figure is opaque): a quarter less to compress, ~20% faster. The fastest zlib
        # level: a chart PNG encodes several times faster for a few % more bytes.
        Image.frombuffer(
            "RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        ).convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def png(self) -> bytes:
        return bytes(self.image.value)


# -- the panel base ---------------------------------------------------------------------------


class Panel(ABC):
    """Base of the notebook panels: controls -> :meth:`compute` -> outputs, errors shown in place.

    Subclasses implement :meth:`compute`, call :meth:`watch` on their controls, set
    ``self.widget`` (usually with :meth:`layout`) and finish ``__init__`` with ``self.update()``.
    ``self.ok`` says whether the last update succeeded.
    """

    strict: bool = False
    """Re-raise bugs (non-:class:`SuanliError` exceptions) instead of only showing them. Tests set it."""

    def __init__(self) -> None:
        self.message = message_area()
        self.results = W.VBox()
        self.widget: W.Widget = W.VBox([self.message, self.results])
        self.controls: list[W.Widget] = []
        self.ok = False
        self._holding = 0
        self._seen: dict[str, tuple] = {}
        self._pending: dict[str, tuple] = {}

    # -- subclass API -----------------------------------------------------------------------------
    @abstractmethod
    def compute(self) -> None:
        """Read the controls, call the library, write the results (raise SuanliError for bad input)."""

    def watch(self, *controls: W.Widget) -> None:
        """Recompute when any of ``controls`` changes value."""
        for control in controls:
            control.observe(self.update, names="value")
            self.controls.append(control)

    def layout(self, controls: Sequence[W.Widget], results: Sequence[W.Widget]) -> W.Widget:
        """Controls on top, then the message line, then the results (hidden while an error shows)."""
        self.results.children = tuple(results)
        return W.VBox([W.VBox(list(controls)), self.message, self.results])

    def changed(self, part: str, *inputs: Any) -> bool:
        """True if ``part``'s inputs differ from the last successful update's (or it never ran).

        Lets ``compute()`` redraw only the outputs a moved control affects. The record is
        committed only when the whole update succeeds, so after an error everything redraws.
        """
        if self._seen.get(part, _UNSET) == inputs:
            return False
        self._pending[part] = inputs
        return True

    @property
    def main_controls(self) -> list[W.Widget]:
        """The controls the benchmark moves (all watched controls unless a panel narrows it)."""
        return list(self.controls)

    # -- running ----------------------------------------------------------------------------------
    @contextmanager
    def hold(self) -> Iterator[None]:
        """Change controls without each change triggering an update."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    def update(self, change: Any = None) -> bool:
        """Recompute from the controls; True if it worked, False if a message is showing instead."""
        if self._holding:
            return self.ok
        ok = False
        self._pending = {}
        with self.hold(), errors_in_place(self.message, strict=self.strict):
            self.compute()
            ok = True
        if ok:
            self._seen.update(self._pending)
        else:
            self._seen.clear()
        self.ok = ok
        self.results.layout.display = None if ok else "none"
        return ok

    @property
    def error(self) -> str:
        """The message showing now, as plain text ('' when none)."""
        import re

        return html.unescape(re.sub(r"<[^>]+>", "", self.message.value))

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
