"""Fleets and hubs: how busy a fleet is, how long jobs wait, and what the press claims about it imply.

The question layer over the SimPy simulator in :mod:`suanli.models.fleet`:

- :func:`run_fleet` builds pools from catalog chips and sites, a job stream fitted to a public trace's
  summary (or read from a trace CSV) at a demand level, runs a policy and returns a :class:`FleetReport`;
- :func:`validate` runs the trace-fitted workload on the trace's cluster and compares the statistics it
  was *not* fitted on (queueing delay) with the published ones, each with the bound it must meet;
- :func:`claims` turns the seed documents' utilisation and scheduling claims into scenarios with
  computed verdicts;
- :func:`east_data_west_compute` is the worked case: train in the west, serve in the east.

Workloads are fitted on job counts, GPU counts per job (mean, median, max), run times (median, mean,
max) and GPU-time totals of the AcmeTrace summary (Hu et al. 2024, NSDI'24, ``data/cluster_summary.csv``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from suanli.errors import InputError
from suanli.scenarios._checks import BOOLEAN, ONE_SHARE
from suanli.validate import (
    ONE_COUNT,
    ONE_NON_NEGATIVE,
    ONE_POSITIVE,
    SEED,
    TEXT,
    checked,
    optional,
    require_positive,
    require_whole,
    sequence,
)

WORKLOADS = ("seren", "kalos", "philly", "helios", "pai")
"""Trace summaries a job stream can be fitted to (rows of ``data/cluster_traces.csv``)."""


@lru_cache(maxsize=1)
def trace_summaries():
    """The public trace summaries with their sources, as a pandas DataFrame indexed by lower-case cluster."""
    import pandas as pd

    with resources.files("suanli").joinpath("data/cluster_traces.csv").open() as fh:
        df = pd.read_csv(fh)
    df.index = df["cluster"].str.lower()
    return df


@lru_cache(maxsize=16)
def workload_fit(name: str) -> dict[str, Any]:
    """The job-stream parameters fitted to one trace's summary (sizes, run times, size/run-time copula)."""
    from suanli.models import fleet as F

    df = trace_summaries()
    key = str(name).lower()
    if key not in df.index:
        raise InputError(f"unknown workload {name!r}; use one of {', '.join(WORKLOADS)}")
    r = df.loc[key]
    mean_g = max(float(r["avg_gpu_num"]), 1.0)
    values, probs = F.size_distribution(mean_g, max(float(r["med_gpu_num"]), 1.0), float(r["max_gpu"]))
    mu, sigma = F.lognormal_from_median_mean(float(r["med_run_time_gpu_s"]), float(r["avg_run_time_gpu_s"]))
    total = r[["complete_gpu_time_s", "cancel_gpu_time_s", "fail_gpu_time_s"]].sum(min_count=3)
    rho = 0.0
    if np.isfinite(total):
        rho = F.fit_size_duration_correlation(
            float(total) / float(r["gpu_job_num"]), values, probs, mu, sigma, float(r["max_run_time_gpu_s"])
        )
    mean_gpu_s = (
        float(total) / float(r["gpu_job_num"]) if np.isfinite(total) else mean_g * float(r["avg_run_time_gpu_s"])
    )
    return {
        "mean_gpus": mean_g,
        "median_gpus": max(float(r["med_gpu_num"]), 1.0),
        "max_gpus": float(r["max_gpu"]),
        "median_run_s": float(r["med_run_time_gpu_s"]),
        "mean_run_s": float(r["avg_run_time_gpu_s"]),
        "max_run_s": float(r["max_run_time_gpu_s"]),
        "correlation": rho,
        "mean_gpu_s_per_job": mean_gpu_s,
    }


