"""Cluster-level communication: named collectives, bus bandwidth, scaling efficiency, cross-site links.

Builds on the alpha-beta costs of :mod:`suanli.models.interconnect` (which it does not change):

- :func:`collective_seconds` picks a collective and an algorithm by name, so a sweep over message
  sizes, group sizes and links is one call;
- :func:`bus_bandwidth_factor` converts algorithm bandwidth to the "bus bandwidth" nccl-tests prints,
  the figure that is comparable with a link's rated bandwidth;
- :func:`scaling_efficiency` is the weak-link measure of a cluster that grows: throughput per device
  against the smallest cluster's;
- :func:`fibre_one_way_s` and :func:`cross_site_all_reduce` model data-parallel gradient exchange
  between two data centres (East-Data-West-Compute): latency from route length, bandwidth from the
  wavelengths leased, the WAN shared by every rank that crosses it.

All functions are pure and broadcast over numpy arrays; times in seconds, sizes in bytes,
bandwidths in bytes per second (one direction, already multiplied by the achievable efficiency).
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models import interconnect as ic
from suanli.models.power import FIBRE_KM_PER_MS
from suanli.validate import require_positive

COLLECTIVES = ("all-reduce", "reduce-scatter", "all-gather", "all-to-all")
"""The collectives :func:`collective_seconds` knows."""

ALGORITHMS = ("ring", "tree", "auto")
"""Algorithms for all-reduce: ring, (double binary) tree, or the faster of the two ("auto", NCCL's tuner)."""


def _check_name(value: str, allowed: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InputError(f"unknown {what} {value!r}; use one of {', '.join(allowed)}")
    return value


@V.checked(nbytes=V.NON_NEGATIVE, n=V.COUNT, bandwidth_bytes_per_s=V.POSITIVE, alpha_s=V.NON_NEGATIVE)
def collective_seconds(collective: str, nbytes, n, bandwidth_bytes_per_s, alpha_s, algorithm: str = "auto"):
    """Seconds of one collective over ``n`` ranks in the alpha-beta model.

    ``nbytes`` is the buffer each rank holds (all-reduce, reduce-scatter input, all-gather output,
    all-to-all send total). ``algorithm`` applies to all-reduce only (the other three are rings
    or pairwise exchanges, as in NCCL).

    References: Thakur, Rabenseifner & Gropp 2005, IJHPCA 19(1); Patarasuk & Yuan 2009; Sanders et
    al. 2009 (double binary tree); via :mod:`suanli.models.interconnect`.
    """
    _check_name(collective, COLLECTIVES, "collective")
    _check_name(algorithm, ALGORITHMS, "algorithm")
    require_positive(bandwidth_bytes_per_s=bandwidth_bytes_per_s, group_size=n)
    if np.any(np.asarray(nbytes, dtype=float) < 0) or np.any(np.asarray(alpha_s, dtype=float) < 0):
        raise InputError("message size and latency must not be negative")
    if collective == "all-reduce":
        fn = {"ring": ic.ring_all_reduce, "tree": ic.tree_all_reduce, "auto": ic.all_reduce}[algorithm]
        return fn(nbytes, n, bandwidth_bytes_per_s, alpha_s)
    fn = {"reduce-scatter": ic.reduce_scatter, "all-gather": ic.all_gather, "all-to-all": ic.all_to_all}[collective]
    return fn(nbytes, n, bandwidth_bytes_per_s, alpha_s)


@V.checked(n=V.COUNT)
def bus_bandwidth_factor(collective: str, n):
    """busBW / algBW: 2 (n-1)/n for all-reduce, (n-1)/n for reduce-scatter, all-gather and all-to-all.

    algBW = bytes / time; multiplying by this factor gives the bus bandwidth nccl-tests reports,
    which a ring reaches at the link's speed whatever the group size.

    References: NVIDIA nccl-tests, doc/PERFORMANCE.md ("Bus bandwidth").
    """
    _check_name(collective, COLLECTIVES, "collective")
    n = np.maximum(np.asarray(n, dtype=float), 1.0)
    return (2.0 if collective == "all-reduce" else 1.0) * (n - 1.0) / n


@V.checked(nbytes=V.NON_NEGATIVE, seconds=V.NON_NEGATIVE, n=V.COUNT)
def bus_bandwidth(collective: str, nbytes, seconds, n):
    """Bus bandwidth in bytes/s of a collective that moved ``nbytes`` in ``seconds`` over ``n`` ranks.

    References: NVIDIA nccl-tests, doc/PERFORMANCE.md.
    """
    t = np.asarray(seconds, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        alg = np.where(t > 0, np.asarray(nbytes, dtype=float) / t, 0.0)
    return alg * bus_bandwidth_factor(collective, n)


@V.checked(aligned=False, tokens_per_s=V.POSITIVE, counts=V.POSITIVE)
def scaling_efficiency(tokens_per_s, counts):
    """Per-device throughput of each cluster size against the first (smallest) one's.

    ``tokens_per_s`` and ``counts`` are aligned 1-D arrays; the result is 1.0 at the first entry and
    below it where communication, bubbles or a batch too small for the cluster cost throughput.

    References: the weak-scaling efficiency of Narayanan et al. 2021, arXiv:2104.04473, Sec 5.1
    (per-GPU throughput as the cluster grows at a fixed global batch).
    """
    tps = np.asarray(tokens_per_s, dtype=float).reshape(-1)
    n = np.asarray(counts, dtype=float).reshape(-1)
    if tps.shape != n.shape or tps.size == 0:
        raise InputError("tokens_per_s and counts must be aligned, non-empty sequences")
    require_positive(tokens_per_s=tps, counts=n)
    per_device = tps / n
    return per_device / per_device[0]


@V.checked(route_km=V.NON_NEGATIVE)
def fibre_one_way_s(route_km):
    """One-way propagation delay in seconds over ``route_km`` of fibre (~4.9 us per km).

    References: ITU-T G.652 single-mode fibre, group index ~1.468 at 1550 nm (light at c/1.468);
    the constant is :data:`suanli.models.power.FIBRE_KM_PER_MS`.
    """
    km = np.asarray(route_km, dtype=float)
    if np.any(~np.isfinite(km)) or np.any(km < 0):
        raise InputError(f"route length must be a distance of 0 km or more, got {route_km!r}")
    return km / (FIBRE_KM_PER_MS * 1000.0)


@V.checked(
    nbytes=V.NON_NEGATIVE,
    ranks_per_site=V.COUNT,
    sites=V.COUNT,
    site_bandwidth_bytes_per_s=V.POSITIVE,
    site_alpha_s=V.NON_NEGATIVE,
    wan_bandwidth_bytes_per_s=V.POSITIVE,
    route_km=V.NON_NEGATIVE,
    ranks_sharing_wan=V.optional(V.COUNT),
    wan_equipment_s=V.NON_NEGATIVE,
)
def cross_site_all_reduce(
    nbytes,
    ranks_per_site,
    sites,
    site_bandwidth_bytes_per_s,
    site_alpha_s,
    wan_bandwidth_bytes_per_s,
    route_km,
    ranks_sharing_wan=None,
    wan_equipment_s=0.0,
):
    """Two-level all-reduce across data centres: inside each site over its network, across over the WAN.

    Each of ``ranks_per_site`` ranks in a site holds ``nbytes`` of gradients. Reduce-scatter inside the
    site, all-reduce each 1/ranks_per_site shard across the ``sites`` over the long-haul link, then
    all-gather inside. All ranks cross the WAN at once, so each gets ``wan / ranks_sharing_wan`` of it
    (``ranks_sharing_wan`` defaults to ``ranks_per_site``; with tensor/pipeline parallelism every
    model-parallel rank runs its own data-parallel group, so pass the site's whole device count). The
    WAN's per-step latency is the fibre's one-way delay plus ``wan_equipment_s``.

    References: Goyal et al. 2017, arXiv:1706.02677, Sec 4 and Jia et al. 2018, arXiv:1807.11205
    (hierarchical all-reduce); ITU-T G.652 fibre delay; :func:`suanli.models.interconnect.hierarchical_all_reduce`.
    """
    require_positive(
        ranks_per_site=ranks_per_site,
        sites=sites,
        wan_bandwidth_bytes_per_s=wan_bandwidth_bytes_per_s,
        site_bandwidth_bytes_per_s=site_bandwidth_bytes_per_s,
    )
    share = ranks_per_site if ranks_sharing_wan is None else ranks_sharing_wan
    require_positive(ranks_sharing_wan=share)
    alpha = fibre_one_way_s(route_km) + np.asarray(wan_equipment_s, dtype=float)
    per_rank_wan = np.asarray(wan_bandwidth_bytes_per_s, dtype=float) / np.asarray(share, dtype=float)
    return ic.hierarchical_all_reduce(
        nbytes, ranks_per_site, sites, site_bandwidth_bytes_per_s, site_alpha_s, per_rank_wan, alpha
    )


@V.checked(comm_seconds=V.NON_NEGATIVE, overlap_window_s=V.NON_NEGATIVE)
def exposed_seconds(comm_seconds, overlap_window_s):
    """Communication left on the critical path when ``overlap_window_s`` of compute can hide it.

    References: bucketed gradient reduction overlapping the backward pass (Li et al. 2020, PyTorch
    DDP, arXiv:2006.15704).
    """
    return np.maximum(np.asarray(comm_seconds, dtype=float) - np.asarray(overlap_window_s, dtype=float), 0.0)
