"""The sites plugin, the report helper the estimate command uses, and ``suanli power``."""

from __future__ import annotations

import argparse
import json

import pytest

from suanli.cli import main
from suanli.errors import InputError
from suanli.spec import Accelerator, Source
from suanli_sites import plugin as sites_plugin

HUBS = (
    "cn-jingjinji-zhangjiakou",
    "cn-inner-mongolia-horinger",
    "cn-yangtze-delta",
    "cn-guizhou-guian",
    "cn-ningxia-zhongwei",
    "cn-gansu-qingyang",
    "cn-chengdu-chongqing",
    "cn-greater-bay-shaoguan",
)
CANONICAL = (*HUBS, "cn-beijing", "cn-shanghai", "us-average", "us-virginia")

SRC = Source("test fixture", confidence="estimate", note="made up for a unit test")


@pytest.fixture(scope="module")
def sites():
    return {s.id: s for s in sites_plugin.specs()["site"]}


@pytest.fixture
def h100():
    # Built here, not read from the catalog, so these tests do not depend on other plugins' data.
    fields = {
        "hbm_gb": 80,
        "hbm_tbs": 3.35,
        "tdp_w": 700,
        "bf16_tflops": 989.4,
        "server_power_w": 10_200,
        "chips_per_server": 8,
        "price_usd": 33_600,
    }
    return Accelerator(id="test-h100", vendor="test", name="H100-like", sources={k: SRC for k in fields}, **fields)


class _Catalog:
    def __init__(self, sites):
        self._sites = sites

    def site(self, site_id):
        if site_id not in self._sites:
            raise InputError(f"unknown site {site_id!r}")
        return self._sites[site_id]


def test_every_canonical_site_is_there_with_a_sourced_latency(sites):
    assert set(CANONICAL) <= set(sites)
    for sid in HUBS:
        site = sites[sid]
        assert site.latency_ms and site.latency_source is not None, sid
        assert site.pue_target <= 1.25, sid  # NDRC 2021: national hub nodes < 1.25; some letters ask 1.2
        assert site.hub, sid


def test_site_values_are_physical_and_ranges_kept(sites):
    for site in sites.values():
        assert 1.0 <= site.pue_typical <= 2.0
        assert site.grid_gco2_kwh is None or 0 < site.grid_gco2_kwh < 1000
    # Known only as ranges: kept as ranges, not collapsed to a point.
    assert sites["cn-beijing"].ranges["electricity_cny_kwh"] == (0.50, 0.57)
    assert sites["cn-chengdu-chongqing"].ranges["grid_gco2_kwh"] == (140.4, 522.7)
    # The western hubs are cheaper than the eastern estimate.
    for west in ("cn-inner-mongolia-horinger", "cn-guizhou-guian", "cn-ningxia-zhongwei", "cn-gansu-qingyang"):
        assert sites[west].electricity_cny_kwh < sites["cn-yangtze-delta"].ranges["electricity_cny_kwh"][0]


def test_estimates_say_how_they_were_made(sites):
    for site in sites.values():
        for name, src in site.sources.items():
            if src.confidence == "estimate":
                assert len(src.note) > 40, (site.id, name)


def test_energy_and_cost_with_a_site_converts_at_the_dated_rate(sites, h100):
    from suanli.scenarios.power import energy_and_cost

    cat = _Catalog(sites)
    cny = energy_and_cost({"site": "cn-gansu-qingyang"}, h100, 1024, 720, catalog=cat)
    usd = energy_and_cost({"site": "cn-gansu-qingyang", "currency": "USD"}, h100, 1024, 720, catalog=cat)
    assert cny["currency"] == "CNY" and usd["currency"] == "USD"
    assert cny["energy_mwh"] == pytest.approx(usd["energy_mwh"])
    rate = usd["exchange_rate"]["cny_per_usd"]
    assert cny["electricity_cost"] == pytest.approx(usd["electricity_cost"] * rate)
    assert cny["total_cost"] == pytest.approx(cny["electricity_cost"] + cny["hardware_cost"])
    assert cny["co2_t"] == pytest.approx(cny["energy_mwh"] * 477.2 / 1000)
    lo, hi = cny["electricity_cost_range"]
    assert lo < cny["electricity_cost"] < hi  # Qingyang's PUE is a range


def test_energy_and_cost_with_a_price_and_rental(h100):
    from suanli.scenarios.power import energy_and_cost

    r = energy_and_cost(
        {"pue": 1.2, "price_kwh": 0.08, "currency": "USD", "rental_per_hour": 2.0},
        h100,
        8,
        10,
        utilization=1.0,
        tokens=1e9,
    )
    from suanli.models.power import DEFAULTS

    server_kw = 8 * 0.7 + (10.2 - 8 * 0.7) * DEFAULTS.host_draw_fraction  # cards at TDP, host at its measured share
    assert r["facility_power_kw"] == pytest.approx(server_kw * (145 / 120) * 1.2)
    assert r["hardware_cost"] == pytest.approx(2.0 * 8 * 10) and r["hardware_cost_basis"] == "rental"
    assert r["cost_per_million_tokens"] == pytest.approx(r["total_cost"] / 1e3)
    assert r["co2_t"] is None


