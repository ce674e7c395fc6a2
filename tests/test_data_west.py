"""The bundled NVIDIA, AMD, Google and Intel data and the vendor-neutral links.

Loaded straight from the plugin packages (no catalog), and pinned against the published figures
they were taken from.
"""

from __future__ import annotations

import pytest

from suanli.datafile import DataPlugin
from suanli.spec import Accelerator

VENDOR_PLUGINS = ("suanli_nvidia", "suanli_amd", "suanli_google", "suanli_intel")
LINK_PLUGINS = VENDOR_PLUGINS + ("suanli_network",)

EXPECTED_IDS = {
    "suanli_nvidia": {
        "nvidia-v100-sxm2-32gb",
        "nvidia-v100-sxm2-16gb",
        "nvidia-a100-sxm4-40gb",
        "nvidia-a100-sxm4-80gb",
        "nvidia-a100-pcie-40gb",
        "nvidia-a100-pcie-80gb",
        "nvidia-a800-sxm4-80gb",
        "nvidia-a800-pcie-80gb",
        "nvidia-h100-sxm5-80gb",
        "nvidia-h100-pcie-80gb",
        "nvidia-h800-sxm5-80gb",
        "nvidia-h20",
        "nvidia-h200-sxm-141gb",
        "nvidia-b200",
        "nvidia-gb200",
        "nvidia-l40s",
        "nvidia-l20",
    },
    "suanli_amd": {"amd-mi100", "amd-mi250x", "amd-mi300x", "amd-mi325x"},
    "suanli_google": {"google-tpu-v4", "google-tpu-v5e", "google-tpu-v5p"},
    "suanli_intel": {"intel-gaudi2", "intel-gaudi3"},
}

