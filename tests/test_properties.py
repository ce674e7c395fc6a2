"""Property tests: any input to a public function or a command gives a result or one suanli sentence.

Never another exception type, never NaN or inf in a result, never a negative physical quantity.
Hypothesis draws mostly plausible values with wrong ones mixed in (zero, negative, NaN, inf, text,
None, arrays); the draws are derandomised unless asked otherwise (tests/property_settings.py) so CI results do not depend on luck.
Commands run in-process (``suanli.cli.main``); the estimate, power and scaling commands have their
own properties in tests/test_bad_input.py.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_settings import examples
from test_bad_input import BAD_TEXT, _check_property, assert_one_sentence, numbers, run_cli

import suanli
from suanli.cli import EXIT_USAGE
from suanli.errors import SuanliError

CHIP = "nvidia-h100-sxm5-80gb"
FAST = settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

GARBAGE = st.one_of(
    st.sampled_from(
        [
            0,
            -1,
            -1e12,
            float("nan"),
            float("inf"),
            -float("inf"),
            "abc",
            "1e12",
            "",
            None,
            True,
            np.array([1.0, 2.0]),
            [1, 2],
            {"a": 1},
            1e300,
            1e-300,
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**30), 10**30),
    st.text(max_size=4),
)
"""Anything a caller might pass by mistake."""


def maybe(good):
    """Mostly ``good`` (a strategy of plausible values), one time in four :data:`GARBAGE`."""
    return st.tuples(st.integers(0, 3), good, GARBAGE).map(lambda t: t[2] if t[0] == 0 else t[1])


# Keys whose values may be negative by definition (a difference, a log, a signed saving).
SIGNED = (
    "delta",
    "diff",
    "change",
    "saving",
    "gain",
    "margin",
    "log",
    "slope",
    "exponent",
    "offset",
    "residual",
    "error",
    "vs_",
    "relative",
    "net_",
    "balance",
    "surplus",
)


def bad_numbers(obj, path="result") -> list[str]:
    """Paths of NaN, inf, or negative (outside :data:`SIGNED` keys) numbers anywhere in a result."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = obj.as_dict() if hasattr(obj, "as_dict") else dataclasses.asdict(obj)
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in bad_numbers(v, f"{path}.{k}")]
    if isinstance(obj, (list, tuple)):
        return [p for i, v in enumerate(obj) for p in bad_numbers(v, f"{path}[{i}]")]
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "fiu":
        arr = obj.astype(float)
        if not np.all(np.isfinite(arr)):
            return [path + " (not finite)"]
        signed = any(word in path.lower() for word in SIGNED)
        return [] if signed or np.all(arr >= 0) else [path + " (negative)"]
    if isinstance(obj, (float, int, np.floating, np.integer)) and not isinstance(obj, bool):
        value = float(obj)
        if not math.isfinite(value):
            return [path + " (not finite)"]
        if value < 0 and not any(word in path.lower() for word in SIGNED):
            return [path + f" (negative: {value})"]
    return []


