"""`suanli estimate` and `suanli backtest` from the command line, and the backtest's accuracy targets."""

import json

import numpy as np
import pytest

from suanli.cli import main
from suanli.scenarios import backtest

A100 = "nvidia-a100-sxm4-80gb"


def _catalog_has(chip_id):
    try:
        import suanli

        return chip_id in suanli.load_catalog().accelerators
    except Exception:  # noqa: BLE001 - any catalog failure means: skip
        return False


needs_a100 = pytest.mark.skipif(not _catalog_has(A100), reason="the NVIDIA plugin's chips are not in this checkout")


@needs_a100
def test_estimate_json(capsys):
    assert (
        main(["estimate", "--model", "gpt3-175b", "--tokens", "300e9", "--chip", A100, "--count", "1024", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    for key in (
        "step_time_s",
        "tokens_per_s",
        "mfu",
        "hfu",
        "train_days",
        "accelerator_hours",
        "goodput",
        "memory_gb_per_device",
        "layout",
        "breakdown",
    ):
        assert key in out
    assert set(out["layout"]) >= {"tp", "pp", "dp", "ep", "micro_batch", "global_batch", "recompute"}


@needs_a100
def test_estimate_table_and_fixed_flags(capsys):
    assert (
        main(
            [
                "estimate",
                "--params",
                "7B",
                "--tokens",
                "1T",
                "--chip",
                A100,
                "--count",
                "64",
                "--tp",
                "2",
                "--recompute",
                "selective",
                "--micro-batch",
                "1",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "train_days" in text and "TP2" in text and "breakdown" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--chip", "nvidia-a100-sxm4-80gbx"], "unknown accelerator"),
        (["--tp", "16"], "scale-up domain"),
        (["--pp", "5"], "does not divide"),
        (["--count", "8"], "nothing fits"),
    ],
)
@needs_a100
def test_estimate_errors_are_one_sentence(capsys, argv, message):
    base = {"--model": "gpt3-175b", "--tokens": "300e9", "--chip": A100, "--count": "1024"}
    for flag, value in zip(argv[::2], argv[1::2]):
        base[flag] = value
    args = ["estimate"] + [x for kv in base.items() for x in kv]
    assert main(args) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_bundled_runs_have_sources_and_quotes():
    rows = backtest.load_runs()
    assert len(rows) >= 20
    for r in rows:
        assert r["source"] and r["quote"], r["id"]
        assert r["metric"] in backtest.TIME_METRICS + backtest.RATE_METRICS
        assert r["reported"] > 0 and r["tokens"] > 0 and r["count"] > 0
    assert len({r["id"] for r in rows}) == len(rows)


@needs_a100
def test_throughput_per_device_is_a_rate_metric():
    # LLaMA (Touvron et al. 2023, Sec 2.4): "380 tokens/sec/GPU on 2048 A100 GPU"; a faster prediction is a
    # negative time error, as for utilisations, and the value is the engine's tokens/s over the device count
    row = next(r for r in backtest.load_runs() if r["metric"] == "tokens_per_s_per_device")
    est, value = backtest.predict(row)
    assert value == pytest.approx(est.tokens_per_s / row["count"], rel=1e-12)
    assert backtest.time_error("tokens_per_s_per_device", 2.0 * row["reported"], row["reported"]) == pytest.approx(-0.5)
    assert backtest.time_error("iteration_time_s", 2.0, 1.0) == pytest.approx(1.0)


@needs_a100
def test_backtest_meets_the_accuracy_targets():
    res = backtest.run()
    # the median bar on the reviewed rows; rows pending review are reported (grouped by ``review``) but not yet
    # part of the engine's target
    reviewed = [r for r in res.rows if r["review"] != "pending"]
    assert len(reviewed) >= 30
    assert np.median(np.abs([r["error"] for r in reviewed])) <= 0.15
    # every row, pending or not, within 2x except the documented misses (which stay in every statistic)
    outside = {r["id"] for r in res.rows if not 0.5 <= 1 + r["error"] <= 2.0}
    assert outside <= set(backtest.KNOWN_MISSES), outside - set(backtest.KNOWN_MISSES)


@needs_a100
def test_whole_runs_with_and_without_hints():
    # the bars, here on the visible rows: <= 30% median with no hints, <= 15% with run kind and framework
    for hints, bar in ((True, 0.15), (False, 0.30)):
        whole = [r for r in backtest.run(hints=hints).rows if r["whole_run"] and r["review"] != "pending"]
        assert len(whole) >= 20
        assert np.median(np.abs([r["error"] for r in whole])) <= bar, hints


@needs_a100
def test_rows_carry_run_kind_framework_and_split():
    rows = backtest.load_runs()
    assert {r["run_kind"] for r in rows} == {"production", "benchmark"}
    assert all(r["framework"] and r["year"] for r in rows)
    assert {r["split"] for r in rows} == {"fit", "test"}
    res = backtest.run(leave_one_out=True)
    assert {"Ampere", "Hopper"} <= set(res.by("generation"))
    assert set(res.by("run_kind")) == {"production", "benchmark"}
    assert res.loo["loo_median_abs_error"] > 0


@needs_a100
def test_run_efficiency_in_use_is_the_one_the_fit_split_gives():
    # a stale residual fails here: re-run `python -m suanli.calibrate` and update defaults.RUN_EFFICIENCY
    from suanli.models import defaults as D

    cal = backtest.calibrate()
    assert cal["run_efficiency"] == pytest.approx(D.RUN_EFFICIENCY.value, abs=0.02)
    assert len(cal["fit_ids"]) >= 8 and cal["test_rows"] >= 5


@needs_a100
def test_backtest_cli(capsys):
    assert main(["backtest", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["rows"] == len(out["rows"])
    # rows pending review are in the output and in every statistic, with their own group
    pending = {r["id"] for r in backtest.load_runs() if r["review"] == "pending"}
    assert pending <= {r["id"] for r in out["rows"]} | {r["id"] for r in out["skipped"]}
    assert ("pending" in out["groups"]["review"]) == any(r["whole_run"] for r in out["rows"] if r["id"] in pending)
    # the steady-state rows (MFU, HFU, tokens/s, iteration time) get their own table by chip generation
    steady = [r for r in out["rows"] if not r["whole_run"]]
    assert sum(g["rows"] for g in out["steady_state_by_generation"].values()) == len(steady)
    assert all("error" in r and "source" in r for r in out["rows"])
