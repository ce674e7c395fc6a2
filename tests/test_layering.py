"""The house plan, enforced: imports only go down the layers, the two faces never import each other,
and no suanli module imports itself back through others.

Every ``import`` in every module of ``toolkit/suanli`` counts, at module level or inside a function
(a lazy import is still a dependency); only imports under ``if TYPE_CHECKING:`` are left out, since
they never run. The layers are data (:data:`LAYERS`), described on ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit" / "suanli"

LAYERS = (
    (
        "faces",
        ("suanli.cli", "suanli.__main__", "suanli.calibrate", "suanli.commands", "suanli.widgets", "suanli.testing"),
    ),
    ("scenarios", ("suanli.scenarios",)),
    (
        "catalog",
        (
            "suanli.catalog",
            "suanli.datafile",
            "suanli.plugin_guard",
            "suanli.frameworks",
            "suanli.chip_evidence",
            "suanli.prices",
            "suanli.present",
        ),
    ),
    ("models", ("suanli.models",)),
    ("spec", ("suanli", "suanli.spec", "suanli.hookspecs", "suanli.errors", "suanli.validate")),
)
"""Top to bottom: a module may import its own layer and the layers below, never one above. A name
matches a module and everything under it; the longest match wins (``suanli`` alone is the package's
``__init__``, whose public names load lazily from the layers above without importing them)."""

FACES = {
    "command line": ("suanli.cli", "suanli.__main__", "suanli.calibrate", "suanli.commands"),
    "widgets": ("suanli.widgets",),
    "plugin test kit": ("suanli.testing",),
}
"""The faces a person meets; none imports another (what two faces share lives in a lower layer,
e.g. :mod:`suanli.present` for formatting)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes under ``if TYPE_CHECKING:`` (never run, so not a dependency)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The suanli modules ``path`` imports, anywhere in the file (``from pkg import mod`` names ``pkg.mod``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
    return {m for m in found if m == "suanli" or m.startswith("suanli.")} - {name}


def _match(name: str, table) -> str | None:
    best, best_len = None, -1
    for key, prefixes in table:
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = key, len(prefix)
    return best


def layer_of(name: str) -> str | None:
    return _match(name, LAYERS)


def face_of(name: str) -> str | None:
    return _match(name, FACES.items())


RANK = {layer: i for i, (layer, _) in enumerate(LAYERS)}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) for p in paths}


GRAPH = import_graph()


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    """One sentence per import that goes up a layer or across faces."""
    out = []
    for mod, deps in sorted(graph.items()):
        for dep in sorted(deps):
            here, there = layer_of(mod), layer_of(dep)
            if RANK[there] < RANK[here]:
                out.append(f"{mod} ({here}) imports {dep} ({there}), a layer above it")
            elif face_of(mod) and face_of(dep) and face_of(mod) != face_of(dep):
                out.append(f"{mod} ({face_of(mod)}) imports {dep} ({face_of(dep)}): faces do not import each other")
    return out


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once, from its first module in the walk)."""
    cycles, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                cycles.append(stack[stack.index(dep) :] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_every_module_has_a_layer():
    unplaced = sorted(m for m in GRAPH if layer_of(m) is None)
    assert not unplaced, f"add these modules to LAYERS in tests/test_layering.py: {unplaced}"


def test_imports_only_go_down_and_faces_stay_apart():
    assert layering_violations(GRAPH) == []


def test_no_import_cycles():
    assert import_cycles(GRAPH) == []


def test_the_graph_sees_function_level_and_relative_imports(tmp_path):
    # the parser must see what the rules are about, or the tests above pass on nothing
    assert "suanli.scenarios.training" in GRAPH["suanli.commands.estimate"]  # imported inside functions
    assert (
        "suanli.models.substitution" in GRAPH["suanli.scenarios.substitution.sizing"]
    )  # `from suanli.models import substitution`
    pkg = tmp_path / "suanli" / "widgets"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    mod = pkg / "x.py"
    mod.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from suanli.commands import output\n"
        "def f():\n    from ..commands import estimate\n"
    )
    modules = {"suanli.commands", "suanli.commands.estimate", "suanli.commands.output"}
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "suanli"
    try:
        assert imports_of(mod, modules) == {"suanli.commands.estimate"}
    finally:
        PACKAGE = saved


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"suanli.widgets.a": {"suanli.commands.b"}, "suanli.commands.b": set()}, "faces do not import each other"),
        ({"suanli.models.a": {"suanli.scenarios.b"}, "suanli.scenarios.b": set()}, "a layer above it"),
        ({"suanli.scenarios.a": {"suanli.widgets.b"}, "suanli.widgets.b": set()}, "a layer above it"),
    ],
)
def test_a_wrong_arrow_is_reported(graph, expected):
    (violation,) = layering_violations(graph)
    assert expected in violation


def test_a_cycle_is_reported():
    graph = {"suanli.errors": {"suanli.validate"}, "suanli.validate": {"suanli.errors"}}
    assert import_cycles(graph) == [["suanli.errors", "suanli.validate", "suanli.errors"]]
