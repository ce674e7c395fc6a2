"""Speed of the substitution model: candidates sized per second, and the dashboard's update latency.

    python benchmarks/bench_substitution.py            # GPT-3 175B, 300B tokens, 10,000 H100, 8 candidates
    python benchmarks/bench_substitution.py -n 20 --model llama3-70b --tokens 15e12

Prints, nothing asserted (tests never time things):
- cold: building each candidate's engine curve (a grid of ~100 fleet sizes) and sizing it, with
  bisection, through ``compare``: candidates per second and engine calls per second;
- warm: ``compare`` again on the cached curves, with and without bisection: candidates per second;
- the Pareto table over every chip and fleet size, and one sensitivity analysis;
- the dashboard: median and 90th percentile of a control move (wall clock and CPU), per control.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

CANDIDATES = (
    "huawei-ascend-910b",
    "huawei-ascend-910c",
    "nvidia-h20",
    "cambricon-mlu590",
    "hygon-dcu-k100-ai",
    "moorethreads-mtt-s4000",
    "metax-c500",
    "kunlunxin-p800",
)


def timed(fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gpt3-175b")
    parser.add_argument("--tokens", type=float, default=300e9)
    parser.add_argument("--deadline-days", type=float, default=30.0)
    parser.add_argument("--reference", default="nvidia-h100-sxm5-80gb:10000")
    parser.add_argument("-n", type=int, default=12, help="moves per dashboard control")
    args = parser.parse_args()

    from suanli.catalog import load_catalog
    from suanli.scenarios.substitution import Options, compare, make_goal, pareto_options, parse_fleet, sensitivity
    from suanli.scenarios.substitution.sizing import _CURVES

    cat = load_catalog()
    cands = [c for c in CANDIDATES if c in cat.accelerators]
    goal = make_goal(args.model, tokens=args.tokens, deadline_days=args.deadline_days)
    ref = parse_fleet(args.reference)
    opts = Options(site="cn-gansu-qingyang")
    print(
        f"{args.model}, {args.tokens:.3g} tokens, deadline {args.deadline_days:g} days, reference {args.reference}, "
        f"{len(cands)} candidates"
    )

    _, wall, cpu = timed(compare, goal, ref, cands, opts, catalog=cat)
    points = sum(len(c.counts) for c in _CURVES.values())
    print(
        f"cold compare (engine curves + bisection): {wall:6.2f} s wall, {cpu:6.2f} s CPU; "
        f"{len(cands) / wall:6.2f} candidates/s; {points} grid points, {points / cpu:,.0f} engine calls per CPU-second"
    )
    reps = 5
    for refine in (True, False):

        def run(refine=refine):
            return [compare(goal, ref, cands, opts, catalog=cat, refine=refine) for _ in range(reps)]

        _, wall, cpu = timed(run)
        print(
            f"warm compare, refine={refine!s:5}: {reps * len(cands) / wall:8.1f} candidates/s wall, "
            f"{reps * len(cands) / cpu:8.1f} per CPU-second"
        )
    front, wall, _ = timed(pareto_options, goal, [ref[0], *cands], opts, catalog=cat)
    print(
        f"pareto table: {front['count'].size} options, {int(front['pareto'].sum())} on the front, {wall * 1e3:6.1f} ms"
    )
    import scipy.stats  # noqa: F401  (the tornado's quantiles; a one-time import of seconds, not the analysis)

    _, wall, _ = timed(sensitivity, goal, cands[0], opts, target_days=args.deadline_days, catalog=cat)
    print(f"sensitivity ({cands[0]}): {wall * 1e3:6.1f} ms")

    from suanli.widgets.base import sweep_values
    from suanli.widgets.substitution import SubstitutionPanel

    SubstitutionPanel.strict = True
    panel, wall, _ = timed(
        SubstitutionPanel,
        candidates=cands,
        reference=args.reference,
        model=args.model,
        tokens=args.tokens,
        deadline_days=args.deadline_days,
        catalog=cat,
    )
    print(f"dashboard built in {wall:5.2f} s (curves cached)")
    all_wall, all_cpu = [], []
    for control in panel.main_controls:
        walls, cpus = [], []
        for value in sweep_values(control, args.n):
            _, w, c = timed(setattr, control, "value", value)
            walls.append(w * 1e3)
            cpus.append(c * 1e3)
        if not walls:
            continue
        all_wall += walls
        all_cpu += cpus
        p90 = sorted(walls)[int(0.9 * (len(walls) - 1))]
        print(
            f"  {control.description[:24]:24s} median {statistics.median(walls):6.1f} ms  p90 {p90:6.1f} ms  "
            f"(CPU median {statistics.median(cpus):6.1f} ms)"
        )
    all_wall.sort()
    print(
        f"dashboard update latency: median {statistics.median(all_wall):.1f} ms, p90 {all_wall[int(0.9 * (len(all_wall) - 1))]:.1f} ms "
        f"wall; CPU median {statistics.median(all_cpu):.1f} ms over {len(all_wall)} moves"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
