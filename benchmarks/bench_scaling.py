"""Speed of the scaling-law models: prints figures, asserts nothing.

    python benchmarks/bench_scaling.py [--full-grid]

- the sympy derivation (cold, once per process) and the lambdified frontier over 1e6 budgets;
- the inverse (budget for a loss) for the parametric laws (closed form) and Kaplan (scipy root-finder);
- the inference-aware optimum over 1e4 (target, inference) pairs in one call;
- fitting 64 (N, D, loss) rows: from the 16 best grid points, with a 100-resample bootstrap, and
  (``--full-grid``) from all 4,500 points of Hoffmann et al.'s grid;
- one slider move of the notebook panel.
"""

from __future__ import annotations

import os
import sys
import time
import timeit

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")


def best_of(fn, repeat: int = 5) -> float:
    """Fastest of ``repeat`` single calls, in seconds."""
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def main() -> None:
    t = time.perf_counter()
    from suanli.models import scaling as s

    s.derivation()
    s.compute_optimal(1e23)
    print(f"import + sympy derivation + lambdify (cold):   {time.perf_counter() - t:8.3f} s")

    budgets = np.logspace(18, 27, 1_000_000)
    for law in ("chinchilla", "besiroglu", "kaplan"):
        sec = best_of(lambda law=law: s.compute_optimal(budgets, law))
        print(
            f"frontier, 1e6 budgets ({law:10}):          {sec * 1e3:8.2f} ms  ({sec / budgets.size * 1e9:.1f} ns/budget)"
        )
    print(
        f"frontier, one budget (chinchilla):             {best_of(lambda: s.compute_optimal(1e24), 50) * 1e6:8.1f} us"
    )

    targets = np.linspace(1.9, 3.0, 10_000)
    print(
        f"compute_for_loss, 1e4 targets (chinchilla):    {best_of(lambda: s.compute_for_loss(targets)) * 1e3:8.2f} ms"
    )
    kaplan_targets = np.linspace(1.5, 3.0, 10_000)
    print(
        f"compute_for_loss, 1e4 targets (kaplan, scipy): {best_of(lambda: s.compute_for_loss(kaplan_targets, 'kaplan'), 3) * 1e3:8.2f} ms"
    )

    loss_grid, inf_grid = np.meshgrid(np.linspace(1.9, 2.6, 100), np.logspace(9, 15, 100))
    sec = best_of(lambda: s.inference_aware_optimum(loss_grid, inf_grid), 3)
    print(f"inference-aware optimum, 1e4 pairs:            {sec * 1e3:8.2f} ms")

    from suanli.models.scaling_fit import fit_loss_law

    n, d = (g.ravel() for g in np.meshgrid(np.logspace(7.5, 10.5, 8), np.logspace(9, 12, 8)))
    truth = s.CHINCHILLA
    loss = s.loss(n, d) * np.exp(np.random.default_rng(0).normal(0, 0.01, n.size))
    fit_loss_law(n, d, loss, n_starts=1)  # warm scipy import
    t = time.perf_counter()
    fit = fit_loss_law(n, d, loss)
    print(f"fit, 64 rows, L-BFGS from 16 grid starts:      {time.perf_counter() - t:8.3f} s")
    t = time.perf_counter()
    boot = fit_loss_law(n, d, loss, n_bootstrap=100, seed=0)
    print(f"fit + 100-resample bootstrap:                  {time.perf_counter() - t:8.3f} s")
    for key in ("E", "A", "B", "alpha", "beta"):
        lo, hi = boot.intervals[key]
        print(f"   {key:5} true {getattr(truth, key):8.4g}  fit {fit.estimates[key]:8.4g}  95% [{lo:.4g}, {hi:.4g}]")
    exact = fit_loss_law(n, d, s.loss(n, d))
    worst = max(abs(exact.estimates[k] / getattr(truth, k) - 1) for k in ("E", "A", "B", "alpha", "beta"))
    print(f"noise-free recovery, worst relative error:     {worst:8.1e}")
    if "--full-grid" in sys.argv:
        t = time.perf_counter()
        fit_loss_law(n, d, loss, n_starts=None)
        print(f"fit from all 4,500 grid starts:                {time.perf_counter() - t:8.3f} s")

    from suanli.widgets.scaling import ScalingPanel

    panel = ScalingPanel()
    values = iter(np.logspace(19, 26, 1000))
    print(
        f"panel slider move (model + blitted figure):    {best_of(lambda: setattr(panel.flops, 'value', next(values)), 20) * 1e3:8.2f} ms"
    )


if __name__ == "__main__":
    main()
