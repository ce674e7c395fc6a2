"""Bad input gets a clear message and loses nothing.

A zero, a negative, a malformed number, an unknown id, an impossible layout or two flags that do not
go together: the command line answers with one line on stderr starting ``suanli: error:`` and exit
status 2 (never the "internal error" status 70, never a traceback); the Python API raises a
:class:`suanli.errors.SuanliError` (never a ZeroDivisionError, KeyError, IndexError...); a notebook
panel shows the sentence in place and recovers on the next good value.

The command line is driven in-process (``suanli.cli.main``) so the file stays fast; two checks run
a real ``python -m suanli`` process end to end.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import warnings
from pathlib import Path

import pytest
from cli_helpers import run_suanli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_settings import examples

import suanli
from suanli.cli import EXIT_BUG, EXIT_USAGE, main
from suanli.errors import SuanliError

CHIP = "nvidia-h100-sxm5-80gb"
SMALL_CHIP = "nvidia-l20"  # 48 GB
REF = f"{CHIP}:1024"

# A good command of each kind; the bad cases below change one thing in it.
ESTIMATE = ["estimate", "--model", "gpt3-175b", "--tokens", "300e9", "--chip", CHIP, "--count", "64"]
POWER = ["power", "--chip", CHIP, "--count", "64", "--hours", "720"]
SCALING_CLUSTER = ["scaling", "--chip", CHIP, "--count", "64", "--days", "30"]
COMPAT = ["compat", "--stack", "rocm"]
SUBSTITUTE = [
    "substitute",
    "--model",
    "gpt3-175b",
    "--tokens",
    "300e9",
    "--reference",
    REF,
    "--candidates",
    "huawei-ascend-910b",
]
SERVE = ["serve", "--model", "llama3-70b", "--chip", CHIP, "--precision", "fp8"]


def _set(argv: list[str], flag: str, value: str) -> list[str]:
    """``argv`` with ``flag``'s value replaced (or the flag added), as ``--flag=value`` so that a value
    such as ``-5`` reaches the command instead of looking like a flag to argparse."""
    out = list(argv)
    if flag in out:
        i = out.index(flag)
        del out[i : i + 2]
    return out + [f"{flag}={value}"]


def _drop(argv: list[str], flag: str) -> list[str]:
    out = list(argv)
    i = out.index(flag)
    del out[i : i + 2]
    return out


_QUIET_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning)
"""Warnings Python hides from a user by default; any other warning is one more line on stderr."""


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``suanli ARGV`` in this process: (exit status, stdout, stderr). Warnings a user would see on
    stderr (a numpy RuntimeWarning, say) are appended to stderr, one line each."""
    out, err = io.StringIO(), io.StringIO()
    with (
        warnings.catch_warnings(record=True) as caught,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        warnings.simplefilter("always")
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse exits for a malformed flag
            code = exc.code
    shown = [f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, _QUIET_WARNINGS)]
    stderr = err.getvalue() + "".join(line + "\n" for line in shown)
    return int(code or 0), out.getvalue(), stderr


def assert_one_sentence(code: int, stderr: str) -> str:
    """Exit 2 with exactly one line on stderr, ``suanli: error: ...``; no traceback, no internal error."""
    assert code != EXIT_BUG, f"internal error: {stderr}"
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].startswith("suanli: error: "), lines[0]
    assert code == EXIT_USAGE, (code, stderr)
    message = lines[0].removeprefix("suanli: error: ")
    assert 10 < len(message) < 600, message
    return message