EXPECTED_LINKS = {
    "nvidia-nvlink2",
    "nvidia-nvlink3",
    "nvidia-nvlink4",
    "nvidia-nvlink5",
    "amd-infinity-fabric-mi250x",
    "amd-infinity-fabric-mi300x",
    "google-ici-v4",
    "google-ici-v5e",
    "google-ici-v5p",
    "intel-gaudi2-roce",
    "intel-gaudi3-roce",
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


@pytest.fixture(scope="module")
def accelerators() -> dict[str, Accelerator]:
    return {a.id: a for p in VENDOR_PLUGINS for a in DataPlugin(p).specs()["accelerator"]}


@pytest.fixture(scope="module")
def links():
    return {link.id: link for p in LINK_PLUGINS for link in DataPlugin(p).specs()["link"]}


def test_every_canonical_accelerator_is_bundled_by_its_vendor():
    for plugin, ids in EXPECTED_IDS.items():
        assert {a.id for a in DataPlugin(plugin).specs()["accelerator"]} == ids, plugin


def test_every_canonical_link_is_bundled(links):
    assert EXPECTED_LINKS <= set(links)


@pytest.mark.parametrize(
    "chip, field, value",
    [
        ("nvidia-a100-sxm4-40gb", "bf16_tflops", 312),
        ("nvidia-a100-sxm4-40gb", "fp32_tflops", 19.5),
        ("nvidia-a100-sxm4-80gb", "hbm_tbs", 2.039),
        ("nvidia-a100-pcie-80gb", "hbm_tbs", 1.935),
        ("nvidia-h100-sxm5-80gb", "bf16_tflops", 989.4),
        ("nvidia-h100-sxm5-80gb", "fp32_tflops", 67),
        ("nvidia-h100-sxm5-80gb", "hbm_gb", 80),
        ("nvidia-h100-sxm5-80gb", "hbm_tbs", 3.35),
        ("nvidia-h100-sxm5-80gb", "scaleup_gbs", 450),
        ("nvidia-h100-sxm5-80gb", "tdp_w", 700),
        ("nvidia-h100-sxm5-80gb", "server_power_w", 10200),
        ("nvidia-h100-pcie-80gb", "bf16_tflops", 756.5),
        ("nvidia-h200-sxm-141gb", "hbm_tbs", 4.8),
        ("nvidia-h20", "bf16_tflops", 148),
        ("nvidia-a800-sxm4-80gb", "scaleup_gbs", 200),
        ("nvidia-h800-sxm5-80gb", "scaleup_gbs", 200),
        ("nvidia-b200", "bf16_tflops", 2250),
        ("nvidia-gb200", "scaleup_domain", 72),
        ("amd-mi300x", "bf16_tflops", 1307.4),
        ("amd-mi300x", "hbm_gb", 192),
        ("amd-mi325x", "hbm_tbs", 6.0),
        ("google-tpu-v5p", "bf16_tflops", 459),
        ("google-tpu-v4", "tdp_w", 192),
        ("intel-gaudi3", "bf16_tflops", 1835),
        ("intel-gaudi2", "scaleup_gbs", 262.5),
    ],
)
def test_published_values(accelerators, chip, field, value):
    assert getattr(accelerators[chip], field) == pytest.approx(value)


def test_a100_gemm_efficiency_is_the_flagperf_measurement(accelerators):
    a100 = accelerators["nvidia-a100-sxm4-40gb"]
    assert a100.matmul_efficiency == pytest.approx(259.2 / 312, abs=1e-3)
    assert a100.source_of("matmul_efficiency").confidence == "measured"


def test_every_accelerator_has_a_matmul_efficiency(accelerators):
    missing = [a.id for a in accelerators.values() if a.matmul_efficiency is None]
    assert missing == []


def test_hopper_and_blackwell_tensor_peaks_are_dense(accelerators):
    # NVIDIA prints these with sparsity; dense BF16 is half of FP8 and twice TF32.
    for chip in ("nvidia-h100-sxm5-80gb", "nvidia-h200-sxm-141gb", "nvidia-b200", "nvidia-gb200", "nvidia-h20"):
        acc = accelerators[chip]
        assert acc.fp8_tflops == pytest.approx(2 * acc.bf16_tflops, rel=1e-3), chip
        assert acc.tf32_tflops == pytest.approx(acc.bf16_tflops / 2, rel=0.03), chip


def test_china_skus_keep_the_compute_of_their_parents(accelerators):
    for child, parent in (
        ("nvidia-a800-sxm4-80gb", "nvidia-a100-sxm4-80gb"),
        ("nvidia-h800-sxm5-80gb", "nvidia-h100-sxm5-80gb"),
    ):
        assert accelerators[child].bf16_tflops == accelerators[parent].bf16_tflops
        assert accelerators[child].scaleup_gbs < accelerators[parent].scaleup_gbs


def _all_specs():
    for plugin in LINK_PLUGINS:
        specs = DataPlugin(plugin).specs()
        yield from specs["accelerator"]
        yield from specs["link"]


@pytest.mark.parametrize("spec", list(_all_specs()), ids=lambda s: s.id)
def test_every_number_has_a_complete_source(spec):
    for name in spec.numbers():
        src = spec.source_of(name)
        assert src.citation and src.url and src.date and src.confidence, (spec.id, name)
        if src.confidence == "estimate":
            assert src.note.strip(), (spec.id, name)


def test_referenced_links_exist_and_are_of_the_right_kind(accelerators, links):
    for acc in accelerators.values():
        for field, kinds in (("scaleup_link", {"scale-up", "pcie"}), ("scaleout_link", {"scale-out"})):
            link_id = getattr(acc, field)
            if link_id:
                assert link_id in links, (acc.id, link_id)
                assert links[link_id].link_kind in kinds, (acc.id, link_id)


def test_a_chip_never_gets_more_scale_up_bandwidth_than_its_link(accelerators, links):
    for acc in accelerators.values():
        if acc.scaleup_link and acc.scaleup_gbs:
            assert acc.scaleup_gbs <= links[acc.scaleup_link].bandwidth_gbs * 1.001, acc.id


def test_link_numbers_are_one_direction_and_plausible(links):
    assert links["nvidia-nvlink4"].bandwidth_gbs == 450  # 900 GB/s bidirectional
    assert links["ib-ndr"].bandwidth_gbs == 50  # 400 Gb/s
    assert links["pcie5-x16"].bandwidth_gbs == pytest.approx(2 * links["pcie4-x16"].bandwidth_gbs)
    for link in links.values():
        assert 0 < link.efficiency <= 1
    # long-haul fibre: ~4.9 us per km, the stored figure is for 1000 km
    assert links["cross-site-fibre"].latency_us == pytest.approx(4.9 * 1000, rel=0.01)


def test_scale_up_domains_fit_their_link(accelerators, links):
    for acc in accelerators.values():
        link = links.get(acc.scaleup_link)
        if link is not None and link.max_domain and acc.scaleup_domain:
            assert acc.scaleup_domain <= link.max_domain, acc.id


def test_server_power_exceeds_the_chips_it_holds(accelerators):
    for acc in accelerators.values():
        if acc.server_power_w and acc.chips_per_server:
            assert acc.server_power_w > acc.chips_per_server * acc.tdp_w, acc.id
