"""Power, energy, carbon and siting: from one accelerator to the facility meter.

The chain, each link a function that broadcasts over numpy arrays::

    accelerator_power_w   chip draw at a utilisation (TDP is the ceiling, not the typical draw)
    server_power_w        + host CPUs, memory, NICs, fans, PSU losses (from the rated server power)
    it_power_w            + the cluster's share of scale-out network and storage
    facility_power_w      x PUE (cooling, power distribution, lighting)
    energy_j / energy_mwh x time
    co2_t                 x grid carbon intensity

Everything is SI inside (W, J, s); names carry the unit. Every default lives in :data:`DEFAULTS`
with its source and, where it is an estimate, how it was made. Costs are in
:mod:`suanli.models.cost`, currencies in :mod:`suanli.models.money`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.spec import Source

SECONDS_PER_HOUR = 3600.0
J_PER_MWH = 3.6e9
J_PER_KWH = 3.6e6


# --------------------------------------------------------------------------------------------
# Defaults: one place, each with its source
# --------------------------------------------------------------------------------------------

_FLAGPERF = Source(
    citation="FlagPerf base benchmarks, DGX A100 (8x A100-40GB SXM): BF16 GEMM per-card average 338 W (max 412 W), TDP 400 W",
    url="https://github.com/FlagOpen/FlagPerf",
    date="2024",
    confidence="measured",
    note="vendor-submitted measurement in the FlagPerf repository (base/benchmarks)",
)
_DGX = Source(
    citation="NVIDIA DGX A100 (6.5 kW max, 8x 400 W) and DGX H100 user guide (10.2 kW max, 8x 700 W) system specifications",
    date="2020-05 / 2023",
    confidence="datasheet",
    note="read via press/aggregator copies (pcnews.ru, geektopia.es, unanswered.io)",
)


@dataclass(frozen=True)
class PowerDefaults:
    """Every default of the power and cost models, with a source for each.

    ``sources`` maps a field name to its :class:`~suanli.spec.Source`; ``ranges`` gives the
    plausible span of the uncertain ones (for sweeps and the uncertainty model).
    """

    idle_fraction: float = 0.25
    loaded_fraction: float = 338.0 / 400.0
    utilization: float = (338.0 / 400.0 - 0.25) / (1.0 - 0.25)
    server_overhead_fraction: float = 10_200.0 / (8 * 700.0) - 1.0
    host_draw_fraction: float = 0.218
    network_storage_fraction: float = 145.0 / 120.0 - 1.0
    pue: float = 1.10
    lifetime_years: float = 5.0
    cost_of_capital: float = 0.10
    server_capex_fraction: float = 269_000.0 / 195_000.0 - 1.0
    hours_per_year: float = 8760.0
    chips_per_server: int = 8
    sources: Mapping[str, Source] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        names = [n for n in self.__dataclass_fields__ if n not in ("sources", "ranges")]
        return {
            n: {
                "value": getattr(self, n),
                **({"range": list(self.ranges[n])} if n in self.ranges else {}),
                **({"source": self.sources[n].as_dict()} if n in self.sources else {}),
            }
            for n in names
        }


DEFAULTS = PowerDefaults(
    sources={
        "idle_fraction": Source(
            citation="Bains 2026, 'The Ghost Power Anomaly' white paper: A100 SXM drawing 146.7 W at 0% reported utilisation",
            url="https://github.com/mikebains41-debug/ai-gpu-energy-optimizer-",
            date="2026-05-19",
            confidence="estimate",
            note="146.7 W of a 400 W TDP is 0.37, an upper case (memory loaded, clocks held); an emptied card "
            "idles far lower. We take 0.25 of TDP as the idle draw of a chip that is allocated but not computing, "
            "with a range 0.10..0.37. Used in the linear power model of Fan, Weber & Barroso 2007.",
        ),
        "loaded_fraction": _FLAGPERF,
        "utilization": Source(
            citation="derived from FlagPerf DGX A100 BF16 GEMM (338 W average per 400 W card)",
            url="https://github.com/FlagOpen/FlagPerf",
            date="2024",
            confidence="estimate",
            note="the utilisation u at which the linear model idle + (1 - idle) * u gives the measured 0.845 x TDP "
            "of a saturating GEMM: u = (0.845 - 0.25) / 0.75 = 0.79. Training steps also spend time in "
            "communication and memory-bound kernels, so this is a high-side default for training.",
        ),
        "server_overhead_fraction": Source(
            citation="NVIDIA DGX H100: 10.2 kW max for 8x 700 W GPUs (DGX A100: 6.5 kW for 8x 400 W)",
            date="2023",
            confidence="estimate",
            note="non-GPU share of a rated 8-GPU server: DGX H100 10,200 / 5,600 - 1 = 0.82; DGX A100 "
            "6,500 / 3,200 - 1 = 1.03. Used only when an accelerator has no server_power_w; range 0.79..1.03 "
            "(DGX B200 14.3 kW / 8 kW - 1 = 0.79 is the low end).",
        ),
        "host_draw_fraction": Source(
            citation="least-squares fit to four measured points: FlagPerf DGX A100 BF16 GEMM (system 3,354 W, cards 8 x "
            "338 W, rating 6,500 W); Patterson et al. 2021, arXiv:2104.10350, Table 4 (GPT-3: 10,000 V100, 14.8 days, "
            "PUE 1.10, 1,287 MWh); Latif et al. 2025, arXiv:2506.14551 (8 x H100 node at 76% of its 10.2 kW rating "
            "in compute-intensive training); an MLPerf Training v4.0 power result (8 x H100, Llama 2 70B LoRA, 6.95 kW)",
            url="https://arxiv.org/abs/2104.10350",
            date="2021-04-21 / 2025",
            confidence="estimate",
            note="the share of a server's rating beyond its accelerators that the host (CPUs, memory, NICs, switches, "
            "fans, PSU losses) draws under training load, with each accelerator at its own measured draw (CHIP_LOAD: "
            "A100 0.845 and H100 0.87 of TDP; V100 has no chip-level evidence and takes the 0.845 fallback). The points "
            "alone need 0.20 (FlagPerf), 0.06 (GPT-3 on V100), 0.63 and 0.45 (H100 nodes: their non-GPU draw, about "
            "2.9 kW, is far above the A100 GEMM host's 0.65 kW); 0.218 minimises the squared relative errors of all "
            "four (+3%, +20%, -24%, -15%). suanli.scenarios.power.measured_energy_fit recomputes the fit and its "
            "leave-one-out errors. Scaling the whole rating by the GPUs' load, as the chain did before, counted "
            "about twice the measured host power on the V100 run.",
        ),
        "network_storage_fraction": Source(
            citation="GB200 NVL72 rack ~120 kW (ServeTheHome, GTC 2024) vs ~145 kW 'all-in' per rack (SemiAnalysis 2025-04-16)",
            url="https://semianalysis.com/2025/04/16/huawei-ai-cloudmatrix-384-chinas-answer-to-nvidia-gb200-nvl72/",
            date="2025-04-16",
            confidence="estimate",
            note="we read the gap between SemiAnalysis's all-in figure and the rack rating as the cluster's "
            "scale-out network, storage and management: 145 / 120 - 1 = 0.21 (SemiAnalysis does not itemise it). "
            "General-purpose data centres report far higher network+storage shares (Cisco/APC/Emerson studies), "
            "so this is for accelerator clusters only; range 0.0..0.21.",
        ),
        "pue": Source(
            citation="Google data-centre fleet, trailing-twelve-month PUE 1.10 (Q2 2021, via CNBC 2022-04-13); the "
            "hyperscale/AI-hall default (see PUE_BY_SITE_TYPE)",
            url="https://www.cnbc.com/2022/04/13/google-data-center-goal-100percent-green-energy-by-2030.html",
            date="2021",
            confidence="press",
            note="used only when neither a site, a --site-type nor --pue is given: large training runs are in "
            "hyperscale or purpose-built halls (Patterson et al. 2021 Table 4 reports PUE 1.09-1.12 for the "
            "Google and Microsoft clouds that trained T5, Meena, GShard, Switch and GPT-3). The Uptime Institute "
            "2021 survey average of large data centres, 1.57, is the 'enterprise' site type and the high end.",
        ),
        "lifetime_years": Source(
            citation="amortisation life of accelerator servers",
            confidence="estimate",
            note="no sourced depreciation schedule for accelerators in the corpus; 5 years is taken between the "
            "3-year life of a cloud commitment (AWS 1-yr/3-yr H100 prices, Jiemian 2024) and 6 years; range 3..6. "
            "Override with lifetime_years.",
        ),
        "cost_of_capital": Source(
            citation="cost of capital for hardware capex",
            confidence="estimate",
            note="a round 10%/year nominal discount rate, an assumption for illustration (range 6..15%); "
            "override with cost_of_capital.",
        ),
        "server_capex_fraction": Source(
            citation="DGX H100 ~$269k per 8-GPU system vs ~$195k bill of materials for 8 GPUs + baseboard (SemiAnalysis via Epoch AI)",
            url="https://epoch.ai/data/machine-learning-hardware",
            date="2023-05",
            confidence="estimate",
            note="the rest of the server (CPUs, memory, NICs, chassis, margin) as a share of the GPU cost: "
            "269 / 195 - 1 = 0.38. Networking and facility capex are not included.",
        ),
        "hours_per_year": Source(citation="365 x 24 hours", confidence="datasheet"),
        "chips_per_server": Source(
            citation="8-accelerator servers: NVIDIA DGX/HGX A100, H100, B200; Huawei Atlas 800T A2; Moore Threads MCCX D800",
            date="2020-2024",
            confidence="estimate",
            note="the common training-server form factor of the systems listed; used only "
            "when an accelerator does not give chips_per_server",
        ),
    },
    ranges={
        "idle_fraction": (0.10, 0.37),
        "utilization": (0.5, 1.0),
        "server_overhead_fraction": (0.79, 1.03),
        "host_draw_fraction": (0.059, 0.626),
        "network_storage_fraction": (0.0, 0.21),
        "pue": (1.09, 1.25),
        "lifetime_years": (3.0, 6.0),
        "cost_of_capital": (0.06, 0.15),
    },
)
"""The single place where the power and cost models' defaults live (see ``DEFAULTS.as_dict()``)."""

