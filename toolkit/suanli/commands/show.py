"""``suanli show ID``: one object, every field with its source."""

from __future__ import annotations

NAME = "show"
HELP = "Show one accelerator, link, stack or site with the source of every number."


def add_arguments(parser) -> None:
    parser.add_argument("id", help="an id from `suanli catalog`, e.g. nvidia-h100-sxm5-80gb")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int:
    from suanli.catalog import load_catalog
    from suanli.commands.output import format_number, print_json

    cat = load_catalog()
    spec = cat.get(args.id)
    record = cat.record(spec)
    if args.json:
        if spec.kind == "accelerator":
            from suanli.chip_evidence import derive

            eff = derive(spec, catalog=cat)
            record = {**record, "efficiency": eff.as_dict() if eff else None}
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
    derived = {k: v for k, v in record.items() if k.startswith(("tpp", "performance_density", "export_"))}
    for key, value in derived.items():
        print(f"  {key:24} {format_number(value)}   [derived]")
    if spec.notes:
        print(f"  notes: {spec.notes}")
    if spec.kind == "accelerator":
        from suanli.chip_evidence import derive, explain_lines

        eff = derive(spec, catalog=cat)
        if eff is None:
            print("  efficiency: no entry in suanli/data/chip_efficiency.toml; the engine uses the plugin's "
                  "matmul_efficiency as given")
        else:
            print("\n".join("  " + line for line in explain_lines(eff)))
    return 0
