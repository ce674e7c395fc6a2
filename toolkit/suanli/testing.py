"""Conformance checks a vendor runs in its own CI.

    from suanli.testing import check_plugin
    import suanli_acme

    def test_conforms():
        report = check_plugin(suanli_acme, strict=True)
        assert report.ok, report.summary()

The plugin is loaded beside every installed suanli plugin, so that ids it refers to (links,
stacks) resolve and ids it repeats are caught as conflicts; only its own problems are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from suanli.catalog import Catalog, PluginInfo, Problem, _entry_points, _info, build_catalog


@dataclass
class PluginReport:
    """What :func:`check_plugin` found. ``ok`` is False on any error (or warning, when strict)."""

    name: str
    catalog: Catalog
    problems: list[Problem] = field(default_factory=list)
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" or self.strict for p in self.problems)

    @property
    def contributed(self) -> dict[str, int]:
        return {
            k: sum(1 for s in self.catalog.view(k).values() if s.plugin == self.name)
            for k in ("accelerators", "links", "stacks", "sites")
        }

    def summary(self) -> str:
        lines = [f"plugin {self.name!r}: " + ", ".join(f"{n} {k}" for k, n in self.contributed.items())]
        lines += [str(p) for p in self.problems] or ["no problems"]
        return "\n".join(lines)


def check_plugin(plugin: object, name: str | None = None, strict: bool = False) -> PluginReport:
    """Load ``plugin`` (a module or object with hook implementations) with the installed ones and
    check it: data valid, every number sourced, references resolve, no id conflicts, hooks spelled
    right, and at least one object contributed.

    ``name`` defaults to the plugin's entry-point name when it is installed, else its module name.
    """
    installed = [(_info(ep), ep.load) for ep in _entry_points()]
    module = getattr(plugin, "__name__", None) or type(plugin).__module__
    match = next((info for info, _ in installed if info.value.split(":")[0] == module), None)
    name = name or (match.name if match else module)
    others = [(info, load) for info, load in installed if info.name != name]
    own = match if match else PluginInfo(name)
    # Load the checked plugin last, so that an id it repeats is reported as its conflict.
    catalog = build_catalog([*others, (own, lambda: plugin)])
    problems = [p for p in catalog.problems if p.plugin.name == name]
    report = PluginReport(name, catalog, problems, strict)
    if name in catalog.plugins and not any(report.contributed.values()):
        report.problems.append(Problem(own, "contributes nothing: every hook returned an empty list", "warning"))
    return report
