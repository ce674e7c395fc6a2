"""``suanli plugins list|check|new|schema``: what is installed, whether it is sound, and a new one."""

from __future__ import annotations

import re
import sys
from pathlib import Path

NAME = "plugins"
LISTS_PLUGIN_PROBLEMS = True  # it prints every problem itself
HELP = "List the installed plugins, check them (--strict: warnings fail too), start a new one, or print the data-file schema."

VENDOR_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="plugins with distribution, version and what each contributes")
    check = sub.add_parser("check", help="load every plugin and report problems; non-zero exit on errors")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors (for a vendor's CI)")
    new = sub.add_parser("new", help="write a new plugin package (suanli-VENDOR) from the template, tests included")
    new.add_argument(
        "vendor", metavar="VENDOR", help="the vendor's short name: lowercase letters, digits and '-' (acme)"
    )
    new.add_argument("--dir", default=".", help="folder to create suanli-VENDOR in (default: here)")
    sub.add_parser("schema", help="print the plugin data-file format as JSON Schema (docs/plugin-schema.json)")


def report_problems(cat, file=None) -> None:
    """One line per plugin problem on stderr, so a broken plugin is visible but not fatal."""
    for problem in cat.problems:
        print(f"suanli: {problem}", file=file or sys.stderr)


def template_dir() -> Path:
    """The vendor template: package data of the installed suanli (``suanli/data/plugin_template``, a link to
    ``plugins/template`` in the source tree), so ``suanli plugins new`` works from a wheel as from a clone."""
    from importlib import resources

    from suanli.errors import InputError

    here = Path(str(resources.files("suanli.data").joinpath("plugin_template")))
    if not (here / "pyproject.toml").is_file():
        raise InputError(
            "this suanli installation lacks its plugin template (suanli/data/plugin_template); reinstall suanli"
        )
    return here


def new_plugin(vendor: str, where: Path) -> Path:
    """Write ``where/suanli-VENDOR``: the template with its distribution, package, entry point and
    tests renamed for ``vendor``. Returns the new folder."""
    from suanli.errors import InputError

    if not isinstance(vendor, str) or not VENDOR_NAME.match(vendor):
        raise InputError(
            f"the vendor name {vendor!r} must be lowercase letters and digits, words joined by '-' (like 'acme')"
        )
    if not Path(where).is_dir():
        raise InputError(f"--dir {str(where)!r} is not a folder")
    package, dist = "suanli_" + vendor.replace("-", "_"), "suanli-" + vendor
    target = Path(where) / dist
    if target.exists():
        raise InputError(f"{str(target)!r} already exists; choose another --dir or remove it")
    source = template_dir()
    files = [
        p
        for p in sorted(source.rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and "build" not in p.relative_to(source).parts
        and not p.name.endswith((".pyc", ".egg-info"))
        and ".egg-info" not in str(p)
    ]
    for path in files:
        rel = path.relative_to(source).as_posix().replace("suanli_example", package)
        rel = rel.replace("test_example_plugin", f"test_{package.removeprefix('suanli_')}_plugin")
        text = path.read_text(encoding="utf-8")
        text = (
            text.replace("suanli_example", package)
            .replace("suanli-example", dist)
            .replace('plugin="example"', f'plugin="{vendor}"')
            .replace('example = "', f'{vendor} = "')
            .replace('tpu.plugin == "example"', f'tpu.plugin == "{vendor}"')
        )
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return target


def run(args) -> int:
    if args.action == "new":
        target = new_plugin(args.vendor, Path(args.dir))
        print(
            f"wrote {target}: describe your chips in {target.name.replace('-', '_')}/chips.toml, then\n"
            f'  pip install -e "{target}[test]" && pytest {target}/tests && suanli plugins check --strict'
        )
        return 0
    if args.action == "schema":
        import json

        from suanli.datafile import json_schema

        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        return 0

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
