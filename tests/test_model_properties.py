"""Every public function of :mod:`suanli.models`, called with anything: a result or one suanli sentence.

The functions are found by walking the package (:func:`public_model_functions`), so a new function is
covered without touching this file, unless one of its parameters has a name this file cannot guess a
value for: then :func:`test_every_parameter_has_a_strategy` fails and says which one to add.

Each call is built from the function's signature. A parameter gets plausible values chosen by its
name (units in the name: ``_s``, ``_bytes``, ``_w``, counts, shares...; see :data:`BY_NAME` and
:func:`strategy_for`), now and then replaced by something wrong (:data:`GARBAGE`: zero, negative,
NaN, inf, None, text, arrays, containers). Objects (a Workload, a Hardware, an Accelerator, a serving
model, a job stream) come from fixtures, sometimes with one field made bad. The property:

* the call returns, and every number in the result is finite, and non-negative unless it is a
  quantity that may be negative by definition (a key listed in ``SIGNED`` of tests/test_properties.py,
  or a function in :data:`SIGNED_RESULTS`, each with its reason); or
* it raises a :class:`suanli.errors.SuanliError` whose message is one sentence.

Any other exception, a NaN, an inf or a negative time, size, count, energy or price fails. The draws
are derandomised unless asked otherwise (tests/property_settings.py).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pkgutil
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_settings import examples
from test_properties import GARBAGE, bad_numbers

import suanli.models
from suanli.errors import SuanliError

CHIP = "nvidia-h100-sxm5-80gb"
OMIT = object()
"""Drawn for a parameter with a default: leave it out of the call."""


def public_model_functions() -> list[tuple[str, object]]:
    """``("module.function", function)`` for every public function defined in a ``suanli.models`` module."""
    found = []
    for info in pkgutil.iter_modules(suanli.models.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"suanli.models.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                found.append((f"{info.name}.{name}", fn))
    return sorted(found, key=lambda item: item[0])


FUNCTIONS = public_model_functions()


# -- values a careful caller would pass ---------------------------------------------------------


def num(low: float, high: float, *, array: bool = True):
    """A float in low..high (log-uniform when the range spans decades), or an array of two of them (two,
    like the array in :data:`GARBAGE`, so that arrays drawn for different parameters broadcast)."""
    if low > 0 and high / low > 100:
        one = st.floats(np.log10(low), np.log10(high)).map(lambda e: float(10.0**e))
    else:
        one = st.floats(low, high)
    return one | st.lists(one, min_size=2, max_size=2).map(np.array) if array else one


def count(low: int = 1, high: int = 64, *, array: bool = True):
    one = st.integers(low, high)
    return one | st.lists(one, min_size=2, max_size=2).map(np.array) if array else one


SHARE = num(0.01, 1.0)
SECONDS = num(1e-3, 1e5)

BY_NAME: dict[str, object] = {
    # counts and sizes
    **{
        k: count(1, 64)
        for k in (
            "count",
            "n",
            "chips",
            "gpus",
            "servers",
            "sites",
            "tp",
            "pp",
            "dp",
            "ep",
            "cp",
            "micro_batch",
            "micro_batches",
            "interleave",
            "n_local",
            "n_nodes",
            "domain",
            "stride",
            "pipeline_stages",
            "chips_per_server",
            "ranks_per_site",
            "scaleup_domain",
            "gpus_per_site",
            "ranks_sharing_wan",
            "top_k",
            "granule",
            "experts",
            "chip_count",
            "batch",
            "global_batch",
            "kv_heads",
            "heads",
            "layers",
            "n_layers",
            "tiers",
            "max_chips_per_rack",
            "mean_gpus",
            "median_gpus",
            "max_gpus",
            "max_job_gpus",
        )
    },
    **{
        k: count(16, 8192)
        for k in (
            "seq",
            "context",
            "input_len",
            "output_len",
            "hidden",
            "ffn_active",
            "head_dim",
            "q_dim",
            "dim",
            "d_model",
            "vocab",
            "latent_dim",
            "context_tokens",
            "long_seq",
            "half_dim",
            "gemm_half_dim",
            "radix",
        )
    },
    **{k: count(0, 2, array=False) for k in ("recompute",)},
    **{k: count(0, 3, array=False) for k in ("zero",)},
    **{k: count(0, 1, array=False) for k in ("sp",)},
    "jobs": count(1, 30, array=False),
    "samples": count(0, 50, array=False),
    "n_starts": count(1, 4, array=False),
    "n_bootstrap": count(0, 3, array=False),
    "points": count(2, 64, array=False),
    "most": count(1, 32, array=False),
    "limit": st.none() | count(1, 100, array=False),
    "approach": st.sampled_from([1, 2, 3]),
    "generation": st.sampled_from([2, 3]),
    "bit_length": st.sampled_from([4, 8, 16, 32]),
    "seed": st.integers(0, 1000),
    # physical quantities
    **{k: num(1e6, 1e12) for k in ("params", "matmul_params", "active_params", "params_local", "logit_params")},
    **{
        k: num(1e6, 1e13)
        for k in (
            "tokens",
            "total_tokens",
            "batch_tokens",
            "inference_tokens",
            "tokens_per_day",
            "ramp_tokens",
            "start_tokens",
            "prefill_tokens",
            "prefill_context",
        )
    },
    **{k: num(1e15, 1e26) for k in ("compute_flops", "flop", "flops_per_token")},
    **{k: num(1e12, 1e16) for k in ("peak_flops", "peak_flops_per_s")},
    **{
        k: num(10, 3000)
        for k in (
            "peak_tflops",
            "reference_peak_tflops",
            "tops",
            "tpp",
            "performance_density",
            "die_area_mm2",
            "bidirectional_io_gbs",
            "dram_bandwidth_gbs",
        )
    },
    **{k: num(1e3, 1e11) for k in ("nbytes", "hbm_bytes", "gradient_bytes", "grad_bytes_per_gpu")},
    **{
        k: num(1e8, 1e13)
        for k in (
            "bandwidth_bytes_per_s",
            "hbm_bytes_per_s",
            "link_bytes_per_s",
            "local_bw",
            "remote_bw",
            "site_bandwidth_bytes_per_s",
            "wan_bandwidth_bytes_per_s",
            "storage_bytes_per_s",
            "per_device_bytes_per_s",
        )
    },
    **{
        k: num(1e-7, 1e-3)
        for k in ("alpha_s", "local_alpha", "remote_alpha", "site_alpha_s", "link_alpha_s", "wan_equipment_s")
    },
    **{k: num(100, 1e6) for k in ("power_w", "tdp_w", "server_w", "it_power_w", "server_power_w", "server_rating_w")},
    **{
        k: num(1, 1e5)
        for k in (
            "energy_mwh",
            "hours",
            "days",
            "best_days",
            "deadline_days",
            "supply_window_days",
            "window_days",
            "capex",
            "price_per_accelerator",
            "price_per_accelerator_hour",
            "total_cost",
            "reference_cost",
            "unit_cost",
            "port_cost",
            "chip_price",
            "amount",
            "units_per_year",
            "supply_units",
            "chips_needed",
            "best_chips",
            "max_fabric_chips",
            "rack_power_kw",
            "floor_m2_per_rack",
            "tokens_per_s",
            "tokens_per_s_a",
            "tokens_per_s_b",
            "tokens_per_second_per_accelerator",
            "route_km",
            "wan_route_km",
            "max_latency_ms",
            "arrival_rate_per_s",
            "mean_gpu_s_per_job",
        )
    },
    **{
        k: num(1, 3)
        for k in (
            "pue",
            "slowdown_factor",
            "maturity_multiplier",
            "flops_per_param_token",
            "inference_flops_per_param_token",
            "bytes_per_param",
            "bytes_weight",
            "bytes_grad",
            "bytes_optimizer",
            "bytes_per_value",
            "ratio_vs_reference",
            "stack_factor",
        )
    },
    **{
        k: num(0.0, 1.0)
        for k in (
            "translated",
            "fallback",
            "other_overhead",
            "stall_fraction",
            "reference_share",
            "slowdown_removed",
            "cost_of_capital",
            "correlation",
            "overlap",
            "pp_overlap",
            "tp_overlap",
            "dp_overlap",
            "ep_overlap",
            "eval_iters_per_iter",
            "forward_share",
            "load_fraction",
            "share",
            "yield_fraction",
            "idle_fraction",
        )
    },
    **{
        k: SECONDS
        for k in (
            "seconds",
            "checkpoint_s",
            "mtbf_s",
            "restart_s",
            "interval_s",
            "overlap_window_s",
            "comm_seconds",
            "step_s",
            "target_seconds",
            "median_s",
            "mean_s",
            "median_run_s",
            "mean_run_s",
            "max_run_s",
            "horizon_s",
            "sample_s",
            "time_factors_s",
        )
    },
    **{k: num(1e-4, 0.1) for k in ("failure_rate_per_device_hour", "base_rate_per_device_hour")},
    **{k: num(0.01, 0.5) for k in ("price_per_kwh",)},
    **{k: num(10, 1000) for k in ("grid_gco2_kwh",)},
    **{k: num(0.5, 20) for k in ("years", "lifetime_years", "doubling_time_years")},
    "hours_per_year": st.just(8760.0),
    "annual_growth": num(1.1, 10),
    "annual_growth_rate": num(0.0, 3.0),
    "start_value": num(1, 1e6),
    "end_value": num(1, 1e6),
    "value": num(1, 1e6),
    "target_loss": num(1.8, 4.0),
    "loss": st.just(np.array([3.2, 2.9, 2.7, 2.5, 2.4, 2.35])),
    "mfu": SHARE,
    "utilization": SHARE,
    "utilization_busy": SHARE,
    "busy_fraction": SHARE,
    "server_capex_fraction": SHARE,
    "network_storage_fraction": SHARE,
    "overhead_fraction": SHARE,
    "host_draw_fraction": SHARE,
    "fraction": SHARE,
    "memory_usable_fraction": SHARE,
    "compute_efficiency": SHARE,
    "bandwidth_efficiency": SHARE,
    "matmul_efficiency": SHARE,
    "stack_efficiency": SHARE,
    "run_efficiency": SHARE,
    "translated_efficiency": SHARE,
    "fallback_efficiency": SHARE,
    "library_efficiency": SHARE,
    "support_rack_fraction": SHARE,
    "confidence": st.sampled_from(["datasheet", "press", "estimate", 0.9]),
    "low_q": num(0.01, 0.4, array=False),
    "high_q": num(0.6, 0.99, array=False),
    "low": num(1, 10, array=False),
    "mode": num(10, 20, array=False),
    "high": num(20, 30, array=False),
    "median": num(1, 10, array=False),
    "p90": num(10, 100, array=False),
    "mu": num(5, 12, array=False),
    "sigma": num(0.1, 3, array=False),
    "delta": num(1e-4, 1e-2, array=False),
    # names
    "stack": st.sampled_from(["rocm", "cann", "musa", "cuda"]),
    "stack_id": st.sampled_from(["rocm", "cann", "cuda", None]),
    "chip_id": st.sampled_from([CHIP, "huawei-ascend-910b", None]),
    "accelerator_id": st.sampled_from([CHIP, "huawei-ascend-910b", "nvidia-h20"]),
    "collective": st.sampled_from(["all_reduce", "all_gather", "reduce_scatter", "all_to_all", "broadcast"]),
    "algorithm": st.sampled_from(["auto", "ring", "tree"]),
    "law": st.sampled_from(["besiroglu", "chinchilla", "kaplan"]),
    "currency": st.sampled_from(["USD", "CNY"]),
    "from_currency": st.sampled_from(["USD", "CNY"]),
    "to_currency": st.sampled_from(["USD", "CNY"]),
    "site_type": st.sampled_from(["hyperscale", "enterprise"]),
    "policy": st.sampled_from(["fifo", "backfill", "priority"]),
    "scheduling": st.sampled_from(["sequential", "chunked"]),
    "rule": st.sampled_from(["oct2022", "oct2023"]),
    "kind": st.sampled_from(["dense", "moe"]),
    "run_kind": st.sampled_from(["pretraining", "continued"]),
    "family": st.sampled_from(["hopper", "ampere", "blackwell", "ascend-910", None, "no-such-family"]),
    "on": st.sampled_from(["2023-01-01", "2024-06-30", "2026-02-01"]),
    "name": st.sampled_from(["x", "fit"]),
    "output": st.just("y"),
}
"""A strategy of plausible values per parameter name (a function-specific one in :data:`BY_FUNCTION` wins)."""

SUFFIXES = [
    (r"_s$", SECONDS),
    (r"_bytes$", num(1e3, 1e11)),
    (r"_bytes_per_s$", num(1e8, 1e13)),
    (r"_w$", num(100, 1e6)),
    (r"_fraction$|_efficiency$|_share$", SHARE),
    (r"_flops$", num(1e15, 1e26)),
    (r"_km$|_ms$|_days$", num(1, 1e4)),
]
"""Fallbacks by unit suffix, for a new parameter whose name is not in :data:`BY_NAME`."""


@functools.cache
def fixtures() -> dict[str, object]:
    """Valid objects the functions take (built once)."""
    from suanli.catalog import load_catalog
    from suanli.models import compat, fleet
    from suanli.models.performance import Hardware
    from suanli.models.workload import shape_from_params
    from suanli.scenarios.serving import device, precision_formats, serving_model

    cat = load_catalog()
    hw = Hardware(
        name="t",
        gemm_peak_flops=989e12,
        bf16_peak_flops=989e12,
        hbm_bytes=80e9,
        hbm_bytes_per_s=3.35e12,
        matmul_efficiency=0.8,
        scaleup_domain=8,
        scaleup_bytes_per_s=360e9,
        scaleup_alpha_s=3e-6,
        scaleout_bytes_per_s=40e9,
        scaleout_alpha_s=8e-6,
    )
    profile = compat.stack_profile("rocm").case("central")
    jobs = fleet.make_jobs([0.0, 10.0, 20.0], [8, 16, 4], [3600.0, 600.0, 60.0])
    return {
        "workload": shape_from_params(7e9, seq=2048),
        "moe": shape_from_params(47e9, 13e9, seq=4096),
        "hardware": hw,
        "acc": cat.accelerator(CHIP),
        "acc2": cat.accelerator("huawei-ascend-910b"),
        "serving_model": serving_model("llama3-70b"),
        "prec": precision_formats("bf16")[0],
        "dev": device(CHIP, "bf16", catalog=cat)[0],
        "profile": profile,
        "jobs": jobs,
        "pools": [fleet.Pool("a", 64), fleet.Pool("b", 16, tdp_w=400.0, speed=0.5)],
    }


def fixture(key: str, bad_fields: dict | None = None):
    """A fixture object as a strategy: the good one, or (when ``bad_fields`` is given) sometimes a copy
    with one field made bad. The copy is built inside the call, so a constructor that refuses it counts
    as the function refusing it."""
    good = st.just(lambda: fixtures()[key])
    if not bad_fields:
        return good
    bad = st.sampled_from(sorted(bad_fields.items())).map(
        lambda item: lambda: dataclasses.replace(fixtures()[key], **{item[0]: item[1]})
    )
    return st.one_of(good, good, bad)


NAN = float("nan")
BAD_WORKLOAD = {"layers": 0, "hidden": -4096, "seq": NAN, "heads": "32", "vocab": None}
BAD_HARDWARE = {
    "gemm_peak_flops": NAN,
    "hbm_bytes": -1.0,
    "hbm_bytes_per_s": 0.0,
    "scaleup_domain": 0,
    "matmul_efficiency": 1.5,
    "scaleout_alpha_s": float("inf"),
}
BAD_SERVING = {"layers": 0, "params": NAN}
BAD_DEVICE = {"hbm_bytes": -1.0, "peak_flops": NAN}
BAD_PREC = {"weight_bytes": 0.0}


def _vector_model(**kw):
    """A model for :func:`suanli.models.uncertainty.monte_carlo` and ``tornado``: y = a * b."""
    return {"y": np.asarray(kw.get("a", 1.0)) * np.asarray(kw.get("b", 1.0))}


UNCERTAIN_INPUTS = st.sampled_from(
    [{"a": (1.0, 2.0), "b": 3.0}, {"a": (1.0, 2.0, 4.0), "b": (0.5, 1.0)}, {"a": 2.0, "b": 1.0}]
)

BY_FUNCTION: dict[str, dict[str, object]] = {
    "chip_efficiency.derive_efficiency": {
        "values": st.just([0.5, 0.6]),
        "kinds": st.just(["gemm", "step"]),
        "cap": SHARE,
        "survival": st.just((1.0,)),
        "gemm": st.none() | SHARE,
    },
    "compat.class_losses": {"op_shares": st.just(np.full(8, 1 / 8)), "time_factors": num(1, 3)},
    "compat.slowdown": {"op_shares": st.just(np.full(8, 1 / 8)), "time_factors": num(1, 3)},
    "compat.porting_gain": {"op_shares": st.just(np.full(8, 1 / 8)), "time_factors": num(1, 3)},
    "compat.time_factors": {"profile": st.just(lambda: fixtures()["profile"])},
    "compat.port_engineer_months": {"profile": st.just(lambda: fixtures()["profile"])},
    "compat.compat_estimate": {"op_shares": st.none(), "overrides": st.none(), "cost_per_engineer_month": st.none()},
    "compat.stack_step_efficiency": {"op_shares": st.none()},
    "compat.stack_profile": {"overrides": st.none() | st.just({"gemm": {"translated": 0.5}})},
    "compat.workload_profile": {
        "op_shares": st.none() | st.just({"gemm": 0.6, "attention": 0.2}),
        "overrides": st.none() | st.just({"gemm": 0.7}),
    },
    "cluster.scaling_efficiency": {
        "tokens_per_s": st.just(np.array([1e5, 1.9e5, 3.5e5])),
        "counts": st.just(np.array([8, 16, 32])),
    },
    "export.accelerator_io_gbs": {"acc": fixture("acc")},
    "export.accelerator_tpp": {"acc": fixture("acc")},
    "export.classify_accelerator": {"acc": fixture("acc")},
    "export.derived_sources": {"acc": fixture("acc")},
    "export.export_status_on": {"acc": fixture("acc2")},
    "export.export_timeline": {"acc": fixture("acc")},
    "export.total_processing_performance": {"tops": num(10, 3000), "axis": st.none()},
    "fleet.fit_size_duration_correlation": {
        "values": st.just(np.array([1.0, 8.0, 64.0])),
        "probs": st.just(np.array([0.6, 0.3, 0.1])),
        "n": st.just(2000),
        "max_run_s": num(1e5, 1e6, array=False),
        "mean_gpu_s_per_job": num(1e3, 1e5, array=False),
    },
    "fleet.generate_jobs": {
        "mean_gpus": num(8, 16, array=False),
        "median_gpus": num(1, 4, array=False),
        "max_gpus": count(64, 256, array=False),
        "median_run_s": num(60, 600, array=False),
        "mean_run_s": num(1000, 5000, array=False),
        "max_run_s": st.none(),
        "arrival_rate_per_s": num(1e-3, 1, array=False),
        "correlation": st.just(0.0),
    },
    "fleet.size_distribution": {
        "mean_gpus": num(8, 16, array=False),
        "median_gpus": num(1, 4, array=False),
        "max_gpus": count(64, 256, array=False),
    },
    "fleet.lognormal_from_median_mean": {"median_s": num(10, 100, array=False), "mean_s": num(100, 1000, array=False)},
    "fleet.make_jobs": {
        "submit_s": st.just(np.array([0.0, 5.0])),
        "gpus": st.just(np.array([1, 8])),
        "work_s": st.just(np.array([60.0, 600.0])),
    },
    "fleet.read_trace": {"source": st.sampled_from(["acme", "philly", "no-such-trace"])},
    "fleet.simulate": {
        "pools": st.just(lambda: fixtures()["pools"]),
        "jobs": st.just(lambda: fixtures()["jobs"]),
        "sample_s": st.none() | num(10, 100, array=False),
    },
    "flops.workload_flops": {"w": fixture("workload", BAD_WORKLOAD)},
    "goodput.scale_to_goodput": {
        "items": st.just(
            {"failures": 0.02, "checkpoints": 0.01, "evaluation": 0.01, "stalls": 0.0, "rampup": 0.001, "other": 0.0}
        ),
        "goodput": SHARE,
    },
    "money.convert": {"rate": st.just(OMIT)},
    "parallelism.check_layout": {
        "w": fixture("workload", BAD_WORKLOAD),
        "count": count(8, 64, array=False),
        "domain": st.just(8),
    },
    "parallelism.layout_grid": {
        "w": fixture("workload", BAD_WORKLOAD),
        "count": st.sampled_from([8, 64]),
        "domain": st.just(8),
        "global_batch": st.sampled_from([64, 512]),
    },
    "parallelism.tp_candidates": {"w": fixture("workload", BAD_WORKLOAD), "domain": st.just(8)},
    "parallelism.context_parallel_candidates": {"seq": count(1024, 131072, array=False)},
    "performance.step_time": {
        "w": fixture("workload", BAD_WORKLOAD),
        "hw": fixture("hardware", BAD_HARDWARE),
        "tp": st.just(2),
        "pp": st.just(1),
        "dp": count(1, 8, array=False),
        "ep": st.just(1),
        "micro_batch": st.just(1),
        "global_batch": st.just(64),
        "interleave": st.just(1),
        "flash_attention": st.none() | st.sampled_from([2, 3]),
    },
    "performance.flash_generation": {"flash_attention": st.none() | st.sampled_from([2, 3, True])},
    "performance.training_time": {
        "step": st.just({"step_time_s": 10.0, "tokens_per_step": 4e6}),
        "count": count(8, 1024, array=False),
        "peak_flops": num(1e14, 1e15),
    },
    "power.cheapest_site_within_latency": {
        "prices": st.just([50.0, 40.0, 60.0]),
        "latencies_ms": st.just([5.0, 30.0, 9.0]),
        "names": st.none() | st.just(["a", "b", "c"]),
    },
    "power.check_pue": {"pue": num(1, 2)},
    "power.inference_fleet_energy_mwh_per_day": {},
    "reliability.goodput": {"interval_s": st.none() | SECONDS},
    "scaling.get_law": {"law": st.sampled_from(["besiroglu", "chinchilla", "kaplan", "approach1"])},
    "scaling.constant": {"name": st.sampled_from(["kaplan_alpha_N", "chinchilla_A", "E"])},
    "scaling.kaplan_loss": {"law": st.just(OMIT)},
    "scaling.parametric_loss": {"law": st.sampled_from(["besiroglu", "chinchilla"])},
    "scaling.inference_aware_optimum": {"law": st.sampled_from(["besiroglu", "chinchilla"])},
    "scaling_fit.fit_loss_law": {
        "params": st.just(np.array([1e8, 3e8, 1e9, 3e9, 1e10, 3e10])),
        "tokens": st.just(np.array([2e9, 6e9, 2e10, 6e10, 2e11, 6e11])),
        "grid": st.none(),
        "n_starts": st.just(2),
        "confidence": num(0.5, 0.99, array=False),
    },
    **{
        f"serving.{n}": {
            "model": fixture("serving_model", BAD_SERVING),
            "prec": fixture("prec", BAD_PREC),
            "dev": fixture("dev", BAD_DEVICE),
            "eff": st.none(),
            "chips": count(1, 8, array=False),
            "batch": count(1, 64, array=False),
        }
        for n in ("decode_step", "max_batch", "memory_per_device_bytes", "prefill_time", "serving_point")
    },
    "serving.roofline_time_s": {"flop": num(1e9, 1e15), "nbytes": num(1e6, 1e11)},
    "substitution.bisect_count": {
        "seconds_at": st.just(lambda: lambda n: 1e6 / n),
        "target_seconds": num(1e3, 1e5, array=False),
        "low": count(1, 10, array=False),
        "high": count(100, 10_000, array=False),
    },
    "substitution.bisect_sizes": {
        "seconds_at": st.just(lambda: lambda n: 1e6 / n),
        "target_seconds": num(1e3, 1e5, array=False),
        "sizes": st.just([8, 64, 512, 4096]),
    },
    "substitution.equal_cost_count": {"granule": count(1, 8, array=False)},
    "substitution.export_blocked": {"classification": st.none() | st.just({"oct2023": {"controlled": False}})},
    "substitution.feasibility": {
        "needs_porting": st.just(()),
        "unknowns": st.just(()),
        "export_reason": st.none(),
        "no_fit_reason": st.none(),
        "batch_note": st.just(""),
        "fits_memory": st.booleans(),
    },
    "substitution.first_count_meeting": {
        "counts": st.just(np.array([8, 16, 32])),
        "seconds": st.just(np.array([400.0, 210.0, 120.0])),
        "target_seconds": num(100, 500),
    },
    "substitution.interpolate_count": {
        "counts": st.just(np.array([8, 16, 32])),
        "seconds": st.just(np.array([400.0, 210.0, 120.0])),
        "target_seconds": num(100, 500),
    },
    "substitution.interpolate_seconds": {
        "counts": st.just(np.array([8, 16, 32])),
        "seconds": st.just(np.array([400.0, 210.0, 120.0])),
        "query_counts": count(8, 32),
    },
    "substitution.pareto_mask": {"objectives": st.just(np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 3.0]]))},
    "substitution.rack_layout": {
        "chips": count(8, 4096, array=False),
        "chips_per_server": st.just(8),
        "server_power_w": num(5e3, 1.2e4, array=False),
    },
    "substitution.two_pool_step": {},
    "uncertainty.as_distribution": {"value": st.sampled_from([(1.0, 2.0), (1.0, 2.0, 3.0), 5.0])},
    "uncertainty.monte_carlo": {
        "model": st.just(lambda: _vector_model),
        "inputs": UNCERTAIN_INPUTS,
        "n": count(1, 200, array=False),
    },
    "uncertainty.tornado": {
        "model": st.just(lambda: _vector_model),
        "inputs": UNCERTAIN_INPUTS,
        "vectorised": st.booleans(),
    },
    "uncertainty.percentiles": {"samples": num(1, 10), "q": st.just((10, 50, 90))},
    "uncertainty.quantiles": {"knots": st.just({0.0: 1.0, 0.5: 2.0, 1.0: 4.0})},
    "uncertainty.sample_inputs": {"inputs": UNCERTAIN_INPUTS, "n": count(1, 200, array=False)},
    "uncertainty.spec_distribution": {
        "value": num(1, 100, array=False),
        "rng_low_high": st.none() | st.just((0.5, 200.0)),
    },
    "workload.parameter_counts": {"w": fixture("workload", BAD_WORKLOAD)},
    "workload.policy_global_batch": {"flops_per_token": st.none()},
    "workload.shape_from_params": {
        "active_params": st.none(),
        "seq": st.none() | count(512, 8192, array=False),
        "vocab": st.none() | count(32000, 128000, array=False),
    },
}
"""Function-specific strategies (keyed ``"module.function"`` then parameter name)."""

SIGNED_RESULTS = {
    "scaling.cagr": "a compound growth rate is negative when the value shrinks",
    "scaling.doubling_time": "a halving (annual growth below 1) is a negative doubling time",
    "fleet.lognormal_from_median_mean": "mu is the log of the median, negative for a median below 1 s",
    "fleet.fit_size_duration_correlation": "a correlation lies in -1..1",
    "money.convert": "an amount of money may be negative (a saving, a refund)",
    "uncertainty.uniform": "a distribution may describe a signed quantity",
    "uncertainty.triangular": "a distribution may describe a signed quantity",
    "uncertainty.percentiles": "the percentiles of signed samples (a saving, an error) are signed",
}
"""Functions whose plain-number result may be negative by definition (function -> reason)."""

NOT_FINITE_BY_DEFINITION = {
    "compat.break_even_chips": "porting that removes no slowdown never pays back: an infinite fleet size",
    "reliability.mtbf_seconds": "with a failure rate of 0 the time between failures is infinite",
    "reliability.optimal_checkpoint_interval": "with an infinite MTBF no checkpoint is needed: an infinite interval",
    "substitution.interpolate_seconds": "NaN outside the grid (no extrapolation), inf where the run does not fit",
    "substitution.interpolate_count": "NaN when no grid point meets the target (the caller reports it)",
    "substitution.first_count_meeting": "NaN when no grid point meets the target (the caller reports it)",
    "substitution.two_pool_step": "break_even_bytes_per_s is infinite when no link makes the second pool pay",
    "export.total_processing_performance": "NaN marks a format the chip lacks: unknown in, unknown out",
    "export.performance_density": "NaN marks an unknown die area or TPP: unknown in, unknown out",
    "uncertainty.percentiles": "NaN when no draw is feasible (every sample NaN)",
}
"""Functions whose result may be NaN or infinite by definition (function -> reason); never negative."""

SIGNED_FIELDS = {
    "fleet.make_jobs": ("result.home", "result.priority"),
    "fleet.generate_jobs": ("result.home", "result.priority"),
}
"""Result fields that hold a sentinel or a rank: a job's ``home`` is -1 for "any pool"; a ``priority`` is
any real number (only the order matters: higher runs first), so it may be negative."""

INFINITE_FIELDS = {
    "fleet.make_jobs": ("result.max_rtt_ms",),
    "fleet.generate_jobs": ("result.max_rtt_ms",),
}
"""Result fields where inf means "no limit" (a job that tolerates any round trip)."""

SLOW = {
    "fleet.simulate": 8,
    "fleet.fit_size_duration_correlation": 8,
    "fleet.generate_jobs": 10,
    "fleet.read_trace": 5,
    "scaling_fit.fit_loss_law": 5,
    "parallelism.layout_grid": 10,
    "performance.step_time": 15,
    "compat.compat_estimate": 10,
    "serving.serving_point": 15,
}
"""Functions that take milliseconds or more per call get fewer examples (function -> examples)."""

EXAMPLES = 25


def strategy_for(function: str, param: inspect.Parameter):
    """The plausible-value strategy of one parameter (None when nothing fits)."""
    if param.name in BY_FUNCTION.get(function, {}):
        return BY_FUNCTION[function][param.name]
    if param.name in BY_NAME:
        return BY_NAME[param.name]
    for pattern, strategy in SUFFIXES:
        if re.search(pattern, param.name):
            return strategy
    if param.default is not param.empty:
        if isinstance(param.default, bool):
            return st.booleans()
        return st.just(OMIT)
    return None


def _parameters(fn):
    return [p for p in inspect.signature(fn).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


@pytest.mark.parametrize("function", [name for name, _ in FUNCTIONS])
def test_every_parameter_has_a_strategy(function):
    """A new public model function is covered: each required parameter has plausible values here."""
    fn = dict(FUNCTIONS)[function]
    missing = [p.name for p in _parameters(fn) if strategy_for(function, p) is None]
    assert not missing, f"{function}: add plausible values for {missing} to BY_NAME or BY_FUNCTION in this file"


def test_the_walk_finds_the_models():
    names = {name for name, _ in FUNCTIONS}
    assert len(names) > 150 and {"power.fleet_power", "compat.stack_profile", "performance.step_time"} <= names


def _draw_call(data, function: str, fn):
    """Positional and keyword arguments for one call: plausible values, one in four replaced by garbage."""
    args, kwargs = [], {}
    for p in _parameters(fn):
        good = strategy_for(function, p)
        if good is None:
            pytest.skip(f"no strategy for {function}({p.name})")  # test_every_parameter_has_a_strategy fails
        optional = p.default is not p.empty
        choice = data.draw(st.integers(0, 5 if optional else 3), label=f"{p.name}?")
        if choice == 0:
            value = data.draw(GARBAGE, label=p.name)
        elif optional and choice >= 4:
            value = OMIT
        else:
            value = data.draw(good, label=p.name)
        if value is OMIT:
            if p.kind is p.POSITIONAL_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD and not optional):
                value = p.default
            else:
                continue
        if p.kind is p.KEYWORD_ONLY or (optional and p.kind is p.POSITIONAL_OR_KEYWORD):
            kwargs[p.name] = value
        else:
            args.append(value)
    return args, kwargs


def _resolve(value):
    """A fixture stand-in (a zero-argument lambda) becomes its object inside the call."""
    if callable(value) and getattr(value, "__name__", "") == "<lambda>" and not inspect.signature(value).parameters:
        return value()
    return value


def check_result(function: str, result) -> list[str]:
    """Paths of NaN, inf or negative physical numbers in ``result``, less the exceptions declared above."""
    bad = bad_numbers(result)
    if function in SIGNED_RESULTS:
        bad = [p for p in bad if "(negative" not in p]
    if function in NOT_FINITE_BY_DEFINITION:
        bad = [p for p in bad if not p.endswith("(not finite)")]
    bad = [p for p in bad if not (p.endswith("(negative)") and p.split(" ")[0] in SIGNED_FIELDS.get(function, ()))]
    return [p for p in bad if not (p.endswith("(not finite)") and p.split(" ")[0] in INFINITE_FIELDS.get(function, ()))]


def call_once(function: str, fn, args, kwargs):
    """Call ``fn``; a SuanliError must be one sentence, a result must pass :func:`check_result`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = fn(*[_resolve(a) for a in args], **{k: _resolve(v) for k, v in kwargs.items()})
        except SuanliError as err:
            message = str(err).strip()
            assert message and "\n" not in message and len(message) < 600, (function, message)
            return
    bad = check_result(function, result)
    assert not bad, (function, args, kwargs, bad[:4])


