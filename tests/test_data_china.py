"""Bundled data of the Chinese accelerator vendors: ids, sources, links and verified values.

The spot values are the ones checked against a primary or vendor-submitted source (datasheets,
Huawei's CloudMatrix384 paper, BAAI FlagPerf results); see the [sources.*] entries in each
plugin's chips.toml.
"""

from __future__ import annotations

import importlib
import math

import pytest

from suanli.datafile import DataPlugin
from suanli.spec import CONFIDENCE_LEVELS, Accelerator, Link, Source

PLUGINS = {
    "suanli_huawei": [
        "huawei-ascend-910",
        "huawei-ascend-910b",
        "huawei-ascend-910b1",
        "huawei-ascend-910b2",
        "huawei-ascend-910b3",
        "huawei-ascend-910b4",
        "huawei-ascend-910c",
    ],
    "suanli_cambricon": ["cambricon-mlu290-m5", "cambricon-mlu370-x8", "cambricon-mlu370-s4", "cambricon-mlu590"],
    "suanli_hygon": ["hygon-dcu-z100", "hygon-dcu-k100", "hygon-dcu-k100-ai"],
    "suanli_biren": ["biren-br100", "biren-br104"],
    "suanli_moorethreads": ["moorethreads-mtt-s3000", "moorethreads-mtt-s4000"],
    "suanli_iluvatar": ["iluvatar-bi-v100", "iluvatar-bi-v150"],
    "suanli_enflame": ["enflame-t20", "enflame-t21", "enflame-i20"],
    "suanli_kunlunxin": ["kunlunxin-r200", "kunlunxin-p800"],
    "suanli_metax": ["metax-c500", "metax-c500-pcie", "metax-c550"],
}
"""Canonical accelerator ids per plugin, from /work/notes/IDS.md."""

NETWORK_LINKS = {
    "pcie3-x16",
    "pcie4-x16",
    "pcie5-x16",
    "ib-edr",
    "ib-hdr",
    "ib-ndr",
    "ib-xdr",
    "roce-100g",
    "roce-200g",
    "roce-400g",
    "cross-site-fibre",
}
"""Link ids owned by the network plugin (IDS.md); the vendor plugins may reference them."""

STACKS = {
    "huawei-cann",
    "cambricon-neuware",
    "hygon-dtk",
    "biren-supa",
    "moorethreads-musa",
    "iluvatar-corex",
    "enflame-topsrider",
    "kunlunxin-xpu",
    "metax-mxmaca",
}

MEASURED_GEMM = {
    "huawei-ascend-910b",
    "huawei-ascend-910b3",
    "metax-c500",
    "metax-c500-pcie",
    "metax-c550",
    "iluvatar-bi-v150",
    "hygon-dcu-k100",
}
"""Chips whose matmul_efficiency comes from a published GEMM measurement."""


def _specs(package: str) -> dict[str, list]:
    return DataPlugin(package).specs()


@pytest.fixture(scope="module")
def accelerators() -> dict[str, Accelerator]:
    out: dict[str, Accelerator] = {}
    for package in PLUGINS:
        for acc in _specs(package)["accelerator"]:
            assert acc.id not in out, f"{acc.id} declared twice"
            out[acc.id] = acc
    return out


@pytest.fixture(scope="module")
def links() -> dict[str, Link]:
    return {link.id: link for package in PLUGINS for link in _specs(package)["link"]}


@pytest.mark.parametrize("package", sorted(PLUGINS))
def test_plugin_has_every_canonical_id(package):
    ids = {acc.id for acc in _specs(package)["accelerator"]}
    assert set(PLUGINS[package]) <= ids


@pytest.mark.parametrize("package", sorted(PLUGINS))
def test_plugin_conforms_beside_the_installed_plugins(package):
    """The vendor check: valid data, references resolve against every plugin, no id conflicts."""
    from suanli.testing import check_plugin

    name = package.removeprefix("suanli_")
    report = check_plugin(importlib.import_module(package).plugin, name=name, strict=True)
    assert report.ok, report.summary()
    assert report.contributed["accelerators"] == len(PLUGINS[package])


def test_required_fields_present(accelerators):
    for acc in accelerators.values():
        assert acc.hbm_gb and acc.hbm_tbs and acc.tdp_w, acc.id
        assert acc.peak_flops("bf16") > 1e13, acc.id  # bf16, or fp16 where only that is published


def _all_sources(spec) -> list[tuple[str, Source]]:
    return [(name, spec.sources[name]) for name in spec.numbers()]


def test_every_number_has_a_cited_source(accelerators, links):
    for spec in [*accelerators.values(), *links.values()]:
        for name, src in _all_sources(spec):
            assert isinstance(src, Source), (spec.id, name)
            assert src.citation.strip() and src.confidence in CONFIDENCE_LEVELS, (spec.id, name)
            if src.confidence != "estimate":
                assert src.date, (spec.id, name, "a sourced number needs a date")


def test_every_estimate_says_how_it_was_made(accelerators, links):
    for spec in [*accelerators.values(), *links.values()]:
        for name, src in _all_sources(spec):
            if src.confidence == "estimate":
                assert len(src.note) > 40, (spec.id, name)


def test_referenced_links_exist(accelerators, links):
    known = set(links) | NETWORK_LINKS
    for acc in accelerators.values():
        for field in ("scaleup_link", "scaleout_link"):
            value = getattr(acc, field)
            if value:
                assert value in known, (acc.id, field, value)
        assert acc.scaleup_link, f"{acc.id} has no scale-up link"
        if acc.scaleup_link in links:
            assert links[acc.scaleup_link].link_kind == "scale-up"