# (id, argv, a word the message must contain: it names the input)
BAD_CLI = [
    # catalog, show, plugins
    ("catalog-unknown-kind", ["catalog", "--kind", "gadgets"], "kind"),
    ("catalog-unknown-vendor", ["catalog", "--vendor", "nobody"], "nobody"),
    ("show-unknown-id", ["show", "nvidia-h100-sxm5-80"], "nvidia-h100-sxm5-80"),
    ("show-no-id", ["show"], "id"),
    ("plugins-no-action", ["plugins"], "ACTION"),
    ("lab-no-folder", ["lab", "--notebooks", "no-such-folder", "--dry-run"], "no-such-folder"),
    (
        "lab-bad-port",
        ["lab", "--notebooks", str(Path(__file__).resolve().parent.parent / "notebooks"), "--port", "0", "--dry-run"],
        "port",
    ),
    ("plugins-unknown-action", ["plugins", "remove"], "remove"),
    ("unknown-command", ["estimat"], "estimat"),
    # estimate: counts, tokens, ids
    ("estimate-count-zero", _set(ESTIMATE, "--count", "0"), "count"),
    ("estimate-count-negative", _set(ESTIMATE, "--count", "-8"), "count"),
    ("estimate-count-word", _set(ESTIMATE, "--count", "abc"), "count"),
    ("estimate-count-float", _set(ESTIMATE, "--count", "2.5"), "count"),
    ("estimate-tokens-zero", _set(ESTIMATE, "--tokens", "0"), "tokens"),
    ("estimate-tokens-negative", _set(ESTIMATE, "--tokens", "-5"), "tokens"),
    ("estimate-tokens-word", _set(ESTIMATE, "--tokens", "abc"), "tokens"),
    ("estimate-tokens-truncated-exponent", _set(ESTIMATE, "--tokens", "1e"), "tokens"),
    ("estimate-tokens-nan", _set(ESTIMATE, "--tokens", "nan"), "tokens"),
    ("estimate-tokens-inf", _set(ESTIMATE, "--tokens", "inf"), "tokens"),
    ("estimate-tokens-empty", _set(ESTIMATE, "--tokens", ""), "tokens"),
    ("estimate-tokens-unit-only", _set(ESTIMATE, "--tokens", "T"), "tokens"),
    ("estimate-unknown-chip", _set(ESTIMATE, "--chip", "nvidia-h100"), "nvidia-h100"),
    ("estimate-unknown-model", _set(ESTIMATE, "--model", "gpt5"), "gpt5"),
    ("estimate-unknown-framework", ESTIMATE + ["--framework", "megatorn"], "megatorn"),
    ("estimate-framework-without-zero3", ESTIMATE + ["--framework", "megatron-lm", "--zero", "3"], "ZeRO"),
    ("estimate-cp-zero", ESTIMATE + ["--cp", "0"], "cp"),
    (
        "estimate-params-zero",
        ["estimate", "--params", "0", "--tokens", "1e12", "--chip", CHIP, "--count", "8"],
        "parameter",
    ),
    (
        "estimate-params-negative",
        ["estimate", "--params=-7B", "--tokens", "1e12", "--chip", CHIP, "--count", "8"],
        "params",
    ),
    (
        "estimate-params-nan",
        ["estimate", "--params", "nan", "--tokens", "1e12", "--chip", CHIP, "--count", "8"],
        "params",
    ),
    (
        "estimate-active-above-total",
        ["estimate", "--params", "7B", "--active-params", "14B", "--tokens", "1e12", "--chip", CHIP, "--count", "8"],
        "active",
    ),
    # estimate: the model's shape
    ("estimate-layers-zero", _set(ESTIMATE, "--layers", "0"), "layers"),
    ("estimate-heads-zero", _set(ESTIMATE, "--heads", "0"), "heads"),
    ("estimate-hidden-negative", _set(ESTIMATE, "--hidden", "-1"), "hidden"),
    (
        "estimate-heads-not-dividing-hidden",
        [
            "estimate",
            "--params",
            "7B",
            "--hidden",
            "4096",
            "--heads",
            "7",
            "--tokens",
            "1e12",
            "--chip",
            CHIP,
            "--count",
            "8",
        ],
        "heads",
    ),
    ("estimate-kv-heads-not-dividing", _set(ESTIMATE, "--kv-heads", "5"), "kv_heads"),
    ("estimate-ffn-zero", _set(ESTIMATE, "--ffn", "0"), "ffn"),
    (
        "estimate-vocab-zero",
        ["estimate", "--params", "7B", "--vocab", "0", "--tokens", "1e12", "--chip", CHIP, "--count", "8"],
        "vocab",
    ),
    ("estimate-seq-negative", _set(ESTIMATE, "--seq", "-1"), "seq"),
    ("estimate-seq-zero", _set(ESTIMATE, "--seq", "0"), "seq"),
    ("estimate-global-batch-zero", _set(ESTIMATE, "--global-batch", "0"), "global_batch"),
    # estimate: impossible layouts
    ("estimate-tp-beyond-domain", _set(ESTIMATE, "--tp", "16"), "TP"),
    ("estimate-tp-zero", _set(ESTIMATE, "--tp", "0"), "TP"),
    ("estimate-tp-negative", _set(ESTIMATE, "--tp", "-2"), "TP"),
    ("estimate-pp-not-dividing-layers", _set(ESTIMATE, "--pp", "7"), "PP"),
    ("estimate-pp-zero", _set(ESTIMATE, "--pp", "0"), "PP"),
    ("estimate-pp-beyond-layers", _set(_set(ESTIMATE, "--pp", "128"), "--count", "1024"), "PP"),
    ("estimate-dp-zero", _set(ESTIMATE, "--dp", "0"), "DP"),
    ("estimate-dp-not-dividing", _set(ESTIMATE, "--dp", "3"), "3"),
    ("estimate-layout-product", _set(_set(_set(ESTIMATE, "--tp", "8"), "--pp", "4"), "--dp", "4"), "64"),
    ("estimate-ep-dense-model", _set(ESTIMATE, "--ep", "2"), "EP"),
    ("estimate-micro-batch-zero", _set(ESTIMATE, "--micro-batch", "0"), "micro-batch"),
    ("estimate-micro-batch-negative", _set(ESTIMATE, "--micro-batch", "-1"), "micro-batch"),
    ("estimate-interleave-zero", _set(ESTIMATE, "--interleave", "0"), "interleave"),
    ("estimate-interleave-not-dividing", _set(_set(ESTIMATE, "--interleave", "5"), "--pp", "8"), "interleave"),
    ("estimate-zero-stage-4", _set(ESTIMATE, "--zero", "4"), "ZeRO"),
    ("estimate-zero-stage-negative", _set(ESTIMATE, "--zero", "-1"), "ZeRO"),
    ("estimate-recompute-unknown", _set(ESTIMATE, "--recompute", "some"), "recompute"),
    ("estimate-precision-unknown", _set(ESTIMATE, "--precision", "fp4"), "precision"),
    ("estimate-count-beyond-the-batch", _set(ESTIMATE, "--count", "1000003"), "global batch"),
    ("estimate-count-beyond-int64", _set(ESTIMATE, "--count", "99999999999999999999999"), "count"),
    (
        "estimate-1T-on-8-small-chips",
        ["estimate", "--params", "1T", "--tokens", "1e12", "--chip", SMALL_CHIP, "--count", "8"],
        "memory",
    ),
    # estimate: missing or conflicting flags, site and money options
    ("estimate-missing-tokens", _drop(ESTIMATE, "--tokens"), "--tokens"),
    ("estimate-missing-chip", _drop(ESTIMATE, "--chip"), "--chip"),
    ("estimate-samples-without-uncertain", _set(ESTIMATE, "--samples", "100"), "--uncertain"),
    ("estimate-uncertain-samples-zero", _set(ESTIMATE + ["--uncertain"], "--samples", "0"), "samples"),
    ("estimate-unknown-site", _set(ESTIMATE, "--site", "cn-atlantis"), "cn-atlantis"),
    ("estimate-pue-below-one", _set(ESTIMATE, "--pue", "0.5"), "pue"),
    ("estimate-pue-nan", _set(ESTIMATE, "--pue", "nan"), "pue"),
    ("estimate-price-negative", _set(ESTIMATE, "--price-kwh", "-1"), "price"),
    ("estimate-currency-unknown", _set(ESTIMATE, "--currency", "EUR"), "currency"),
    ("estimate-utilization-above-one", _set(ESTIMATE, "--utilization", "2"), "utilization"),
    ("estimate-utilization-nan", _set(ESTIMATE, "--utilization", "nan"), "utilization"),
    ("estimate-gco2-negative", _set(ESTIMATE, "--gco2-kwh", "-5"), "gco2"),
    ("estimate-lifetime-zero", _set(ESTIMATE, "--lifetime-years", "0"), "lifetime"),
    ("estimate-cost-of-capital-negative", _set(ESTIMATE, "--cost-of-capital", "-2"), "cost_of_capital"),
    ("estimate-server-fraction-negative", _set(ESTIMATE, "--server-capex-fraction", "-1"), "server_capex_fraction"),
    ("estimate-rental-negative", _set(ESTIMATE, "--rental-per-hour", "-1"), "price"),
    # fleet and sweep
    ("fleet-pool-zero", ["fleet", "--pool", "a:0"], "count"),
    ("fleet-pool-word", ["fleet", "--pool", "a:many"], "count"),
    ("fleet-pool-no-count", ["fleet", "--pool", "a"], "--pool"),
    ("fleet-unknown-policy", ["fleet", "--policy", "lottery", "--jobs", "50"], "lottery"),
    ("fleet-unknown-workload", ["fleet", "--workload", "nowhere", "--jobs", "50"], "nowhere"),
    ("fleet-load-zero", ["fleet", "--load", "0"], "load"),
    ("fleet-jobs-zero", ["fleet", "--jobs", "0"], "jobs"),
    ("fleet-unknown-chip", ["fleet", "--pool", "a:64:nvidia-h100", "--jobs", "50"], "nvidia-h100"),
    ("fleet-missing-trace", ["fleet", "--trace", "no-such-trace.csv", "--jobs", "50"], "no-such-trace.csv"),
    ("sweep-missing-spec", ["sweep", "no-such-spec.toml"], "no-such-spec.toml"),
    ("sweep-workers-zero", ["sweep", "no-such-spec.toml", "--workers", "0"], "workers"),
    # power
    ("power-count-zero", _set(POWER, "--count", "0"), "count"),
    ("power-count-negative", _set(POWER, "--count", "-3"), "count"),
    ("power-hours-zero", _set(POWER, "--hours", "0"), "hours"),
    ("power-hours-negative", _set(POWER, "--hours", "-1"), "hours"),
    ("power-hours-nan", _set(POWER, "--hours", "nan"), "hours"),
    ("power-hours-inf", _set(POWER, "--hours", "inf"), "hours"),
    ("power-hours-word", _set(POWER, "--hours", "abc"), "hours"),
    ("power-hours-truncated-exponent", _set(POWER, "--hours", "1e"), "hours"),
    ("power-missing-hours", _drop(POWER, "--hours"), "hours"),
    ("power-unknown-chip", _set(POWER, "--chip", "huawei-ascend-910z"), "huawei-ascend-910z"),
    ("power-unknown-site", _set(POWER, "--site", "nowhere"), "nowhere"),
    ("power-tokens-zero", _set(POWER, "--tokens", "0"), "tokens"),
    ("power-tokens-inf", _set(POWER, "--tokens", "inf"), "tokens"),
    ("power-pue-inf", _set(POWER, "--pue", "inf"), "pue"),
    ("power-price-nan", _set(POWER, "--price-kwh", "nan"), "price"),
    ("power-utilization-negative", _set(POWER, "--utilization", "-0.1"), "utilization"),
    ("power-gco2-inf", _set(POWER, "--gco2-kwh", "inf"), "gco2"),
    ("power-lifetime-negative", _set(POWER, "--lifetime-years", "-1"), "lifetime"),
    ("power-cost-of-capital-nan", _set(POWER, "--cost-of-capital", "nan"), "cost_of_capital"),
    ("power-server-fraction-nan", _set(POWER, "--server-capex-fraction", "nan"), "server_capex_fraction"),
    ("power-rental-inf", _set(POWER, "--rental-per-hour", "inf"), "price"),
    ("power-samples-without-uncertain", _set(POWER, "--samples", "10"), "--uncertain"),
    # scaling
    ("claims-unknown-id", ["claims", "--id", "gpt4-cost"], "gpt4-cost"),
    (
        "power-unknown-site-type",
        ["power", "--chip", "nvidia-h100-sxm5-80gb", "--count", "8", "--hours", "1", "--site-type", "garage"],
        "garage",
    ),
    ("scaling-nothing", ["scaling"], "--compute"),
    ("scaling-compute-zero", ["scaling", "--compute", "0"], "compute"),
    ("scaling-compute-negative", ["scaling", "--compute=-1"], "compute"),
    ("scaling-compute-nan", ["scaling", "--compute", "nan"], "compute"),
    ("scaling-compute-inf", ["scaling", "--compute", "inf"], "compute"),
    ("scaling-compute-word", ["scaling", "--compute", "abc"], "compute"),
    ("scaling-compute-overflow", ["scaling", "--compute", "1e400"], "compute"),
    ("scaling-unknown-law", ["scaling", "--compute", "5e23", "--law", "moore"], "moore"),
    ("scaling-two-modes", ["scaling", "--compute", "5e23", "--target-loss", "2"], "exactly one"),
    ("scaling-count-without-chip", ["scaling", "--compute", "5e23", "--count", "8"], "--chip"),
    ("scaling-chip-without-days", _drop(SCALING_CLUSTER, "--days"), "--days"),
    ("scaling-count-zero", _set(SCALING_CLUSTER, "--count", "0"), "count"),
    ("scaling-count-negative", _set(SCALING_CLUSTER, "--count", "-1"), "count"),
    ("scaling-days-zero", _set(SCALING_CLUSTER, "--days", "0"), "days"),
    ("scaling-days-negative", _set(SCALING_CLUSTER, "--days", "-3"), "days"),
    ("scaling-days-nan", _set(SCALING_CLUSTER, "--days", "nan"), "days"),
    ("scaling-mfu-zero", _set(SCALING_CLUSTER, "--mfu", "0"), "mfu"),
    ("scaling-mfu-above-one", _set(SCALING_CLUSTER, "--mfu", "1.5"), "mfu"),
    ("scaling-unknown-chip", _set(SCALING_CLUSTER, "--chip", "nope"), "nope"),
    ("scaling-loss-at-floor", ["scaling", "--target-loss", "1.0"], "loss"),
    ("scaling-loss-zero", ["scaling", "--target-loss", "0"], "loss"),
    ("scaling-loss-nan", ["scaling", "--target-loss", "nan"], "loss"),
    ("scaling-loss-out-of-kaplan-range", ["scaling", "--target-loss", "1e300", "--law", "kaplan"], "loss"),
    # compat
    ("compat-no-stack", ["compat"], "--stack"),
    ("compat-unknown-stack", ["compat", "--stack", "cudaa"], "cudaa"),
    ("compat-unknown-chip", COMPAT + ["--chip", "nope"], "nope"),
    ("compat-chips-zero", COMPAT + ["--chips", "0"], "chips"),
    ("compat-chips-negative", COMPAT + ["--chips=-5"], "chips"),
    ("compat-chips-nan", COMPAT + ["--chips", "nan"], "chips"),
    ("compat-days-zero", COMPAT + ["--days", "0"], "days"),
    ("compat-days-inf", COMPAT + ["--days", "inf"], "days"),
    ("compat-samples-negative", COMPAT + ["--samples=-1"], "samples"),
    ("compat-samples-huge", COMPAT + ["--samples", "99999999999"], "samples"),
    ("compat-seed-negative", COMPAT + ["--samples", "100", "--seed=-1"], "seed"),
    ("compat-uncertain-seed-negative", COMPAT + ["--uncertain", "--seed=-1"], "seed"),
    ("compat-share-unknown-class", COMPAT + ["--share", "warp=0.1"], "warp"),
    ("compat-share-word", COMPAT + ["--share", "gemm=abc"], "gemm"),
    ("compat-share-negative", COMPAT + ["--share", "gemm=-0.1"], "gemm"),
    ("compat-share-no-value", COMPAT + ["--share", "gemm"], "--share"),
    ("compat-set-unknown-key", COMPAT + ["--set", "attention.speedup=0.3"], "speedup"),
    ("compat-set-unknown-class", COMPAT + ["--set", "warp.fallback=0.3"], "warp"),
    ("compat-set-above-one", COMPAT + ["--set", "attention.fallback=2"], "fallback"),
    ("compat-set-efficiency-zero", COMPAT + ["--set", "attention.translated_efficiency=0"], "translated_efficiency"),
    ("compat-set-reversed-range", COMPAT + ["--set", "attention.fallback=[0.5,0.1]"], "fallback"),
    ("compat-set-nan", COMPAT + ["--set", "attention.fallback=NaN"], "fallback"),
    ("compat-set-no-dot", COMPAT + ["--set", "fallback=0.3"], "--set"),
    ("compat-engineer-cost-negative", COMPAT + ["--engineer-month-cost=-5"], "engineer"),
    ("compat-engineer-cost-word", COMPAT + ["--engineer-month-cost", "abc"], "engineer"),
    ("compat-unknown-model", COMPAT + ["--model", "gpt5", "--tokens", "1e12"], "gpt5"),
    ("compat-params-without-tokens", COMPAT + ["--params", "7e9"], "--tokens"),
    ("compat-tokens-without-model", COMPAT + ["--tokens", "1e12"], "--model"),
    ("compat-tokens-zero", COMPAT + ["--model", "gpt3-175b", "--tokens", "0"], "tokens"),
    ("compat-params-zero", COMPAT + ["--params", "0", "--tokens", "1e12"], "params"),
    ("compat-model-and-params", COMPAT + ["--model", "gpt3-175b", "--params", "7e9", "--tokens", "1e12"], "--params"),
    (
        "compat-model-fits-nowhere",
        COMPAT + ["--params", "1e12", "--tokens", "1e12", "--chips", "8", "--chip", "amd-mi100"],
        "memory",
    ),
    ("compat-chips-astronomical", COMPAT + ["--model", "gpt3-175b", "--tokens", "1e12", "--chips", "1e300"], "chips"),
    ("compat-currency-unknown", COMPAT + ["--currency", "EUR"], "currency"),
    # substitute
    ("substitute-missing-reference", _drop(SUBSTITUTE, "--reference"), "--reference"),
    ("substitute-model-and-params", SUBSTITUTE + ["--params", "7e9"], "--params"),
    ("substitute-tokens-zero", _set(SUBSTITUTE, "--tokens", "0"), "tokens"),
    ("substitute-tokens-nan", _set(SUBSTITUTE, "--tokens", "nan"), "tokens"),
    ("substitute-unknown-model", _set(SUBSTITUTE, "--model", "gpt5"), "gpt5"),
    ("substitute-params-negative", _set(_drop(SUBSTITUTE, "--model"), "--params", "-1"), "params"),
    ("substitute-reference-unknown-chip", _set(SUBSTITUTE, "--reference", "nope:1024"), "nope"),
    ("substitute-reference-count-zero", _set(SUBSTITUTE, "--reference", f"{CHIP}:0"), "count"),
    ("substitute-reference-count-negative", _set(SUBSTITUTE, "--reference", f"{CHIP}:-8"), "count"),
    ("substitute-reference-count-word", _set(SUBSTITUTE, "--reference", f"{CHIP}:abc"), "count"),
    ("substitute-reference-count-fraction", _set(SUBSTITUTE, "--reference", f"{CHIP}:1.5"), "count"),
    ("substitute-reference-no-count", _set(SUBSTITUTE, "--reference", CHIP), "CHIP:COUNT"),
    ("substitute-reference-fits-nowhere", _set(SUBSTITUTE, "--reference", f"{SMALL_CHIP}:8"), "memory"),
    ("substitute-unknown-candidate", _set(SUBSTITUTE, "--candidates", "huawei-ascend-911"), "huawei-ascend-911"),
    ("substitute-no-candidates", _set(SUBSTITUTE, "--candidates", ","), "candidates"),
    ("substitute-deadline-zero", _set(SUBSTITUTE, "--deadline-days", "0"), "deadline"),
    ("substitute-deadline-inf", _set(SUBSTITUTE, "--deadline-days", "inf"), "deadline"),
    ("substitute-budget-negative", _set(SUBSTITUTE, "--budget", "-1"), "budget"),
    ("substitute-global-batch-zero", _set(SUBSTITUTE, "--global-batch", "0"), "global_batch"),
    ("substitute-unknown-site", _set(SUBSTITUTE, "--site", "nope"), "nope"),
    ("substitute-pue-below-one", _set(SUBSTITUTE, "--pue", "0.5"), "pue"),
    ("substitute-utilization-nan", _set(SUBSTITUTE, "--utilization", "nan"), "utilization"),
    ("substitute-rack-zero", _set(SUBSTITUTE, "--rack-kw", "0"), "rack"),
    ("substitute-supply-negative", _set(SUBSTITUTE, "--supply", "huawei-ascend-910b=-5"), "supply"),
    ("substitute-supply-word", _set(SUBSTITUTE, "--supply", "huawei-ascend-910b=abc"), "supply"),
    ("substitute-supply-unknown-chip", _set(SUBSTITUTE, "--supply", "huawei-ascend-911=100"), "huawei-ascend-911"),
    ("substitute-rental-unknown-chip", _set(_set(SUBSTITUTE, "--cost-basis", "rental"), "--rental", "nope=1"), "nope"),
    ("substitute-rental-nan", _set(SUBSTITUTE, "--rental", "huawei-ascend-910b=nan"), "rental"),
    ("substitute-supply-share-above-one", _set(SUBSTITUTE, "--supply-share", "2"), "supply_share"),
    ("substitute-yield-zero", _set(SUBSTITUTE, "--yield", "0"), "yield"),
    ("substitute-switch-radix-one", _set(SUBSTITUTE, "--switch-radix", "1"), "radix"),
    ("substitute-switch-radix-fraction", _set(SUBSTITUTE, "--switch-radix", "2.5"), "radix"),
    ("substitute-mix-unknown-chip", _set(SUBSTITUTE, "--mix", "nope:100"), "nope"),
    ("substitute-mix-count-zero", _set(SUBSTITUTE, "--mix", "huawei-ascend-910b:0"), "count"),
    ("substitute-mix-beyond-any-layout", _set(SUBSTITUTE, "--mix", "huawei-ascend-910b:99999999999999"), "pool b"),
    (
        "substitute-mix-unknown-link",
        _set(_set(SUBSTITUTE, "--mix", "huawei-ascend-910b:512"), "--link", "nope"),
        "nope",
    ),
    (
        "substitute-mix-ports-zero",
        _set(_set(SUBSTITUTE, "--mix", "huawei-ascend-910b:512"), "--link-ports", "0"),
        "link_ports",
    ),
    (
        "substitute-route-on-a-local-link",
        _set(_set(SUBSTITUTE, "--mix", "huawei-ascend-910b:512"), "--route-km", "100"),
        "route_km",
    ),
    ("substitute-route-without-mix", _set(SUBSTITUTE, "--route-km", "100"), "--mix"),
    ("substitute-link-ports-without-mix", _set(SUBSTITUTE, "--link-ports", "4"), "--mix"),
    ("substitute-currency-unknown", _set(SUBSTITUTE, "--currency", "EUR"), "currency"),
    # serve
    ("serve-demand-zero", _set(SERVE, "--demand-tokens-per-day", "0"), "demand"),
    ("serve-qps-negative", _set(SERVE, "--qps", "-3"), "qps"),
    ("serve-two-demands", _set(_set(SERVE, "--qps", "3"), "--demand-tokens-per-day", "1e9"), "qps"),
    ("serve-tpot-no-batch-meets", _set(SERVE, "--tpot-ms", "0.5"), "TPOT"),
    ("serve-ttft-no-batch-meets", _set(SERVE, "--ttft-ms", "0.5"), "TTFT"),
    ("serve-model-does-not-fit", _set(_set(SERVE, "--chip", SMALL_CHIP), "--count", "1"), "fit"),
    ("serve-batch-does-not-fit", _set(_set(SERVE, "--count", "1"), "--batch", "100000"), "batch"),
    ("serve-count-zero", _set(SERVE, "--count", "0"), "count"),
    ("serve-input-len-zero", _set(SERVE, "--input-len", "0"), "input_len"),
    ("serve-unknown-chip", _set(SERVE, "--chip", "nvidia-h100-sxm5-81gb"), "nvidia-h100-sxm5-81gb"),
    ("serve-unknown-model", _set(SERVE, "--model", "llama9-70b"), "llama9-70b"),
    ("serve-unknown-precision", _set(SERVE, "--precision", "fp7"), "precision"),
    ("serve-precision-chip-lacks", _set(SERVE, "--chip", "nvidia-a100-sxm4-80gb"), "fp8"),
    ("serve-unknown-site", _set(SERVE, "--site", "nope"), "nope"),
    ("serve-no-chip", _drop(SERVE, "--chip"), "--chip"),
    ("serve-reference-alone", _set(_drop(SERVE, "--chip"), "--reference", f"{CHIP}:100"), "--candidates"),
    # backtest
    ("backtest-unknown-flag", ["backtest", "--fast"], "--fast"),
    # reproduced in the plugin-contract review: silently wrong before, one sentence now
    (
        "estimate-model-and-params",
        ["estimate", "--model", "llama2-70b", "--params", "7e9", "--tokens", "1e12", "--chip", CHIP, "--count", "64"],
        "--params",
    ),
    ("estimate-site-empty", _set(ESTIMATE, "--site", ""), "site"),
    ("estimate-tokens-negative-as-a-separate-word", ESTIMATE[:4] + ["-1e12"] + ESTIMATE[5:], "tokens"),
    ("compat-chips-fraction", COMPAT + ["--chips", "0.5"], "chips"),
    ("compat-samples-zero", COMPAT + ["--samples", "0"], "samples"),
    ("scaling-compute-too-small-for-one-parameter", ["scaling", "--compute", "1e-30"], "too small"),
    ("scaling-mfu-tiny", _set(SCALING_CLUSTER, "--mfu", "1e-300"), "too small"),
    ("power-count-32-digits", _set(POWER, "--count", "1" * 32), "count"),
    # found by a hostile pass over every command (internal errors, or an answer to a question not asked)
    ("scaling-count-400-digits", _set(SCALING_CLUSTER, "--count", "9" * 400), "count"),
    ("compat-engineer-cost-400-digits", COMPAT + ["--engineer-month-cost=" + "9" * 400], "engineer"),
    ("compat-engineer-cost-empty", COMPAT + ["--engineer-month-cost="], "engineer"),
    ("compat-engineer-cost-double-dash", COMPAT + ["--engineer-month-cost=--"], "engineer"),
    ("compat-samples-double-dash", COMPAT + ["--samples=--"], "samples"),
    ("fleet-jobs-double-dash", ["fleet", "--jobs=--"], "jobs"),
    ("fleet-load-double-dash", ["fleet", "--jobs", "50", "--load=--"], "load"),
    ("fleet-pool-empty", ["fleet", "--pool", ""], "pool"),
    ("catalog-vendor-empty", ["catalog", "--vendor", ""], "vendor"),
    ("catalog-vendor-blank", ["catalog", "--vendor", "   "], "vendor"),
    ("lab-notebooks-empty", ["lab", "--notebooks", "", "--dry-run"], "notebooks"),
    ("estimate-chip-empty", _set(ESTIMATE, "--chip", ""), "chip"),
    ("estimate-framework-empty", ESTIMATE + ["--framework="], "framework"),
    ("serve-model-empty", _set(SERVE, "--model", ""), "model"),
    ("compat-stack-empty", ["compat", "--stack", ""], "stack"),
    ("serve-demand-underflows", _set(SERVE, "--demand-tokens-per-day", "1e-320"), "demand"),
    ("serve-demand-too-small-to-cost", _set(SERVE, "--demand-tokens-per-day", "1e-300"), "demand"),
    ("estimate-tokens-half", _set(ESTIMATE, "--tokens", "0.5"), "tokens"),
    ("estimate-tokens-subnormal", _set(ESTIMATE, "--tokens", "1e-320"), "tokens"),
    ("estimate-tokens-overflow", _set(ESTIMATE, "--tokens", "1e309"), "tokens"),
    ("estimate-tokens-fraction-text", _set(ESTIMATE, "--tokens", "1/2"), "tokens"),
    (
        "estimate-params-half",
        ["estimate", "--params=0.5", "--tokens", "1e12", "--chip", CHIP, "--count", "8"],
        "params",
    ),
    ("compat-tokens-subnormal", COMPAT + ["--model", "gpt3-175b", "--tokens", "1e-320"], "tokens"),
    ("substitute-tokens-half", _set(SUBSTITUTE, "--tokens", "0.5"), "tokens"),
    ("power-tokens-half", _set(POWER, "--tokens", "0.5"), "tokens"),
    ("estimate-count-repeated", ESTIMATE + ["--count", "8"], "--count"),
    ("estimate-chip-repeated", ESTIMATE + ["--chip", "huawei-ascend-910b"], "--chip"),
    ("estimate-count-repeated-abbreviated", ESTIMATE + ["--coun", "8"], "--count"),
    ("scaling-compute-repeated", ["scaling", "--compute", "1e23", "--compute", "1e24"], "--compute"),
    ("substitute-reference-repeated", SUBSTITUTE + ["--reference", f"{CHIP}:128"], "--reference"),
    ("power-site-repeated", POWER + ["--site", "us-virginia", "--site=cn-yangtze-delta"], "--site"),
    ("sweep-out-missing-folder", ["sweep", "no-such-spec.toml", "--out", "/no/such/folder/results.csv"], "folder"),
    ("sweep-out-is-a-folder", ["sweep", "no-such-spec.toml", "--out", str(Path(__file__).resolve().parent)], "folder"),
]


