"""Cluster communication: named collectives, bus bandwidth, scaling efficiency, cross-site all-reduce,
the report over the catalog's links, and the notebook-03 panels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.errors import InputError
from suanli.models import cluster as CL
from suanli.models import interconnect as ic
from suanli.scenarios import interconnect as R

BW, ALPHA = 300e9, 3e-6


@pytest.mark.parametrize(
    "name, fn", [("reduce-scatter", ic.reduce_scatter), ("all-gather", ic.all_gather), ("all-to-all", ic.all_to_all)]
)
def test_collective_seconds_dispatches_to_the_alpha_beta_functions(name, fn):
    sizes = np.logspace(3, 10, 8)
    assert np.allclose(CL.collective_seconds(name, sizes, 16, BW, ALPHA), fn(sizes, 16, BW, ALPHA))


def test_all_reduce_auto_is_the_faster_of_ring_and_tree():
    sizes = np.logspace(3, 10, 15)
    ring = CL.collective_seconds("all-reduce", sizes, 64, BW, ALPHA, "ring")
    tree = CL.collective_seconds("all-reduce", sizes, 64, BW, ALPHA, "tree")
    auto = CL.collective_seconds("all-reduce", sizes, 64, BW, ALPHA)
    assert np.allclose(auto, np.minimum(ring, tree))
    assert tree[0] < ring[0]  # latency-bound: the tree's log steps win


@pytest.mark.parametrize(
    "args",
    [
        ("all-reduces", 1e6, 8, BW, ALPHA),
        ("all-reduce", -1.0, 8, BW, ALPHA),
        ("all-reduce", 1e6, 0, BW, ALPHA),
        ("all-reduce", 1e6, 8, 0.0, ALPHA),
    ],
)
def test_collective_seconds_rejects_bad_input(args):
    with pytest.raises(InputError):
        CL.collective_seconds(*args)


def test_ring_bus_bandwidth_reaches_the_link_for_large_messages():
    n, size = 8, 1e11
    t = CL.collective_seconds("all-reduce", size, n, BW, ALPHA, "ring")
    assert CL.bus_bandwidth("all-reduce", size, t, n) == pytest.approx(BW, rel=1e-3)


@settings(max_examples=60, deadline=None)
@given(size=st.floats(1.0, 1e11), n=st.integers(2, 4096), coll=st.sampled_from(CL.COLLECTIVES))
def test_bus_bandwidth_never_exceeds_the_link(size, n, coll):
    t = CL.collective_seconds(coll, size, n, BW, ALPHA)
    assert CL.bus_bandwidth(coll, size, t, n) <= BW * (1 + 1e-9)


def test_scaling_efficiency_is_relative_to_the_first_cluster():
    eff = CL.scaling_efficiency([100.0, 190.0, 300.0], [8, 16, 32])
    assert eff.tolist() == pytest.approx([1.0, 0.95, 0.75])
    with pytest.raises(InputError):
        CL.scaling_efficiency([1.0, 2.0], [8])


def test_fibre_delay_is_about_5_us_per_km():
    assert CL.fibre_one_way_s(1000) == pytest.approx(4.9e-3, rel=0.01)
    with pytest.raises(InputError):
        CL.fibre_one_way_s(-1)


def test_cross_site_all_reduce_adds_round_trip_latency_and_wan_bytes():
    kw = {"site_bandwidth_bytes_per_s": 25e9, "site_alpha_s": 8e-6}
    tiny_near = CL.cross_site_all_reduce(8.0, 32, 2, wan_bandwidth_bytes_per_s=1e15, route_km=0, **kw)
    tiny_far = CL.cross_site_all_reduce(8.0, 32, 2, wan_bandwidth_bytes_per_s=1e15, route_km=1000, **kw)
    # two sites: the outer all-reduce takes two latency steps, a round trip
    assert tiny_far - tiny_near == pytest.approx(2 * CL.fibre_one_way_s(1000), rel=1e-6)
    grid = CL.cross_site_all_reduce(
        40e9,
        32,
        2,
        wan_bandwidth_bytes_per_s=np.array([50e9, 100e9, 400e9]),
        route_km=np.array([[500.0], [2000.0]]),
        ranks_sharing_wan=512,
        **kw,
    )
    assert grid.shape == (2, 3)
    assert np.all(np.diff(grid, axis=1) < 0)  # more WAN bandwidth, less time
    assert np.all(grid[1] > grid[0])  # further, slower


def test_exposed_seconds():
    assert CL.exposed_seconds([1.0, 3.0], 2.0).tolist() == [0.0, 1.0]


# -- the report over the catalog -------------------------------------------------------------


def test_collective_table_orders_the_links_by_bandwidth():
    rows = {r["link"]: r for r in R.collective_table(64e6, 8)}
    assert set(rows) == set(R.DEFAULT_LINKS)
    assert (
        rows["nvidia-nvlink5"]["all-reduce_us"]
        < rows["nvidia-nvlink4"]["all-reduce_us"]
        < rows["pcie4-x16"]["all-reduce_us"]
    )
    assert rows["huawei-hccs"]["all-reduce_us"] < rows["pcie4-x16"]["all-reduce_us"]
    for r in rows.values():
        assert r["allreduce_busbw_gbs"] <= r["gbs"] * r["efficiency"] * (1 + 1e-9)


def test_hierarchical_beats_a_flat_ring_for_large_buffers_and_the_tree_for_small():
    algos = R.algorithm_comparison(np.array([64e3, 4e9]), domain=8, nodes=128)
    assert algos["tree"][0] < algos["ring"][0]
    assert algos["hierarchical"][1] < algos["ring"][1] / 2


def test_size_sweep_has_every_collective():
    out = R.size_sweep("ib-ndr", np.logspace(3, 9, 7), 16)
    assert set(CL.COLLECTIVES) <= set(out) and all(v.shape == (7,) for v in out.values())


def test_scaling_curve_and_domain_study():
    rows = R.scaling_curve("llama2-7b", 1e11, "nvidia-a100-sxm4-80gb", [64, 512])
    assert rows[0]["scaling_efficiency"] == 1.0 and 0 < rows[1]["scaling_efficiency"] < 1.2
    dom = R.domain_study("mixtral-8x7b", 1e11, "nvidia-h100-sxm5-80gb", 256, domains=(8, 64))
    assert [r["domain"] for r in dom] == [8, 64]
    assert dom[1]["days"] <= dom[0]["days"] * 1.001  # a larger domain never hurts
    with pytest.raises(InputError):
        R.domain_study("mixtral-8x7b", 1e11, "nvidia-h100-sxm5-80gb", 256, domains=(0,))


def test_cross_site_split_moves_the_whole_gradient_over_the_wan():
    from suanli.scenarios.training import preset

    res = R.cross_site_split("gpt3-175b", 300e9, "nvidia-a100-sxm4-80gb", 1024, [1000, 2000], [50, 400])
    lay = res["estimate"].layout
    assert res["wan_bytes_per_step"] == pytest.approx(preset("gpt3-175b").params * 4.0, rel=1e-9)
    assert res["gradient_bytes_per_rank"] == pytest.approx(preset("gpt3-175b").params * 4.0 / (lay["tp"] * lay["pp"]))
    assert res["rtt_ms"][1] == pytest.approx(2 * res["rtt_ms"][0])
    assert res["added_s"][1] < res["added_s"][0]
    assert np.all(res["slowdown_no_overlap"] >= res["slowdown_full_overlap"])
    need = R.wan_needed_gbs("gpt3-175b", 300e9, "nvidia-a100-sxm4-80gb", 1024, 1500)
    assert 50 < need < 5000


@pytest.mark.parametrize("kwargs", [{"count": 1000, "tp": 8, "pp": 1}, {"count": 1024, "sites": 1}])
def test_cross_site_split_rejects_splits_that_cannot_be_made(kwargs):
    # 1,000 devices at TP8 PP1: 125 replicas, which two sites cannot share evenly
    with pytest.raises(InputError):
        R.cross_site_split("gpt3-175b", 300e9, "nvidia-a100-sxm4-80gb", route_km=1000, wan_gbs=50, **kwargs)


# -- panels ------------------------------------------------------------------------------------


@pytest.fixture
def strict(monkeypatch):
    from suanli.widgets.base import Panel

    monkeypatch.setattr(Panel, "strict", True)


def test_collective_panel_matches_the_model(strict):
    from suanli.widgets.interconnect import CollectivePanel

    panel = CollectivePanel()
    for control, value in (
        (panel.size, 1e9),
        (panel.group, 256),
        (panel.link, "huawei-hccs"),
        (panel.collective, "all-to-all"),
        (panel.algorithm, "ring"),
    ):
        control.value = value
        assert panel.ok, panel.error
    bw, alpha, _ = R.link_alpha_beta(R._catalog().link("huawei-hccs"))
    assert panel.result["seconds"] == pytest.approx(
        float(CL.collective_seconds("all-to-all", panel.size.value, 256, bw, alpha))
    )
    assert panel.algorithm.disabled
    assert panel.view.png()[:4] == b"\x89PNG"


def test_cross_site_panel_shows_an_impossible_split_in_place(strict):
    from suanli.widgets.interconnect import CrossSitePanel

    panel = CrossSitePanel()
    assert panel.ok
    panel.count.value = 999  # odd: no layout splits its replicas over two sites
    assert not panel.ok and "do not split evenly" in panel.error
    panel.count.value = 1024
    panel.route.value = 3000
    assert panel.ok and panel.error == ""
    assert float(panel.result["rtt_ms"]) == pytest.approx(2 * CL.fibre_one_way_s(3000) * 1e3)
