"""Store notebooks the way the repository keeps them: run on a fresh kernel, keep only checked outputs.

    python notebooks/store_outputs.py notebooks/00-catalog.ipynb [more.ipynb ...]
    python notebooks/store_outputs.py --all

The convention (enforced by tests/test_notebooks_meta.py):

- A cell whose source contains ``# NBVAL_CHECK_OUTPUT`` keeps its output: that output is what
  ``pytest --nbval-lax`` compares a fresh run against, so it is a key number checked exactly.
  Such a cell prints plain, deterministic text (no object reprs with memory addresses, no timings).
- Every other cell is stored without outputs or an execution count, and the widget state is not
  stored. Stored outputs of unchecked cells go stale silently, stored widget views show "model not
  found" until the notebook is re-run, and widget state and chart PNGs bloat every diff; Binder and
  Voila run the notebook anyway.

The notebook is executed top to bottom in its own folder; an error in any cell stops the script
and nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

CHECK_MARK = "NBVAL_CHECK_OUTPUT"


def is_checked(cell) -> bool:
    return cell.get("cell_type") == "code" and CHECK_MARK in "".join(cell.get("source", ""))


def strip(nb) -> None:
    """Drop every output and execution count but the checked cells', and the saved widget state."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.get("cell_type") != "code":
            continue
        if not is_checked(cell):  # nbval needs a checked cell's execution count: it marks the output as run
            cell["execution_count"] = None
            cell["outputs"] = []


def store(path: Path, timeout: int = 600) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    strip(nb)
    nbformat.write(nb, path)
    checked = sum(is_checked(c) for c in nb.cells)
    print(f"{path}: executed; kept the outputs of {checked} checked cell(s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook in this folder")
    args = parser.parse_args(argv)
    paths = sorted(Path(__file__).parent.glob("*.ipynb")) if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks or give --all")
    for path in paths:
        store(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