_UPTIME_2021 = Source(
    citation="Uptime Institute 2021 global data centre survey: average PUE of large data centres 1.57 (via CNBC 2022-04-13)",
    url="https://www.cnbc.com/2022/04/13/google-data-center-goal-100percent-green-energy-by-2030.html",
    date="2021",
    confidence="press",
)
_NDRC_HUB = Source(
    citation="NDRC, CAC, MIIT, NEA implementation plan for green, high-quality data centres and 5G (2021-12-08): "
    "new large data centres PUE < 1.3 by 2025, national hub nodes < 1.25 (reported by Reuters, Macao Daily 2021-12-09)",
    url="https://appimg.modaily.cn/app/szb/pc/content/202112/09/content_161146.html",
    date="2021-12-08",
    confidence="press",
    note="a policy ceiling for new builds in the East-Data-West-Compute hub clusters, not a measured average",
)

PUE_BY_SITE_TYPE = {
    "hyperscale": (DEFAULTS.pue, DEFAULTS.sources["pue"]),
    "hub": (1.25, _NDRC_HUB),
    "enterprise": (1.57, _UPTIME_2021),
}
"""Default PUE by kind of site, with its source: a hyperscale or purpose-built AI hall (the default), a
new build in a Chinese national hub cluster (the policy ceiling), a legacy enterprise data centre (the
survey average)."""