@pytest.mark.parametrize("argv,names", [pytest.param(a, n, id=i) for i, a, n in BAD_CLI])
def test_bad_cli_input_gives_one_sentence(argv, names, capsys):
    code = _main(argv)
    out, err = capsys.readouterr()
    message = assert_one_sentence(code, err)
    assert out == "", f"half a result on stdout before the error: {out[:300]}"
    assert names.lower() in message.lower(), f"the message should name {names!r}: {message}"


def _main(argv: list[str]) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a numpy divide-by-zero on bad input is a bug here too
        try:
            return int(main(argv) or 0)
        except SystemExit as exc:
            return int(exc.code or 0)


def test_every_subcommand_is_covered():
    from importlib.util import find_spec

    from suanli.commands import COMMANDS

    built = {name for name in COMMANDS if find_spec(f"suanli.commands.{name}") is not None}
    covered = {argv[0] for _, argv, _ in BAD_CLI}
    assert built <= covered, f"commands without bad-input cases in BAD_CLI: {sorted(built - covered)}"


@pytest.mark.parametrize(
    "argv",
    [pytest.param(ESTIMATE, id="estimate"), pytest.param(POWER, id="power"), pytest.param(SUBSTITUTE, id="substitute")],
)
def test_uncertain_negative_seed_gives_one_sentence(argv, capsys):
    code = _main(argv + ["--uncertain", "--samples", "20", "--seed=-1"])
    assert_one_sentence(code, capsys.readouterr().err)