@checked(
    name=TEXT,
    jobs=ONE_COUNT,
    capacity_gpus=ONE_COUNT,
    load_fraction=ONE_POSITIVE,
    max_job_gpus=optional(ONE_COUNT),
    seed=SEED,
)
def workload_jobs(
    name: str,
    jobs: int,
    *,
    capacity_gpus: int,
    load_fraction: float,
    max_job_gpus: int | None = None,
    seed: int = 0,
    **job_columns,
):
    """A job stream fitted to trace ``name`` whose offered load is ``load_fraction`` of ``capacity_gpus``.

    Arrivals are spaced so that the stream's own GPU-seconds (after any ``max_job_gpus`` clip) over the
    arrival window equal ``load_fraction x capacity_gpus``: the offered load is exact for the sample.
    """
    from suanli.models import fleet as F

    require_positive(load_fraction=load_fraction, capacity_gpus=capacity_gpus)
    fit = workload_fit(name)
    params = {
        k: fit[k]
        for k in ("mean_gpus", "median_gpus", "max_gpus", "median_run_s", "mean_run_s", "max_run_s", "correlation")
    }
    unit = F.generate_jobs(jobs, 1.0, max_job_gpus=max_job_gpus, seed=seed, **params)
    rate = load_fraction * capacity_gpus / float(np.mean(unit.gpus * unit.work_s))
    return F.generate_jobs(jobs, rate, max_job_gpus=max_job_gpus, seed=seed, **params, **job_columns)


@checked(name=TEXT, chip=TEXT, site=optional(TEXT), gpus_per_node=ONE_COUNT, reference_chip=TEXT)
def make_pool(
    name: str,
    count: int,
    *,
    chip: str = "nvidia-h100-sxm5-80gb",
    site: str | None = None,
    gpus_per_node: int = 8,
    reference_chip: str = "nvidia-h100-sxm5-80gb",
    catalog=None,
):
    """A :class:`~suanli.models.fleet.Pool` of ``count`` catalog ``chip`` at catalog ``site`` (its PUE, latencies).

    The pool's ``speed`` is an estimate: the chip's dense BF16 peak over ``reference_chip``'s (job
    run times in the traces are taken as on the reference chip); it ignores memory bandwidth and
    software maturity, which the training engine (`suanli.estimate`) models and this does not.
    """
    from suanli.models import fleet as F
    from suanli.models.power import DEFAULTS
    from suanli.scenarios._checks import catalog as checked_catalog

    cat = checked_catalog(catalog)
    count = require_whole(f"pool {name!r} count", count)
    acc = cat.accelerator(chip)
    tdp = float(acc.tdp_w) if getattr(acc, "tdp_w", None) else 700.0
    pue, latency = DEFAULTS.pue, {}
    if site:
        s = cat.site(site)
        pue, latency = float(s.pue_typical), dict(s.latency_ms)
    speed = 1.0
    ref = cat.accelerator(reference_chip)
    if getattr(acc, "bf16_tflops", None) and getattr(ref, "bf16_tflops", None):
        speed = float(acc.bf16_tflops) / float(ref.bf16_tflops)
    return F.Pool(
        name,
        count,
        chip=chip,
        site=site or "",
        gpus_per_node=gpus_per_node,
        tdp_w=tdp,
        pue=pue,
        latency_ms=latency,
        speed=speed,
    )


@dataclass
class FleetReport:
    """A simulated fleet: the inputs, the :class:`~suanli.models.fleet.FleetResult` and its summary."""

    pools: tuple
    workload: str
    load_fraction: float
    result: Any
    summary: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "load_fraction": self.load_fraction,
            "pools": [
                {"name": p.name, "chip": p.chip, "site": p.site, "gpus": p.gpus, "pue": p.pue} for p in self.pools
            ],
            **self.summary,
        }

    def explain(self) -> str:
        s = self.summary
        return (
            f"{s['jobs']:,} jobs ({self.workload}-like, offered load {self.load_fraction:.0%}) on "
            f"{s['capacity_gpus']:,} GPUs in {len(self.pools)} pool(s) under {s['policy']}: "
            f"{s['allocation_fraction']:.1%} of GPU-hours allocated, {s['utilization_fraction']:.1%} used "
            f"({s['used_of_allocated_fraction']:.1%} of allocated); queue median {s['queue_median_s']:,.0f} s, "
            f"mean {s['queue_mean_s']:,.0f} s; {s['jobs_rejected']:,} jobs fit in no pool; "
            f"{s['energy_mwh']:,.1f} MWh at the facility."
        )