# --------------------------------------------------------------------------------------------
# Chip draw under training load, per chip where measured evidence exists
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChipLoad:
    """Draw of one accelerator under training load as a fraction of its TDP, with its range and source."""

    fraction: float
    low: float
    high: float
    source: Source
    chips: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"fraction": self.fraction, "range": [self.low, self.high], "source": self.source.as_dict()}


_FLAGPERF_BF16 = "https://github.com/FlagOpen/FlagPerf/tree/main/base/benchmarks/computation-BF16"


def _flagperf_load(
    system: str, card_w: float, tdp_w: float, high: float, note: str, chips: tuple[str, ...]
) -> ChipLoad:
    """A chip's load share from FlagPerf's computation-BF16 benchmark: the measured per-card average over ``tdp_w``."""
    return ChipLoad(
        card_w / tdp_w,
        card_w / tdp_w,
        high,
        Source(
            citation=f"FlagPerf computation-BF16 benchmark, {system}: per-card average {card_w:g} W, of {tdp_w:g} W",
            url=_FLAGPERF_BF16,
            date="2024",
            confidence="measured",
            note=note,
        ),
        chips,
    )


CHIP_LOAD = (
    _flagperf_load(
        "DGX A100 (8x A100-40GB SXM)",
        338.0,
        400.0,
        412.0 / 400.0,
        "a saturating BF16 GEMM; the range runs from the average to the per-card maximum (412 W, a short excursion "
        "above TDP). Applied to the A100/A800 SXM parts (same board and 400 W limit).",
        ("nvidia-a100-sxm4-40gb", "nvidia-a100-sxm4-80gb", "nvidia-a800-sxm4-80gb"),
    ),
    ChipLoad(
        (7752.0 - (8480.0 - 8 * 700.0)) / (8 * 700.0),
        338.0 / 400.0,
        1.0,
        Source(
            citation="Latif et al. 2024, 'Empirical Measurements of AI Training Power Demand on a GPU-Accelerated Node', "
            "arXiv:2412.08602 (peak 8.48 kW of an 8 x H100 HGX node, GPU-burn bounding the envelope); Latif et al. 2025, "
            "arXiv:2506.14551 (compute-intensive training at 76% of the 10.2 kW rating, 7.75 kW)",
            url="https://arxiv.org/abs/2412.08602",
            date="2024-12-11 / 2025-06-17",
            confidence="estimate",
            note="no per-GPU reading under training was found; derived from the two node measurements: with the GPUs "
            "at their 700 W limit at the 8.48 kW peak, the rest of the node draws 8,480 - 5,600 = 2,880 W; the same "
            "rest under training at 7,752 W leaves (7,752 - 2,880) / 8 = 609 W per GPU = 0.87 x TDP. Range 0.845 (the "
            "A100 GEMM share) .. 1.0 (the power limit). Applied to the H100/H800 SXM parts (same board, 700 W limit).",
        ),
        ("nvidia-h100-sxm5-80gb", "nvidia-h800-sxm5-80gb"),
    ),
    _flagperf_load(
        "Huawei Atlas 800T A2 (8x Ascend 910B)",
        364.671,
        400.0,
        1.0,
        "vendor-submitted (max 364.8 W); the README gives the card 'TDP 350 W', which the measured 364.7 W exceeds, so "
        "the share is taken of the catalog's 400 W; range up to the limit.",
        ("huawei-ascend-910b", "huawei-ascend-910b3"),
    ),
    _flagperf_load(
        "Iluvatar BI150 (8 cards, R5300 G5 server)",
        336.1,
        350.0,
        1.0,
        "vendor-submitted (max 465.1 W, standard deviation 173 W): the large spread makes the average the figure to "
        "use, capped at the limit.",
        ("iluvatar-bi-v150",),
    ),
)
"""Measured (or measurement-derived) chip draw under load, per chip. FlagPerf's MetaX C550 reading (125.5 W per
450 W card at 5% memory use) is inconsistent with a saturating GEMM on its own 4,207 W system and is not used."""

