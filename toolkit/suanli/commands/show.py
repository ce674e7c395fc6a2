"""``suanli show ID``: one object, every field with its source."""

from __future__ import annotations

NAME = "show"
HELP = "Show one accelerator, link, stack or site with the source of every number."


def add_arguments(parser) -> None:
    parser.add_argument("id", help="an id from `suanli catalog`, e.g. nvidia-h100-sxm5-80gb")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int:
    from suanli.catalog import load_catalog
    from suanli.commands.output import print_json
    from suanli.present import INPUT_DIGITS, cell, number, quantity

    cat = load_catalog()
    spec = cat.get(args.id)
    record = cat.record(spec)
    if args.json:
        print_json(record)
        return 0
    print(f"{spec.name}  [{spec.id}]  {spec.kind} by {spec.vendor}, plugin {spec.plugin} {record.get('plugin_version', '')}")
    for name in spec.text_fields():
        if getattr(spec, name):
            print(f"  {name:24} {getattr(spec, name)}")
    # Each distinct source once, numbered; a field points to its number, so a long citation is not
    # repeated (and read as if it were about that field) on every line it backs.
    refs: dict = {}
    for name, value in spec.numbers().items():
        src = spec.sources[name]
        n = refs.setdefault(src, len(refs) + 1)
        rng = spec.ranges.get(name)
        unit = spec.unit_of(name)
        shown = quantity(value, unit, INPUT_DIGITS) + (f" (range {number(rng[0], INPUT_DIGITS)}..{number(rng[1], INPUT_DIGITS)})" if rng else "")
        print(f"  {name:24} {shown:28} [{src.confidence}] [{n}]")
    derived = {k: v for k, v in record.items() if k.startswith(("tpp", "performance_density", "export_"))}
    for key, value in derived.items():
        print(f"  {key:24} {cell(value):28} [derived from the numbers above]")
    if spec.notes:
        print(f"  notes: {spec.notes}")
    if refs:
        print("sources:")
        for src, n in refs.items():
            extra = ", ".join(x for x in (src.url, src.date) if x)
            print(f"  [{n}] {src.citation}" + (f" ({extra})" if extra else ""))
    return 0
