"""The checks every public function and command applies to what a user gives it.

One module, so that "a positive number", "a whole count" or "a seed" mean the same everywhere and
fail with the same kind of sentence (:class:`suanli.errors.InputError`, naming the input and what it
got). Models and commands import these; none re-writes them.
"""

from __future__ import annotations

import contextvars
import math
import numbers
from typing import Any

from suanli.errors import InputError

MAX_COUNT = 10**12
"""The largest count of chips, samples or sequences a model accepts (far beyond any real fleet, and
still exact as a float, so that a result never echoes a different integer)."""


def number(name: str, value: Any) -> float:
    """``value`` as a finite float: a real scalar (never text, an array, a bool or None)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        shape = getattr(value, "shape", None)
        if shape == () and hasattr(value, "item"):  # a numpy scalar or 0-d array
            return number(name, value.item())
        raise InputError(f"{name} must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    return out


def positive(name: str, value: Any) -> float:
    """``value`` as a finite float > 0."""
    out = number(name, value)
    if out <= 0:
        raise InputError(f"{name} must be a positive number, got {value!r}")
    return out


def non_negative(name: str, value: Any) -> float:
    """``value`` as a finite float >= 0."""
    out = number(name, value)
    if out < 0:
        raise InputError(f"{name} must not be negative, got {value!r}")
    return out


def fraction(name: str, value: Any, *, zero_ok: bool = True) -> float:
    """``value`` as a float in [0, 1] (``zero_ok=False``: in (0, 1])."""
    out = number(name, value)
    if not (0 <= out <= 1) or (out == 0 and not zero_ok):
        raise InputError(f"{name} must lie in {'[0' if zero_ok else '(0'}, 1], got {value!r}")
    return out


def whole(name: str, value: Any, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    """``value`` as an int: a finite whole number in ``minimum..maximum``."""
    if getattr(value, "shape", ()) != ():  # an array where one number belongs
        raise InputError(f"{name} must be one whole number >= {minimum}, got {value!r}")
    if isinstance(value, bool) or not (isinstance(value, numbers.Real) or hasattr(value, "__index__")):
        raise InputError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    if isinstance(value, numbers.Integral) or hasattr(value, "__index__") and not isinstance(value, float):
        out = int(value)
    else:
        as_float = float(value)
        if not math.isfinite(as_float) or as_float != int(as_float):
            raise InputError(f"{name} must be a whole number >= {minimum}, got {value!r}")
        out = int(as_float)
    if out < minimum:
        raise InputError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    if out > maximum:
        raise InputError(f"{name} must be at most {maximum:,}, got {value!r}")
    return out


def seed(value: Any) -> int:
    """A random seed: a whole number in 0..2**63-1."""
    return whole("seed", value, minimum=0, maximum=2**63 - 1)


def name(what: str, value: Any) -> str:
    """A non-empty id or preset name."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} must be a name (text), got {value!r}")
    return value


def require_positive(**values) -> None:
    """Raise :class:`InputError` naming the first value that is not a finite number > 0.

    Accepts scalars or numpy arrays (every element is checked).
    """
    import numpy as np

    for key, value in values.items():
        # text ("1e12"), True/False and None are not numbers here, whatever numpy would make of them
        if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
            raise InputError(f"{key} must be a positive number, got {value!r}")
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):  # a word or a mapping where a number belongs
            raise InputError(f"{key} must be a positive number, got {value!r}") from None
        if arr.dtype.kind not in "fiu" or np.asarray(value).dtype.kind in "USOb":
            raise InputError(f"{key} must be a positive number, got {value!r}")
        if arr.size == 0 or not np.all(np.isfinite(arr)) or not np.all(arr > 0):
            raise InputError(f"{key} must be a positive number, got {value!r}")


def require_whole(label: str, value, minimum: int = 1) -> int:
    """``value`` as an int if it is a finite whole number >= ``minimum``; else :class:`InputError`."""
    return whole(label, value, minimum=minimum, maximum=2**63 - 1)


