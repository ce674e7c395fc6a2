"""``suanli substitute``: what replacing a reference fleet by other chips takes, one row per candidate.

    suanli substitute --model gpt3-175b --tokens 300e9 --reference nvidia-h100-sxm5-80gb:10000 \\
        --candidates huawei-ascend-910b,nvidia-h20 --deadline-days 30 --site cn-gansu-qingyang

Each row: chips needed to meet the deadline (or, with no deadline, to match the reference fleet's
time; with ``--budget``, the fastest fleet the budget buys), training days, facility power, energy,
cost, feasibility and the reasons, racks and floor space, and the equal-time / equal-cost comparison
against the reference. ``--mix CHIP:COUNT`` adds a two-pool run (reference + that pool) over
``--link``; ``--sensitivity`` ranks the uncertain inputs by how much they move the chips needed.
"""

from __future__ import annotations

NAME = "substitute"
HELP = "Replace a reference fleet (e.g. 10,000 H100) by H20s or domestic chips: chips, days, MW, cost, feasibility."

LINK_DEFAULT = "roce-400g"
"""The cross-pool link of ``--mix`` when ``--link`` is not given (400G RoCE, a common scale-out NIC)."""

TABLE_COLUMNS = ("chip", "chips", "shown_as", "train_days", "facility_mw", "energy_mwh", "cost", "racks", "feasible")
"""Columns of the text table; each row's reasons follow the table (JSON rows carry every key)."""