@pytest.mark.parametrize("function", [name for name, _ in FUNCTIONS])
def test_model_function_any_input(function):
    fn = dict(FUNCTIONS)[function]

    @settings(
        max_examples=examples(SLOW.get(function, EXAMPLES)),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def any_input(data):
        args, kwargs = _draw_call(data, function, fn)
        call_once(function, fn, args, kwargs)

    any_input()


# -- the library calls the bug report reproduced ----------------------------------------------------


def _reproductions():
    import suanli
    from suanli.models import compat
    from suanli.scenarios import substitution as S

    nan = float("nan")
    return {
        "tokens-text": lambda: suanli.estimate("llama2-7b", tokens="1e12", chip=CHIP, count=8),
        "tokens-array": lambda: suanli.estimate("llama2-7b", tokens=np.array([1e12, 2e12]), chip=CHIP, count=8),
        "model-number": lambda: suanli.estimate(123, tokens=1e12, chip=CHIP, count=8),
        "seed-negative": lambda: suanli.uncertain_estimate(
            "llama2-7b", tokens=1e12, chip=CHIP, count=8, samples=10, seed=-1
        ),
        "seed-text": lambda: suanli.uncertain_estimate(
            "llama2-7b", tokens=1e12, chip=CHIP, count=8, samples=10, seed="a"
        ),
        "global-batch-nan": lambda: suanli.estimate("llama2-7b", tokens=1e12, chip=CHIP, count=8, global_batch=nan),
        "substitution-global-batch-nan": lambda: S.compare(
            S.make_goal("llama2-7b", tokens=1e12, global_batch=nan), (CHIP, 256), ["huawei-ascend-910b"], S.Options()
        ),
        "substitution-count-nan": lambda: S.compare(
            S.make_goal("llama2-7b", tokens=1e12), (CHIP, nan), ["huawei-ascend-910b"], S.Options()
        ),
        "stack-profile-none": lambda: compat.stack_profile(None),
    }


@pytest.mark.parametrize("case", sorted(_reproductions()))
def test_reported_bad_library_calls_get_a_sentence(case):
    with pytest.raises(SuanliError) as err:
        _reproductions()[case]()
    message = str(err.value)
    assert 10 < len(message) < 600 and "\n" not in message.strip(), message


# -- every numeric option of every command takes a negative-looking value as its value ---------------


def _numeric_options():
    import argparse

    from suanli.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    found = []
    for command, parser in sorted(sub.choices.items()):
        for action in parser._actions:
            takes_one = (
                action.option_strings
                and action.nargs in (None, "?")
                and not isinstance(
                    action,
                    (
                        argparse._StoreTrueAction,
                        argparse._StoreFalseAction,
                        argparse._HelpAction,
                        argparse._StoreConstAction,
                        argparse._CountAction,
                        argparse._VersionAction,
                    ),
                )
            )
            if takes_one and not action.choices:
                found.append((command, max(action.option_strings, key=len)))
    return found


NUMERIC_OPTIONS = _numeric_options()


def test_the_option_walk_finds_the_numeric_flags():
    assert {("estimate", "--tokens"), ("power", "--count"), ("compat", "--chips")} <= set(NUMERIC_OPTIONS)


@pytest.mark.parametrize("command,flag", NUMERIC_OPTIONS, ids=[f"{c}{f}" for c, f in NUMERIC_OPTIONS])
def test_negative_looking_value_as_its_own_word_reaches_the_command(command, flag):
    """``--flag -1e12`` (two words) is read as the value, never as argparse's "expected one argument"
    (argparse's own rule takes ``-5`` but not ``-1e12``, ``-7B`` or ``-inf``); the unknown last word
    stops the command before it runs."""
    from test_bad_input import run_cli

    code, _, err = run_cli([command, flag, "-1e12", "--help-not-a-flag"])
    assert "expected one argument" not in err, err
    assert "Traceback" not in err and code in (0, 2), (code, err)
