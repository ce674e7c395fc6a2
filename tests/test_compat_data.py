"""The software-stack data: every canonical stack, complete, sourced, validated, honest about estimates."""

import tomllib
from pathlib import Path

import pytest

from suanli.catalog import load_catalog
from suanli.spec import OP_CLASSES, SoftwareStack, Source, SpecError

ROOT = Path(__file__).resolve().parent.parent
STACKS = {
    "cuda": "nvidia",
    "rocm": "amd",
    "hygon-dtk": "hygon",
    "huawei-cann": "huawei",
    "cambricon-neuware": "cambricon",
    "moorethreads-musa": "moorethreads",
    "metax-mxmaca": "metax",
    "biren-supa": "biren",
    "kunlunxin-xpu": "kunlunxin",
    "iluvatar-corex": "iluvatar",
    "enflame-topsrider": "enflame",
    "google-xla": "google",
    "intel-synapseai": "intel",
}


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


@pytest.mark.parametrize("stack_id", sorted(STACKS))
def test_every_stack_is_complete_and_sourced(cat, stack_id):
    stack = cat.stack(stack_id)
    assert set(stack.op_profile) == set(OP_CLASSES)
    for op in OP_CLASSES:
        assert isinstance(stack.op_sources[op], Source)
    for name in ("framework_efficiency", "collective_efficiency", "maturity"):
        assert getattr(stack, name) is not None, name
    if stack_id != "cuda":
        assert stack.stack_kind in ("translation", "port")
        confidences = {s.confidence for s in stack.op_sources.values()} | {
            stack.sources["framework_efficiency"].confidence
        }
        assert "estimate" in confidences  # nothing for a non-CUDA stack is fully measured


def test_cuda_is_exactly_native(cat):
    cuda = cat.stack("cuda")
    assert cuda.stack_kind == "native" and cuda.framework_efficiency == 1.0 and cuda.collective_efficiency == 1.0
    for op, entry in cuda.op_profile.items():
        assert entry["native"] == 1.0 and not any(entry.get(k) for k in ("translated", "fallback", "unsupported")), op


def test_source_keys_are_prefixed_stack():
    for vendor in STACKS.values():
        doc = tomllib.loads((ROOT / "plugins" / f"suanli_{vendor}" / "stacks.toml").read_text(encoding="utf-8"))
        assert doc["sources"] and all(k.startswith("stack-") for k in doc["sources"]), vendor


def _stack(entry):
    src = Source(citation="t", confidence="estimate", note="t")
    return SoftwareStack(
        id="x", vendor="X", name="X", stack_kind="port", op_profile={"gemm": entry}, op_sources={"gemm": src}
    )


@pytest.mark.parametrize(
    "entry, words",
    [
        ({"native": 0.5, "translated": 0.2, "translated_efficiency": 0.5}, "sum to 1"),
        ({"translated": 0.3}, "no translated_efficiency"),
        ({"fallback": 0.2, "fallback_efficiency": 1.2}, "(0, 1]"),
        ({"fallback": [0.4, 0.1], "fallback_efficiency": 0.5}, "increasing order"),
        ({"translated": 0.8, "unsupported": [0.1, 0.4], "translated_efficiency": 0.5}, "no room for native"),
        ({"native": 1.0, "speed": 2}, "unknown key"),
        ({"unsupported": 0.2, "port_engineer_months": -1}, "negative"),
    ],
)
def test_validation_rejects_bad_profiles(entry, words):
    with pytest.raises(SpecError) as err:
        _stack(entry)
    assert words in str(err.value)


def test_validation_accepts_ranges_and_remainder():
    stack = _stack(
        {
            "translated": [0.1, 0.3],
            "translated_efficiency": [0.4, 0.9],
            "unsupported": 0.1,
            "port_engineer_months": [2, 6],
        }
    )
    assert stack.op_profile["gemm"]["translated"] == [0.1, 0.3]
