"""Dependencies that match the code: every third-party package the library imports is declared in
``pyproject.toml``, and the library never imports what only the ``lab`` extra installs."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> tuple[str, set[str]]:
    """A requirement's normalised distribution name and the extras it asks for."""
    m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(?:\[([^\]]*)\])?", requirement)
    extras = {e.strip().lower() for e in (m.group(2) or "").split(",") if e.strip()}
    return re.sub(r"[-_.]+", "-", m.group(1)).lower(), extras


def declared(requirements) -> set[str]:
    """Distributions the requirements install by name, with ``dask[distributed]`` also naming ``distributed``."""
    out = set()
    for req in requirements:
        name, extras = _name(req)
        out |= {name, *extras}
    return out


def third_party_imports() -> dict[str, list[str]]:
    """Top-level module -> files of toolkit/suanli importing it (anywhere in the file)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "toolkit" / "suanli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "suanli" and top not in sys.stdlib_module_names:
                    found.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return found


IMPORTS = third_party_imports()


@pytest.mark.parametrize("module", sorted(IMPORTS))
def test_every_imported_package_is_declared(module):
    dists = {re.sub(r"[-_.]+", "-", d).lower() for d in packages_distributions().get(module, [])}
    assert dists, f"{module} (imported by {IMPORTS[module][0]}) is not installed: is it declared?"
    assert dists & declared(PROJECT["dependencies"]), (
        f"{module} is imported by {', '.join(sorted(set(IMPORTS[module]))[:3])} but its distribution "
        f"({', '.join(sorted(dists))}) is not in [project] dependencies"
    )


def test_the_library_imports_nothing_only_the_lab_extra_installs():
    lab_only = declared(PROJECT["optional-dependencies"]["lab"]) - declared(PROJECT["dependencies"])
    assert lab_only >= {"jupyterlab", "voila"}
    modules = {
        m for m in IMPORTS for d in packages_distributions().get(m, []) if re.sub(r"[-_.]+", "-", d).lower() in lab_only
    }
    assert not modules, f"the library imports {sorted(modules)}, which only the lab extra installs"


def test_the_scipy_floor_provides_what_is_imported():
    # scipy.optimize.elementwise (find_root, in suanli.models.scaling) first shipped in SciPy 1.15.0
    # (SciPy 1.15.0 release notes, "New features: scipy.optimize.elementwise").
    uses = any(
        "scipy.optimize.elementwise" in p.read_text(encoding="utf-8")
        for p in (ROOT / "toolkit" / "suanli").rglob("*.py")
    )
    floor = next(r for r in PROJECT["dependencies"] if _name(r)[0] == "scipy")
    version = tuple(int(x) for x in re.search(r">=\s*([0-9.]+)", floor).group(1).split("."))
    assert not uses or version >= (1, 15), floor


def test_suanli_lab_without_the_lab_extra_says_what_to_install():
    from suanli.commands.lab import require_app
    from suanli.errors import SuanliError

    require_app("jupyterlab")  # installed with the test extra
    with pytest.raises(SuanliError, match=r"install the lab extra"):
        require_app("suanli_no_such_app")
