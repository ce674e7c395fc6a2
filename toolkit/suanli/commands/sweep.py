"""``suanli sweep SPEC.toml``: run a scenario over a grid and write one tidy table."""

from __future__ import annotations

NAME = "sweep"
HELP = "Run a scenario (estimate, power, substitution, fleet, serving) over a grid from a TOML spec; resumable; local or Dask."


def add_arguments(parser) -> None:
    parser.add_argument("spec", metavar="SPEC.toml", help="scenario = '...', [fixed] inputs, [grid] input = [values]")
    parser.add_argument("--out", help="results CSV; written as cells finish, and a rerun resumes from it")
    parser.add_argument("--workers", type=int, help="local processes (default: the machine's cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print the table as JSON records")


def run(args) -> int:
    from suanli.commands.output import print_json
    from suanli.errors import InputError
    from suanli.scenarios.sweep import load_spec, run_sweep

    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    if args.out is not None:
        from pathlib import Path

        out = Path(args.out)
        if out.is_dir():
            raise InputError(f"--out {args.out!r} is a folder; give a file name such as results.csv")
        if not out.parent.is_dir():
            raise InputError(f"--out {args.out!r}: the folder {str(out.parent)!r} does not exist")
    spec = load_spec(args.spec)
    table = run_sweep(spec, workers=args.workers, scheduler=args.scheduler, results=args.out, progress=args.progress)
    if args.json:
        print_json(table.to_dict(orient="records"))
        return 0
    failed = int((table["error"] != "").sum()) if "error" in table else 0
    with __import__("pandas").option_context("display.width", 160, "display.max_columns", 12):
        print(table.head(20).to_string(index=False))
    print(f"{len(table):,} cells, {failed:,} failed" + (f"; results in {args.out}" if args.out else ""))
    return 0
