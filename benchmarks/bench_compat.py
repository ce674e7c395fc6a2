"""Speed of the CUDA-compatibility model: prints figures, asserts nothing.

    python benchmarks/bench_compat.py

- one full estimate (three corners, losses, porting programme) per stack;
- Monte Carlo over a stack's ranges (10k and 100k draws, one vectorised call);
- a sweep of one million (coverage, efficiency) configurations in one call;
- one slider move in the notebook panel (model + two matplotlib figures).
"""

from __future__ import annotations

import os
import timeit

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")


def best_of(fn, repeat: int = 5) -> float:
    """Fastest of ``repeat`` single calls, in seconds."""
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def main() -> None:
    from suanli.catalog import load_catalog
    from suanli.models import compat

    cat = load_catalog()
    w = compat.workload_profile()
    stacks = sorted(cat.stacks.values(), key=lambda s: s.id)
    t = best_of(lambda: [compat.compat_estimate(s, w, chips=1024, chip_price=15_000) for s in stacks])
    print(
        f"compat_estimate, {len(stacks)} stacks:          {t * 1e3:8.2f} ms ({t / len(stacks) * 1e3:.2f} ms per stack)"
    )

    rocm = cat.stack("rocm")
    for n in (10_000, 100_000):
        t = best_of(lambda n=n: compat.compat_estimate(rocm, w, chips=1024, samples=n), repeat=3)
        print(f"compat_estimate + Monte Carlo {n:>7,} draws: {t * 1e3:8.2f} ms")

    n = 1_000_000
    rng = np.random.default_rng(0)
    fallback = rng.uniform(0, 0.5, (n, 8))
    translated = rng.uniform(0, 0.5, (n, 8))
    eff = rng.uniform(0.1, 1.0, (n, 8))

    def sweep():
        return compat.slowdown(w, compat.class_time_factor(translated, fallback, eff, eff * 0.5))

    t = best_of(sweep, repeat=3)
    print(f"slowdown over {n:,} configurations:      {t * 1e3:8.2f} ms ({t / n * 1e9:.0f} ns each)")

    from suanli.widgets.compat import CompatPanel

    panel = CompatPanel(stack="hygon-dtk", catalog=cat)
    slider = panel.sliders[("attention", "fallback")]
    values = iter(np.linspace(0.05, 0.35, 50))
    t = best_of(lambda: setattr(slider, "value", float(next(values))), repeat=5)
    print(f"panel slider move (model + 2 figures):     {t * 1e3:8.2f} ms")
    t = best_of(lambda: panel.result(), repeat=5)
    print(f"panel recompute without figures:           {t * 1e3:8.2f} ms")

    import io

    import matplotlib.pyplot as plt

    from suanli.widgets.compat import break_even_figure, waterfall_figure

    res = panel.result()
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 3.8))
    waterfall_figure(res, ax=a)
    break_even_figure(res, ax=b)
    t = best_of(lambda: fig.savefig(io.BytesIO(), format="png"), repeat=3)
    print(f"PNG encoding of the panel figure (what Jupyter adds): {t * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
