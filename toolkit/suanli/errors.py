"""The errors suanli raises for things a user can fix.

Anything derived from :class:`SuanliError` carries one clear sentence for a person: the command
line prints it without a traceback and a widget shows it in place. Everything else is a bug.
"""

import re

_LONG_QUOTED = re.compile(r"'([^'\n]{81,})'|\"([^\"\n]{81,})\"")


def _abbreviated(match: re.Match) -> str:
    text = match.group(1) or match.group(2)
    return f"'{text[:40]}…{text[-20:]}' ({len(text):,} characters)"


def shown(value, limit: int = 80) -> str:
    """``repr(value)`` on one line, cut to ``limit`` characters: what an error message quotes of a bad
    input (a spec object's or a table's repr runs to pages and lines; a message stays one short sentence)."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class SuanliError(Exception):
    """Base of the errors whose message is meant for the user.

    A quoted value longer than 80 characters in the message (a pasted paragraph where an id belongs) is
    shown by its head and tail, so that the sentence stays one readable line.
    """

    def __init__(self, *args):
        if args and isinstance(args[0], str) and len(args[0]) > 80:
            args = (_LONG_QUOTED.sub(_abbreviated, args[0]), *args[1:])
        super().__init__(*args)


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
