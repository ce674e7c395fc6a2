"""Re-fit the engine's calibrated constants from the bundled public data and print them.

    python -m suanli.calibrate            # run-level residual fitted on the fit split (published <= 2023)
    python -m suanli.calibrate --all      # fitted on every production whole-run row
    python -m suanli.calibrate --json
    python -m suanli.calibrate --chips    # per-chip efficiencies beside the public claims (--markdown: the docs page)

Two constants are fitted, each on its own data, and nothing else:

- ``STACK_EFFICIENCY`` (step time): the share of the sustained GEMM rate a stack reaches over a whole
  layer, fitted on published iteration times of FIXED layouts (``suanli/data/step_benchmarks.csv``:
  Korthikanti et al. 2022 Table 5, Narayanan et al. 2021, MT-NLG, BLOOM, MegaScale, Llama 3, MLPerf) by
  :func:`suanli.scenarios.step_backtest.calibrate`, with leave-one-paper-out errors;
- ``RUN_EFFICIENCY`` (run level): what the sourced run-level items of :mod:`suanli.models.goodput`
  (failures by fleet size and stack maturity, checkpoints, evaluation, stalls, ramp-up) leave unexplained
  on the production whole-run rows of ``suanli/data/training_runs.csv``, fitted on the runs published up
  to :data:`suanli.scenarios.backtest.FIT_UNTIL_YEAR` and tested on the later ones (:func:`suanli.scenarios.backtest.calibrate`).

The per-chip efficiencies (:mod:`suanli.chip_evidence`) come from their evidence, not from a fit.
The report gives the fitted values beside the ones in use, the whole-run errors with and without hints
(run kind and framework), by split, chip generation and run kind, leave-one-out, and the Korthikanti
set beside the best open analytical tool's published figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np


def _whole(rows):
    return [r for r in rows if r["whole_run"]]


def _stats(rows) -> dict[str, Any]:
    if not rows:
        return {"rows": 0}
    err = np.array([r["error"] for r in rows], dtype=float)
    worst = rows[int(np.argmax(np.abs(err)))]
    return {
        "rows": len(rows),
        "median_abs_error": float(np.median(np.abs(err))),
        "worst_row": worst["id"],
        "worst_error": float(worst["error"]),
        "within_2x": bool(np.all((1 + err <= 2.0) & (1 + err >= 0.5))),
    }


def report(*, split: str | None = "fit", catalog=None, step: bool = True) -> dict[str, Any]:
    """Fit both constants and evaluate the whole-run backtest: a JSON-ready dict."""
    from suanli.models import defaults as D
    from suanli.scenarios import backtest, step_backtest

    out: dict[str, Any] = {
        "in_use": {"STACK_EFFICIENCY": D.STACK_EFFICIENCY.value, "RUN_EFFICIENCY": D.RUN_EFFICIENCY.value}
    }
    fitted: dict[str, float] = {}
    if step:
        st = step_backtest.calibrate(catalog=catalog)
        fitted["STACK_EFFICIENCY"] = round(st["stack_efficiency"], 4)
        out["step"] = st["summary"]
        kor = [r for r in st["rows"] if r["paper"] == "korthikanti2022"]
        if kor:
            e = np.abs([r["error"] for r in kor])
            lo = np.abs([r["loo_error"] for r in kor])
            out["korthikanti"] = {
                "rows": len(kor),
                "mean_abs_error": float(e.mean()),
                "max_abs_error": float(e.max()),
                "loo_mean_abs_error": float(lo.mean()),
                "loo_max_abs_error": float(lo.max()),
                "published_best_open_tool": dict(backtest.KORTHIKANTI_PUBLISHED),
            }
    hinted = backtest.run(catalog=catalog, hints=True)
    cal = backtest.calibrate(catalog, split=split, result=hinted)
    fitted["RUN_EFFICIENCY"] = round(cal["run_efficiency"], 4)
    out["fitted"] = fitted
    out["run_fit"] = {
        "split": split or "all production whole-run rows",
        "until_year": backtest.FIT_UNTIL_YEAR,
        "rows": cal["fit_ids"],
        "fit_median_abs_error": cal.get("fit_median_abs_error"),
        "test_median_abs_error": cal.get("test_median_abs_error"),
    }
    bare = backtest.run(catalog=catalog, hints=False)
    out["whole_run"] = {"with_hints": _stats(_whole(hinted.rows)), "no_hints": _stats(_whole(bare.rows))}
    out["by_split"] = backtest.group_errors(_whole(hinted.rows), "split")
    out["by_generation"] = backtest.group_errors(_whole(hinted.rows), "generation")
    out["by_run_kind"] = backtest.group_errors(_whole(hinted.rows), "run_kind")
    out["by_run_kind_no_hints"] = backtest.group_errors(_whole(bare.rows), "run_kind")
    out["leave_one_out"] = backtest.leave_one_out_errors(hinted)
    out["skipped"] = hinted.skipped
    return out


def _print(rep: dict[str, Any]) -> None:
    from suanli.commands.output import print_table

    for name, value in rep["fitted"].items():
        print(f"{name:17} fitted {value:.3f}   in use {rep['in_use'][name]:.3f}")
    rf = rep["run_fit"]
    print(
        f"RUN_EFFICIENCY fitted on {len(rf['rows'])} production whole runs ({rf['split']}, published <= "
        f"{rf['until_year']}); median |error| fit {rf['fit_median_abs_error']:.1%}, test {rf['test_median_abs_error']:.1%}"
    )
    for label, key in (("with hints (run kind, framework)", "with_hints"), ("no hints", "no_hints")):
        s = rep["whole_run"][key]
        print(
            f"whole runs {label}: {s['rows']} rows, median |error| {s['median_abs_error']:.1%}, worst {s['worst_row']} "
            f"{s['worst_error']:+.1%}, all within 2x: {s['within_2x']}"
        )
    for title, key in (
        ("by split", "by_split"),
        ("by chip generation", "by_generation"),
        ("by run kind", "by_run_kind"),
        ("by run kind, no hints", "by_run_kind_no_hints"),
    ):
        print(f"\nwhole runs {title}:")
        print_table(
            [{"group": g, **v} for g, v in rep[key].items()],
            ("group", "rows", "median_abs_error", "median_error", "worst_row", "worst_error"),
        )
    loo = rep["leave_one_out"]
    if loo:
        print(
            f"\nleave-one-out (residual re-fitted without each production row): median |error| "
            f"{loo['loo_median_abs_error']:.1%} (whole runs {loo['loo_whole_run_median_abs_error']:.1%}), "
            f"worst {loo['loo_worst_abs_error']:.1%}"
        )
    k = rep.get("korthikanti")
    if k:
        p = k["published_best_open_tool"]
        print(
            f"\nKorthikanti et al. 2022 Table 5 ({k['rows']} iteration times, step model): mean {k['mean_abs_error']:.2%}, "
            f"max {k['max_abs_error']:.2%} (leave-one-paper-out mean {k['loo_mean_abs_error']:.2%}, max "
            f"{k['loo_max_abs_error']:.2%}); best open analytical tool, published: mean {p['mean_abs_error']:.2%}, "
            f"max {p['max_abs_error']:.2%}"
        )
    for s in rep["skipped"]:
        print(f"skipped {s['id']}: {s['reason']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m suanli.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--all", action="store_true", help="fit the run-level residual on every production whole-run row"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--chips",
        action="store_true",
        help="instead: the per-chip efficiency comparison with the A100 and the public claims (JSON)",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="with --chips: the docs page (docs/topics/chip-efficiency.md)"
    )
    args = parser.parse_args(argv)
    if args.chips:
        from suanli.scenarios.chip_comparison import comparison_table, markdown

        print(markdown() if args.markdown else json.dumps(comparison_table(), indent=2))
        return 0
    rep = report(split=None if args.all else "fit")
    if args.json:
        json.dump(rep, sys.stdout, indent=2, default=float)
        print()
    else:
        _print(rep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
