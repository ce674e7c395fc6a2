"""Sweeps: run any scenario over a grid of inputs and get one tidy table back.

A sweep is a scenario name, the inputs held fixed and the inputs varied (their cartesian product is
the grid)::

    from suanli.scenarios.sweep import run_sweep
    table = run_sweep({"scenario": "estimate",
                       "fixed": {"model": "llama2-7b", "tokens": 1e12},
                       "grid": {"chip": ["nvidia-h100-sxm5-80gb", "huawei-ascend-910b"], "count": [64, 128, 256]}})

The same spec as TOML runs from the command line (``suanli sweep SPEC.toml``). Scenarios are
callables in :data:`SCENARIOS` (``estimate``, ``power``, ``substitution``, ``fleet``; ``serving`` when
:mod:`suanli.scenarios.serving` is importable); :func:`register` adds one. Each returns a flat dict of
numbers and words, which becomes the row's output columns.

Cells run in chunks on a local process pool by default (``workers``), or on a Dask cluster when
``client`` (a ``dask.distributed.Client``) or ``scheduler`` (its address) is given: the same spec,
the same table. Progress shows with tqdm (``tqdm.auto``: a bar in a terminal, an ipywidgets bar in a
notebook). With ``results`` (a CSV path) each finished chunk is appended as it completes, and a rerun
skips the cells already there: an interrupted sweep resumes. A cell that raises is recorded with its
error in the ``error`` column and the rest of the sweep finishes.

References: Rocklin 2015, 'Dask: Parallel Computation with Blocked algorithms and Task Scheduling',
SciPy proceedings (dask.distributed); Wickham 2014, 'Tidy Data', J. Stat. Softw. 59(10) (one row per
cell, one column per variable); Hoyer & Hamman 2017, 'xarray: N-D labeled arrays and datasets in
Python', J. Open Res. Softw. 5(1) (the dense-grid view).
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from suanli.errors import InputError, SuanliError
from suanli.validate import require_whole

SCENARIOS: dict[str, Callable[..., dict]] = {}
"""Scenario name to a callable that takes keyword inputs and returns a flat dict of outputs."""


def register(name: str, func: Callable[..., dict]) -> None:
    """Make ``func`` sweepable as ``name`` (it takes keyword inputs and returns a flat dict)."""
    if not callable(func):
        raise InputError(f"scenario {name!r} must be a callable")
    SCENARIOS[str(name)] = func


# -- the bundled scenarios ------------------------------------------------------------------------

_CATALOG = None


def _catalog():
    global _CATALOG
    if _CATALOG is None:
        from suanli.catalog import load_catalog

        _CATALOG = load_catalog()
    return _CATALOG


def estimate_cell(**inputs) -> dict[str, Any]:
    """Training time of a model on a fleet (:func:`suanli.estimate`): days, MFU, step time, layout."""
    from suanli.scenarios.training import estimate

    model = inputs.pop("model", None)
    _bind("estimate", estimate, model, catalog=None, runners_up=0, **inputs)
    e = estimate(model, catalog=_catalog(), runners_up=0, **inputs)
    lay = e.layout
    return {
        "train_days": float(e.train_days),
        "mfu": float(e.mfu),
        "step_time_s": float(e.step_time_s),
        "tokens_per_s": float(e.tokens_per_s),
        "accelerator_hours": float(e.accelerator_hours),
        "goodput": float(e.goodput),
        "memory_gb_per_device": float(e.memory_gb_per_device),
        "layout": " ".join(f"{k}={v}" for k, v in (lay.items() if isinstance(lay, Mapping) else [])),
    }


def _bind(scenario: str, func: Callable[..., Any], *args: Any, **inputs: Any) -> None:
    """Refuse, in one sentence, inputs ``func`` does not take or required ones that are missing."""
    import inspect

    try:
        inspect.signature(func).bind(*args, **inputs)
    except TypeError as err:
        raise InputError(f"the {scenario} scenario cannot take these inputs: {err}") from None


def power_cell(*, chip: str, count: int, hours: float, utilization: float | None = None, **options) -> dict[str, Any]:
    """Power, energy and cost of ``count`` x ``chip`` for ``hours`` (:func:`suanli.scenarios.power.energy_and_cost`)."""
    from suanli.scenarios.power import energy_and_cost

    cat = _catalog()
    rep = energy_and_cost(options, cat.accelerator(chip), count, hours, utilization, catalog=cat)
    keep = (
        "it_power_kw",
        "facility_power_kw",
        "energy_mwh",
        "electricity_cost",
        "hardware_cost",
        "total_cost",
        "currency",
        "co2_t",
        "pue",
    )
    return {k: rep.get(k) for k in keep}


def substitution_cell(*, chip: str, model: str, tokens: float, target_days: float, **options) -> dict[str, Any]:
    """Chips of ``chip`` needed to train ``model`` on ``tokens`` in ``target_days``
    (:func:`suanli.scenarios.substitution.size_candidate`)."""
    from suanli.scenarios import substitution as sub

    goal = sub.make_goal(model, tokens=tokens)
    row = sub.size_candidate(chip, goal, sub.Options(**options), target_days=target_days, catalog=_catalog())
    return {k: v for k, v in row.items() if isinstance(v, (int, float, str, type(None))) and not isinstance(v, bool)}


MAX_POOLS = 10_000
"""The most pools a fleet cell splits its GPUs into (a guard on the simulator's memory, not a physical limit)."""


def fleet_cell(
    *,
    gpus: int,
    pools: int = 1,
    workload: str = "kalos",
    load_fraction: float = 0.5,
    policy: str = "backfill",
    jobs: int = 1000,
    home_split: bool | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """A fleet of ``pools`` equal pools totalling ``gpus`` under a trace-fitted workload
    (:func:`suanli.scenarios.fleet.run_fleet`); jobs stay home when the fleet is split."""
    from suanli.scenarios.fleet import run_fleet

    n = require_whole("pools", pools)
    if n > MAX_POOLS:  # each pool is a Python object in the simulator: millions would exhaust memory
        raise InputError(f"pools must be at most {MAX_POOLS:,} (the simulator holds each pool), got {pools!r}")
    each = require_whole("gpus", gpus) // n
    if each < 1:
        raise InputError(f"{gpus} GPUs cannot make {n} pools")
    split = n > 1 if home_split is None else bool(home_split)
    rep = run_fleet(
        [(f"pool-{i + 1}", each) for i in range(n)],
        workload=workload,
        jobs=jobs,
        load_fraction=load_fraction,
        policy=policy,
        home_split=split,
        max_job_gpus=each,
        seed=seed,
    )
    return {k: v for k, v in rep.summary.items() if k != "policy"}


register("estimate", estimate_cell)
register("power", power_cell)
register("substitution", substitution_cell)
register("fleet", fleet_cell)


def serving_cell(**inputs) -> dict[str, Any]:
    """Serving a model on a chip (:func:`suanli.scenarios.serving.serve`): the replica, latency, chips
    for the demand, power and cost per million output tokens (the result's scalar fields)."""
    import dataclasses

    from suanli.scenarios.serving import serve

    _bind("serving", serve, catalog=None, **inputs)
    res = serve(catalog=_catalog(), **inputs)
    out = res.as_dict() if hasattr(res, "as_dict") else dataclasses.asdict(res)
    return {k: v for k, v in out.items() if isinstance(v, (int, float, str, type(None)))}


def _register_serving() -> None:
    """Register ``serving`` if :mod:`suanli.scenarios.serving` exists (its ``sweep_cell`` if it has one,
    else :func:`serving_cell` around its ``serve``)."""
    import importlib.util

    if "serving" in SCENARIOS or importlib.util.find_spec("suanli.scenarios.serving") is None:
        return
    import importlib

    mod = importlib.import_module("suanli.scenarios.serving")
    func = getattr(mod, "sweep_cell", None)
    if callable(func):
        register("serving", func)
    elif callable(getattr(mod, "serve", None)):
        register("serving", serving_cell)


try:
    _register_serving()
except Exception as _err:  # noqa: BLE001 - a broken optional module must not break the other sweeps
    import warnings

    warnings.warn(f"the serving scenario is not sweepable: {_err}", RuntimeWarning, stacklevel=1)


# -- grids ----------------------------------------------------------------------------------------


def cells(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The grid of a spec as a list of input dicts (``fixed`` merged into every point of ``grid``)."""
    if not isinstance(spec, Mapping):
        raise InputError("a sweep spec must be a table with 'scenario', 'fixed' and 'grid'")
    fixed = spec.get("fixed", {})
    grid = spec.get("grid", {})
    if not isinstance(grid, Mapping) or not isinstance(fixed, Mapping):
        raise InputError("a sweep spec's 'grid' and 'fixed' must be tables of input names")
    fixed = dict(fixed)
    names = list(grid)
    values = []
    for name in names:
        v = grid[name]
        v = list(v) if isinstance(v, (list, tuple)) else [v]
        if not v:
            raise InputError(f"grid input {name!r} has no values")
        values.append(v)
    return [{**fixed, **dict(zip(names, combo))} for combo in itertools.product(*values)]


def check_spec(spec: Mapping[str, Any]) -> str:
    """The scenario name of a valid spec; :class:`InputError` naming what is wrong otherwise."""
    if not isinstance(spec, Mapping):
        raise InputError("a sweep spec must be a table with 'scenario', 'fixed' and 'grid'")
    name = spec.get("scenario")
    if name not in SCENARIOS:
        raise InputError(f"unknown scenario {name!r}; use one of {', '.join(sorted(SCENARIOS))}")
    unknown = set(spec) - {"scenario", "fixed", "grid", "chunk"}
    if unknown:
        raise InputError(f"unknown sweep spec key(s) {', '.join(sorted(unknown))}; use scenario, fixed, grid")
    return name


def load_spec(path) -> dict[str, Any]:
    """A sweep spec from a TOML file (``scenario = ...``, ``[fixed]``, ``[grid]``)."""
    import tomllib

    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        # open() takes an int as a file descriptor: 0 would read (and close) standard input
        raise InputError(f"a sweep spec must be named by a file path, got {path!r}")
    try:
        with open(path, "rb") as fh:
            spec = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"sweep spec {str(path)!r} does not exist") from None
    except (OSError, ValueError, tomllib.TOMLDecodeError) as err:  # ValueError: a NUL byte in the path
        raise InputError(f"cannot read sweep spec {str(path)!r}: {err}") from None
    check_spec(spec)
    return spec


# -- running --------------------------------------------------------------------------------------


def _cell_key(inputs: Mapping[str, Any]) -> str:
    return json.dumps(inputs, sort_keys=True, default=str)


def run_chunk(scenario: str, chunk: list[tuple[int, dict]]) -> list[dict[str, Any]]:
    """Run cells (index, inputs) of one scenario; a cell that raises gives a row with its ``error``."""
    if not isinstance(scenario, str):
        raise InputError(f"scenario must be a scenario name, got {scenario!r}")
    if scenario not in SCENARIOS:  # a fresh worker process: the registry is rebuilt on import
        _register_serving()
    if scenario not in SCENARIOS:
        raise InputError(f"unknown scenario {scenario!r}; use one of {', '.join(sorted(SCENARIOS))}")
    func = SCENARIOS[scenario]
    if isinstance(chunk, (str, bytes)) or not isinstance(chunk, (list, tuple)):
        raise InputError(f"chunk must be a list of (index, inputs) pairs, got {chunk!r}")
    for pair in chunk:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[1], Mapping)):
            raise InputError(f"chunk must be a list of (index, inputs) pairs, got {pair!r}")
    rows = []
    for index, inputs in chunk:
        row: dict[str, Any] = {"cell": index, **inputs}
        try:
            out = func(**dict(inputs))
            row.update(out)
            row["error"] = ""
        except SuanliError as err:
            row["error"] = str(err)
        except Exception as err:  # noqa: BLE001 - recorded, the sweep goes on
            row["error"] = f"{type(err).__name__}: {err}"
        rows.append(row)
    return rows


def _progress(total: int, initial: int, show: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, disable=not show, unit="cell", desc="sweep", leave=True)


def _read_partial(path: Path):
    import pandas as pd

    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read partial results {str(path)!r}: {err}") from None


def run_sweep(
    spec: Mapping[str, Any],
    *,
    workers: int | None = None,
    client=None,
    scheduler: str | None = None,
    results=None,
    progress: bool = True,
    chunk: int | None = None,
):
    """Run every cell of ``spec`` and return a tidy pandas DataFrame (one row per cell, sorted by ``cell``).

    Parameters
    ----------
    spec : mapping
        ``scenario`` (a name in :data:`SCENARIOS`), ``fixed`` (inputs for every cell), ``grid`` (input ->
        list of values; the cells are their cartesian product).
    workers : int, optional
        Local processes (default: the machine's cores; 1 runs in this process).
    client : dask.distributed.Client, optional
        Run the chunks on this Dask cluster instead.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``) to connect a client to.
    results : path, optional
        CSV that receives each finished chunk; cells already in it are not run again (resume).
    progress : bool, default True
        Show a tqdm bar.
    chunk : int, optional
        Cells per task (default: about 8 tasks per worker, at most 500 cells).
    """
    import pandas as pd

    name = check_spec(spec)
    todo = list(enumerate(cells(spec)))
    path = Path(results) if results is not None else None
    done_frames = []
    if path is not None:
        partial = _read_partial(path)
        if partial is not None and "cell" in partial:
            done = set(partial["cell"].astype(int))
            todo = [(i, c) for i, c in todo if i not in done]
            done_frames.append(partial)
    total = len(todo) + sum(len(f) for f in done_frames)
    own_client = None
    if client is None and scheduler is not None:
        from distributed import Client

        try:
            client = own_client = Client(scheduler, timeout="10s")
        except (OSError, ValueError, TypeError) as err:  # unreachable, or not an address distributed can parse
            raise InputError(f"cannot reach the Dask scheduler at {scheduler!r}: {err}") from None
    n_workers = workers or (
        len(client.scheduler_info().get("workers", {})) if client is not None else os.cpu_count() or 1
    )
    n_workers = max(int(n_workers), 1)
    size = int(chunk or spec.get("chunk") or max(1, min(500, math.ceil(len(todo) / (8 * n_workers)))))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    new_rows: list[dict] = []
    bar = _progress(total, total - len(todo), progress)

    def collect(rows):
        new_rows.extend(rows)
        bar.update(len(rows))
        if path is not None:
            frame = pd.DataFrame(rows)
            header = not path.exists() or path.stat().st_size == 0
            if not header:  # keep the file's columns; new ones go to the end
                cols = list(pd.read_csv(path, nrows=0).columns)
                extra = [c for c in frame.columns if c not in cols]
                if extra:
                    old = pd.read_csv(path, keep_default_na=False, na_values=[""])
                    pd.concat([old, frame], ignore_index=True).to_csv(path, index=False)
                    return
                frame = frame.reindex(columns=cols)
            frame.to_csv(path, mode="a", header=header, index=False)

    try:
        if client is not None:
            from distributed import as_completed

            futures = [client.submit(run_chunk, name, c, pure=False) for c in chunks]
            for fut in as_completed(futures):
                collect(fut.result())
        elif n_workers == 1 or len(chunks) <= 1:
            for c in chunks:
                collect(run_chunk(name, c))
        else:
            from concurrent.futures import ProcessPoolExecutor
            from concurrent.futures import as_completed as done_order

            with ProcessPoolExecutor(max_workers=n_workers) as pool:
                futures = [pool.submit(run_chunk, name, c) for c in chunks]
                for fut in done_order(futures):
                    collect(fut.result())
    finally:
        bar.close()
        if own_client is not None:
            own_client.close()
    frames = done_frames + ([pd.DataFrame(new_rows)] if new_rows else [])
    if not frames:
        return pd.DataFrame(columns=["cell", "error"])
    table = pd.concat(frames, ignore_index=True)
    if "error" in table:
        table["error"] = table["error"].fillna("")
    return table.sort_values("cell", kind="stable").reset_index(drop=True)


def to_xarray(table, spec: Mapping[str, Any], variable: str | None = None):
    """The dense-grid view of a sweep: an ``xarray.Dataset`` with one dimension per grid input."""
    import pandas as pd
    import xarray as xr

    if not isinstance(table, pd.DataFrame):
        raise InputError(f"table must be the DataFrame run_sweep returned, got {type(table).__name__}")
    if not isinstance(spec, Mapping) or not isinstance(spec.get("grid", {}), Mapping):
        raise InputError("a sweep spec must be a table with 'scenario', 'fixed' and 'grid'")
    dims = list(spec.get("grid", {}))
    if not dims:
        raise InputError("a sweep with no grid inputs has no dimensions")
    absent = [d for d in dims if d not in table.columns]
    if absent:
        raise InputError(f"the table has no column for the grid input(s) {', '.join(map(str, absent))}")
    data = table.set_index(dims)
    if variable is not None and variable not in data.columns:
        raise InputError(f"no output {variable!r} in the table; outputs: {', '.join(map(str, data.columns))}")
    fixed = spec.get("fixed", {})
    cols = [variable] if variable else [c for c in data.columns if c not in ("cell",) and c not in fixed]
    return xr.Dataset.from_dataframe(data[cols])
