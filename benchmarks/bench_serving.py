"""Speed and accuracy of the serving model; prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_serving.py

Speed: a whole-catalog serving comparison (every chip, one model, one demand and latency target),
dense and MoE, warm catalog; one batch sweep of the raw model. Accuracy: the serving backtest
(median |error| and leave-one-out on the bundled public measurements).
"""

from __future__ import annotations

import time

import numpy as np
from bench_power import best_of  # the same best-of-N timer (this script runs from benchmarks/)


def speed() -> None:
    from suanli.catalog import load_catalog
    from suanli.models import serving as S
    from suanli.scenarios.serving import compare, device, precision_formats, serving_model

    cat = load_catalog()
    n_chips = len(cat.accelerators)
    for model, opts in (
        ("llama3-70b", {"tpot_ms": 50, "demand_tokens_per_day": 1e10}),
        ("deepseek-v3", {"tpot_ms": 50, "demand_tokens_per_day": 1e10, "precision": "fp8"}),
        ("qwen3-235b-a22b", {}),
    ):
        t = best_of(lambda m=model, o=opts: compare(m, catalog=cat, **o))
        rows = compare(model, catalog=cat, **opts)
        served = sum(r["error"] is None for r in rows)
        print(
            f"whole-catalog comparison, {model} {opts}: {t * 1e3:.0f} ms for {n_chips} chips ({served} can serve it)"
            f"  [goal <= 500 ms]"
        )
    sm, (prec, _) = serving_model("llama3-70b"), precision_formats("fp8")
    dev, _ = device("nvidia-h100-sxm5-80gb", "fp8", catalog=cat)
    batches = np.arange(1, 100_001, dtype=float)
    t = best_of(lambda: S.serving_point(sm, prec, dev, 8, batches, 1000, 200))
    print(f"serving_point over {batches.size:,} batches: {t * 1e3:.1f} ms")


def accuracy() -> None:
    from suanli.scenarios.serving_backtest import run

    t0 = time.perf_counter()
    res = run(leave_one_out=True)
    s = res.summary()
    print(f"\nserving backtest ({time.perf_counter() - t0:.2f} s with leave-one-out):")
    for metric in ("tokens_per_s_per_chip", "tpot_ms", "ttft_ms"):
        line = (
            f"  {metric:22s} rows {s.get(metric + '_rows', 0):3d}  median |error| "
            f"{s.get(metric + '_median_abs_error', float('nan')):.1%}  worst {s.get(metric + '_worst_abs_error', float('nan')):.0%}"
        )
        if metric + "_loo_median_abs_error" in s:
            line += f"  leave-one-out median {s[metric + '_loo_median_abs_error']:.1%}"
        print(line)
    for group, g in res.groups.items():
        print(
            f"  {group:42s} rows {g['rows']:3d}  median {g['median_abs_error']:.1%}  worst {g['worst_abs_error']:.0%}"
            + (f"  LOO {g['loo_median_abs_error']:.1%}" if "loo_median_abs_error" in g else "")
        )


if __name__ == "__main__":
    speed()
    accuracy()
