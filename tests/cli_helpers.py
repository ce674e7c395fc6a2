"""Helpers the tests share: installing plugin distributions and running the CLI in a fresh process.

(Kept out of conftest.py: notebooks/ has a conftest of its own, and two modules named
``conftest`` cannot both be imported by name.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pip_install_target(project: Path, target: Path) -> Path:
    """Install a plugin distribution into ``target`` (a real pip install, no network needed)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(project),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def run_suanli(*args: str, extra_path: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m suanli ARGS`` in a fresh process (optionally with extra installed plugins)."""
    full_env = dict(os.environ)
    full_env.pop("SUANLI_DEBUG", None)
    if extra_path is not None:
        full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), full_env.get("PYTHONPATH", "")]))
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "suanli", *args], capture_output=True, text=True, env=full_env, timeout=120
    )