@pytest.mark.parametrize("chips", ["nan", "inf", "2.5"])
def test_compat_engine_fleet_must_be_whole(chips, capsys):
    code = _main(COMPAT + ["--model", "llama2-7b", "--tokens", "1e11", f"--chips={chips}"])
    assert_one_sentence(code, capsys.readouterr().err)


# -- property: random numbers never crash the command line -------------------------------------

BAD_TEXT = st.one_of(
    st.sampled_from(
        [
            "0",
            "-0",
            "-5",
            "1e",
            "abc",
            "",
            "nan",
            "-nan",
            "inf",
            "-inf",
            "1e400",
            "1e-400",
            "0x10",
            "1_000",
            "2T",
            " 7 ",
        ]
    ),
    st.integers(-(10**6), 0).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
"""Text a user might type where a number belongs: mostly wrong, sometimes accidentally right."""


def numbers(low: float, high: float, *, integer: bool = False):
    """Text for a number: three times in four a plausible value in [low, high], else :data:`BAD_TEXT`
    (so that both the results and the error messages are exercised)."""
    good = (
        st.integers(int(low), int(high)).map(str)
        if integer
        else st.floats(min_value=low, max_value=high).map(lambda x: f"{x:.6g}")
    )
    return st.tuples(st.integers(0, 3), good, BAD_TEXT).map(lambda t: t[2] if t[0] == 0 else t[1])


# the main numbers each command prints: a result with one of them null (non-finite) is a hidden failure
KEY_OUTPUTS = {
    "estimate": ("train_days", "step_time_s", "mfu"),
    "power": ("it_power_kw", "facility_power_kw", "energy_mwh"),
    "scaling": ("compute_flops", "n_opt", "d_opt", "loss"),
}


def _non_finite(obj, path="") -> list[str]:
    """Paths of the non-finite numbers in a JSON document (there should be none)."""
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in _non_finite(v, f"{path}.{k}")]
    if isinstance(obj, list):
        return [p for i, v in enumerate(obj) for p in _non_finite(v, f"{path}[{i}]")]
    if isinstance(obj, float) and not math.isfinite(obj):
        return [path]
    return []


