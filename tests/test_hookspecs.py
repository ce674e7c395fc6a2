"""Meta-tests in datasette's spirit: the plugin guide documents every hook exactly, and every hook
is exercised by a test."""

import inspect
from pathlib import Path

import pytest

from suanli import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(n for n, f in vars(hookspecs).items() if n.startswith("suanli_") and inspect.isfunction(f))


def test_there_are_hooks():
    assert HOOKS == ["suanli_accelerators", "suanli_frameworks", "suanli_links", "suanli_sites", "suanli_stacks"]


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_exact_signature(hook):
    guide = (ROOT / "plugins" / "README.md").read_text()
    signature = f"def {hook}{inspect.signature(getattr(hookspecs, hook))}:"
    assert f"### `{signature}`" in guide
    doc = inspect.getdoc(getattr(hookspecs, hook))
    for word in ("Receives:", "Returns:", "Called:"):
        assert word in doc


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook):
    tests = [p for p in (ROOT / "tests").glob("test_*.py") if p.name != "test_hookspecs.py"]
    assert any(hook in p.read_text() for p in tests), f"no test mentions {hook}"
