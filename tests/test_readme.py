"""The README's promises: CI runs its test command verbatim, and the commands it shows exist."""

import json
import re
import shlex
from pathlib import Path

import pytest

from suanli.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, re.DOTALL)


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = next(b.strip() for b in _bash_blocks(README) if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()


def test_main_job_command_opens_the_notebooks():
    main_job = _bash_blocks(README)[0].strip()
    assert main_job.endswith("suanli lab") and "pip install" in main_job


COMMANDS = [ln for ln in re.sub(r"\\\n\s*", " ", README).splitlines() if ln.startswith("$ suanli ")]


def _argv(line: str) -> list[str]:
    return shlex.split(line[2:].split("  #")[0])[1:]


@pytest.mark.parametrize("line", COMMANDS)
def test_every_documented_command_parses(line):
    build_parser().parse_args(_argv(line))  # argparse exits (SystemExit) on an unknown flag or command


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 8 and any(" substitute " in c for c in COMMANDS), COMMANDS


BLANK = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\binf\b")
"""What a person must never read in a result: Python's None, a NaN or an infinity."""


@pytest.mark.parametrize("line", COMMANDS)
def test_every_documented_command_runs_as_written(line, capsys):
    """Each `suanli ...` line of the README, exactly as written: exit 0 and no None/nan in what it prints."""
    from suanli.cli import main

    code = main(_argv(line))
    out, err = capsys.readouterr()
    assert code == 0, f"{line!r} exited {code}: {err.strip()}"
    assert out.strip(), f"{line!r} printed nothing"
    bad = [ln for ln in out.splitlines() if BLANK.search(ln)]
    assert not bad, f"{line!r} printed None/nan/inf:\n" + "\n".join(bad[:5])
    assert not re.search(r"\d\.\d+e[+-]\d+ (CNY|USD)", out), f"{line!r} printed money in scientific notation"
    if " substitute " in line:
        _every_candidate_has_a_chip_count(_argv(line), out)


def _every_candidate_has_a_chip_count(argv: list[str], out: str) -> None:
    candidates = argv[argv.index("--candidates") + 1].split(",")
    lines = out.splitlines()
    header = next(ln for ln in lines if ln.startswith("chip ") and " chips " in ln)
    start = header.index(" chips ") + 1
    for chip in candidates:
        row = next((ln for ln in lines if ln.startswith(chip + " ")), None)
        assert row is not None, f"no table row for {chip}:\n{out}"
        assert re.fullmatch(r"\s*[\d,]+", row[start - 2 : start + len("chips")]), f"no chip count for {chip}: {row!r}"


def test_lab_command_opens_the_notebooks(capsys):
    from types import SimpleNamespace

    from suanli.commands import lab
    from suanli.errors import InputError

    args = SimpleNamespace(
        notebooks=str(ROOT / "notebooks"), voila=False, dashboard=None, port=None, no_browser=True, dry_run=True
    )
    user = lab.command(args, is_root=False)
    assert user[1:3] == ["-m", "jupyterlab"] and user[3].endswith("notebooks") and "--allow-root" not in user
    assert lab.command(args, is_root=True)[-1] == "--allow-root"
    assert any(a.startswith("--LabApp.app_settings_dir=") for a in user)  # the settings that turn the news toast off
    overrides = json.loads((Path(lab.settings_dir()) / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    args.voila = True
    assert lab.command(args, is_root=True)[-2].endswith("dashboards")
    args.dashboard = "substitution"
    assert lab.command(args, is_root=True)[-2].endswith("dashboards/substitution.ipynb")
    args.dashboard = "nope"
    with pytest.raises(InputError, match="no dashboard 'nope'; dashboards: compat, substitution, training-time"):
        lab.command(args, is_root=False)
    args.dashboard = None
    args.notebooks = str(ROOT / "no-such-folder")
    with pytest.raises(InputError, match="no notebook folder"):
        lab.command(args, is_root=False)


def test_the_voila_badge_opens_a_dashboard():
    badge = re.search(r"\(https://mybinder\.org/v2/gh/[^)]*urlpath=voila%2Frender%2F([^)]*)\)", README)
    assert badge, "the README has a Binder Voila badge"
    path = badge.group(1).replace("%2F", "/")
    assert path.startswith("notebooks/dashboards/") and (ROOT / path).is_file(), path