@pytest.mark.parametrize(
    "options, message",
    [
        ({"site": "mars"}, "unknown site"),
        ({"pue": 0.9}, "pue must be at least 1"),
        ({"currency": "EUR"}, "unknown currency"),
        ({"colour": "red"}, "unknown option"),
    ],
)
def test_energy_and_cost_rejects_bad_options(sites, h100, options, message):
    from suanli.scenarios.power import energy_and_cost

    with pytest.raises(InputError, match=message):
        energy_and_cost(options, h100, 8, 1, catalog=_Catalog(sites))


def test_energy_and_cost_rejects_negative_hours_and_fractional_counts(h100):
    from suanli.scenarios.power import energy_and_cost

    with pytest.raises(InputError, match="hours"):
        energy_and_cost({}, h100, 8, -1)
    with pytest.raises(InputError, match="count"):
        energy_and_cost({}, h100, 2.5, 1)


def test_add_site_arguments_feeds_energy_and_cost(sites, h100):
    from suanli.commands.flags import add_site_arguments
    from suanli.scenarios.power import energy_and_cost

    parser = argparse.ArgumentParser()
    add_site_arguments(parser)
    args = parser.parse_args(["--site", "cn-guizhou-guian", "--currency", "usd", "--utilization", "0.5"])
    r = energy_and_cost(args, h100, 64, 100, args.utilization, catalog=_Catalog(sites))
    assert r["site"] == "cn-guizhou-guian" and r["currency"] == "USD" and r["utilization"] == 0.5


def test_cheapest_site_by_latency_bound(sites):
    from suanli.scenarios.power import cheapest_site

    all_sites = list(sites.values())
    assert cheapest_site(all_sites, "guangzhou", 5)["site"] == "cn-greater-bay-shaoguan"
    assert cheapest_site(all_sites, "guangzhou", 20)["site"] == "cn-guizhou-guian"
    assert cheapest_site(all_sites, "beijing", 10)["site"] == "cn-inner-mongolia-horinger"
    far = cheapest_site(all_sites, "beijing", 40)
    assert far["latency_ms"] <= 40 and far["site"] in HUBS
    with pytest.raises(InputError, match="no site is within"):
        cheapest_site(all_sites, "guangzhou", 2)
    with pytest.raises(InputError, match="no site gives a latency"):
        cheapest_site(all_sites, "atlantis", 20)


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def chip_id():
    import suanli

    cat = suanli.load_catalog()
    for cid in ("nvidia-h100-sxm5-80gb", "nvidia-a100-sxm4-80gb"):
        if cid in cat.accelerators:
            return cid
    pytest.skip("no NVIDIA data in the catalog yet")


def test_cli_power_json_keys(capsys, chip_id):
    code, out, _ = _run(
        capsys, "power", "--chip", chip_id, "--count", "64", "--hours", "24", "--site", "cn-ningxia-zhongwei", "--json"
    )
    assert code == 0
    report = json.loads(out)
    for key in (
        "it_power_kw",
        "facility_power_kw",
        "energy_mwh",
        "electricity_cost",
        "co2_t",
        "total_cost",
        "currency",
    ):
        assert report[key] is not None, key
    assert report["currency"] == "CNY"


def test_cli_power_text_and_price_mode(capsys, chip_id):
    code, out, _ = _run(
        capsys,
        "power",
        "--chip",
        chip_id,
        "--count",
        "8",
        "--hours",
        "1",
        "--pue",
        "1.3",
        "--price-kwh",
        "0.08",
        "--currency",
        "USD",
    )
    assert code == 0
    assert "facility_power_kw" in out and "electricity_cost" in out and " USD" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--hours", "-3"], "hours must not be negative"),
        (["--hours", "1", "--site", "mars"], "unknown site"),
        (["--hours", "1", "--pue", "0.8"], "pue must be at least 1"),
    ],
)
def test_cli_power_bad_input_is_one_line(capsys, chip_id, extra, message):
    code, _out, err = _run(capsys, "power", "--chip", chip_id, "--count", "8", *extra)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_for_estimate_prices_the_engine_result(sites, h100):
    from types import SimpleNamespace

    from suanli.scenarios.power import energy_and_cost, for_estimate, wants_energy

    est = SimpleNamespace(chip=h100, count=256, train_days=10.0, tokens=1e11)
    options = {"site": "cn-guizhou-guian", "currency": "USD"}
    assert wants_energy(options) and not wants_energy({"currency": "USD"})
    via_engine = for_estimate(options, est, catalog=_Catalog(sites))
    direct = energy_and_cost(options, h100, 256, 240, tokens=1e11, catalog=_Catalog(sites))
    assert via_engine == direct
    assert via_engine["cost_per_million_tokens"] == pytest.approx(direct["total_cost"] / 1e5)
