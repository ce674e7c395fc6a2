"""Collectives over the catalog's links, scaling with cluster size, scale-up domains and cross-site splits.

The glue between the catalog (its :class:`~suanli.spec.Link` entries and accelerators), the
training-time engine (:func:`suanli.estimate`) and the pure models in
:mod:`suanli.models.interconnect` and :mod:`suanli.models.cluster`. Notebook 03 and
:mod:`suanli.widgets.interconnect` call these; the math stays in the models.

Every function returns plain rows (lists of dicts) or arrays, so a notebook can put them in a
DataFrame and a test can pin them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from suanli.errors import InputError
from suanli.models import cluster as CL
from suanli.models import defaults as D
from suanli.models import interconnect as ic
from suanli.scenarios._checks import instance
from suanli.validate import array, non_negative, sequence, whole

DEFAULT_LINKS = (
    "nvidia-nvlink4",
    "nvidia-nvlink5",
    "huawei-hccs",
    "huawei-ub-cloudmatrix",
    "pcie4-x16",
    "pcie5-x16",
    "ib-ndr",
    "roce-200g",
    "roce-400g",
    "cross-site-fibre",
)
"""The links the notebook compares: NVLink vs HCCS/UB vs PCIe vs InfiniBand/RoCE vs a long-haul wavelength."""

GB = 1e9


def _catalog(catalog=None):
    from suanli.scenarios._checks import catalog as checked_catalog

    return checked_catalog(catalog)


def link_alpha_beta(link) -> tuple[float, float, float]:
    """(effective bytes/s one direction, alpha in s, efficiency used) of a catalog link.

    A link without an ``efficiency`` takes the engine's default for its kind
    (:data:`suanli.models.defaults.SCALEUP_EFFICIENCY` inside a node, ``SCALEOUT_EFFICIENCY`` otherwise).
    """
    from suanli.spec import Link

    instance("link", link, Link, "a link from the catalog (catalog.link(id))")
    eff = link.efficiency
    if eff is None:
        eff = D.SCALEUP_EFFICIENCY.value if link.link_kind in ("scale-up", "pcie") else D.SCALEOUT_EFFICIENCY.value
    return float(link.bandwidth_gbs) * GB * eff, float(link.latency_us) * 1e-6, float(eff)


def collective_table(
    nbytes: float, n: int, link_ids: Sequence[str] = DEFAULT_LINKS, *, algorithm: str = "auto", catalog=None
) -> list[dict[str, Any]]:
    """One row per link: its numbers and the time of each collective of ``nbytes`` over ``n`` ranks.

    Times are in microseconds; ``allreduce_busbw_gbs`` is the nccl-tests bus bandwidth the all-reduce
    reaches at this size (it approaches the effective link bandwidth for large messages).
    """
    cat = _catalog(catalog)
    sequence("link_ids", link_ids)
    nbytes, n = non_negative("nbytes", nbytes), whole("n (ranks)", n)
    rows = []
    for link_id in link_ids:
        link = cat.link(link_id)
        bw, alpha, eff = link_alpha_beta(link)
        row: dict[str, Any] = {
            "link": link_id,
            "kind": link.link_kind,
            "gbs": float(link.bandwidth_gbs),
            "efficiency": eff,
            "latency_us": float(link.latency_us),
        }
        for coll in CL.COLLECTIVES:
            row[f"{coll}_us"] = float(CL.collective_seconds(coll, nbytes, n, bw, alpha, algorithm)) * 1e6
        row["allreduce_busbw_gbs"] = float(CL.bus_bandwidth("all-reduce", nbytes, row["all-reduce_us"] * 1e-6, n)) / GB
        rows.append(row)
    return rows


def size_sweep(link_id: str, sizes_bytes, n: int, *, catalog=None) -> dict[str, np.ndarray]:
    """Seconds of each collective (and of ring and tree all-reduce) over ``n`` ranks, one call per curve."""
    bw, alpha, _ = link_alpha_beta(_catalog(catalog).link(link_id))
    sizes = array("sizes_bytes", sizes_bytes, low=0.0)
    n = whole("n (ranks)", n)
    out = {coll: CL.collective_seconds(coll, sizes, n, bw, alpha) for coll in CL.COLLECTIVES}
    out["all-reduce (ring)"] = CL.collective_seconds("all-reduce", sizes, n, bw, alpha, "ring")
    out["all-reduce (tree)"] = CL.collective_seconds("all-reduce", sizes, n, bw, alpha, "tree")
    return out


def algorithm_comparison(
    sizes_bytes,
    domain: int,
    nodes: int,
    scaleup_link: str = "nvidia-nvlink4",
    scaleout_link: str = "ib-ndr",
    *,
    catalog=None,
) -> dict[str, np.ndarray]:
    """All-reduce over ``domain`` x ``nodes`` ranks three ways: a flat ring, a flat tree, two-level.

    The flat algorithms treat every hop as a network hop (a ring is only as fast as its slowest link;
    NCCL's flat ring over nodes crosses the NIC); the hierarchical one reduce-scatters inside the
    scale-up domain, all-reduces 1/domain of the data across nodes, and all-gathers back.
    """
    cat = _catalog(catalog)
    domain, nodes = whole("domain", domain), whole("nodes", nodes)
    up_bw, up_alpha, _ = link_alpha_beta(cat.link(scaleup_link))
    out_bw, out_alpha, _ = link_alpha_beta(cat.link(scaleout_link))
    sizes = array("sizes_bytes", sizes_bytes, low=0.0)
    n = domain * nodes
    flat_bw, flat_alpha = (up_bw, up_alpha) if nodes == 1 else (out_bw, out_alpha)
    return {
        "ring": ic.ring_all_reduce(sizes, n, flat_bw, flat_alpha),
        "tree": ic.tree_all_reduce(sizes, n, flat_bw, flat_alpha),
        "hierarchical": ic.hierarchical_all_reduce(sizes, domain, nodes, up_bw, up_alpha, out_bw, out_alpha),
    }


# -- the engine, as the cluster grows ------------------------------------------------------------


def _comm_share(est) -> float:
    b = est.breakdown
    comm = b["tp_comm"] + b["dp_comm_exposed"] + b["ep_comm"] + b["pp_bubble"]
    return comm / est.step_time_s


def _row(est, **extra) -> dict[str, Any]:
    lay = est.layout
    return {
        **extra,
        "count": est.count,
        "days": est.train_days,
        "tokens_per_s": est.tokens_per_s,
        "mfu": est.mfu,
        "tp": lay["tp"],
        "pp": lay["pp"],
        "dp": lay["dp"],
        "ep": lay["ep"],
        "global_batch": lay["global_batch"],
        "tp_comm_s": est.breakdown["tp_comm"],
        "pp_bubble_s": est.breakdown["pp_bubble"],
        "dp_comm_exposed_s": est.breakdown["dp_comm_exposed"],
        "ep_comm_s": est.breakdown["ep_comm"],
        "step_s": est.step_time_s,
        "comm_and_bubble_share": _comm_share(est),
    }


def scaling_curve(
    model, tokens: float, chip, counts: Sequence[int], *, catalog=None, **engine_kw
) -> list[dict[str, Any]]:
    """The engine's best layout at each cluster size, and the scaling efficiency against the smallest.

    ``engine_kw`` passes through to :func:`suanli.estimate` (``global_batch``, ``precision`` ...). The
    global batch stays fixed as the cluster grows (the usual case: it is a property of the recipe), so a
    large cluster runs fewer micro-batches per device and pays a larger pipeline bubble.
    """
    from suanli.scenarios.training import estimate

    cat = _catalog(catalog) if isinstance(chip, str) else catalog
    sequence("counts", counts)
    counts = [whole("counts[]", n) for n in counts]
    if not counts:
        raise InputError("counts must name at least one cluster size")
    ests = [
        estimate(model, tokens=tokens, chip=chip, count=int(n), runners_up=0, catalog=cat, **engine_kw) for n in counts
    ]
    eff = CL.scaling_efficiency([e.tokens_per_s for e in ests], [e.count for e in ests])
    return [_row(e, scaling_efficiency=float(x)) for e, x in zip(ests, eff)]


def domain_study(
    model, tokens: float, chip: str, count: int, domains: Sequence[int] = (8, 72, 384), *, catalog=None, **engine_kw
) -> list[dict[str, Any]]:
    """The same chip and cluster with scale-up domains of different sizes (everything else unchanged).

    Tensor parallelism must stay inside the domain and expert all-to-alls are fast only inside it, so
    a small domain pushes a large model toward pipeline stages and cross-node expert traffic.
    """
    from suanli.scenarios.training import estimate, hardware

    cat = _catalog(catalog)
    base = hardware(chip, engine_kw.get("precision", "bf16"), catalog=cat)
    sequence("domains", domains)
    rows = []
    for d in domains:
        d = whole("a scale-up domain (chips)", d)
        hw = dataclasses.replace(base, scaleup_domain=int(d))
        est = estimate(model, tokens=tokens, chip=hw, count=count, runners_up=0, catalog=cat, **engine_kw)
        rows.append(_row(est, domain=int(d)))
    return rows


def cross_site_split(
    model,
    tokens: float,
    chip: str,
    count: int,
    route_km,
    wan_gbs,
    *,
    sites: int = 2,
    wan_efficiency: float | None = None,
    catalog=None,
    **engine_kw,
) -> dict[str, Any]:
    """What splitting data parallelism over ``sites`` data centres ``route_km`` apart does to a step.

    The engine picks the single-site layout for ``count`` devices; its data-parallel replicas are then
    divided between the sites, each keeping whole model replicas (TP, PP and EP stay inside a site).
    The gradient all-reduce becomes :func:`suanli.models.cluster.cross_site_all_reduce` over a WAN of
    ``wan_gbs`` GB/s (one direction, before ``wan_efficiency``; default: the catalog's
    ``cross-site-fibre`` efficiency). ``route_km`` and ``wan_gbs`` may be arrays (they broadcast).

    Returns the single-site estimate's numbers, the all-reduce time split over the sites and kept in one
    site (the same two-level model, so the difference is what the WAN adds), and the step-time slowdown
    between two bounds: the added time not hidden at all (``slowdown_no_overlap``) and the whole
    cross-site exchange running concurrently with the step (``slowdown_full_overlap``).
    """
    from suanli.models.workload import parameter_counts
    from suanli.scenarios.training import estimate, hardware, make_workload

    cat = _catalog(catalog)
    sites = whole("sites", sites, minimum=2)
    w = make_workload(model)
    est = estimate(w, tokens=tokens, chip=chip, count=count, runners_up=0, catalog=cat, **engine_kw)
    lay = est.layout
    if lay["dp"] % sites:
        raise InputError(f"the layout's {lay['dp']} data-parallel replicas do not split evenly over {sites} sites")
    hw = hardware(chip, engine_kw.get("precision", "bf16"), catalog=cat)
    pc = parameter_counts(w)
    routed = pc["routed_expert_params"]
    params_per_rank = (pc["total"] - routed) / (lay["tp"] * lay["pp"]) + routed / (lay["tp"] * lay["pp"] * lay["ep"])
    grad_bytes = params_per_rank * D.GRAD_REDUCE_BYTES.value
    eff = cat.link("cross-site-fibre").efficiency if wan_efficiency is None else wan_efficiency
    wan = np.asarray(wan_gbs, dtype=float) * GB * eff
    dp_site = lay["dp"] // sites
    split = CL.cross_site_all_reduce(
        grad_bytes,
        dp_site,
        sites,
        hw.scaleout_bytes_per_s,
        hw.scaleout_alpha_s,
        wan,
        route_km,
        ranks_sharing_wan=count // sites,
    )
    together = ic.hierarchical_all_reduce(
        grad_bytes,
        lay["dp"],
        1,
        hw.scaleout_bytes_per_s,
        hw.scaleout_alpha_s,
        hw.scaleout_bytes_per_s,
        hw.scaleout_alpha_s,
    )
    added = np.maximum(split - together, 0.0)
    step = est.step_time_s
    return {
        "estimate": est,
        "gradient_bytes_per_rank": grad_bytes,
        "wan_bytes_per_step": grad_bytes * lay["tp"] * lay["pp"] * lay["ep"] * 2.0 * (sites - 1) / sites,
        "dp_per_site": dp_site,
        "rtt_ms": 2.0 * CL.fibre_one_way_s(route_km) * 1e3,
        "all_reduce_one_site_s": float(together),
        "all_reduce_split_s": split,
        "added_s": added,
        "step_s": step,
        "slowdown_no_overlap": (step + added) / step,
        "slowdown_full_overlap": np.maximum(step, split) / step,
    }


def wan_needed_gbs(
    model,
    tokens: float,
    chip: str,
    count: int,
    route_km: float,
    max_slowdown: float = 0.10,
    *,
    sites: int = 2,
    grid_gbs=None,
    catalog=None,
    **engine_kw,
) -> float:
    """The smallest WAN bandwidth (GB/s, before efficiency) keeping the no-overlap slowdown within ``max_slowdown``.

    Searched over a log grid from 1 GB/s to 1 PB/s (one vectorised call); ``inf`` if none is enough
    (the latency alone exceeds the budget).
    """
    grid = np.logspace(0, 6, 601) if grid_gbs is None else array("grid_gbs", grid_gbs, low=0.0, low_open=True).ravel()
    max_slowdown = non_negative("max_slowdown", max_slowdown)
    res = cross_site_split(model, tokens, chip, count, route_km, grid, sites=sites, catalog=catalog, **engine_kw)
    ok = res["slowdown_no_overlap"] <= 1.0 + max_slowdown
    return float(grid[np.argmax(ok)]) if ok.any() else float("inf")
