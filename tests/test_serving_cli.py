"""``suanli serve`` and the serving scenario: dense and MoE on NVIDIA, AMD and Chinese chips, demand sizing,
substitution for serving, the bundled serving evidence and ``suanli backtest --serving``."""

from __future__ import annotations

import json
import math

import pytest

from suanli.cli import main
from suanli.errors import InputError
from suanli.scenarios import serving as SV
from suanli.scenarios.serving_backtest import load_rows, run

JSON_KEYS = {
    "tokens_per_s_per_chip",
    "ttft_ms",
    "tpot_ms",
    "batch",
    "chips_needed",
    "facility_kw",
    "energy_kwh_per_million_tokens",
    "cost_per_million_tokens",
}

CHIPS = [
    "nvidia-h100-sxm5-80gb",
    "nvidia-h20",
    "amd-mi300x",
    "huawei-ascend-910b",
    "huawei-ascend-910c",
    "cambricon-mlu590",
    "metax-c500",
    "hygon-dcu-k100-ai",
]


@pytest.fixture(scope="module")
def catalog():
    from suanli.catalog import load_catalog

    return load_catalog()


def _serve(argv, capsys):
    code = main(["serve", *argv, "--json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


@pytest.mark.parametrize("chip", CHIPS)
@pytest.mark.parametrize("model", ["llama3-70b", "deepseek-v3"])
def test_serve_dense_and_moe_on_many_vendors(model, chip, capsys):
    d = _serve(["--model", model, "--chip", chip, "--tpot-ms", "200", "--demand-tokens-per-day", "1e9"], capsys)
    assert JSON_KEYS <= set(d)
    for key in JSON_KEYS - {"batch"}:
        assert isinstance(d[key], (int, float)) and math.isfinite(d[key]) and d[key] > 0, (key, d[key])
    assert d["tpot_ms"] <= 200
    assert d["chips_needed"] >= d["count"] and d["chips_needed"] % d["count"] == 0
    assert 0 < d["utilization"] <= 1


def test_no_demand_is_one_replica(capsys):
    d = _serve(["--model", "llama3-8b", "--chip", "nvidia-h100-sxm5-80gb"], capsys)
    assert d["chips_needed"] == d["count"] and d["replicas"] == 1 and d["utilization"] == 1.0
    assert d["batch"] == d["max_batch"]  # no target: the largest batch that fits


def test_demand_scales_the_fleet(catalog):
    a = SV.serve(
        "llama3-70b", "nvidia-h100-sxm5-80gb", precision="fp8", tpot_ms=50, demand_tokens_per_day=1e10, catalog=catalog
    )
    b = SV.serve(
        "llama3-70b", "nvidia-h100-sxm5-80gb", precision="fp8", tpot_ms=50, demand_tokens_per_day=2e10, catalog=catalog
    )
    assert b.chips_needed == pytest.approx(2 * a.chips_needed, rel=0.02)
    assert b.facility_kw == pytest.approx(2 * a.facility_kw, rel=0.03)
    qps = SV.serve(
        "llama3-70b", "nvidia-h100-sxm5-80gb", precision="fp8", tpot_ms=50, qps=1e10 / 86_400 / 200, catalog=catalog
    )
    assert qps.chips_needed == a.chips_needed


def test_tighter_latency_means_smaller_batch(catalog):
    loose = SV.serve("llama3-70b", "nvidia-h100-sxm5-80gb", count=8, tpot_ms=100, catalog=catalog)
    tight = SV.serve("llama3-70b", "nvidia-h100-sxm5-80gb", count=8, tpot_ms=20, catalog=catalog)
    assert tight.batch < loose.batch and tight.tpot_ms <= 20
    assert tight.tokens_per_s_per_chip < loose.tokens_per_s_per_chip


def test_infeasible_latency_names_the_binding_limit(catalog):
    with pytest.raises(InputError, match="memory bandwidth binds"):
        SV.serve("llama3-70b", "nvidia-h20", tpot_ms=2, catalog=catalog)
    with pytest.raises(InputError, match="TTFT .*compute binds"):
        SV.serve("llama3-70b", "nvidia-h20", ttft_ms=1, catalog=catalog)


def test_site_changes_the_electricity_not_the_throughput(catalog):
    site = next(iter(catalog.sites))
    a = SV.serve("llama3-8b", "nvidia-h100-sxm5-80gb", catalog=catalog)
    b = SV.serve("llama3-8b", "nvidia-h100-sxm5-80gb", site=site, catalog=catalog)
    assert a.tokens_per_s_per_chip == b.tokens_per_s_per_chip
    assert b.site == site and b.pue == catalog.site(site).pue_typical


def test_compare_whole_catalog_side_by_side(catalog):
    rows = SV.compare("llama3-70b", catalog=catalog, tpot_ms=50, demand_tokens_per_day=1e10)
    assert len(rows) == len(catalog.accelerators)
    ok = [r for r in rows if r["error"] is None]
    assert len(ok) > 20
    costs = [r["cost_per_million_tokens"] for r in ok if r["cost_per_million_tokens"] is not None]
    assert costs == sorted(costs)
    assert all(isinstance(r["error"], str) and r["error"] for r in rows if r["error"] is not None)


def test_replace_h100_for_serving(capsys):
    code = main(
        [
            "serve",
            "--model",
            "llama3-70b",
            "--reference",
            "nvidia-h100-sxm5-80gb:1000",
            "--candidates",
            "huawei-ascend-910b,nvidia-h20",
            "--tpot-ms",
            "50",
            "--json",
        ]
    )
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert code == 0 and rows[0]["role"] == "reference" and rows[0]["chips_needed"] == 1000
    for r in rows[1:]:
        assert r["error"] is None and r["chips_needed"] > 1000 and r["tpot_ms"] <= 50


def test_serve_all_prints_a_table(capsys):
    assert main(["serve", "--model", "qwen3-235b-a22b", "--chip", "all", "--precision", "fp8"]) == 0
    out = capsys.readouterr().out
    assert "nvidia-h100-sxm5-80gb" in out and "cost_per_million_tokens" in out


def test_bundled_rows_have_sources():
    rows = load_rows()
    assert len(rows) >= 40
    for r in rows:
        assert r["source"] and r["url"].startswith("http") and r["date"] and r["confidence"], r["id"]
        assert r["metric"] in ("tokens_per_s_per_chip", "tpot_ms", "ttft_ms") and r["reported"] > 0


def test_backtest_serving_meets_the_acceptance_bar(capsys):
    res = run()
    s = res.summary()
    assert all(math.isfinite(r["predicted"]) and r["predicted"] > 0 for r in res.rows)
    assert s["tokens_per_s_per_chip_median_abs_error"] <= 0.25
    assert s["tpot_ms_median_abs_error"] <= 0.25
    assert main(["backtest", "--serving", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["tokens_per_s_per_chip_rows"] == s["tokens_per_s_per_chip_rows"]
