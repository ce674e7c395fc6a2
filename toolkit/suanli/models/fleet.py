"""A discrete-event simulator of a GPU fleet: pools, a job stream, a scheduler, failures, power.

The fleet is one or more *pools* (a chip, a number of GPUs in nodes of ``gpus_per_node``, a site).
Jobs arrive with a GPU count (a gang: all GPUs start together), a duration of work, a priority and,
for latency-bound work, a demand centre and a round-trip limit. A scheduler places them:

- ``fifo``: first come, first served; the head of the queue blocks everyone behind it.
- ``backfill``: EASY backfilling; the head gets a reservation at the earliest time enough GPUs free
  up, and a later job may start now if it fits and does not delay that reservation.
- ``priority``: the queue in priority order; a job that does not fit may preempt lower-priority
  running jobs, which go back to the queue and lose the work since their last checkpoint.

Placement is a gang with locality: a job of at most one node's GPUs must fit on one node (best fit),
a larger job takes whole free nodes. The GPUs left free on partly used nodes while a job waits are the
fleet's fragmentation. With ``cross_site=True`` a job that fits in no single pool may span pools;
it then runs slower by the cross-site all-reduce of :func:`suanli.models.cluster.cross_site_all_reduce`.

Failures come from :func:`suanli.models.reliability.mtbf_seconds` (a job on ``g`` GPUs fails every
``M = 3600 / (rate x g)`` s); each costs the restart time and the work since the last checkpoint
(Young/Daly interval, :func:`suanli.models.reliability.optimal_checkpoint_interval`). GPUs stay
allocated through a restart: *allocated* GPU-hours count them, *used* GPU-hours count only the work
that survives (times the share of its allocation a job keeps busy, ``busy_fraction``).

Energy at the load: busy GPUs draw the power chain at the default utilisation, allocated-but-idle and
free GPUs draw the idle fraction (:func:`suanli.models.power.fleet_power`, Fan et al. 2007).

References: Müller, Team SimPy, SimPy discrete-event simulation (simpy.readthedocs.io); Lifka 1995,
'The ANL/IBM SP scheduling system', JSSPP (EASY backfilling); Mu'alem & Feitelson 2001, IEEE TPDS
12(6) (backfilling with reservations); Jeon et al. 2019, 'Analysis of Large-Scale Multi-Tenant GPU
Clusters for DNN Training Workloads', USENIX ATC'19 (gang scheduling and locality cause queueing);
Hu et al. 2024, 'Characterization of Large Language Model Development in the Datacenter', NSDI'24
(Acme traces: job sizes, durations, queueing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.validate import require_positive, require_whole

MAX_JOBS = 10_000_000
"""Most jobs a generated stream (or a copula sample) holds: about ten times the largest bundled trace
(Seren's 1,031,550 jobs in six months, AcmeTrace ``cluster_summary.csv``, Hu et al. NSDI'24) and a few
hundred MB of arrays, so that a mistyped count is refused instead of exhausting memory."""

POLICIES = ("fifo", "backfill", "priority")
"""The scheduling policies :func:`simulate` knows."""


@dataclass(frozen=True)
class Pool:
    """GPUs at one site: ``gpus`` of ``chip`` in nodes of ``gpus_per_node``.

    ``latency_ms`` maps a demand centre to the round-trip time from it (as a catalog
    :class:`~suanli.spec.Site` does); ``tdp_w`` and ``pue`` feed the power chain. ``speed`` is the
    pool's throughput relative to the GPU the jobs' ``work_s`` was measured on (a heterogeneous fleet:
    a job runs ``work_s / speed`` here; the scheduler prefers the fastest pool that fits, as
    heterogeneity-aware schedulers do, Narayanan et al. 2020, Gavel, OSDI'20).
    """

    name: str
    gpus: int
    chip: str = ""
    site: str = ""
    gpus_per_node: int = 8
    tdp_w: float = 700.0
    pue: float = 1.3
    latency_ms: dict = field(default_factory=dict)
    speed: float = 1.0

    def __post_init__(self):
        require_whole(f"pool {self.name!r} gpus", self.gpus)
        require_whole(f"pool {self.name!r} gpus_per_node", self.gpus_per_node)
        require_positive(**{f"pool {self.name!r} tdp_w": self.tdp_w, f"pool {self.name!r} speed": self.speed})
        if not (math.isfinite(self.pue) and self.pue >= 1.0):
            raise InputError(f"pool {self.name!r} pue must be >= 1, got {self.pue!r}")

    @property
    def nodes(self) -> int:
        return -(-int(self.gpus) // int(self.gpus_per_node))


@dataclass(frozen=True)
class Jobs:
    """A job stream as aligned arrays (one entry per job).

    ``submit_s`` arrival time; ``gpus`` gang size; ``work_s`` run time on its GPUs with nothing going
    wrong; ``priority`` (higher runs first under ``priority``); ``home`` the pool index the job belongs
    to (-1: any pool); ``origin`` a demand centre and ``max_rtt_ms`` the round trip it tolerates
    (inf: none); ``busy_fraction`` the share of its allocation the job keeps busy.
    """

    submit_s: np.ndarray
    gpus: np.ndarray
    work_s: np.ndarray
    priority: np.ndarray | None = None
    home: np.ndarray | None = None
    origin: tuple | None = None
    max_rtt_ms: np.ndarray | None = None
    busy_fraction: np.ndarray | None = None

    def __len__(self) -> int:
        return int(np.asarray(self.submit_s).size)


@V.checked(
    finite_result=False,
    aligned=False,
    submit_s=V.NON_NEGATIVE,
    gpus=V.COUNT,
    work_s=V.POSITIVE,
    origin=V.optional(V.instance(str, list, tuple, what="name or a list of names")),
    priority=V.optional(V.FINITE),
    home=V.optional(V.FINITE),
    max_rtt_ms=V.optional(V.POSITIVE_OR_INF),
    busy_fraction=V.optional(V.EFFICIENCY),
)
def make_jobs(
    submit_s, gpus, work_s, *, priority=None, home=None, origin=None, max_rtt_ms=None, busy_fraction=None
) -> Jobs:
    """Check and align a job stream (see :class:`Jobs`); raises :class:`InputError` naming a bad column.

    References: the Acme / Philly / Helios trace schemas (submit time, GPU count, duration), Hu et al.
    NSDI'24 and Jeon et al. ATC'19.
    """
    sub = np.asarray(submit_s, dtype=float).reshape(-1)
    n = sub.size
    if n == 0:
        raise InputError("the job stream is empty: give at least one job")

    def col(name, value, default, dtype=float):
        arr = np.full(n, default, dtype=dtype) if value is None else np.asarray(value, dtype=dtype).reshape(-1)
        if arr.size == 1 and n > 1:
            arr = np.full(n, arr[0], dtype=dtype)
        if arr.size != n:
            raise InputError(f"job column {name} has {arr.size} values for {n} jobs")
        return arr

    g = col("gpus", gpus, 1.0)
    w = col("work_s", work_s, 1.0)
    if not np.all(np.isfinite(sub)) or np.any(sub < 0):
        raise InputError("job submit_s must be finite times >= 0")
    if not np.all(np.isfinite(g)) or np.any(g < 1) or np.any(g != np.round(g)):
        raise InputError("job gpus must be whole numbers >= 1")
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise InputError("job work_s must be positive durations")
    pr = col("priority", priority, 0.0)
    hm = col("home", home, -1, dtype=int)
    rtt = col("max_rtt_ms", max_rtt_ms, np.inf)
    busy = col("busy_fraction", busy_fraction, 1.0)
    if np.any(~(busy > 0)) or np.any(busy > 1):
        raise InputError("job busy_fraction must lie in (0, 1]")
    if np.any(np.isnan(rtt)) or np.any(rtt <= 0):
        raise InputError("job max_rtt_ms must be positive")
    org = tuple([""] * n) if origin is None else tuple(origin) if not isinstance(origin, str) else (origin,) * n
    if len(org) != n:
        raise InputError(f"job column origin has {len(org)} values for {n} jobs")
    order = np.argsort(sub, kind="stable")
    return Jobs(
        sub[order],
        g[order].astype(int),
        w[order],
        pr[order],
        hm[order],
        tuple(org[i] for i in order),
        rtt[order],
        busy[order],
    )


@dataclass(frozen=True)
class FleetResult:
    """What :func:`simulate` measured. Per-job arrays follow the order of the input :class:`Jobs`.

    ``start_s``/``end_s`` are NaN for jobs that never ran (``rejected``: they fit in no allowed pool;
    or unfinished at the horizon). ``timeline_s`` with ``allocated_gpus``/``busy_gpus``/``free_fragmented_gpus``
    and ``facility_power_w`` sample the fleet every ``sample_s``.
    """

    policy: str
    horizon_s: float
    capacity_gpus: int
    submit_s: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    gpus: np.ndarray
    pool: np.ndarray
    restarts: np.ndarray
    preemptions: np.ndarray
    rejected: np.ndarray
    allocated_gpu_s: float
    used_gpu_s: float
    lost_gpu_s: float
    timeline_s: np.ndarray
    allocated_gpus: np.ndarray
    busy_gpus: np.ndarray
    free_fragmented_gpus: np.ndarray
    facility_power_w: np.ndarray
    energy_mwh: float
    pool_names: tuple

    @property
    def queue_s(self) -> np.ndarray:
        """Queueing delay of each admitted job (s); a job still waiting at the horizon counts its wait so
        far (censored), so that a long queue is not hidden by leaving its jobs out."""
        admitted = ~self.rejected & (self.submit_s <= self.horizon_s)
        start = np.where(np.isfinite(self.start_s), self.start_s, self.horizon_s)
        return (start - self.submit_s)[admitted]

    @property
    def completion_s(self) -> np.ndarray:
        """Job completion time (submit to end) of each finished job (s)."""
        done = np.isfinite(self.end_s)
        return (self.end_s - self.submit_s)[done]

    def summary(self) -> dict[str, Any]:
        """The headline figures as a flat dict with units in the keys."""
        q = self.queue_s
        c = self.completion_s
        cap = self.capacity_gpus * self.horizon_s
        frag = float(np.mean(self.free_fragmented_gpus) / self.capacity_gpus) if self.timeline_s.size else 0.0
        out = {
            "policy": self.policy,
            "jobs": int(self.submit_s.size),
            "jobs_started": int(np.isfinite(self.start_s).sum()),
            "jobs_finished": int(c.size),
            "jobs_rejected": int(self.rejected.sum()),
            "capacity_gpus": int(self.capacity_gpus),
            "horizon_h": self.horizon_s / 3600.0,
            "allocated_gpu_h": self.allocated_gpu_s / 3600.0,
            "used_gpu_h": self.used_gpu_s / 3600.0,
            "lost_to_failures_gpu_h": self.lost_gpu_s / 3600.0,
            "allocation_fraction": self.allocated_gpu_s / cap if cap else 0.0,
            "utilization_fraction": self.used_gpu_s / cap if cap else 0.0,
            "used_of_allocated_fraction": self.used_gpu_s / self.allocated_gpu_s if self.allocated_gpu_s else 0.0,
            "queue_mean_s": float(q.mean()) if q.size else 0.0,
            "queue_median_s": float(np.median(q)) if q.size else 0.0,
            "queue_p90_s": float(np.percentile(q, 90)) if q.size else 0.0,
            "completion_median_s": float(np.median(c)) if c.size else 0.0,
            "fragmented_free_fraction": frag,
            "restarts": int(self.restarts.sum()),
            "preemptions": int(self.preemptions.sum()),
            "energy_mwh": self.energy_mwh,
        }
        return {
            k: (v if isinstance(v, str) else float(v) if isinstance(v, float) or hasattr(v, "dtype") else v)
            for k, v in out.items()
        }


@V.checked(
    gpus_per_site=V.COUNT,
    sites=V.COUNT,
    grad_bytes_per_gpu=V.NON_NEGATIVE,
    step_s=V.POSITIVE,
    site_bandwidth_bytes_per_s=V.POSITIVE,
    site_alpha_s=V.NON_NEGATIVE,
    wan_bandwidth_bytes_per_s=V.POSITIVE,
    route_km=V.NON_NEGATIVE,
)
def cross_site_slowdown(
    gpus_per_site,
    sites,
    *,
    grad_bytes_per_gpu=2.0e9,
    step_s=1.0,
    site_bandwidth_bytes_per_s=50e9,
    site_alpha_s=10e-6,
    wan_bandwidth_bytes_per_s=100e9 / 8 * 8,
    route_km=1000.0,
):
    """Factor (>= 1) by which a data-parallel job slows when its ranks span ``sites`` sites.

    Each step's gradient all-reduce becomes two-level: inside each site, then across the WAN
    (:func:`suanli.models.cluster.cross_site_all_reduce`); the extra time over the one-site
    all-reduce is added to a step of ``step_s``.

    References: Goyal et al. 2017, arXiv:1706.02677 (hierarchical all-reduce); ITU-T G.652 fibre delay;
    :func:`suanli.models.cluster.cross_site_all_reduce`; :func:`suanli.models.interconnect.ring_all_reduce`.
    """
    from suanli.models import cluster, interconnect

    sites = np.asarray(sites, dtype=float)
    per = np.asarray(gpus_per_site, dtype=float)
    one = interconnect.ring_all_reduce(grad_bytes_per_gpu, per * sites, site_bandwidth_bytes_per_s, site_alpha_s)
    two = cluster.cross_site_all_reduce(
        grad_bytes_per_gpu, per, sites, site_bandwidth_bytes_per_s, site_alpha_s, wan_bandwidth_bytes_per_s, route_km
    )
    extra = np.maximum(np.asarray(two) - np.asarray(one), 0.0)
    return np.where(sites > 1, 1.0 + extra / step_s, 1.0)


class _Fleet:
    """Free GPUs per node of every pool, and placement (gang, best fit, whole nodes for big jobs)."""

    def __init__(self, pools):
        self.pools = pools
        self.free = [np.full(p.nodes, p.gpus_per_node, dtype=int) for p in pools]
        for i, p in enumerate(pools):  # a last partial node
            extra = p.nodes * p.gpus_per_node - p.gpus
            if extra:
                self.free[i][-1] -= extra
        self.free_total = [int(f.sum()) for f in self.free]

    def place_in(self, i: int, g: int):
        """Nodes and GPU counts for ``g`` GPUs in pool ``i``, or None."""
        if self.free_total[i] < g:
            return None
        free, per = self.free[i], self.pools[i].gpus_per_node
        if g <= per:
            ok = np.flatnonzero(free >= g)
            if ok.size == 0:
                return None
            node = ok[np.argmin(free[ok])]
            return [(int(node), g)]
        need = -(-g // per)
        full = np.flatnonzero(free == per)
        if full.size < need:
            return None
        nodes = full[:need]
        out = [(int(n), per) for n in nodes]
        rest = need * per - g
        if rest:
            out[-1] = (out[-1][0], per - rest)
        return out

    def take(self, i, placement, sign=-1):
        for node, g in placement:
            self.free[i][node] += sign * g
            self.free_total[i] += sign * g

    def fragmented(self, i: int) -> int:
        """Free GPUs on partly used nodes of pool ``i`` (usable only by jobs smaller than a node)."""
        f, per = self.free[i], self.pools[i].gpus_per_node
        return int(f[(f > 0) & (f < per)].sum())


@V.checked(
    finite_result=False,  # start_s and end_s are NaN for the jobs that never ran
    pools=V.sequence,
    policy=V.TEXT,
    horizon_s=V.optional(V.ONE_POSITIVE),
    failure_rate_per_device_hour=V.optional(V.ONE_NON_NEGATIVE),
    restart_s=V.ONE_NON_NEGATIVE,
    checkpoint_s=V.ONE_NON_NEGATIVE,
    wan_route_km=V.ONE_NON_NEGATIVE,
    wan_bandwidth_bytes_per_s=V.ONE_POSITIVE,
    sample_s=V.optional(V.ONE_POSITIVE),
    utilization_busy=V.optional(V.SHARE),
    seed=V.SEED,
)
def simulate(
    pools,
    jobs: Jobs,
    policy: str = "backfill",
    *,
    horizon_s: float | None = None,
    failure_rate_per_device_hour: float = 0.0,
    restart_s: float = 600.0,
    checkpoint_s: float = 60.0,
    cross_site: bool = False,
    wan_route_km: float = 1000.0,
    wan_bandwidth_bytes_per_s: float = 100e9,
    sample_s: float | None = None,
    utilization_busy: float | None = None,
    seed: int = 0,
) -> FleetResult:
    """Run ``jobs`` on ``pools`` under ``policy`` with SimPy and measure the fleet.

    Parameters
    ----------
    pools : sequence of Pool
        The fleet.
    jobs : Jobs
        The job stream (:func:`make_jobs`, :func:`generate_jobs` or :func:`read_trace`).
    policy : {'fifo', 'backfill', 'priority'}
        The scheduler (module docstring).
    horizon_s : float, optional
        Stop the clock here [s]; default: when the last job has finished.
    failure_rate_per_device_hour : float, default 0
        Interruptions per GPU-hour (:func:`suanli.models.reliability.mtbf_seconds`; its default rate is
        the Llama 3 report's, pass ``None`` for it).
    restart_s, checkpoint_s : float
        Time to restart after a failure and to write one checkpoint [s].
    cross_site : bool, default False
        Let a job that fits in no single pool span pools (slower, :func:`cross_site_slowdown`).
    sample_s : float, optional
        Spacing of the utilisation timeline [s] (default: horizon / 200).
    utilization_busy : float, optional
        Chip utilisation of a busy GPU in the power model (default :data:`suanli.models.power.DEFAULTS`).

    Returns
    -------
    FleetResult

    References
    ----------
    [1] Lifka 1995, JSSPP (EASY backfilling). [2] Jeon et al. 2019, USENIX ATC'19 (gang scheduling,
    locality). [3] Daly 2006, FGCS 22(3) (checkpoint interval). [4] Fan, Weber & Barroso 2007, ISCA
    (power at a utilisation).
    """
    import simpy

    from suanli.models import power, reliability

    pools = tuple(pools)
    if not pools:
        raise InputError("give at least one pool")
    if not all(isinstance(p, Pool) for p in pools):
        raise InputError(f"pools must be Pool objects (suanli.models.fleet.Pool), got {pools!r}")
    if policy not in POLICIES:
        raise InputError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}")
    if not isinstance(jobs, Jobs):
        raise InputError("jobs must be a Jobs stream (see suanli.models.fleet.make_jobs)")
    if horizon_s is not None:
        require_positive(horizon_s=horizon_s)
    require_positive(restart_s=restart_s, checkpoint_s=checkpoint_s)
    n = len(jobs)
    rng = np.random.default_rng(seed)
    fleet = _Fleet(pools)
    capacity = sum(p.gpus for p in pools)

    # where each job may run (home pool; latency limit from its demand centre)
    allowed = []
    for j in range(n):
        ok = []
        for i, p in enumerate(pools):
            if jobs.home[j] >= 0 and jobs.home[j] != i:
                continue
            if np.isfinite(jobs.max_rtt_ms[j]):
                rtt = p.latency_ms.get(jobs.origin[j], math.inf) if jobs.origin[j] else 0.0
                if rtt > jobs.max_rtt_ms[j]:
                    continue
            ok.append(i)
        allowed.append(tuple(ok))
    fits_somewhere = np.array(
        [
            any(jobs.gpus[j] <= pools[i].gpus for i in allowed[j])
            or (cross_site and len(allowed[j]) > 1 and jobs.gpus[j] <= sum(pools[i].gpus for i in allowed[j]))
            for j in range(n)
        ]
    )

    rate = failure_rate_per_device_hour
    mtbf = reliability.mtbf_seconds(jobs.gpus, rate) if (rate is None or rate > 0) else np.full(n, np.inf)
    interval = reliability.optimal_checkpoint_interval(checkpoint_s, mtbf)

    env = simpy.Environment()
    start = np.full(n, np.nan)
    end = np.full(n, np.nan)
    where = np.full(n, -1)
    restarts = np.zeros(n, dtype=int)
    preempted = np.zeros(n, dtype=int)
    remaining = jobs.work_s.astype(float).copy()
    acc = {"alloc": 0.0, "used": 0.0, "lost": 0.0}
    running: dict[int, dict] = {}
    queue: list[int] = []
    kick = {"ev": env.event()}

    def wake():
        if not kick["ev"].triggered:
            kick["ev"].succeed()

    def try_place(j):
        g = int(jobs.gpus[j])
        best, best_key = None, None
        for i in allowed[j]:
            pl = fleet.place_in(i, g)
            key = (-pools[i].speed, fleet.free_total[i])  # the fastest pool, then the fullest (best fit)
            if pl is not None and (best is None or key < best_key):
                best, best_key = (i, pl), key
        if best is not None:
            return [best], 1.0 / pools[best[0]].speed
        if cross_site and len(allowed[j]) > 1:
            cand = sorted(allowed[j], key=lambda i: -fleet.free_total[i])
            got, need, parts = [], g, []
            for i in cand:
                if need <= 0:
                    break
                per = pools[i].gpus_per_node
                whole = min(need, (int(np.sum(fleet.free[i] == per)) * per))
                if whole <= 0:
                    continue
                pl = fleet.place_in(i, whole)
                if pl is None:
                    continue
                got.append((i, pl))
                parts.append(whole)
                need -= whole
            if need <= 0 and len(got) > 1:
                slow = float(
                    cross_site_slowdown(
                        max(parts), len(got), route_km=wan_route_km, wan_bandwidth_bytes_per_s=wan_bandwidth_bytes_per_s
                    )
                )
                slow /= min(pools[i].speed for i, _ in got)  # a gang runs at its slowest member's pace
                return got, slow
        return None, 1.0

    def run(j, placement, slow):
        start[j] = env.now if np.isnan(start[j]) else start[j]
        where[j] = placement[0][0]
        g = int(jobs.gpus[j])
        t0 = env.now
        info = {
            "placement": placement,
            "t0": t0,
            "g": g,
            "prio": jobs.priority[j],
            "seg_start": t0,
            "slow": slow,
            "plan_end": t0 + remaining[j] * slow,
        }
        running[j] = info
        tau = float(interval[j]) if np.isfinite(interval[j]) else math.inf
        # GPU-seconds of busy compute per unit of work: 1/speed of the slowest pool in the gang (time spent
        # waiting on a cross-site all-reduce is allocated but not used)
        pace = 1.0 / min(pools[i].speed for i, _ in placement)
        busy = jobs.busy_fraction[j] * pace
        try:
            while remaining[j] > 0:
                wall = remaining[j] * slow
                t_fail = rng.exponential(mtbf[j]) if np.isfinite(mtbf[j]) else math.inf
                info["seg_start"], info["plan_end"] = env.now, env.now + wall
                if t_fail >= wall:
                    yield env.timeout(wall)
                    acc["used"] += g * remaining[j] * busy
                    remaining[j] = 0.0
                else:
                    yield env.timeout(t_fail)
                    done = t_fail / slow
                    kept = math.floor(done / tau) * tau if np.isfinite(tau) else 0.0
                    acc["used"] += g * kept * busy
                    acc["lost"] += g * (t_fail - kept * slow)
                    remaining[j] -= kept
                    restarts[j] += 1
                    info["seg_start"] = math.nan
                    yield env.timeout(restart_s)
                    acc["lost"] += g * restart_s
            end[j] = env.now
        except simpy.Interrupt:  # preempted: keep the work up to the last checkpoint
            if not math.isnan(info["seg_start"]):
                seg = env.now - info["seg_start"]
                kept = min(math.floor(seg / slow / tau) * tau if np.isfinite(tau) else seg / slow, remaining[j])
                acc["used"] += g * kept * busy
                acc["lost"] += g * (seg - kept * slow)
                remaining[j] -= kept
            preempted[j] += 1
            queue.append(j)
        acc["alloc"] += g * (env.now - t0)
        for i, pl in placement:
            fleet.take(i, pl, sign=+1)
        del running[j]
        del procs[j]
        wake()

    procs: dict[int, Any] = {}

    def earliest_start(g, allowed_pools):
        """When the blocked head job could start if running jobs end as planned (EASY reservation):
        (time, pool, GPUs to spare in that pool then)."""
        best = (math.inf, -1, 0)
        for i in allowed_pools:
            ends = sorted(
                (info["plan_end"], sum(x for _, x in pl))
                for info in running.values()
                for pi, pl in info["placement"]
                if pi == i
            )
            cum = fleet.free_total[i]
            for t_end, gg in ends:
                cum += gg
                if cum >= g:
                    if t_end < best[0]:
                        best = (t_end, i, cum - g)
                    break
        return best

    def preempt_for(j) -> bool:
        """Interrupt lower-priority jobs so that ``j`` fits (newest first); True if any were stopped."""
        need = int(jobs.gpus[j])
        free = sum(fleet.free_total[i] for i in allowed[j])
        victims = sorted(
            (
                k
                for k, info in running.items()
                if info["prio"] < jobs.priority[j] and any(pi in allowed[j] for pi, _ in info["placement"])
            ),
            key=lambda k: (running[k]["prio"], -running[k]["t0"]),
        )
        chosen = []
        for k in victims:
            if free >= need:
                break
            chosen.append(k)
            free += running[k]["g"]
        if free < need or not chosen:
            return False
        for k in chosen:
            procs[k].interrupt()
        return True

    def schedule():
        if policy == "priority":
            queue.sort(key=lambda k: (-jobs.priority[k], jobs.submit_s[k], k))
        blocked = False
        shadow, shadow_pool, spare = math.inf, -1, 0
        for j in queue.copy():  # launch() removes from the queue while we walk it
            placement, slow = try_place(j)
            if not blocked:
                if placement is not None:
                    launch(j, placement, slow)
                    continue
                blocked = True
                if policy == "fifo" or (policy == "priority" and preempt_for(j)):
                    break
                shadow, shadow_pool, spare = earliest_start(int(jobs.gpus[j]), allowed[j])
                continue
            if placement is None:
                continue
            ends_by = env.now + remaining[j] * slow
            in_shadow = any(i == shadow_pool for i, _ in placement)
            g = int(jobs.gpus[j])
            if ends_by <= shadow or not in_shadow or g <= spare:
                if in_shadow and ends_by > shadow:
                    spare -= g
                launch(j, placement, slow)

    def launch(j, placement, slow):
        for i, pl in placement:
            fleet.take(i, pl)
        queue.remove(j)
        procs[j] = env.process(run(j, placement, slow))

    def scheduler():
        while True:
            schedule()
            kick["ev"] = env.event()
            yield kick["ev"]

    rejected = ~fits_somewhere

    def arrivals():
        for j in range(n):
            delay = jobs.submit_s[j] - env.now
            if delay > 0:
                yield env.timeout(delay)
            if rejected[j]:
                continue
            queue.append(j)
            wake()

    # samples of the timeline
    if horizon_s is None:
        total_work = float(np.sum(jobs.work_s * jobs.gpus))
        guess = float(jobs.submit_s[-1]) + max(total_work / capacity, float(jobs.work_s.max())) * 4 + 3600.0
    else:
        guess = float(horizon_s)
    dt = float(sample_s) if sample_s else guess / 200.0
    samples: list[tuple] = []

    def sampler():
        while True:
            alloc = sum(info["g"] for info in running.values())
            busy = sum(info["g"] * jobs.busy_fraction[k] for k, info in running.items())
            frag = sum(fleet.fragmented(i) for i in range(len(pools))) if queue else 0
            samples.append((env.now, alloc, busy, frag, [p.gpus - fleet.free_total[i] for i, p in enumerate(pools)]))
            yield env.timeout(dt)

    env.process(arrivals())
    env.process(scheduler())
    env.process(sampler())
    if horizon_s is not None:
        env.run(until=horizon_s)
        end_t = float(horizon_s)
        # work still running at the horizon: count allocation and useful work up to now
        for j, info in running.items():
            acc["alloc"] += info["g"] * (end_t - info["t0"])
            if not math.isnan(info["seg_start"]):
                pace = 1.0 / min(pools[i].speed for i, _ in info["placement"])
                acc["used"] += info["g"] * (end_t - info["seg_start"]) / info["slow"] * pace * jobs.busy_fraction[j]
    else:
        last = env.event()

        def watcher():
            while np.isnan(end[~rejected]).any():
                yield env.timeout(max(dt, 1.0))
            last.succeed()

        env.process(watcher())
        env.run(until=last)
        end_t = float(env.now)
    end_t = max(end_t, 1e-9)

    ts = np.array([s[0] for s in samples] or [0.0])
    alloc_g = np.array([s[1] for s in samples] or [0.0], dtype=float)
    busy_g = np.array([s[2] for s in samples] or [0.0], dtype=float)
    frag_g = np.array([s[3] for s in samples] or [0.0], dtype=float)
    per_pool = np.array([s[4] for s in samples] or [[0] * len(pools)], dtype=float)
    # power: each pool's allocated GPUs at the busy utilisation scaled by their busy share, the rest idle
    util_busy = power.DEFAULTS.utilization if utilization_busy is None else utilization_busy
    share = np.where(alloc_g > 0, busy_g / np.maximum(alloc_g, 1e-12), 0.0)
    fac = np.zeros_like(ts)
    for i, p in enumerate(pools):
        u = np.clip(per_pool[:, i] / p.gpus * share * util_busy, 0.0, 1.0)
        fac = fac + np.asarray(power.fleet_power(p.tdp_w, p.gpus, 8, utilization=u, pue=p.pue).facility_w)
    energy = float(np.sum(fac[:-1] * np.diff(ts))) / 3.6e9 if ts.size > 1 else 0.0
    return FleetResult(
        policy,
        end_t,
        capacity,
        jobs.submit_s.copy(),
        start,
        end,
        jobs.gpus.copy(),
        where,
        restarts,
        preempted,
        rejected,
        acc["alloc"],
        acc["used"],
        acc["lost"],
        ts,
        alloc_g,
        busy_g,
        frag_g,
        fac,
        energy,
        tuple(p.name for p in pools),
    )


# --------------------------------------------------------------------------------------------
# The job stream: generated from published summary statistics, or read from a trace
# --------------------------------------------------------------------------------------------


@V.checked(mean_gpus=V.ONE_POSITIVE, median_gpus=V.ONE_POSITIVE, max_gpus=V.ONE_POSITIVE)
def size_distribution(mean_gpus, median_gpus, max_gpus):
    """GPU counts and their probabilities: a point mass at 1 GPU and a geometric tail over doublings.

    P(1) = p1 and P(2^k) = (1 - p1) (1 - q) q^(k-1) / (1 - q^K) for k = 1..K, K = log2(max_gpus).
    p1 is set just above the share that keeps the median at ``median_gpus`` (0.55 when the median is one
    GPU, as in every public trace: an assumption, the summaries give no more of the distribution's
    body; a median above one puts p1 at 0.3 and lets the tail carry it); q is then fitted by bisection
    so that the mean is ``mean_gpus``.

    Parameters
    ----------
    mean_gpus, median_gpus, max_gpus : float
        The trace's mean, median and largest GPU count per job.

    Returns
    -------
    (values, probabilities) : tuple of ndarray

    References
    ----------
    [1] Hu et al. 2024, NSDI'24, Fig. 3 and the AcmeTrace ``cluster_summary.csv`` (most jobs take one GPU,
    a few take hundreds); [2] Jeon et al. 2019, ATC'19, Sec 3 (job sizes in powers of two).
    """
    require_positive(mean_gpus=mean_gpus, median_gpus=median_gpus, max_gpus=max_gpus)
    K = max(round(math.log2(max(max_gpus, 1))), 1)
    values = 2.0 ** np.arange(K + 1)
    p1 = 0.55 if median_gpus <= 1 else 0.3
    if mean_gpus <= 1.0:
        return np.array([1.0]), np.array([1.0])

    def probs(q):
        k = np.arange(1, K + 1)
        tail = q ** (k - 1)
        tail = tail / tail.sum()
        return np.concatenate([[p1], (1 - p1) * tail])

    lo, hi = 1e-6, 50.0
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if float(values @ probs(mid)) < mean_gpus:
            lo = mid
        else:
            hi = mid
    return values, probs(math.sqrt(lo * hi))


@V.checked(median_s=V.ONE_POSITIVE, mean_s=V.ONE_POSITIVE)
def lognormal_from_median_mean(median_s, mean_s):
    """(mu, sigma) of the lognormal with this median and mean: mu = ln median, sigma = sqrt(2 ln(mean/median)).

    References: Johnson, Kotz & Balakrishnan 1994, 'Continuous Univariate Distributions', Vol 1, ch. 14
    (median e^mu, mean e^(mu + sigma^2/2)); job run times of GPU clusters are heavy-tailed and close to
    lognormal (Hu et al. SC'21, Fig. 3; Jeon et al. ATC'19, Fig. 2).
    """
    require_positive(median_s=median_s, mean_s=mean_s)
    ratio = max(float(mean_s) / float(median_s), 1.0)
    return math.log(median_s), math.sqrt(2.0 * math.log(ratio))


def _draw(n, values, probs, mu, sigma, max_run_s, correlation, rng):
    from scipy.special import ndtr

    z1 = rng.standard_normal(n)
    z2 = correlation * z1 + math.sqrt(max(1.0 - correlation**2, 0.0)) * rng.standard_normal(n)
    idx = np.minimum(np.searchsorted(np.cumsum(probs), ndtr(z1) * (1 - 1e-12), side="right"), len(values) - 1)
    gpus = values[idx]
    dur = np.minimum(np.exp(mu + sigma * z2), max_run_s)
    return gpus, np.maximum(dur, 1.0)


@V.checked(
    mean_gpu_s_per_job=V.ONE_POSITIVE,
    values=V.POSITIVE,
    probs=V.SHARE,
    mu=V.ONE_FINITE,
    sigma=V.ONE_NON_NEGATIVE,
    max_run_s=V.ONE_POSITIVE,
    n=V.whole_up_to(MAX_JOBS, minimum=1),
    seed=V.SEED,
)
def fit_size_duration_correlation(mean_gpu_s_per_job, values, probs, mu, sigma, max_run_s, *, n=50_000, seed=1):
    """Gaussian-copula correlation between job size and log run time that gives the mean GPU-time per job.

    Size and duration drawn independently give E[g] E[d]; the traces hold more GPU-time than that,
    because big jobs run longer. The correlation rho in [0, 0.99] of a Gaussian copula (size by its
    quantile, log-duration normal) is found by bisection on a fixed sample.

    References: Nelsen 2006, 'An Introduction to Copulas', Sec 2.3 (Gaussian copula); the GPU-time totals
    of the AcmeTrace ``cluster_summary.csv`` (Hu et al. NSDI'24).
    """
    values = np.atleast_1d(np.asarray(values, dtype=float))
    probs = np.atleast_1d(np.asarray(probs, dtype=float))
    if values.ndim != 1 or values.shape != probs.shape or not math.isclose(float(probs.sum()), 1.0, abs_tol=1e-6):
        raise InputError(
            "values and probs must be two lists of the same length, the probabilities summing to 1, "
            f"got {values.size} values and probabilities summing to {float(probs.sum()):g}"
        )
    seed = V.seed(seed)
    lo, hi = 0.0, 0.99

    def mean_gpu_s(rho):  # the same random stream for every rho, so the bisection is monotone
        g, d = _draw(n, values, probs, mu, sigma, max_run_s, rho, np.random.default_rng(seed))
        return float(np.mean(g * d))

    if mean_gpu_s(hi) <= mean_gpu_s_per_job:
        return hi
    if mean_gpu_s(lo) >= mean_gpu_s_per_job:
        return lo
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        if mean_gpu_s(mid) < mean_gpu_s_per_job:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@V.checked(
    finite_result=False,  # a job's max_rtt_ms is inf when it tolerates any round trip
    jobs=V.whole_up_to(MAX_JOBS, minimum=1),
    arrival_rate_per_s=V.ONE_POSITIVE,
    mean_gpus=V.ONE_POSITIVE,
    median_gpus=V.ONE_POSITIVE,
    max_gpus=V.ONE_POSITIVE,
    median_run_s=V.ONE_POSITIVE,
    mean_run_s=V.ONE_POSITIVE,
    max_run_s=V.optional(V.ONE_POSITIVE),
    correlation=V.between(-1, 1),
    max_job_gpus=V.optional(V.ONE_COUNT),
    seed=V.SEED,
)
def generate_jobs(
    jobs,
    arrival_rate_per_s,
    *,
    mean_gpus,
    median_gpus,
    max_gpus,
    median_run_s,
    mean_run_s,
    max_run_s=None,
    correlation=0.0,
    max_job_gpus=None,
    seed=0,
    **job_columns,
) -> Jobs:
    """A synthetic job stream: Poisson arrivals, sizes from :func:`size_distribution`, lognormal run times.

    Parameters
    ----------
    jobs : int
        Number of jobs.
    arrival_rate_per_s : float
        Poisson arrival rate [1/s] (a trace's job count over its length).
    mean_gpus, median_gpus, max_gpus : float
        GPU counts per job (:func:`size_distribution`).
    median_run_s, mean_run_s : float
        Run-time median and mean [s] (:func:`lognormal_from_median_mean`); capped at ``max_run_s``.
    correlation : float, default 0
        Size/run-time copula correlation (:func:`fit_size_duration_correlation`).
    max_job_gpus : int, optional
        Clip job sizes here (a fleet smaller than the trace's largest job).
    **job_columns
        Passed to :func:`make_jobs` (``priority``, ``home``, ``origin``, ``max_rtt_ms``, ``busy_fraction``).

    References
    ----------
    [1] Hu et al. 2024, NSDI'24 (AcmeTrace summary statistics); [2] Jeon et al. 2019, ATC'19; [3] Hu et al.
    2021, SC'21 (Helios); [4] Weng et al. 2022, NSDI'22 (Alibaba PAI). Poisson arrivals: Feitelson 2015,
    'Workload Modeling for Computer Systems Performance Evaluation', ch. 8 (a stationary approximation:
    real arrivals are diurnal and bursty).
    """
    n = require_whole("jobs", jobs)
    require_positive(arrival_rate_per_s=arrival_rate_per_s)
    rng = np.random.default_rng(seed)
    values, probs = size_distribution(mean_gpus, median_gpus, max_gpus)
    mu, sigma = lognormal_from_median_mean(median_run_s, mean_run_s)
    cap = math.inf if max_run_s is None else float(max_run_s)
    gpus, dur = _draw(n, values, probs, mu, sigma, cap, float(correlation), rng)
    if max_job_gpus is not None:
        gpus = np.minimum(gpus, float(max_job_gpus))
    submit = np.cumsum(rng.exponential(1.0 / float(arrival_rate_per_s), n))
    return make_jobs(submit - submit[0], gpus, dur, **job_columns)


_TRACE_COLUMNS = {
    "submit": ("submit_time", "submitted_time", "submit", "start_time"),
    "gpus": ("gpu_num", "num_gpus", "gpus", "plan_gpu"),
    "duration": ("duration", "run_time", "runtime", "work_s"),
}


@V.checked(
    finite_result=False,  # a job's max_rtt_ms is inf when it tolerates any round trip
    limit=V.optional(V.ONE_COUNT),
)
def read_trace(source, *, limit: int | None = None) -> Jobs:
    """A job stream from a trace table in the Acme (Seren/Kalos), Helios, Philly or Alibaba PAI schema.

    Columns are found by name: submit time ``submit_time`` (Acme, Helios, Philly as released with the
    Acme comparison) or ``start_time`` (PAI task table); GPUs ``gpu_num`` or PAI's ``plan_gpu`` (percent
    of one GPU, times ``inst_num``; a fractional GPU counts as one); run time ``duration``, else
    ``end_time - start_time``. Times may be seconds or date strings. Jobs with no GPU or no run time are
    dropped (CPU jobs, never-started jobs).

    References: AcmeTrace README schema (InternLM/AcmeTrace); HeliosData README schema
    (S-Lab-System-Group/HeliosData); Alibaba clusterdata ``pai_task_table`` schema (Weng et al. NSDI'22);
    msr-fiddle/philly-traces (Jeon et al. ATC'19).
    """
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        df = source
    else:
        try:
            df = pd.read_csv(source, nrows=limit)
        except (OSError, ValueError) as err:
            raise InputError(f"cannot read trace {source!r}: {err}") from None
    cols = {c.lower(): c for c in df.columns}

    def pick(kind):
        for name in _TRACE_COLUMNS[kind]:
            if name in cols:
                return cols[name]
        return None

    def seconds(series):
        if pd.api.types.is_numeric_dtype(series):
            return series.astype(float).to_numpy()
        t = pd.to_datetime(series, errors="coerce", utc=True)
        return ((t - pd.Timestamp("2000-01-01", tz="UTC")).dt.total_seconds()).to_numpy()

    sub_col, g_col, d_col = pick("submit"), pick("gpus"), pick("duration")
    if sub_col is None or g_col is None:
        raise InputError("trace needs a submit_time (or start_time) column and a gpu_num (or plan_gpu) column")
    submit = seconds(df[sub_col])
    gpus = df[g_col].astype(float).to_numpy()
    if g_col.lower() == "plan_gpu":
        inst = df[cols["inst_num"]].astype(float).to_numpy() if "inst_num" in cols else 1.0
        gpus = np.ceil(gpus / 100.0) * inst
    if d_col is not None:
        dur = df[d_col].astype(float).to_numpy()
    elif "end_time" in cols and "start_time" in cols:
        dur = seconds(df[cols["end_time"]]) - seconds(df[cols["start_time"]])
    else:
        raise InputError("trace needs a duration column (or start_time and end_time)")
    keep = np.isfinite(submit) & np.isfinite(gpus) & (gpus >= 1) & np.isfinite(dur) & (dur > 0)
    if limit is not None:
        keep &= np.cumsum(keep) <= limit
    if not keep.any():
        raise InputError("the trace has no GPU job with a run time")
    submit = submit[keep]
    return make_jobs(submit - submit.min(), np.round(gpus[keep]), dur[keep])
