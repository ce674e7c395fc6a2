"""Sweeps (suanli.scenarios.sweep, `suanli sweep`): tidy tables, failing cells, resume, Dask."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from suanli.errors import InputError
from suanli.scenarios import sweep as SW

SPEC = {
    "scenario": "estimate",
    "fixed": {"model": "llama2-7b", "tokens": 1e12},
    "grid": {"chip": ["nvidia-h100-sxm5-80gb", "huawei-ascend-910b", "no-such-chip"], "count": [64, 128]},
}


def test_a_sweep_is_a_tidy_table_and_a_failing_cell_is_recorded():
    table = SW.run_sweep(SPEC, workers=1, progress=False)
    assert len(table) == 6 and list(table["cell"]) == list(range(6))
    bad = table[table["chip"] == "no-such-chip"]
    assert (bad["error"].str.contains("no-such-chip")).all()
    good = table[table["error"] == ""]
    assert len(good) == 4 and (good["train_days"] > 0).all()
    h100 = good.set_index(["chip", "count"])["train_days"]
    assert h100[("nvidia-h100-sxm5-80gb", 64)] > h100[("nvidia-h100-sxm5-80gb", 128)]
    ds = SW.to_xarray(table, SPEC, "train_days")
    assert ds["train_days"].shape == (3, 2)


def test_an_interrupted_sweep_resumes_from_its_partial_results(tmp_path):
    calls = []

    def counted(**inputs):
        calls.append(inputs["x"])
        return {"y": inputs["x"] ** 2}

    SW.register("test-square", counted)
    spec = {"scenario": "test-square", "grid": {"x": [1, 2, 3, 4, 5]}}
    out = tmp_path / "partial.csv"
    first = SW.run_sweep(
        {"scenario": "test-square", "grid": {"x": [1, 2, 3, 4, 5]}}, workers=1, progress=False, results=out, chunk=2
    )
    assert list(first["y"]) == [1, 4, 9, 16, 25]
    # keep only the first chunk, as if the sweep had been stopped there
    pd.read_csv(out).head(2).to_csv(out, index=False)
    calls.clear()
    again = SW.run_sweep(spec, workers=1, progress=False, results=out, chunk=2)
    assert sorted(calls) == [3, 4, 5]
    assert list(again["y"]) == [1, 4, 9, 16, 25]
    SW.SCENARIOS.pop("test-square")


def test_local_process_pool_and_dask_localcluster_give_identical_tables():
    distributed = pytest.importorskip("distributed")
    spec = {
        "scenario": "estimate",
        "fixed": {"model": "llama2-7b", "tokens": 1e12},
        "grid": {
            "chip": ["nvidia-h100-sxm5-80gb", "nvidia-a100-sxm4-80gb", "huawei-ascend-910b"],
            "count": [8 * k for k in range(8, 108)],
        },
    }  # 300 cells
    local = SW.run_sweep(spec, workers=2, progress=False)
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = SW.run_sweep(spec, client=client, progress=False)
        by_address = SW.run_sweep(spec, scheduler=cluster.scheduler_address, progress=False)
    assert len(local) == 300
    pd.testing.assert_frame_equal(local, remote)
    pd.testing.assert_frame_equal(local, by_address)


def test_spec_errors_are_one_sentence(tmp_path):
    with pytest.raises(InputError, match="scenario"):
        SW.run_sweep({"scenario": "nope", "grid": {}}, progress=False)
    with pytest.raises(InputError, match="does not exist"):
        SW.load_spec(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("scenario = [")
    with pytest.raises(InputError, match="cannot read"):
        SW.load_spec(bad)


def test_sweep_cli_json_and_fleet_scenario(tmp_path, capsys):
    from suanli.cli import main

    spec = tmp_path / "s.toml"
    spec.write_text('scenario = "fleet"\n[fixed]\njobs = 200\ngpus = 512\n[grid]\npools = [1, 4]\n')
    assert main(["sweep", str(spec), "--workers", "1", "--no-progress", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["pools"] for r in rows] == [1, 4]
    assert all(r["error"] == "" and r["queue_mean_s"] >= 0 for r in rows)


def test_serving_is_one_registration_away_and_registered():
    assert {"estimate", "power", "substitution", "fleet", "serving"} <= set(SW.SCENARIOS)
    table = SW.run_sweep(
        {
            "scenario": "serving",
            "fixed": {"model": "llama3-8b"},
            "grid": {"chip": ["nvidia-h100-sxm5-80gb", "huawei-ascend-910b"]},
        },
        workers=1,
        progress=False,
    )
    assert (table["error"] == "").all() and (table["tokens_per_s_per_chip"] > 0).all()