def test_referenced_stacks_are_canonical(accelerators):
    for acc in accelerators.values():
        assert acc.stack in STACKS, acc.id


def test_gemm_efficiency_is_measured_where_published(accelerators):
    for acc in accelerators.values():
        assert acc.matmul_efficiency is not None, acc.id
        confidence = acc.sources["matmul_efficiency"].confidence
        expected = "measured" if acc.id in MEASURED_GEMM else "estimate"
        assert confidence == expected, (acc.id, confidence)


def test_ascend_910b3_flagperf(accelerators):
    b3 = accelerators["huawei-ascend-910b3"]
    assert b3.bf16_tflops == 313 and b3.fp16_tflops == 313
    # FlagPerf Atlas 800T A2: BF16 GEMM 304.277 TFLOPS against the 313 TFLOPS calibrated peak.
    assert b3.matmul_efficiency == pytest.approx(304.277 / 313, abs=1e-3)
    assert b3.hbm_gb == 64 and b3.scaleup_domain == 8


def test_commonly_quoted_910b_is_the_atlas_800t_a2_part(accelerators):
    generic, b3 = accelerators["huawei-ascend-910b"], accelerators["huawei-ascend-910b3"]
    assert generic.bf16_tflops == b3.bf16_tflops
    assert generic.ranges["bf16_tflops"] == (313, accelerators["huawei-ascend-910b2"].bf16_tflops)
    assert generic.price_cny == 120000 and generic.price_date == "2024-06"


def test_910b_variants(accelerators):
    peaks = {v: accelerators[f"huawei-ascend-910{v}"].fp16_tflops for v in ("b1", "b2", "b3", "b4")}
    assert peaks == {"b1": 400, "b2": 376, "b3": 313, "b4": 280}
    assert accelerators["huawei-ascend-910b4"].hbm_tbs == 0.8


def test_ascend_910c_cloudmatrix(accelerators, links):
    c = accelerators["huawei-ascend-910c"]
    assert c.bf16_tflops == 752 and c.ranges["bf16_tflops"] == (752, 780)
    assert (c.hbm_gb, c.hbm_tbs) == (128, 3.2)
    assert (c.scaleup_gbs, c.scaleup_domain, c.scaleout_gbps) == (392, 384, 400)
    assert c.sources["bf16_tflops"].confidence == "paper"
    assert links[c.scaleup_link].max_domain == 384
    # SemiAnalysis: 559 kW for the 384-chip system, i.e. about 1.46 kW per chip all-in.
    assert c.server_power_w / c.chips_per_server == pytest.approx(559_000 / 384, rel=0.01)


@pytest.mark.parametrize(
    ("chip", "field", "value"),
    [
        ("huawei-ascend-910", "fp16_tflops", 256),
        ("huawei-ascend-910", "int8_tops", 512),
        ("cambricon-mlu290-m5", "int8_tops", 512),
        ("cambricon-mlu290-m5", "hbm_tbs", 1.228),
        ("cambricon-mlu290-m5", "transistors_b", 46),
        ("cambricon-mlu370-x8", "bf16_tflops", 96),
        ("cambricon-mlu370-x8", "hbm_tbs", 0.6144),
        ("cambricon-mlu370-x8", "tdp_w", 250),
        ("cambricon-mlu370-s4", "fp16_tflops", 72),
        ("biren-br100", "bf16_tflops", 1024),
        ("biren-br100", "hbm_tbs", 1.64),
        ("biren-br100", "tdp_w", 550),
        ("biren-br104", "bf16_tflops", 512),
        ("biren-br104", "hbm_tbs", 0.819),
        ("moorethreads-mtt-s4000", "bf16_tflops", 100),
        ("moorethreads-mtt-s4000", "hbm_tbs", 0.768),
        ("moorethreads-mtt-s3000", "fp32_tflops", 15.2),
        ("iluvatar-bi-v100", "fp16_tflops", 147),
        ("iluvatar-bi-v150", "bf16_tflops", 192),
        ("enflame-t20", "bf16_tflops", 128),
        ("enflame-i20", "hbm_tbs", 0.819),
        ("kunlunxin-r200", "fp16_tflops", 128),
        ("metax-c500", "bf16_tflops", 280),
        ("metax-c500", "matmul_efficiency", 0.942),
        ("metax-c550", "matmul_efficiency", 0.828),
    ],
)
def test_verified_values(accelerators, chip, field, value):
    assert getattr(accelerators[chip], field) == pytest.approx(value)


def test_peaks_are_dense_and_ordered(accelerators):
    """A sparsity figure typed as dense shows up as a 16-bit peak above the 8-bit one."""
    for acc in accelerators.values():
        half = acc.peak_tflops("bf16")
        if acc.int8_tops:
            assert half <= acc.int8_tops, acc.id
        if acc.fp32_tflops:
            assert acc.fp32_tflops <= half, acc.id


def test_power_and_bandwidth_are_plausible(accelerators):
    for acc in accelerators.values():
        flops_per_watt = acc.peak_flops("bf16") / acc.tdp_w
        # 0.05-5 TFLOPS/W: from vector-only 16-bit on a Vega-class DCU (MI50: 26.5 TF / 300 W)
        # up to the best matrix engines of the 7-12 nm generation.
        assert 5e10 < flops_per_watt < 5e12, acc.id
        bytes_per_flop = acc.hbm_tbs * 1e12 / acc.peak_flops("bf16")
        assert 5e-4 < bytes_per_flop < 0.05, acc.id
        for name, (low, high) in acc.ranges.items():
            assert low <= getattr(acc, name) <= high and math.isfinite(high)
