"""Lint and format: `ruff check` and `ruff format --check` pass on the whole tree (code, tests, notebooks).

The rules and the one line length are in pyproject.toml ([tool.ruff]); run `ruff check --fix . && ruff format .`
to fix what this reports.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["check", "format"])
def test_ruff_passes(args):
    proc = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