FALLBACK_CHIP_LOAD = ChipLoad(
    DEFAULTS.loaded_fraction,
    DEFAULTS.idle_fraction + (1.0 - DEFAULTS.idle_fraction) * DEFAULTS.ranges["utilization"][0],
    1.0,
    Source(
        citation="no chip-level measurement under load found for this accelerator: FlagPerf's DGX A100 BF16 GEMM share "
        "(338 W of 400 W) stands in",
        url=_FLAGPERF_BF16,
        date="2024",
        confidence="estimate",
        note="the range is the linear power model over the default utilisation range 0.5..1.0 (0.625..1.0 of TDP). "
        "V100s (GPT-3's run) are in this group: Patterson et al. 2021 report system power per GPU (330 W), not chip power.",
    ),
)
"""The chip draw used when :data:`CHIP_LOAD` has no evidence for an accelerator."""


@V.checked(chip_id=V.optional(V.TEXT))
def chip_load(chip_id: str | None) -> ChipLoad:
    """The chip draw under training load for an accelerator id: measured evidence if any, else the fallback.

    References: FlagPerf computation-BF16 benchmark results (A100, Ascend 910B, Iluvatar BI150, measured); Latif et
    al. 2024, arXiv:2412.08602 and 2025, arXiv:2506.14551 (H100, derived from node measurements). See :data:`CHIP_LOAD`.
    """
    for entry in CHIP_LOAD:
        if chip_id in entry.chips:
            return entry
    return FALLBACK_CHIP_LOAD


@V.checked(load_fraction=V.SHARE, idle_fraction=V.SHARE)
def utilization_for_load(load_fraction, idle_fraction=DEFAULTS.idle_fraction):
    """The utilisation at which the linear model draws ``load_fraction`` of TDP: ``(f - idle) / (1 - idle)``.

    References: Fan, Weber & Barroso 2007, ISCA '07, eq. 1, inverted.
    """
    f = _fraction("load_fraction", load_fraction)
    idle = _fraction("idle_fraction", idle_fraction)
    return _out(np.clip((f - idle) / (1.0 - idle), 0.0, 1.0))


@V.checked(chip_id=V.optional(V.TEXT))
def chip_utilization(chip_id: str | None) -> float:
    """The default utilisation of an accelerator in the power chain: its measured draw under load, else the fallback.

    References: as :func:`chip_load` and :func:`utilization_for_load`.
    """
    return float(utilization_for_load(min(chip_load(chip_id).fraction, 1.0)))


def pue_for_site_type(site_type: str = "hyperscale") -> float:
    """The default PUE of a kind of site: 'hyperscale' 1.10, 'hub' 1.25, 'enterprise' 1.57.

    References: Google fleet PUE 2021 (CNBC 2022-04-13); NDRC et al. 2021-12-08 hub-node ceiling;
    Uptime Institute 2021 survey (via CNBC 2022-04-13). See :data:`PUE_BY_SITE_TYPE`.
    """
    try:
        return PUE_BY_SITE_TYPE[str(site_type).lower()][0]
    except KeyError:
        raise InputError(f"unknown site type {site_type!r}; use one of {', '.join(PUE_BY_SITE_TYPE)}") from None


