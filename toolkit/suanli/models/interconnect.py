"""Collective communication costs in the alpha-beta model: ring, tree and two-level hierarchical.

Every function takes ``nbytes`` (the buffer size each rank holds), the group size ``n``, the per-rank
one-direction bandwidth ``bandwidth_bytes_per_s`` (already multiplied by the achievable efficiency)
and the per-step latency ``alpha_s``, and returns seconds. All broadcast over numpy arrays; a group
of one costs nothing.

References: Thakur, Rabenseifner & Gropp 2005, 'Optimization of Collective Communication Operations
in MPICH', IJHPCA 19(1) (ring/recursive algorithms, alpha-beta costs); Patarasuk & Yuan 2009 (ring
all-reduce is bandwidth-optimal: 2 (n-1)/n x bytes); NCCL's double binary tree (Sanders et al. 2009;
NVIDIA NCCL 2.4 blog, 2019); Jia et al. 2018 / Goyal et al. 2017 hierarchical all-reduce.
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V


def _group(n):
    return np.maximum(np.asarray(n, dtype=float), 1.0)


@V.checked(nbytes=V.NON_NEGATIVE, n=V.NON_NEGATIVE, bandwidth_bytes_per_s=V.POSITIVE, alpha_s=V.NON_NEGATIVE)
def ring_all_reduce(nbytes, n, bandwidth_bytes_per_s, alpha_s):
    """Ring all-reduce: 2 (n-1)/n x bytes / B + 2 (n-1) alpha.

    References: Patarasuk & Yuan 2009, J. Parallel Distrib. Comput. 69(2); Thakur et al. 2005.
    """
    n = _group(n)
    return 2.0 * (n - 1.0) / n * np.asarray(nbytes, dtype=float) / bandwidth_bytes_per_s + 2.0 * (n - 1.0) * alpha_s


@V.checked(nbytes=V.NON_NEGATIVE, n=V.NON_NEGATIVE, bandwidth_bytes_per_s=V.POSITIVE, alpha_s=V.NON_NEGATIVE)
def tree_all_reduce(nbytes, n, bandwidth_bytes_per_s, alpha_s):
    """Pipelined (double binary) tree all-reduce: ~2 x bytes / B + 2 log2(n) alpha; 0 when n = 1.

    References: Sanders, Speck & Träff 2009, 'Two-tree algorithms for full bandwidth broadcast,
    reduction and scan', Parallel Computing 35(12); NCCL 2.4 double binary trees (NVIDIA blog, 2019).
    """
    n = _group(n)
    cost = 2.0 * np.asarray(nbytes, dtype=float) / bandwidth_bytes_per_s + 2.0 * np.log2(n) * alpha_s
    return np.where(n > 1, cost, 0.0)


@V.checked(nbytes=V.NON_NEGATIVE, n=V.NON_NEGATIVE, bandwidth_bytes_per_s=V.POSITIVE, alpha_s=V.NON_NEGATIVE)
def all_reduce(nbytes, n, bandwidth_bytes_per_s, alpha_s):
    """The faster of ring and tree, as NCCL's tuner picks per size.

    References: see :func:`ring_all_reduce` and :func:`tree_all_reduce`.
    """
    return np.minimum(
        ring_all_reduce(nbytes, n, bandwidth_bytes_per_s, alpha_s),
        tree_all_reduce(nbytes, n, bandwidth_bytes_per_s, alpha_s),
    )


@V.checked(nbytes=V.NON_NEGATIVE, n=V.NON_NEGATIVE, bandwidth_bytes_per_s=V.POSITIVE, alpha_s=V.NON_NEGATIVE)
def reduce_scatter(nbytes, n, bandwidth_bytes_per_s, alpha_s):
    """Ring reduce-scatter of a buffer of ``nbytes``: (n-1)/n x bytes / B + (n-1) alpha.

    References: Thakur et al. 2005, IJHPCA 19(1), Sec 4.
    """
    n = _group(n)
    return (n - 1.0) / n * np.asarray(nbytes, dtype=float) / bandwidth_bytes_per_s + (n - 1.0) * alpha_s


@V.checked(nbytes=V.NON_NEGATIVE, n=V.NON_NEGATIVE, bandwidth_bytes_per_s=V.POSITIVE, alpha_s=V.NON_NEGATIVE)
def all_gather(nbytes, n, bandwidth_bytes_per_s, alpha_s):
    """Ring all-gather producing ``nbytes`` on every rank: (n-1)/n x bytes / B + (n-1) alpha.

    References: Thakur et al. 2005, IJHPCA 19(1), Sec 3.
    """
    return reduce_scatter(nbytes, n, bandwidth_bytes_per_s, alpha_s)


@V.checked(nbytes=V.NON_NEGATIVE, n=V.NON_NEGATIVE, bandwidth_bytes_per_s=V.POSITIVE, alpha_s=V.NON_NEGATIVE)
def all_to_all(nbytes, n, bandwidth_bytes_per_s, alpha_s):
    """Pairwise all-to-all where each rank sends ``nbytes`` in total: (n-1)/n x bytes / B + (n-1) alpha.

    References: Thakur et al. 2005, IJHPCA 19(1), Sec 5 (pairwise exchange).
    """
    return reduce_scatter(nbytes, n, bandwidth_bytes_per_s, alpha_s)


@V.checked(nbytes=V.NON_NEGATIVE, bandwidth_bytes_per_s=V.POSITIVE, alpha_s=V.NON_NEGATIVE)
def send_recv(nbytes, bandwidth_bytes_per_s, alpha_s):
    """Point-to-point transfer: bytes / B + alpha (Hockney 1994).

    References: Hockney 1994, 'The communication challenge for MPP', Parallel Computing 20(3).
    """
    return np.asarray(nbytes, dtype=float) / bandwidth_bytes_per_s + alpha_s


@V.checked(
    nbytes=V.NON_NEGATIVE,
    n_local=V.COUNT,
    n_nodes=V.COUNT,
    local_bw=V.POSITIVE,
    local_alpha=V.NON_NEGATIVE,
    remote_bw=V.POSITIVE,
    remote_alpha=V.NON_NEGATIVE,
)
def hierarchical_all_reduce(nbytes, n_local, n_nodes, local_bw, local_alpha, remote_bw, remote_alpha):
    """Two-level all-reduce: reduce-scatter inside the scale-up domain (``n_local`` ranks), all-reduce
    of each 1/n_local shard across ``n_nodes`` domains over the NICs (all ranks in parallel), then
    all-gather inside the domain.

    References: Goyal et al. 2017 (arXiv:1706.02677, Sec 4); Jia et al. 2018 (arXiv:1807.11205,
    hierarchical all-reduce); NCCL's NVLink+network ring/tree composition.
    """
    n_local = _group(n_local)
    shard = np.asarray(nbytes, dtype=float) / n_local
    inner = reduce_scatter(nbytes, n_local, local_bw, local_alpha) + all_gather(nbytes, n_local, local_bw, local_alpha)
    outer = all_reduce(shard, n_nodes, remote_bw, remote_alpha)
    return np.where(n_local > 1, inner, 0.0) + outer


@V.checked(n=V.NON_NEGATIVE, stride=V.NON_NEGATIVE, domain=V.POSITIVE)
def group_placement(n, stride, domain):
    """How a group of ``n`` ranks, ``stride`` apart in rank order, spreads over scale-up domains.

    Returns ``(n_local, n_nodes)``: ranks of the group per domain and the number of domains it spans.
    Megatron orders ranks TP fastest, then DP (and EP inside it), then PP.

    References: Narayanan et al. 2021, arXiv:2104.04473, Sec 3.3 (TP inside a node, PP/DP across).
    """
    n = np.asarray(n, dtype=float)
    stride = np.asarray(stride, dtype=float)
    domain = np.asarray(domain, dtype=float)
    per_domain = np.maximum(np.floor(domain / np.maximum(stride, 1.0)), 1.0)
    n_local = np.minimum(n, per_domain)
    n_nodes = np.ceil(n / n_local)
    return n_local, n_nodes
