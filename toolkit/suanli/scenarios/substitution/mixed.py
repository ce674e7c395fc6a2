"""Two pools training one model (the compute-islands problem): load-balanced data parallelism over a
cross-pool link, against each pool alone."""

from __future__ import annotations

import math
from typing import Any

from suanli.errors import InputError
from suanli.models import substitution as S
from suanli.scenarios.substitution.costs import economics, site_terms
from suanli.scenarios.substitution.inputs import (
    SECONDS_PER_DAY,
    Goal,
    Options,
    _catalog,
    _check_positive,
    checked_goal,
    checked_options,
)
from suanli.scenarios.substitution.sizing import point
from suanli.validate import whole

DEFAULT_FIBRE_WAVELENGTHS = 16
"""Wavelengths leased on a cross-site route when none is given (an estimate: 16 x 400G = 6.4 Tb/s,
a quarter of a 64-channel C-band DWDM line system; pass ``link_ports`` for a real lease)."""


def mixed_fleet(
    goal: Goal,
    pool_a: tuple[str, int],
    pool_b: tuple[str, int],
    options: Options | None = None,
    *,
    link: str = "roce-400g",
    link_ports: int | None = None,
    route_km: float | None = None,
    overlap: float = S.CROSS_POOL_OVERLAP.value,
    catalog=None,
) -> dict[str, Any]:
    """Train on two pools at once (e.g. 2,000 H800 + 6,000 910B): load-balanced data parallelism over a
    cross-pool link, against each pool alone.

    Each pool runs its own best layout on its own chips (:func:`point`, stack slowdown included) and
    takes the share of the global batch that makes both finish a step together; the gradients (the
    model's parameters x :data:`suanli.models.defaults.GRAD_REDUCE_BYTES`) are then averaged across the
    ``link``: ``link_ports`` parallel ports (default: one per server of the smaller pool for a
    scale-out link; :data:`DEFAULT_FIBRE_WAVELENGTHS` for ``cross-site-fibre``) at the link's bandwidth
    and efficiency; for a cross-site link the latency scales with ``route_km`` (the catalog's figure is
    for 1,000 km). Returns the split, the mixed run's days, power and cost, each pool alone, the gain
    (or loss) against each, and the cross-link bandwidth at which the mix stops paying.

    References: :func:`suanli.models.substitution.two_pool_step`; the link's own sources.
    """
    goal = checked_goal(goal)
    options = checked_options(options)
    from suanli.models import defaults as D
    from suanli.models.workload import parameter_counts

    cat = _catalog(catalog)
    terms = site_terms(options, cat)
    link_spec = cat.link(link)
    pools = []
    for label, pool in (("a", pool_a), ("b", pool_b)):
        if not isinstance(pool, (list, tuple)) or len(pool) != 2:
            raise InputError(f"pool_{label} must be a (chip id, count) pair, got {pool!r}")
        chip, count = pool
        count = whole(f"pool {label} count (chips)", count)
        acc = cat.accelerator(chip)
        pt = point(acc.id, goal, int(count), catalog=cat)
        if not pt["fits"]:
            raise InputError(f"pool {label} ({count:,} x {acc.id}) cannot hold the model on its own: {pt['reason']}")
        tps = 1.0 / pt["seconds_per_token"]
        pools.append(
            {
                "chip": acc.id,
                "count": int(count),
                "tokens_per_s": tps,
                "layout": pt["layout"],
                "train_days": goal.tokens / tps / SECONDS_PER_DAY,
                "alone_layout": pt["layout"],
                "acc": acc,
            }
        )
    # Each pool trains on its share of the global batch, which changes its own throughput (fewer
    # micro-batches, a larger pipeline bubble): iterate share -> throughput -> share a few times.
    from suanli.scenarios.training import default_global_batch

    batch_seqs = goal.global_batch or default_global_batch(goal.workload)
    for _ in range(3):
        total_tps = sum(p["tokens_per_s"] for p in pools)
        for p in pools:
            # whole multiples of 16 sequences: a prime share would force a degenerate DP x micro-batch split
            seqs = max(16, 16 * round(batch_seqs * p["tokens_per_s"] / total_tps / 16))
            pt = point(p["chip"], goal, p["count"], catalog=cat, global_batch=seqs)
            if pt["fits"]:
                p.update(tokens_per_s=1.0 / pt["seconds_per_token"], layout=pt["layout"], batch_sequences=seqs)
    a, b = pools
    if link_ports is None:
        if link_spec.link_kind == "cross-site":
            link_ports = DEFAULT_FIBRE_WAVELENGTHS
        else:
            from suanli.models.power import DEFAULTS

            link_ports = int(
                min(math.ceil(p["count"] / (p["acc"].chips_per_server or DEFAULTS.chips_per_server)) for p in pools)
            )
    _check_positive("link_ports", link_ports)
    bw = link_spec.bandwidth_gbs * 1e9 * (link_spec.efficiency or 1.0) * link_ports
    alpha = link_spec.latency_us * 1e-6
    if route_km is not None:
        _check_positive("route_km", route_km)
        if link_spec.link_kind != "cross-site":
            raise InputError(f"route_km applies to a cross-site link such as cross-site-fibre, not to {link_spec.id}")
        alpha = alpha * route_km / 1000.0
    batch_tokens = _batch_tokens(goal)
    grad_bytes = parameter_counts(goal.workload)["total"] * D.GRAD_REDUCE_BYTES.value
    step = S.two_pool_step(a["tokens_per_s"], b["tokens_per_s"], batch_tokens, grad_bytes, bw, alpha, overlap)
    mixed_days = goal.tokens / step["tokens_per_s"] / SECONDS_PER_DAY
    econ = [economics(p["acc"], p["count"], mixed_days, options, terms) for p in pools]
    alone = [economics(p["acc"], p["count"], p["train_days"], options, terms) for p in pools]

    def total(key, items):
        vals = [e[key] for e in items]
        return None if any(v is None for v in vals) else float(sum(float(v) for v in vals))

    best_alone = min(a["train_days"], b["train_days"])
    notes = []
    if a["acc"].stack != b["acc"].stack:
        notes.append(
            f"the pools run different stacks ({a['acc'].stack}, {b['acc'].stack}): their collective libraries "
            "do not form one communicator, so the exchange goes through a bridge on the critical path"
        )
    if mixed_days > best_alone:
        notes.append(
            f"the mix is slower than the faster pool alone: each pool trains on part of the global batch, with "
            f"fewer sequences per replica than alone, and the cross-pool exchange takes {step['exchange_share']:.0%} of the step"
        )
    return {
        "pool_a": {k: v for k, v in a.items() if k != "acc"},
        "pool_b": {k: v for k, v in b.items() if k != "acc"},
        "link": link_spec.id,
        "link_ports": int(link_ports),
        "link_gbs": bw / 1e9,
        "link_latency_ms": alpha * 1e3,
        "batch_tokens": batch_tokens,
        "gradient_gb": grad_bytes / 1e9,
        "share_a": step["share_a"],
        "share_b": step["share_b"],
        "step_s": step["step_s"],
        "exchange_s": step["exchange_s"],
        "exchange_share": step["exchange_share"],
        "train_days": mixed_days,
        "gain_vs_a": a["train_days"] / mixed_days,
        "gain_vs_b": b["train_days"] / mixed_days,
        "gain_vs_best_alone": best_alone / mixed_days,
        "break_even_link_gbs": step["break_even_bytes_per_s"] / 1e9,
        "facility_mw": total("facility_mw", econ),
        "energy_mwh": total("energy_mwh", econ),
        "cost": total("cost", econ),
        "alone_energy_mwh": {"a": float(alone[0]["energy_mwh"]), "b": float(alone[1]["energy_mwh"])},
        "currency": options.currency,
        "notes": notes,
    }


def _batch_tokens(goal: Goal) -> float:
    from suanli.scenarios.training import default_global_batch

    return float((goal.global_batch or default_global_batch(goal.workload)) * goal.workload.seq)