def float_array(name: str, value: Any, what: str = "a number or an array of numbers"):
    """``value`` as a float numpy array, NaN and inf left as they are; text, None, a bool or a ragged
    list is refused with a sentence (``what`` says what was expected)."""
    import numpy as np

    if isinstance(value, (str, bytes)) or value is None or isinstance(value, bool):
        raise InputError(f"{name} must be {what}, got {value!r}")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be {what}, got {value!r}") from None


def array(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    allow_inf: bool = False,
):
    """``value`` as a float numpy array (a scalar gives a 0-d array), every element finite (or, with
    ``allow_inf``, not NaN) and within ``low``..``high`` (``low_open``: strictly above ``low``). Text,
    None or a ragged list is refused.

    Two reductions (min and max; NaN propagates through both) decide every test, so a check costs
    about the same for one number as for a million.
    """
    import numpy as np

    arr = value if type(value) is np.ndarray and value.dtype == np.float64 else float_array(name, value)
    if arr.size == 0:
        raise InputError(f"{name} must be {'a number' if allow_inf else 'finite numbers'}, got {value!r}")
    smallest, largest = (float(arr), float(arr)) if arr.ndim == 0 else (float(arr.min()), float(arr.max()))
    if math.isnan(smallest) or math.isnan(largest) or (not allow_inf and (math.isinf(smallest) or math.isinf(largest))):
        raise InputError(f"{name} must be {'a number' if allow_inf else 'finite numbers'}, got {value!r}")
    below = low is not None and (smallest <= low if low_open else smallest < low)
    if below or (high is not None and largest > high):
        raise InputError(f"{name} must {_range_words(low, high, low_open)}, got {value!r}")
    return arr


def _range_words(low: float | None, high: float | None, low_open: bool) -> str:
    if low == 0 and high is None:
        return "be a positive number" if low_open else "not be negative"
    if low == 0 and high == 1:
        return "be above 0 and at most 1" if low_open else "be between 0 and 1"
    lower = f"{'above' if low_open else 'at least'} {low:g}" if low is not None else ""
    upper = f"at most {high:g}" if high is not None else ""
    return "be " + " and ".join(w for w in (lower, upper) if w)


def share(name: str, value: Any):
    """A share of time (array): finite, in 0..1."""
    return array(name, value, low=0.0, high=1.0)


def efficiency(name: str, value: Any):
    """A speed relative to a reference (array): finite, in (0, 1]."""
    return array(name, value, low=0.0, high=1.0, low_open=True)


# -- entry checks for the model functions -------------------------------------------------------------
#
# A model function declares what each of its inputs must be with :func:`checked`, e.g.
#
#     @checked(nbytes=NON_NEGATIVE, n=COUNT, bandwidth_bytes_per_s=POSITIVE, alpha_s=NON_NEGATIVE)
#     def ring_all_reduce(nbytes, n, bandwidth_bytes_per_s, alpha_s): ...
#
# Each kind is a function ``(name, value) -> None`` raising :class:`InputError`; on arrays it is one
# vectorised comparison (no Python loop over the elements). The checks only look: the function still
# receives what the caller passed, so a scalar in still gives a float out; the one exception is a list
# or tuple given for a numeric input, which the function receives as a float array.


def POSITIVE(name: str, value: Any) -> None:
    """A finite number > 0, or an array of them."""
    array(name, value, low=0.0, low_open=True)


def NON_NEGATIVE(name: str, value: Any) -> None:
    """A finite number >= 0, or an array of them."""
    array(name, value, low=0.0)


def POSITIVE_OR_INF(name: str, value: Any) -> None:
    """A number > 0 where infinity means "never" (an MTBF with no failures), or an array of them."""
    array(name, value, low=0.0, low_open=True, allow_inf=True)


def NON_NEGATIVE_OR_INF(name: str, value: Any) -> None:
    """A number >= 0 where infinity is a verdict (a run that does not fit takes forever), or an array."""
    array(name, value, low=0.0, allow_inf=True)


