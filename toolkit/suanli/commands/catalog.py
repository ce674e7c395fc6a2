"""``suanli catalog``: list what the plugins describe."""

from __future__ import annotations

NAME = "catalog"
LISTS_PLUGIN_PROBLEMS = True  # it prints every problem itself
HELP = "List accelerators, links, software stacks or sites from the installed plugins."

COLUMNS = {
    "accelerators": [
        "id",
        "vendor",
        "bf16_tflops",
        "fp8_tflops",
        "hbm_gb",
        "hbm_tbs",
        "scaleup_domain",
        "tdp_w",
        "export_oct2023",
    ],
    "links": ["id", "vendor", "link_kind", "bandwidth_gbs", "latency_us", "efficiency", "max_domain"],
    "stacks": ["id", "vendor", "stack_kind", "framework", "collective_library", "framework_efficiency"],
    "sites": ["id", "country", "hub", "electricity_cny_kwh", "electricity_usd_kwh", "pue_typical", "grid_gco2_kwh"],
}


def add_arguments(parser) -> None:
    parser.add_argument(
        "--kind", choices=list(COLUMNS), default="accelerators", help="what to list (default: accelerators)"
    )
    parser.add_argument("--vendor", help="only this vendor (case-insensitive), e.g. huawei")
    parser.add_argument("--json", action="store_true", help="print a JSON list with every field and its source")


def explain_blanks(rows: list[dict]) -> list[str]:
    """Fill the peak columns a chip has no figure for with the reason, in place; the notes that explain them.

    A chip with no BF16 peak but an FP16 one has no BF16 units (V100, Ascend 910, Z100 ...) or its
    vendor publishes none: the cell shows the FP16 peak the engine trains at instead. A blank FP8 cell
    means no FP8 peak (no FP8 units, or none published).
    """
    from suanli.present import MISSING, Shown, number

    notes = []
    for row in rows:
        if row.get("bf16_tflops") is None and row.get("fp16_tflops") is not None:
            row["bf16_tflops"] = Shown(f"{MISSING} (fp16 {number(row['fp16_tflops'])})")
            if not notes:
                notes.append(
                    "bf16 '- (fp16 N)': no BF16 units or no BF16 peak published; 16-bit training runs in FP16 "
                    "at the FP16 peak shown"
                )
    if any(row.get("fp8_tflops") is None for row in rows):
        notes.append(
            "fp8 '-': no FP8 peak (no FP8 units, or none published); --precision fp8 is refused on these chips"
        )
    return notes


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
        notes = explain_blanks(rows) if args.kind == "accelerators" else []
        from suanli.present import INPUT_DIGITS

        print_table(rows, COLUMNS[args.kind], digits=INPUT_DIGITS)  # catalog data as published
        for note in notes:
            print(f"note: {note}")
    else:
        from suanli.errors import InputError

        raise InputError(f"no {args.kind} match" + (f" vendor {args.vendor!r}" if args.vendor else ""))
    return 0
