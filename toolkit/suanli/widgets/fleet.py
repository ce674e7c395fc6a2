"""Panel for notebook 10: a fleet of pools under a job stream and a policy; utilisation and queueing.

No math here: the simulation is :func:`suanli.scenarios.fleet.run_fleet` (SimPy, :mod:`suanli.models.fleet`).
The panel reads the controls, runs it and draws what it measured.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.ticker import NullLocator

from suanli.models.fleet import POLICIES
from suanli.scenarios import fleet as S
from suanli.widgets.base import FigureView, Panel, dropdown, key_value_table, legend_html, slider

POOL_COUNTS = (1, 2, 4, 8, 16)
"""How many equal pools the fleet is split into (1: one scheduled pool)."""

QUICK_JOBS = 300
"""Jobs simulated on a control move: the answer within the 100 ms a move may take (600 jobs on 16 pools
take a third of a second); the button runs the panel's full job count."""

COLOURS = {"allocated": "#4c78a8", "used": "#54a24b", "fragmented free": "#e45756"}


class FleetPanel(Panel):
    """GPUs, how many pools they sit in, the workload, its load and the policy: see allocation over
    time (left) and the distribution of queueing delay (right)."""

    def __init__(
        self,
        gpus: int = 2048,
        pools: int = 1,
        workload: str = "kalos",
        load: float = 0.6,
        policy: str = "backfill",
        jobs: int = 600,
        seed: int = 0,
        quick_jobs: int = QUICK_JOBS,
    ):
        super().__init__()
        self.gpus = W.SelectionSlider(
            description="GPUs",
            options=(256, 512, 1024, 2048, 4096, 8192),
            value=gpus,
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.pools = W.SelectionSlider(
            description="pools (jobs stay home)",
            options=POOL_COUNTS,
            value=pools,
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.workload = dropdown("workload like", list(S.WORKLOADS[:2]), workload)
        self.policy = dropdown("policy", list(POLICIES), policy)
        self.load = slider("offered load", 0.1, 0.95, load, 0.05, readout_format=".0%")
        self.jobs = jobs
        self.seed = seed
        self.quick_jobs = min(quick_jobs, jobs)
        self._full = False  # the next update runs the full job count (the button sets it)
        self._reports: dict[tuple, object] = {}  # inputs -> report, so a control moved back answers at once
        self.full_run = W.Button(description=f"full simulation ({jobs:,} jobs)", layout=W.Layout(width="auto"))
        self.full_run.on_click(self._run_full)
        self.watch(self.gpus, self.pools, self.workload, self.policy, self.load)
        self.summary = W.HTML()
        self.view = FigureView(9.0, 3.2, ncols=2)
        left, right = self.view.axes
        (self._alloc,) = left.plot([0, 1], [0, 0], color=COLOURS["allocated"], lw=1.2)
        (self._used,) = left.plot([0, 1], [0, 0], color=COLOURS["used"], lw=1.0, ls="--")
        (self._frag,) = left.plot([0, 1], [0, 0], color=COLOURS["fragmented free"], lw=1.0)
        left.set_xlabel("time (share of the arrival window)")
        left.set_xlim(0, 1)
        left.set_ylabel("share of the fleet's GPUs")
        left.set_ylim(0, 1.05)
        (self._cdf,) = right.semilogx([1, 2], [0, 1], color="black", lw=1.4)
        right.set_xlabel("queueing delay (s, jobs that waited)")
        right.set_ylabel("share of jobs waiting at most")
        right.set_xlim(1, 1e6)
        right.set_ylim(0, 1.02)
        for ax in (left, right):
            ax.spines[["top", "right"]].set_visible(False)
            ax.xaxis.set_minor_locator(NullLocator())
        # the lines are drawn over a cached background; the axes redraw only when the time axis steps
        self.view.animate(self._alloc, self._used, self._frag, self._cdf)
        self.view.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.92, wspace=0.28)
        self.legend = W.HTML(legend_html([(n, f"height:3px;background:{c}") for n, c in COLOURS.items()], "left"))
        controls = [W.HBox([self.gpus, self.pools]), W.HBox([self.workload, self.policy, self.load]), self.full_run]
        self.widget = self.layout(controls, [self.summary, self.view.image, self.legend])
        self.update()

    def _run_full(self, _button=None) -> None:
        self._full = True
        try:
            self.update()
        finally:
            self._full = False

    def compute(self) -> None:
        n_pools, gpus = int(self.pools.value), int(self.gpus.value)
        each = gpus // n_pools
        jobs = self.jobs if self._full else self.quick_jobs
        key = (n_pools, gpus, self.workload.value, float(self.load.value), self.policy.value, jobs)
        rep = self._reports.get(key)
        if rep is None:
            rep = S.run_fleet(
                [(f"pool-{i + 1}", each) for i in range(n_pools)],
                workload=self.workload.value,
                jobs=jobs,
                load_fraction=float(self.load.value),
                policy=self.policy.value,
                home_split=n_pools > 1,
                max_job_gpus=each,
                seed=self.seed,
            )
            self._reports[key] = rep
        self.report = rep
        self.jobs_run = jobs
        s, res = rep.summary, rep.result
        cap = float(s["capacity_gpus"])
        span = res.timeline_s / max(float(res.horizon_s), 1e-9)
        self._alloc.set_data(span, res.allocated_gpus / cap)
        self._used.set_data(span, res.busy_gpus / cap)
        self._frag.set_data(span, res.free_fragmented_gpus / cap)
        waited = np.sort(res.queue_s[res.queue_s > 0])
        if waited.size:
            share = (np.arange(1, waited.size + 1) + (res.queue_s.size - waited.size)) / res.queue_s.size
            self._cdf.set_data(np.maximum(waited, 1.0), share)
        else:
            self._cdf.set_data([1, 1e6], [1, 1])
        self.view.draw()
        self.summary.value = key_value_table(
            [
                ("fleet", f"{gpus:,} GPUs in {n_pools} pool(s) of {each:,}"),
                (
                    "jobs simulated",
                    f"{jobs:,}" + ("" if jobs == self.jobs else f" (quick run; the button runs all {self.jobs:,})"),
                ),
                ("GPU-hours allocated / used", f"{s['allocated_gpu_h']:,.0f} / {s['used_gpu_h']:,.0f}"),
                ("allocated share of capacity", f"{s['allocation_fraction']:.1%}"),
                (
                    "queueing delay: median / mean / P90",
                    f"{s['queue_median_s']:,.0f} / {s['queue_mean_s']:,.0f} / {s['queue_p90_s']:,.0f} s",
                ),
                ("free GPUs stranded on part-used nodes (while jobs wait)", f"{s['fragmented_free_fraction']:.1%}"),
                ("energy at the facility", f"{s['energy_mwh']:,.1f} MWh over {s['horizon_h']:,.1f} h"),
            ]
        )