@checked(
    workload=TEXT,
    jobs=ONE_COUNT,
    load_fraction=ONE_POSITIVE,
    policy=TEXT,
    failure_rate_per_device_hour=optional(ONE_NON_NEGATIVE),
    cross_site=BOOLEAN,
    home_split=BOOLEAN,
    trace=optional(TEXT),
    max_job_gpus=optional(ONE_COUNT),
    seed=SEED,
)
def run_fleet(
    pools,
    *,
    workload: str = "seren",
    jobs: int = 2000,
    load_fraction: float = 0.5,
    policy: str = "backfill",
    failure_rate_per_device_hour: float | None = 0.0,
    cross_site: bool = False,
    home_split: bool = False,
    trace: str | None = None,
    max_job_gpus: int | None = None,
    seed: int = 0,
    catalog=None,
) -> FleetReport:
    """Simulate ``pools`` (``(name, count, chip, site)`` tuples or Pools) under a trace-fitted workload.

    ``home_split=True`` gives each job a home pool in proportion to pool size (a fragmented fleet whose
    users cannot move); ``trace`` reads jobs from a trace CSV instead of generating them.
    """
    from suanli.models import fleet as F

    built = []
    if isinstance(pools, (str, bytes)) or not isinstance(pools, (list, tuple)):
        raise InputError(f"pools must be a list of pools ((name, count[, chip, site]) tuples or Pools), got {pools!r}")
    for p in pools:
        if isinstance(p, F.Pool):
            built.append(p)
        else:
            if isinstance(p, (str, bytes)) or not isinstance(p, (list, tuple)) or not 2 <= len(p) <= 4:
                raise InputError(f"a pool is a (name, count[, chip, site]) tuple or a Pool, got {p!r}")
            name, count, *rest = p
            chip = rest[0] if len(rest) > 0 and rest[0] else "nvidia-h100-sxm5-80gb"
            site = rest[1] if len(rest) > 1 else None
            built.append(make_pool(name, count, chip=chip, site=site, catalog=catalog))
    if not built:
        raise InputError("give at least one pool")
    capacity = sum(p.gpus for p in built)
    jobs = require_whole("jobs", jobs)
    home = None
    if home_split and len(built) > 1:
        rng = np.random.default_rng(seed + 7)
        home = rng.choice(len(built), size=jobs, p=np.array([p.gpus for p in built]) / capacity)
    if trace:
        stream = F.read_trace(trace, limit=jobs)
    else:
        stream = workload_jobs(
            workload,
            jobs,
            capacity_gpus=capacity,
            load_fraction=load_fraction,
            seed=seed,
            max_job_gpus=max_job_gpus,
            home=home,
        )
    horizon = float(stream.submit_s[-1]) + 1.0
    res = F.simulate(
        built,
        stream,
        policy,
        horizon_s=horizon,
        failure_rate_per_device_hour=failure_rate_per_device_hour,
        cross_site=cross_site,
        seed=seed,
    )
    return FleetReport(tuple(built), "trace" if trace else workload, float(load_fraction), res, res.summary())


# --------------------------------------------------------------------------------------------
# Validation against the published traces
# --------------------------------------------------------------------------------------------

VALIDATION_BOUNDS = {
    "queue_median_s": ("absolute", 60.0),
    "queue_mean_s": ("below", None),
}
"""What each not-fitted statistic must meet. The median queueing delay must be within 60 s of the
published one. The mean is a known miss: an ideal single-pool scheduler queues far less than a real
cluster with quotas, reservations and user limits, so the bound checked is its direction (simulated
below published) and the ratio is reported."""


