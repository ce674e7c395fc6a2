"""The serving model (suanli.models.serving): KV cache, experts touched, roofline, decode, prefill, batch limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.errors import InputError
from suanli.models import serving as S
from suanli.scenarios.serving import device, precision_formats, serving_model

H100, H20 = "nvidia-h100-sxm5-80gb", "nvidia-h20"


@pytest.fixture(scope="module")
def llama70():
    return serving_model("llama3-70b")


@pytest.fixture(scope="module")
def dsv3():
    return serving_model("deepseek-v3")


@pytest.fixture(scope="module")
def h100(catalog):
    return device(H100, "bf16", catalog=catalog)[0]


@pytest.fixture(scope="module")
def catalog():
    from suanli.catalog import load_catalog

    return load_catalog()


def test_kv_bytes_gqa_and_mla(llama70, dsv3):
    # Llama 3 70B: 2 (K, V) x 80 layers x 8 KV heads x 128 x 2 bytes = 320 KiB per token
    assert S.kv_bytes_per_token(80, 8, 128, 2.0) == 327_680
    assert S._kv_tok(llama70, S.Precision(2.0, 2.0)) == 327_680
    # DeepSeek-V3 MLA: 61 layers x (512 + 64) x 2 bytes = 70,272 bytes, ~1/7 of GQA-8 at the same depth
    assert S._kv_tok(dsv3, S.Precision(1.0, 2.0)) == 61 * 576 * 2
    # MQA is 1/8 of GQA-8, and an FP8 cache halves a BF16 one
    assert S.kv_bytes_per_token(80, 1, 128, 2.0) == 327_680 / 8
    assert S.kv_bytes_per_token(80, 8, 128, 1.0) == 327_680 / 2


def test_experts_touched_bounds():
    assert S.expected_experts_touched(256, 8, 1) == pytest.approx(8.0)
    assert S.expected_experts_touched(256, 8, 10_000) == pytest.approx(256.0)
    t = S.expected_experts_touched(256, 8, np.array([1, 4, 16, 64, 256]))
    assert np.all(np.diff(t) > 0) and np.all(t <= 256)


def test_roofline_is_the_larger_time():
    assert S.roofline_time_s(1e12, 1e9, 1e15, 1e12, 1.0, 1.0) == pytest.approx(1e-3)
    assert S.roofline_time_s(1e9, 1e12, 1e15, 1e12, 1.0, 1.0) == pytest.approx(1.0)


def test_batch_one_decode_reads_the_weights(llama70, h100):
    """At batch 1 a dense decode step is the weights over the bandwidth (plus overhead): memory-bound."""
    prec = S.Precision(2.0, 2.0)
    d = S.SERVING_DEFAULTS
    step = S.decode_step(llama70, prec, h100, 1, 1, 1000)
    weights_s = llama70.total_params * 2.0 / (3.35e12 * d.bandwidth_efficiency)
    assert not step["bound"]
    assert step["memory_s"] == pytest.approx(weights_s, rel=0.02)
    assert step["step_s"] == pytest.approx(step["memory_s"] + d.step_overhead_s, rel=1e-9)


def test_moe_decode_reads_only_the_touched_experts(dsv3, catalog):
    dev = device("nvidia-h800-sxm5-80gb", "fp8", catalog=catalog)[0]
    prec = S.Precision(1.0, 2.0)
    one = S.decode_step(dsv3, prec, dev, 16, 1, 1000)
    many = S.decode_step(dsv3, prec, dev, 16, 4096, 1000)
    per_chip_total = S.memory_per_device_bytes(dsv3, prec, dev, 16, 0, 0)
    assert one["bytes_per_chip"] < 0.5 * per_chip_total  # 8 of 256 experts, not all 16 on the chip
    assert many["bytes_per_chip"] > one["bytes_per_chip"]


def test_h20_decode_follows_bandwidth_not_compute(llama70, catalog):
    """Decode in its memory-bound regime: the H20 (4.0 TB/s, 148 TFLOPS) vs the H100 (3.35 TB/s, 989 TFLOPS)."""
    prec = S.Precision(2.0, 2.0)
    h100, h20 = device(H100, "bf16", catalog=catalog)[0], device(H20, "bf16", catalog=catalog)[0]
    a = S.decode_step(llama70, prec, h100, 8, 16, 1200)
    b = S.decode_step(llama70, prec, h20, 8, 16, 1200)
    assert a["memory_s"] / b["memory_s"] == pytest.approx(4.0 / 3.35, rel=1e-6)
    ratio = a["step_s"] / b["step_s"]  # per-chip decode tokens/s, H20 over H100
    bandwidth_ratio, compute_ratio = 4.0 / 3.35, 148 / 989.4
    assert abs(ratio - bandwidth_ratio) < abs(ratio - compute_ratio)
    assert 0.9 < ratio < bandwidth_ratio + 0.05


def test_max_batch_grows_with_chips_and_shrinks_with_context(llama70, h100):
    prec = S.Precision(1.0, 1.0)
    b = S.max_batch(llama70, prec, h100, np.array([1, 2, 4, 8]), 2048)
    assert np.all(np.diff(b) > 0)
    assert S.max_batch(llama70, prec, h100, 2, 8192) < S.max_batch(llama70, prec, h100, 2, 2048)
    assert S.max_batch(llama70, S.Precision(2.0, 2.0), h100, 1, 2048) == 0  # 141 GB of BF16 weights on 80 GB


def test_disaggregated_tpot_is_the_decode_step(llama70, h100):
    prec = S.Precision(2.0, 2.0)
    pt = S.serving_point(llama70, prec, h100, 4, 32, 1000, 200, disaggregated=True)
    assert pt["tpot_s"] == pt["step_s"]
    colocated = S.serving_point(llama70, prec, h100, 4, 32, 1000, 200)
    assert colocated["tpot_s"] > pt["tpot_s"]  # newcomers' prompts stall the batch


def test_bad_values_raise_input_error():
    with pytest.raises(InputError):
        S.kv_bytes_per_token(-1, 8, 128, 2.0)
    with pytest.raises(InputError):
        S.expected_experts_touched(256, 8, float("nan"))


@settings(max_examples=40, deadline=None)
@given(
    batch=st.integers(1, 4000),
    extra=st.integers(1, 4000),
    context=st.integers(1, 32_000),
    n=st.sampled_from([1, 2, 4, 8, 16]),
    model=st.sampled_from(["llama3-70b", "deepseek-v3", "qwen3-235b-a22b"]),
)
def test_monotonic_and_finite(batch, extra, context, n, model):
    """More batch or more context never makes a step faster; more batch never lowers throughput; nothing is
    negative or NaN."""
    sm = _MODELS[model]
    prec = S.Precision(1.0, 1.0)
    small = S.serving_point(sm, prec, _DEV, n, batch, context, 100)
    big = S.serving_point(sm, prec, _DEV, n, batch + extra, context, 100)
    longer = S.serving_point(sm, prec, _DEV, n, batch, context + extra, 100)
    for pt in (small, big, longer):
        for key in ("ttft_s", "tpot_s", "step_s", "tokens_per_s_per_chip", "memory_bytes_per_device"):
            assert math.isfinite(pt[key]) and pt[key] > 0, (key, pt[key])
    assert big["step_s"] >= small["step_s"] * (1 - 1e-12)
    assert longer["step_s"] >= small["step_s"] * (1 - 1e-12)
    assert longer["ttft_s"] >= small["ttft_s"] * (1 - 1e-12)
    assert big["tokens_per_s_per_chip"] >= small["tokens_per_s_per_chip"] * (1 - 1e-9)


_MODELS = {m: serving_model(m) for m in ("llama3-70b", "deepseek-v3", "qwen3-235b-a22b")}
_DEV = device(H100, "fp8")[0]


def test_precision_formats():
    assert precision_formats("int4")[0].weight_bytes == 0.5
    assert precision_formats("int4")[1] == "bf16"  # weight-only: matmuls at BF16
    assert precision_formats("fp8")[0].kv_bytes == 1.0
    assert precision_formats("bf16", "fp8")[0].kv_bytes == 1.0
    with pytest.raises(InputError):
        precision_formats("fp6")
