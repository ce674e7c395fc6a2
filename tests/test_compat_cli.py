"""``suanli compat``: the JSON contract, the table, readable errors."""

import json

import pytest
from cli_helpers import run_suanli

from suanli.cli import main


def run_json(capsys, *args):
    code = main(["compat", *args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_json_contract(capsys):
    out = run_json(capsys, "--stack", "huawei-cann", "--chips", "2048", "--days", "30")
    for key in (
        "slowdown",
        "losses",
        "extra_chips",
        "extra_days",
        "extra_cost",
        "porting_break_even",
        "porting_required",
        "dominant",
        "feasible_as_is",
        "chip",
        "sources",
        "assumptions",
    ):
        assert key in out, key
    s = out["slowdown"]
    assert 1.0 < s["best"] <= s["central"] <= s["worst"]
    assert {r["op_class"] for r in out["losses"]} >= {"gemm", "attention", "custom_kernels"}
    assert out["extra_chips"]["central"] == pytest.approx(2048 * (s["central"] - 1))
    assert out["extra_days"]["central"] == pytest.approx(30 * (s["central"] - 1))
    assert out["feasible_as_is"] is False and out["porting_required"][0]["op_class"] == "custom_kernels"
    assert out["chip"] is None or out["chip"].startswith("huawei-")


def test_cuda_is_one_and_overrides_apply(capsys):
    out = run_json(capsys, "--stack", "cuda", "--samples", "20")
    assert all(v == 1.0 for v in out["slowdown"].values())
    worse = run_json(
        capsys,
        "--stack",
        "cuda",
        "--set",
        "attention.fallback=0.5",
        "--set",
        "attention.fallback_efficiency=0.25",
        "--share",
        "attention=0.2",
    )
    assert worse["slowdown"]["central"] == pytest.approx(1 + 0.2 * 0.5 * 3)


def test_table_output(capsys):
    assert main(["compat", "--stack", "metax-mxmaca", "--currency", "CNY"]) == 0
    text = capsys.readouterr().out
    for word in ("slowdown", "extra_chips", "extra_cost", " M CNY", "native days", "porting_break_even", "op_class"):
        assert word in text


@pytest.mark.parametrize(
    "args, words",
    [
        (["--stack", "hygon-dkt"], "did you mean 'hygon-dtk'"),
        (["--stack", "rocm", "--set", "attention=0.3"], "CLASS.KEY=VALUE"),
        (["--stack", "rocm", "--share", "gemm=lots"], "--share gemm"),
        (["--stack", "rocm", "--chips", "-5"], "chips must be a positive number"),
    ],
)
def test_bad_input_is_one_line(capsys, args, words):
    assert main(["compat", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_subprocess_exit_code():
    bad = run_suanli("compat", "--stack", "rocmm")
    assert bad.returncode == 2 and "did you mean" in bad.stderr and "Traceback" not in bad.stderr


def test_engine_breakdown_feeds_the_workload(capsys):
    out = run_json(
        capsys, "--stack", "rocm", "--chip", "amd-mi300x", "--model", "llama3-8b", "--tokens", "1e12", "--chips", "256"
    )
    assert out["workload_source"] == "engine"
    assert sum(out["op_shares"].values()) == pytest.approx(1.0)
    s = out["slowdown"]["central"]
    assert out["extra_days"]["central"] == pytest.approx(out["days"] * (s - 1))
    native = run_json(
        capsys, "--stack", "cuda", "--chip", "nvidia-h100-sxm5-80gb", "--model", "llama3-8b", "--tokens", "1e12"
    )
    assert native["slowdown"]["central"] == 1.0 and native["extra_days"]["central"] == 0.0


def test_tokens_need_a_model(capsys):
    assert main(["compat", "--stack", "rocm", "--tokens", "1e12"]) == 2
    assert "--tokens needs --model or --params" in capsys.readouterr().err
