"""Accuracy of the training-time engine against public runs (prints figures; not a test).

    python benchmarks/bench_backtest.py

Targets: whole runs within a median 30% with no hints and 15% with the run kind and framework given,
no row off by more than 2x (the documented misses are printed); the run-level residual is the one constant
fitted on these rows, so the leave-one-out error is printed too. `python -m suanli.calibrate` prints the
same by split, chip generation and run kind.
"""

from __future__ import annotations

import statistics
import time

from suanli.commands.output import print_fields, print_table
from suanli.scenarios import backtest


def main() -> None:
    t = time.perf_counter()
    res = backtest.run(leave_one_out=True)
    rows = [dict(r, error_pct=100 * r["error"]) for r in res.rows]
    print_table(rows, ("id", "metric", "reported", "predicted", "error_pct", "reported_mfu", "predicted_mfu"))
    for s in res.skipped:
        print(f"skipped {s['id']}: {s['reason']}")
    print()
    print_fields(res.summary())
    for hints in (True, False):
        whole = [r["error"] for r in backtest.run(hints=hints).rows if r["whole_run"]]
        med = statistics.median(abs(e) for e in whole)
        print(f"whole runs, {'with' if hints else 'no'} hints: {len(whole)} rows, median |error| {med:.1%}")
    for row_id, why in backtest.KNOWN_MISSES.items():
        print(f"known miss {row_id}: {why}")
    print(f"\nbacktest with leave-one-out: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