# --------------------------------------------------------------------------------------------
# Input checks (one sentence, naming the input)
# --------------------------------------------------------------------------------------------


def _arr(name: str, value: Any) -> np.ndarray:
    return V.array(name, value)


def _non_negative(name: str, value: Any) -> np.ndarray:
    return V.array(name, value, low=0.0)


def _fraction(name: str, value: Any) -> np.ndarray:
    return V.share(name, value)


def check_pue(pue: Any) -> np.ndarray:
    """PUE as an array; :class:`InputError` if any value is below 1 (a facility cannot use less than its IT load).

    References: The Green Grid, White Paper #49 (2012), PUE = total facility energy / IT equipment
    energy, so PUE >= 1; ISO/IEC 30134-2:2016 (the same definition as a standard).
    """
    arr = _arr("pue", pue)
    if np.any(arr < 1.0):
        raise InputError(f"pue must be at least 1 (total facility power / IT power), got {pue!r}")
    return arr


def _out(x: np.ndarray):
    return float(x) if np.ndim(x) == 0 else x


# --------------------------------------------------------------------------------------------
# The power chain
# --------------------------------------------------------------------------------------------


@V.checked(utilization=V.SHARE, idle_fraction=V.SHARE)
def load_factor(utilization, idle_fraction=DEFAULTS.idle_fraction):
    """Fraction of rated power drawn at ``utilization``: ``idle + (1 - idle) * u``.

    The linear model of server power against utilisation. ``u = 1`` draws the rated power (for a
    chip, its TDP: a ceiling that sustained GEMMs stay below, see :data:`DEFAULTS`), ``u = 0``
    draws the idle fraction.

    References: Fan, Weber & Barroso 2007, "Power provisioning for a warehouse-sized computer",
    ISCA '07, eq. 1 (P(u) = P_idle + (P_busy - P_idle) u).
    """
    u = _fraction("utilization", utilization)
    idle = _fraction("idle_fraction", idle_fraction)
    return _out(idle + (1.0 - idle) * u)


@V.checked(tdp_w=V.NON_NEGATIVE, utilization=V.SHARE, idle_fraction=V.SHARE)
def accelerator_power_w(tdp_w, utilization=DEFAULTS.utilization, idle_fraction=DEFAULTS.idle_fraction):
    """Electrical draw of one accelerator in W at a utilisation.

    TDP is the ceiling. Measured draw is below it: FlagPerf's DGX A100 BF16 GEMM averaged 338 W
    per 400 W card, which the default utilisation reproduces (0.845 x TDP).

    References: Fan, Weber & Barroso 2007, ISCA '07, eq. 1 (linear model); FlagPerf DGX A100 GEMM
    power (measured); Patterson et al. 2021, arXiv:2104.10350, Table 4 (measured average power per
    accelerator below its rating).
    """
    tdp = _non_negative("tdp_w", tdp_w)
    return _out(tdp * load_factor(utilization, idle_fraction))


@V.checked(
    tdp_w=V.NON_NEGATIVE,
    chips_per_server=V.NON_NEGATIVE,
    server_rating_w=V.unknown_or(V.NON_NEGATIVE),
    overhead_fraction=V.NON_NEGATIVE,
)
def rated_server_power_w(
    tdp_w, chips_per_server, server_rating_w=None, overhead_fraction=DEFAULTS.server_overhead_fraction
):
    """Rated (maximum) power of one server in W.

    The datasheet figure when known (``server_rating_w``, an accelerator's ``server_power_w``: DGX A100 6,500 W, DGX H100 10,200 W);
    otherwise the chips' TDP plus the host overhead share of a DGX H100 (0.82, see :data:`DEFAULTS`).

    References: NVIDIA DGX A100 / DGX H100 system specifications (rated input power).
    """
    tdp = _non_negative("tdp_w", tdp_w)
    n = _non_negative("chips_per_server", chips_per_server)
    if server_rating_w is not None and not (np.ndim(server_rating_w) == 0 and math.isnan(float(server_rating_w))):
        rating = _non_negative("server_rating_w", server_rating_w)
        if np.any(rating < tdp * n):
            raise InputError(
                f"a server rated {server_rating_w!r} W cannot hold {chips_per_server!r} chips of "
                f"{tdp_w!r} W: the rating must cover at least the chips' TDP"
            )
        return _out(rating)
    over = _non_negative("overhead_fraction", overhead_fraction)
    return _out(tdp * n * (1.0 + over))