def ONE_NON_NEGATIVE_OR_INF(name: str, value: Any) -> None:
    """A single number >= 0 where infinity is a verdict (a fleet no size of which meets the goal), not an array."""
    import numpy as np

    if np.ndim(value) != 0:
        raise InputError(f"{name} must be one number, not a list or an array, got {value!r}")
    NON_NEGATIVE_OR_INF(name, value)


def FUNCTION(name_: str, value: Any) -> None:
    """Something to call (a model, a time-at-size function)."""
    if not callable(value):
        raise InputError(f"{name_} must be a function, got {value!r}")


def FINITE(name: str, value: Any) -> None:
    """Any finite number (a signed quantity), or an array of them."""
    array(name, value)


def SHARE(name: str, value: Any) -> None:
    """A share of a whole in [0, 1], or an array of them."""
    array(name, value, low=0.0, high=1.0)


def EFFICIENCY(name: str, value: Any) -> None:
    """An achieved/peak ratio in (0, 1], or an array of them."""
    array(name, value, low=0.0, high=1.0, low_open=True)


def AT_LEAST_ONE(name: str, value: Any) -> None:
    """A finite ratio >= 1 (a PUE, a slowdown factor), or an array of them."""
    array(name, value, low=1.0)


def _whole_array(name: str, value: Any, minimum: int) -> None:
    import numpy as np

    arr = array(name, value, low=float(minimum))
    if (float(arr) != math.floor(arr) if arr.ndim == 0 else (arr != np.floor(arr)).any()) or arr.max() > MAX_COUNT:
        raise InputError(f"{name} must be a whole number from {minimum} to {MAX_COUNT:,}, got {value!r}")


def COUNT(name: str, value: Any) -> None:
    """A whole number >= 1 (chips, ranks, layers, a batch), or an array of them."""
    _whole_array(name, value, 1)


def ONE_COUNT(name: str, value: Any) -> None:
    """A single whole number >= 1 (a model width, a layer count that must not be an array)."""
    whole(name, value)


def ONE_POSITIVE(name: str, value: Any) -> None:
    """A single finite number > 0 (not an array)."""
    positive(name, value)


def ONE_NON_NEGATIVE(name: str, value: Any) -> None:
    """A single finite number >= 0 (not an array)."""
    non_negative(name, value)


def ONE_FINITE(name: str, value: Any) -> None:
    """A single finite number (not an array)."""
    number(name, value)


def SEED(name_: str, value: Any) -> None:
    """A random seed: a whole number in 0..2**63-1."""
    whole(name_, value, minimum=0, maximum=2**63 - 1)


def COUNT0(name: str, value: Any) -> None:
    """A whole number >= 0 (a ZeRO stage, a switch given as 0/1), or an array of them."""
    _whole_array(name, value, 0)


def TEXT(name_: str, value: Any) -> None:
    """A non-empty name."""
    name(name_, value)


def optional(kind):
    """``kind``, or None (the function then uses its documented default)."""

    def check(name_: str, value: Any) -> None:
        if value is not None:
            kind(name_, value)

    check.__name__ = f"optional_{kind.__name__}"
    check.numeric = getattr(kind, "numeric", False)
    check.convert = getattr(kind, "convert", None)
    return check


def unknown_or(kind):
    """``kind``, or a NaN that means "unknown" (a datasheet figure a chip does not publish), or None."""

    def check(name_: str, value: Any) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        kind(name_, value)

    check.__name__ = f"unknown_or_{kind.__name__}"
    check.numeric = getattr(kind, "numeric", False)
    check.convert = getattr(kind, "convert", None)
    return check


def whole_up_to(maximum: int, minimum: int = 0):
    """One whole number in ``minimum..maximum`` (a number of resamples, restarts or rounds: a bound that
    keeps a call from running for days); the function receives it as an int."""

    def check(name_: str, value: Any) -> None:
        whole(name_, value, minimum=minimum, maximum=maximum)

    check.__name__ = f"whole_{minimum}_to_{maximum}"
    check.convert = int
    return check


def between(low: float, high: float):
    """A finite number in ``low..high`` (inclusive), or an array of them."""

    def check(name_: str, value: Any) -> None:
        array(name_, value, low=low, high=high)

    check.__name__ = f"between_{low:g}_{high:g}"
    check.numeric = True
    check.convert = _numpy_ready
    return check


