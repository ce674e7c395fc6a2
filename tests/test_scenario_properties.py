"""Every public entry point of the scenario layer and the top-level API, called with anything: a result or one suanli sentence.

The same property as tests/test_model_properties.py, over what a user calls above the models: every
public function of every module in :mod:`suanli.scenarios` (subpackages included), every function
``suanli`` exports (``suanli.estimate``, ``suanli.uncertain_estimate`` ...), the number formatting in
:mod:`suanli.present` and the public methods of a loaded :class:`suanli.catalog.Catalog`. They are
found by walking (:func:`public_entry_points`), so a new function is covered without touching this
file unless one of its parameters has a name nothing here can guess a value for
(:func:`test_every_parameter_has_a_strategy` then says which).

Each call is drawn from the function's signature with test_model_properties' machinery (its
strategies by parameter name and unit suffix, its :data:`~test_model_properties.GARBAGE` one time in
four, its :func:`~test_model_properties.check_result`); the scenario objects (a Goal, Options,
SiteTerms, an Estimate, a backtest result, a sweep spec, catalog objects) come from :func:`objects`,
built from bundled data, sometimes with one field made bad. A function that cannot sensibly be drawn
for is in :data:`SKIPPED`, with its reason; a result that may be negative or infinite by definition is
in :data:`SIGNED_RESULTS` or :data:`NOT_FINITE_BY_DEFINITION`, with its reason.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil

import numpy as np
import pytest
from hypothesis import strategies as st
from test_model_properties import (
    BAD_HARDWARE,
    BAD_WORKLOAD,
    CHIP,
    NAN,
    OMIT,
    _parameters,
    check_result,
    count,
    draw_and_call,
    fixture,
    fixtures,
    num,
    strategy_for,
)

import suanli
import suanli.present
import suanli.scenarios
from suanli.scenarios import runlevel

OTHER = "huawei-ascend-910b"
INF = float("inf")


# -- what is covered -------------------------------------------------------------------------------


def _module_functions(module) -> list[tuple[str, object]]:
    return [
        (name, fn)
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    ]


@functools.cache
def catalog():
    return suanli.load_catalog()


def public_entry_points() -> list[tuple[str, object]]:
    """``(key, function)`` for every public function of :mod:`suanli.scenarios` (``scenarios.MODULE.NAME``),
    every function ``suanli`` exports (``suanli.NAME``; such a function is not listed again under its
    module), every public function of :mod:`suanli.present` (``present.NAME``) and every public method
    of a loaded catalog (``Catalog.NAME``, bound)."""
    top = {f"suanli.{name}": getattr(suanli, name) for name in suanli.__all__}
    top = {key: value for key, value in top.items() if inspect.isfunction(value)}
    exported = {id(fn) for fn in top.values()}
    found = list(top.items())
    for info in pkgutil.walk_packages(suanli.scenarios.__path__, "suanli.scenarios."):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        short = info.name.removeprefix("suanli.")
        found += [(f"{short}.{name}", fn) for name, fn in _module_functions(module) if id(fn) not in exported]
    found += [(f"present.{name}", fn) for name, fn in _module_functions(suanli.present)]
    cat = catalog()
    found += [
        (f"Catalog.{name}", getattr(cat, name))
        for name, _ in inspect.getmembers(type(cat), inspect.isfunction)
        if not name.startswith("_")
    ]
    return sorted(found, key=lambda item: item[0])


SKIPPED = {
    "scenarios.sweep.run_sweep": "starts a process pool (or a Dask cluster) and may append to a results CSV; "
    "its inputs are checked by tests/test_sweep.py and the sweep command's property in tests/test_properties.py",
    "scenarios.sweep.register": "changes the module's scenario registry for the rest of the session "
    "(a registration, not a computation); its one check (a callable) is tested in tests/test_sweep.py",
    "scenarios.step_backtest.calibrate": "a grid fit over every bundled step row: 7 to 10 s per call",
    "scenarios.fleet.validate": "simulates two trace-fitted clusters for two weeks each: about 10 s per call",
}
"""Public functions this file does not call (function -> why)."""

ALL = public_entry_points()


def test_the_walk_finds_the_entry_points():
    names = {key for key, _ in ALL}
    assert len(names) > 150
    assert {
        "suanli.estimate",
        "suanli.uncertain_estimate",
        "scenarios.substitution.sizing.compare",
        "scenarios.serving.serve",
        "present.money",
        "Catalog.accelerator",
    } <= names
    assert "scenarios.training.estimate" not in names  # the same function as suanli.estimate: covered once


def test_the_skip_list_names_only_real_functions():
    real = {key for key, _ in ALL}
    assert set(SKIPPED) <= real and set(ADAPTERS) <= real, sorted((set(SKIPPED) | set(ADAPTERS)) - real)


# -- the objects scenario functions take -----------------------------------------------------------


@functools.cache
def objects() -> dict[str, object]:
    """Valid scenario objects, built once from bundled data (plus test_model_properties' :func:`fixtures`)."""
    import pandas as pd

    from suanli.frameworks import resolve
    from suanli.scenarios import backtest, claims, serving_backtest, step_backtest, training
    from suanli.scenarios import substitution as S
    from suanli.scenarios.uncertainty import cost_inputs, uncertain_estimate

    cat = catalog()
    goal = S.make_goal("llama2-7b", tokens=1e12)
    options = S.Options()
    est = training.estimate("llama2-7b", tokens=1e12, chip=CHIP, count=64, catalog=cat)
    terms = S.site_terms(S.Options(site="cn-gansu-qingyang"), cat)
    ranged = uncertain_estimate("llama2-7b", tokens=1e12, chip=CHIP, count=64, samples=50, catalog=cat)
    acc = cat.accelerator(CHIP)
    energy = suanli.scenarios.power.energy_and_cost({}, acc, 64, 100.0, catalog=cat)
    _, cost_context = cost_inputs(acc, {}, energy, catalog=cat)
    return {
        **fixtures(),
        "catalog": cat,
        "goal": goal,
        "options": options,
        "rental_options": S.Options(cost_basis="rental", currency="USD"),
        "site_options": S.Options(site="cn-gansu-qingyang"),
        "terms": terms,
        "est": est,
        "ranged": ranged,
        "energy": energy,
        "cost_context": cost_context,
        "site": cat.site("cn-gansu-qingyang"),
        "link": cat.link("nvidia-nvlink4"),
        "curve": S.fleet_curve("nvidia-h20", goal, catalog=cat),
        "econ": S.economics(acc, np.array([64.0]), np.array([30.0]), options, terms),
        "backtest": backtest.run(catalog=cat),
        "run_rows": backtest.load_runs(),
        "step_rows": step_backtest.load_rows(),
        "serving_rows": serving_backtest.load_rows(),
        "checks": [claims.gpt3_compute(), claims.compute_doubling()],
        "prof": resolve("megatron-lm", cat),
        "stack": cat.stack("rocm"),
        "sweep_table": pd.DataFrame(
            [{"cell": 0, "count": 64, "train_days": 2.0}, {"cell": 1, "count": 128, "train_days": 1.1}]
        ),
    }


def _run_items():
    """Run-level items as :func:`suanli.scenarios.runlevel.apply` returns them (a production run)."""
    res = {"ideal_days": 10.0, "checkpoint_s": 60.0, "micro_batches": 8, "tokens_per_step": 4e6}
    return runlevel.apply(res, runlevel.settings(), count=64, tokens=1e12, pipeline_stages=4, interleave=1)


def obj(key: str, bad_fields: dict | None = None):
    """One of :func:`objects` as a strategy, sometimes with one field made bad (see ``fixture``)."""
    return fixture(key, bad_fields, source=objects)


BAD_GOAL = {
    "tokens": NAN,
    "workload": None,
    "global_batch": 0,
    "deadline_days": -1.0,
    "budget": INF,
    "precision": "fp3",
}
BAD_OPTIONS = {
    "site": "no-such-site",
    "currency": "EUR",
    "pue": 0.5,
    "cost_basis": "free",
    "utilization": 2.0,
    "rack_power_kw": 0.0,
    "supply_units_per_year": {CHIP: -1.0},
}
BAD_TERMS = {"pue": NAN, "price_kwh": -1.0, "utilization": 3.0, "pue_range": None}
BAD_ESTIMATE = {"train_days": NAN, "count": 0, "layout": None}
BAD_ACCELERATOR = {"bf16_tflops": NAN, "tdp_w": -700.0, "hbm_gb": 0.0}

CHIPS = st.sampled_from([CHIP, OTHER, "nvidia-h20", "nvidia-a100-sxm4-80gb", "no-such-chip"])
MODELS = st.sampled_from(["llama2-7b", "gpt3-175b", "mixtral-8x7b", "no-such-model"])
GOAL = obj("goal", BAD_GOAL)
OPTIONS = obj("options", BAD_OPTIONS) | obj("rental_options") | obj("site_options")
POWER_OPTIONS = st.sampled_from(
    [
        {},
        {"site": "cn-gansu-qingyang"},
        {"pue": 1.2, "price_kwh": 0.1, "currency": "USD"},
        {"site": "no-such-site"},
        {"pue": 0.5},
        {"rental_per_hour": {CHIP: 2.0}},
        {"nonsense": 1},
    ]
)
ACCELERATOR = obj("acc", BAD_ACCELERATOR) | obj("acc2")
SITE_SPECS = st.sampled_from(
    [
        lambda: [catalog().site("cn-gansu-qingyang"), catalog().site("cn-yangtze-delta")],
        lambda: [catalog().site("cn-ningxia-zhongwei")],
        lambda: [],
        ["cn-gansu-qingyang"],
    ]
)
ROWS_OF_NUMBERS = st.just([{"chip": CHIP, "cost": 1.5e6, "train_days": 12.0, "chips_needed": 64}, {"chip": OTHER}])

BY_NAME: dict[str, object] = {
    "model": MODELS,
    "chip": CHIPS,
    "acc": ACCELERATOR,
    "accelerator": ACCELERATOR,
    "candidates": st.lists(CHIPS, min_size=1, max_size=2),
    "chips": st.lists(CHIPS, min_size=1, max_size=2),
    "goal": GOAL,
    "options": OPTIONS,
    "terms": obj("terms", BAD_TERMS),
    "est": obj("est", BAD_ESTIMATE),
    "w": fixture("workload", BAD_WORKLOAD),
    "hw": fixture("hardware", BAD_HARDWARE),
    "catalog": st.just(OMIT) | st.just(lambda: catalog()),
    "cat": st.just(lambda: catalog()),
    "precision": st.sampled_from(["bf16", "fp8", "fp16", "int4", "fp3"]),
    "kv_precision": st.none() | st.sampled_from(["fp8", "bf16", "fp3"]),
    "site": st.none() | st.sampled_from(["cn-gansu-qingyang", "us-virginia", "no-such-site"]),
    "sites": st.sampled_from([["cn-gansu-qingyang", "cn-yangtze-delta"], ["no-such-site"], []]),
    "workload": st.sampled_from(["seren", "kalos", "philly", "nope"]),
    "pools": st.sampled_from([[("a", 64)], [("a", 32), ("b", 16)], [("a", 0)], []]),
    "rows": ROWS_OF_NUMBERS,
    "columns": st.sampled_from([["chip", "cost", "train_days"], ["chip", "missing"], []]),
    "key": st.sampled_from(["cost", "chips_needed", "train_days", "energy_mwh", "", "chip"]),
    "metric": st.sampled_from(["accelerator_hours", "iteration_time_s", "mfu", "tokens_per_s_per_device", "nope"]),
    "predicted": num(1e-3, 1e6),
    "reported": num(1e-3, 1e6),
    "text": st.sampled_from([f"{CHIP}:64", "300B", "1.5T", "7e9", f"{CHIP}:", "abc", ":8", "x:y:z"]),
    "p": num(0.0, 1.0),
    "point": num(1, 100),
    "link": obj("link"),
    "link_id": st.sampled_from(["nvidia-nvlink4", "ib-ndr", "no-such-link"]),
    "obj_id": st.sampled_from([CHIP, OTHER, "nvidia-nvlink4", "rocm", "cn-gansu-qingyang", "no-such-id"]),
    "ids": st.lists(st.sampled_from([CHIP, OTHER, "no-such-id"]), min_size=1, max_size=2),
    "kind": st.sampled_from(["accelerators", "links", "stacks", "sites", "nope"]),
    "vendor": st.none() | st.sampled_from(["nvidia", "huawei", "nope"]),
    "spec": st.sampled_from(
        [
            {"scenario": "estimate", "fixed": {"model": "llama2-7b", "tokens": 1e12}, "grid": {"count": [64, 128]}},
            {"scenario": "power", "fixed": {"chip": CHIP, "hours": 10.0}, "grid": {"count": [8]}},
            {"scenario": "nope", "grid": {}},
            {"scenario": "estimate", "grid": {"count": []}},
        ]
    ),
    "result": obj("backtest"),
    "row": st.just(lambda: objects()["run_rows"][0]),
    "title": st.sampled_from(["A table", ""]),
    "basis": st.none() | st.sampled_from(["capex", "amortised", "rental", "nope"]),
    "includes": st.none() | st.just(["capex", "electricity"]),
    "unit": st.sampled_from(["W", "s", ""]),
    "where": st.sampled_from(["datasheet", "catalog"]),
    "fmt": st.none(),
    "items": st.just([1, 2, 3]),
    "ideal_days": num(0.1, 1e3, array=False),
    "run": st.sampled_from([lambda: runlevel.settings(), lambda: runlevel.settings("benchmark"), {}]),
    "centre": st.sampled_from(["shanghai", "beijing", "nowhere"]),
    "reference": st.sampled_from([(CHIP, 256), (OTHER, 64), (CHIP, 0)]),
    "home_split": st.booleans(),
    "capacity_gpus": count(8, 1024, array=False),
    "counts": st.just(np.array([64, 128, 256])),
    "curve": obj("curve"),
    "econ": st.just(lambda: objects()["econ"]),
    "fits": st.booleans(),
    "price_kwh": st.none() | num(0.01, 1.0, array=False),
    "needs_outside_inputs": st.booleans(),
    "reproduced": st.booleans(),
    "bytes_per_token": num(2, 6),
    "cost_usd": num(1e5, 1e8),
    "sustained_flops_per_gpu": num(1e13, 1e15),
    "price_usd_per_gpu_hour": num(0.5, 5),
    "nodes": count(1, 64, array=False),
    "wan_gbs": num(1, 1e3, array=False),
    "path": st.sampled_from(["no-such-spec.toml", "."]),
    "scenario": st.sampled_from(["estimate", "power", "nope"]),
    "chunk": st.just([(0, {"model": "llama2-7b", "tokens": 1e12, "chip": CHIP, "count": 64})]),
    "table": st.just(lambda: objects()["sweep_table"]),
    "mat": st.just(np.array([[0.2, -0.1], [0.1, -0.3], [0.05, -0.2]])),
    "source": st.just(lambda: catalog().accelerator(CHIP).sources["bf16_tflops"]),
    "out": st.just({"slowdown_p10": 1.1, "slowdown_p50": 1.2, "slowdown_p90": 1.4}),
    "layout": st.sampled_from([{"tp": 1, "pp": 1, "dp": 64, "micro_batch": 1}, {"tp": 0}, {}]),
    "nominal": st.just({}),
    "report": st.just(lambda: objects()["energy"]),
    "profile": st.just(lambda: objects()["profile"]),
    "op_shares": st.none() | st.just({"gemm": 0.6, "attention": 0.2}),
    "stack": st.sampled_from([lambda: catalog().stack("rocm"), "rocm", None]),
    "smodel": fixture("serving_model"),
    "prof": st.just(lambda: objects()["prof"]),
    "res": st.just(lambda: {"ideal_days": 10.0, "checkpoint_s": 60.0, "micro_batches": 8, "tokens_per_step": 4e6})
    | st.just({}),
    "run_block": st.just(lambda: objects()["est"].run) | st.just({}),
    "pool_a": st.sampled_from([(CHIP, 64), (OTHER, 0)]),
    "pool_b": st.sampled_from([(OTHER, 64), ("no-such-chip", 8)]),
    "data": ROWS_OF_NUMBERS,
    "func": st.none(),
}
"""Plausible values by parameter name for the scenario layer (a function-specific one in :data:`BY_FUNCTION` wins;
anything not here falls back to test_model_properties' :func:`~test_model_properties.strategy_for`)."""

BY_FUNCTION: dict[str, dict[str, object]] = {
    "scenarios.chip_comparison.comparison_table": {"chips": st.lists(CHIPS, min_size=1, max_size=2)},
    "scenarios.compat.compat_for": {"chips": st.none() | count(8, 1024, array=False)},
    "scenarios.training.preset": {"name": MODELS},
    "scenarios.substitution.mixed.mixed_fleet": {"link": st.sampled_from(["roce-400g", "cross-site-fibre", "nope"])},
    "scenarios.fleet.make_pool": {"name": st.sampled_from(["a", ""])},
    "scenarios.substitution.sensitivity.sensitivity": {
        "output": st.sampled_from(["chips_needed", "cost", "train_days", "nope"])
    },
    "scenarios.backtest.group_errors": {"rows": st.just(lambda: objects()["backtest"].rows)},
    "scenarios.backtest.log_errors_at": {"rows": st.just(lambda: objects()["backtest"].rows)},
    "scenarios.backtest.predict": {"row": st.just(lambda: objects()["run_rows"][0])},
    "scenarios.step_backtest.predict": {"row": st.just(lambda: objects()["step_rows"][0])},
    "scenarios.step_backtest.summarise": {
        "rows": st.just(
            [
                {"error": 0.1, "loo_error": 0.15, "paper": "a", "framework": "megatron-lm", "family": "hopper"},
                {"error": -0.2, "loo_error": -0.1, "paper": "b", "framework": "deepspeed", "family": "ampere"},
            ]
        )
    },
    "scenarios.step_backtest.run": {"rows": st.none() | st.just(lambda: objects()["step_rows"][:2])},
    "scenarios.backtest.run": {"rows": st.none() | st.just(lambda: objects()["run_rows"][:2])},
    "scenarios.serving_backtest.predict": {
        "row": st.sampled_from([lambda: objects()["serving_rows"][0], lambda: objects()["serving_rows"][-1]]),
        "params": st.none() | st.just({"moe_efficiency": 0.6}),
    },
    "scenarios.serving.smodel_label": {"smodel": fixture("serving_model")},
    "scenarios.serving.precision_formats": {"precision": st.sampled_from(["bf16", "fp8", "int4", "fp3"])},
    **{f"scenarios.power.{name}": {"sites": SITE_SPECS} for name in ("cheapest_site", "cost_by_site", "site_records")},
    "scenarios.power.site_currency": {"site": obj("site")},
    "scenarios.power.site_price_per_kwh": {"site": obj("site")},
    "scenarios.claims.table": {"checks": st.none() | st.just(lambda: objects()["checks"])},
    "scenarios.runlevel.summary": {"items": st.just(lambda: _run_items()) | st.just({})},
    "scenarios.uncertainty.make_model": {"workload": fixture("workload", BAD_WORKLOAD)},
    "scenarios.uncertainty.compat_inputs": {"profile": st.just(lambda: objects()["profile"])},
    "present.percentile_rows": {"result": obj("ranged")},
    "present.summary_html": {"result": obj("ranged")},
    "present.inputs_html": {"result": obj("ranged")},
    "present.range_text": {"p": st.just({"p10": 1.0, "p50": 2.0, "p90": 3.0})},
    "scenarios.uncertainty.range_text": {"p": st.just({"p10": 1.0, "p50": 2.0, "p90": 3.0})},
    "Catalog.record": {
        "spec": st.sampled_from([lambda: catalog().accelerator(CHIP), lambda: catalog().site("cn-gansu-qingyang")])
    },
    "Catalog.frame": {"kind": st.sampled_from(["accelerators", "links", "stacks", "sites", "nope"])},
    "Catalog.records": {"kind": st.sampled_from(["accelerators", "links", "stacks", "sites", "nope"])},
}
"""Function-specific strategies (keyed like :func:`public_entry_points`, then parameter name)."""


def scenario_strategy(function: str, param: inspect.Parameter):
    """The plausible-value strategy of one parameter (None when nothing fits)."""
    if param.name in BY_FUNCTION.get(function, {}):
        return BY_FUNCTION[function][param.name]
    if param.name in BY_NAME:
        return BY_NAME[param.name]
    return strategy_for(f"scenario-layer:{function}", param)  # the model file's names and suffixes


SIGNED_RESULTS = {
    "scenarios.backtest.time_error": "a signed relative error: negative when the model is fast",
    "scenarios.step_backtest.error": "a signed relative error: negative when the model is fast",
    "scenarios.backtest.log_errors_at": "log(1 + error) is negative where the model is fast",
    "present.significant": "rounding keeps the sign of the value it rounds",
    "scenarios.claims.idc_china_cagr": "a claimed compound growth rate is negative for a shrinking market",
    "present.parse_scaled": "it parses what was typed, sign included (the caller checks the range: the CLI's "
    "'--tokens=-1e12' gets its own sentence)",
}
"""Functions whose result may be negative by definition (function -> reason)."""

NOT_FINITE_BY_DEFINITION = {
    "scenarios.substitution.sizing.point": "a fleet the model does not fit in has inf seconds per token and a NaN "
    "MFU, with the reason in its `reason` field",
    "scenarios.interconnect.wan_needed_gbs": "inf when no WAN on the grid keeps the slowdown within the limit",
    "scenarios.substitution.costs.economics": "a fleet that does not fit takes forever (inf days) and a goal no "
    "size meets has NaN chips: the energy and cost of such a row are inf or NaN, as the table shows",
    "present.significant": "a NaN or an infinity is returned as it is (rounding cannot make a missing value finite)",
}
"""Functions whose result may be NaN or infinite by definition (function -> reason)."""

SIGNED_FIELDS = {
    # models.fleet.FleetResult: a job that never ran has pool -1
    "scenarios.fleet.east_data_west_compute": ("result.result.pool",),
    "scenarios.fleet.run_fleet": ("result.result.pool",),
}
"""Result fields that may be negative by definition (function -> paths)."""

NO_FAILURES = ("result.mtbf_s", "result.checkpoint_interval_s", "result.mtbf_h")
"""With a failure rate of 0 the time between failures (and the checkpoint interval) is infinite."""

INFINITE_FIELDS: dict[str, tuple[str, ...]] = {
    "scenarios.runlevel.apply": NO_FAILURES,
    "scenarios.runlevel.summary": NO_FAILURES,
    # a job that fits in no pool it may use never runs: its start and end are NaN (models.fleet.FleetResult)
    "scenarios.fleet.east_data_west_compute": ("result.result.start_s", "result.result.end_s"),
    "scenarios.fleet.run_fleet": ("result.result.start_s", "result.result.end_s"),
}
"""Result fields where NaN or inf is a verdict, not a failure (function -> paths)."""


def check_scenario_result(function: str, result) -> list[str]:
    return check_result(
        function,
        result,
        signed_results=SIGNED_RESULTS,
        not_finite=NOT_FINITE_BY_DEFINITION,
        signed_fields=SIGNED_FIELDS,
        infinite_fields=INFINITE_FIELDS,
    )


def _estimate_cell(model, *, tokens, chip, count, global_batch=None):
    """:func:`suanli.scenarios.sweep.estimate_cell` (it takes ``**inputs``) with named inputs to draw."""
    from suanli.scenarios.sweep import estimate_cell

    return estimate_cell(model=model, tokens=tokens, chip=chip, count=count, global_batch=global_batch)


def _serving_cell(model, chip, *, count=None, batch=None, qps=None):
    """:func:`suanli.scenarios.sweep.serving_cell` (it takes ``**inputs``) with named inputs to draw."""
    from suanli.scenarios.sweep import serving_cell

    return serving_cell(model=model, chip=chip, count=count, batch=batch, qps=qps)


def _claims_quick(*, seed=0, jobs=200):
    """:func:`suanli.scenarios.fleet.claims` with a short job stream by default (its own default, 1,500 jobs,
    takes about 4 s a call); every value drawn still reaches the function."""
    from suanli.scenarios.fleet import claims

    return claims(seed=seed, jobs=jobs)


ADAPTERS = {
    "scenarios.fleet.claims": _claims_quick,
    "scenarios.sweep.estimate_cell": _estimate_cell,
    "scenarios.sweep.serving_cell": _serving_cell,
}
"""Functions called through a stand-in (function -> stand-in): a faster default, or named inputs for a
function that takes ``**inputs``."""

FUNCTIONS = [(key, ADAPTERS.get(key, fn)) for key, fn in ALL if key not in SKIPPED]

SLOW = {
    "suanli.load_catalog": 4,  # refresh=True rebuilds the catalog from every plugin: about a second
    "scenarios.fleet.claims": 4,  # three fleet simulations per call
}
"""Functions that take tens of milliseconds or more per call get fewer examples (function -> examples)."""

EXAMPLES = 15


@pytest.mark.parametrize("function", [key for key, _ in FUNCTIONS])
def test_every_parameter_has_a_strategy(function):
    fn = dict(FUNCTIONS)[function]
    missing = [p.name for p in _parameters(fn) if scenario_strategy(function, p) is None]
    assert not missing, f"{function}: add plausible values for {missing} to BY_NAME or BY_FUNCTION in this file"


def test_the_objects_build():
    """Every object a draw uses builds (a fixture that raised would make every draw a refusal)."""
    assert all(value is not None for value in objects().values()), [k for k, v in objects().items() if v is None]


@pytest.mark.parametrize("function", [key for key, _ in FUNCTIONS])
def test_entry_point_any_input(function):
    """Any drawn call gives a result (finite, non-negative but where declared) or one suanli sentence."""
    fn = dict(FUNCTIONS)[function]
    draw_and_call(function, fn, SLOW.get(function, EXAMPLES), scenario_strategy, check_scenario_result)