@V.checked(
    tdp_w=V.NON_NEGATIVE,
    chips_per_server=V.NON_NEGATIVE,
    utilization=V.SHARE,
    server_rating_w=V.unknown_or(V.NON_NEGATIVE),
    idle_fraction=V.SHARE,
    overhead_fraction=V.NON_NEGATIVE,
    host_draw_fraction=V.SHARE,
)
def server_power_w(
    tdp_w,
    chips_per_server,
    utilization=DEFAULTS.utilization,
    server_rating_w=None,
    idle_fraction=DEFAULTS.idle_fraction,
    overhead_fraction=DEFAULTS.server_overhead_fraction,
    host_draw_fraction=DEFAULTS.host_draw_fraction,
):
    """Draw of one server (accelerators + host CPUs, memory, NICs, switches, fans) in W at a utilisation.

    ``P = n * TDP * (idle + (1 - idle) u) + (P_rated - n * TDP) * h``: the accelerators follow the
    linear model; the host draws a share ``h`` of the power its rating allows beyond the accelerators.
    ``h`` is fitted to measurements (default 0.218, :data:`DEFAULTS`): FlagPerf's DGX A100 drew 3,354 W
    with its 8 GPUs at 338 W each, so its host drew 650 W of the 3,300 W the 6,500 W rating leaves
    (0.197); GPT-3's 1,287 MWh on V100 (Patterson et al. 2021) needs 0.059; measured 8 x H100 nodes,
    with their GPUs at 0.87 x TDP (:data:`CHIP_LOAD`), need about 0.45-0.63. The default is the
    least-squares fit to all four. ``utilization`` is the chain's; :func:`chip_utilization` gives a
    chip's measured draw under load as a utilisation.

    References: Fan, Weber & Barroso 2007, ISCA '07, eq. 1; FlagPerf DGX A100 GEMM power (measured);
    NVIDIA DGX A100/H100 specifications; checked against Patterson et al. 2021, arXiv:2104.10350, Table 4.
    """
    tdp = _non_negative("tdp_w", tdp_w)
    n = _non_negative("chips_per_server", chips_per_server)
    rated = np.asarray(rated_server_power_w(tdp_w, chips_per_server, server_rating_w, overhead_fraction))
    host = _fraction("host_draw_fraction", host_draw_fraction)
    chips = tdp * n * np.asarray(load_factor(utilization, idle_fraction))
    return _out(chips + np.maximum(rated - tdp * n, 0.0) * host)


@V.checked(server_w=V.NON_NEGATIVE, servers=V.NON_NEGATIVE, network_storage_fraction=V.NON_NEGATIVE)
def it_power_w(server_w, servers, network_storage_fraction=DEFAULTS.network_storage_fraction):
    """IT power of a cluster in W: servers plus their share of scale-out network and storage.

    References: SemiAnalysis 2025-04-16 (GB200 NVL72 ~145 kW all-in vs ~120 kW rack, ServeTheHome
    2024-03): the all-in/rack ratio gives the default share.
    """
    s = _non_negative("server_power_w", server_w)
    n = _non_negative("servers", servers)
    f = _non_negative("network_storage_fraction", network_storage_fraction)
    return _out(s * n * (1.0 + f))


@V.checked(it_power_w=V.NON_NEGATIVE, pue=V.FINITE)
def facility_power_w(it_power_w, pue):
    """Facility power in W: IT power times the power usage effectiveness.

    References: The Green Grid, White Paper #49 "PUE: a comprehensive examination of the metric"
    (2012): PUE = total facility energy / IT equipment energy.
    """
    it = _non_negative("it_power_w", it_power_w)
    return _out(it * check_pue(pue))


@V.checked(power_w=V.NON_NEGATIVE, seconds=V.NON_NEGATIVE)
def energy_j(power_w, seconds):
    """Energy in J of a constant draw over a duration (E = P t).

    References: SI definition of the joule (1 J = 1 W s).
    """
    return _out(_non_negative("power_w", power_w) * _non_negative("seconds", seconds))


@V.checked(power_w=V.NON_NEGATIVE, hours=V.NON_NEGATIVE)
def energy_mwh(power_w, hours):
    """Energy in MWh of a constant draw over ``hours`` (1 MWh = 3.6e9 J).

    References: SI definition of the joule; 1 Wh = 3600 J.
    """
    return _out(energy_j(power_w, _non_negative("hours", hours) * SECONDS_PER_HOUR) / J_PER_MWH)


