"""Speed of sweeps and of the fleet simulator; prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_sweep.py [--cells 10000] [--workers 2]

Sweep: a 10,000-cell grid of training estimates (20 chips-or-fewer x models x fleet sizes) on a local
process pool, with the tqdm bar on stderr; the goal is under a minute on a 2-core machine.
Fleet: simulated jobs per second for a Kalos-like and a Seren-like stream under each policy.
"""

from __future__ import annotations

import argparse
import time


def sweep(cells: int, workers: int) -> None:
    from suanli.catalog import load_catalog
    from suanli.scenarios.sweep import run_sweep

    cat = load_catalog()
    chips = [
        c
        for c in ("nvidia-h100-sxm5-80gb", "nvidia-a100-sxm4-80gb", "nvidia-h20", "huawei-ascend-910b", "amd-mi300x")
        if c in cat.view("accelerator")
    ]
    models = ["llama2-7b", "llama2-13b", "llama3-8b", "llama2-70b", "llama3-70b"]
    n_counts = max(cells // (len(chips) * len(models)), 1)
    counts = [8 * k for k in range(8, 8 + n_counts)]
    spec = {
        "scenario": "estimate",
        "fixed": {"tokens": 1e12},
        "grid": {"model": models, "chip": chips, "count": counts},
    }
    total = len(chips) * len(models) * len(counts)
    t0 = time.perf_counter()
    table = run_sweep(spec, workers=workers, progress=True)
    dt = time.perf_counter() - t0
    failed = int((table["error"] != "").sum())
    print(
        f"sweep: {total:,} training-estimate cells on {workers} processes in {dt:.1f} s "
        f"({total / dt:,.0f} cells/s); {failed:,} cells recorded an error"
    )


def fleet() -> None:
    from suanli.models import fleet as F
    from suanli.scenarios.fleet import workload_jobs

    for workload, jobs, gpus in (("kalos", 5000, 2048), ("seren", 20000, 2048)):
        stream = workload_jobs(workload, jobs, capacity_gpus=gpus, load_fraction=0.7, seed=1)
        for policy in F.POLICIES:
            t0 = time.perf_counter()
            F.simulate([F.Pool("a", gpus)], stream, policy, horizon_s=float(stream.submit_s[-1]))
            dt = time.perf_counter() - t0
            print(
                f"fleet: {workload}-like, {jobs:,} jobs on {gpus:,} GPUs, {policy}: {dt:.2f} s ({jobs / dt:,.0f} jobs/s)"
            )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    fleet()
    sweep(args.cells, args.workers)
