"""The errors suanli raises for things a user can fix.

Anything derived from :class:`SuanliError` carries one clear sentence for a person: the command
line prints it without a traceback and a widget shows it in place. Everything else is a bug.
"""


class SuanliError(Exception):
    """Base of the errors whose message is meant for the user."""


class InputError(SuanliError, ValueError):
    """An input a user gave is impossible: a zero count, a negative time, an unknown id, a layout
    that does not fit. The message says which input and why."""


class SuanliWarning(UserWarning):
    """Base of the warnings suanli gives: something a user should know that does not stop the work.

    Filter them all with ``warnings.filterwarnings("ignore", category=suanli.errors.SuanliWarning)``.
    """


class PluginWarning(SuanliWarning):
    """Installed plugins had problems (a plugin failed, was dropped, was slow or changed shared state).
    The catalog still loaded; ``suanli plugins check`` (or ``catalog.problems``) says what and where."""



def require_positive(**values) -> None:
    """Raise :class:`InputError` naming the first value that is not a finite number > 0.

    Accepts scalars or numpy arrays (every element is checked).
    """
    import numpy as np

    for name, value in values.items():
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):  # a word or None where a number belongs
            raise InputError(f"{name} must be a positive number, got {value!r}") from None
        if arr.size == 0 or not np.all(np.isfinite(arr)) or not np.all(arr > 0):
            raise InputError(f"{name} must be a positive number, got {value!r}")


def require_whole(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int if it is a finite whole number >= ``minimum``; else :class:`InputError`."""
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__index__"):
        raise InputError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number != int(number) or number < minimum:
        raise InputError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(number)
