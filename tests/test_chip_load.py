"""The chip's draw under training load: measured per chip where evidence exists, a documented fallback elsewhere."""

import pytest
from suanli.catalog import load_catalog
from suanli.models import power as P
from suanli.scenarios.power import energy_and_cost


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def test_every_chip_with_evidence_is_in_the_catalog_and_physical(cat):
    for entry in P.CHIP_LOAD:
        assert entry.chips
        for chip in entry.chips:
            assert chip in cat.accelerators
        assert 0.5 < entry.low <= entry.fraction <= entry.high <= 1.05
        assert entry.source.citation and entry.source.url and entry.source.date


def test_a100_is_flagperf_measured_h100_derived_v100_falls_back():
    a100 = P.chip_load("nvidia-a100-sxm4-80gb")
    assert a100.fraction == pytest.approx(338 / 400) and a100.source.confidence == "measured"
    h100 = P.chip_load("nvidia-h100-sxm5-80gb")
    # (7,752 W node in training - (8,480 W peak - 8 x 700 W)) / 8 GPUs / 700 W
    assert h100.fraction == pytest.approx((7752 - (8480 - 5600)) / 5600) and h100.source.confidence == "estimate"
    assert "derived" in h100.source.note
    v100 = P.chip_load("nvidia-v100-sxm2-32gb")
    assert v100 is P.FALLBACK_CHIP_LOAD and v100.source.confidence == "estimate"
    assert v100.low == pytest.approx(0.25 + 0.75 * 0.5) and v100.high == 1.0
    assert P.chip_load("no-such-chip") is P.FALLBACK_CHIP_LOAD


def test_utilization_inverts_the_linear_model():
    for f in (0.3, 0.845, 0.87, 1.0):
        u = P.utilization_for_load(f)
        assert P.load_factor(u) == pytest.approx(f)
    assert P.utilization_for_load(0.1) == 0.0  # below idle: clipped, never negative


def test_energy_and_cost_uses_the_chip_draw_unless_given(cat):
    h100 = cat.accelerator("nvidia-h100-sxm5-80gb")
    r = energy_and_cost({"pue": 1.0}, h100, 8, 1)
    assert r["waterfall_kw"]["accelerators_kw"] == pytest.approx(8 * 0.7 * P.chip_load(h100.id).fraction)
    assert r["chip_load"]["source"]["confidence"] == "estimate"
    given = energy_and_cost({"pue": 1.0}, h100, 8, 1, 0.5)
    assert given["waterfall_kw"]["accelerators_kw"] == pytest.approx(8 * 0.7 * P.load_factor(0.5))
    assert given["chip_load"] is None


def test_fit_reports_the_chip_draw_of_each_point():
    from suanli.scenarios.power import measured_energy_fit

    fit = measured_energy_fit()
    assert fit["chip_load"]["h100-node-latif2025"] == pytest.approx(P.chip_load("nvidia-h100-sxm5-80gb").fraction)
    assert fit["chip_load"]["gpt3-175b"] == P.FALLBACK_CHIP_LOAD.fraction