@V.checked(energy_mwh=V.NON_NEGATIVE, grid_gco2_kwh=V.NON_NEGATIVE)
def co2_t(energy_mwh, grid_gco2_kwh):
    """Operational emissions in tonnes CO2 of ``energy_mwh`` drawn from a grid of ``grid_gco2_kwh``.

    gCO2/kWh equals kgCO2/MWh, so t = MWh x g/kWh / 1000.

    References: Patterson et al. 2021, arXiv:2104.10350, eq. 1 (tCO2e = MWh x tCO2e/MWh); grid
    factors from MEE/NBS 2022 (China) and EIA (US), per site.
    """
    e = _non_negative("energy_mwh", energy_mwh)
    g = _non_negative("grid_gco2_kwh", grid_gco2_kwh)
    return _out(e * g / 1000.0)


@dataclass(frozen=True)
class PowerChain:
    """The power of a fleet, link by link, in W (arrays when the inputs are arrays)."""

    accelerators_w: Any
    servers_w: Any
    it_w: Any
    facility_w: Any

    def as_dict(self) -> dict[str, Any]:
        """The waterfall in kW: accelerators, host overhead, network/storage, facility overhead."""
        acc, srv, it, fac = (
            np.asarray(x) / 1e3 for x in (self.accelerators_w, self.servers_w, self.it_w, self.facility_w)
        )
        # each link adds a non-negative share; clip the last-bit rounding of a zero share (1e-17 kW)
        return {
            "accelerators_kw": _out(acc),
            "host_overhead_kw": _out(np.maximum(srv - acc, 0.0)),
            "network_storage_kw": _out(np.maximum(it - srv, 0.0)),
            "facility_overhead_kw": _out(np.maximum(fac - it, 0.0)),
            "it_power_kw": _out(it),
            "facility_power_kw": _out(fac),
        }


_CHAIN_INPUTS = {
    "tdp_w": V.NON_NEGATIVE,
    "chips_per_server": V.FINITE,
    "utilization": V.SHARE,
    "pue": V.FINITE,
    "server_rating_w": V.unknown_or(V.NON_NEGATIVE),
    "idle_fraction": V.SHARE,
    "overhead_fraction": V.NON_NEGATIVE,
    "network_storage_fraction": V.NON_NEGATIVE,
}
"""What the power chain's inputs must be (the in-body checks add positivity and PUE >= 1)."""


@V.checked(**_CHAIN_INPUTS, count=V.NON_NEGATIVE, host_draw_fraction=V.SHARE)
def fleet_power(
    tdp_w,
    count,
    chips_per_server=8,
    utilization=DEFAULTS.utilization,
    pue=DEFAULTS.pue,
    server_rating_w=None,
    idle_fraction=DEFAULTS.idle_fraction,
    overhead_fraction=DEFAULTS.server_overhead_fraction,
    network_storage_fraction=DEFAULTS.network_storage_fraction,
    host_draw_fraction=DEFAULTS.host_draw_fraction,
) -> PowerChain:
    """The whole chain for ``count`` accelerators: chips, servers, IT, facility (W).

    Servers are counted as ``count / chips_per_server`` (fractional servers allowed, so a sweep over
    counts stays smooth).

    References: as :func:`accelerator_power_w`, :func:`server_power_w`, :func:`it_power_w`,
    :func:`facility_power_w`.
    """
    n = _non_negative("count", count)
    per_server = _arr("chips_per_server", chips_per_server)
    if np.any(per_server <= 0):
        raise InputError(f"chips_per_server must be positive, got {chips_per_server!r}")
    servers = n / per_server
    acc = np.asarray(accelerator_power_w(tdp_w, utilization, idle_fraction)) * n
    srv = (
        np.asarray(
            server_power_w(
                tdp_w, per_server, utilization, server_rating_w, idle_fraction, overhead_fraction, host_draw_fraction
            )
        )
        * servers
    )
    it = np.asarray(it_power_w(srv, 1.0, network_storage_fraction))
    fac = np.asarray(facility_power_w(it, pue))
    return PowerChain(_out(acc), _out(srv), _out(it), _out(fac))


@V.checked(**_CHAIN_INPUTS)
def all_in_power_per_accelerator_w(
    tdp_w,
    chips_per_server=8,
    utilization=1.0,
    pue=DEFAULTS.pue,
    server_rating_w=None,
    idle_fraction=DEFAULTS.idle_fraction,
    overhead_fraction=DEFAULTS.server_overhead_fraction,
    network_storage_fraction=DEFAULTS.network_storage_fraction,
):
    """Facility power per accelerator in W ("all-in"), the figure press numbers quote.

    At ``utilization=1`` (the default here) it is the rated figure, the server's full rating: 8,000
    Hopper GPUs "~15 MW" is 1,875 W each. Below 1 it is the measured-draw chain of :func:`fleet_power`.

    References: as :func:`fleet_power`; rated server power from the NVIDIA DGX specifications.
    """
    if np.all(np.asarray(utilization) == 1.0):
        rated = np.asarray(rated_server_power_w(tdp_w, chips_per_server, server_rating_w, overhead_fraction))
        per_chip = rated / _arr("chips_per_server", chips_per_server)
        return facility_power_w(it_power_w(per_chip, 1.0, network_storage_fraction), pue)
    return fleet_power(
        tdp_w,
        1.0,
        chips_per_server,
        utilization,
        pue,
        server_rating_w,
        idle_fraction,
        overhead_fraction,
        network_storage_fraction,
    ).facility_w


