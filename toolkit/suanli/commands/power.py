"""``suanli power``: power, energy, electricity, hardware cost and carbon of a fleet at a site."""

from __future__ import annotations

NAME = "power"
HELP = "Power (chip -> server -> IT -> facility), energy, electricity and hardware cost, and CO2 of N accelerators for H hours."

FIELDS = ("it_power_kw", "facility_power_kw", "energy_mwh", "electricity_cost", "hardware_cost", "total_cost", "co2_t")


def add_arguments(parser) -> None:
    from suanli.commands.flags import amount

    parser.add_argument("--chip", required=True, help="an accelerator id, e.g. nvidia-h100-sxm5-80gb")
    parser.add_argument("--count", required=True, type=int, help="number of accelerators")
    parser.add_argument("--hours", required=True, type=float, help="hours of running")
    parser.add_argument(
        "--tokens", type=amount, help="tokens trained or served in that time (adds cost per million tokens)"
    )
    from suanli.commands.flags import add_site_arguments

    add_site_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    from suanli.commands.flags import add_uncertain_arguments

    add_uncertain_arguments(parser)


def run(args) -> int:
    from suanli.catalog import load_catalog
    from suanli.commands.flags import uncertain_options
    from suanli.commands.output import print_fields, print_json
    from suanli.scenarios.power import energy_and_cost

    cat = load_catalog()
    mc = uncertain_options(args)
    if mc is not None:
        return _run_uncertain(args, cat, *mc)
    report = energy_and_cost(
        args, cat.accelerator(args.chip), args.count, args.hours, args.utilization, tokens=args.tokens, catalog=cat
    )
    if args.json:
        print_json(report)
        return 0
    ccy = report["currency"]
    where = report["site"] or "no site"
    print(
        f"{report['count']} x {report['accelerator']} for {report['hours']:g} h at {where} "
        f"(PUE {report['pue']:.3g}, utilisation {report['utilization']:.2f})"
    )
    from suanli.present import number

    shown = {k: report[k] for k in FIELDS if report[k] is not None}
    if "cost_per_million_tokens" in report:
        shown["cost_per_million_tokens"] = report["cost_per_million_tokens"]
    print_fields(shown, currency=ccy)  # money keys with their currency (suanli.present)
    print(
        "waterfall (kW): "
        + ", ".join(f"{k.removesuffix('_kw')} {number(v)}" for k, v in report["waterfall_kw"].items())
    )
    missing = [k for k in ("electricity_cost", "co2_t") if report[k] is None]
    if missing:
        print("not computed: " + ", ".join(missing) + " (give --site, or --price-kwh / --gco2-kwh)")
    if report["hardware_cost"] is None:
        print("hardware cost: no purchase price for this chip; give --rental-per-hour")
    return 0


def _run_uncertain(args, cat, samples: int, seed: int) -> int:
    """``--uncertain``: TDP, PUE, electricity and chip price drawn by their ranges; hours fixed."""
    from suanli.commands.estimate import print_ranges
    from suanli.commands.output import print_json
    from suanli.scenarios.uncertainty import ranged_energy_and_cost

    res = ranged_energy_and_cost(
        args,
        cat.accelerator(args.chip),
        args.count,
        args.hours,
        args.utilization,
        tokens=args.tokens,
        samples=samples,
        seed=seed,
        catalog=cat,
    )
    if args.json:
        print_json(res.as_dict())
        return 0
    rep = res.report
    print(
        f"{rep['count']} x {rep['accelerator']} for {rep['hours']:g} h at {rep['site'] or 'no site'} "
        f"({rep['currency']}); {samples:,} samples (seed {seed}): central value, P10-P90 range, median\n"
    )
    print_ranges(res)
    return 0
