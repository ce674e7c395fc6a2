"""``suanli power``: power, energy, electricity, hardware cost and carbon of a fleet at a site."""

from __future__ import annotations

NAME = "power"
HELP = "Power (chip -> server -> IT -> facility), energy, electricity and hardware cost, and CO2 of N accelerators for H hours."

FIELDS = ("it_power_kw", "facility_power_kw", "energy_mwh", "electricity_cost", "hardware_cost", "total_cost", "co2_t")


def add_arguments(parser) -> None:
    parser.add_argument("--chip", required=True, help="an accelerator id, e.g. nvidia-h100-sxm5-80gb")
    parser.add_argument("--count", required=True, type=int, help="number of accelerators")
    parser.add_argument("--hours", required=True, type=float, help="hours of running")
    parser.add_argument("--tokens", type=float, help="tokens trained or served in that time (adds cost per million tokens)")
    add_site_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    from suanli.commands.estimate import add_uncertain_arguments

    add_uncertain_arguments(parser)


def add_site_arguments(parser, *, utilization: bool = True) -> None:
    """Add --site/--pue/--price-kwh/--currency/--gco2-kwh, --utilization and the hardware-cost options."""
    from suanli.models import power as P

    g = parser.add_argument_group("power, site and cost")
    g.add_argument("--site", help="a site id from `suanli catalog --kind sites` (its PUE, electricity price, grid intensity)")
    g.add_argument("--site-type", dest="site_type", choices=("hyperscale", "hub", "enterprise"),
                   help="default PUE when no --site or --pue: hyperscale/AI hall 1.10 (Google fleet 2021, the "
                   "default), hub 1.25 (China's national hub-node ceiling, NDRC 2021), enterprise 1.57 (Uptime 2021 survey)")
    g.add_argument("--pue", type=float, help="power usage effectiveness (>= 1); overrides the site's typical PUE")
    g.add_argument("--price-kwh", dest="price_kwh", type=float, help="electricity price per kWh in --currency; overrides the site's")
    g.add_argument("--currency", type=str.upper, choices=("USD", "CNY"),
                   help="currency of --price-kwh and of the results (default: the site's own, else USD)")
    g.add_argument("--gco2-kwh", dest="gco2_kwh", type=float, help="grid carbon intensity in gCO2/kWh; overrides the site's")
    if utilization:
        g.add_argument("--utilization", type=float,
                       help="accelerator utilisation 0..1 in the linear power model (default: the chip's measured draw "
                       f"under load where known, e.g. H100 {P.chip_utilization('nvidia-h100-sxm5-80gb'):.2f}; else "
                       f"{P.DEFAULTS.utilization:.2f}, FlagPerf's A100 GEMM)")
    g.add_argument("--rental-per-hour", dest="rental_per_hour", type=float,
                   help="rent instead of buy: price per accelerator-hour in --currency")
    g.add_argument("--lifetime-years", dest="lifetime_years", type=float, help="hardware amortisation life (default 5)")
    g.add_argument("--cost-of-capital", dest="cost_of_capital", type=float, help="yearly cost of capital (default 0.10)")
    g.add_argument("--server-capex-fraction", dest="server_capex_fraction", type=float,
                   help="rest-of-server capex as a share of the chip price (default 0.38; 0 when the chip's price "
                   "already is a per-accelerator system price)")


def run(args) -> int:
    from suanli.catalog import load_catalog
    from suanli.commands.estimate import uncertain_options
    from suanli.commands.output import print_fields, print_json
    from suanli.scenarios.power import energy_and_cost

    cat = load_catalog()
    mc = uncertain_options(args)
    if mc is not None:
        return _run_uncertain(args, cat, *mc)
    report = energy_and_cost(args, cat.accelerator(args.chip), args.count, args.hours, args.utilization,
                             tokens=args.tokens, catalog=cat)
    if args.json:
        print_json(report)
        return 0
    ccy = report["currency"]
    where = report["site"] or "no site"
    print(f"{report['count']} x {report['accelerator']} for {report['hours']:g} h at {where} "
          f"(PUE {report['pue']:.3g}, utilisation {report['utilization']:.2f})")
    from suanli.present import number

    shown = {k: report[k] for k in FIELDS if report[k] is not None}
    if "cost_per_million_tokens" in report:
        shown["cost_per_million_tokens"] = report["cost_per_million_tokens"]
    print_fields(shown, currency=ccy)  # money keys with their currency (suanli.present)
    print("waterfall (kW): " + ", ".join(f"{k.removesuffix('_kw')} {number(v)}" for k, v in report["waterfall_kw"].items()))
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

    res = ranged_energy_and_cost(args, cat.accelerator(args.chip), args.count, args.hours, args.utilization,
                                 tokens=args.tokens, samples=samples, seed=seed, catalog=cat)
    if args.json:
        print_json(res.as_dict())
        return 0
    rep = res.report
    print(f"{rep['count']} x {rep['accelerator']} for {rep['hours']:g} h at {rep['site'] or 'no site'} "
          f"({rep['currency']}); {samples:,} samples (seed {seed}): central value, P10-P90 range, median\n")
    print_ranges(res)
    return 0
