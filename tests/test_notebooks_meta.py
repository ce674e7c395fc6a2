"""How the notebooks are stored: each opens with its question, keeps no errors, and stores only checked outputs.

The executing side (every cell runs on a fresh kernel; checked outputs match) is nbval's:
``pytest --nbval-lax --nbval-current-env notebooks``. The storage convention is explained in
notebooks/store_outputs.py, which also brings a notebook into line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CHECK_MARK = "NBVAL_CHECK_OUTPUT"
FIX = "run `python notebooks/store_outputs.py {path}` to store it as the repository keeps notebooks"

MEMORY_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}|\b0x[0-9a-fA-F]{8,}\b")
TIMING = re.compile(
    r"Wall time:|CPU times:|per loop|\bloops? each\b|\d\s*(?:ns|µs|us|ms|s) ± |\d+(?:\.\d+)?\s*it/s|elapsed|took \d+(?:\.\d+)?\s*(?:ns|µs|us|ms|s|sec|seconds)\b",
    re.IGNORECASE,
)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def output_text(output: dict) -> str:
    parts = []
    if "text" in output:
        parts.append(source({"source": output["text"]}))
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            parts.append(
                value
                if isinstance(value, str)
                else json.dumps(value)
                if not isinstance(value, list)
                else "".join(value)
            )
    if output.get("output_type") == "error":
        parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "\n".join(parts)


def is_checked(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and CHECK_MARK in source(cell)


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb file"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_opens_with_its_question(path: Path):
    first = load(path)["cells"][0]
    assert first["cell_type"] == "markdown", f"{path.name} must open with a markdown cell stating its question"
    assert "?" in source(first), (
        f"{path.name}: the first cell must state the question the notebook answers (with a '?')"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_error_outputs(path: Path):
    for number, cell in enumerate(load(path)["cells"]):
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", (
                f"{path.name} cell {number} stores an error: {output_text(output)[:200]}"
            )
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                assert "Traceback" not in output_text(output), f"{path.name} cell {number} stores a traceback on stderr"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_checked_outputs_are_deterministic(path: Path):
    """A checked output that holds a memory address or a timing would differ on every run."""
    for number, cell in enumerate(load(path)["cells"]):
        if not is_checked(cell):
            continue
        text = "\n".join(output_text(o) for o in cell.get("outputs", []))
        assert cell.get("outputs"), (
            f"{path.name} cell {number} is marked {CHECK_MARK} but stores no output to check; "
            + FIX.format(path=f"notebooks/{path.name}")
        )
        assert not MEMORY_ADDRESS.search(text), (
            f"{path.name} cell {number}: checked output has a memory address: {MEMORY_ADDRESS.search(text).group(0)}"
        )
        assert not TIMING.search(text), (
            f"{path.name} cell {number}: checked output has a timing: {TIMING.search(text).group(0)!r}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_with_only_checked_outputs(path: Path):
    nb = load(path)
    fix = FIX.format(path=f"notebooks/{path.name}")
    assert "widgets" not in nb.get("metadata", {}), f"{path.name} stores widget state; {fix}"
    for number, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code" or is_checked(cell):
            continue
        assert not cell.get("outputs"), (
            f"{path.name} cell {number} stores outputs but is not marked {CHECK_MARK}; {fix}"
        )
        assert cell.get("execution_count") is None, f"{path.name} cell {number} stores an execution count; {fix}"


def test_patterns_catch_what_they_should():
    assert MEMORY_ADDRESS.search("<suanli.widgets.catalog.CatalogPanel object at 0x7f3a2b1c4d50>")
    assert TIMING.search("CPU times: user 1.2 s, sys: 0 ns") and TIMING.search("3.1 ms ± 20 µs per loop")
    assert not MEMORY_ADDRESS.search("tpp 15,831.2") and not TIMING.search("training time 41.3 days at 1 s per step")
