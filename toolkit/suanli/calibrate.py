"""Re-fit the engine's calibrated constants from the bundled public runs and print them.

    python -m suanli.calibrate            # fit on the fit split (runs published up to 2022), test on the rest
    python -m suanli.calibrate --all      # fit on every row (what leave-one-out re-fits)
    python -m suanli.calibrate --json

What is fitted, and on what:

- ``STACK_EFFICIENCY`` (:mod:`suanli.models.defaults`): the one constant the step model takes from the
  backtest. It is the value that zeroes the median log time error over the fit split of
  ``suanli/data/training_runs.csv`` (:func:`suanli.backtest.calibrate`), with every row run at its own run
  kind, so the run-level losses of production runs (:mod:`suanli.models.goodput`, each sourced, none
  fitted) are not folded into it.

Nothing else is fitted: the run-level items and the per-chip efficiency evidence
(:mod:`suanli.chip_evidence`) come from their sources. The script prints the fitted value beside the
one in use, the median |error| on the fit and test splits, by chip generation and by run kind, and the
leave-one-out error (the constant re-fitted without each row, that row predicted).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def report(*, split: str | None = "fit", catalog=None) -> dict[str, Any]:
    """Fit, then evaluate at the fitted value: a JSON-ready dict."""
    from suanli import backtest
    from suanli.models import defaults as D

    cal = backtest.calibrate(catalog, split=split)
    c = cal["stack_efficiency"]
    res = backtest.run(stack_efficiency=c, catalog=catalog)
    loo = backtest.leave_one_out_errors(catalog=catalog)
    out = {
        "fitted": {"STACK_EFFICIENCY": round(c, 4)},
        "in_use": {"STACK_EFFICIENCY": D.STACK_EFFICIENCY.value},
        "fit_split": split or "all rows",
        "fit_until_year": backtest.FIT_UNTIL_YEAR,
        "summary_at_fitted": res.summary(),
        "by_split": res.by("split"),
        "by_generation": res.by("generation"),
        "by_run_kind": res.by("run_kind"),
        "leave_one_out": loo,
        "korthikanti": backtest.korthikanti(res),
    }
    return out


def _print(rep: dict[str, Any]) -> None:
    from suanli.commands.output import print_table

    c, used = rep["fitted"]["STACK_EFFICIENCY"], rep["in_use"]["STACK_EFFICIENCY"]
    print(f"STACK_EFFICIENCY fitted on the {rep['fit_split']} split (published <= {rep['fit_until_year']}): {c:.3f}"
          f"   (in use: {used:.3f})")
    s = rep["summary_at_fitted"]
    print(f"at the fitted value: {s['rows']} rows, median |error| {s['median_abs_error']:.1%}, worst {s['worst_row']} "
          f"{s['worst_error']:+.1%}, all within 2x: {s['within_2x']}")
    for title, key in (("by split", "by_split"), ("by chip generation", "by_generation"), ("by run kind", "by_run_kind")):
        print(f"\n{title}:")
        print_table([{"group": g, **v} for g, v in rep[key].items()],
                    ("group", "rows", "median_abs_error", "median_error", "worst_row", "worst_error"))
    loo = rep["leave_one_out"]
    if loo:
        print(f"\nleave-one-out (re-fit without each row): median |error| {loo['loo_median_abs_error']:.1%}, "
              f"worst {loo['loo_worst_abs_error']:.1%}")
    k = rep["korthikanti"]
    if k:
        p = k["published_best_open_tool"]
        print(f"\nKorthikanti et al. 2022 Table 5 ({k['rows']} iteration times): mean {k['mean_abs_error']:.2%}, "
              f"max {k['max_abs_error']:.2%}; best open analytical tool (published): mean {p['mean_abs_error']:.2%}, "
              f"max {p['max_abs_error']:.2%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m suanli.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="fit on every row instead of the fit split")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    rep = report(split=None if args.all else "fit")
    if args.json:
        json.dump(rep, sys.stdout, indent=2, default=float)
        print()
    else:
        _print(rep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
