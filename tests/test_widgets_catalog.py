"""The catalog panel: filters, comparison, sources on demand, and messages instead of tracebacks."""

from __future__ import annotations

import pytest

import suanli
from suanli.widgets.base import Panel
from suanli.widgets.catalog import CatalogPanel, accelerator_table, export_class


@pytest.fixture(scope="module")
def cat():
    return suanli.load_catalog()


@pytest.fixture()
def panel(cat, monkeypatch):
    monkeypatch.setattr(Panel, "strict", True)  # a bug fails the test instead of showing in place
    return CatalogPanel(cat)


def test_opens_with_every_accelerator(panel, cat):
    assert panel.ok, panel.error
    assert f"<b>{len(cat.accelerators)}</b> of {len(cat.accelerators)} accelerators" in panel.summary.value
    assert panel.scatter_view.png().startswith(b"\x89PNG") and panel.bars_view.png().startswith(b"\x89PNG")
    assert "nvidia-h100-sxm5-80gb" in panel.comparison.value


def test_vendor_filter_narrows_the_table(panel, cat):
    vendor = cat.accelerator("huawei-ascend-910b").vendor
    panel.vendor.value = vendor
    expected = sum(1 for a in cat.accelerators.values() if a.vendor == vendor)
    assert f"<b>{expected}</b> of" in panel.summary.value
    assert "huawei-ascend-910b" in panel.table.value and "nvidia-h100-sxm5-80gb" not in panel.table.value


def test_precision_and_memory_filters(panel, cat):
    panel.precision.value = "fp8"
    with_fp8 = [a for a in cat.accelerators.values() if a.peak_tflops("fp8") is not None]
    assert f"<b>{len(with_fp8)}</b> of" in panel.summary.value
    panel.min_memory.value = 96
    big = [a for a in with_fp8 if a.hbm_gb >= 96]
    assert f"<b>{len(big)}</b> of" in panel.summary.value


def test_a_filter_nothing_passes_shows_a_message(panel):
    panel.min_memory.value = panel.min_memory.max
    panel.precision.value = "fp64"
    panel.vendor.value = panel.vendor.options[-1][1]
    if panel.ok:  # the data happen to have such a chip; the message case needs an empty result
        pytest.skip("a chip passes even the tightest filter")
    assert "lower the memory floor" in panel.error
    panel.min_memory.value = 0
    panel.precision.value = "bf16"
    assert panel.ok and panel.error == ""


def test_empty_comparison_is_a_message(panel):
    panel.compare.value = ()
    assert not panel.ok and "select at least one chip" in panel.error
    panel.compare.value = ("nvidia-h20",)
    assert panel.ok and "nvidia-h20" in panel.comparison.value


def test_sources_on_demand(panel, cat):
    assert panel.sources.value == ""
    panel.source_chip.value = "huawei-ascend-910b"
    panel.show_sources.value = True
    citation = cat.provenance("huawei-ascend-910b")["citation"].iloc[0]
    assert "Sources of huawei-ascend-910b" in panel.sources.value
    assert citation[:30].replace("'", "&#x27;") in panel.sources.value or citation[:20] in panel.sources.value
    panel.show_sources.value = False
    assert panel.sources.value == ""


def test_table_has_export_classification(cat):
    table = accelerator_table(cat)
    record = cat.record(cat.accelerator("nvidia-h100-sxm5-80gb"))
    assert table.loc["nvidia-h100-sxm5-80gb", "export_oct2023"] == export_class(record, "oct2023")
    assert table.loc["nvidia-h100-sxm5-80gb", "tpp"] == record["tpp"]
    assert table["peak_bf16"].notna().all()  # every chip gives bf16 or fp16, by the spec's rule


def test_export_class_reads_flat_or_nested_records():
    assert export_class({"export_oct2023": "3A090.a"}, "oct2023") == "3A090.a"
    assert export_class({"oct2022": {"eccn": "3A090.a", "reason": "..."}}, "oct2022") == "3A090.a"
    assert export_class({}, "oct2022") is None
