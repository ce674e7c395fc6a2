"""Completeness of the catalogue's cost and network fields: NIC bandwidth, prices, rentals, supply.

The cost model needs a purchase price (or, for cloud-only parts, a rental price) for every chip, and
the training engine needs every chip's scale-out NIC bandwidth. The spot values below are the sourced
ones (datasheets and press figures); see the price-, rental-, nic-, server- and supply- sources in
each plugin's chips.toml.
"""

from __future__ import annotations

import re

import pytest

from suanli.datafile import DataPlugin

VENDOR_PLUGINS = (
    "suanli_nvidia",
    "suanli_amd",
    "suanli_google",
    "suanli_intel",
    "suanli_huawei",
    "suanli_cambricon",
    "suanli_hygon",
    "suanli_biren",
    "suanli_moorethreads",
    "suanli_iluvatar",
    "suanli_enflame",
    "suanli_kunlunxin",
    "suanli_metax",
)

CLOUD_ONLY = {"google-tpu-v4", "google-tpu-v5e", "google-tpu-v5p"}
"""Parts that are not sold: they carry a rental price instead of a purchase price."""

MAIN_RENTALS = {
    "nvidia-h100-sxm5-80gb",
    "nvidia-a100-sxm4-40gb",
    "nvidia-a100-sxm4-80gb",
    "nvidia-h800-sxm5-80gb",
    "nvidia-h20",
    "nvidia-a800-sxm4-80gb",
    "huawei-ascend-910b",
    "amd-mi300x",
    "google-tpu-v5p",
    "google-tpu-v5e",
}

CNY_PER_USD = (6.0, 8.0)
"""Exchange-rate band (2018-2025) used only for plausibility checks, never stored."""

PRICE_FIELDS = ("price_usd", "price_cny")
RENTAL_FIELDS = ("rental_usd_per_hour", "rental_cny_per_hour")


@pytest.fixture(scope="module")
def accelerators():
    return {a.id: a for p in VENDOR_PLUGINS for a in DataPlugin(p).specs()["accelerator"]}


@pytest.fixture(scope="module")
def links():
    specs = [link for p in (*VENDOR_PLUGINS, "suanli_network") for link in DataPlugin(p).specs()["link"]]
    return {link.id: link for link in specs}


def _price_usd(acc) -> float | None:
    """USD price, converting CNY at the middle of the band (plausibility checks only)."""
    if acc.price_usd:
        return acc.price_usd
    if acc.price_cny:
        return acc.price_cny / sum(CNY_PER_USD) * 2
    return None


def test_every_chip_has_a_scale_out_nic(accelerators, links):
    for acc in accelerators.values():
        assert acc.scaleout_gbps, acc.id
        assert acc.scaleout_link in links, (acc.id, acc.scaleout_link)
        assert links[acc.scaleout_link].link_kind == "scale-out", (acc.id, acc.scaleout_link)


def test_every_sold_chip_has_a_dated_purchase_price(accelerators):
    for acc in accelerators.values():
        if acc.id in CLOUD_ONLY:
            assert acc.rental_usd_per_hour, acc.id
            continue
        assert acc.price_usd or acc.price_cny, acc.id


def test_every_price_has_a_price_date(accelerators):
    for acc in accelerators.values():
        if acc.price_usd or acc.price_cny:
            assert acc.price_date and re.match(r"^(19|20)\d\d(-\d\d)?", acc.price_date), acc.id


def test_main_chips_have_rental_prices(accelerators):
    for chip in MAIN_RENTALS:
        acc = accelerators[chip]
        assert acc.rental_usd_per_hour or acc.rental_cny_per_hour, chip


def test_every_new_number_has_a_source_and_estimates_say_how(accelerators):
    fields = (
        *PRICE_FIELDS,
        *RENTAL_FIELDS,
        "scaleout_gbps",
        "server_power_w",
        "chips_per_server",
        "supply_units_per_year",
    )
    for acc in accelerators.values():
        for name in fields:
            if getattr(acc, name) is None:
                continue
            src = acc.sources[name]
            assert src.citation, (acc.id, name)
            if src.confidence == "estimate":
                assert len(src.note) > 60, (acc.id, name)
            else:
                assert src.date, (acc.id, name)
            if name in (*PRICE_FIELDS, *RENTAL_FIELDS, "supply_units_per_year"):
                assert src.url and src.date, (acc.id, name)


def test_supply_sources_name_the_year(accelerators):
    for acc in accelerators.values():
        if acc.supply_units_per_year:
            src = acc.sources["supply_units_per_year"]
            assert re.search(r"20\d\d", src.citation + " " + src.note), acc.id


def test_prices_per_dense_tflop_are_plausible(accelerators):
    # Catches a price typed in thousands, CNY typed as USD, or a rack price typed per chip.
    for acc in accelerators.values():
        usd = _price_usd(acc)
        peak = acc.bf16_tflops or acc.fp16_tflops
        if usd:
            assert 3 <= usd / peak <= 300, (acc.id, usd / peak)


