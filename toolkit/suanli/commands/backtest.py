"""``suanli backtest``: the engine against public training runs (predicted vs reported)."""

from __future__ import annotations

NAME = "backtest"
HELP = "Run the training-time engine over the bundled public runs with its defaults; print each row's error, the median and the worst."


def add_arguments(parser) -> None:
    parser.add_argument("--loo", action="store_true", help="also report the leave-one-out error of the calibrated stack efficiency (slower)")
    parser.add_argument("--serving", action="store_true",
                        help="backtest the serving model (suanli serve) on the bundled serving measurements instead")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int:
    if getattr(args, "serving", False):
        from suanli.commands.serve import run_backtest as run_serving_backtest

        return run_serving_backtest(args)
    from suanli.backtest import run as run_backtest
    from suanli.commands.output import print_fields, print_json, print_table

    res = run_backtest(leave_one_out=args.loo)
    if args.json:
        print_json({"rows": res.rows, "skipped": res.skipped, "summary": res.summary()})
        return 0
    print_table(res.rows, ("id", "metric", "reported", "predicted", "error", "reported_mfu", "predicted_mfu", "count_basis",
                           "layout"))
    for s in res.skipped:
        print(f"skipped {s['id']}: {s['reason']}")
    print()
    print_fields(res.summary())
    return 0
