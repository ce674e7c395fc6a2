"""Ranges for the engine, energy and cost: degenerate = point, ordered, reproducible; CLI shapes; explain()."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.cli import main
from suanli.errors import InputError
from suanli.models import uncertainty as U
from suanli.scenarios.training import estimate
from suanli.scenarios.uncertainty import (
    ENGINE_OUTPUTS,
    candidate_ranges,
    ranged_energy_and_cost,
    ranged_estimate,
    stack_efficiency_distribution,
    uncertain_estimate,
)

A100 = "nvidia-a100-sxm4-80gb"
ASCEND = "huawei-ascend-910b"
SITE = {"site": "cn-gansu-qingyang"}


@pytest.fixture(scope="module")
def gpt3():
    return estimate("gpt3-175b", tokens=300e9, chip=A100, count=1024)


@pytest.fixture(scope="module")
def llama_ascend():
    return estimate("llama2-70b", tokens=2e12, chip=ASCEND, count=2048)


def _cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "case",
    [
        ("gpt3-175b", 300e9, A100, 1024),
        ("llama2-70b", 2e12, ASCEND, 2048),
        ("mixtral-8x7b", 1e12, "nvidia-h100-sxm5-80gb", 512),
    ],
)
def test_degenerate_ranges_reproduce_the_point_estimate_exactly(case):
    model, tokens, chip, count = case
    res = uncertain_estimate(
        model, tokens=tokens, chip=chip, count=count, spreads=False, samples=50, options=SITE, tornado_outputs=()
    )
    est, summary = res.estimate, res.summary()
    for key in ENGINE_OUTPUTS:
        assert summary[key] == {"p10": getattr(est, key), "p50": getattr(est, key), "p90": getattr(est, key)}, key
    for key in ("energy_mwh", "electricity_cost", "hardware_cost", "total_cost", "co2_t"):
        assert summary[key]["p10"] == summary[key]["p90"] == res.cost[key], key


def test_a_zero_width_caller_range_is_the_point_too(gpt3):
    res = ranged_estimate(
        gpt3, spreads=False, samples=200, ranges={"matmul_efficiency": (0.831, 0.831)}, tornado_outputs=()
    )
    assert np.all(res.samples["train_days"] == gpt3.train_days)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), low=st.floats(0.3, 0.7), width=st.floats(0.0, 0.3))
def test_percentiles_are_ordered(gpt3, seed, low, width):
    res = ranged_estimate(
        gpt3, samples=300, seed=seed, ranges={"matmul_efficiency": (low, low + width)}, tornado_outputs=()
    )
    for name, p in res.summary().items():
        assert p["p10"] <= p["p50"] <= p["p90"], name


def test_seeded_runs_are_reproducible_and_seeds_differ(llama_ascend):
    a = ranged_estimate(llama_ascend, samples=2000, seed=3, options=SITE, tornado_outputs=())
    b = ranged_estimate(llama_ascend, samples=2000, seed=3, options=SITE, tornado_outputs=())
    c = ranged_estimate(llama_ascend, samples=2000, seed=4, options=SITE, tornado_outputs=())
    for key in ("train_days", "total_cost"):
        assert np.array_equal(a.samples[key], b.samples[key])
        assert not np.array_equal(a.samples[key], c.samples[key])


def test_ten_thousand_samples_in_one_vectorised_run(llama_ascend):
    res = ranged_estimate(llama_ascend, samples=10_000, tornado_outputs=())
    days = res.samples["train_days"]
    assert days.shape == (10_000,) and np.isfinite(days).all()
    assert np.unique(days).size > 9_000  # every draw evaluated, not a few repeated


def test_datasheet_only_chip_still_spreads_from_engine_constants(gpt3):
    res = ranged_estimate(gpt3, samples=2000)
    fixed = {k for k, i in res.inputs.items() if not i.uncertain}
    assert {"peak_tflops", "hbm_tbs", "scaleup_gbs", "scaleout_gbps"} <= fixed  # A100 datasheet numbers
    p = res.summary()["train_days"]
    assert p["p90"] / p["p10"] > 1.2
    drivers = [r["input"] for r in res.tornado["train_days"]]
    assert drivers[0] == "stack_efficiency" and "failure_rate_per_device_hour" in drivers
    assert "software_stack" not in drivers  # CUDA is the reference: no stack spread


def test_press_numbers_and_stack_widen_a_domestic_chip(llama_ascend):
    res = ranged_estimate(llama_ascend, samples=2000)
    inputs = res.inputs
    assert inputs["hbm_tbs"].uncertain and inputs["hbm_tbs"].source.confidence == "press"
    assert inputs["scaleout_gbps"].distribution.params == (100.0, 200.0, 200.0)  # the plugin's own range
    assert inputs["software_stack"].uncertain
    lo, _, hi = inputs["software_stack"].distribution.params
    assert lo < inputs["software_stack"].nominal < hi < 1.0


def test_efficiencies_never_drawn_above_one(llama_ascend):
    res = ranged_estimate(llama_ascend, samples=3000, tornado_outputs=())
    drawn = U.sample_inputs({k: i.distribution for k, i in res.inputs.items()}, 3000, seed=0)
    for name in (
        "matmul_efficiency",
        "scaleup_efficiency",
        "scaleout_efficiency",
        "software_stack",
        "stack_efficiency",
    ):
        assert np.max(drawn[name]) <= 1.0, name


def test_stack_efficiency_keeps_its_calibrated_median():
    d = stack_efficiency_distribution(0.69)
    assert d.median == pytest.approx(0.69) and d.ppf(0.1) < 0.6 and d.ppf(0.9) > 0.9
    draws = d.sample(100_000, np.random.default_rng(1))
    assert np.median(draws) == pytest.approx(0.69, rel=0.01)


def test_mfu_is_against_the_published_peak(llama_ascend):
    res = ranged_estimate(
        llama_ascend, samples=10, spreads=False, ranges={"peak_tflops": (250.0, 250.0)}, tornado_outputs=()
    )
    # a lower real peak: slower, and the MFU an observer computes from the published 313 falls with it
    assert res.samples["train_days"][0] > llama_ascend.train_days
    assert res.samples["mfu"][0] < llama_ascend.mfu


def test_tornado_vectorised_equals_one_at_a_time(llama_ascend):
    res = ranged_estimate(llama_ascend, samples=10, options=SITE)
    dists = {k: i.distribution for k, i in res.inputs.items()}
    slow = U.tornado(res.model, dists, "total_cost")
    fast = res.tornado["total_cost"]
    assert [r["input"] for r in slow] == [r["input"] for r in fast]
    for a, b in zip(slow, fast):
        assert a["output_low"] == pytest.approx(b["output_low"]) and a["output_high"] == pytest.approx(b["output_high"])


def test_unknown_input_and_bad_samples_are_sentences(gpt3):
    with pytest.raises(InputError, match="unknown uncertain input 'mfu'"):
        ranged_estimate(gpt3, samples=10, ranges={"mfu": (0.3, 0.5)})
    for bad in (0, -5, 2.5):
        with pytest.raises(InputError, match="samples"):
            ranged_estimate(gpt3, samples=bad)


def test_candidate_ranges_for_substitution(llama_ascend):
    out = candidate_ranges(llama_ascend, samples=500, options=SITE)
    assert set(ENGINE_OUTPUTS) <= set(out) and "total_cost" in out
    assert all(set(p) == {"p10", "p50", "p90"} for p in out.values())


def test_power_ranges_keep_hours_fixed():
    from suanli.catalog import load_catalog

    acc = load_catalog().accelerator(ASCEND)
    res = ranged_energy_and_cost(SITE, acc, 1024, 720.0, samples=2000)
    assert set(res.inputs) == {"tdp_w", "pue", "price_kwh", "chip_price"}
    flat = ranged_energy_and_cost(SITE, acc, 1024, 720.0, samples=50, spreads=False)
    assert flat.summary()["total_cost"]["p50"] == flat.report["total_cost"]
    assert res.tornado["total_cost"][0]["input"] == "chip_price"


def test_cli_estimate_uncertain_json_gives_percentile_objects(capsys):
    code, out, err = _cli(
        capsys,
        "estimate",
        "--model",
        "llama2-70b",
        "--tokens",
        "2T",
        "--chip",
        ASCEND,
        "--count",
        "2048",
        "--site",
        "cn-gansu-qingyang",
        "--uncertain",
        "--samples",
        "2000",
        "--seed",
        "1",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    for key in ("train_days", "accelerator_hours", "mfu", "energy_mwh", "total_cost"):
        assert set(data[key]) == {"p10", "p50", "p90"}, key
        assert data[key]["p10"] <= data[key]["p50"] <= data[key]["p90"]
    assert isinstance(data["point"]["train_days"], float)
    assert data["uncertainty"]["samples"] == 2000 and data["uncertainty"]["tornado"]["train_days"]
    assert {"input", "p10", "p90", "confidence", "citation"} <= set(data["uncertainty"]["inputs"][0])


def test_cli_estimate_uncertain_on_a100_shows_spread(capsys):
    code, out, err = _cli(capsys, "estimate", "--uncertain", "--samples", "1000", "--json")
    assert code == 0, err
    p = json.loads(out)["train_days"]
    assert p["p90"] > 1.1 * p["p10"]
    code, text, _ = _cli(capsys, "estimate", "--uncertain", "--samples", "1000")
    assert code == 0 and "P10-P90" in text and "stack_efficiency" in text


@pytest.mark.parametrize(
    "argv",
    [
        ("estimate", "--uncertain", "--samples", "0"),
        ("estimate", "--uncertain", "--samples", "-4"),
        ("estimate", "--samples", "100"),
        ("power", "--chip", A100, "--count", "8", "--hours", "10", "--uncertain", "--samples", "0"),
        ("compat", "--stack", "rocm", "--uncertain", "--samples", "0"),
        ("compat", "--stack", "rocm", "--samples", "-1"),
    ],
)
def test_cli_bad_samples_are_one_line_errors(capsys, argv):
    code, _, err = _cli(capsys, *argv)
    assert code == 2
    lines = [line for line in err.strip().splitlines() if line.startswith("suanli: error")]
    assert len(lines) == 1 and "Traceback" not in err and "--samples" in lines[0]


def test_cli_power_and_compat_uncertain(capsys):
    code, out, err = _cli(
        capsys,
        "power",
        "--chip",
        ASCEND,
        "--count",
        "1024",
        "--hours",
        "720",
        "--site",
        "cn-gansu-qingyang",
        "--uncertain",
        "--samples",
        "1000",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert set(data["total_cost"]) == {"p10", "p50", "p90"} and data["hours"] == 720.0
    code, out, err = _cli(capsys, "compat", "--stack", "huawei-cann", "--days", "30", "--uncertain", "--json")
    assert code == 0, err
    data = json.loads(out)
    for key in ("slowdown", "extra_chips", "extra_days"):
        p = data[key]
        assert p["p10"] <= p["p50"] <= p["p90"], key
    assert data["extra_days"]["p50"] == pytest.approx(30 * (data["slowdown"]["p50"] - 1))


def test_explain_shows_formulas_inputs_and_layout(llama_ascend):
    ex = llama_ascend.explain()
    assert f"{llama_ascend.step_time_s:.4g} s" in ex  # still the plain-text equations
    names = [f["name"] for f in ex.formulas]
    assert any("MFU" in n for n in names) and any("goodput" in n for n in names)
    mfu = next(f for f in ex.formulas if "MFU" in f["name"])
    assert "\\frac" in mfu["latex"] and mfu["value"] == llama_ascend.mfu
    by_name = {r.name: r for r in ex.inputs}
    assert by_name["hbm_tbs"].source.confidence == "press" and by_name["hbm_tbs"].where == f"{ASCEND}.hbm_tbs"
    assert by_name["software_stack"].range is not None
    assert ex.layout[0].startswith("chosen") and len(ex.layout) == 1 + len(llama_ascend.runners_up)
    assert all("time per token" in line for line in ex.layout[1:])
    md = ex._repr_markdown_()
    assert "$$" in md and "| hbm_tbs |" in md


def test_explain_formulas_reproduce_the_numbers(gpt3, llama_ascend):
    for est in (gpt3, llama_ascend):
        for f in est.explain().formulas:  # the closed form shown, evaluated by sympy, is the engine's number
            assert f["evaluated"] == pytest.approx(f["value"], rel=1e-6), f["name"]


def test_an_accelerator_object_outside_the_catalog_gets_ranges_from_its_own_sources():
    import dataclasses

    from suanli.catalog import load_catalog

    acc = dataclasses.replace(load_catalog().accelerator(ASCEND), id="my-910b-variant")
    res = uncertain_estimate("llama2-70b", tokens=2e12, chip=acc, count=2048, samples=500)
    assert res.inputs["hbm_tbs"].where == "my-910b-variant.hbm_tbs" and res.inputs["hbm_tbs"].uncertain
    # not in the catalog: explain shows the spec the estimate ran, with that spec's own sources
    shown = {r.name: r for r in res.estimate.explain().inputs}
    assert shown["hbm_tbs"].where == "my-910b-variant.hbm_tbs" and shown["hbm_tbs"].value == acc.hbm_tbs


def test_panel_shows_table_tornado_and_spread(llama_ascend):
    from suanli.widgets.base import Panel
    from suanli.widgets.uncertainty import UncertaintyPanel

    Panel.strict = True
    try:
        panel = UncertaintyPanel(ranged_estimate(llama_ascend, samples=1000, options=SITE))
        assert panel.ok and "P90" in panel.table.value and panel.view.png()
        panel.output.value = "mfu"  # a tornado not computed yet: made on demand
        assert panel.ok and "mfu" in panel.result.tornado
    finally:
        Panel.strict = False
