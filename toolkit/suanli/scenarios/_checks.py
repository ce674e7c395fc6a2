"""Entry checks the scenario functions share: the objects they take (a catalog, an accelerator, a
substitution goal or options, a mapping of rows) are what they say, or one sentence naming the input.

Numbers are checked with :mod:`suanli.validate` (its kinds and :func:`~suanli.validate.checked`);
this module adds the scenario layer's objects, so that a wrong object never ends in an
``AttributeError`` deep inside a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suanli.errors import InputError, shown


def catalog(value: Any = None):
    """The catalog to look ids up in: ``value``, or the loaded one when None."""
    if value is None:
        from suanli.catalog import load_catalog

        return load_catalog()
    # duck-typed: a stand-in that knows only sites (or has only some views) is a catalog for what it knows
    lookups = ("accelerator", "site", "link", "stack")
    views = ("accelerators", "sites", "links", "stacks")
    if not (
        any(callable(getattr(value, name, None)) for name in lookups)
        or any(isinstance(getattr(value, name, None), Mapping) for name in views)
    ):
        raise InputError(f"catalog must be a suanli catalog (suanli.load_catalog()), got {shown(value)}")
    return value


def accelerator(name: str, value: Any):
    """An :class:`~suanli.spec.Accelerator` (checked again: a spec edited in place never reaches a model)."""
    from suanli.spec import Accelerator

    if not isinstance(value, Accelerator):
        raise InputError(
            f"{name} must be an accelerator from the catalog (catalog.accelerator(id)), got {shown(value)}"
        )
    value.validate()
    return value


def instance(name: str, value: Any, kind: type, what: str):
    """``value`` if it is a ``kind``; else one sentence saying what ``name`` must be (``what``)."""
    if not isinstance(value, kind):
        raise InputError(f"{name} must be {what}, got {shown(value)}")
    return value


def mapping(name: str, value: Any, keys: tuple[str, ...] = ()) -> Mapping:
    """A mapping that holds every one of ``keys``."""
    if not isinstance(value, Mapping):
        raise InputError(f"{name} must be a mapping of names to values, got {shown(value)}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise InputError(
            f"{name} must have the key(s) {', '.join(missing)}; it has {', '.join(map(str, value)) or 'none'}"
        )
    return value


def rows(name: str, value: Any, keys: tuple[str, ...] = ()) -> list:
    """A list of mappings, each holding every one of ``keys``."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise InputError(f"{name} must be a list of rows (mappings), got {shown(value)}")
    for i, row in enumerate(value):
        mapping(f"{name}[{i}]", row, keys)
    return list(value)


def text(name: str, value: Any) -> str:
    """A non-empty name (an id, a preset, a metric)."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name} must be a name (text), got {shown(value)}")
    return value


# -- kinds for :func:`suanli.validate.checked` on scenario functions that take single numbers ---------


def BOOLEAN(name: str, value: Any) -> None:
    """True or False (a switch), not a number or a word that merely looks truthy."""
    import numpy as np

    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be True or False, got {shown(value)}")


def ONE_SHARE(name: str, value: Any) -> None:
    """A single number in [0, 1]."""
    from suanli.validate import fraction

    fraction(name, value)


def ONE_EFFICIENCY(name: str, value: Any) -> None:
    """A single number in (0, 1]."""
    from suanli.validate import fraction

    fraction(name, value, zero_ok=False)


def ONE_AT_LEAST_ONE(name: str, value: Any) -> None:
    """A single finite number >= 1 (a PUE)."""
    from suanli.validate import number

    if number(name, value) < 1:
        raise InputError(f"{name} must be at least 1, got {shown(value)}")


def YEAR(name: str, value: Any) -> None:
    """A calendar year (a whole number from 1900 to 2200)."""
    from suanli.validate import whole

    whole(name, value, minimum=1900, maximum=2200)