def _check_property(argv: list[str]) -> None:
    code, out, err = run_cli(argv + ["--json"])
    assert code in (0, EXIT_USAGE), (argv, code, err)
    if code == 0:
        doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"{argv}: {c} in the JSON"))
        assert not _non_finite(doc), (argv, _non_finite(doc))
        missing = [k for k in KEY_OUTPUTS[argv[0]] if not isinstance(doc.get(k), (int, float))]
        assert not missing, f"{argv}: {missing} are not numbers in {doc}"
        assert "Traceback" not in err
    else:
        assert_one_sentence(code, err)


PROPERTY = settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@PROPERTY
@given(
    count=numbers(1, 2048, integer=True),
    tokens=numbers(1e6, 1e13),
    tp=st.sampled_from([1, 2, 4, 8, 0, -2, 3, 16]),
    micro_batch=st.sampled_from([1, 2, 4, 0, -1, 3]),
    layout=st.booleans(),
    chip=st.sampled_from([CHIP, SMALL_CHIP, "huawei-ascend-910b", "amd-mi300x", "google-tpu-v5p"]),
    model=st.sampled_from(["gpt3-175b", "llama2-7b", "mixtral-8x7b"]),
)
def test_estimate_never_crashes(count, tokens, tp, micro_batch, chip, model, layout):
    argv = ["estimate", "--model", model, f"--tokens={tokens}", "--chip", chip, f"--count={count}"]
    if layout:
        argv += [f"--tp={tp}", f"--micro-batch={micro_batch}"]
    _check_property(argv)


