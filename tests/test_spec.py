"""Spec objects validate themselves and name what is wrong."""

import pytest

from suanli.datafile import build_spec, load_documents, parse_range
from suanli.spec import Accelerator, Link, Site, Source, SpecError

SRC = Source("Example datasheet", url="https://example.com", date="2024", confidence="datasheet")


def chip(**over):
    fields = dict(id="acme-x1", vendor="Acme", name="X1", bf16_tflops=100.0, hbm_gb=64, hbm_tbs=2.0, tdp_w=400)
    fields.update(over)
    sources = {k: SRC for k, v in fields.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return Accelerator(**fields, sources=sources, plugin="acme")


def test_valid_accelerator_and_peak():
    acc = chip()
    assert acc.peak_flops("bf16") == 100e12
    assert acc.peak_flops("fp16") == 100e12  # falls back to the bf16 rate
    assert acc.numbers()["hbm_tbs"] == 2.0


@pytest.mark.parametrize(
    "over, field, words",
    [
        ({"hbm_tbs": 2039}, "hbm_tbs", "not GB/s"),
        ({"bf16_tflops": 0}, "bf16_tflops", "outside"),
        ({"bf16_tflops": -5}, "bf16_tflops", "outside"),
        ({"tdp_w": None}, "tdp_w", "required"),
        ({"hbm_gb": "80"}, "hbm_gb", "expected a number"),
        ({"scaleup_domain": 7.5}, "scaleup_domain", "whole number"),
        ({"id": "Acme X1"}, "id", "lowercase"),
        ({"fp8_tflops": 50}, "fp8_tflops", "dense"),
    ],
)
def test_invalid_values_name_plugin_object_and_field(over, field, words):
    with pytest.raises(SpecError) as info:
        chip(**over)
    message = str(info.value)
    assert "plugin 'acme'" in message and field in message and words in message
    assert info.value.field_name == field


def test_missing_precision_is_reported():
    with pytest.raises(SpecError, match="bf16_tflops or fp16_tflops"):
        chip(bf16_tflops=None)


def test_unsupported_precision_gives_a_sentence():
    with pytest.raises(SpecError, match="no published dense fp8 peak"):
        chip().peak_flops("fp8")


def test_number_without_source_is_rejected():
    with pytest.raises(SpecError, match="no source"):
        Accelerator(id="acme-x1", vendor="Acme", name="X1", bf16_tflops=1.0, hbm_gb=1, hbm_tbs=1, tdp_w=100, sources={})


def test_estimate_needs_a_note():
    with pytest.raises(SpecError, match="how it was made"):
        Source("my guess", confidence="estimate")
    assert Source("scaled from sibling", confidence="estimate", note="0.8 x the X2").note


def test_ranges():
    assert parse_range([1, 3]) == (2, (1.0, 3.0))
    assert parse_range([1, 1.5, 3]) == (1.5, (1.0, 3.0))
    with pytest.raises(SpecError):
        parse_range([3, 1])
    with pytest.raises(SpecError):
        parse_range([1, "x"])


def test_toml_document_with_sources_overrides_and_ranges():
    doc = {
        "sources": {
            "sheet": {"citation": "Sheet", "confidence": "datasheet"},
            "press": {"citation": "A newspaper", "confidence": "press"},
        },
        "accelerator": [
            {
                "id": "acme-x1",
                "vendor": "Acme",
                "name": "X1",
                "source": "sheet",
                "bf16_tflops": 100,
                "hbm_gb": 64,
                "hbm_tbs": 2.0,
                "tdp_w": 400,
                "price_usd": [8000, 12000],
                "source_of": {"price_usd": "press"},
            }
        ],
    }
    acc = load_documents([("x.toml", doc)], plugin="acme")["accelerator"][0]
    assert acc.price_usd == 10000 and acc.ranges["price_usd"] == (8000, 12000)
    assert acc.sources["price_usd"].confidence == "press"
    assert acc.sources["bf16_tflops"].citation == "Sheet"
    out = acc.as_dict()
    assert out["sources"]["price_usd"]["citation"] == "A newspaper" and out["ranges"]["price_usd"] == [8000, 12000]


def test_unknown_field_and_undeclared_source():
    with pytest.raises(SpecError, match="unknown field"):
        build_spec("accelerator", {"id": "a-b", "vendor": "A", "name": "B", "bf16_tflop": 1}, {}, "p")
    with pytest.raises(SpecError, match="not declared"):
        build_spec(
            "link",
            {
                "id": "a-b",
                "vendor": "A",
                "name": "B",
                "link_kind": "pcie",
                "bandwidth_gbs": 32,
                "latency_us": 1,
                "source": "nope",
            },
            {},
            "p",
        )


def test_conflicting_source_declarations_drop_only_the_objects_citing_them():
    from suanli.datafile import DataIssue

    row = {"id": "a-b", "vendor": "A", "name": "B", "bf16_tflops": 100, "hbm_gb": 80, "hbm_tbs": 2, "tdp_w": 400}
    a = (
        "a.toml",
        {
            "sources": {"k": {"citation": "One"}, "ok": {"citation": "Fine"}},
            "accelerator": [{**row, "source": "k"}, {**row, "id": "a-c", "source": "ok"}],
        },
    )
    b = ("b.toml", {"sources": {"k": {"citation": "Two"}}})
    items = load_documents([a, b], plugin="p")["accelerator"]
    assert [i.id for i in items if not isinstance(i, DataIssue)] == ["a-c"]
    reasons = " ".join(i.reason for i in items if isinstance(i, DataIssue))
    assert "declared twice" in reasons and "'k'" in reasons


def test_link_and_site_validation():
    with pytest.raises(SpecError, match="link_kind"):
        Link(
            id="x-y",
            vendor="X",
            name="Y",
            link_kind="warp",
            bandwidth_gbs=1,
            latency_us=1,
            sources={"bandwidth_gbs": SRC, "latency_us": SRC},
        )
    with pytest.raises(SpecError, match="PUE is >= 1"):
        Site(
            id="x-y",
            vendor="X",
            name="Y",
            country="CN",
            electricity_cny_kwh=0.4,
            pue_typical=0.9,
            sources={"electricity_cny_kwh": SRC, "pue_typical": SRC},
        )
