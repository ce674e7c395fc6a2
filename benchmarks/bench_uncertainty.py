"""Speed and figures of the ranged engine (prints figures; not a test).

    python benchmarks/bench_uncertainty.py

Target: 10,000 samples of the training-time engine in under a second. Prints the time of
10,000 samples (draws + one vectorised engine call + energy and cost), of the tornado (one vectorised
call over every input's P10 and P90), of a whole ``uncertain_estimate`` (layout search included), and
the P10/P50/P90 of two reference runs.
"""

from __future__ import annotations

import time

import numpy as np

from suanli.models import uncertainty as U
from suanli.scenarios.training import estimate
from suanli.scenarios.uncertainty import ranged_estimate, uncertain_estimate

RUNS = (
    ("GPT-3 175B, 300B tokens, 1024 x A100-SXM4-80GB", "gpt3-175b", 300e9, "nvidia-a100-sxm4-80gb", 1024),
    ("Llama-2-70B, 2T tokens, 2048 x Ascend 910B", "llama2-70b", 2e12, "huawei-ascend-910b", 2048),
)
SITE = {"site": "cn-gansu-qingyang"}


def best_of(fn, repeat=7):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times))


def main() -> None:
    for label, model, tokens, chip, count in RUNS:
        est = estimate(model, tokens=tokens, chip=chip, count=count)
        res = ranged_estimate(est, samples=10, options=SITE)  # warm imports and caches
        dists = {k: i.distribution for k, i in res.inputs.items()}
        print(label)
        best, med = best_of(lambda: U.monte_carlo(res.model, dists, n=10_000, seed=0))  # noqa: B023 - called in this iteration
        print(
            f"  10,000 engine samples + energy/cost (draws + one vectorised call): {best * 1e3:.1f} ms (median {med * 1e3:.1f} ms)"
        )
        best, med = best_of(lambda: ranged_estimate(est, samples=10_000, options=SITE, tornado_outputs=()))  # noqa: B023 - called in this iteration
        print(
            f"  10,000 samples incl. building the inputs from the catalog:         {best * 1e3:.1f} ms (median {med * 1e3:.1f} ms)"
        )
        best, med = best_of(lambda: U.tornado(res.model, dists, "train_days", vectorised=True))  # noqa: B023 - called in this iteration
        label = f"tornado over {sum(i.uncertain for i in res.inputs.values())} inputs (one vectorised call):"
        print(f"  {label:<66s} {best * 1e3:.1f} ms (median {med * 1e3:.1f} ms)")
        best, med = best_of(lambda: U.tornado(res.model, dists, "train_days"), repeat=3)  # noqa: B023 - called in this iteration
        print(
            f"  tornado, one call per swing (for comparison):                      {best * 1e3:.1f} ms (median {med * 1e3:.1f} ms)"
        )
        best, med = best_of(
            lambda m=model, t=tokens, c=chip, n=count: uncertain_estimate(m, tokens=t, chip=c, count=n, options=SITE),
            repeat=3,
        )
        print(
            f"  uncertain_estimate end to end (search, 10,000 samples, 2 tornados): {best:.2f} s (median {med:.2f} s)"
        )
        u = uncertain_estimate(model, tokens=tokens, chip=chip, count=count, samples=10_000, seed=0)
        s = u.summary()
        for key, fmt in (("train_days", "{:.1f}"), ("accelerator_hours", "{:,.0f}"), ("mfu", "{:.3f}")):
            p = s[key]
            print(
                f"  {key:18s} central {fmt.format(getattr(est, key))}  P10 {fmt.format(p['p10'])}  "
                f"P50 {fmt.format(p['p50'])}  P90 {fmt.format(p['p90'])}"
            )
        top = ", ".join(f"{r['input']} ({r['swing']:.1f} d)" for r in u.tornado["train_days"][:3])
        print(f"  widest drivers of train_days: {top}")


if __name__ == "__main__":
    main()
