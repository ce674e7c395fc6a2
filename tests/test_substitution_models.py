"""The pure substitution models: chips-needed solves, racks, feasibility, Pareto fronts, two pools."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.errors import InputError
from suanli.models import substitution as S

# -- chips needed -------------------------------------------------------------------------------


def test_first_count_meeting_picks_the_first_grid_point_and_vectorises():
    counts = [8, 16, 32, 64]
    seconds = [100.0, 50.0, 30.0, np.inf]
    out = S.first_count_meeting(counts, seconds, [60.0, 40.0, 10.0, 100.0])
    assert out[0] == 16 and out[1] == 32 and math.isnan(out[2]) and out[3] == 8


def test_first_count_meeting_takes_the_smallest_even_when_the_curve_is_not_monotone():
    # 24 is faster than 32 (a better factorisation): the answer is the first size that meets the target
    assert S.first_count_meeting([16, 24, 32], [50.0, 20.0, 30.0], 25.0) == 24


def test_first_count_meeting_rejects_bad_targets_and_shapes():
    with pytest.raises(InputError, match="target_seconds"):
        S.first_count_meeting([1, 2], [2.0, 1.0], 0)
    with pytest.raises(InputError, match="one entry per grid point"):
        S.first_count_meeting([1, 2], [2.0], 1.0)


@settings(max_examples=60, deadline=None)
@given(a=st.floats(1e2, 1e7), b=st.floats(0.0, 50.0), granule=st.sampled_from([1, 4, 8]), frac=st.floats(0.05, 0.95))
def test_bisect_count_finds_the_fewest_whole_granules(a, b, granule, frac):
    def seconds(n):
        return a / n + b

    low, high = granule, 4096 * granule
    target = seconds(high) + frac * (seconds(low) - seconds(high))
    n = S.bisect_count(seconds, target, low, high, granule)
    assert n % granule == 0 and low < n <= high
    assert seconds(n) <= target
    assert n - granule <= low or seconds(n - granule) > target


def test_bisect_count_rejects_an_empty_bracket():
    with pytest.raises(InputError):
        S.bisect_count(lambda n: 1.0, 1.0, 16, 16, 8)
    with pytest.raises(InputError, match="granule"):
        S.bisect_count(lambda n: 1.0, 1.0, 1, 16, 0)


def test_interpolate_seconds_is_exact_on_the_grid_and_for_a_power_law():
    counts = np.array([8.0, 16.0, 32.0, 64.0])
    seconds = 1000.0 / counts**0.8
    q = np.array([8.0, 11.0, 24.0, 64.0])
    np.testing.assert_allclose(S.interpolate_seconds(counts, seconds, q), 1000.0 / q**0.8, rtol=1e-12)
    outside = S.interpolate_seconds(counts, seconds, [4.0, 128.0])
    assert np.isnan(outside).all()


def test_interpolate_seconds_does_not_bridge_a_size_that_does_not_fit():
    out = S.interpolate_seconds([8, 16, 32], [np.inf, 50.0, 25.0], [8.0, 12.0, 16.0, 20.0])
    assert out[0] == np.inf and out[1] == np.inf and out[2] == 50.0 and 25.0 < out[3] < 50.0


@settings(max_examples=40, deadline=None)
@given(a=st.floats(1e3, 1e8), p=st.floats(0.3, 1.0), t=st.floats(0.0, 1.0))
def test_interpolate_count_inverts_a_power_law(a, p, t):
    counts = 8.0 * 2.0 ** np.arange(12)
    seconds = a / counts**p
    target = float(np.exp(np.log(seconds[-1]) + t * (np.log(seconds[0]) - np.log(seconds[-1]))))
    n = S.interpolate_count(counts, seconds, target)
    assert n == pytest.approx((a / target) ** (1.0 / p), rel=1e-6)


def test_interpolate_count_uses_the_records_and_says_when_nothing_is_fast_enough():
    counts = [8, 16, 24, 32]
    seconds = [100.0, 40.0, 60.0, 30.0]  # 24 is slower than 16: not a record
    assert S.interpolate_count(counts, seconds, 40.0) == pytest.approx(16.0)
    assert math.isnan(S.interpolate_count(counts, seconds, 10.0))
    assert S.interpolate_count(counts, seconds, 500.0) == pytest.approx(8.0)


# -- racks and floor ----------------------------------------------------------------------------


def test_rack_layout_of_ten_thousand_h100():
    r = S.rack_layout(10_000, 8, 10_200)
    assert (r["servers"], r["servers_per_rack"], r["compute_racks"]) == (1250, 4, 313)
    assert r["racks"] == 313 + math.ceil(313 * S.SUPPORT_RACK_FRACTION.value)
    assert r["floor_m2"] == pytest.approx(r["racks"] * S.FLOOR_M2_PER_RACK.value)


def test_rack_layout_is_power_limited_in_a_legacy_hall_and_flags_an_oversized_server():
    legacy = S.rack_layout(10_000, 8, 10_200, rack_power_kw=15)
    assert legacy["servers_per_rack"] == 1 and legacy["power_limited"]
    big = S.rack_layout(72, 72, 120_000)
    assert big["servers_per_rack"] == 1 and big["over_budget"] and big["compute_racks"] == 1


def test_rack_layout_vectorises_and_space_caps_small_servers():
    r = S.rack_layout(np.array([0, 8, 1000]), 8, 1_500)
    np.testing.assert_array_equal(r["servers_per_rack"], [4, 4, 4])  # 32 chips per rack, not 27 servers
    np.testing.assert_array_equal(r["compute_racks"], [0, 1, 32])


@pytest.mark.parametrize(
    "kwargs", [{"chips": -1}, {"chips_per_server": 0}, {"server_power_w": 0}, {"rack_power_kw": -5}]
)
def test_rack_layout_rejects_bad_inputs(kwargs):
    args = {"chips": 10, "chips_per_server": 8, "server_power_w": 5000}
    extra = {k: v for k, v in kwargs.items() if k not in args}
    args.update({k: v for k, v in kwargs.items() if k in args})
    with pytest.raises(InputError):
        S.rack_layout(args["chips"], args["chips_per_server"], args["server_power_w"], **extra)


# -- feasibility --------------------------------------------------------------------------------


def test_fat_tree_sizes():
    assert S.fat_tree_max_endpoints(64, 2) == 2048
    assert S.fat_tree_max_endpoints() == 65_536


def test_supply_available_over_a_window():
    assert S.supply_available(300_000, 365) == pytest.approx(300_000)
    assert S.supply_available(300_000, 73, share=0.5, yield_fraction=0.4) == pytest.approx(12_000)
    with pytest.raises(InputError, match="share"):
        S.supply_available(1000, 30, share=1.5)
    with pytest.raises(InputError, match="window_days"):
        S.supply_available(1000, 0)


def test_export_rules_apply_to_foreign_designs_only():
    controlled = {
        "oct2023": {"eccn": "3A090.a", "reason": "TPP >= 4800"},
        "oct2022": {"eccn": "not controlled", "reason": "x"},
    }
    reason = S.export_blocked(controlled, "nvidia-h800-sxm5-80gb", "oct2023")
    assert "October 2023" in reason and "3A090.a" in reason
    assert S.export_blocked(controlled, "nvidia-h800-sxm5-80gb", "oct2022") is None
    assert S.export_blocked(controlled, "huawei-ascend-910b", "oct2023") is None
    assert S.export_blocked(controlled, "nvidia-h800-sxm5-80gb", "none") is None
    with pytest.raises(InputError, match="export rule"):
        S.export_blocked(controlled, "nvidia-h100", "2019")


def test_feasibility_lists_every_blocking_reason():
    ok, reasons = S.feasibility(
        chips_needed=100_000,
        deadline_days=30,
        supply_units=50_000,
        supply_window_days=30,
        max_fabric_chips=65_536,
        export_reason="export-controlled",
        needs_porting=("custom_kernels",),
    )
    assert not ok
    text = " | ".join(reasons)
    assert "fabric" in text and "supply" in text and "export-controlled" in text and "ported" in text
    ok, reasons = S.feasibility(
        chips_needed=1024,
        deadline_days=30,
        supply_units=5000,
        max_fabric_chips=65_536,
        needs_porting=("custom_kernels",),
        unknowns=("no price",),
    )
    assert ok and reasons == [
        "code must be ported before the run (custom_kernels unsupported on the stack)",
        "no price",
    ]
    ok, reasons = S.feasibility(chips_needed=None, deadline_days=2, best_days=3.1)
    assert not ok and "3.1 days" in reasons[0]
    ok, reasons = S.feasibility(chips_needed=None, deadline_days=2, fits_memory=False)
    assert not ok and reasons == ["the model does not fit in the chip's memory in any parallel layout"]


def test_equal_cost_count():
    assert S.equal_cost_count(1_000_000, 30_000) == 33
    assert S.equal_cost_count(1_000_000, 30_000, 8) == 32
    with pytest.raises(InputError):
        S.equal_cost_count(1_000, 0)


# -- Pareto front -------------------------------------------------------------------------------


def test_pareto_mask_basic_and_nan():
    x = np.array([[1, 2, 3], [2, 1, 3], [2, 2, 3], [np.nan, 0, 0], [1, 2, 3]], dtype=float)
    np.testing.assert_array_equal(S.pareto_mask(x), [True, True, False, False, True])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.lists(st.tuples(*[st.integers(0, 6)] * 3), min_size=n, max_size=n)))
def test_pareto_front_is_exactly_the_non_dominated_set(points):
    x = np.array(points, dtype=float)
    mask = S.pareto_mask(x)

    def dominates(a, b):
        return np.all(a <= b) and np.any(a < b)

    for i in range(len(x)):
        dominated = any(dominates(x[j], x[i]) for j in range(len(x)))
        assert mask[i] == (not dominated)
    assert mask.any()


# -- two pools ----------------------------------------------------------------------------------


def test_two_pools_balance_the_batch_and_add_throughput_with_a_free_link():
    r = S.two_pool_step(1e6, 5e5, 3e6, 0.0, 1e12, 0.0)
    assert r["share_a"] == pytest.approx(2 / 3) and r["share_a"] + r["share_b"] == pytest.approx(1.0)
    assert r["tokens_per_s"] == pytest.approx(1.5e6)
    assert r["speedup_vs_a"] == pytest.approx(1.5) and r["speedup_vs_b"] == pytest.approx(3.0)


def test_at_the_break_even_bandwidth_the_mix_only_matches_the_faster_pool():
    base = S.two_pool_step(1e6, 5e5, 3e6, 700e9, 1e12, 5e-3)
    even = S.two_pool_step(1e6, 5e5, 3e6, 700e9, base["break_even_bytes_per_s"], 5e-3)
    assert even["step_s"] == pytest.approx(even["alone_a_step_s"], rel=1e-9)
    slower = S.two_pool_step(1e6, 5e5, 3e6, 700e9, base["break_even_bytes_per_s"] / 2, 5e-3)
    assert slower["speedup_vs_a"] < 1


def test_overlap_hides_the_exchange_and_inputs_are_checked():
    hidden = S.two_pool_step(1e6, 1e6, 2e6, 1e12, 1e11, 0.0, overlap=1.0)
    assert hidden["exposed_exchange_s"] == 0 and hidden["exchange_s"] == pytest.approx(10.0)
    with pytest.raises(InputError, match="overlap"):
        S.two_pool_step(1e6, 1e6, 2e6, 1e9, 1e9, overlap=1.5)
    with pytest.raises(InputError, match="tokens_per_s_b"):
        S.two_pool_step(1e6, 0, 2e6, 1e9, 1e9)


def test_every_constant_has_a_source_and_estimates_say_how():
    for name in (
        "RACK_POWER_KW",
        "MAX_CHIPS_PER_RACK",
        "SUPPORT_RACK_FRACTION",
        "FLOOR_M2_PER_RACK",
        "SWITCH_RADIX",
        "FABRIC_TIERS",
        "SUPPLY_SHARE",
        "YIELD_FRACTION",
        "CROSS_POOL_OVERLAP",
    ):
        d = getattr(S, name)
        assert d.source.citation
        if d.source.confidence == "estimate":
            assert d.source.note


def test_bisect_sizes_searches_an_explicit_list():
    calls = []

    def seconds(n):
        calls.append(n)
        return 1000.0 / n

    sizes = [8, 12, 16, 24, 32, 48, 64]
    assert S.bisect_sizes(seconds, 30.0, sizes) == 48  # 1000/32 = 31.25 misses, 1000/48 meets
    assert len(calls) <= 3
    with pytest.raises(InputError):
        S.bisect_sizes(seconds, 30.0, [])
