"""Run-level goodput: production vs benchmark, each loss its own line, allocated vs productive hours."""

import json
import math

import numpy as np
import pytest

from suanli.cli import main
from suanli.errors import InputError
from suanli.models import defaults as D
from suanli.models import goodput as G
from suanli.scenarios import runlevel
from suanli.scenarios.training import estimate

A100 = "nvidia-a100-sxm4-80gb"
GPT3 = {"tokens": 300e9, "chip": A100, "count": 1024}


# --- the pure models -------------------------------------------------------------------------------


def test_evaluation_overhead_is_megatron_defaults_times_a_forward_pass():
    # Megatron-LM defaults: 100 eval iterations every 1,000; a forward pass is 2N of 6N FLOPs (Kaplan et al. 2020)
    assert G.evaluation_overhead() == pytest.approx(100 / 1000 / 3, rel=1e-12)
    assert G.evaluation_overhead(0.0) == 0.0


def test_rampup_matches_the_closed_form_without_a_pipeline():
    # p = 1, m = 1: time per token at batch fraction f is 1/f of full; over a linear ramp from f0 to 1 the mean
    # extra is ln(1/f0)/(1 - f0) - 1, times ramp/total tokens
    f0 = 32768 / 4e6
    expected = (math.log(1 / f0) / (1 - f0) - 1) * 8e9 / 2e12
    got = G.rampup_overhead(1, 1, 1, 4e6, 2e12, points=20000)
    assert got == pytest.approx(expected, rel=2e-3)


def test_rampup_shrinks_with_more_micro_batches_and_is_capped_by_the_run():
    few = G.rampup_overhead(1, 8, 1, 4e6, 2e12)
    many = G.rampup_overhead(64, 8, 1, 4e6, 2e12)
    assert many < few
    # a run shorter than the ramp is all ramp, never more
    assert G.rampup_overhead(8, 1, 1, 4e6, 1e9) > G.rampup_overhead(8, 1, 1, 4e6, 1e12)


def test_failures_grow_with_fleet_size_and_stack_maturity():
    kw = {
        "checkpoint_s": 20.0,
        "micro_batches": 16,
        "pipeline_stages": 4,
        "interleave": 1,
        "batch_tokens": 4e6,
        "total_tokens": 1e12,
    }
    small = G.run_overheads("production", count=512, **kw)["failures"]
    large = G.run_overheads("production", count=16384, **kw)["failures"]
    assert large > 10 * small
    mature = G.run_overheads("production", count=4096, **kw)
    new = G.run_overheads("production", count=4096, maturity_multiplier=G.STACK_MATURITY["new"].value, **kw)
    assert new["failures"] > mature["failures"] and new["mtbf_s"] < mature["mtbf_s"]
    assert new["rate_per_device_hour"] == pytest.approx(D.FAILURE_RATE_PER_DEVICE_HOUR.value * 1.92, rel=0.01)


def test_maturity_multipliers_follow_their_sources():
    # OPT-175B: ~105 restarts in ~60 days on 992 GPUs; Llama 3: 419 unexpected interruptions in 54 days on 16,384
    early = (105 / (60 * 24 * 992)) / (419 / (54 * 24 * 16384))
    assert G.STACK_MATURITY["early"].value == pytest.approx(early, rel=1e-12)
    assert G.STACK_MATURITY["new"].value == pytest.approx(math.sqrt(early), rel=1e-12)
    assert G.stack_maturity("cuda") == G.stack_maturity("google-xla") == "mature"
    assert G.stack_maturity("huawei-cann") == "new"


def test_benchmark_has_no_run_level_losses_and_vectorises():
    out = G.run_overheads(
        "benchmark",
        count=np.array([8, 1024]),
        checkpoint_s=np.array([5.0, 20.0]),
        micro_batches=8,
        pipeline_stages=2,
        interleave=1,
        batch_tokens=4e6,
        total_tokens=1e12,
    )
    assert all(np.all(out[k] == 0) for k in G.ITEMS)
    assert np.all(out["goodput"] == 1.0) and out["goodput"].shape == (2,)


def test_scale_to_goodput_gives_exactly_the_observed_share():
    items = G.run_overheads(
        "production",
        count=1024,
        checkpoint_s=20.0,
        micro_batches=12,
        pipeline_stages=4,
        interleave=8,
        batch_tokens=3.1e6,
        total_tokens=3e11,
    )
    scaled = G.scale_to_goodput(items, 0.8)
    assert 1 / (1 + sum(scaled[k] for k in G.ITEMS)) == pytest.approx(0.8)
    ratio = scaled["evaluation"] / scaled["stalls"]
    assert ratio == pytest.approx(items["evaluation"] / items["stalls"])


