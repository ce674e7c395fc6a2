"""Press claims as tests: each check's key number pinned, and the checks shown able to fail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.errors import InputError
from suanli.scenarios import claims as PC

A100_BF16 = 312e12


def test_gpt3_compute_is_3640_pf_days_and_6nd_within_one_percent():
    c = PC.gpt3_compute()
    f = c.figures
    assert f["six_nd_flops"] == pytest.approx(3.14e23, rel=0.01)
    assert f["pf_days_of_table_flops"] == pytest.approx(3640, rel=0.01)
    assert f["pf_days_6nd"] == pytest.approx(3640, rel=0.01)
    assert c.verdict == "holds"


def test_lambda_4_6m_and_355_years_come_from_28_tflops_and_1_50_per_hour():
    c = PC.gpt3_cost_lambda()
    assert c.figures["cost_usd"] == pytest.approx(4.6e6, rel=0.02)
    assert c.figures["gpu_years"] == pytest.approx(355, rel=0.005)
    assert c.figures["share_of_v100_peak"] == pytest.approx(28 / 125)
    assert c.verdict == "holds under assumptions"


def test_lambda_check_fails_with_other_inputs():
    assert PC.gpt3_cost_lambda(sustained_tflops=100.0).verdict == "does not hold"


def test_1_4m_needs_price_over_mfu_of_about_5_dollars_on_a100():
    c = PC.gpt3_cost_1p4m(mfu=0.5)
    f = c.figures
    assert f["price_over_mfu"] == pytest.approx(1.4e6 * 3600 * A100_BF16 / 3.14e23, rel=1e-9)
    assert f["price_over_mfu"] == pytest.approx(5.008, abs=0.001)
    assert f["price_needed_usd_per_gpu_hour"] == pytest.approx(2.504, abs=0.001)
    assert f["mfu_needed_at_price"] == pytest.approx(2.933908 / 5.008, rel=1e-3)
    # at GPT-3's real 21.3% MFU the same price costs far more than $1.4M
    assert f["cost_at_21pct_mfu_usd"] > 3e6


def test_1_4m_with_the_engine_mfu_stays_in_a_plausible_band():
    f = PC.gpt3_cost_1p4m().figures
    assert 0.2 < f["mfu"] < 0.7
    assert 1.0 < f["price_needed_usd_per_gpu_hour"] < 3.5


@settings(max_examples=40, deadline=None)
@given(cost=st.floats(1e4, 1e9), sustained=st.floats(1e12, 5e15))
def test_price_for_cost_inverts_training_cost(cost, sustained):
    price = PC.price_for_cost(cost, sustained)
    assert PC.gpt3_training_cost(price, sustained) == pytest.approx(cost, rel=1e-9)


def test_500b_on_15tb_key_numbers():
    f = PC.large_model_500b(engine_chip=None).figures
    assert f["tokens"] == pytest.approx(3.75e12)
    assert f["flops"] == pytest.approx(1.125e25)
    assert f["days_at_100pct"] == pytest.approx(130.2, abs=0.1)
    assert f["utilisation_for_claimed_years"] == pytest.approx(0.1188, abs=5e-4)
    assert f["sustained_flops_per_card_for_month"] == pytest.approx(434.0e12, rel=1e-3)
    assert f["mfu_needed_nvidia-h100-sxm5-80gb"] == pytest.approx(434.03 / 989.4, rel=1e-3)
    assert f["mfu_needed_nvidia-a100-sxm4-80gb"] > 1  # a month on 10,000 A100s is impossible
    # at 40% MFU, '3 years' needs a token every ~1.2 bytes
    assert f["bytes_per_token_for_years_at_mfu"] == pytest.approx(1.19, abs=0.01)


def test_500b_more_bytes_per_token_means_fewer_tokens_and_less_time():
    lo = PC.large_model_500b(bytes_per_token=3.3, engine_chip=None).figures
    hi = PC.large_model_500b(bytes_per_token=5.0, engine_chip=None).figures
    assert hi["tokens"] < lo["tokens"] and hi["days_at_100pct"] < lo["days_at_100pct"]


def test_500b_engine_check_is_slower_than_the_claimed_month_on_h100():
    f = PC.large_model_500b().figures
    assert f["engine_days"] > 30
    assert 0.05 < f["engine_mfu"] < 0.6


def test_chatgpt_electricity_lands_within_one_percent_of_50k_a_day():
    c = PC.chatgpt_electricity()
    f = c.figures
    assert f["usd_per_day"] == pytest.approx(50_000, rel=0.01)
    assert f["usd_per_day"] == pytest.approx(4000 * 6.5 * 24 * 0.08)
    from suanli.models.power import DEFAULTS

    # measured draw: cards at 0.845 x 400 W (FlagPerf), host at the calibrated share of the 3,300 W headroom
    server_w = 8 * 400 * 0.845 + (6500 - 8 * 400) * DEFAULTS.host_draw_fraction
    assert f["usd_per_day_measured_draw"] == pytest.approx(f["usd_per_day"] * server_w / 6500, rel=1e-3)
    assert f["usd_per_day_measured_draw"] < f["usd_per_day_suanli_defaults"] < f["usd_per_day"]
    assert c.verdict == "holds under assumptions"
    assert PC.chatgpt_electricity(price_usd_per_kwh=0.16).verdict == "does not hold"


def test_gtc2024_power_and_throughput_arithmetic():
    f = PC.gtc2024_blackwell(run_engine=False).figures
    assert f["w_per_hopper"] == pytest.approx(1875)
    assert f["w_per_blackwell_quarter"] == pytest.approx(1875)
    assert f["w_per_blackwell_stated"] == pytest.approx(2000)
    assert f["per_gpu_throughput_ratio"] == pytest.approx(4.0)
    assert f["hopper_sustained_flops"] == pytest.approx(3e25 / (8000 * 90 * 86400))
    assert f["hopper_share_bf16_peak"] == pytest.approx(0.487, abs=0.001)
    assert f["blackwell_share_fp8_peak"] == pytest.approx(0.429, abs=0.001)
    # the claim's 1,875 W per Hopper sits inside the power chain's rated all-in range
    assert f["hopper_rated_all_in_w_pue_1.10"] < 1875 < f["hopper_rated_all_in_w_pue_1.57"]


def test_gtc2024_engine_check_runs_and_is_slower_than_claimed():
    f = PC.gtc2024_blackwell().figures
    assert f["engine_days_hopper"] > 90 and f["engine_days_blackwell"] > 90
    assert 0.05 < f["engine_mfu_hopper"] < 0.6


def test_six_month_doubling_is_4x_a_year():
    f = PC.compute_doubling().figures
    assert f["factor_per_year"] == pytest.approx(4.0)
    assert f["factor_per_decade"] == pytest.approx(2.0**20)


def test_idc_cagr_is_52_3_percent_and_the_check_can_fail():
    c = PC.idc_china_cagr()
    assert c.figures["cagr"] == pytest.approx(0.523, abs=5e-4)
    assert c.verdict == "holds"
    assert PC.idc_china_cagr(claimed_cagr=0.60).verdict == "does not hold"


def test_all_checks_have_sources_verdicts_and_markdown():
    checks = PC.all_checks()
    assert [c.id for c in checks] == list(PC.CHECKS)
    for c in checks:
        assert c.verdict in PC.VERDICTS
        assert c.source.citation and c.assumptions
        text = c.markdown()
        assert c.source.citation in text and c.verdict in text
    assert len(PC.table(checks)) == len(checks)


@pytest.mark.parametrize(
    "call",
    [
        lambda: PC.large_model_500b(bytes_per_token=0, engine_chip=None),
        lambda: PC.idc_china_cagr(end_year=2020),
        lambda: PC.price_for_cost(0, 1e14),
        lambda: PC.gpt3_cost_1p4m(mfu=-0.1),
    ],
)
def test_bad_inputs_raise_input_error(call):
    with pytest.raises(InputError):
        call()


def test_a_check_rejects_an_unknown_verdict():
    with pytest.raises(ValueError):
        PC.Check("x", "t", PC.SOURCES["brown_2020"], "c", "h", {}, ("a",), "maybe", "e")


def test_claims_panel_moves_and_shows_errors_in_place(monkeypatch):
    from suanli.widgets.base import Panel
    from suanli.widgets.press import ClaimsPanel

    monkeypatch.setattr(Panel, "strict", True)
    panel = ClaimsPanel()
    moves = [
        ("mfu", 0.2, ""),
        ("bytes_per_token", 1.2, ""),
        ("chip", "nvidia-a100-sxm4-80gb", ""),
        ("target", 0, "cost_usd must be a positive number"),
        ("target", 1.4, ""),
    ]
    for name, value, message in moves:
        getattr(panel, name).value = value
        assert panel.ok == (not message) and message in panel.error
    assert "impossible" in panel.big_out.value