@PROPERTY
@given(
    count=numbers(1, 10**6, integer=True),
    hours=numbers(1e-3, 1e5),
    pue=st.none() | numbers(1, 3),
    price=st.none() | numbers(0, 2),
    utilization=st.none() | numbers(0, 1),
    tokens=st.none() | numbers(1, 1e13),
    site=st.none() | st.sampled_from(["cn-gansu-qingyang", "us-virginia"]),
)
def test_power_never_crashes(count, hours, pue, price, utilization, tokens, site):
    argv = ["power", "--chip", CHIP, f"--count={count}", f"--hours={hours}"]
    for flag, value in (
        ("--pue", pue),
        ("--price-kwh", price),
        ("--utilization", utilization),
        ("--tokens", tokens),
        ("--site", site),
    ):
        if value is not None:
            argv.append(f"{flag}={value}")
    _check_property(argv)


@PROPERTY
@given(
    mode=st.sampled_from(["compute", "cluster", "loss"]),
    compute=numbers(1e15, 1e28),
    loss=numbers(1.0, 6.0),
    count=numbers(1, 10**5, integer=True),
    days=numbers(1e-2, 1e4),
    mfu=st.none() | numbers(1e-2, 1),
    law=st.sampled_from(["chinchilla", "besiroglu", "kaplan"]),
)
def test_scaling_never_crashes(mode, compute, loss, count, days, mfu, law):
    if mode == "compute":
        argv = ["scaling", f"--compute={compute}"]
    elif mode == "loss":
        argv = ["scaling", f"--target-loss={loss}"]
    else:
        argv = ["scaling", "--chip", CHIP, f"--count={count}", f"--days={days}"] + ([f"--mfu={mfu}"] if mfu else [])
    _check_property(argv + ["--law", law])


# -- end to end: a real process ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(
            ["estimate", "--model", "gpt3-175b", "--tokens", "300e9", "--chip", CHIP, "--count", "0"], id="count-zero"
        ),
        pytest.param(["show", "huawei-ascend-910z"], id="unknown-id"),
    ],
)
def test_end_to_end_bad_input(argv):
    proc = run_suanli(*argv)
    assert_one_sentence(proc.returncode, proc.stderr)
    assert proc.stdout == ""


# -- the Python API ----------------------------------------------------------------------------


def _estimate(**changes):
    kwargs = {"tokens": 300e9, "chip": CHIP, "count": 64}
    kwargs.update(changes)
    return suanli.estimate(kwargs.pop("model", "gpt3-175b"), **kwargs)


def _energy(count=64, hours=720.0, utilization=None, **options):
    from suanli.scenarios.power import energy_and_cost

    return energy_and_cost(
        options, suanli.load_catalog().accelerator(CHIP), count, hours, utilization, tokens=options.pop("tokens", None)
    )


def _scaling(name, *args):
    from suanli.models import scaling

    return getattr(scaling, name)(*args)


def _compat(stack="rocm", **kwargs):
    from suanli.scenarios.compat import compat_for

    return compat_for(stack, **kwargs)


def _substitute(reference=(CHIP, 1024), candidates=("nvidia-h20",), tokens=300e9, **options):
    from suanli.scenarios import substitution as S

    goal = S.make_goal("gpt3-175b", tokens=tokens)
    return S.compare(goal, reference, list(candidates), S.Options(**options))


def _options(**kwargs):
    from suanli.scenarios.substitution import Options

    return Options(**kwargs)


def _catalog(method, obj_id):
    return getattr(suanli.load_catalog(), method)(obj_id)


