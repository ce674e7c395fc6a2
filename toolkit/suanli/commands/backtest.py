"""``suanli backtest``: the engine against public training runs (predicted vs reported)."""

from __future__ import annotations

NAME = "backtest"
HELP = (
    "Run the training-time engine over the bundled public runs; print each row's error and the errors by split, "
    "chip generation and run kind, with and without hints, leave-one-out, and the Korthikanti step-time set."
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--loo",
        action="store_true",
        help="also report the leave-one-out error (the run-level residual re-fitted without each row)",
    )
    parser.add_argument(
        "--no-hints",
        action="store_true",
        help="run every row with the engine's defaults (no run kind, no framework), as a new user would",
    )
    parser.add_argument(
        "--serving",
        action="store_true",
        help="backtest the serving model (suanli serve) on the bundled serving measurements instead",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int:
    if getattr(args, "serving", False):
        from suanli.commands.serve import run_backtest as run_serving_backtest

        return run_serving_backtest(args)
    from suanli.commands.output import print_fields, print_json, print_table
    from suanli.scenarios import backtest

    res = backtest.run(leave_one_out=args.loo, hints=not args.no_hints)
    whole = [r for r in res.rows if r["whole_run"]]
    groups = {key: backtest.group_errors(whole, key) for key in ("split", "generation", "run_kind", "review")}
    steady = backtest.group_errors([r for r in res.rows if not r["whole_run"]], "generation")
    kor = _korthikanti()
    if args.json:
        print_json(
            {
                "rows": res.rows,
                "skipped": res.skipped,
                "summary": res.summary(),
                "hints": not args.no_hints,
                "whole_run": backtest.group_errors([{**r, "scope": "whole runs"} for r in whole], "scope"),
                "groups": groups,
                "steady_state_by_generation": steady,
                "korthikanti": kor,
            }
        )
        return 0
    print_table(
        res.rows,
        (
            "id",
            "metric",
            "run_kind",
            "framework",
            "reported",
            "predicted",
            "error",
            "reported_mfu",
            "predicted_mfu",
            "split",
            "review",
            "layout",
        ),
    )
    for s in res.skipped:
        print(f"skipped {s['id']}: {s['reason']}")
    print()
    print_fields(res.summary())
    print(f"\nwhole runs (accelerator-hours and timed regions), {'no hints' if args.no_hints else 'with hints'}:")
    for key, title in (
        ("split", f"by split (fit: published <= {backtest.FIT_UNTIL_YEAR})"),
        ("generation", "by chip generation"),
        ("run_kind", "by run kind"),
        ("review", "by review (pending: new rows not yet in the calibration)"),
    ):
        print(f"\n{title}:")
        print_table(
            [{"group": g, **v} for g, v in groups[key].items()],
            ("group", "rows", "median_abs_error", "median_error", "worst_row", "worst_error"),
        )
    print("\nsteady-state rows (utilisation, throughput and step time of one layout), by chip generation:")
    print_table(
        [{"group": g, **v} for g, v in steady.items()],
        ("group", "rows", "median_abs_error", "median_error", "worst_row", "worst_error"),
    )
    if kor:
        p = kor["published_best_open_tool"]
        print(
            f"\nKorthikanti et al. 2022 Table 5, step model ({kor['rows']} iteration times): mean |error| "
            f"{kor['mean_abs_error']:.2%}, max {kor['max_abs_error']:.2%}; best open analytical tool (published): "
            f"mean {p['mean_abs_error']:.2%}, max {p['max_abs_error']:.2%}"
        )
    return 0


def _korthikanti() -> dict | None:
    """The Korthikanti Table 5 rows of the step-time backtest beside the best open tool's published figures."""
    import numpy as np

    from suanli.scenarios import backtest, step_backtest

    rows = [r for r in step_backtest.run() if r.get("paper") == "korthikanti2022" and "error" in r]
    if not rows:
        return None
    err = np.abs([r["error"] for r in rows])
    return {
        "rows": len(rows),
        "mean_abs_error": float(err.mean()),
        "max_abs_error": float(err.max()),
        "published_best_open_tool": dict(backtest.KORTHIKANTI_PUBLISHED),
    }
