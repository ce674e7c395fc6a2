"""Speed of the training-time engine (prints figures; not a test).

    python benchmarks/bench_engine.py

Targets: one estimate with a given layout <= 1 ms; the full layout search for GPT-3 175B
on 1024 A100 <= 0.5 s; >= 1,000,000 layout configurations per second on one core. The full
layout search adds <= 0.5 s to a CLI call (printed for the 340B / 16,384 H100 case).
"""

from __future__ import annotations

import time

import numpy as np

from suanli.models.parallelism import layout_grid
from suanli.models.performance import step_time
from suanli.scenarios.training import estimate, evaluate, hardware, preset

CHIP = "nvidia-a100-sxm4-80gb"


def best_of(fn, repeat=7, number=1):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t) / number)
    return min(times), float(np.median(times))


def main() -> None:
    w = preset("gpt3-175b")
    hw = hardware(CHIP)
    layout = {"tp": 8, "pp": 8, "dp": 16, "micro_batch": 1, "recompute": "selective", "interleave": 2}
    estimate("gpt3-175b", tokens=300e9, chip=hw, count=1024)  # warm caches and imports

    best, med = best_of(lambda: evaluate(w, hw, layout, tokens=300e9), repeat=9, number=50)
    print(f"single estimate, fixed layout (engine.evaluate):   {best * 1e3:.3f} ms (median {med * 1e3:.3f} ms)")
    best, med = best_of(
        lambda: estimate(
            "gpt3-175b",
            tokens=300e9,
            chip=hw,
            count=1024,
            tp=8,
            pp=8,
            dp=16,
            micro_batch=1,
            recompute="selective",
            interleave=2,
            zero=1,
        ),
        number=20,
    )
    print(f"single estimate, fixed layout (engine.estimate):   {best * 1e3:.3f} ms (median {med * 1e3:.3f} ms)")

    best, med = best_of(lambda: estimate("gpt3-175b", tokens=300e9, chip=hw, count=1024), number=3)
    n = estimate("gpt3-175b", tokens=300e9, chip=hw, count=1024).details["layouts_searched"]
    print(f"full search GPT-3 175B on 1024 x A100 ({n:,} valid layouts): {best:.4f} s (median {med:.4f} s)")

    # a custom 340B on 16,384 H100 with the batch chosen by the policy (layout search included),
    # and the same call with every layout fixed: the difference is what the full search adds to a CLI call
    big = {
        "params": 340e9,
        "layers": 96,
        "hidden": 18432,
        "heads": 96,
        "seq": 4096,
        "tokens": 9e12,
        "chip": "nvidia-h100-sxm5-80gb",
        "count": 16384,
    }
    est = estimate(**big)
    lay = est.layout
    fixed = {k: lay[k] for k in ("tp", "pp", "dp", "micro_batch", "interleave", "recompute", "zero", "global_batch")}
    b_full, _ = best_of(lambda: estimate(**big), number=3)
    b_fix, _ = best_of(lambda: estimate(**big, **fixed), number=3)
    print(
        f"340B on 16,384 x H100 ({est.details['layouts_searched']:,} layouts): full search {b_full:.4f} s, fixed layout "
        f"{b_fix:.4f} s; the search adds {b_full - b_fix:.4f} s (target <= 0.5 s); MFU {est.mfu:.3f}, batch "
        f"{lay['global_batch']:,} sequences"
    )
    for fw in ("megatron-lm", "nemo", "deepspeed", "llm-foundry"):
        b, _ = best_of(lambda fw=fw: estimate("gpt3-175b", tokens=300e9, chip=hw, count=1024, framework=fw), number=3)
        print(f"full search GPT-3 175B on 1024 x A100, --framework {fw}: {b:.4f} s")

    # throughput of the vectorised step-time model on a large grid (several device counts at once)
    grids = [layout_grid(w, c, hw.scaleup_domain, 1536) for c in (512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192)]
    g = {k: np.concatenate([x[k] for x in grids]) for k in grids[0]}
    reps = int(np.ceil(1_000_000 / g["tp"].size))
    g = {k: np.tile(v, reps) for k, v in g.items()}
    size = g["tp"].size

    def run():
        step_time(
            w,
            hw,
            g["tp"],
            g["pp"],
            g["dp"],
            g["ep"],
            g["micro_batch"],
            1536,
            g["recompute"],
            g["zero"],
            g["sp"],
            g["interleave"],
        )

    best, med = best_of(run, repeat=5)
    print(
        f"configurations per second (one core, {size:,} layouts per call): {size / best:,.0f} (median {size / med:,.0f})"
    )

    rng = np.random.default_rng(0)
    eff = rng.uniform(0.6, 0.9, 10_000)
    rate = rng.uniform(1e-5, 5e-5, 10_000)
    best, med = best_of(
        lambda: evaluate(w, hw, layout, tokens=300e9, matmul_efficiency=eff, failure_rate_per_device_hour=rate)
    )
    print(
        f"10,000 Monte Carlo samples, fixed layout (engine.evaluate): {best * 1e3:.2f} ms (median {med * 1e3:.2f} ms)"
    )


if __name__ == "__main__":
    main()
