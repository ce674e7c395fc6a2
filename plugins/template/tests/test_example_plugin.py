"""A vendor's own test: the plugin passes suanli's conformance checks and its numbers are right."""

import suanli_example

from suanli.testing import check_plugin


def test_plugin_passes_suanli_checks():
    report = check_plugin(suanli_example, strict=True)
    assert report.ok, report.summary()
    assert "google-tpu-v3" in report.catalog.accelerators


def test_published_values():
    tpu = check_plugin(suanli_example).catalog.accelerator("google-tpu-v3")
    assert tpu.bf16_tflops == 123
    assert tpu.sources["bf16_tflops"].url == "https://cloud.google.com/tpu/docs/v3"
