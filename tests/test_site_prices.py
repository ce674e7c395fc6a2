"""Hub electricity prices: dated, site-specific, and an identical number only where one derivation is shared."""

from collections import defaultdict

import pytest
from suanli.catalog import load_catalog
from suanli.scenarios.power import site_records


@pytest.fixture(scope="module")
def sites():
    return load_catalog().sites


def _price_field(site):
    return "electricity_cny_kwh" if site.electricity_cny_kwh is not None else "electricity_usd_kwh"


def test_every_hub_price_is_dated(sites):
    for row in site_records([s for s in sites.values() if s.hub]):
        assert row["price_date"] not in (None, "undated"), row["site"]


def test_identical_prices_share_one_explained_derivation(sites):
    by_price = defaultdict(list)
    for s in sites.values():
        if s.country == "CN":
            field = _price_field(s)
            by_price[(getattr(s, field), *s.ranges.get(field, ()))].append(s)
    for group in by_price.values():
        if len(group) > 1:
            sources = {s.sources[_price_field(s)] for s in group}
            assert len(sources) == 1, [s.id for s in group]
            (src,) = sources
            assert src.confidence == "estimate" and "share" in src.note


def test_shaoguan_is_the_published_differential_below_the_east(sites):
    east_low, east_high = sites["cn-beijing"].ranges["electricity_cny_kwh"]
    low, high = sites["cn-greater-bay-shaoguan"].ranges["electricity_cny_kwh"]
    assert (low, high) == pytest.approx((east_low - 0.134, east_high - 0.134))
    assert "0.134" in sites["cn-greater-bay-shaoguan"].sources["electricity_cny_kwh"].citation


def test_chengdu_chongqing_spans_its_two_cluster_figures(sites):
    from suanli.models.money import CNY_PER_USD

    low, high = sites["cn-chengdu-chongqing"].ranges["electricity_cny_kwh"]
    assert low == 0.34 and high == pytest.approx(0.08 * CNY_PER_USD.cny_per_usd, abs=0.001)
