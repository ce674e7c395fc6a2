"""Re-fit the step-time constant and report its errors (prints figures; not a test).

    python benchmarks/calibrate_step.py

Fits :data:`suanli.models.defaults.STACK_EFFICIENCY` (the stack's kernel efficiency) on the
fixed-layout iteration times of ``suanli/data/step_benchmarks.csv`` only (no whole runs), then
reports every row's error in sample and leave-one-paper-out (the constant refitted without that
paper's rows), by paper and by framework, and the Korthikanti et al. 2022 Table 5 set beside the
figures published for the open analytical model Calculon (Isaev et al. 2023, SC'23: 3.65% mean,
8.87% max on the same eight iteration times).
"""

from __future__ import annotations

from suanli.frameworks import bundled_profiles
from suanli.models import defaults as D
from suanli.scenarios import step_backtest


def main() -> None:
    res = step_backtest.calibrate()
    skipped = [r for r in step_backtest.run() if "skipped" in r]
    print(f"fitted kernel efficiency: {res['stack_efficiency']:.3f} (shipped: {D.STACK_EFFICIENCY.value})")
    for fam, value in res["generation_factor"].items():
        print(f"fitted kernel factor of {fam}: {value:.3f} (shipped: {D.GENERATION_KERNEL_FACTOR[fam].value})")
    for fw, value in res["framework_efficiency"].items():
        print(
            f"fitted kernel efficiency of {fw} (its own rows): {value:.3f} "
            f"(shipped in its profile: {bundled_profiles()[fw].kernel_efficiency})"
        )
    print(
        f"{'row':36s} {'framework':12s} {'family':8s} {'metric':22s} {'reported':>10s} {'error':>8s} {'LOO':>8s} "
        f"{'LOO fit':>8s}"
    )
    for r in res["rows"]:
        print(
            f"{r['id']:36s} {r['framework']:12s} {r['family']:8s} {r['metric']:22s} {r['reported']:10.4g} "
            f"{r['error']:+8.1%} {r['loo_error']:+8.1%} {r['loo_fit']:8.3f}{'' if r['fitted'] else '  (not fitted)'}"
        )
    for r in skipped:
        print(f"{r['id']:34s} skipped: {r['skipped']}")
    print()
    print(f"{'group':30s} {'rows':>4s} {'mean|e|':>8s} {'max|e|':>8s} {'LOO mean':>9s} {'LOO max':>8s}")
    for key, s in res["summary"].items():
        print(
            f"{key:30s} {s['rows']:4d} {s['mean_abs']:8.1%} {s['max_abs']:8.1%} {s['loo_mean_abs']:9.1%} {s['loo_max_abs']:8.1%}"
        )
    k = res["summary"]["paper:korthikanti2022"]
    print(
        f"\nKorthikanti et al. 2022 Table 5 (8 iteration times): suanli mean {k['mean_abs']:.2%}, max {k['max_abs']:.2%} "
        f"(leave-one-paper-out mean {k['loo_mean_abs']:.2%}, max {k['loo_max_abs']:.2%}); Calculon 3.65% mean, 8.87% max"
    )


if __name__ == "__main__":
    main()
