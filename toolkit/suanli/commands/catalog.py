"""``suanli catalog``: list what the plugins describe."""

from __future__ import annotations

NAME = "catalog"
LISTS_PLUGIN_PROBLEMS = True  # it prints every problem itself
HELP = "List accelerators, links, software stacks or sites from the installed plugins."

COLUMNS = {
    "accelerators": ["id", "vendor", "bf16_tflops", "fp8_tflops", "hbm_gb", "hbm_tbs", "scaleup_domain", "tdp_w", "export_oct2023"],
    "links": ["id", "vendor", "link_kind", "bandwidth_gbs", "latency_us", "efficiency", "max_domain"],
    "stacks": ["id", "vendor", "stack_kind", "framework", "collective_library", "framework_efficiency"],
    "sites": ["id", "country", "hub", "electricity_cny_kwh", "electricity_usd_kwh", "pue_typical", "grid_gco2_kwh"],
}


def add_arguments(parser) -> None:
    parser.add_argument("--kind", choices=list(COLUMNS), default="accelerators", help="what to list (default: accelerators)")
    parser.add_argument("--vendor", help="only this vendor (case-insensitive), e.g. huawei")
    parser.add_argument("--json", action="store_true", help="print a JSON list with every field and its source")


def run(args) -> int:
    from suanli.catalog import load_catalog
    from suanli.commands.output import print_json, print_table
    from suanli.commands.plugins import report_problems

    cat = load_catalog()
    report_problems(cat)
    rows = cat.records(args.kind, args.vendor)
    if args.json:
        print_json(rows)
    elif rows:
        print_table(rows, COLUMNS[args.kind])
    else:
        from suanli.errors import InputError

        raise InputError(f"no {args.kind} match" + (f" vendor {args.vendor!r}" if args.vendor else ""))
    return 0
