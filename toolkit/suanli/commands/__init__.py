"""Subcommands of the ``suanli`` command line, one module each.

A command module defines ``NAME`` and ``HELP`` (strings), ``add_arguments(parser)`` and
``run(args) -> int``. It keeps its imports of models, pandas and scipy inside ``run`` so that
``suanli --help`` stays fast. :data:`COMMANDS` lists the modules in the order ``--help`` shows them;
a module not listed here is not a command.
"""

COMMANDS = (
    "catalog",
    "show",
    "plugins",
    "estimate",
    "backtest",
    "scaling",
    "power",
    "compat",
    "substitute",
    "serve",
    "claims",
    "fleet",
    "sweep",
    "lab",
)
