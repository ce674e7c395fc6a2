"""``suanli show ID``: one object, every field with its source."""

from __future__ import annotations

NAME = "show"
HELP = "Show one accelerator, link, stack or site with the source of every number."


def add_arguments(parser) -> None:
    parser.add_argument("id", help="an id from `suanli catalog`, e.g. nvidia-h100-sxm5-80gb")
    parser.add_argument("--on", metavar="YYYY-MM-DD",
                        help="an accelerator's US export status on that date: the 3A090 rule then in force and any "
                        "chip-specific licence event (e.g. --on 2025-07-01 for the H20 in mid-2025)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int:
    from suanli.catalog import load_catalog
    from suanli.commands.output import format_number, print_json

    cat = load_catalog()
    spec = cat.get(args.id)
    record = cat.record(spec)
    if getattr(args, "on", None):
        return _show_on(spec, args.on, args.json)
    if args.json:
        print_json(record)
        return 0
    print(f"{spec.name}  [{spec.id}]  {spec.kind} by {spec.vendor}, plugin {spec.plugin} {record.get('plugin_version', '')}")
    for name in spec.text_fields():
        if getattr(spec, name):
            print(f"  {name:24} {getattr(spec, name)}")
    for name, value in spec.numbers().items():
        src = spec.sources[name]
        rng = spec.ranges.get(name)
        shown = f"{format_number(value)} {spec.unit_of(name)}" + (f" (range {rng[0]:g}..{rng[1]:g})" if rng else "")
        print(f"  {name:24} {shown:28} [{src.confidence}] {src.citation}")
    derived = {k: v for k, v in record.items() if k.startswith(("tpp", "performance_density", "export_"))
               and k != "export_timeline"}
    for key, value in derived.items():
        src = record.get("sources", {}).get(key)
        print(f"  {key:24} {format_number(value)}   [derived" + (f", {src['confidence']}" if src else "") + "]")
    for step in record.get("export_timeline", []):
        print(f"  export from {step['date']}: {step['eccn']}; to China: {step['exportable_to_china']}"
              + (f" ({step['rule']['id']} rule)" if step["rule"] else ""))
    if spec.notes:
        print(f"  notes: {spec.notes}")
    return 0


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
