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

COLOURS = {"allocated": "#4c78a8", "used": "#54a24b", "fragmented free": "#e45756"}


class FleetPanel(Panel):
    """GPUs, how many pools they sit in, the workload, its load and the policy: see allocation over
    time (left) and the distribution of queueing delay (right)."""

    def __init__(self, gpus: int = 2048, pools: int = 1, workload: str = "kalos", load: float = 0.6,
                 policy: str = "backfill", jobs: int = 600, seed: int = 0):
        super().__init__()
        self.gpus = W.SelectionSlider(description="GPUs", options=(256, 512, 1024, 2048, 4096, 8192), value=gpus,
                                      continuous_update=False, style={"description_width": "initial"})
        self.pools = W.SelectionSlider(description="pools (jobs stay home)", options=POOL_COUNTS, value=pools,
                                       continuous_update=False, style={"description_width": "initial"})
        self.workload = dropdown("workload like", list(S.WORKLOADS[:2]), workload)
        self.policy = dropdown("policy", list(POLICIES), policy)
        self.load = slider("offered load", 0.1, 0.95, load, 0.05, readout_format=".0%")
        self.jobs = jobs
        self.seed = seed
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
        controls = [W.HBox([self.gpus, self.pools]), W.HBox([self.workload, self.policy, self.load])]
        self.widget = self.layout(controls, [self.summary, self.view.image, self.legend])
        self.update()

    def compute(self) -> None:
        n_pools, gpus = int(self.pools.value), int(self.gpus.value)
        each = gpus // n_pools
        rep = S.run_fleet([(f"pool-{i + 1}", each) for i in range(n_pools)], workload=self.workload.value,
                          jobs=self.jobs, load_fraction=float(self.load.value), policy=self.policy.value,
                          home_split=n_pools > 1, max_job_gpus=each, seed=self.seed)
        self.report = rep
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
        self.summary.value = key_value_table([
            ("fleet", f"{gpus:,} GPUs in {n_pools} pool(s) of {each:,}"),
            ("GPU-hours allocated / used", f"{s['allocated_gpu_h']:,.0f} / {s['used_gpu_h']:,.0f}"),
            ("allocated share of capacity", f"{s['allocation_fraction']:.1%}"),
            ("queueing delay: median / mean / P90",
             f"{s['queue_median_s']:,.0f} / {s['queue_mean_s']:,.0f} / {s['queue_p90_s']:,.0f} s"),
            ("free GPUs stranded on part-used nodes (while jobs wait)", f"{s['fragmented_free_fraction']:.1%}"),
            ("energy at the facility", f"{s['energy_mwh']:,.1f} MWh over {s['horizon_h']:,.1f} h"),
        ])
