"""Scenarios: one module per question an analyst asks.

A scenario takes plain inputs and a catalog, calls the pure functions in :mod:`suanli.models`, and
returns a result object with its breakdown and ``explain()``. It knows no screen and no argparse:
the two faces (the command line in :mod:`suanli.commands` and the panels in :mod:`suanli.widgets`)
call scenarios, never each other.
"""
