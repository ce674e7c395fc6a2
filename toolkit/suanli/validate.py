"""The checks every public function and command applies to what a user gives it.

One module, so that "a positive number", "a whole count" or "a seed" mean the same everywhere and
fail with the same kind of sentence (:class:`suanli.errors.InputError`, naming the input and what it
got). Models and commands import these; none re-writes them.
"""

from __future__ import annotations

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
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):  # a word or None where a number belongs
            raise InputError(f"{key} must be a positive number, got {value!r}") from None
        if arr.size == 0 or not np.all(np.isfinite(arr)) or not np.all(arr > 0):
            raise InputError(f"{key} must be a positive number, got {value!r}")


def require_whole(label: str, value, minimum: int = 1) -> int:
    """``value`` as an int if it is a finite whole number >= ``minimum``; else :class:`InputError`."""
    return whole(label, value, minimum=minimum, maximum=2**63 - 1)


def array(name: str, value: Any, *, low: float | None = None, high: float | None = None, low_open: bool = False,
          allow_inf: bool = False):
    """``value`` as a float numpy array (a scalar gives a 0-d array), every element finite (or, with
    ``allow_inf``, not NaN) and within ``low``..``high`` (``low_open``: strictly above ``low``). Text,
    None or a ragged list is refused."""
    import numpy as np

    if isinstance(value, (str, bytes)) or value is None or isinstance(value, bool):
        raise InputError(f"{name} must be a number or an array of numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if arr.size == 0 or np.any(np.isnan(arr)) or (not allow_inf and not np.all(np.isfinite(arr))):
        raise InputError(f"{name} must be {'a number' if allow_inf else 'finite numbers'}, got {value!r}")
    below = low is not None and (np.any(arr <= low) if low_open else np.any(arr < low))
    if below or (high is not None and np.any(arr > high)):
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