def validate(clusters=("seren", "kalos"), *, days: float = 14.0, policy: str = "backfill", seed: int = 3):
    """Simulate each trace-fitted workload on its cluster and compare the statistics it was not fitted on.

    Fitted on: GPU jobs and the trace length (arrival rate), GPU count per job (mean, median, max), run
    time (median, mean, max), GPU-time total (size/run-time correlation), cluster capacity. Not fitted:
    queueing delay (median and mean). Returns a DataFrame, one row per (cluster, statistic), with the
    published value, the simulated one, the bound and whether it holds.
    """
    import pandas as pd

    from suanli.models import fleet as F

    df = trace_summaries()
    rows = []
    for name in clusters:
        r = df.loc[name]
        if not np.isfinite(r["capacity_gpus"]) or not np.isfinite(r["trace_days"]):
            raise InputError(f"cluster {name!r} has no sourced capacity or trace length to simulate")
        cap = int(r["capacity_gpus"])
        fit = workload_fit(name)
        rate = float(r["gpu_job_num"]) / (float(r["trace_days"]) * 86400.0)
        n = max(int(rate * days * 86400.0), 10)
        params = {
            k: fit[k]
            for k in ("mean_gpus", "median_gpus", "max_gpus", "median_run_s", "mean_run_s", "max_run_s", "correlation")
        }
        jobs = F.generate_jobs(n, rate, seed=seed, **params)
        res = F.simulate([F.Pool(name, cap)], jobs, policy, horizon_s=days * 86400.0, seed=seed)
        s = res.summary()
        load = float(r[["complete_gpu_time_s", "cancel_gpu_time_s", "fail_gpu_time_s"]].sum()) / (
            cap * float(r["trace_days"]) * 86400.0
        )
        for stat, published in (
            ("queue_median_s", r["med_queue_time_gpu_s"]),
            ("queue_mean_s", r["avg_queue_time_gpu_s"]),
        ):
            kind, bound = VALIDATION_BOUNDS[stat]
            sim = s[stat]
            ok = abs(sim - published) <= bound if kind == "absolute" else sim < published
            rows.append(
                {
                    "cluster": r["cluster"],
                    "statistic": stat,
                    "published": float(published),
                    "simulated": sim,
                    "bound": f"|sim - published| <= {bound:g} s"
                    if kind == "absolute"
                    else "sim < published (known miss)",
                    "within": bool(ok),
                    "ratio": sim / published if published else math.nan,
                    "jobs_simulated": n,
                    "days": days,
                    "policy": policy,
                    "trace_load_fraction": load,
                    "simulated_allocation_fraction": s["allocation_fraction"],
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# The seed claims
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimVerdict:
    """One press claim, the scenario that tests it, the computed figures and the verdict."""

    claim: str
    scenario: str
    figures: dict
    verdict: str
    supported: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "scenario": self.scenario,
            "figures": self.figures,
            "verdict": self.verdict,
            "supported": self.supported,
        }


def _provincial(provinces: int, gpus_each: int):
    from suanli.models import fleet as F

    return [F.Pool(f"province-{i + 1}", gpus_each) for i in range(provinces)]


@checked(
    workload=TEXT,
    home_split=BOOLEAN,
    loads=sequence,
    jobs=ONE_COUNT,
    max_mean_queue_s=ONE_POSITIVE,
    max_job_gpus=optional(ONE_COUNT),
    seed=SEED,
)
def utilisation_at_slo(
    pools,
    *,
    workload: str,
    home_split: bool,
    loads=(0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    jobs: int = 1500,
    max_mean_queue_s: float = 3600.0,
    max_job_gpus: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """The highest offered load (of ``loads``) a fleet carries with jobs waiting ``max_mean_queue_s`` at
    most on average and no job turned away. Every job is served, so in steady state that load is
    the utilisation the fleet reaches at this service level."""
    from suanli.validate import array

    loads = array("loads", loads, low=0.0, low_open=True).ravel()
    best = {"load_fraction": 0.0, "queue_mean_s": math.nan, "allocation_fraction": 0.0}
    lo, hi = 0, len(loads) - 1  # bisection over the loads: meeting the service level is taken as monotone in load
    while lo <= hi:
        mid = (lo + hi) // 2
        rep = run_fleet(
            pools,
            workload=workload,
            jobs=jobs,
            load_fraction=float(loads[mid]),
            home_split=home_split,
            max_job_gpus=max_job_gpus,
            seed=seed,
        )
        s = rep.summary
        if s["queue_mean_s"] <= max_mean_queue_s and s["jobs_rejected"] == 0:
            best = {
                "load_fraction": round(float(loads[mid]), 2),
                "queue_mean_s": s["queue_mean_s"],
                "allocation_fraction": s["allocation_fraction"],
            }
            lo = mid + 1
        else:
            hi = mid - 1
    return best


@checked(seed=SEED, jobs=ONE_COUNT)
def claims(*, seed: int = 0, jobs: int = 1500) -> list[ClaimVerdict]:
    """The seed documents' utilisation and scheduling claims, each as a scenario with a computed verdict."""
    from suanli.models import fleet as F

    out = []
    provinces, each = 8, 256
    frag = _provincial(provinces, each)
    one = [F.Pool("one-pool", provinces * each)]
    # 1 and 2: a fragmented provincial fleet vs one scheduled pool, at the same service level
    seeds = (seed, seed + 1, seed + 2)
    fs = [
        utilisation_at_slo(frag, workload="kalos", home_split=True, jobs=jobs, max_job_gpus=each, seed=k) for k in seeds
    ]
    us = [
        utilisation_at_slo(one, workload="kalos", home_split=False, jobs=jobs, max_job_gpus=each, seed=k) for k in seeds
    ]
    f = {
        "allocation_fraction": float(np.mean([x["allocation_fraction"] for x in fs])),
        "range": (min(x["allocation_fraction"] for x in fs), max(x["allocation_fraction"] for x in fs)),
    }
    u = {
        "allocation_fraction": float(np.mean([x["allocation_fraction"] for x in us])),
        "range": (min(x["allocation_fraction"] for x in us), max(x["allocation_fraction"] for x in us)),
    }
    gains = [
        (b["allocation_fraction"] / a["allocation_fraction"] - 1.0) if a["allocation_fraction"] else math.inf
        for a, b in zip(fs, us)
    ]
    gain = (u["allocation_fraction"] / f["allocation_fraction"] - 1.0) if f["allocation_fraction"] else math.inf
    g_lo, g_hi = min(gains), max(gains)
    scen = (
        f"{provinces} provincial pools of {each} GPUs (jobs stay in their province) vs one pool of "
        f"{provinces * each}; Kalos-like jobs (LLM development, sizes clipped at one province, {each} GPUs); "
        f"service level: mean queueing delay <= 1 h and no job turned away; {len(seeds)} random job streams"
    )
    near_30 = 0.15 <= g_lo and g_hi <= 0.45
    out.append(
        ClaimVerdict(
            "A unified scheduling platform raises utilisation by about 30%.",
            scen,
            {
                "fragmented_allocation_fraction": f["allocation_fraction"],
                "unified_allocation_fraction": u["allocation_fraction"],
                "gain_fraction": gain,
                "gain_min_fraction": g_lo,
                "gain_max_fraction": g_hi,
                "fragmented_min_fraction": f["range"][0],
                "fragmented_max_fraction": f["range"][1],
                "unified_min_fraction": u["range"][0],
                "unified_max_fraction": u["range"][1],
            },
            (
                f"At the same service level the fragmented fleet carries {f['allocation_fraction']:.0%} "
                f"({f['range'][0]:.0%}-{f['range'][1]:.0%} over the job streams) and one pool "
                f"{u['allocation_fraction']:.0%} ({u['range'][0]:.0%}-{u['range'][1]:.0%}): a gain of {gain:+.0%} "
                f"({g_lo:+.0%} to {g_hi:+.0%}). "
                + (
                    "Consistent with about +30%."
                    if near_30
                    else "Far more than +30% for a fleet split this finely with LLM-sized jobs: pooling matters more than the claim "
                    "says here; a fleet of fewer, larger pools or of smaller jobs gains less (sweep `pools` to see it)."
                    if g_lo > 0.45
                    else "The model does not reproduce +30% for this fleet; the gain depends on pool size and job mix."
                )
            ),
            bool(near_30) if (near_30 or g_lo > 0.45 or g_hi < 0.15) else None,
        )
    )
    lo_f, hi_f = f["range"]
    if hi_f <= 0.2:
        text, ok = (
            (
                f"Fragmentation alone caps the provincial fleet at {f['allocation_fraction']:.0%} "
                f"({lo_f:.0%}-{hi_f:.0%}) at this service level: the same order as the claimed 10-15%, with no "
                "shortfall of demand needed."
            ),
            True,
        )
    elif lo_f > 0.2:
        text, ok = (
            (
                f"Fragmentation alone caps the provincial fleet at {f['allocation_fraction']:.0%} "
                f"({lo_f:.0%}-{hi_f:.0%}), above 10-15%: reaching 10-15% also needs demand to fall short "
                "(offered load of 10-15% of capacity)."
            ),
            False,
        )
    else:
        text, ok = (
            (
                f"Fragmentation alone caps the provincial fleet at {f['allocation_fraction']:.0%}, but from "
                f"{lo_f:.0%} to {hi_f:.0%} depending on the job stream: a few province-sized jobs decide it. "
                "10-15% is within reach of fragmentation alone for some streams, not all."
            ),
            None,
        )
    out.append(
        ClaimVerdict(
            "Scattered, small-scale compute in China runs at 10-15% utilisation.",
            scen,
            {
                "fragmented_allocation_fraction_at_slo": f["allocation_fraction"],
                "fragmented_min_fraction": lo_f,
                "fragmented_max_fraction": hi_f,
            },
            text,
            ok,
        )
    )
    # 3: of 10 hours allocated, 8 are used
    pools = [F.Pool("cluster", 2048)]
    stream = workload_jobs("kalos", jobs, capacity_gpus=2048, load_fraction=0.6, seed=seed)
    res = F.simulate(
        pools,
        stream,
        "backfill",
        horizon_s=float(stream.submit_s[-1]) + 1.0,
        failure_rate_per_device_hour=None,
        seed=seed,
    )
    s = res.summary()
    used = s["used_of_allocated_fraction"]
    idle_needed = 1.0 - 0.8 / used if used > 0.8 else 0.0
    out.append(
        ClaimVerdict(
            "Of 10 hours allocated, 8 are used.",
            "2,048 GPUs, Kalos-like jobs (LLM pretraining and evaluation) at 60% offered load, failures at the "
            "Llama 3 rate with Young/Daly checkpoints and restarts",
            {
                "used_of_allocated_fraction": used,
                "lost_to_failures_gpu_h": s["lost_to_failures_gpu_h"],
                "in_job_idle_needed_fraction": idle_needed,
            },
            (
                f"Failures, restarts and lost work leave {10 * used:.2f} of 10 allocated hours used. "
                f"8 of 10 needs jobs to leave their GPUs idle about {idle_needed:.0%} of the time they hold them "
                "(data loading, debugging, interactive sessions): plausible, but it is not what scheduling or "
                "failures alone give."
            ),
            None,
        )
    )
    return out


# --------------------------------------------------------------------------------------------
# East-Data-West-Compute
# --------------------------------------------------------------------------------------------


@checked(
    west_gpus=ONE_COUNT,
    east_gpus=ONE_COUNT,
    west_site=TEXT,
    east_site=TEXT,
    demand_centre=TEXT,
    serving_share=ONE_SHARE,
    max_rtt_ms=ONE_POSITIVE,
    jobs=ONE_COUNT,
    load_fraction=ONE_POSITIVE,
    chip=TEXT,
    seed=SEED,
)
def east_data_west_compute(
    *,
    west_gpus: int = 4096,
    east_gpus: int = 1024,
    west_site: str = "cn-ningxia-zhongwei",
    east_site: str = "cn-yangtze-delta",
    demand_centre: str = "shanghai",
    serving_share: float = 0.3,
    max_rtt_ms: float = 10.0,
    jobs: int = 1500,
    load_fraction: float = 0.5,
    chip: str = "nvidia-h100-sxm5-80gb",
    seed: int = 0,
    catalog=None,
) -> dict[str, Any]:
    """Train in the west, serve in the east: two pools, training jobs free to go anywhere, serving jobs
    bound to ``max_rtt_ms`` from ``demand_centre`` (catalog site latencies).

    Returns the fleet summary, where each kind of job ran, and the energy by pool.
    """
    from suanli.models import fleet as F

    require_positive(max_rtt_ms=max_rtt_ms)
    if not 0 <= serving_share <= 1:
        raise InputError(f"serving_share must lie in [0, 1], got {serving_share!r}")
    west = make_pool("west", west_gpus, chip=chip, site=west_site, catalog=catalog)
    east = make_pool("east", east_gpus, chip=chip, site=east_site, catalog=catalog)
    rng = np.random.default_rng(seed + 11)
    serving = rng.random(jobs) < serving_share
    stream = workload_jobs(
        "kalos",
        jobs,
        capacity_gpus=west.gpus + east.gpus,
        load_fraction=load_fraction,
        seed=seed,
        origin=[demand_centre] * jobs,
        max_rtt_ms=np.where(serving, max_rtt_ms, np.inf),
        priority=np.where(serving, 1.0, 0.0),
    )
    # make_jobs sorts by submit time; the generated stream is already in order, so ``serving`` lines up
    res = F.simulate([west, east], stream, "priority", horizon_s=float(stream.submit_s[-1]) + 1.0, seed=seed)
    s = res.summary()
    kind = np.where(np.isfinite(stream.max_rtt_ms), "serve", "train")
    ran = res.pool
    table = {
        k: {p: int(np.sum((kind == k) & (ran == i))) for i, p in enumerate(("west", "east"))}
        for k in ("train", "serve")
    }
    return {
        "summary": s,
        "placed": table,
        "rejected_serving": int(np.sum(res.rejected & (kind == "serve"))),
        "rtt_ms": {"west": west.latency_ms.get(demand_centre), "east": east.latency_ms.get(demand_centre)},
        "pue": {"west": west.pue, "east": east.pue},
        "result": res,
    }
