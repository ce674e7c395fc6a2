"""Every option of every command, given anything: a result or one sentence on stderr.

The options are read from the parser (:func:`suanli.cli.build_parser`), so a new option or a new command
is covered without touching this file; a command without a working invocation in :data:`BASE` fails
:func:`test_every_command_has_a_base_invocation`. Each example starts from that invocation and adds one to
three options, each with a value drawn from what people type: numbers in and out of range, NaN, inf,
``1e400``, ``2T``, negative-looking words, known ids in the wrong place, random text. The property:

* exit 0, and when the command was asked for JSON the output parses with no NaN or Infinity; or
* exit 2 with exactly one line on stderr, ``suanli: error: ...`` (never a traceback, never exit 1).

Everything runs in-process (``suanli.cli.main``) inside a scratch directory, so a command that writes a
relative path (``plugins new``, ``sweep --out``) writes there. The draws are fixed unless asked otherwise
(tests/property_settings.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from pathlib import Path

import pytest
from cli_helpers import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_settings import examples
from test_bad_input import BAD_TEXT, assert_one_sentence, run_cli

from suanli.cli import EXIT_USAGE, build_parser

CHIP = "nvidia-h100-sxm5-80gb"

SWEEP_SPEC = 'scenario = "estimate"\n[fixed]\nmodel = "llama2-7b"\ntokens = 1e12\n[grid]\ncount = [64, 128]\n'

BASE = {
    "backtest": ["backtest", "--json"],
    "catalog": ["catalog", "--json"],
    "claims": ["claims", "--json"],
    "compat": ["compat", "--stack", "rocm", "--json"],
    "estimate": ["estimate", "--model", "llama2-7b", "--chip", CHIP, "--tokens", "1e12", "--count", "8", "--json"],
    "fleet": ["fleet", "--jobs", "30", "--json"],
    "lab": ["lab", "--dry-run", "--no-browser", "--notebooks", str(ROOT / "notebooks")],
    "plugins": ["plugins", "list"],
    "power": ["power", "--chip", CHIP, "--count", "8", "--hours", "24", "--json"],
    "scaling": ["scaling", "--compute", "1e23", "--json"],
    "serve": ["serve", "--model", "llama2-7b", "--chip", CHIP, "--json"],
    "show": ["show", CHIP, "--json"],
    "substitute": [
        "substitute",
        "--model",
        "llama2-7b",
        "--tokens",
        "1e12",
        "--reference",
        f"{CHIP}:256",
        "--candidates",
        "huawei-ascend-910b",
        "--json",
    ],
    "sweep": ["sweep", "spec.toml", "--workers", "1", "--no-progress", "--json"],
}
"""A working invocation of each command, the start of every example."""

NOT_DRAWN = {
    ("lab", "--dry-run"): "taking it away would start a JupyterLab server",
    (
        "backtest",
        "--loo",
    ): "leave-one-out re-fits the residual per row (seconds per call); tested in test_engine_cli_backtest",
    ("backtest", "--serving"): "the serving backtest is tested in test_serving_cli",
}
"""Options the examples never add, each with its reason."""

SLOW_COMMANDS = {"backtest": 3, "claims": 4, "fleet": 6, "substitute": 6, "sweep": 4}
"""Commands whose one call takes a second or more get fewer examples."""

WORDS = st.sampled_from(
    [
        CHIP,
        "huawei-ascend-910b",
        "NVIDIA-H100-SXM5-80GB",
        "llama2-7b",
        "gpt3-175b",
        "rocm",
        "cann",
        "cn-gansu-qingyang",
        "us-virginia",
        "fifo",
        "lottery",
        "bf16",
        "fp8",
        "usd",
        "cny",
        "nope",
        "a:b",
        f"{CHIP}:0",
        f"{CHIP}:-8",
        "gemm=1",
        "gemm=2,attention=-1",
        "x" * 300,
        "数字",
        "1,000",
        "7B",
        "3e11",
        "../..",
        "/dev/null",
        ".",
    ]
)
PLAUSIBLE = st.one_of(
    st.integers(1, 4096).map(str),
    st.floats(1e-3, 1e13).map(lambda x: f"{x:.4g}"),
    st.floats(0.01, 1.0).map(lambda x: f"{x:.3f}"),
)
VALUE = st.one_of(BAD_TEXT, PLAUSIBLE, WORDS, st.text(max_size=6))
"""What a person might type as an option's value."""


