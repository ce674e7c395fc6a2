"""Each chip draws its own measured power under load in the substitution and serving scenarios, not the
A100's: the per-chip table of :mod:`suanli.models.power` (``CHIP_LOAD``: FlagPerf computation-BF16 for
A100, Ascend 910B and Iluvatar BI-V150; Latif et al. 2024 for H100), with the A100-based fallback only
for chips that have no measurement."""

from __future__ import annotations

import pytest

from suanli.catalog import load_catalog
from suanli.models import power as P

H100, B910, A100 = "nvidia-h100-sxm5-80gb", "huawei-ascend-910b", "nvidia-a100-sxm4-80gb"


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def test_the_table_differs_from_the_default_for_these_chips():
    # otherwise the tests below could not tell a per-chip draw from the A100 default
    for chip in (H100, B910):
        assert P.chip_utilization(chip) != pytest.approx(P.DEFAULTS.utilization, rel=1e-3)
    assert P.chip_utilization(A100) == pytest.approx(P.DEFAULTS.utilization)


@pytest.mark.parametrize("chip", [H100, B910, A100])
def test_substitution_economics_uses_each_chips_own_draw(cat, chip):
    from suanli.scenarios.substitution import Options, economics, site_terms

    options = Options(pue=1.2)
    acc = cat.accelerator(chip)
    got = economics(acc, 1024, 30.0, options, site_terms(options, cat))
    per_server = acc.chips_per_server or P.DEFAULTS.chips_per_server
    want = P.fleet_power(acc.tdp_w, 1024, per_server, P.chip_utilization(chip), 1.2, server_rating_w=acc.server_power_w)
    assert float(got["facility_mw"]) == pytest.approx(float(want.facility_w) / 1e6, rel=1e-9)


def test_a_utilization_in_the_options_still_applies_to_every_chip(cat):
    from suanli.scenarios.substitution import Options, economics, site_terms

    options = Options(pue=1.2, utilization=0.5)
    acc = cat.accelerator(B910)
    got = economics(acc, 1024, 30.0, options, site_terms(options, cat))
    want = P.fleet_power(
        acc.tdp_w,
        1024,
        acc.chips_per_server or P.DEFAULTS.chips_per_server,
        0.5,
        1.2,
        server_rating_w=acc.server_power_w,
    )
    assert float(got["facility_mw"]) == pytest.approx(float(want.facility_w) / 1e6, rel=1e-9)


def test_serving_power_uses_the_chips_own_draw(cat):
    from suanli.scenarios.serving import serve

    res = serve("llama2-70b", H100, count=8, batch=16, pue=1.1, price_kwh=0.1, catalog=cat)
    acc = cat.accelerator(H100)
    want = P.fleet_power(
        acc.tdp_w,
        res.chips_needed,
        acc.chips_per_server or P.DEFAULTS.chips_per_server,
        utilization=P.chip_utilization(H100) * res.utilization,
        pue=1.1,
        server_rating_w=acc.server_power_w,
    )
    assert res.facility_kw == pytest.approx(float(want.facility_w) / 1e3, rel=1e-9)
