"""``suanli fleet``: simulate a fleet of GPU pools under a job stream and a scheduling policy."""

from __future__ import annotations

NAME = "fleet"
HELP = (
    "Simulate GPU pools under a trace-fitted job stream and a scheduler (SimPy): utilisation, queueing, "
    "fragmentation, energy; --claims gives the seed claims' verdicts, --validate the check against public traces."
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--pool",
        action="append",
        metavar="NAME:COUNT[:CHIP[:SITE]]",
        help="a pool of COUNT GPUs (repeatable), e.g. west:4096:nvidia-h100-sxm5-80gb:cn-ningxia-zhongwei",
    )
    parser.add_argument(
        "--workload",
        default="kalos",
        help="trace the job stream is fitted to: seren, kalos, philly, helios, pai (default kalos)",
    )
    parser.add_argument(
        "--trace", help="read jobs from a trace CSV (Acme, Helios, Philly or Alibaba PAI columns) instead"
    )
    parser.add_argument("--jobs", type=int, default=2000, help="number of jobs (default 2000)")
    parser.add_argument(
        "--load", type=float, default=0.5, help="offered load as a share of the fleet's GPUs (default 0.5)"
    )
    parser.add_argument("--policy", default="backfill", help="fifo, backfill or priority (default backfill)")
    parser.add_argument(
        "--split", action="store_true", help="jobs belong to a pool in proportion to its size and stay there"
    )
    parser.add_argument(
        "--cross-site",
        dest="cross_site",
        action="store_true",
        help="let a job too big for one pool span pools (slowed by the cross-site all-reduce)",
    )
    parser.add_argument(
        "--failures", action="store_true", help="failures and restarts at the reliability model's default rate"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--claims", action="store_true", help="the seed documents' utilisation claims with computed verdicts"
    )
    parser.add_argument(
        "--validate",
        action="store_true",
        help="simulate the Seren and Kalos traces' workloads and compare the queueing statistics not fitted",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def _pools(specs):
    from suanli.errors import InputError

    out = []
    for text in specs or ["fleet:2048"]:
        parts = text.split(":")
        if len(parts) < 2 or not parts[0]:
            raise InputError(f"--pool must look like NAME:COUNT[:CHIP[:SITE]], got {text!r}")
        try:
            count = int(parts[1])
        except ValueError:
            raise InputError(f"--pool count must be a whole number of GPUs, got {parts[1]!r} in {text!r}") from None
        if count < 1:
            raise InputError(f"--pool count must be at least 1 GPU, got {count} in {text!r}")
        out.append(
            (
                parts[0],
                count,
                parts[2] if len(parts) > 2 and parts[2] else None,
                parts[3] if len(parts) > 3 and parts[3] else None,
            )
        )
    return out


def run(args) -> int:
    from suanli.commands.output import print_json
    from suanli.errors import InputError
    from suanli.scenarios import fleet as S

    if args.claims:
        verdicts = S.claims(seed=args.seed)
        if args.json:
            print_json([v.as_dict() for v in verdicts])
            return 0
        for v in verdicts:
            mark = {True: "supported", False: "not supported", None: "conditional"}[v.supported]
            print(f"- {v.claim} [{mark}]\n  scenario: {v.scenario}\n  {v.verdict}\n")
        return 0
    if args.validate:
        table = S.validate()
        if args.json:
            print_json(table.to_dict(orient="records"))
            return 0
        cols = ["cluster", "statistic", "published", "simulated", "bound", "within"]
        print(table[cols].to_string(index=False))
        return 0
    if args.jobs is None or args.jobs < 1:
        raise InputError(f"--jobs must be a whole number >= 1, got {args.jobs!r}")
    if not (args.load > 0 and args.load < 10):
        raise InputError(f"--load must be a positive share of the fleet (e.g. 0.5), got {args.load!r}")
    rep = S.run_fleet(
        _pools(args.pool),
        workload=args.workload,
        jobs=args.jobs,
        load_fraction=args.load,
        policy=args.policy,
        home_split=args.split,
        cross_site=args.cross_site,
        trace=args.trace,
        failure_rate_per_device_hour=None if args.failures else 0.0,
        seed=args.seed,
    )
    if args.json:
        print_json(rep.as_dict())
        return 0
    print(rep.explain())
    return 0
