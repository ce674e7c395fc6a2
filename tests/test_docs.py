"""The documentation site builds with no warnings: every page, the API reference and the notebooks.

Sphinx runs with ``-W`` (warnings are errors), so a docstring that numpydoc cannot parse, a broken
cross-reference or a notebook that fails to execute fails this test. The build goes to a temporary
folder; the notebooks are copied into the ignored ``docs/notebooks/``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("sphinx", reason="the docs extra is not installed")
pytest.importorskip("myst_nb", reason="the docs extra is not installed")


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    assert (out / "index.html").is_file()
    api_pages = list((out / "api" / "generated").glob("suanli.models.*.html"))
    assert len(api_pages) >= 10, "the API reference should have a page per model module"
    notebook_pages = sorted(p.stem for p in (out / "notebooks").glob("*.html"))
    expected = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebook_pages == expected
    # executed: every rendered notebook page carries at least one output
    for name in expected:
        html = (out / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        assert "cell_output" in html, f"{name} rendered without outputs"
