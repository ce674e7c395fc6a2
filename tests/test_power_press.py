"""Press figures as tests: what they imply, and how the model's chain compares.

Each test states the press claim, the arithmetic it implies, and what suanli's power chain gives
for the same fleet with its documented defaults. The chain is never tuned to these figures.
"""

from __future__ import annotations

import pytest

from suanli.models import cost as C
from suanli.models import power as P

DGX_A100_W = 6_500  # NVIDIA DGX A100 rated maximum
DGX_H100_W = 10_200  # NVIDIA DGX H100 rated maximum
DGX_B200_W = 14_300  # NVIDIA DGX B200 (power_cost.md section 1)


def test_4000_dgx_a100_for_a_day_at_8_cents_is_about_50k_usd():
    # Guosheng Securities (2023): ~4,000 DGX A100 servers, ~$50,000/day at $0.08/kWh.
    # Reproduced at rated power, PUE 1 and no network share, the assumptions the claim makes.
    chain = P.fleet_power(
        400,
        4000 * 8,
        8,
        utilization=1.0,
        pue=1.0,
        server_rating_w=DGX_A100_W,
        network_storage_fraction=0.0,
        host_draw_fraction=1.0,
    )
    energy = P.energy_mwh(chain.facility_w, 24)
    assert energy == pytest.approx(624.0)
    assert C.electricity_cost(energy, 0.08) == pytest.approx(49_920)


def test_the_same_fleet_at_measured_draw_costs_about_half_the_rated_claim():
    # Measured draw: cards at 0.845 x TDP (FlagPerf), host at the calibrated share of the rating's headroom
    # (DEFAULTS.host_draw_fraction); then the default network share and hyperscale PUE.
    chain = P.fleet_power(400, 4000 * 8, 8, server_rating_w=DGX_A100_W, pue=1.0, network_storage_fraction=0.0)
    server_w = 8 * 400 * 0.845 + (DGX_A100_W - 8 * 400) * P.DEFAULTS.host_draw_fraction
    at_servers = C.electricity_cost(P.energy_mwh(chain.facility_w, 24), 0.08)
    assert at_servers == pytest.approx(49_920 * server_w / DGX_A100_W, rel=1e-3)
    full = P.fleet_power(400, 4000 * 8, 8, server_rating_w=DGX_A100_W)  # default PUE 1.10, network 0.21
    assert at_servers < C.electricity_cost(P.energy_mwh(full.facility_w, 24), 0.08) < 49_920


def test_8000_hopper_gpus_at_15_mw_is_1875_w_each_all_in():
    # NVIDIA GTC 2024 keynote: 8,000 Hopper GPUs, 15 MW, 90 days for a 1.8T MoE.
    implied = 15e6 / 8000
    assert implied == pytest.approx(1875)
    # The chain at rated power brackets it between a hyperscale PUE (1.10) and the survey average (1.57).
    low = P.all_in_power_per_accelerator_w(700, 8, pue=1.10, server_rating_w=DGX_H100_W)
    high = P.all_in_power_per_accelerator_w(700, 8, pue=1.57, server_rating_w=DGX_H100_W)
    assert low < implied < high
    assert low == pytest.approx(1275 * (145 / 120) * 1.10)


def test_2000_blackwell_gpus_at_a_quarter_of_the_power_is_the_same_1875_w_each():
    # "2,000 Blackwell GPUs ... consuming just four megawatts": a quarter of 15 MW is 3.75 MW.
    quarter = 15e6 / 4 / 2000
    stated = 4e6 / 2000
    assert quarter == pytest.approx(1875)
    assert stated == pytest.approx(2000)
    # A DGX B200 is rated 1.79 kW per GPU before network and cooling, so at any PUE >= 1.10 the
    # chain's rated all-in figure is above the claim: it implies Blackwell running well below rating.
    rated = P.all_in_power_per_accelerator_w(1000, 8, pue=1.10, server_rating_w=DGX_B200_W)
    assert rated > stated > quarter
    assert rated == pytest.approx(1787.5 * (145 / 120) * 1.10)
