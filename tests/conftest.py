"""Shared fixtures: plugin distributions installed into throw-away targets for subprocess runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from cli_helpers import ROOT, pip_install_target

# Property tests draw the same examples on every run: a CI result must not depend on the draw.
settings.register_profile("deterministic", derandomize=True)
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
    parser.addoption("--refresh-screenshots", action="store_true", default=False,
                     help="copy the browser tests' screenshots to docs/img (the README's pictures); "
                     "without it they stay in a temporary folder")
