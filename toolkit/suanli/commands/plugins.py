"""``suanli plugins list|check``: what is installed and whether it is sound."""

from __future__ import annotations

import sys

NAME = "plugins"
LISTS_PLUGIN_PROBLEMS = True  # it prints every problem itself
HELP = "List the installed plugins, or check them (--strict: warnings fail too)."


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="plugins with distribution, version and what each contributes")
    check = sub.add_parser("check", help="load every plugin and report problems; non-zero exit on errors")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors (for a vendor's CI)")


def report_problems(cat, file=None) -> None:
    """One line per plugin problem on stderr, so a broken plugin is visible but not fatal."""
    for problem in cat.problems:
        print(f"suanli: {problem}", file=file or sys.stderr)


def run(args) -> int:
    from suanli.catalog import KINDS, load_catalog
    from suanli.commands.output import print_table

    cat = load_catalog()
    if args.action == "list":
        rows = []
        for info in cat.plugins.values():
            row = {"plugin": info.name, "distribution": info.distribution, "version": info.version}
            for kind in KINDS:
                row[kind] = sum(1 for s in cat.view(kind).values() if s.plugin == info.name)
            rows.append(row)
        print_table(rows, ["plugin", "distribution", "version", *KINDS])
        report_problems(cat)
        return 0
    report_problems(cat)
    errors = [p for p in cat.problems if p.severity == "error"]
    warnings = [p for p in cat.problems if p.severity != "error"]
    failed = bool(errors) or (args.strict and bool(warnings))
    print(
        f"{len(cat.plugins)} plugins, {len(cat)} objects: {len(errors)} errors, {len(warnings)} warnings"
        + (" (strict)" if args.strict else "")
        + (": FAILED" if failed else ": ok")
    )
    return 1 if failed else 0