def instance(
    *types: type,
    what: str | None = None,
    positive: tuple[str, ...] = (),
    non_negative: tuple[str, ...] = (),
    efficiency: tuple[str, ...] = (),
):
    """An object of one of ``types`` (a Workload, a Hardware...) whose named fields are finite numbers
    that are ``positive``, ``non_negative`` or an ``efficiency`` in (0, 1] (an object built without its
    own checks, or changed after it was built, is refused here)."""
    label = what or " or ".join(t.__name__ for t in types)

    def check(name_: str, value: Any) -> None:
        if not isinstance(value, types):
            raise InputError(f"{name_} must be a {label}, got {value!r}")
        for fields, kind in ((positive, POSITIVE), (non_negative, NON_NEGATIVE), (efficiency, EFFICIENCY)):
            for key in fields:
                kind(f"{name_}.{key}", getattr(value, key))

    check.__name__ = f"instance_{label}"
    return check


def mapping(name_: str, value: Any) -> None:
    """A mapping (a dict of names to values)."""
    from collections.abc import Mapping

    if not isinstance(value, Mapping):
        raise InputError(f"{name_} must be a mapping of names to values, got {value!r}")


def mapping_with(*keys: str):
    """A mapping that has every one of ``keys`` (a step-time result, an overhead breakdown)."""

    def check(name_: str, value: Any) -> None:
        mapping(name_, value)
        missing = [k for k in keys if k not in value]
        if missing:
            raise InputError(f"{name_} must have the keys {', '.join(keys)}; missing {', '.join(missing)}")

    check.__name__ = "mapping_with"
    return check


def sequence(name_: str, value: Any) -> None:
    """A list, tuple or array (not text, not a single number)."""
    import numpy as np

    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)):
        raise InputError(f"{name_} must be a list of values, got {value!r}")


def _broadcast(values: dict[str, Any]) -> None:
    """Refuse arrays whose shapes do not broadcast together (naming them), as numpy would with a ValueError."""
    import numpy as np

    shapes = {key: np.shape(value) for key, value in values.items()}
    try:
        np.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{key} {shape}" for key, shape in shapes.items() if shape)
        raise InputError(f"the array inputs must have shapes that broadcast together, got {listed}") from None


def require_broadcastable(**values) -> None:
    """Raise :class:`InputError` naming the arrays when their shapes do not broadcast together."""
    _broadcast(values)


_INSIDE = contextvars.ContextVar("suanli_checked_call", default=False)
"""True while a checked model function runs: the model functions it calls in turn get values the
library computed from checked inputs, so they skip their entry checks (one check at the boundary,
not one per internal call; the outer result is still checked)."""


def _finite(function: str, result: Any) -> None:
    """Refuse a result with a NaN or an infinity (looked at one level into a dict, tuple, list or dataclass)."""
    import dataclasses

    import numpy as np

    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        parts = [getattr(result, f.name) for f in dataclasses.fields(result)]
    elif isinstance(result, dict):
        parts = result.values()
    else:
        parts = result if isinstance(result, (tuple, list)) else (result,)
    for part in parts:
        if isinstance(part, (float, np.floating, np.ndarray)) and not isinstance(part, bool):
            arr = np.asarray(part)
            if (
                arr.dtype.kind == "f"
                and arr.size
                and not (math.isfinite(float(arr.min())) and math.isfinite(float(arr.max())))
            ):
                raise InputError(
                    f"{function}: the inputs are out of range (the result overflows to a non-finite "
                    "number); check their magnitudes and units"
                )


def _with_values(args, kwargs, positions, values):
    """The call's arguments with the inputs named in ``values`` replaced (a kind's ``convert``: a numeric
    list or tuple becomes a float array, so that ``2.0 * [1, 2]`` broadcasts instead of failing; a seed
    given as 3.0 becomes the int numpy's generators require)."""
    args = list(args)
    for i, key, _ in positions:
        if key in values and i < len(args):
            args[i] = values[key]
    kwargs = {key: values.get(key, value) for key, value in kwargs.items()}
    return tuple(args), kwargs