def add_arguments(parser) -> None:
    from suanli.commands.flags import amount

    model = parser.add_mutually_exclusive_group(required=True)
    model.add_argument("--model", help="a model preset (see `suanli estimate --help`), e.g. gpt3-175b, llama3-70b")
    model.add_argument("--params", type=amount, help="model parameters, e.g. 70e9 (shape by the engine's rule)")
    parser.add_argument("--tokens", type=amount, required=True, help="training tokens, e.g. 300e9")
    parser.add_argument(
        "--reference",
        required=True,
        metavar="CHIP:COUNT",
        help="the fleet being replaced, e.g. nvidia-h100-sxm5-80gb:10000",
    )
    parser.add_argument(
        "--candidates",
        required=True,
        metavar="ID[,ID...]",
        help="comma-separated accelerator ids, e.g. huawei-ascend-910b,nvidia-h20",
    )
    parser.add_argument(
        "--deadline-days",
        dest="deadline_days",
        type=float,
        help="days the run must finish in (default: the reference fleet's own time)",
    )
    parser.add_argument(
        "--budget", type=float, help="money available in --currency (sizes fleets to the budget without a deadline)"
    )
    parser.add_argument(
        "--precision",
        default="bf16",
        choices=("bf16", "fp16", "fp8", "int8"),
        help="training precision (default bf16; fp8/int8: 8-bit GEMMs, the rest in BF16)",
    )
    parser.add_argument(
        "--global-batch",
        dest="global_batch",
        type=int,
        help="global batch in sequences (default: the preset's); it caps data parallelism",
    )
    g = parser.add_argument_group("site and money")
    g.add_argument("--site", help="a site id (its PUE and electricity price), e.g. cn-gansu-qingyang")
    g.add_argument(
        "--currency", type=str.upper, default="CNY", choices=("CNY", "USD"), help="currency of costs (default CNY)"
    )
    g.add_argument(
        "--cost-basis",
        dest="cost_basis",
        default="capex",
        choices=("capex", "amortised", "rental"),
        help="buy the fleet (capex, default), own it and amortise over the run, or rent it",
    )
    g.add_argument(
        "--rental",
        action="append",
        default=[],
        metavar="CHIP=PRICE",
        help="rental price per accelerator-hour in --currency (for --cost-basis rental; repeat per chip)",
    )
    g.add_argument("--pue", type=float, help="power usage effectiveness (>= 1); overrides the site's")
    g.add_argument(
        "--price-kwh",
        dest="price_kwh",
        type=float,
        help="electricity price per kWh in --currency; overrides the site's",
    )
    g.add_argument(
        "--utilization", type=float, help="utilisation 0..1 in the power model (default 0.79, FlagPerf-derived)"
    )
    f = parser.add_argument_group("feasibility")
    f.add_argument(
        "--rack-kw", dest="rack_power_kw", type=float, help="power budget per rack in kW (default 40.8, DGX H100 x4)"
    )
    f.add_argument(
        "--supply",
        action="append",
        default=[],
        metavar="CHIP=UNITS",
        help="override a chip's supply in units per year (repeatable)",
    )
    f.add_argument(
        "--supply-share",
        dest="supply_share",
        type=float,
        help="share of the supply this buyer gets, 0..1 (default 1: the whole output, an upper bound)",
    )
    f.add_argument(
        "--yield",
        dest="yield_fraction",
        type=float,
        help="good units per unit of --supply, 0..1 (default 1: supply figures are shipped units)",
    )
    f.add_argument(
        "--switch-radix",
        dest="switch_radix",
        type=float,
        help="ports per scale-out switch for the largest-cluster check (default 64, Quantum-2)",
    )
    f.add_argument(
        "--export-rule",
        dest="export_rule",
        default="oct2023",
        choices=("oct2023", "oct2022", "none"),
        help="US export rule foreign chips are checked against (default oct2023)",
    )
    m = parser.add_argument_group("mixed fleet and sensitivity")
    m.add_argument(
        "--mix",
        metavar="CHIP:COUNT",
        help="also run the reference fleet together with this pool (e.g. huawei-ascend-910b:6000)",
    )
    m.add_argument(
        "--link",
        default=LINK_DEFAULT,
        help=f"link between the two pools (default {LINK_DEFAULT}; cross-site-fibre for two sites)",
    )
    m.add_argument("--link-ports", dest="link_ports", type=int, help="parallel ports or wavelengths on that link")
    m.add_argument("--route-km", dest="route_km", type=float, help="fibre route length for a cross-site link")
    m.add_argument(
        "--sensitivity", action="store_true", help="rank the uncertain inputs by their swing in chips needed"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    from suanli.commands.flags import add_uncertain_arguments

    add_uncertain_arguments(parser)


def _pairs(items: list[str], flag: str) -> dict[str, float]:
    from suanli.errors import InputError

    out: dict[str, float] = {}
    for item in items:
        for part in item.split(","):
            chip, sep, value = part.partition("=")
            if not sep or not chip.strip():
                raise InputError(f"{flag} takes CHIP=NUMBER, got {part!r}")
            try:
                out[chip.strip()] = float(value)
            except ValueError:
                raise InputError(f"{flag} {chip.strip()} must be a number, got {value!r}") from None
    return out


def options_from_args(args):
    """The :class:`suanli.scenarios.substitution.Options` the flags describe (catalog ids are checked when used)."""
    from suanli.scenarios.substitution import Options

    kwargs = {
        "site": args.site,
        "currency": args.currency,
        "cost_basis": args.cost_basis,
        "pue": args.pue,
        "price_kwh": args.price_kwh,
        "utilization": args.utilization,
        "export_rule": args.export_rule,
        "rental_per_hour": _pairs(args.rental, "--rental") or None,
        "supply_units_per_year": _pairs(args.supply, "--supply") or None,
    }
    for name in ("rack_power_kw", "supply_share", "yield_fraction", "switch_radix"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    return Options(**kwargs)


def _add_ranges(out, goal, options, cat, samples: int, seed: int, target_days: float | None = None) -> None:
    """``--uncertain``: P10/P50/P90 of each sized candidate's run (engine, power and cost inputs drawn at
    once) and, against a deadline, the probability that the run finishes within it
    (``deadline_probability``: the share of draws at or under ``target_days``)."""
    from suanli.scenarios import training
    from suanli.scenarios.uncertainty import candidate_ranges, progress

    site_options = {
        "site": options.site,
        "currency": options.currency,
        "pue": options.pue,
        "price_kwh": options.price_kwh,
    }
    sized = [row for row in out["candidates"] if row.get("chips_needed")]
    for row in progress(sized, desc="ranges per candidate", unit="chip"):
        est = training.estimate(
            goal.workload,
            tokens=goal.tokens,
            chip=row["chip"],
            count=int(row["chips_needed"]),
            precision=goal.precision,
            global_batch=goal.global_batch,
            catalog=cat,
            runners_up=0,
        )
        row["ranges"] = candidate_ranges(
            est, samples=samples, seed=seed, options=site_options, catalog=cat, deadline_days=target_days
        )
        if target_days is not None:
            row["deadline_probability"] = row["ranges"].pop("deadline_probability")


def run(args) -> int:
    from suanli.commands.flags import uncertain_options
    from suanli.commands.output import print_json
    from suanli.errors import InputError
    from suanli.scenarios.substitution import compare, make_goal, mixed_fleet, parse_fleet, sensitivity

    if not args.mix:
        alone = [
            flag
            for flag, given in (
                ("--link", args.link != LINK_DEFAULT),
                ("--link-ports", args.link_ports is not None),
                ("--route-km", args.route_km is not None),
            )
            if given
        ]
        if alone:
            raise InputError(
                f"{' and '.join(alone)} {'goes' if len(alone) == 1 else 'go'} with --mix CHIP:COUNT "
                "(the link between the two pools of a mixed fleet)"
            )
    draws = uncertain_options(args, default_samples=2_000)  # checked before any work
    reference = parse_fleet(args.reference)
    candidates = [c.strip() for c in args.candidates.split(",") if c.strip()]
    if not candidates:
        raise InputError("--candidates needs at least one accelerator id, e.g. huawei-ascend-910b")
    goal = make_goal(
        args.model,
        params=args.params,
        tokens=args.tokens,
        deadline_days=args.deadline_days,
        budget=args.budget,
        precision=args.precision,
        global_batch=args.global_batch,
    )
    options = options_from_args(args)
    from suanli.catalog import load_catalog

    cat = load_catalog()
    for chip in [reference[0], *candidates]:
        cat.accelerator(chip)  # an unknown id fails here, with a did-you-mean, before any work
    result = compare(goal, reference, candidates, options, catalog=cat)
    out = result.as_dict()
    if args.mix:
        out["mixed"] = mixed_fleet(
            goal,
            reference,
            parse_fleet(args.mix, what="--mix"),
            options,
            link=args.link,
            link_ports=args.link_ports,
            route_km=args.route_km,
            catalog=cat,
        )
    if args.sensitivity:
        from suanli.scenarios.uncertainty import progress

        out["sensitivity"] = {}
        for row in progress(result.rows, desc="sensitivity per candidate", unit="chip"):
            if row["chips_needed"] is not None:
                out["sensitivity"][row["chip"]] = (
                    sensitivity(goal, row["chip"], options, target_days=result.target_days, catalog=cat)
                    if result.target_days
                    else []
                )
    if draws is not None:
        _add_ranges(out, goal, options, cat, *draws, target_days=result.target_days)
    if args.json:
        print_json(out)
        return 0
    from suanli.present import count, days, number, probability

    print_text(result, out)
    if draws is not None and result.target_days is not None:
        print(
            f"feasible = at the central inputs; P(on time) = share of the {draws[0]:,} Monte Carlo draws (seed {draws[1]}) "
            f"that finish within {days(result.target_days)}"
        )
    if "mixed" in out:
        mx = out["mixed"]
        print(
            f"mixed: {mx['pool_a']['count']:,} {mx['pool_a']['chip']} + {mx['pool_b']['count']:,} {mx['pool_b']['chip']} over "
            f"{mx['link_ports']} x {mx['link']}: {mx['train_days']:.1f} days ({mx['gain_vs_a']:.2f}x vs A alone, "
            f"{mx['gain_vs_b']:.2f}x vs B alone; exchange {mx['exchange_share']:.0%} of the step)"
        )
        for note in mx["notes"]:
            print(f"note: {note}")
    for row in out["candidates"]:
        if row.get("ranges"):
            d = row["ranges"]["train_days"]
            text = (
                f"{row['chip']}: {count(row['chips_needed'])} chips, train days P10 {days(d['p10'])}, P50 {days(d['p50'])}, "
                f"P90 {days(d['p90'])}"
            )
            if row.get("deadline_probability") is not None:
                text += (
                    f"; finishes within the {number(result.target_days)}-day deadline with probability "
                    f"{probability(row['deadline_probability'])}"
                )
            print(text)
    for chip, swings in out.get("sensitivity", {}).items():
        top = ", ".join(
            f"{s['input']} {s['relative_low'] - 1:+.0%}..{s['relative_high'] - 1:+.0%}"
            for s in swings[:3]
            if s["swing"] > 0
        )
        print(f"sensitivity of chips needed, {chip}: {top}")
    return 0


def shown_rows(result) -> list[dict]:
    """The table rows people read: every candidate with a fleet size. A candidate that cannot meet the
    goal shows its fastest fleet (``shown_as`` says so) with that fleet's days, power and cost, and
    stays infeasible with its reasons; a candidate no fleet can train at all shows its reasons only."""
    from suanli.scenarios.substitution import size_candidate

    rows = []
    for r in result.rows:
        row = dict(r)
        row["shown_as"] = "meets the goal" if r["chips_needed"] is not None else "-"
        if r["chips_needed"] is None and r.get("fastest_chips") and r.get("fastest_days"):
            fastest = size_candidate(r["chip"], result.goal, result.options, target_days=r["fastest_days"] * (1 + 1e-9))
            if fastest["chips_needed"] is not None:
                row.update(
                    {
                        k: fastest[k]
                        for k in (
                            "chips_needed",
                            "train_days",
                            "facility_mw",
                            "energy_mwh",
                            "cost",
                            "racks",
                            "cost_includes",
                        )
                    }
                )
                row["shown_as"] = "fastest fleet (misses the goal)"
        row["chips"] = row["chips_needed"]
        rows.append(row)
    return rows


def print_text(result, out) -> None:
    """The substitution table for people: reference line, one row per candidate (each with a chip
    count when any fleet can train the model), the reasons under it, and a cost footer that says
    what the costs include, taken from the rows themselves."""
    from suanli.commands.output import print_table
    from suanli.present import cost_label, count, days, money, number, scaled

    goal, options, ref = result.goal, result.options, result.reference
    cur = options.currency
    ref_cost = (
        f", {money(ref['cost'], cur)} ({cost_label(None, ref['cost_includes'])})" if ref["cost"] is not None else ""
    )
    print(
        f"{goal.model}, {scaled(goal.tokens)} tokens. Reference: {count(ref['count'])} x {ref['chip']}: "
        f"{days(ref['train_days'])}, {number(ref['facility_mw'])} MW{ref_cost}"
    )
    for note in result.notes:
        print(f"note: {note}")
    rows = shown_rows(result)
    for row in rows:
        row["feasible"] = "yes" if row["feasible"] else "no"
        if row.get("deadline_probability") is not None:
            row["feasible"] += f", P(on time) {round(100 * row['deadline_probability'])}%"
    print_table(rows, TABLE_COLUMNS, currency=cur)
    shared = set.intersection(*(set(r["reasons"]) for r in rows)) if len(rows) > 1 else set()
    print()
    for row in rows:
        own = [x for x in row["reasons"] if x not in shared]
        if own:
            print(f"{row['chip']}: " + "; ".join(own))
    for reason in sorted(shared):
        print(f"every candidate: {reason}")
    includes = {tuple(r["cost_includes"]) for r in rows if r["cost"] is not None}
    if len(includes) == 1:
        inc = includes.pop()
        footer = cost_label(options.cost_basis, inc, cur)
        if "electricity" not in inc and options.cost_basis != "rental":
            footer += " (electricity not included: give --site or --price-kwh)"
    elif includes:
        footer = "; ".join(
            f"{', '.join(r['chip'] for r in rows if tuple(r['cost_includes']) == inc)}: "
            f"{cost_label(options.cost_basis, inc, cur)}"
            for inc in sorted(includes)
        )
    else:
        footer = f"cost: none of the rows can be priced on the {options.cost_basis} basis"
    print(f"{footer}; racks at {number(options.rack_power_kw)} kW per rack")
    for r in result.rows:
        if r["chips_needed"] is not None:
            print(result.headline(r))
