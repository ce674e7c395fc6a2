"""Every model is referenced: each public function in suanli.models names the paper, datasheet,
standard or rule it follows in its docstring (pvlib style, "References: ...").

Trivial helpers that follow no source (look-ups, display, validation against a fixed list) are
exempted by name in :data:`EXEMPT`, each with the reason.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import suanli.models

# What a reference looks like: an author list, an identifier, a datasheet, a standard or rule, a URL,
# a named law, or a year (a publication date next to a title).
REFERENCE = re.compile(
    r"et al\.|arXiv|doi|datasheet|Reference|References|CFR|FR \d|IEEE|ISO|http|Amdahl|Young|Daly|\b(19|20)\d\d\b"
)

EXEMPT = {
    "suanli.models.defaults.table": "lists the defaults as rows; every row carries its own Source",
    "suanli.models.money.check_currency": "validation against the two supported currency codes",
    "suanli.models.scaling.constant": "look-up by name; each constant in CONSTANTS carries its own source",
    "suanli.models.scaling.constants_table": "lists the constants as rows; each row carries its own source",
    "suanli.models.scaling.get_law": "look-up of a law by name; each law's functions cite the paper",
    "suanli.models.scaling.derivation_latex": "formats the sympy derivation as LaTeX for display",
    "suanli.models.substitution.is_domestic": "membership in the documented DOMESTIC_VENDOR_PREFIXES list",
}


def _model_modules():
    return [
        importlib.import_module(f"suanli.models.{info.name}")
        for info in pkgutil.iter_modules(suanli.models.__path__)
        if not info.name.startswith("_")
    ]


def _public_functions():
    """(qualified name, function) for each public function defined in a model module (not imported)."""
    found = []
    for module in _model_modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module.__name__:
                continue
            found.append((f"{module.__name__}.{name}", obj))
    return found


FUNCTIONS = _public_functions()


def test_the_collection_sees_the_models():
    names = {q for q, _ in FUNCTIONS}
    assert len(FUNCTIONS) > 100
    for expected in (
        "suanli.models.interconnect.ring_all_reduce",
        "suanli.models.reliability.goodput",
        "suanli.models.flops.model_flops_per_token",
        "suanli.models.memory.model_state_bytes",
    ):
        assert expected in names


CHECKED = [(q, f) for q, f in FUNCTIONS if q not in EXEMPT]


@pytest.mark.parametrize("qualname,func", CHECKED, ids=[q.removeprefix("suanli.models.") for q, _ in CHECKED])
def test_model_function_names_its_reference(qualname, func):
    doc = inspect.getdoc(func) or ""
    assert doc, f"{qualname} has no docstring"
    assert REFERENCE.search(doc), f"{qualname}'s docstring names no paper, datasheet, standard or rule:\n{doc}"


def test_exemptions_are_real_and_few():
    names = {q for q, _ in FUNCTIONS}
    stale = sorted(set(EXEMPT) - names)
    assert not stale, f"exempted functions that no longer exist: {stale}"
    assert len(EXEMPT) <= 10
    assert all(reason.strip() for reason in EXEMPT.values())
