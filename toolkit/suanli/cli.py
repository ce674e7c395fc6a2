"""The ``suanli`` command line: one subcommand per module in :mod:`suanli.commands`.

Errors a user can fix (:class:`suanli.errors.SuanliError`) print one sentence on stderr and exit
with status 2; nothing a user types produces a traceback. ``SUANLI_DEBUG=1`` shows tracebacks for
bug reports.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from importlib import import_module

from suanli import __version__
from suanli.commands import COMMANDS
from suanli.errors import PluginWarning, SuanliError

EXIT_USAGE = 2
EXIT_BUG = 70


NEGATIVE_NUMBER = re.compile(
    r"^-(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?[kKmMgGtTpPbB]?$|^-(inf|infinity|nan)$", re.IGNORECASE
)
"""A value that starts with ``-`` but is a number (``-5``, ``-1e12``, ``-7B``, ``-inf``): argparse
takes it as a value, so that ``--tokens -1e12`` reaches the command and gets its sentence instead
of "expected one argument". (No suanli flag looks like a negative number.)"""


MAX_INT = 2**63 - 1
"""The largest whole number a flag takes (numpy's int64): a count beyond it is refused as too large."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag as one line (its default already does) with our prefix, and
    that reads negative-looking numbers as values (:data:`NEGATIVE_NUMBER`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER

    def parse_known_args(self, args=None, namespace=None):
        if args is not None:
            self._refuse_repeats(list(args))
        return super().parse_known_args(args, namespace)

    def _refuse_repeats(self, args: list[str]) -> None:
        """A flag that takes one value, given twice (``--count 64 --count 8``), is an error rather than
        the last one silently winning: the two values usually mean two questions."""
        given: dict[argparse.Action, int] = {}
        for token in args:
            if token == "--":
                break
            if not token.startswith("--"):
                continue
            name = token.split("=", 1)[0]
            action = self._option_string_actions.get(name)
            if action is None and self.allow_abbrev:  # argparse accepts a unique prefix (--coun for --count)
                found = {a for option, a in self._option_string_actions.items() if option.startswith(name)}
                action = found.pop() if len(found) == 1 else None
            if isinstance(action, argparse._StoreAction):  # noqa: SLF001 - one value per flag (not append, not a switch)
                given[action] = given.get(action, 0) + 1
        for action, times in given.items():
            if times > 1:
                self.error(f"argument {'/'.join(action.option_strings)} is given {times} times; give it once")

    def _get_values(self, action, arg_strings):
        if action.option_strings and action.nargs in (None, "?") and len(arg_strings) == 1:
            flag = "/".join(action.option_strings)
            if arg_strings[0] == "--":  # argparse would drop it and hand the command an empty list
                self.error(f"argument {flag}: expected a value, got '--'")
            if not arg_strings[0].strip():  # --site '' is not "no site"
                self.error(f"argument {flag}: expected a value, got an empty one")
        return super()._get_values(action, arg_strings)

    def _get_value(self, action, arg_string):
        value = super()._get_value(action, arg_string)
        if action.type is int and isinstance(value, int) and abs(value) > MAX_INT:  # beyond what numpy counts with
            shown = arg_string if len(arg_string) <= 24 else arg_string[:20] + "..."
            self.error(
                f"argument {'/'.join(action.option_strings) or action.dest}: {shown} is too large (at most {MAX_INT:,})"
            )
        return value

    def error(self, message: str):
        if "expected one argument" in message:
            message += "; a value that starts with '-' is written --flag=VALUE"
        self.exit(EXIT_USAGE, f"suanli: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="suanli",
        description="算力 suanli: model AI compute — catalog, training time, scaling, power, compat, substitution.",
    )
    parser.add_argument("--version", action="version", version=f"suanli {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = import_module(f"suanli.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"suanli.commands.{name}":
                continue  # a command not built yet in this checkout
            raise
        cmd = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run, _lists_problems=getattr(module, "LISTS_PLUGIN_PROBLEMS", False))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PluginWarning)  # one line below instead
            return int(args._run(args) or 0)
    except SuanliError as err:
        print(f"suanli: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # a bug: say so in one line unless debugging
        if os.environ.get("SUANLI_DEBUG"):
            raise
        print(
            f"suanli: internal error: {type(err).__name__}: {err} (rerun with SUANLI_DEBUG=1 for a traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_BUG
    finally:
        if not args._lists_problems:
            _plugin_problems_line()


def _plugin_problems_line() -> None:
    """One line on stderr when the plugins this command loaded had problems (``plugins check`` has the list)."""
    catalog = sys.modules.get("suanli.catalog")
    cat = catalog.loaded_catalog() if catalog is not None else None
    if cat is not None and cat.problems:
        print(f"suanli: {catalog.problem_summary(cat)}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
