"""Export-control metrics (ECCN 3A090): thresholds, vectorisation, and the bundled chips' outcomes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.datafile import DataPlugin
from suanli.errors import InputError
from suanli.models.export import (
    Classification,
    accelerator_tpp,
    case_by_case_2026,
    classify_accelerator,
    classify_oct2022,
    classify_oct2023,
    performance_density,
    total_processing_performance,
)


@pytest.fixture(scope="module")
def chips():
    return {
        a.id: a
        for p in ("suanli_nvidia", "suanli_amd", "suanli_google", "suanli_intel")
        for a in DataPlugin(p).specs()["accelerator"]
    }


# --- metrics -------------------------------------------------------------------------------------


def test_tpp_is_tops_times_bits_and_bis_example_sits_on_the_threshold():
    # BIS: 4800 is met by 600 TOPS at 8 bits or 300 TFLOPS at 16 bits.
    assert total_processing_performance(600, 8) == 4800
    assert total_processing_performance(300, 16) == 4800


def test_tpp_takes_the_best_format_and_skips_missing_ones():
    peaks = np.array([[156, 312, 624], [np.nan, 125, np.nan], [np.nan, np.nan, np.nan]])
    bits = np.array([32, 16, 8])
    tpp = total_processing_performance(peaks, bits, axis=-1)
    assert tpp[0] == 4992 and tpp[1] == 2000 and np.isnan(tpp[2])


def test_performance_density_and_unknown_area():
    assert performance_density(4992, 826) == pytest.approx(6.04, abs=0.01)
    assert np.isnan(performance_density(4992, np.nan))


@pytest.mark.parametrize("bad", [{"tops": -1, "bit_length": 8}, {"tops": 1, "bit_length": np.inf}])
def test_impossible_tpp_inputs_are_input_errors(bad):
    with pytest.raises(InputError):
        total_processing_performance(**bad)


def test_zero_die_area_is_an_input_error():
    with pytest.raises(InputError, match="die_area_mm2"):
        performance_density(1000, 0)


# --- thresholds --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tpp, io, eccn",
    [
        (4800, 600, "3A090.a"),
        (4799.9, 900, "not controlled"),
        (4992, 599.9, "not controlled"),
        (4992, np.nan, "undetermined"),
        (np.nan, 900, "undetermined"),
        (1000, np.nan, "not controlled"),
    ],
)
def test_oct2022_needs_both_tpp_and_io(tpp, io, eccn):
    assert classify_oct2022(tpp, io).eccn == eccn


@pytest.mark.parametrize(
    "tpp, pd, eccn",
    [
        (4800, 0.5, "3A090.a"),  # a.1 regardless of density
        (1600, 5.92, "3A090.a"),  # a.2 at its corner
        (1599.9, 50, "not controlled"),  # below the TPP floor nothing applies
        (2400, 1.6, "3A090.b"),  # b.1 at its corner
        (2399.9, 3.1, "not controlled"),  # H20-like: just under both .b tests
        (1600, 3.2, "3A090.b"),  # b.2 at its corner
        (1913.6, 3.14, "not controlled"),  # L20
        (3000, 1.59, "not controlled"),
        (3000, np.nan, "undetermined"),
        (np.nan, 4, "undetermined"),
    ],
)
def test_oct2023_datacenter_tiers(tpp, pd, eccn):
    assert classify_oct2023(tpp, pd, datacenter=True).eccn == eccn


def test_oct2023_note2_frees_small_non_datacenter_parts():
    assert classify_oct2023(4799, 10.0, datacenter=False).eccn == "not controlled"
    assert "Note 2" in classify_oct2023(4799, 10.0, datacenter=False).reason
    assert classify_oct2023(4800, 1.0, datacenter=False).eccn == "3A090.a"


def test_case_by_case_2026_bounds():
    assert case_by_case_2026(15831.2, 4800)  # H200
    assert not case_by_case_2026(36000, 7700)  # B200
    assert not case_by_case_2026(np.nan, 4000)


# --- vectorisation -----------------------------------------------------------------------------

finite = st.floats(min_value=0, max_value=50_000, allow_nan=False)
density = st.one_of(st.floats(min_value=0, max_value=50, allow_nan=False), st.just(float("nan")))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, density, st.booleans()), min_size=1, max_size=20))
def test_oct2023_arrays_match_scalar_calls(rows):
    tpp, pd, dc = (np.array(col) for col in zip(*rows))
    batch = classify_oct2023(tpp, pd, dc)
    assert isinstance(batch, Classification) and batch.eccn.shape == tpp.shape
    for i, row in enumerate(rows):
        single = classify_oct2023(*row)
        assert (batch.eccn[i], batch.reason[i]) == (single.eccn, single.reason)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, st.one_of(finite, st.just(float("nan")))), min_size=1, max_size=20))
def test_oct2022_arrays_match_scalar_calls(rows):
    tpp, io = (np.array(col) for col in zip(*rows))
    batch = classify_oct2022(tpp, io)
    assert list(batch.eccn) == [classify_oct2022(*row).eccn for row in rows]


@settings(max_examples=60, deadline=None)
@given(finite, finite, st.floats(min_value=0.01, max_value=30, allow_nan=False))
def test_more_compute_never_lowers_the_2023_tier(tpp, extra, pd):
    rank = {"not controlled": 0, "3A090.b": 1, "3A090.a": 2}
    assert rank[classify_oct2023(tpp + extra, pd).eccn] >= rank[classify_oct2023(tpp, pd).eccn]


# --- the bundled chips -------------------------------------------------------------------------


def test_h100_tpp_comes_from_fp8(chips):
    tpp, fmt = accelerator_tpp(chips["nvidia-h100-sxm5-80gb"])
    assert tpp == pytest.approx(1978.9 * 8) and fmt in ("fp8", "int8")


@pytest.mark.parametrize(
    "chip", ["nvidia-a100-sxm4-40gb", "nvidia-a100-sxm4-80gb", "nvidia-h100-sxm5-80gb", "nvidia-h200-sxm-141gb"]
)
def test_a100_and_h100_are_controlled_under_both_rules(chips, chip):
    result = classify_accelerator(chips[chip])
    assert result["export_oct2022"] == "3A090.a"
    assert result["export_oct2023"] == "3A090.a"


@pytest.mark.parametrize(
    "chip", ["nvidia-a800-sxm4-80gb", "nvidia-a800-pcie-80gb", "nvidia-h800-sxm5-80gb", "nvidia-l40s"]
)
def test_china_skus_of_2022_escaped_the_first_rule_but_not_the_second(chips, chip):
    result = classify_accelerator(chips[chip])
    assert result["export_oct2022"] == "not controlled"
    assert "I/O < 600" in result["export_oct2022_reason"]
    assert result["export_oct2023"] == "3A090.a"


@pytest.mark.parametrize("chip", ["nvidia-h20", "nvidia-l20"])
def test_china_skus_of_2023_sit_below_both_tiers(chips, chip):
    result = classify_accelerator(chips[chip])
    assert result["export_oct2023"] == "not controlled"
    assert result["tpp"] < 2400 and result["performance_density"] < 3.2
    assert result["export_case_by_case_2026"] is None


def test_h20_numbers(chips):
    result = classify_accelerator(chips["nvidia-h20"])
    assert result["tpp"] == pytest.approx(2368)
    assert result["performance_density"] == pytest.approx(2368 / 814)


def test_gaudi2_counts_its_on_die_scale_out_ports(chips):
    result = classify_accelerator(chips["intel-gaudi2"])
    assert result["export_io_gbs"] == pytest.approx(2 * (262.5 + 37.5))
    assert result["export_oct2022"] == "3A090.a"


def test_unknown_die_area_leaves_a_mid_tpp_chip_undetermined(chips):
    # TPU v4: TPP 4400 with no published die area
    assert classify_accelerator(chips["google-tpu-v4"])["export_oct2023"] == "undetermined"


def test_2026_policy_covers_h200_and_mi325x_but_not_blackwell(chips):
    assert classify_accelerator(chips["nvidia-h200-sxm-141gb"])["export_case_by_case_2026"] is True
    assert classify_accelerator(chips["amd-mi325x"])["export_case_by_case_2026"] is True
    assert classify_accelerator(chips["nvidia-b200"])["export_case_by_case_2026"] is False


def test_result_is_json_ready(chips):
    import json

    for acc in chips.values():
        json.dumps(classify_accelerator(acc))
