"""Sphinx configuration for the suanli documentation site.

Build it with ``python -m sphinx -W -b html docs docs/_build/html`` from the repository root (the
``docs`` extra installs what it needs). The notebooks are copied from ``notebooks/`` into the
ignored folder ``docs/notebooks/`` and executed by MyST-NB, so the site shows the outputs the
current code produces.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import suanli

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

project = "suanli"
author = "The suanli developers"
copyright = "2026, the suanli developers"  # noqa: A001 - the name Sphinx reads
release = suanli.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = [
    "_build",
    "DESIGN.md",
    "**.ipynb_checkpoints",
    "notebooks/conftest.py",
    "notebooks/store_outputs.py",
]
templates_path = ["_templates"]

# API reference: one page per module, generated from the docstrings (numpydoc format).
# Generated afresh on every build: a page left over from a module since moved or renamed would
# otherwise be an orphan document (a warning, so an error under -W).
shutil.rmtree(HERE / "api" / "generated", ignore_errors=True)
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types and units
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Notebooks: executed at build time so the rendered pages carry current outputs.
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]  # ipywidgets views have no static rendering

html_theme = "pydata_sphinx_theme"
html_title = "suanli 算力"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
}
html_static_path: list[str] = []


def _copy_notebooks() -> None:
    """Copy the notebooks next to the sources: Sphinx only reads files below ``docs/``."""
    target = HERE / "notebooks"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(path, target / path.name)
    dashboards = ROOT / "notebooks" / "dashboards"
    if dashboards.is_dir():
        shutil.copytree(dashboards, target / "dashboards", ignore=shutil.ignore_patterns("*.py", ".ipynb_checkpoints"))


_copy_notebooks()
