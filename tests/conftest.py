"""Shared fixtures: plugin distributions installed into throw-away targets for subprocess runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import ROOT, pip_install_target
from hypothesis import settings
from property_settings import examples  # noqa: F401  (registers the profiles)

# Property tests draw the same examples on every run unless ``--hypothesis-profile=explore`` asks for a
# fresh draw (tests/property_settings.py): a CI result must not depend on the draw.
settings.load_profile("deterministic")


@pytest.fixture(scope="session")
def template_install(tmp_path_factory) -> Path:
    """The vendor template (plugins/template), installed as a real distribution."""
    return pip_install_target(ROOT / "plugins" / "template", tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def broken_install(tmp_path_factory) -> Path:
    """Deliberately broken plugins (tests/fixtures/broken_plugins), installed beside the bundled ones."""
    return pip_install_target(ROOT / "tests" / "fixtures" / "broken_plugins", tmp_path_factory.mktemp("broken"))


def pytest_addoption(parser):
    parser.addoption(
        "--refresh-screenshots",
        action="store_true",
        default=False,
        help="copy the browser tests' screenshots to docs/img (the README's pictures); "
        "without it they stay in a temporary folder",
    )


# -- a test run must not modify tracked files (after `python -m pytest`, `git status` is clean) ----------


def _git_status() -> dict[str, str] | None:
    """Changed and untracked files with a digest of their content; None outside a git checkout."""
    import hashlib
    import subprocess

    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    state = {}
    for line in out.splitlines():
        path = ROOT / line[3:].split(" -> ")[-1].strip('"')
        state[line] = hashlib.sha1(path.read_bytes()).hexdigest() if path.is_file() else ""
    return state


def pytest_sessionstart(session):
    session.config._suanli_git_status = _git_status()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if it changed the working tree: a test that writes a tracked file (a screenshot,
    a re-stored notebook) or leaves a file behind makes every later `git status` dirty."""
    before = getattr(session.config, "_suanli_git_status", None)
    if before is None or getattr(session.config, "workerinput", None) is not None:
        return
    if session.config.getoption("--refresh-screenshots", default=False):
        return  # asked to rewrite docs/img
    after = _git_status()
    if after is None or after == before:
        return
    changed = sorted({k for k in set(before) | set(after) if before.get(k) != after.get(k)})
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("the test run changed the working tree (tests must not modify tracked files):", red=True)
        for line in changed[:20]:
            reporter.write_line(f"  {line}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