def test_default_run_kind_follows_tokens_per_parameter():
    assert G.default_run_kind(300e9, 175e9) == "production"  # GPT-3, the leanest published run: 1.7 per parameter
    assert G.default_run_kind(1.2e9, 175e9) == "benchmark"  # an MLPerf timed region


# --- the engine ----------------------------------------------------------------------------------


def test_production_shows_each_loss_and_allocated_vs_productive_hours():
    est = estimate("gpt3-175b", **GPT3)
    r = est.run
    assert r["run_kind"] == "production" and "whole run" in r["run_kind_rule"]
    assert [it["item"] for it in r["items"]] == list(G.ITEMS)
    assert all(it["overhead_ratio"] > 0 for it in r["items"])
    assert r["allocated_accelerator_hours"] == pytest.approx(est.accelerator_hours, rel=1e-9)
    assert r["productive_accelerator_hours"] / r["allocated_accelerator_hours"] == pytest.approx(est.goodput, rel=1e-9)
    bench = estimate("gpt3-175b", run_kind="benchmark", **GPT3)
    assert bench.goodput == 1.0 and bench.train_days < est.train_days
    assert bench.step_time_s == pytest.approx(est.step_time_s) and bench.mfu == pytest.approx(est.mfu)


def test_ten_hours_allocated_eight_used():
    # the seed claim "10 hours allocated, 8 used" as an input (goodput 0.8) and as output (allocated vs productive)
    est = estimate("gpt3-175b", goodput=0.8, **GPT3)
    r = est.run
    assert r["productive_accelerator_hours"] / r["allocated_accelerator_hours"] == pytest.approx(0.8)
    assert est.goodput == pytest.approx(0.8)
    bench = estimate("gpt3-175b", run_kind="benchmark", **GPT3)
    assert est.accelerator_hours == pytest.approx(bench.accelerator_hours / 0.8, rel=1e-9)


def test_a_new_stack_is_interrupted_more_often_than_cuda():
    cuda = estimate("gpt3-175b", **GPT3)
    new = estimate("gpt3-175b", stack_maturity="new", **GPT3)
    assert new.run["mtbf_h"] < cuda.run["mtbf_h"]
    assert new.run["items"][0]["overhead_ratio"] > cuda.run["items"][0]["overhead_ratio"]
    ascend = estimate("gpt3-175b", tokens=300e9, chip="huawei-ascend-910b", count=1024)
    assert ascend.run["stack_maturity"] == "new"


def test_evaluate_applies_the_same_run_level_as_estimate():
    from suanli.scenarios.training import evaluate

    est = estimate("gpt3-175b", **GPT3)
    res = evaluate(
        "gpt3-175b",
        A100,
        est.layout,
        tokens=300e9,
        global_batch=est.layout["global_batch"],
        run=est.details["run_settings"],
        framework=est.layout.get("framework"),
    )
    assert float(res["train_days"]) == pytest.approx(est.train_days, rel=1e-9)


def test_explain_lists_every_run_level_line():
    text = str(estimate("gpt3-175b", **GPT3).explain())
    for label in runlevel.LABELS.values():
        assert label in text
    assert "allocated" in text and "productive" in text


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"run_kind": "weekly"}, "run_kind"),
        ({"goodput": 1.5}, "goodput"),
        ({"goodput": 0}, "goodput"),
        ({"goodput": float("nan")}, "goodput"),
        ({"stack_maturity": "ancient"}, "maturity"),
    ],
)
def test_bad_run_level_input_is_one_sentence(kwargs, word):
    with pytest.raises(InputError, match=word):
        estimate("gpt3-175b", **GPT3, **kwargs)


# --- the command line ----------------------------------------------------------------------------


def test_cli_run_kind_and_goodput(capsys):
    base = ["estimate", "--model", "gpt3-175b", "--tokens", "300e9", "--chip", A100, "--count", "1024"]
    assert main(base + ["--goodput", "0.8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["run"]["goodput"] == pytest.approx(0.8)
    assert main(base + ["--run-kind", "benchmark"]) == 0
    text = capsys.readouterr().out
    assert "run kind benchmark" in text and "steady-state steps only" in text
    assert main(base) == 0
    text = capsys.readouterr().out
    assert "evaluation passes" in text and "allocated" in text


@pytest.mark.parametrize(
    "flag, value",
    [
        ("--goodput", "0"),
        ("--goodput", "abc"),
        ("--goodput", "1.2"),
        ("--run-kind", "weekly"),
        ("--stack-maturity", "old"),
    ],
)
def test_cli_bad_run_flags_exit_2_with_one_sentence(capsys, flag, value):
    base = ["estimate", "--model", "gpt3-175b", "--tokens", "300e9", "--chip", A100, "--count", "1024"]
    try:
        code = main(base + [flag, value])
    except SystemExit as exc:  # argparse refuses a choice before the command runs
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()
