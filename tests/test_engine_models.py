"""Unit tests of the training-time models against the papers' closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suanli.errors import InputError
from suanli.models import flops
from suanli.models import interconnect as ic
from suanli.models import memory as mem
from suanli.models import parallelism as par
from suanli.models import reliability as rel
from suanli.models.workload import Workload, parameter_counts, shape_from_params
from suanli.scenarios.training import preset


@pytest.mark.parametrize(
    "name, total, active",
    [
        ("gpt3-175b", 175e9, None),
        ("llama2-70b", 69e9, None),
        ("llama3-405b", 405e9, None),
        ("megatron-1t", 1008e9, None),
        ("deepseek-v3", 671e9, 37e9),
        ("mixtral-8x7b", 46.7e9, 12.9e9),
        ("palm-540b", 540e9, None),
        ("bloom-176b", 176e9, None),
        # presets of the backtest's newer rows, against the parameter counts their papers and model cards state
        ("opt-175b", 175e9, None),
        ("bloomberggpt-50b", 50.6e9, None),
        ("glm-130b", 130e9, None),
        ("nemotron-4-15b", 15.7e9, None),
        ("nemotron-4-340b", 341e9, None),
        ("deepseek-v2", 236e9, 21e9),
        ("llama3.2-1b", 1.23e9, None),
        ("llama3.2-3b", 3.21e9, None),
        ("phi-3-mini", 3.8e9, None),
        ("phi-3-medium", 14e9, None),
    ],
)
def test_presets_match_published_parameter_counts(name, total, active):
    w = preset(name)
    assert w.params == pytest.approx(total, rel=0.03)
    if active:
        assert w.active_params == pytest.approx(active, rel=0.05)


def test_shape_rule_reproduces_the_parameter_count():
    for n in (1e9, 7e9, 70e9, 400e9):
        assert shape_from_params(n).params == pytest.approx(n, rel=0.12)
    moe = shape_from_params(600e9, 40e9)
    assert (
        moe.is_moe
        and moe.params == pytest.approx(600e9, rel=0.15)
        and moe.active_params == pytest.approx(40e9, rel=0.15)
    )
    with pytest.raises(InputError):
        shape_from_params(-1)


def test_hardware_flops_with_full_recompute_is_megatron_eq3():
    w = preset("gpt3-175b")
    l, h, s, V = w.layers, w.hidden, w.seq, w.vocab  # noqa: E741 - the paper's symbols
    n = parameter_counts(w)["matmul_active"]
    megatron = 96 * l * h * h * (1 + s / (6 * h) + V / (16 * l * h))
    ours = flops.hardware_flops_per_token(n, l, s, w.q_dim, 2, V * h)
    assert ours == pytest.approx(megatron, rel=1e-9)
    model = flops.model_flops_per_token(n, l, s, w.q_dim)
    assert model == pytest.approx(6 * n + 12 * l * s * h)
    assert flops.hardware_flops_per_token(n, l, s, w.q_dim, 0) == pytest.approx(model)
    assert model < flops.hardware_flops_per_token(n, l, s, w.q_dim, 1) < ours


def test_moe_flops_count_active_experts_only():
    w = preset("mixtral-8x7b")
    f = flops.workload_flops(w)
    assert f["six_n"] == pytest.approx(6 * parameter_counts(w)["matmul_active"])
    assert parameter_counts(w)["matmul_active"] < 0.35 * w.params


def test_activation_memory_matches_korthikanti_table2():
    s, b, h, a, t = 2048, 1, 12288, 96, 8
    f = 4 * h
    base = s * b * h
    no_sp = mem.activation_bytes_per_layer(s, b, h, a, f, t, 0, 0)
    assert no_sp == pytest.approx(base * (10 + 24 / t + 5 * a * s / (h * t)))
    assert mem.activation_bytes_per_layer(s, b, h, a, f, t, 1, 0) == pytest.approx(
        base * (34 / t + 5 * a * s / (h * t))
    )
    assert mem.activation_bytes_per_layer(s, b, h, a, f, t, 1, 1) == pytest.approx(base * 34 / t)
    assert mem.activation_bytes_per_layer(s, b, h, a, f, t, 1, 2) == pytest.approx(2 * base / t)
    # interleaving adds (1 + (p-1)/(p v))
    one = mem.activation_bytes(96, 8, 1, s, b, h, a, f, t, 1, 1)
    two = mem.activation_bytes(96, 8, 2, s, b, h, a, f, t, 1, 1)
    assert two / one == pytest.approx(1 + 7 / 16)


def test_zero_stages_shard_model_states():
    p, dp = 1e9, 64
    assert mem.model_state_bytes(p, 0, dp) == pytest.approx(16e9)
    assert mem.model_state_bytes(p, 1, dp) == pytest.approx(p * (2 + 2 + 12 / dp))
    assert mem.model_state_bytes(p, 2, dp) == pytest.approx(p * (2 + 14 / dp))
    assert mem.model_state_bytes(p, 3, dp) == pytest.approx(16e9 / dp)


def test_collective_costs():
    bw, a = 100e9, 5e-6
    assert ic.ring_all_reduce(1e9, 8, bw, a) == pytest.approx(2 * 7 / 8 * 1e9 / bw + 14 * a)
    assert ic.all_reduce(1e9, 1, bw, a) == 0
    assert ic.reduce_scatter(1e9, 4, bw, a) == pytest.approx(0.75e9 / bw + 3 * a)
    assert ic.send_recv(1e6, bw, a) == pytest.approx(1e6 / bw + a)
    # a tree wins for tiny messages on big groups (latency), a ring for big messages (bandwidth)
    assert ic.tree_all_reduce(1e3, 1024, bw, a) < ic.ring_all_reduce(1e3, 1024, bw, a)
    assert ic.ring_all_reduce(1e10, 4, bw, a) < ic.tree_all_reduce(1e10, 4, bw, a)
    # hierarchical with one rank per node equals a flat all-reduce across nodes
    assert ic.hierarchical_all_reduce(1e9, 1, 16, 300e9, a, 25e9, a) == pytest.approx(ic.all_reduce(1e9, 16, 25e9, a))
    assert ic.hierarchical_all_reduce(1e9, 8, 16, 300e9, a, 25e9, a) < ic.all_reduce(1e9, 128, 25e9, a)
    n_local, n_nodes = ic.group_placement(64, 8, 8)
    assert (n_local, n_nodes) == (1, 64)


def test_pipeline_bubble():
    assert par.pipeline_bubble_fraction(8, 64) == pytest.approx(7 / 64)
    assert par.pipeline_bubble_fraction(8, 64, 4) == pytest.approx(7 / 256)
    assert par.stage_layers(126, 16) == 8
    assert par.edge_stage_layers(126, 16) == 7  # Llama 3: one layer fewer on the first and last stages
    assert par.activation_layer_slots(96, 8) == 96
    assert par.activation_layer_slots(126, 16) == max(16 * 7, 15 * 8)
    assert par.activation_layer_slots(96, 8, micro_batches=2) == 2 * 12


def test_layout_grid_is_valid():
    w = preset("gpt3-175b")
    g = par.layout_grid(w, 1024, 8, 1536)
    assert np.all(g["tp"] * g["pp"] * g["dp"] == 1024)
    assert np.all(g["tp"] <= 8)
    assert np.all(w.heads % g["tp"] == 0)
    assert np.all(1536 % (g["dp"] * g["micro_batch"]) == 0)
    assert g["tp"].size > 1000
    with pytest.raises(InputError, match="scale-up domain"):
        par.layout_grid(w, 1024, 8, 1536, tp=16)
    with pytest.raises(InputError, match="does not divide"):
        par.layout_grid(w, 1024, 8, 1536, pp=5)


def test_reliability_defaults_and_young_daly():
    rate = 466 / (54 * 24 * 16384)
    assert rel.mtbf_seconds(16384) == pytest.approx(3600 / (rate * 16384))
    d, m = 60.0, 3.0e5
    assert rel.optimal_checkpoint_interval(d, m) == pytest.approx(math.sqrt(2 * d * m), rel=0.05)
    assert rel.goodput(d, rel.mtbf_seconds(16384)) < rel.goodput(d, rel.mtbf_seconds(1024)) < 1
    assert rel.goodput(d, np.inf) == pytest.approx(1 / (1 + 0.0), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 8), st.sampled_from([1, 2, 4, 8]), st.integers(0, 2))
def test_activation_memory_properties(mb, t_exp, t, rc):
    args = (2048, mb, 8192, 64, 4 * 8192)
    with_sp = mem.activation_bytes_per_layer(*args, t, 1, rc)
    without = mem.activation_bytes_per_layer(*args, t, 0, rc)
    assert 0 < with_sp <= without
    assert (
        mem.activation_bytes_per_layer(*args, t, 1, 2)
        <= mem.activation_bytes_per_layer(*args, t, 1, 1)
        <= mem.activation_bytes_per_layer(*args, t, 1, 0)
    )


def test_workload_rejects_bad_shapes():
    with pytest.raises(InputError):
        Workload(layers=0)
    with pytest.raises(InputError):
        Workload(heads=32, kv_heads=5)
    with pytest.raises(InputError):
        Workload(experts=4, top_k=8)


def test_vectorised_search_equals_one_layout_at_a_time():
    from suanli.models.performance import Hardware, step_time

    hw = Hardware(
        name="t",
        gemm_peak_flops=312e12,
        bf16_peak_flops=312e12,
        hbm_bytes=80 * 2**30,
        hbm_bytes_per_s=1.7e12,
        matmul_efficiency=0.83,
        scaleup_domain=8,
        scaleup_bytes_per_s=230e9,
        scaleup_alpha_s=3e-6,
        scaleout_bytes_per_s=21e9,
        scaleout_alpha_s=8e-6,
    )
    for name, count in (("gpt3-175b", 1024), ("mixtral-8x7b", 256)):
        w = preset(name)
        g = par.layout_grid(w, count, 8, w.global_batch)
        keys = ("tp", "pp", "dp", "ep", "micro_batch")
        together = step_time(
            w, hw, *(g[k] for k in keys), w.global_batch, g["recompute"], g["zero"], g["sp"], g["interleave"]
        )
        for i in np.random.default_rng(1).choice(g["tp"].size, 25, replace=False):
            alone = step_time(
                w,
                hw,
                *(int(g[k][i]) for k in keys),
                w.global_batch,
                int(g["recompute"][i]),
                int(g["zero"][i]),
                int(g["sp"][i]),
                int(g["interleave"][i]),
            )
            for out in ("step_time_s", "memory_bytes", "tokens_per_step", "ep_comm"):
                assert float(alone[out]) == pytest.approx(float(together[out][i]), rel=1e-12)
