"""Speed and accuracy of the power and cost models; prints figures, asserts nothing.

    python benchmarks/bench_power.py

Speed: a vectorised sweep of the whole chain over a million configurations, one report, one panel
update. Accuracy: the press figures and the published GPT-3 energy against what the chain gives.
"""

from __future__ import annotations

import time

import numpy as np


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def speed() -> None:
    from suanli.models import cost as C
    from suanli.models import power as P

    n = 1_000_000
    rng = np.random.default_rng(0)
    counts = rng.integers(8, 100_000, n)
    util = rng.uniform(0.3, 1.0, n)
    pue = rng.uniform(1.05, 1.6, n)
    price = rng.uniform(0.3, 0.6, n)

    def sweep():
        chain = P.fleet_power(700, counts, 8, util, pue, server_rating_w=10_200)
        energy = P.energy_mwh(chain.facility_w, 720)
        return C.electricity_cost(energy, price) + C.owned_hardware_cost(33_600, counts, 720)

    t = best_of(sweep, 3)
    print(f"chain + energy + cost over {n:,} configurations: {t * 1e3:.0f} ms ({t / n * 1e9:.0f} ns each)")

    import suanli
    from suanli.scenarios.power import energy_and_cost

    cat = suanli.load_catalog()
    if "nvidia-h100-sxm5-80gb" in cat.accelerators:
        h100 = cat.accelerator("nvidia-h100-sxm5-80gb")
        t = best_of(lambda: energy_and_cost({"site": "cn-gansu-qingyang"}, h100, 1024, 720, catalog=cat), 20)
        print(f"energy_and_cost (one site, one chip): {t * 1e3:.2f} ms")
        import matplotlib

        matplotlib.use("Agg")
        from suanli.widgets.power import PowerPanel

        panel = PowerPanel(cat)
        values = iter(range(1000, 2000))
        t = best_of(lambda: setattr(panel.count, "value", next(values)), 5)
        print(f"PowerPanel update (recompute + redraw waterfall): {t * 1e3:.2f} ms")


def accuracy() -> None:
    from suanli.models import cost as C
    from suanli.models import power as P

    fleet = P.fleet_power(400, 32_000, 8, utilization=1.0, pue=1.0, server_rating_w=6_500, network_storage_fraction=0.0)
    day = C.electricity_cost(P.energy_mwh(fleet.facility_w, 24), 0.08)
    print(f"4,000 DGX A100 x 24 h at $0.08/kWh (rated, PUE 1): ${day:,.0f} (press: ~$50,000)")
    for label, tdp, rating, press in (
        ("8,000 Hopper at 15 MW", 700, 10_200, 1875),
        ("2,000 Blackwell at 3.75 MW", 1000, 14_300, 1875),
    ):
        lo = P.all_in_power_per_accelerator_w(tdp, 8, pue=1.10, server_rating_w=rating)
        hi = P.all_in_power_per_accelerator_w(tdp, 8, pue=1.57, server_rating_w=rating)
        print(f"{label}: press implies {press:,} W/GPU; chain at rating {lo:,.0f}-{hi:,.0f} W/GPU (PUE 1.10-1.57)")
    # GPT-3 (Patterson et al. 2021, Table 4): 1,287 MWh measured. The chain for a V100 with the default
    # host share and draw, against the measured 330 W per accelerator (host included).
    chain = P.fleet_power(300, 10_000, 8, pue=1.10)
    energy = P.energy_mwh(chain.facility_w, 14.8 * 24)
    print(
        f"GPT-3 on 10,000 V100 x 14.8 d, PUE 1.10: chain {energy:,.0f} MWh vs 1,287 measured "
        f"({chain.servers_w / 10_000:,.0f} W/GPU at the servers vs 330 W measured)"
    )


if __name__ == "__main__":
    speed()
    accuracy()
