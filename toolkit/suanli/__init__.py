"""suanli (算力): a Jupyter-first toolkit for modeling AI compute.

    >>> import suanli
    >>> cat = suanli.load_catalog()
    >>> cat.get("nvidia-h100-sxm5-80gb").bf16_tflops
    989.4

Heavy parts (pandas, scipy, sympy, the models) load on first use, so ``import suanli`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from suanli.hookspecs import hookimpl

__version__ = "0.1.0"

# name -> module that defines it; imported on first attribute access (PEP 562).
_LAZY = {
    "Catalog": "suanli.catalog",
    "load_catalog": "suanli.catalog",
    "CatalogError": "suanli.catalog",
    "SpecError": "suanli.spec",
    "Source": "suanli.spec",
    "Accelerator": "suanli.spec",
    "Link": "suanli.spec",
    "SoftwareStack": "suanli.spec",
    "Site": "suanli.spec",
    "estimate": "suanli.scenarios.training",
    "uncertain_estimate": "suanli.scenarios.uncertainty",
}

if TYPE_CHECKING:  # pragma: no cover - names for type checkers; at run time __getattr__ imports them
    from suanli.catalog import Catalog, CatalogError, load_catalog
    from suanli.spec import Accelerator, Link, Site, SoftwareStack, Source, SpecError


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'suanli' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["__version__", "hookimpl", *_LAZY]  # noqa: PLE0604 - the lazily imported names are strings
