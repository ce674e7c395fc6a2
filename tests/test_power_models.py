"""The power, cost and money models: the chain, broadcasting, annuities, currencies, siting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.errors import InputError
from suanli.models import cost as C
from suanli.models import money as M
from suanli.models import power as P

fractions = st.floats(0.0, 1.0)


def test_accelerator_draw_is_tdp_at_full_load_and_idle_fraction_at_none():
    assert P.accelerator_power_w(400, 1.0) == pytest.approx(400)
    assert P.accelerator_power_w(400, 0.0, idle_fraction=0.25) == pytest.approx(100)


def test_default_utilisation_reproduces_the_flagperf_a100_gemm_draw():
    # FlagPerf DGX A100 BF16 GEMM: 338 W average per 400 W card.
    assert P.accelerator_power_w(400) == pytest.approx(338, abs=0.5)


@settings(max_examples=60, deadline=None)
@given(u1=fractions, u2=fractions, idle=st.floats(0.0, 0.9))
def test_draw_never_falls_as_utilisation_rises_and_never_exceeds_tdp(u1, u2, idle):
    lo, hi = sorted((u1, u2))
    p_lo = P.accelerator_power_w(700, lo, idle)
    p_hi = P.accelerator_power_w(700, hi, idle)
    assert p_lo <= p_hi + 1e-9
    assert p_hi <= 700 + 1e-9


def test_server_power_reaches_the_rating_only_at_full_host_draw():
    assert P.server_power_w(400, 8, 1.0, server_rating_w=6500, host_draw_fraction=1.0) == pytest.approx(6500)
    # FlagPerf DGX A100 BF16 GEMM (measured): cards 8 x 338 W, system 3,354 W -> host 650 W of the 3,300 W headroom
    assert P.server_power_w(400, 8, server_rating_w=6500, host_draw_fraction=650 / 3300) == pytest.approx(
        3354, rel=0.005
    )
    # without a rating: the chips' TDP plus the DGX H100 host share (10.2 kW for 8 x 700 W)
    assert P.rated_server_power_w(700, 8) == pytest.approx(10_200)


def test_fleet_chain_adds_up_link_by_link():
    chain = P.fleet_power(
        700,
        64,
        8,
        utilization=1.0,
        pue=1.25,
        server_rating_w=10_200,
        network_storage_fraction=0.1,
        host_draw_fraction=1.0,
    )
    w = chain.as_dict()
    assert w["accelerators_kw"] == pytest.approx(64 * 0.7)
    assert w["accelerators_kw"] + w["host_overhead_kw"] == pytest.approx(8 * 10.2)
    assert w["it_power_kw"] == pytest.approx(8 * 10.2 * 1.1)
    assert w["facility_power_kw"] == pytest.approx(8 * 10.2 * 1.1 * 1.25)
    parts = w["accelerators_kw"] + w["host_overhead_kw"] + w["network_storage_kw"] + w["facility_overhead_kw"]
    assert parts == pytest.approx(w["facility_power_kw"])


def test_the_chain_broadcasts_like_a_loop():
    counts = np.array([8, 64, 1024])
    pues = np.array([1.1, 1.3, 1.5])
    swept = P.fleet_power(400, counts, utilization=0.6, pue=pues, server_rating_w=6500).facility_w
    looped = [
        P.fleet_power(400, c, utilization=0.6, pue=q, server_rating_w=6500).facility_w for c, q in zip(counts, pues)
    ]
    np.testing.assert_allclose(swept, looped)


def test_energy_units():
    assert P.energy_j(1000, 3600) == pytest.approx(3.6e6)
    assert P.energy_mwh(1e6, 1) == pytest.approx(1.0)
    assert P.co2_t(1.0, 500) == pytest.approx(0.5)


def test_gpt3_energy_matches_patterson_table_4():
    # 10,000 V100 x 14.8 days x 330 W measured per accelerator x PUE 1.10 -> 1,287 MWh (Patterson et al. 2021).
    energy = P.energy_mwh(P.facility_power_w(10_000 * 330, 1.10), 14.8 * 24)
    assert energy == pytest.approx(1287, rel=0.01)
    assert P.co2_t(energy, 429) == pytest.approx(552, rel=0.01)


@pytest.mark.parametrize(
    "call",
    [
        lambda: P.energy_mwh(1000, -1),
        lambda: P.facility_power_w(1000, 0.95),
        lambda: P.accelerator_power_w(400, 1.5),
        lambda: P.fleet_power(400, 8, chips_per_server=0),
        lambda: P.co2_t(1.0, "lots"),
        lambda: C.cost_per_million_tokens(1.0, 0),
        lambda: C.capital_recovery_factor(0.1, 0),
        lambda: M.convert(1.0, "USD", "EUR"),
    ],
)
def test_bad_input_is_one_input_error(call):
    with pytest.raises(InputError) as err:
        call()
    assert str(err.value).count(".") <= 2 and "\n" not in str(err.value)


def test_capital_recovery_factor_is_the_annuity_and_straight_line_at_zero_rate():
    r, n = 0.10, 5
    assert C.capital_recovery_factor(r, n) == pytest.approx(r * (1 + r) ** n / ((1 + r) ** n - 1))
    assert C.capital_recovery_factor(0.0, 4) == pytest.approx(0.25)
    np.testing.assert_allclose(C.capital_recovery_factor(np.array([0.0, 1e-9]), 4), [0.25, 0.25], rtol=1e-6)


@settings(max_examples=40, deadline=None)
@given(r=st.floats(0.0, 0.3), n=st.floats(1.0, 10.0))
def test_annuity_repays_at_least_the_capex(r, n):
    # n payments of capex x CRF cover the capex, more so the dearer the capital
    assert C.capital_recovery_factor(r, n) * n >= 1.0 - 1e-9


def test_owned_hardware_cost_over_a_full_life_is_capex_times_crf_times_life():
    capex = C.accelerator_capex(30_000, 8, server_capex_fraction=0.0)
    hours = 5 * 8760
    assert C.owned_hardware_cost(30_000, 8, hours, 0.0, 5, 0.0) == pytest.approx(capex)


def test_rental_and_cost_per_token():
    assert C.rental_cost(2.0, 1000, 24) == pytest.approx(48_000)
    assert C.cost_per_million_tokens(1_000_000, 2e12) == pytest.approx(0.5)
    assert C.electricity_cost(1.0, 0.08) == pytest.approx(80.0)


def test_currency_conversion_is_dated_and_round_trips():
    rate = M.CNY_PER_USD
    assert rate.date and rate.source.url
    assert M.convert(1.0, "usd", "CNY") == pytest.approx(rate.cny_per_usd)
    assert M.convert(M.convert(123.0, "CNY", "USD"), "USD", "CNY") == pytest.approx(123.0)
    other = M.ExchangeRate(7.0, "2024-01-01", rate.source)
    assert M.convert(7.0, "CNY", "USD", other) == pytest.approx(1.0)
    with pytest.raises(InputError):
        M.ExchangeRate(-1.0, "x", rate.source)


def test_cheapest_site_within_latency():
    prices = [0.40, 0.30, 0.55, 0.30]
    latency = [20, math.nan, 3, 15]
    assert P.cheapest_site_within_latency(prices, latency, 25) == 3  # 0.30 at 15 ms; the unknown latency never counts
    assert P.cheapest_site_within_latency(prices, latency, 5, names=list("abcd")) == "c"
    with pytest.raises(InputError, match="no site is within 1 ms"):
        P.cheapest_site_within_latency(prices, latency, 1)


def test_fibre_latency_is_about_one_ms_per_100_km_round_trip():
    assert P.fibre_rtt_ms(100) == pytest.approx(0.98, abs=0.01)


def test_every_default_has_a_source_and_estimates_say_how():
    d = P.DEFAULTS.as_dict()
    for name, entry in d.items():
        assert "source" in entry, name
        if entry["source"]["confidence"] == "estimate":
            assert entry["source"]["note"], name
    for name, (low, high) in P.DEFAULTS.ranges.items():
        assert low <= getattr(P.DEFAULTS, name) <= high, name


def test_inference_fleet_is_sized_to_the_throughput():
    # 8.64e9 tokens a day at 1,000 tokens/s per accelerator needs 100 accelerators around the clock.
    per_day = P.inference_fleet_energy_mwh_per_day(
        8.64e9,
        1000,
        700,
        utilization=1.0,
        pue=1.2,
        server_rating_w=10_200,
        network_storage_fraction=0.0,
        host_draw_fraction=1.0,
    )
    assert per_day == pytest.approx(100 / 8 * 10.2e3 * 1.2 * 24 / 1e6)
    swept = P.inference_fleet_energy_mwh_per_day(np.array([8.64e9, 17.28e9]), 1000, 700, server_rating_w=10_200)
    assert swept[1] == pytest.approx(2 * swept[0])
    with pytest.raises(InputError, match="tokens_per_second_per_accelerator"):
        P.inference_fleet_energy_mwh_per_day(1e9, 0, 700)
