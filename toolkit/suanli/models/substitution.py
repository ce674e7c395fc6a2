"""Replacing one accelerator fleet by another: chips needed, racks, feasibility, Pareto fronts, mixed fleets.

The questions: a company trained on A100/H100 and must now use H20s or domestic chips. How
many chips meet the deadline, in how many racks, is it possible at all (export rules, supply, how
large a cluster the network supports), and what does a mix of two pools gain or lose?

Everything here is a pure function of numbers and arrays. Training time as a function of chip count
comes from the engine (see :mod:`suanli.scenarios.substitution`, which evaluates it on a grid of counts and hands
the arrays to these functions). Time is *not* 1/count: communication grows with the cluster, a small
scale-up domain forces more pipeline and data parallelism, and the global batch caps data parallelism,
so the solves below search the engine's curve instead of dividing.

- :func:`first_count_meeting` / :func:`bisect_sizes`: the fewest chips whose time meets a deadline, on a
  grid (vectorised over deadlines) and refined by bisection over the sizes between two grid points.
- :func:`interpolate_seconds` / :func:`interpolate_count`: time at any count, and the count for any
  time, from the grid (log-log; smooth answers for plots and sensitivities).
- :func:`rack_layout`: servers, racks (power- or space-limited), support racks and floor area.
- :func:`fat_tree_max_endpoints`: the largest cluster a switched fabric of given radix and tiers joins.
- :func:`supply_available`: units a buyer can obtain over a window from a yearly output and a yield.
- :func:`feasibility`: the list of reasons a plan cannot go ahead (export rule, supply, fabric, memory,
  deadline), each one sentence.
- :func:`equal_cost_count`: the fleet the reference fleet's money buys.
- :func:`pareto_mask`: the non-dominated rows over (time, cost, power), one vectorised pass.
- :func:`two_pool_step`: a heterogeneous fleet of two pools, load-balanced, with the cross-pool link
  carrying the data-parallel gradient exchange: the "compute islands" problem.

Every constant is a :class:`~suanli.models.defaults.Default` with its source below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models.defaults import Default
from suanli.spec import Source

# --------------------------------------------------------------------------------------------
# Constants, each with its source
# --------------------------------------------------------------------------------------------

_DGX_H100_RACKS = Source(
    "NVIDIA DGX SuperPOD: Data Center Design featuring DGX H100 (four DGX H100 per rack, 4 x 10.2 kW = 40.8 kW; "
    "the 4-SU, 127-node reference design lists 38 racks), as summarised by unanswered.io and the reference architecture",
    url="https://docs.nvidia.com/dgx-superpod/design-guides/dgx-superpod-data-center-design-h100/latest/planning.html",
    date="2023",
    confidence="press",
    note="NVIDIA's design guide via an aggregator copy (unanswered.io/guide/nvidia-h100-gpu-density-per-node-rack); "
    "the 38-rack figure is from the DGX H100 SuperPOD reference architecture's component table",
)

RACK_POWER_KW = Default(40.8, "kW per compute rack", _DGX_H100_RACKS)
"""The power a compute rack may draw: four DGX H100 at their 10.2 kW rating. Many older Chinese and
US halls are built for 10-15 kW per rack (the same guide); pass ``rack_power_kw`` for those."""

RACK_POWER_KW_RANGE = (10.0, 56.0)
"""10 kW: a legacy air-cooled hall (same guide); 56 kW: four DGX B300 per rack (NVIDIA DGX SuperPOD B300
reference architecture, https://docs.nvidia.com/dgx-superpod/reference-architecture/scalable-infrastructure-b300-xdr/)."""

MAX_CHIPS_PER_RACK = Default(
    32.0,
    "accelerators per compute rack",
    Source(
        "DGX H100 SuperPOD: 4 systems x 8 GPUs per rack; Huawei CloudMatrix 384: 384 NPUs in 12 compute racks "
        "(32 per rack) plus 4 network racks (SemiAnalysis 2025-04-16)",
        url="https://semianalysis.com/2025/04/16/huawei-ai-cloudmatrix-384-chinas-answer-to-nvidia-gb200-nvl72/",
        date="2025-04-16",
        confidence="press",
        note="the space limit of an air-cooled or early liquid-cooled rack; both references land on 32 "
        "accelerators per compute rack. A chip whose server holds more (an NVL72 rack) uses its server size.",
    ),
)

SUPPORT_RACK_FRACTION = Default(
    38.0 / 32.0 - 1.0,
    "support racks per compute rack",
    Source(
        "DGX H100 SuperPOD reference architecture, 4 SU: 38 racks for 127 DGX nodes (32 compute racks at 4 per "
        "rack, so 6 network/management/storage racks); CloudMatrix 384: 4 network racks per 12 compute racks",
        url="https://docs.nvidia.com/dgx-superpod/design-guides/dgx-superpod-data-center-design-h100/latest/planning.html",
        date="2023",
        confidence="estimate",
        note="6 / 32 = 0.19 from the DGX design; CloudMatrix's all-optical fabric needs 4 / 12 = 0.33. "
        "Range 0.19..0.33; storage racks of a large cluster are not all counted in either.",
    ),
)

SUPPORT_RACK_FRACTION_RANGE = (38.0 / 32.0 - 1.0, 4.0 / 12.0)

FLOOR_M2_PER_RACK = Default(
    1000.0 / 160.0,
    "m^2 of machine-room floor per rack (gross, aisles included)",
    Source(
        "Huawei Connect 2025: Atlas 950 SuperPoD, 8,192 NPUs in 160 cabinets on about 1,000 m^2 "
        "(as reported by notebookcheck and reportify)",
        url="https://www.notebookcheck.net/",
        date="2025-09",
        confidence="press",
        note="1000 / 160 = 6.25 m^2 per cabinet, hot/cold aisles and the cluster's network cabinets included; "
        "it excludes power and cooling plant rooms.",
    ),
)

SWITCH_RADIX = Default(
    64.0,
    "ports per switch",
    Source(
        "NVIDIA Quantum-2 (QM9700/QM9790): 64 ports of NDR 400 Gb/s in 1U; a two-tier Quantum-2 fat tree reaches "
        "2,048 endpoints at full bisection",
        url="https://yobitel.com/knowledge-base/nvidia-quantum-2",
        date="2022",
        confidence="datasheet",
        note="via product summaries (itctshop.com, yobitel.com). 51.2 Tb/s Ethernet switches split to 128 x 400G ports.",
    ),
)

FABRIC_TIERS = Default(
    3.0,
    "switch tiers",
    Source(
        "Al-Fares, Loukissas & Vahdat 2008, 'A Scalable, Commodity Data Center Network Architecture', SIGCOMM: a "
        "three-tier fat tree of k-port switches connects k^3/4 hosts at full bisection",
        url="https://doi.org/10.1145/1402958.1402967",
        date="2008",
        confidence="paper",
    ),
)

SUPPLY_SHARE = Default(
    1.0,
    "share of a chip's national output one buyer obtains",
    Source(
        "suanli assumption: the whole output is available to the buyer",
        confidence="estimate",
        note="an upper bound, chosen so that a plan flagged as supply-limited is limited even in the best case. "
        "Several large buyers compete for domestic output; set supply_share to the buyer's realistic share.",
    ),
)

YIELD_FRACTION = Default(
    1.0,
    "good units per unit of stated supply",
    Source(
        "suanli convention: plugin supply figures are shipped (good) units",
        confidence="estimate",
        note="the catalog's supply_units_per_year figures are planned or reported shipments, already after yield; "
        "give a yield (e.g. Ascend 910C ~0.4 in Feb 2025, FT via DIGITIMES Asia 2025-02-26) only when the supply "
        "you pass counts dies started.",
    ),
)

CROSS_POOL_OVERLAP = Default(
    0.0,
    "share of the cross-pool gradient exchange hidden behind compute",
    Source(
        "suanli estimate: cross-pool exchange between different collective libraries is not overlapped",
        confidence="estimate",
        note="NCCL and HCCL (or CNCL, MCCL...) do not form one communicator, so the exchange between pools goes "
        "through a host-side bridge after each pool has reduced its own gradients, on the critical path. 0 is the "
        "conservative end; a framework that buckets the bridge into the backward pass could reach the "
        "in-pool DP overlap (0.8, suanli.models.defaults.DP_COMM_OVERLAP).",
    ),
)

DOMESTIC_VENDOR_PREFIXES = (
    "huawei",
    "cambricon",
    "hygon",
    "biren",
    "moorethreads",
    "iluvatar",
    "enflame",
    "kunlunxin",
    "metax",
)
"""Id prefixes of accelerators designed by companies headquartered in mainland China. US export rules on
advanced computing items govern exports to China; they do not stop a Chinese buyer from buying a domestic
design (its limit is supply: foundry capacity and HBM), so :func:`feasibility` checks them only for
foreign designs."""

SECONDS_PER_DAY = 86_400.0
DAYS_PER_YEAR = 365.0


def _arr(name: str, value: Any) -> np.ndarray:
    return V.array(name, value, allow_inf=True)


def _positive(name: str, value: Any) -> np.ndarray:
    return V.array(name, value, low=0.0, low_open=True)


def _out(x):
    x = np.asarray(x)
    return x.item() if x.ndim == 0 else x


# --------------------------------------------------------------------------------------------
# Chips needed for a deadline
# --------------------------------------------------------------------------------------------


@V.checked(
    aligned=False, finite_result=False, counts=V.POSITIVE, seconds=V.NON_NEGATIVE_OR_INF, target_seconds=V.POSITIVE
)
def first_count_meeting(counts, seconds, target_seconds):
    """The fewest chips on a grid whose training time meets ``target_seconds`` (NaN where none does).

    ``counts`` is increasing; ``seconds[i]`` the time at ``counts[i]`` (``inf`` where the run does not
    fit). The time need not fall monotonically (layouts are discrete, and beyond some size communication
    makes a larger fleet slower), so the answer is the first grid point that meets the target, not an
    interpolation. Vectorised over ``target_seconds``.

    References: the engine's curve (Narayanan et al. 2021, arXiv:2104.04473, for why time is not
    1/count); the grid search of a monotone-in-practice step function.
    """
    c = _arr("counts", counts).reshape(-1)
    s = np.asarray(seconds, dtype=float).reshape(-1)
    if c.shape != s.shape:
        raise InputError(f"counts and seconds must have one entry per grid point ({c.size} vs {s.size})")
    t = _positive("target_seconds", target_seconds)
    ok = s[None, :] <= t.reshape(-1, 1)
    first = np.argmax(ok, axis=1)
    out = np.where(ok.any(axis=1), c[first], np.nan)
    return _out(out.reshape(t.shape))


@V.checked(aligned=False, seconds_at=V.FUNCTION, target_seconds=V.ONE_POSITIVE, sizes=V.sequence)
def bisect_sizes(seconds_at: Callable[[int], float], target_seconds: float, sizes: Sequence[int]) -> int:
    """The first of the increasing ``sizes`` whose time meets the target, by bisection.

    ``sizes[-1]`` must meet the target and the size before ``sizes[0]`` miss it (a bracket from
    :func:`first_count_meeting`). About log2(len(sizes)) calls of ``seconds_at`` (engine runs). Where
    the curve is not monotone inside the bracket the answer is a size that meets the target, not always
    the fewest.

    References: bisection on a monotone predicate (Knuth, TAOCP vol. 3, 6.2.1).
    """
    if not isinstance(sizes, range):  # a range stays lazy: a bracket of a billion chips costs nothing
        sizes = [int(x) for x in sizes]
    if not sizes:
        raise InputError("give at least one fleet size to search")
    lo, hi = -1, len(sizes) - 1  # sizes[hi] meets the target; the size before sizes[0] misses it
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if seconds_at(sizes[mid]) <= target_seconds:
            hi = mid
        else:
            lo = mid
    return sizes[hi]


@V.checked(
    seconds_at=V.FUNCTION,
    target_seconds=V.ONE_POSITIVE,
    low=V.ONE_NON_NEGATIVE,
    high=V.ONE_POSITIVE,
    granule=V.ONE_COUNT,
)
def bisect_count(
    seconds_at: Callable[[int], float], target_seconds: float, low: int, high: int, granule: int = 1
) -> int:
    """The fewest chips in (``low``, ``high``], a multiple of ``granule``, whose time meets the target.

    ``seconds_at(low)`` must miss the target and ``seconds_at(high)`` meet it. :func:`bisect_sizes` over
    whole granules (servers or scale-up domains).

    References: bisection on a monotone predicate (Knuth, TAOCP vol. 3, 6.2.1).
    """
    g = int(granule)
    if g < 1:
        raise InputError(f"granule must be a whole number >= 1, got {granule!r}")
    if high > V.MAX_COUNT:
        raise InputError(f"high must be at most {V.MAX_COUNT:,} chips, got {high!r}")
    lo, hi = int(low) // g, -(-int(high) // g)
    if lo >= hi:
        raise InputError(f"low ({low}) must be below high ({high})")
    return bisect_sizes(seconds_at, target_seconds, range((lo + 1) * g, hi * g + 1, g))


@V.checked(
    aligned=False, finite_result=False, counts=V.POSITIVE, seconds=V.NON_NEGATIVE_OR_INF, query_counts=V.POSITIVE
)
def interpolate_seconds(counts, seconds, query_counts):
    """Training time at ``query_counts`` from a grid, interpolated linearly in log(count)-log(time).

    Between two grid points time falls as a power law of count (exponent -1 for perfect scaling, closer
    to 0 where communication dominates), which log-log interpolation reproduces exactly. Outside the grid
    the result is NaN (no extrapolation); points where the run does not fit (``inf``) poison their
    neighbourhood into ``inf``.

    References: piecewise power-law interpolation of a strong-scaling curve (Amdahl 1967; Gustafson 1988).
    """
    c = _positive("counts", counts).reshape(-1)
    s = np.asarray(seconds, dtype=float).reshape(-1)
    if c.shape != s.shape:
        raise InputError(f"counts and seconds must have one entry per grid point ({c.size} vs {s.size})")
    q = _positive("query_counts", query_counts)
    if c.size == 1:
        return _out(np.where(np.isclose(q, c[0]), s[0], np.nan))
    lc, lq = np.log(c), np.log(q)
    i = np.clip(np.searchsorted(lc, lq), 1, c.size - 1)
    frac = (lq - lc[i - 1]) / (lc[i] - lc[i - 1])
    s0, s1 = s[i - 1], s[i]
    both = np.isfinite(s0) & np.isfinite(s1) & (s0 > 0) & (s1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = np.exp(np.log(np.where(both, s0, 1.0)) * (1.0 - frac) + np.log(np.where(both, s1, 1.0)) * frac)
    out = np.where(both, inner, np.inf)
    out = np.where(np.isclose(frac, 0.0), s0, np.where(np.isclose(frac, 1.0), s1, out))
    out = np.where((frac < -1e-9) | (frac > 1.0 + 1e-9), np.nan, out)
    return _out(out)


@V.checked(
    aligned=False, finite_result=False, counts=V.POSITIVE, seconds=V.NON_NEGATIVE_OR_INF, target_seconds=V.POSITIVE
)
def interpolate_count(counts, seconds, target_seconds):
    """The (fractional) fleet size whose best time equals ``target_seconds``: the inverse of the curve.

    Uses the curve's record points (sizes faster than every smaller size: the best layout on at most
    that many chips) and interpolates log(count) against log(time) between them, so the answer moves
    smoothly with the target, unlike :func:`first_count_meeting`, which jumps from grid point to grid
    point. NaN where no size is fast enough; the smallest fitting size where even it is faster than
    needed. Vectorised over ``target_seconds``. Used for sensitivities, not to size a real purchase.

    References: inverse of a piecewise power-law strong-scaling curve (see :func:`interpolate_seconds`).
    """
    c = _positive("counts", counts).reshape(-1)
    s = np.asarray(seconds, dtype=float).reshape(-1)
    if c.shape != s.shape:
        raise InputError(f"counts and seconds must have one entry per grid point ({c.size} vs {s.size})")
    t = _positive("target_seconds", target_seconds)
    s = np.where(np.isnan(s), np.inf, s)
    prior = np.concatenate([[np.inf], np.minimum.accumulate(s)[:-1]])
    record = np.isfinite(s) & (s < prior)
    if not record.any():
        return _out(np.full(t.shape, np.nan))
    rc, rs = np.log(c[record]), np.log(s[record])  # rs strictly decreasing
    lt = np.log(t)
    out = np.exp(np.interp(-lt, -rs, rc))
    out = np.where(lt < rs[-1] - 1e-12, np.nan, out)
    return _out(out)


# --------------------------------------------------------------------------------------------
# Racks and floor space
# --------------------------------------------------------------------------------------------


@V.checked(
    chips=V.NON_NEGATIVE,
    chips_per_server=V.POSITIVE,
    server_power_w=V.POSITIVE,
    rack_power_kw=V.POSITIVE,
    max_chips_per_rack=V.POSITIVE,
    support_rack_fraction=V.NON_NEGATIVE,
    floor_m2_per_rack=V.POSITIVE,
)
def rack_layout(
    chips,
    chips_per_server,
    server_power_w,
    *,
    rack_power_kw=RACK_POWER_KW.value,
    max_chips_per_rack=MAX_CHIPS_PER_RACK.value,
    support_rack_fraction=SUPPORT_RACK_FRACTION.value,
    floor_m2_per_rack=FLOOR_M2_PER_RACK.value,
) -> dict[str, Any]:
    """Servers, racks and floor area of a fleet of ``chips``.

    A compute rack holds as many whole servers as its power budget allows (``rack_power_kw`` over the
    server's rated power) and its space allows (``max_chips_per_rack``, at least one server); support
    racks (network, management, storage) add ``support_rack_fraction`` per compute rack; each rack takes
    ``floor_m2_per_rack`` of gross floor. Returns arrays: ``servers``, ``servers_per_rack``,
    ``compute_racks``, ``support_racks``, ``racks``, ``floor_m2``, ``rack_kw`` (drawn per compute rack
    at rating) and ``power_limited`` (True where power, not space, sets the rack's fill; a server rated
    above the budget still gets a rack of its own, and ``over_budget`` says so).

    References: NVIDIA DGX SuperPOD H100 data-centre design (4 systems / 40.8 kW per rack; 38 racks per
    127 nodes); SemiAnalysis 2025-04-16 (CloudMatrix 384 rack plan); Huawei Atlas 950 SuperPoD floor area
    (see :data:`FLOOR_M2_PER_RACK`).
    """
    n = _arr("chips", chips)
    if np.any(n < 0):
        raise InputError(f"chips must not be negative, got {chips!r}")
    per_server = _positive("chips_per_server", chips_per_server)
    server_kw = _positive("server_power_w", server_power_w) / 1e3
    budget = _positive("rack_power_kw", rack_power_kw)
    space = _positive("max_chips_per_rack", max_chips_per_rack)
    support = _arr("support_rack_fraction", support_rack_fraction)
    area = _positive("floor_m2_per_rack", floor_m2_per_rack)
    if np.any(support < 0):
        raise InputError(f"support_rack_fraction must not be negative, got {support_rack_fraction!r}")
    servers = np.ceil(n / per_server - 1e-9)
    by_power = np.floor(budget / server_kw + 1e-9)
    by_space = np.maximum(np.floor(np.maximum(space, per_server) / per_server + 1e-9), 1.0)
    per_rack = np.maximum(np.minimum(by_power, by_space), 1.0)
    compute = np.ceil(servers / per_rack - 1e-9)
    support_racks = np.ceil(compute * support - 1e-9)
    racks = compute + support_racks
    return {
        "servers": _out(servers),
        "servers_per_rack": _out(per_rack),
        "compute_racks": _out(compute),
        "support_racks": _out(support_racks),
        "racks": _out(racks),
        "floor_m2": _out(racks * area),
        "rack_kw": _out(per_rack * server_kw),
        "power_limited": _out(by_power < by_space),
        "over_budget": _out(server_kw > budget),
    }


# --------------------------------------------------------------------------------------------
# Feasibility
# --------------------------------------------------------------------------------------------


@V.checked(radix=V.COUNT, tiers=V.COUNT)
def fat_tree_max_endpoints(radix=SWITCH_RADIX.value, tiers=FABRIC_TIERS.value):
    """Endpoints a full-bisection fat tree of ``tiers`` levels of ``radix``-port switches connects: 2 (k/2)^t.

    Two tiers: k^2/2 (2,048 with 64-port switches); three tiers: k^3/4 (65,536). One endpoint is one
    accelerator's NIC port.

    References: Al-Fares, Loukissas & Vahdat 2008, SIGCOMM (k^3/4 hosts for three tiers); Leiserson 1985,
    'Fat-trees', IEEE Trans. Computers C-34(10).
    """
    k = _positive("radix", radix)
    t = _positive("tiers", tiers)
    # a fat-tree switch splits its ports half down, half up: the radix is even, the tiers whole
    if np.any(k % 2) or np.any(k < 2):
        raise InputError(f"radix must be an even whole number of switch ports >= 2, got {radix!r}")
    if np.any(t % 1):
        raise InputError(f"tiers must be a whole number of switch levels, got {tiers!r}")
    return _out(2.0 * (k / 2.0) ** t)


@V.checked(units_per_year=V.NON_NEGATIVE, window_days=V.POSITIVE, share=V.EFFICIENCY, yield_fraction=V.EFFICIENCY)
def supply_available(units_per_year, window_days, share=SUPPLY_SHARE.value, yield_fraction=YIELD_FRACTION.value):
    """Units a buyer can obtain in ``window_days``: yearly output x window / 365 x share x yield.

    References: supply figures per chip in the plugins (e.g. Huawei 2025 plans: 300,000 910B and
    100,000 910C, FT via DIGITIMES Asia 2025-02-26); :data:`SUPPLY_SHARE`, :data:`YIELD_FRACTION`.
    """
    u = _arr("units_per_year", units_per_year)
    if np.any(u < 0):
        raise InputError(f"units_per_year must not be negative, got {units_per_year!r}")
    w = _positive("window_days", window_days)
    s = _arr("share", share)
    y = _arr("yield_fraction", yield_fraction)
    if np.any((s <= 0) | (s > 1)):
        raise InputError(f"share must be in (0, 1], got {share!r}")
    if np.any((y <= 0) | (y > 1)):
        raise InputError(f"yield_fraction must be in (0, 1], got {yield_fraction!r}")
    return _out(u * w / DAYS_PER_YEAR * s * y)


def is_domestic(accelerator_id: str) -> bool:
    """True for an accelerator designed in mainland China (by id prefix, :data:`DOMESTIC_VENDOR_PREFIXES`)."""
    return str(accelerator_id).split("-", 1)[0].lower() in DOMESTIC_VENDOR_PREFIXES


EXPORT_RULES = ("oct2023", "oct2022", "none")
"""Export rules :func:`export_blocked` knows: the US BIS rules of October 2023 and October 2022, or none."""


@V.checked(classification=V.optional(V.mapping), accelerator_id=V.TEXT, rule=V.TEXT)
def export_blocked(classification: Mapping[str, Any] | None, accelerator_id: str, rule: str = "oct2023") -> str | None:
    """The reason a Chinese buyer cannot buy this chip new under the export ``rule``, or None.

    ``classification`` is :func:`suanli.models.export.classify_accelerator`'s dict; ``rule`` names its
    entry (``oct2023`` or ``oct2022``, each ``{"eccn", "reason"}``). An ECCN other than "not controlled"
    counts as blocked (3A090.a needs a licence, which for China is presumed denied). Domestic designs
    are never blocked: the rules control exports to China, not purchases of Chinese designs.

    References: US BIS interim final rules of 2022-10-07 (87 FR 62186) and 2023-10-25 (88 FR 73458),
    ECCN 3A090; the metrics come from :mod:`suanli.models.export`.
    """
    if rule not in EXPORT_RULES:
        raise InputError(f"unknown export rule {rule!r}; use one of {', '.join(EXPORT_RULES)}")
    if rule == "none" or is_domestic(accelerator_id) or not classification:
        return None
    entry = classification.get(rule, classification.get(f"export_{rule}"))
    if entry is None:
        return None
    eccn = str(entry.get("eccn", "") if isinstance(entry, Mapping) else entry)
    if not eccn or "not controlled" in eccn.lower():
        return None
    why = entry.get("reason") if isinstance(entry, Mapping) else None
    label = {"oct2023": "October 2023", "oct2022": "October 2022"}[rule]
    return f"export-controlled for China under the {label} rule (ECCN {eccn}{': ' + why if why else ''})"


@V.checked(
    chips_needed=V.optional(V.ONE_NON_NEGATIVE_OR_INF),
    deadline_days=V.optional(V.ONE_POSITIVE),
    best_days=V.optional(V.ONE_NON_NEGATIVE_OR_INF),
    supply_units=V.optional(V.ONE_NON_NEGATIVE),
    supply_window_days=V.optional(V.ONE_NON_NEGATIVE),
    max_fabric_chips=V.optional(V.ONE_NON_NEGATIVE),
    needs_porting=V.sequence,
    unknowns=V.sequence,
    best_chips=V.optional(V.ONE_NON_NEGATIVE_OR_INF),
    export_reason=V.optional(V.TEXT),
    no_fit_reason=V.optional(V.TEXT),
    batch_note=V.instance(str, what="text (empty for none)"),
)
def feasibility(
    *,
    chips_needed=None,
    deadline_days=None,
    best_days=None,
    supply_units=None,
    supply_window_days=None,
    max_fabric_chips=None,
    fits_memory=True,
    export_reason: str | None = None,
    needs_porting: Sequence[str] = (),
    unknowns: Sequence[str] = (),
    no_fit_reason: str | None = None,
    best_chips=None,
    batch_note: str = "",
) -> tuple[bool, list[str]]:
    """Whether a plan can go ahead and, one sentence each, why not (or what is uncertain).

    Blocking reasons: the model does not fit the chip's memory in any layout; no fleet size meets the
    deadline (``best_days`` is the fastest the curve reaches, on ``best_chips`` chips; ``batch_note`` says
    what bounds it, e.g. the critical batch); the chips needed exceed what the fabric
    joins (``max_fabric_chips``) or what supply delivers in the window (``supply_units``); an export rule
    (``export_reason``). Non-blocking notes: code to port before the run (``needs_porting``, op classes
    the stack does not support; priced by the compat model), and ``unknowns`` (a missing price or supply).

    References: :func:`fat_tree_max_endpoints`, :func:`supply_available`, :func:`export_blocked`.
    """
    reasons: list[str] = []
    blocked = False
    if not fits_memory:
        blocked = True
        reasons.append(no_fit_reason or "the model does not fit in the chip's memory in any parallel layout")
    if chips_needed is None or not np.isfinite(chips_needed):
        if deadline_days is not None and fits_memory:
            blocked = True
            best = (
                f"; the fastest any fleet size gets is {best_days:,.1f} days"
                if best_days is not None and np.isfinite(best_days)
                else ""
            )
            if best and best_chips is not None:
                best += f" (on {int(best_chips):,} chips{', ' + batch_note if batch_note else ''})"
            reasons.append(f"no fleet size meets the {deadline_days:,.3g}-day deadline{best}")
    else:
        if max_fabric_chips is not None and chips_needed > max_fabric_chips:
            blocked = True
            reasons.append(
                f"needs {chips_needed:,.0f} chips, more than the {max_fabric_chips:,.0f} one scale-out fabric joins"
            )
        if supply_units is not None and chips_needed > supply_units:
            blocked = True
            window = f" in {supply_window_days:g} days" if supply_window_days is not None else ""
            reasons.append(
                f"needs {chips_needed:,.0f} chips, more than the {supply_units:,.0f} supply delivers{window}"
            )
    if export_reason:
        blocked = True
        reasons.append(export_reason)
    if needs_porting:
        reasons.append(f"code must be ported before the run ({', '.join(needs_porting)} unsupported on the stack)")
    reasons.extend(unknowns)
    return (not blocked), reasons


# --------------------------------------------------------------------------------------------
# Equal cost
# --------------------------------------------------------------------------------------------


@V.checked(reference_cost=V.NON_NEGATIVE, unit_cost=V.POSITIVE, granule=V.POSITIVE)
def equal_cost_count(reference_cost, unit_cost, granule=1):
    """Chips the reference fleet's money buys: floor(reference cost / cost per chip), in whole granules.

    ``unit_cost`` is what one more chip costs on the chosen basis (price with its server share for a
    purchase, price per hour for a rental of equal duration). Vectorised.

    References: equal-budget comparison (Barroso, Hoelzle & Ranganathan, 'The Datacenter as a Computer',
    3rd ed. 2018, ch. 6: cost per unit of capability at equal spend).
    """
    ref = _arr("reference_cost", reference_cost)
    unit = _positive("unit_cost", unit_cost)
    g = _positive("granule", granule)
    if np.any(ref < 0):
        raise InputError(f"reference_cost must not be negative, got {reference_cost!r}")
    return _out(np.floor(ref / unit / g + 1e-9) * g)


# --------------------------------------------------------------------------------------------
# Pareto front
# --------------------------------------------------------------------------------------------


def pareto_mask(objectives) -> np.ndarray:
    """Boolean mask of the non-dominated rows of ``objectives`` (n rows x k objectives, all minimised).

    A row is dominated when another row is no worse in every objective and better in one. Rows with a
    NaN are never on the front. One broadcast comparison, O(n^2 k) memory: fine up to a few thousand rows.

    References: Deb 2001, 'Multi-Objective Optimization using Evolutionary Algorithms', Wiley, sec. 2.4
    (dominance, the non-dominated set).
    """
    x = V.float_array("objectives", objectives, "a table of numbers")
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise InputError("objectives must be a table: one row per option, one column per objective")
    valid = ~np.isnan(x).any(axis=1)
    xv = np.where(valid[:, None], x, np.inf)
    no_worse = (xv[None, :, :] <= xv[:, None, :]).all(axis=2)  # [i, j]: j no worse than i everywhere
    better = (xv[None, :, :] < xv[:, None, :]).any(axis=2)  # [i, j]: j better than i somewhere
    dominated = (no_worse & better & valid[None, :]).any(axis=1)
    return valid & ~dominated


# --------------------------------------------------------------------------------------------
# Two pools: the compute-islands problem
# --------------------------------------------------------------------------------------------


@V.checked(
    tokens_per_s_a=V.POSITIVE,
    tokens_per_s_b=V.POSITIVE,
    batch_tokens=V.POSITIVE,
    gradient_bytes=V.NON_NEGATIVE,
    link_bytes_per_s=V.POSITIVE,
    link_alpha_s=V.NON_NEGATIVE,
    overlap=V.SHARE,
)
def two_pool_step(
    tokens_per_s_a,
    tokens_per_s_b,
    batch_tokens,
    gradient_bytes,
    link_bytes_per_s,
    link_alpha_s=0.0,
    overlap=CROSS_POOL_OVERLAP.value,
) -> dict[str, Any]:
    """One data-parallel training step split over two pools, and what the mix gains over each pool alone.

    Each pool keeps a full model replica (its own TP/PP layout) and trains on a share of the global batch.
    The split is load-balanced: pool A takes ``share_a = T_a / (T_a + T_b)`` of the ``batch_tokens``, so
    both finish their part together after ``batch / (T_a + T_b)`` seconds (``T`` are the pools' tokens/s
    alone). Then their gradients are averaged over the cross-pool link: an all-reduce between two parties,
    ``gradient_bytes`` each way (reduce-scatter + all-gather of two halves), at ``link_bytes_per_s``
    (aggregate, one direction) plus two latencies; ``overlap`` of it hides behind compute. The mix beats
    pool A alone only while the exchange costs less than what pool B's throughput saves:

        t_x < batch T_b / (T_a (T_a + T_b))          (``break_even_bytes_per_s`` solves it for bandwidth)

    Returns arrays: ``share_a``, ``share_b``, ``compute_s``, ``exchange_s``, ``exposed_exchange_s``,
    ``step_s``, ``tokens_per_s``, ``alone_a_step_s``, ``alone_b_step_s``, ``speedup_vs_a``,
    ``speedup_vs_b``, ``exchange_share`` (of the step) and ``break_even_bytes_per_s`` (the link bandwidth
    at which the mix only matches the faster pool alone).

    References: Goyal et al. 2017 (arXiv:1706.02677), synchronous data parallelism; Patarasuk & Yuan 2009
    (ring all-reduce, 2 (n-1)/n x bytes: n = 2 gives one buffer each way); load balancing across
    heterogeneous workers as in HetPipe (Park et al. 2020, USENIX ATC) and Whale (Jia et al. 2022, USENIX ATC).
    """
    ta = _positive("tokens_per_s_a", tokens_per_s_a)
    tb = _positive("tokens_per_s_b", tokens_per_s_b)
    batch = _positive("batch_tokens", batch_tokens)
    g = _arr("gradient_bytes", gradient_bytes)
    bw = _positive("link_bytes_per_s", link_bytes_per_s)
    alpha = _arr("link_alpha_s", link_alpha_s)
    ov = _arr("overlap", overlap)
    if np.any(g < 0) or np.any(alpha < 0):
        raise InputError("gradient_bytes and link_alpha_s must not be negative")
    if np.any((ov < 0) | (ov > 1)):
        raise InputError(f"overlap must be between 0 and 1, got {overlap!r}")
    total = ta + tb
    compute = batch / total
    exchange = g / bw + 2.0 * alpha
    exposed = exchange * (1.0 - ov)
    step = compute + exposed
    alone_a, alone_b = batch / ta, batch / tb
    faster = np.minimum(alone_a, alone_b)
    saved = faster - compute  # what adding the slower pool saves on compute, before the exchange
    with np.errstate(divide="ignore", invalid="ignore"):
        break_even = np.where(
            saved > 2.0 * alpha * (1.0 - ov), g * (1.0 - ov) / (saved - 2.0 * alpha * (1.0 - ov)), np.inf
        )
    return {
        "share_a": _out(ta / total),
        "share_b": _out(tb / total),
        "compute_s": _out(compute),
        "exchange_s": _out(exchange),
        "exposed_exchange_s": _out(exposed),
        "step_s": _out(step),
        "tokens_per_s": _out(batch / step),
        "alone_a_step_s": _out(alone_a),
        "alone_b_step_s": _out(alone_b),
        "speedup_vs_a": _out(alone_a / step),
        "speedup_vs_b": _out(alone_b / step),
        "exchange_share": _out(exposed / step),
        "break_even_bytes_per_s": _out(break_even),
    }


__all__ = [
    "CROSS_POOL_OVERLAP",
    "DOMESTIC_VENDOR_PREFIXES",
    "EXPORT_RULES",
    "FABRIC_TIERS",
    "FLOOR_M2_PER_RACK",
    "MAX_CHIPS_PER_RACK",
    "RACK_POWER_KW",
    "SUPPLY_SHARE",
    "SUPPORT_RACK_FRACTION",
    "SWITCH_RADIX",
    "YIELD_FRACTION",
    "bisect_count",
    "bisect_sizes",
    "equal_cost_count",
    "export_blocked",
    "fat_tree_max_endpoints",
    "feasibility",
    "first_count_meeting",
    "interpolate_count",
    "interpolate_seconds",
    "is_domestic",
    "pareto_mask",
    "rack_layout",
    "supply_available",
    "two_pool_step",
]