def outcome(call):
    """The result of ``call()``, or None when it raised a SuanliError of one sentence; any other
    exception fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = call()
        except SuanliError as err:
            message = str(err)
            assert message.strip() and "\n" not in message.strip() and len(message) < 600, message
            return None
    return result


def check(call):
    result = outcome(call)
    if result is not None:
        assert not bad_numbers(result), bad_numbers(result)[:5]
    return result


# -- the top-level API -------------------------------------------------------------------------


@settings(FAST, max_examples=examples(15))
@given(
    model=maybe(st.sampled_from(["llama2-7b", "gpt3-175b", "mixtral-8x7b"])),
    tokens=maybe(st.floats(1e8, 1e13)),
    chip=maybe(st.sampled_from([CHIP, "huawei-ascend-910b", "amd-mi300x"])),
    count=maybe(st.sampled_from([8, 64, 512])),
    global_batch=st.none() | maybe(st.sampled_from([256, 1024])),
)
def test_estimate_any_input(model, tokens, chip, count, global_batch):
    check(lambda: suanli.estimate(model, tokens=tokens, chip=chip, count=count, global_batch=global_batch))


@settings(FAST, max_examples=examples(15))
@given(
    tokens=maybe(st.floats(1e9, 1e12)),
    count=maybe(st.sampled_from([8, 64])),
    samples=maybe(st.integers(5, 30)),
    seed=maybe(st.integers(0, 2**32)),
)
def test_uncertain_estimate_any_input(tokens, count, samples, seed):
    check(
        lambda: suanli.uncertain_estimate(
            "llama2-7b", tokens=tokens, chip=CHIP, count=count, samples=samples, seed=seed
        )
    )


@FAST
@given(
    obj_id=maybe(st.sampled_from([CHIP, "huawei-ascend-910b", "pcie4-x16", "cuda"])),
    method=st.sampled_from(
        ["get", "accelerator", "link", "stack", "site", "provenance", "record_of", "compare", "records", "view"]
    ),
)
def test_catalog_methods_any_input(obj_id, method):
    cat = suanli.load_catalog()
    calls = {
        "record_of": lambda: cat.record(cat.get(obj_id)),
        "compare": lambda: cat.compare([obj_id]),
        "records": lambda: cat.records(obj_id),
        "view": lambda: cat.view(obj_id),
    }
    outcome(calls.get(method, lambda: getattr(cat, method)(obj_id)))


# -- scenario entry points ---------------------------------------------------------------------


@FAST
@given(
    count=maybe(st.sampled_from([8, 1024])),
    hours=maybe(st.floats(1, 1e4)),
    utilization=st.none() | maybe(st.floats(0, 1)),
    pue=st.none() | maybe(st.floats(1, 2)),
    site=st.none() | maybe(st.sampled_from(["cn-gansu-qingyang", "us-virginia"])),
)
def test_energy_and_cost_any_input(count, hours, utilization, pue, site):
    from suanli.scenarios.power import energy_and_cost

    acc = suanli.load_catalog().accelerator(CHIP)
    check(lambda: energy_and_cost({"pue": pue, "site": site}, acc, count, hours, utilization))


@FAST
@given(
    stack=maybe(st.sampled_from(["rocm", "cann", "cuda", "musa"])),
    chips=st.none() | maybe(st.sampled_from([8, 1024])),
    days=st.none() | maybe(st.floats(1, 100)),
    share=st.none() | maybe(st.floats(0, 1)),
    samples=maybe(st.sampled_from([0, 50])),
    seed=maybe(st.integers(0, 100)),
)
def test_compat_for_any_input(stack, chips, days, share, samples, seed):
    from suanli.scenarios.compat import compat_for

    overrides = None if share is None else {"gemm": share}
    check(lambda: compat_for(stack, chips=chips, days=days, share_overrides=overrides, samples=samples, seed=seed))


@settings(FAST, max_examples=examples(10))
@given(
    tokens=maybe(st.floats(1e10, 1e12)),
    count=maybe(st.sampled_from([256, 1024])),
    global_batch=st.none() | maybe(st.sampled_from([512, 1536])),
    candidate=maybe(st.sampled_from(["nvidia-h20", "huawei-ascend-910b"])),
)
def test_substitution_any_input(tokens, count, global_batch, candidate):
    from suanli.scenarios import substitution as S

    check(
        lambda: S.compare(
            S.make_goal("llama2-7b", tokens=tokens, global_batch=global_batch), (CHIP, count), [candidate], S.Options()
        )
    )


# -- model functions ---------------------------------------------------------------------------

COMPAT_FUNCTIONS = [
    "class_time_factor",
    "slowdown",
    "class_losses",
    "extra_chips",
    "extra_days",
    "porting_gain",
    "break_even_chips",
    "time_factors",
    "port_engineer_months",
    "stack_profile",
]


@pytest.mark.parametrize("name", COMPAT_FUNCTIONS)
@settings(FAST, max_examples=examples(40))
@given(data=st.data())
def test_compat_model_functions_any_input(name, data):
    from suanli.models import compat

    fn = getattr(compat, name)
    params = [p for p in inspect.signature(fn).parameters.values() if p.default is p.empty]
    args = [data.draw(maybe(st.floats(0, 1) | st.sampled_from([0.5, 1.0])), label=p.name) for p in params]
    result = outcome(lambda: fn(*args))
    if result is not None and name not in ("break_even_chips",):  # infinite when porting removes nothing, by definition
        assert not bad_numbers(result), (args, bad_numbers(result)[:3])


@pytest.mark.parametrize(
    "name",
    [
        "compute_optimal",
        "loss_for_compute",
        "compute_for_loss",
        "cluster_compute",
        "parametric_loss",
        "get_law",
        "constant",
    ],
)
@settings(FAST, max_examples=examples(30))
@given(data=st.data())
def test_scaling_functions_any_input(name, data):
    from suanli.models import scaling

    fn = getattr(scaling, name)
    params = [p for p in inspect.signature(fn).parameters.values() if p.default is p.empty]
    args = [
        data.draw(maybe(st.floats(1e18, 1e25) | st.sampled_from([2.0, 0.4, 8, "chinchilla"])), label=p.name)
        for p in params
    ]
    outcome(lambda: fn(*args))


# -- every command -----------------------------------------------------------------------------


def _command(argv):
    code, out, err = run_cli(argv)
    assert code in (0, EXIT_USAGE), (argv, code, err)
    if code == EXIT_USAGE:
        assert_one_sentence(code, err)
    return code, out


@FAST
@given(
    stack=st.sampled_from(["rocm", "cann", "musa", "nope"]),
    chips=st.none() | numbers(1, 10**5, integer=True),
    days=st.none() | numbers(1, 365),
    share=st.none() | numbers(0, 1),
    samples=st.none() | numbers(1, 200, integer=True),
)
def test_compat_command_any_input(stack, chips, days, share, samples):
    argv = ["compat", "--stack", stack, "--json"]
    for flag, value in (("--chips", chips), ("--days", days), ("--samples", samples)):
        if value is not None:
            argv.append(f"{flag}={value}")
    if share is not None:
        argv += ["--share", f"gemm={share}"]
    code, out = _command(argv)
    if code == 0:
        import json

        doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"{argv}: {c} in the JSON"))
        finite = [p for p in bad_numbers(doc) if "break_even" not in p]  # "never pays back" is null/inf by definition
        assert not finite, (argv, finite[:3])


@settings(FAST, max_examples=examples(10))
@given(
    tokens=numbers(1e10, 1e12),
    count=numbers(64, 1024, integer=True),
    candidate=st.sampled_from(["nvidia-h20", "huawei-ascend-910b", "nope"]),
    deadline=st.none() | numbers(1, 365),
)
def test_substitute_command_any_input(tokens, count, candidate, deadline):
    argv = [
        "substitute",
        "--model",
        "llama2-7b",
        f"--tokens={tokens}",
        "--reference",
        f"{CHIP}:{count}",
        "--candidates",
        candidate,
        "--json",
    ]
    if deadline is not None:
        argv.append(f"--deadline-days={deadline}")
    _command(argv)


@FAST
@given(
    word=st.one_of(BAD_TEXT, st.sampled_from([CHIP, "cuda", "pcie4-x16", "cn-gansu-qingyang"])),
    command=st.sampled_from(["show", "catalog-kind", "catalog-vendor", "plugins"]),
)
def test_lookup_commands_any_input(word, command):
    argv = {
        "show": ["show", f"{word}"],
        "catalog-kind": ["catalog", f"--kind={word}"],
        "catalog-vendor": ["catalog", f"--vendor={word}"],
        "plugins": ["plugins", word],
    }[command]
    _command(argv)


@pytest.mark.parametrize("argv", [["--tokens", "-1e12"], ["--tokens", "-5"], ["--count", "-8"], ["--tokens", "-inf"]])
def test_negative_looking_values_reach_the_command(argv):
    base = {"--tokens": "1e12", "--count": "8"}
    base.update(dict([argv]))
    code, _, err = run_cli(
        ["estimate", "--model", "llama2-7b", "--chip", CHIP, "--tokens", base["--tokens"], "--count", base["--count"]]
    )
    message = assert_one_sentence(code, err)
    assert argv[0].strip("-") in message and "expected one argument" not in message


def test_estimate_property_helper_is_shared():
    """The estimate/power/scaling properties live in test_bad_input.py; this module reuses its helper."""
    assert callable(_check_property)


@settings(FAST, max_examples=examples(15))
@given(
    count=st.none() | numbers(1, 64, integer=True),
    batch=st.none() | numbers(1, 256, integer=True),
    qps=st.none() | numbers(0.1, 100),
    input_len=st.none() | numbers(16, 4096, integer=True),
)
def test_serve_command_any_input(count, batch, qps, input_len):
    argv = ["serve", "--model", "llama2-7b", "--chip", CHIP, "--json"]
    for flag, value in (("--count", count), ("--batch", batch), ("--qps", qps), ("--input-len", input_len)):
        if value is not None:
            argv.append(f"{flag}={value}")
    _command(argv)


@settings(FAST, max_examples=examples(10))
@given(
    jobs=numbers(5, 40, integer=True),
    load=st.none() | numbers(0.1, 2),
    seed=st.none() | numbers(0, 1000, integer=True),
    policy=st.sampled_from(["fifo", "lottery"]),
)
def test_fleet_command_any_input(jobs, load, seed, policy):
    argv = ["fleet", f"--jobs={jobs}", "--policy", policy, "--json"]
    for flag, value in (("--load", load), ("--seed", seed)):
        if value is not None:
            argv.append(f"{flag}={value}")
    _command(argv)


@FAST
@given(claim=st.one_of(BAD_TEXT, st.sampled_from(["gpt3-compute", "nope"])), sweep=BAD_TEXT)
def test_claims_and_sweep_commands_any_input(claim, sweep):
    _command(["claims", f"--id={claim}", "--json"])
    _command(["sweep", f"{sweep or 'missing'}.toml", "--no-progress"])