def test_usd_and_cny_prices_agree_where_both_are_given(accelerators):
    for acc in accelerators.values():
        if acc.price_usd and acc.price_cny:
            low, high = CNY_PER_USD
            # the two come from different sources and years: allow 40% either way
            assert low * 0.6 <= acc.price_cny / acc.price_usd <= high * 1.4, acc.id


def test_rentals_pay_back_within_a_plausible_time(accelerators):
    # Rent per hour x hours to repay the purchase price: months to a few years for every chip.
    for acc in accelerators.values():
        usd = _price_usd(acc)
        rent = acc.rental_usd_per_hour or (acc.rental_cny_per_hour and acc.rental_cny_per_hour / sum(CNY_PER_USD) * 2)
        if usd and rent:
            years = usd / rent / 8760
            assert 0.2 <= years <= 6, (acc.id, years)


def test_server_power_comes_with_a_chip_count(accelerators):
    for acc in accelerators.values():
        if acc.server_power_w:
            assert acc.chips_per_server, acc.id
            assert acc.server_power_w > acc.chips_per_server * acc.tdp_w, acc.id


# -- spot checks of sourced values -------------------------------------------------------------


def test_nic_spot_values(accelerators):
    mi300x = accelerators["amd-mi300x"]
    # Azure ND MI300X v5: 8 GPUs, 8 x 400 Gb/s NDR InfiniBand.
    assert (mi300x.scaleout_gbps, mi300x.scaleout_link, mi300x.chips_per_server) == (400, "ib-ndr", 8)
    assert mi300x.sources["scaleout_gbps"].confidence == "datasheet"
    # DGX H100: one 400G ConnectX-7 per GPU; DGX A100: one HDR 200G per GPU.
    assert accelerators["nvidia-h100-sxm5-80gb"].scaleout_gbps == 400
    assert accelerators["nvidia-a100-sxm4-80gb"].scaleout_gbps == 200
    # Gaudi 3: three 200 GbE scale-out ports on the die.
    assert accelerators["intel-gaudi3"].scaleout_gbps == 3 * 200
    # TPU v5e: 2 x 100 Gb/s per 8-chip host.
    v5e = accelerators["google-tpu-v5e"]
    assert v5e.scaleout_gbps * v5e.chips_per_server == 2 * 100


def test_price_spot_values(accelerators):
    # Tencent Technology 2025-12: H20 8-GPU module CNY 880k, H200 module CNY 1.4 M.
    assert accelerators["nvidia-h20"].price_cny == 880_000 / 8
    assert accelerators["nvidia-h200-sxm-141gb"].price_cny == 1_400_000 / 8
    # Intel Computex 2024: eight Gaudi 3 for $125,000.
    assert accelerators["intel-gaudi3"].price_usd == 125_000 / 8
    # WSJ: ~70,000 Ascend 910C worth ~$2 billion.
    assert accelerators["huawei-ascend-910c"].price_usd == pytest.approx(2e9 / 70_000, rel=0.01)
    # Huang/CNBC: Blackwell $30-40k; NVL72 rack $2-3M over 72 GPUs.
    assert accelerators["nvidia-b200"].ranges["price_usd"] == (30_000, 40_000)
    low, high = accelerators["nvidia-gb200"].ranges["price_usd"]
    assert (low, high) == pytest.approx((2e6 / 72, 3e6 / 72), rel=0.01)
    # Microway 2018 list prices for V100 SXM2.
    assert accelerators["nvidia-v100-sxm2-32gb"].price_usd == 11_458
    # Cambricon 2025: cloud revenue CNY 6.477 bn over 117,400 units is the low end of the MLU590 range.
    mlu590 = accelerators["cambricon-mlu590"]
    assert mlu590.ranges["price_cny"][0] == pytest.approx(6.477e9 / 117_400, rel=0.01)
    assert mlu590.supply_units_per_year == 117_400


def test_rental_spot_values(accelerators):
    # Google Cloud list prices for TPU v4 (us-central2-b): on demand, 3-year commitment.
    v4 = accelerators["google-tpu-v4"]
    assert (v4.rental_usd_per_hour, v4.ranges["rental_usd_per_hour"][0]) == (3.22, 1.45)
    assert v4.sources["rental_usd_per_hour"].confidence == "datasheet"
    # AWS p4de (A100 80GB) on demand is the top of the A100 80GB range.
    assert accelerators["nvidia-a100-sxm4-80gb"].ranges["rental_usd_per_hour"][1] == 5.12
    # MI300X neocloud median $1.99, Azure/Oracle ~$6.
    assert accelerators["amd-mi300x"].rental_usd_per_hour == 1.99


def test_estimates_are_marked_as_estimates(accelerators):
    # No sourced Gaudi 2 figure, no stored v5p price list, no 910B rental rate: these must say so.
    for chip, field in (
        ("intel-gaudi2", "price_usd"),
        ("google-tpu-v5p", "rental_usd_per_hour"),
        ("huawei-ascend-910b", "rental_cny_per_hour"),
        ("biren-br100", "price_cny"),
    ):
        assert accelerators[chip].sources[field].confidence == "estimate", (chip, field)