@V.checked(
    tokens_per_day=V.NON_NEGATIVE,
    tokens_per_second_per_accelerator=V.FINITE,
    tdp_w=V.NON_NEGATIVE,
    chips_per_server=V.FINITE,
    utilization=V.SHARE,
    pue=V.FINITE,
    server_rating_w=V.unknown_or(V.NON_NEGATIVE),
)
def inference_fleet_energy_mwh_per_day(
    tokens_per_day,
    tokens_per_second_per_accelerator,
    tdp_w,
    chips_per_server=8,
    utilization=DEFAULTS.utilization,
    pue=DEFAULTS.pue,
    server_rating_w=None,
    **chain,
):
    """Facility energy in MWh per day of a fleet serving ``tokens_per_day``.

    The fleet is sized to the throughput (accelerators = tokens per day / (throughput x 86,400 s)),
    then run through :func:`fleet_power` for 24 hours.

    References: as :func:`fleet_power`; energy per token = power / throughput (Patterson et al.
    2021, arXiv:2104.10350, section 2).
    """
    tpd = _non_negative("tokens_per_day", tokens_per_day)
    tps = _arr("tokens_per_second_per_accelerator", tokens_per_second_per_accelerator)
    if np.any(tps <= 0):
        raise InputError(
            f"tokens_per_second_per_accelerator must be positive, got {tokens_per_second_per_accelerator!r}"
        )
    count = tpd / (tps * 86_400.0)
    fac = fleet_power(tdp_w, count, chips_per_server, utilization, pue, server_rating_w, **chain).facility_w
    return energy_mwh(fac, 24.0)


# --------------------------------------------------------------------------------------------
# Latency and siting
# --------------------------------------------------------------------------------------------

FIBRE_KM_PER_MS = 299_792.458 / 1.468 / 1000.0
"""One-way distance light travels in silica fibre per millisecond (group index ~1.468): ~204 km."""


@V.checked(route_km=V.NON_NEGATIVE)
def fibre_rtt_ms(route_km):
    """Round-trip propagation time in ms over ``route_km`` of fibre (no queuing, no equipment delay).

    References: ITU-T G.652 single-mode fibre, group index ~1.468 at 1550 nm (light at c/1.468,
    ~4.9 us/km one way).
    """
    return _out(2.0 * _non_negative("route_km", route_km) / FIBRE_KM_PER_MS)


@V.checked(aligned=False, max_latency_ms=V.ONE_NON_NEGATIVE)
def cheapest_site_within_latency(prices, latencies_ms, max_latency_ms, names: Sequence[str] | None = None):
    """Index (or name) of the cheapest site whose latency is within ``max_latency_ms``.

    ``prices`` and ``latencies_ms`` are aligned sequences (one per site; a latency of ``nan`` means
    unknown and never qualifies). Ties go to the lower latency, then to the earlier site. Raises
    :class:`InputError` when no site qualifies.

    References: the East-Data-West-Compute plan's framing (NDRC et al. 2022): place latency-tolerant
    compute where power is cheap, subject to a network latency bound (20 ms between hub clusters).
    """
    p = _arr("prices", prices).reshape(-1)
    lat = V.float_array("latencies_ms", latencies_ms, "numbers (NaN when unknown)").reshape(-1)
    if names is not None and (isinstance(names, str) or not isinstance(names, Sequence) or len(names) != p.size):
        raise InputError(f"names must be a list with one name per site, got {names!r}")
    bound = float(_non_negative("max_latency_ms", max_latency_ms))
    if p.shape != lat.shape:
        raise InputError(f"prices and latencies_ms must have one entry per site ({p.size} vs {lat.size})")
    ok = np.isfinite(lat) & (lat <= bound)
    if not ok.any():
        raise InputError(f"no site is within {bound:g} ms of that demand centre")
    idx = np.flatnonzero(ok)
    order = np.lexsort((idx, lat[idx], p[idx]))
    best = int(idx[order[0]])
    return names[best] if names is not None else best
