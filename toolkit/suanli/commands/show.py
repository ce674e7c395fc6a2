"""``suanli show ID``: one object, every field with its source."""

from __future__ import annotations

NAME = "show"
HELP = "Show one accelerator, link, stack or site with the source of every number."


def add_arguments(parser) -> None:
    parser.add_argument("id", help="an id from `suanli catalog`, e.g. nvidia-h100-sxm5-80gb")
    parser.add_argument(
        "--on",
        metavar="YYYY-MM-DD",
        help="an accelerator's US export status on that date: the 3A090 rule then in force and any "
        "chip-specific licence event (e.g. --on 2025-07-01 for the H20 in mid-2025)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int:
    from suanli.catalog import load_catalog
    from suanli.commands.output import print_json
    from suanli.present import INPUT_DIGITS, cell, number, quantity

    cat = load_catalog()
    spec = cat.get(args.id)
    record = cat.record(spec)
    if getattr(args, "on", None):
        return _show_on(spec, args.on, args.json)
    if args.json:
        if spec.kind == "accelerator":
            from suanli.chip_evidence import derive

            eff = derive(spec, catalog=cat)
            record = {**record, "efficiency": eff.as_dict() if eff else None}
        print_json(record)
        return 0
    print(
        f"{spec.name}  [{spec.id}]  {spec.kind} by {spec.vendor}, plugin {spec.plugin} {record.get('plugin_version', '')}"
    )
    for name in spec.text_fields():
        if getattr(spec, name):
            print(f"  {name:24} {getattr(spec, name)}")
    # Each distinct source once, numbered; a field points to its number, so a long citation is not
    # repeated (and read as if it were about that field) on every line it backs.
    refs: dict = {}
    from suanli.attribution import unstated

    gaps = unstated(spec)  # a field whose cited source does not state it says so
    for name, value in spec.numbers().items():
        src = spec.sources[name]
        n = refs.setdefault(src, len(refs) + 1)
        rng = spec.ranges.get(name)
        unit = spec.unit_of(name)
        shown = quantity(value, unit, INPUT_DIGITS) + (
            f" (range {number(rng[0], INPUT_DIGITS)}..{number(rng[1], INPUT_DIGITS)})" if rng else ""
        )
        gap = f"; not stated there: {gaps[name]}" if name in gaps else ""
        print(f"  {name:24} {shown:28} [{src.confidence}] [{n}{gap}]")
    derived = {
        k: v
        for k, v in record.items()
        if k.startswith(("tpp", "performance_density", "export_")) and k != "export_timeline"
    }
    for key, value in derived.items():
        src = record.get("sources", {}).get(key)
        if value is None:
            print(f"  {key:24} {'-':28} [{blank_reason(key)}]")
            continue
        print(
            f"  {key:24} {cell(value):28} [derived from the numbers above"
            + (f", {src['confidence']}" if src else "")
            + "]"
        )
    for step in record.get("export_timeline", []):
        print(
            f"  export from {step['date']}: {step['eccn']}; to China: {'yes' if step['exportable_to_china'] else 'no'}"
            + (f" ({step['rule']['id']} rule)" if step["rule"] else "")
        )
    if spec.notes:
        print(f"  notes: {spec.notes}")
    if refs:
        print("sources:")
        for src, n in refs.items():
            extra = ", ".join(x for x in (src.url, src.date) if x)
            print(f"  [{n}] {src.citation}" + (f" ({extra})" if extra else ""))
    if spec.kind == "accelerator":
        from suanli.chip_evidence import derive, explain_lines

        eff = derive(spec, catalog=cat)
        if eff is None:
            print(
                "  efficiency: no entry in suanli/data/chip_efficiency.toml; the engine uses the plugin's "
                "matmul_efficiency as given"
            )
        else:
            print("\n".join("  " + line for line in explain_lines(eff)))
    return 0


BLANK_REASONS = {
    "tpp": "not derived: no dense 16-bit, 8-bit or TF32 peak is published",
    "tpp_format": "not derived: no peak sets the TPP",
    "performance_density": "not derived: the die area is not published",
    "export_io_gbs": "not derived: no scale-up bandwidth is published",
    "export_case_by_case_2026": (
        "not applicable: the 2023 thresholds (ECCN 3A090) do not control this chip, so the "
        "January 2026 case-by-case licence review does not apply (BIS, 91 FR 1684, 2026-01-15)"
    ),
}
"""Why a derived field of ``suanli show`` is blank, by field; what is not listed says its input is missing."""


def blank_reason(key: str) -> str:
    """The sentence ``suanli show`` prints beside a blank derived field."""
    if key in BLANK_REASONS:
        return BLANK_REASONS[key]
    if key.endswith(("_reason", "_basis")):
        return "not applicable: the value it explains is blank"
    return "not derived: a number it needs is not published"


def _show_on(spec, on: str, as_json: bool) -> int:
    from suanli.commands.output import print_json
    from suanli.errors import InputError
    from suanli.models.export import export_status_on
    from suanli.spec import Accelerator

    if not isinstance(spec, Accelerator):
        raise InputError(f"--on gives an accelerator's export status; {spec.id} is a {spec.kind}")
    st = export_status_on(spec, on)
    if as_json:
        print_json(st)
        return 0
    rule = st["rule"]
    print(f"{spec.id} on {st['date']}: {st['eccn']} ({st['reason']})")
    if rule:
        print(f"  rule in force: {rule['title']}, effective {rule['effective']} [{rule['source']['citation']}]")
    ev = st["licence_event"]
    if ev:
        print(f"  licence event of {ev['date']}: {ev['status']} [{ev['source']['citation']}]")
    print(f"  exportable to China: {st['exportable_to_china']}")
    return 0
