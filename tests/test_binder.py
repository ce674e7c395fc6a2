"""Binder: what repo2docker reads in binder/ installs the project, and repo2docker plans the build we expect.

repo2docker ignores configuration at the repository root when a ``binder/`` folder exists, runs
``pip install -r binder/requirements.txt`` from the repository root (``WORKDIR ${REPO_DIR}``), and
because that file names a local path (``-e .``) it copies the whole repository first. The slow
tests repeat that install in a fresh virtual environment (no system site-packages; packages come
from the registry, as on Binder), then run suanli and ask repo2docker for its build plan
(``--no-build`` prints the Dockerfile without needing docker).
"""

from __future__ import annotations

import json
import re
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
INSTALL_TIMEOUT_S = 1200


def requirement_lines() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def test_binder_folder_installs_the_repository_itself():
    assert requirement_lines() == ["-e .[lab]"], (
        "binder/requirements.txt should install the repository with its lab extra (its pyproject.toml pins the rest)"
    )


def test_runtime_is_python_311():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'requires-python\s*=\s*">=3\.(9|10|11)"', text), "the Binder Python must satisfy requires-python"


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=ROOT, check=False, **kwargs)


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory) -> Path:
    """A fresh virtual environment with binder/requirements.txt installed, as repo2docker does it."""
    env_dir = tmp_path_factory.mktemp("binder") / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    done = run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", "binder/requirements.txt"],
        timeout=INSTALL_TIMEOUT_S,
    )
    assert done.returncode == 0, (
        f"pip install -r binder/requirements.txt failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    )
    return env_dir


@pytest.mark.slow
def test_fresh_environment_runs_suanli(binder_env: Path):
    python = binder_env / "bin" / "python"
    assert "include-system-site-packages = false" in (binder_env / "pyvenv.cfg").read_text(), (
        "must be a fresh environment"
    )
    where = run([python, "-c", "import suanli, pathlib; print(pathlib.Path(suanli.__file__).resolve())"])
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(ROOT), (
        f"suanli imported from {where.stdout.strip()}, not the repository"
    )

    listed = run([binder_env / "bin" / "suanli", "catalog", "--json"], timeout=120)
    assert listed.returncode == 0, listed.stderr
    ids = {row["id"] for row in json.loads(listed.stdout)}
    assert "nvidia-h100-sxm5-80gb" in ids and len(ids) > 10

    # What the badges open: JupyterLab with the widget manager, and Voila as a server extension.
    imports = run(
        [python, "-c", "import jupyterlab, ipywidgets, voila, matplotlib, pandas; print(ipywidgets.__version__)"]
    )
    assert imports.returncode == 0, imports.stderr
    assert imports.stdout.startswith("8."), f"ipywidgets {imports.stdout.strip()}: JupyterLab 4 needs ipywidgets 8"
    extensions = run([binder_env / "bin" / "jupyter", "server", "extension", "list"])
    listing = re.sub(r"\x1b\[[0-9;]*m", "", extensions.stdout + extensions.stderr)  # drop colour codes
    assert re.search(r"voila\.server_extension\s+enabled", listing), listing


@pytest.mark.slow
def test_repo2docker_build_plan(binder_env: Path):
    got = run(
        [
            binder_env / "bin" / "python",
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "jupyter-repo2docker",
        ],
        timeout=600,
    )
    if got.returncode != 0:
        pytest.skip(
            f"jupyter-repo2docker does not install here, so its build plan cannot be checked: {got.stderr.strip()[-300:]}"
        )
    plan = run([binder_env / "bin" / "repo2docker", "--no-build", "--no-run", ROOT], timeout=120)
    assert plan.returncode == 0, plan.stderr
    dockerfile, log = plan.stdout, plan.stderr
    assert "python=3.11" in log or "py-3.11" in dockerfile, f"repo2docker did not pick Python 3.11:\n{log}"
    assert "WORKDIR ${REPO_DIR}" in dockerfile
    install = 'pip install --no-cache-dir -r "binder/requirements.txt"'
    assert install in dockerfile, dockerfile
    # "-e .[lab]" needs the whole repository: it must be copied in before the install runs.
    assert dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/") < dockerfile.index(install)
    assert "pip install --no-cache-dir ." not in dockerfile.replace(install, ""), (
        "root pyproject.toml must be ignored when binder/ exists"
    )