def checked(*, aligned: bool = True, finite_result: bool = True, **kinds):
    """Decorator: check the named inputs of a model function at entry with the given kinds.

    Positional and keyword arguments are both checked; a parameter left at its default is not (the
    defaults are the function's own, sourced values). With ``aligned`` (the default, for functions
    that broadcast their inputs elementwise) the numeric inputs must also have shapes that broadcast
    together. With ``finite_result`` (the default) a result that is not finite (inputs so large that
    the arithmetic overflows) is refused with a sentence instead of returned; a function whose result
    may be infinite by definition (no failures: an infinite MTBF) passes ``finite_result=False``. The
    wrapper keeps the function's name, docstring and signature (``functools.wraps``).
    """
    import functools
    import inspect

    def decorate(fn):
        params = list(inspect.signature(fn).parameters.values())
        unknown = set(kinds) - {p.name for p in params}
        if unknown:
            raise TypeError(f"checked(): {fn.__qualname__} has no parameter {sorted(unknown)}")
        positions = [
            (i, p.name, kinds[p.name])
            for i, p in enumerate(params)
            if p.name in kinds and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        keywords = [(p.name, kinds[p.name]) for p in params if p.name in kinds and p.kind is p.KEYWORD_ONLY]

        numeric = {key for key, kind in kinds.items() if getattr(kind, "numeric", False)} if aligned else set()

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if _INSIDE.get():  # called by another checked model function: its inputs were checked there
                return fn(*args, **kwargs)
            seen = {}
            for i, key, kind in positions:
                if i < len(args):
                    kind(key, args[i])
                    seen[key] = args[i]
                elif key in kwargs:
                    kind(key, kwargs[key])
                    seen[key] = kwargs[key]
            for key, kind in keywords:
                if key in kwargs:
                    kind(key, kwargs[key])
                    seen[key] = kwargs[key]
            converted = {
                key: convert(value)
                for key, value in seen.items()
                if value is not None and (convert := getattr(kinds[key], "convert", None)) is not None
            }
            if any(converted[key] is not seen[key] for key in converted):
                args, kwargs = _with_values(args, kwargs, positions, converted)
            if len(numeric) > 1:
                arrays = {
                    key: value
                    for key, value in seen.items()
                    if key in numeric and value is not None and not isinstance(value, (int, float))
                }
                if len(arrays) > 1:
                    _broadcast(arrays)
            token = _INSIDE.set(True)
            try:
                if not finite_result:
                    return fn(*args, **kwargs)
                import numpy as np

                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    result = fn(*args, **kwargs)
            finally:
                _INSIDE.reset(token)
            _finite(fn.__name__, result)
            return result

        wrapper.checks = dict(kinds)
        return wrapper

    return decorate


def _numpy_ready(value: Any) -> Any:
    """A checked number as numpy can compute with it: a list or tuple becomes a float array, and an int
    beyond int64 (which numpy would hold as a Python object, failing every ufunc) becomes a float."""
    kind = type(value)
    if kind in (list, tuple):
        import numpy as np

        return np.asarray(value, dtype=float)
    if kind is int and not -(2**63) <= value < 2**63:
        return float(value)
    return value


SEED.convert = seed
ONE_COUNT.convert = int  # checked whole already; 3.0 becomes 3, which range() and numpy's sizes require
_NUMERIC_KINDS = (
    POSITIVE,
    POSITIVE_OR_INF,
    NON_NEGATIVE_OR_INF,
    NON_NEGATIVE,
    FINITE,
    SHARE,
    EFFICIENCY,
    AT_LEAST_ONE,
    COUNT,
    COUNT0,
)
for _kind in _NUMERIC_KINDS:
    _kind.numeric = True
for _kind in (*_NUMERIC_KINDS, ONE_POSITIVE, ONE_NON_NEGATIVE, ONE_NON_NEGATIVE_OR_INF, ONE_FINITE):
    _kind.convert = _numpy_ready