NAN, INF = float("nan"), float("inf")
BAD_API = [
    ("estimate-tokens-zero", lambda: _estimate(tokens=0)),
    ("estimate-tokens-nan", lambda: _estimate(tokens=NAN)),
    ("estimate-tokens-word", lambda: _estimate(tokens="abc")),
    ("estimate-count-zero", lambda: _estimate(count=0)),
    ("estimate-count-negative", lambda: _estimate(count=-1)),
    ("estimate-count-fraction", lambda: _estimate(count=2.5)),
    ("estimate-count-nan", lambda: _estimate(count=NAN)),
    ("estimate-unknown-chip", lambda: _estimate(chip="nope")),
    ("estimate-chip-none", lambda: _estimate(chip=None)),
    ("estimate-unknown-model", lambda: _estimate(model="nope")),
    ("estimate-params-negative", lambda: _estimate(model=None, params=-1.0)),
    ("estimate-params-nan", lambda: _estimate(model=None, params=NAN)),
    ("estimate-heads-not-dividing-hidden", lambda: _estimate(model=None, params=7e9, heads=7)),
    ("estimate-ffn-zero", lambda: _estimate(ffn=0)),
    ("estimate-vocab-zero", lambda: _estimate(model=None, params=7e9, vocab=0)),
    ("estimate-tp-zero", lambda: _estimate(tp=0)),
    ("estimate-tp-beyond-domain", lambda: _estimate(tp=16)),
    ("estimate-pp-zero", lambda: _estimate(pp=0)),
    ("estimate-dp-zero", lambda: _estimate(dp=0)),
    ("estimate-micro-batch-zero", lambda: _estimate(micro_batch=0)),
    ("estimate-interleave-zero", lambda: _estimate(interleave=0)),
    ("estimate-zero-stage-7", lambda: _estimate(zero=7)),
    ("estimate-recompute-unknown", lambda: _estimate(recompute="bogus")),
    ("estimate-recompute-code-9", lambda: _estimate(recompute=9)),
    ("estimate-global-batch-zero", lambda: _estimate(global_batch=0)),
    ("estimate-global-batch-fraction", lambda: _estimate(global_batch=2.5)),
    ("estimate-seq-zero", lambda: _estimate(seq=0)),
    ("estimate-precision-unknown", lambda: _estimate(precision="fp4")),
    ("estimate-ep-not-dividing-experts", lambda: _estimate(model="mixtral-8x7b", ep=3)),
    ("estimate-1T-on-8-small-chips", lambda: _estimate(model=None, params=1e12, chip=SMALL_CHIP, count=8)),
    ("estimate-count-beyond-any-layout", lambda: _estimate(count=10**14)),
    ("estimate-matmul-efficiency-zero", lambda: _estimate(matmul_efficiency=0)),
    ("estimate-matmul-efficiency-above-one", lambda: _estimate(matmul_efficiency=2.0)),
    ("estimate-stack-efficiency-zero", lambda: _estimate(stack_efficiency=0)),
    ("estimate-failure-rate-negative", lambda: _estimate(failure_rate_per_device_hour=-1)),
    ("energy-count-zero", lambda: _energy(count=0)),
    ("energy-count-fraction", lambda: _energy(count=2.5)),
    ("energy-hours-zero", lambda: _energy(hours=0)),
    ("energy-hours-nan", lambda: _energy(hours=NAN)),
    ("energy-unknown-site", lambda: _energy(site="nope")),
    ("energy-pue-below-one", lambda: _energy(pue=0.5)),
    ("energy-currency-unknown", lambda: _energy(currency="EUR")),
    ("energy-unknown-option", lambda: _energy(bogus=1)),
    ("energy-utilization-above-one", lambda: _energy(utilization=2.0)),
    ("energy-tokens-zero", lambda: _energy(tokens=0)),
    ("energy-lifetime-zero", lambda: _energy(lifetime_years=0)),
    ("energy-gco2-nan", lambda: _energy(gco2_kwh=NAN)),
    ("energy-rental-nan", lambda: _energy(rental_per_hour=NAN)),
    ("scaling-compute-zero", lambda: _scaling("compute_optimal", 0)),
    ("scaling-compute-nan", lambda: _scaling("compute_optimal", NAN)),
    ("scaling-compute-inf", lambda: _scaling("compute_optimal", INF)),
    ("scaling-loss-at-floor", lambda: _scaling("compute_for_loss", 1.0)),
    ("scaling-unknown-law", lambda: _scaling("get_law", "moore")),
    ("scaling-cluster-count-zero", lambda: _scaling("cluster_compute", 0, 1e15, 10, 0.4)),
    ("scaling-cluster-mfu-above-one", lambda: _scaling("cluster_compute", 8, 1e15, 10, 2)),
    ("scaling-params-zero", lambda: _scaling("parametric_loss", 0, 1e9)),
    ("scaling-unknown-constant", lambda: _scaling("constant", "nope")),
    ("compat-unknown-stack", lambda: _compat("nope")),
    ("compat-chips-zero", lambda: _compat(chips=0)),
    ("compat-unknown-chip", lambda: _compat(chip_id="nope")),
    ("compat-unknown-share", lambda: _compat(share_overrides={"warp": 0.1})),
    ("compat-set-above-one", lambda: _compat(stack_overrides={"attention": {"fallback": 2}})),
    ("compat-set-unknown-key", lambda: _compat(stack_overrides={"attention": {"speedup": 0.2}})),
    ("compat-days-zero", lambda: _compat(days=0)),
    ("compat-samples-negative", lambda: _compat(samples=-1)),
    ("compat-seed-negative", lambda: _compat(samples=10, seed=-1)),
    ("compat-engineer-cost-negative", lambda: _compat(engineer_month_cost=-5)),
    ("compat-currency-unknown", lambda: _compat(currency="EUR")),
    ("compat-workload-unknown", lambda: _compat(workload="sparse")),
    ("substitute-tokens-zero", lambda: _substitute(tokens=0)),
    ("substitute-unknown-reference", lambda: _substitute(reference=("nope", 10))),
    ("substitute-unknown-candidate", lambda: _substitute(candidates=("nope",))),
    ("substitute-no-candidates", lambda: _substitute(candidates=())),
    ("substitute-odd-switch-radix", lambda: _substitute(switch_radix=3)),
    ("substitute-rental-unknown-chip", lambda: _substitute(rental_per_hour={"nope": 1.0})),
    ("substitute-supply-unknown-chip", lambda: _substitute(supply_units_per_year={"nope": 1.0})),
    ("options-pue-below-one", lambda: _options(pue=0.5)),
    ("options-utilization-nan", lambda: _options(utilization=NAN)),
    ("options-lifetime-zero", lambda: _options(lifetime_years=0)),
    ("options-cost-of-capital-negative", lambda: _options(cost_of_capital=-5)),
    ("options-cost-basis-unknown", lambda: _options(cost_basis="lease")),
    (
        "parse-fleet-malformed",
        lambda: __import__("suanli.scenarios.substitution", fromlist=["parse_fleet"]).parse_fleet("x"),
    ),
    ("catalog-get-unknown", lambda: _catalog("get", "nope")),
    ("catalog-accelerator-unknown", lambda: _catalog("accelerator", "nope")),
    ("catalog-accelerator-none", lambda: _catalog("accelerator", None)),
    ("catalog-site-unknown", lambda: _catalog("site", "nope")),
    ("catalog-stack-unknown", lambda: _catalog("stack", "nope")),
    ("catalog-link-unknown", lambda: _catalog("link", "nope")),
    ("accelerator-unknown-precision", lambda: suanli.load_catalog().accelerator(CHIP).peak_flops("fp3")),
    # reproduced in the plugin-contract review: raw TypeError/ValueError/AttributeError before
    ("estimate-tokens-text", lambda: _estimate(tokens="1e12")),
    ("estimate-tokens-array", lambda: _estimate(tokens=__import__("numpy").array([1e12, 2e12]))),
    ("estimate-model-number", lambda: _estimate(model=123)),
    (
        "uncertain-seed-negative",
        lambda: suanli.uncertain_estimate("llama2-7b", tokens=1e11, chip=CHIP, count=8, seed=-1, samples=10),
    ),
    (
        "uncertain-seed-text",
        lambda: suanli.uncertain_estimate("llama2-7b", tokens=1e11, chip=CHIP, count=8, seed="a", samples=10),
    ),
    (
        "uncertain-samples-nan",
        lambda: suanli.uncertain_estimate("llama2-7b", tokens=1e11, chip=CHIP, count=8, samples=NAN),
    ),
    (
        "substitute-global-batch-nan",
        lambda: __import__("suanli.scenarios.substitution", fromlist=["make_goal"]).make_goal(
            "gpt3-175b", tokens=3e11, global_batch=NAN
        ),
    ),
    ("substitute-reference-count-nan", lambda: _substitute(reference=(CHIP, NAN))),
    ("compat-stack-profile-none", lambda: __import__("suanli.models.compat", fromlist=["x"]).stack_profile(None)),
    ("compat-negative-share", lambda: __import__("suanli.models.compat", fromlist=["x"]).class_losses([-0.1], [1.5])),
    (
        "compat-nan-share",
        lambda: __import__("suanli.models.compat", fromlist=["x"]).class_time_factor(NAN, 0, 0.5, 0.5),
    ),
    (
        "compat-share-above-one",
        lambda: __import__("suanli.models.compat", fromlist=["x"]).class_time_factor(0.8, 0.5, 0.5, 0.5),
    ),
    ("compat-negative-chips", lambda: __import__("suanli.models.compat", fromlist=["x"]).extra_chips(-100, 1.2)),
    ("compat-speedup-as-slowdown", lambda: __import__("suanli.models.compat", fromlist=["x"]).extra_chips(100, 0.5)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in BAD_API])
def test_python_api_raises_a_suanli_error(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(SuanliError) as info:
            call()
    message = str(info.value)
    assert message and "\n" not in message.strip() and len(message) < 600, message


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"seq": NAN}, id="seq-nan"),
        pytest.param({"layers": INF}, id="layers-inf"),
        pytest.param({"global_batch": NAN}, id="global-batch-nan"),
    ],
)
def test_python_api_engine_gaps(changes):
    with pytest.raises(SuanliError):
        _estimate(**changes)