def _options() -> dict[str, list[argparse.Action]]:
    """Each command's optional arguments (positional ones stay as :data:`BASE` gives them)."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    found = {}
    for command, parser in sorted(sub.choices.items()):
        found[command] = [
            action
            for action in parser._actions
            if action.option_strings
            and not isinstance(action, (argparse._HelpAction, argparse._VersionAction))
            and (command, max(action.option_strings, key=len)) not in NOT_DRAWN
        ]
    return found


OPTIONS = _options()


def test_every_command_has_a_base_invocation():
    assert set(BASE) == set(OPTIONS), "add the new command to BASE (and its reason to NOT_DRAWN if an option must stay)"
    assert {c for c, _ in NOT_DRAWN} <= set(OPTIONS)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("commands")
    (folder / "spec.toml").write_text(SWEEP_SPEC)
    return folder


@contextlib.contextmanager
def _inside(folder: Path):
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _one_option(action: argparse.Action):
    """The words for one option: a flag alone, or the option and a drawn value (``--flag=value`` or two
    words, both as people type them)."""
    flag = max(action.option_strings, key=len)
    if action.nargs == 0:
        return st.just([flag])
    value = st.one_of(st.sampled_from(list(action.choices)), VALUE) if action.choices else VALUE
    return st.tuples(value, st.booleans()).map(lambda t: [f"{flag}={t[0]}"] if t[1] else [flag, t[0]])


def _without(argv: list[str], action: argparse.Action) -> list[str]:
    """``argv`` less the base invocation's own use of ``action`` (a repeated option is refused as
    ambiguous, so a drawn value replaces the base's instead of repeating it)."""
    out, skip = [], False
    for word in argv:
        if skip:
            skip = False
            continue
        if word in action.option_strings:
            skip = action.nargs != 0
            continue
        out.append(word)
    return out


def _assert_result_or_sentence(argv: list[str], code: int, out: str, err: str) -> None:
    assert code in (0, EXIT_USAGE), (argv, code, err[-2000:])
    if code == EXIT_USAGE:
        assert_one_sentence(code, err)
        return
    assert "Traceback" not in err, (argv, err[-2000:])
    if "--json" in argv and out.strip():
        json.loads(out, parse_constant=lambda c: pytest.fail(f"{argv}: {c} in the JSON output"))


@pytest.mark.parametrize("command", sorted(c for c in BASE if OPTIONS[c]))
def test_any_option_value_gives_a_result_or_one_sentence(command, scratch):
    actions = OPTIONS[command]

    @settings(
        max_examples=examples(SLOW_COMMANDS.get(command, 12)),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def any_options(data):
        chosen = data.draw(st.lists(st.sampled_from(actions), min_size=1, max_size=3, unique_by=id), label="options")
        argv = list(BASE[command])
        for action in chosen:
            argv = _without(argv, action) + data.draw(_one_option(action), label=max(action.option_strings, key=len))
        with _inside(scratch):
            code, out, err = run_cli(argv)
        _assert_result_or_sentence(argv, code, out, err)

    any_options()


def test_the_explore_job_draws_afresh_over_every_property_module():
    """``.ci/explore`` (the nightly job) runs this module and its siblings under a random profile."""
    import glob

    from hypothesis import settings as hypothesis_settings

    script = (ROOT / ".ci" / "explore").read_text()
    assert "--hypothesis-profile=explore" in script and "tests/test_*properties.py" in script
    modules = {Path(p).name for p in glob.glob(str(ROOT / "tests" / "test_*properties.py"))}
    assert {"test_model_properties.py", "test_properties.py", "test_command_properties.py"} <= modules
    explore = hypothesis_settings.get_profile("explore")
    assert explore.derandomize is False and hypothesis_settings.get_profile("deterministic").derandomize is True