# -- widgets: the message in place, and nothing lost ----------------------------------------------


def _shown(panel) -> str:
    """The text of the panel's message area (or of its result area, for panels without one)."""
    for name in ("message", "result", "summary"):
        area = getattr(panel, name, None)
        if area is not None and hasattr(area, "value") and isinstance(area.value, str) and "#a00" in area.value:
            return area.value
    return ""


def _control(panel, description: str):
    import ipywidgets as W

    from suanli.widgets.base import find_controls

    for control in find_controls(panel.widget):
        if isinstance(control, W.ValueWidget) and control.description == description:
            return control
    raise AssertionError(f"no control {description!r} in {type(panel).__name__}")


def _assert_in_place(panel, control, bad, words: str) -> None:
    """Setting ``bad`` shows a message naming ``words`` without raising; the old value restores the results."""
    good = control.value
    control.value = bad
    shown = _shown(panel)
    assert words.lower() in shown.lower(), f"{type(panel).__name__}.{control.description}={bad!r} showed {shown!r}"
    control.value = good
    assert _shown(panel) == "", f"{type(panel).__name__} kept the message after a good value"


@pytest.fixture(scope="module")
def strict_panels():
    from suanli.widgets.base import Panel

    Panel.strict = True  # a bug (not a SuanliError) raises instead of only showing
    yield
    Panel.strict = False


@pytest.fixture(scope="module")
def catalog():
    return suanli.load_catalog()


def test_power_panel_shows_bad_counts_and_hours(strict_panels, catalog):
    from suanli.widgets.power import PowerPanel

    panel = PowerPanel(catalog)
    for description, bad, words in (
        ("count", 0, "count"),
        ("count", -5, "count"),
        ("hours", 0, "hours"),
        ("hours", -1, "hours"),
    ):
        _assert_in_place(panel, _control(panel, description), bad, words)
    _control(panel, "site").value = "(custom PUE and price)"
    _assert_in_place(panel, _control(panel, "PUE"), 0.5, "pue")
    _assert_in_place(panel, _control(panel, "price/kWh"), -1.0, "price")


def test_compat_panel_shows_bad_fleet_and_tokens(strict_panels, catalog):
    from suanli.widgets.compat import CompatPanel

    panel = CompatPanel(catalog=catalog)
    _assert_in_place(panel, _control(panel, "chips"), 0, "chips")
    _assert_in_place(panel, _control(panel, "chips"), -5, "chips")
    _control(panel, "model").value = "llama2-7b"
    _assert_in_place(panel, _control(panel, "tokens"), "0", "tokens")  # a text box: typed as 300B, 2T or 3e11
    _assert_in_place(panel, _control(panel, "tokens"), "-1", "tokens")
    _assert_in_place(panel, _control(panel, "tokens"), "lots", "tokens")


def test_claims_panel_shows_a_bad_cost(strict_panels, catalog):
    from suanli.widgets.press import ClaimsPanel

    panel = ClaimsPanel(catalog)
    _assert_in_place(panel, _control(panel, "cost to reach ($M)"), 0.0, "cost")
    _assert_in_place(panel, _control(panel, "cost to reach ($M)"), -1.0, "cost")


def test_catalog_panel_shows_an_empty_comparison(strict_panels, catalog):
    from suanli.widgets.catalog import CatalogPanel

    panel = CatalogPanel(catalog)
    _assert_in_place(panel, _control(panel, "compare"), (), "chip")


def test_cross_site_panel_shows_a_fleet_that_cannot_hold_the_model(strict_panels, catalog):
    from suanli.widgets.interconnect import CrossSitePanel

    panel = CrossSitePanel(catalog=catalog)
    _assert_in_place(panel, _control(panel, "devices"), 2, "memory")


def test_scaling_panel_shows_a_zero_mfu(strict_panels):
    from suanli.widgets.scaling import ScalingPanel

    panel = ScalingPanel()
    _control(panel, "budget from").value = "cluster"
    _assert_in_place(panel, _control(panel, "MFU"), 0.0, "mfu")


def test_substitution_panel_shows_a_bad_reference_and_no_candidates(strict_panels, catalog):
    from suanli.widgets.substitution import SubstitutionPanel

    panel = SubstitutionPanel(catalog=catalog)
    reference = _control(panel, "reference fleet (CHIP:COUNT)")
    for bad, words in (
        ("nope:10", "nope"),
        (f"{CHIP}:0", "count"),
        (f"{CHIP}:-5", "count"),
        ("garbage", "CHIP:COUNT"),
        ("", "CHIP:COUNT"),
        (f"{CHIP}:abc", "count"),
    ):
        _assert_in_place(panel, reference, bad, words)
    _assert_in_place(panel, _control(panel, "candidates"), (), "candidate")


def test_every_panel_with_free_input_is_exercised():
    """The panels above are every panel class whose controls accept a value the model can refuse
    (a text box, a slider reaching 0, a multi-selection); the others offer only valid choices."""
    import importlib
    import inspect
    import pkgutil

    import suanli.widgets

    free_input = {
        "PowerPanel",
        "CompatPanel",
        "ClaimsPanel",
        "CatalogPanel",
        "CrossSitePanel",
        "ScalingPanel",
        "SubstitutionPanel",
    }
    choices_only = {
        "BacktestPanel",
        "CollectivePanel",
        "TrainingPanel",
        "UncertaintyPanel",
        "ServingPanel",
        "FleetPanel",
    }
    found = set()
    for info in pkgutil.iter_modules(suanli.widgets.__path__):
        module = importlib.import_module(f"suanli.widgets.{info.name}")
        found |= {
            n
            for n, obj in vars(module).items()
            if inspect.isclass(obj) and obj.__module__ == module.__name__ and n.endswith("Panel") and n != "Panel"
        }
    assert found == free_input | choices_only, found ^ (free_input | choices_only)


def test_scaling_names_the_precision_of_the_peak_it_uses():
    code, out, _ = run_cli(["scaling", "--chip", "cambricon-mlu290-m5", "--count", "8", "--days", "10"])
    assert code == 0 and "fp16 peak" in out and "bf16 peak" not in out


def test_compat_break_even_that_never_pays_back_is_said_so():
    code, out, _ = run_cli(COMPAT + ["--share", "gemm=1"])
    assert code == 0 and "inf" not in out and "never" in out
    code, out, _ = run_cli(COMPAT + ["--share", "gemm=1", "--json"])
    assert code == 0 and "Infinity" not in out


def test_sweep_with_a_scheduler_that_is_not_an_address_gives_one_sentence(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text('scenario = "fleet"\n[fixed]\njobs = 20\ngpus = 64\n[grid]\npools = [1]\n')
    code = _main(["sweep", str(spec), "--scheduler", "nonsense", "--no-progress"])
    assert "scheduler" in assert_one_sentence(code, capsys.readouterr().err)


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(COMPAT + ["--model", "llama2-7b", "--tokens", "2T"], id="compat"),
        pytest.param(_set(SUBSTITUTE, "--tokens", "300B"), id="substitute"),
        pytest.param(_set(POWER, "--tokens", "1,000"), id="power"),
    ],
)
def test_every_command_reads_token_counts_the_same_way(argv, capsys):
    """``--tokens``/``--params`` take 300B, 2T, 1,000 in every command (one parser, :func:`suanli.commands.flags.amount`)."""
    assert _main(argv + ["--json"]) == 0, capsys.readouterr().err
