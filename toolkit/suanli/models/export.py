"""US export-control metrics for advanced computing chips (ECCN 3A090) and their classification.

ECCN 3A090 (15 CFR part 774, supplement no. 1) was created by the BIS interim final rule of
2022-10-07 (87 FR 62186, published 2022-10-13) and rewritten by the rule of 2023-10-17
(88 FR 73458, "Implementation of Additional Export Controls: Certain Advanced Computing Items;
Supercomputer and Semiconductor End Use; Updates and Corrections", published 2023-10-25,
effective 2023-11-17). The two versions test different things:

- October 2022, 3A090.a: an aggregate bidirectional transfer rate over all inputs and outputs of
  600 Gbyte/s or more (to or from ICs other than volatile memory) AND bit length x TOPS of 4800
  or more. Both had to hold, which is why NVIDIA's A800 and H800 (NVLink capped at 400 GB/s)
  escaped it.
- October 2023 drops the I/O test and adds die area:
  3A090.a: TPP >= 4800 (a.1), or TPP >= 1600 and performance density >= 5.92 (a.2);
  3A090.b: 2400 <= TPP < 4800 and 1.6 <= PD < 5.92 (b.1), or TPP >= 1600 and 3.2 <= PD < 5.92 (b.2).
  Note 2 to 3A090: the entry does not apply to items not designed or marketed for datacenters
  whose TPP is below 4800. 3A090.b items designed for datacenters, and 3A090.a items not designed
  for datacenters, may use licence exception NAC (notification) instead of a licence.

Definitions (Technical Notes to 3A090, 2023 text): 'total processing performance' (TPP) is
2 x 'MacTOPS' x bit length of the operation, aggregated over all processing units; since vendors
count a multiply-accumulate as two operations, 2 x MacTOPS is the TOPS/TFLOPS a datasheet prints,
so TPP = peak TOPS x bits, and a chip with several formats takes the highest. We compute it from
DENSE peaks. 'Performance density' (PD) is TPP / 'applicable die area' in mm^2, the area of all
logic dies made on a non-planar-transistor process.

Sources for the thresholds: the rule texts as quoted verbatim in a public analysis of the BIS rule
series (github repository text, 'ECCN 3A090 Items paragraph', 2022 and 2023 versions); the 2023
3A090.a text as restated by the December 2024 rule (lenzo.ai/eccn/3a090, eccnfinder.com/eccn/3a090).

Later changes not modelled here: 3A090.c (HBM, 89 FR 96790, December 2024) and the January 2026
case-by-case licence review for chips with TPP < 21,000 and DRAM bandwidth < 6,500 GB/s
(91 FR 1684), which :func:`case_by_case_2026` tests.

This module computes parameter comparisons, not legal determinations: the control also depends on
the item's origin, the foreign direct product rules, end users and end uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.spec import BITS, PRECISIONS, Accelerator, Source

# October 2022 rule (87 FR 62186), ECCN 3A090.a
OCT2022_TPP = 4800.0
OCT2022_IO_GBS = 600.0

# October 2023 rule (88 FR 73458), ECCN 3A090.a / .b
OCT2023_TPP_A1 = 4800.0
OCT2023_TPP_FLOOR = 1600.0
OCT2023_PD_A2 = 5.92
OCT2023_TPP_B1 = 2400.0
OCT2023_PD_B1 = 1.6
OCT2023_PD_B2 = 3.2

# January 2026 licence review policy (91 FR 1684): case-by-case instead of presumption of denial
JAN2026_TPP = 21000.0
JAN2026_DRAM_GBS = 6500.0

ON_DIE_NIC_LINKS = frozenset({"intel-gaudi2-roce", "intel-gaudi3-roce"})
"""Scale-up links of chips whose scale-out NIC ports sit on the accelerator die itself (Gaudi's
24 RoCE ports: 21 scale-up, 3 scale-out). Their scale-out bandwidth is the chip's own I/O; a GPU's
NIC is a separate chip reached over PCIe, whose traffic we do not count twice."""


class Classification(NamedTuple):
    """The outcome of a test: ``eccn`` ('3A090.a', '3A090.b', 'not controlled' or 'undetermined')
    and a one-line ``reason``. Both are strings for scalar inputs, arrays of strings otherwise."""

    eccn: Any
    reason: Any


def _array(name: str, value, *, positive: bool = False) -> np.ndarray:
    arr = V.float_array(name, value, "a number or an array of numbers (NaN when unknown)")
    finite = arr[np.isfinite(arr)]
    if np.any(finite < 0) or (positive and np.any(finite == 0)):
        kind = "positive" if positive else "non-negative"
        raise InputError(f"{name} must be {kind} (or NaN when unknown), got {value!r}")
    if np.any(np.isinf(arr)):
        raise InputError(f"{name} must be finite (or NaN when unknown), got {value!r}")
    return arr


def _out(arr: np.ndarray):
    return arr.item() if np.ndim(arr) == 0 else arr


def total_processing_performance(tops, bit_length, axis: int | None = None):
    """TPP = 2 x MacTOPS x bit length = peak TOPS (or TFLOPS) x bits, broadcast over arrays.

    ``tops`` are dense peaks in tera-operations per second; NaN marks a format the chip lacks.
    With ``axis`` given, returns the maximum over that axis (the formats), ignoring NaN, as the
    rule takes the format with the highest TPP; a chip with no format at all gives NaN.

    References: 15 CFR 774 supp. 1, ECCN 3A090, Technical Note 1 ('TPP' is 2 x 'MacTOPS' x 'bit
    length of the operation'), as revised by 88 FR 73458 (2023-10-25); BIS's example: 4800 is met
    by 600 TOPS at 8 bits or 300 TFLOPS at 16 bits.
    """
    if axis is not None and (isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or abs(int(axis)) > 32):
        raise InputError(f"axis must be None or the index of an array axis (a small whole number), got {axis!r}")
    tops_arr, bits = _array("tops", tops), _array("bit_length", bit_length)
    V.require_broadcastable(tops=tops_arr, bit_length=bits)
    tpp = tops_arr * bits
    if axis is None:
        return _out(tpp)
    if not -tpp.ndim <= int(axis) < max(tpp.ndim, 1) or tpp.ndim == 0:
        raise InputError(
            f"axis must index an axis of the tops x bit_length array ({tpp.ndim} dimensions), got {axis!r}"
        )
    finite = np.where(np.isnan(tpp), -np.inf, tpp)
    best = np.max(finite, axis=axis)
    return _out(np.where(np.isneginf(best), np.nan, best))


def performance_density(tpp, die_area_mm2):
    """PD = TPP / applicable die area (mm^2), broadcast over arrays; NaN where the area is unknown.

    References: ECCN 3A090 Technical Note ('performance density' is 'TPP' divided by 'applicable
    die area', in mm^2, counting all logic dies on a non-planar-transistor process), 88 FR 73458.
    """
    tpp_arr, area = _array("tpp", tpp), _array("die_area_mm2", die_area_mm2, positive=True)
    V.require_broadcastable(tpp=tpp_arr, die_area_mm2=area)
    return _out(tpp_arr / area)


def _decide(conditions, outcomes, default):
    eccn = np.select(conditions, [o[0] for o in outcomes], default=default[0])
    reason = np.select(conditions, [o[1] for o in outcomes], default=default[1])
    return Classification(_out(eccn), _out(reason))


def classify_oct2022(tpp, bidirectional_io_gbs) -> Classification:
    """ECCN 3A090.a as created in October 2022: TPP >= 4800 AND bidirectional I/O >= 600 GB/s.

    ``bidirectional_io_gbs`` is the aggregate transfer rate over all inputs and outputs to chips
    other than memory (NVLink both directions, for example); NaN when unknown. Broadcasts.

    References: BIS interim final rule 2022-10-07, 87 FR 62186 (2022-10-13), new ECCN 3A090.a
    ('aggregate bidirectional transfer rate over all inputs and outputs of 600 Gbyte/s or more
    ... and ... bit length per operation multiplied by processing performance measured in TOPS
    ... of 4800 or more').
    """
    tpp = _array("tpp", tpp)
    io = _array("bidirectional_io_gbs", bidirectional_io_gbs)
    V.require_broadcastable(tpp=tpp, bidirectional_io_gbs=io)
    tpp, io = np.broadcast_arrays(tpp, io)
    high = tpp >= OCT2022_TPP
    conditions = [
        np.isnan(tpp),
        high & (io >= OCT2022_IO_GBS),
        high & np.isnan(io),
        high,
    ]
    outcomes = [
        ("undetermined", "TPP unknown"),
        ("3A090.a", "TPP >= 4800 and bidirectional I/O >= 600 GB/s"),
        ("undetermined", "TPP >= 4800 but chip-to-chip I/O unknown"),
        ("not controlled", "TPP >= 4800 but bidirectional I/O < 600 GB/s"),
    ]
    return _decide(conditions, outcomes, ("not controlled", "TPP < 4800"))


def classify_oct2023(tpp, performance_density, datacenter=True) -> Classification:
    """ECCN 3A090.a / 3A090.b as revised in October 2023 (TPP and performance density; no I/O test).

    Datacenter parts: 3A090.a if TPP >= 4800 or (TPP >= 1600 and PD >= 5.92); 3A090.b if
    2400 <= TPP < 4800 and 1.6 <= PD < 5.92, or TPP >= 1600 and 3.2 <= PD < 5.92. Parts not
    designed or marketed for datacenters are outside 3A090 below TPP 4800 (Note 2) and in 3A090.a
    (licence exception NAC eligible) at or above it. ``performance_density`` NaN means the die
    area is unknown: a 1600 <= TPP < 4800 datacenter part is then 'undetermined'. Broadcasts over
    ``tpp``, ``performance_density`` and ``datacenter``.

    References: 88 FR 73458 (2023-10-25), ECCN 3A090 items a.1, a.2, b.1, b.2 and Note 2 to 3A090;
    3A090.a restated unchanged by the December 2024 rule (89 FR 96790).
    """
    tpp = _array("tpp", tpp)
    pd = _array("performance_density", performance_density)
    if isinstance(datacenter, (str, bytes)) or datacenter is None:
        raise InputError(f"datacenter must be True or False (or an array of them), got {datacenter!r}")
    dc = np.asarray(datacenter, dtype=bool)
    V.require_broadcastable(tpp=tpp, performance_density=pd, datacenter=dc)
    tpp, pd, dc = np.broadcast_arrays(tpp, pd, dc)
    mid_pd = (pd >= OCT2023_PD_B2) & (pd < OCT2023_PD_A2)
    low_pd = (pd >= OCT2023_PD_B1) & (pd < OCT2023_PD_A2)
    floor = tpp >= OCT2023_TPP_FLOOR
    conditions = [
        np.isnan(tpp),
        tpp >= OCT2023_TPP_A1,
        ~dc,
        floor & (pd >= OCT2023_PD_A2),
        (tpp >= OCT2023_TPP_B1) & low_pd,
        floor & mid_pd,
        floor & np.isnan(pd),
    ]
    outcomes = [
        ("undetermined", "TPP unknown"),
        ("3A090.a", "TPP >= 4800 (3A090.a.1)"),
        ("not controlled", "not designed for datacenters and TPP < 4800 (Note 2 to 3A090)"),
        ("3A090.a", "TPP >= 1600 and performance density >= 5.92 (3A090.a.2)"),
        ("3A090.b", "2400 <= TPP < 4800 and 1.6 <= performance density < 5.92 (3A090.b.1)"),
        ("3A090.b", "TPP >= 1600 and 3.2 <= performance density < 5.92 (3A090.b.2)"),
        ("undetermined", "1600 <= TPP < 4800 and die area unknown: depends on performance density"),
    ]
    return _decide(conditions, outcomes, ("not controlled", "below the 3A090.a and 3A090.b thresholds"))


def case_by_case_2026(tpp, dram_bandwidth_gbs):
    """Whether a chip falls under the January 2026 case-by-case licence review for China/Macau
    (TPP < 21,000 and total DRAM bandwidth < 6,500 GB/s, e.g. NVIDIA H200, AMD MI325X); True/False
    arrays, False where either input is unknown. A licence is still required.

    References: BIS final rule 'Revision to License Review Policy for Advanced Computing
    Commodities', 91 FR 1684 (2026-01-15).
    """
    tpp = _array("tpp", tpp)
    dram = _array("dram_bandwidth_gbs", dram_bandwidth_gbs)
    V.require_broadcastable(tpp=tpp, dram_bandwidth_gbs=dram)
    return _out(np.asarray((tpp < JAN2026_TPP) & (dram < JAN2026_DRAM_GBS)))


@V.checked(acc=V.instance(Accelerator))
def accelerator_tpp(acc: Accelerator) -> tuple[float | None, str | None]:
    """The TPP of an accelerator spec from its dense peaks, and the format that sets it.

    TF32 sets TPP only when the chip publishes no 16- or 8-bit peak. A TF32 operand has 19 significant
    bits stored in 32; counting it as 32 bits gives NVIDIA parts the same TPP as their BF16/FP8 rates
    (A100: 156 x 32 = 312 x 16), but doubles it for a chip that lists TF32 at its BF16 rate (Enflame
    T20/T21/i20: 128 x 32 = 4096 against 128 x 16 = 2048). No BIS guidance on TF32's bit length was
    found, so the dense 16- and 8-bit peaks decide.

    References: see :func:`total_processing_performance`.
    """
    best, best_format = None, None
    narrow = any(
        getattr(acc, f, None) is not None
        for f in ("bf16_tflops", "fp16_tflops", "fp8_tflops", "int8_tops", "fp4_tflops")
    )
    for precision in PRECISIONS:
        value = getattr(acc, "int8_tops" if precision == "int8" else f"{precision}_tflops")
        if value is None or (precision == "tf32" and narrow):
            continue
        tpp = total_processing_performance(value, BITS[precision])
        if best is None or tpp > best:
            best, best_format = float(tpp), precision
    return best, best_format


@V.checked(acc=V.instance(Accelerator))
def accelerator_io_gbs(acc: Accelerator) -> tuple[float | None, str]:
    """The bidirectional chip-to-chip I/O the 2022 rule tests, and how it was obtained.

    We take 2 x ``scaleup_gbs`` (NVLink, xGMI, ICI or, for PCIe-only cards, the PCIe x16 link,
    both directions), plus 2 x the scale-out bandwidth when the NIC ports are on the die
    (:data:`ON_DIE_NIC_LINKS`). The GPU's PCIe host link is not added when it has a scale-up link
    (the spec does not record its generation); that can undercount by up to 128 GB/s, which
    changes none of the bundled chips' 2022 outcome (A800: 400 + 64, H800: 400 + 128 < 600).
    """
    if acc.scaleup_gbs is None:
        return None, "no scale-up bandwidth in the spec"
    io = 2.0 * acc.scaleup_gbs
    basis = f"2 x scale-up {acc.scaleup_gbs:g} GB/s ({acc.scaleup_link or 'link unnamed'})"
    if acc.scaleup_link in ON_DIE_NIC_LINKS and acc.scaleout_gbps:
        io += 2.0 * acc.scaleout_gbps / 8.0
        basis += f" + 2 x on-die scale-out {acc.scaleout_gbps:g} Gb/s"
    return io, basis


@V.checked(acc=V.instance(Accelerator))
def classify_accelerator(acc: Accelerator, *, datacenter: bool = True) -> dict[str, Any]:
    """TPP, performance density and both 3A090 classifications of an accelerator spec, as a flat
    JSON-ready dict (keys ``tpp``, ``tpp_format``, ``performance_density`` and ``export_*``; the
    catalog merges them into each accelerator's record).

    Every accelerator in the bundled catalog is a datacenter part, hence the default. The I/O
    assumption is :func:`accelerator_io_gbs`'s; the die area is the spec's ``die_area_mm2``
    (absent -> performance density None).

    ``export_case_by_case_2026`` is None for a chip the 2023 thresholds do not control.

    References: see :func:`classify_oct2022`, :func:`classify_oct2023`, :func:`case_by_case_2026`.
    """
    if not isinstance(datacenter, (bool, np.bool_)):
        raise InputError(f"datacenter must be True or False (one chip), got {datacenter!r}")
    tpp, tpp_format = accelerator_tpp(acc)
    io, io_basis = accelerator_io_gbs(acc)
    pd = None
    if tpp is not None and acc.die_area_mm2:
        pd = float(performance_density(tpp, acc.die_area_mm2))
    nan = float("nan")
    tpp_in = nan if tpp is None else tpp
    oct2022 = classify_oct2022(tpp_in, nan if io is None else io)
    oct2023 = classify_oct2023(tpp_in, nan if pd is None else pd, datacenter)
    # The 2026 policy changes how licences are reviewed, so it only means something for a chip
    # that needs one under the 2023 thresholds.
    controlled = oct2023.eccn in ("3A090.a", "3A090.b")
    dram_gbs = nan if acc.hbm_tbs is None else acc.hbm_tbs * 1000.0
    return {
        "tpp": tpp,
        "tpp_format": tpp_format,
        "performance_density": pd,
        "export_io_gbs": io,
        "export_io_basis": io_basis,
        "export_oct2022": oct2022.eccn,
        "export_oct2022_reason": oct2022.reason,
        "export_oct2023": oct2023.eccn,
        "export_oct2023_reason": oct2023.reason,
        "export_case_by_case_2026": bool(case_by_case_2026(tpp_in, dram_gbs)) if controlled else None,
    }


# --------------------------------------------------------------------------------------------
# The rules in time: which test applied on a date, and chip-specific licence events
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One version of the 3A090 test: its id, name, the date it took effect, and its source."""

    id: str
    title: str
    effective: str
    test: str
    source: Source

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "effective": self.effective,
            "test": self.test,
            "source": self.source.as_dict(),
        }


def _federal_register(citation: str, date: str, note: str = "the regulation itself (government text)") -> Source:
    return Source(citation, "", date, "datasheet", note)


RULES: tuple[Rule, ...] = (
    Rule(
        "oct2022",
        "BIS interim final rule of 2022-10-07 (new ECCN 3A090)",
        "2022-10-21",
        "oct2022",
        _federal_register(
            "BIS, 'Implementation of Additional Export Controls: Certain Advanced Computing and "
            "Semiconductor Manufacturing Items', interim final rule, 87 FR 62186 (published 2022-10-13; "
            "3A090 licence requirements effective 2022-10-21)",
            "2022-10-13",
        ),
    ),
    Rule(
        "oct2023",
        "BIS rule of 2023-10-17 (TPP and performance density; I/O test dropped)",
        "2023-11-17",
        "oct2023",
        _federal_register(
            "BIS, 'Implementation of Additional Export Controls: Certain Advanced Computing Items; "
            "Supercomputer and Semiconductor End Use; Updates and Corrections', 88 FR 73458 (published "
            "2023-10-25, effective 2023-11-17)",
            "2023-10-25",
        ),
    ),
    Rule(
        "dec2024",
        "BIS rule of 2024-12-02 (3A090.a restated; 3A090.c HBM added)",
        "2024-12-02",
        "oct2023",
        _federal_register(
            "BIS, 'Foreign-Produced Direct Product Rule Additions, and Refinements to Controls for "
            "Advanced Computing and Semiconductor Manufacturing Items', 89 FR 96790 (effective "
            "2024-12-02): 3A090.a/.b thresholds unchanged",
            "2024-12-05",
        ),
    ),
    Rule(
        "jan2026",
        "BIS licence review policy of 2026-01-15 (case-by-case below TPP 21,000 and 6,500 GB/s)",
        "2026-01-15",
        "oct2023",
        _federal_register(
            "BIS, 'Revision to License Review Policy for Advanced Computing Commodities', 91 FR 1684 (2026-01-15)",
            "2026-01-15",
            "changes how licences for China are reviewed, not which chips need one",
        ),
    ),
)
"""The versions of the 3A090 test in force over time, oldest first."""


@dataclass(frozen=True)
class LicenceEvent:
    """A licence requirement or decision aimed at named chips rather than a threshold (an 'is informed' letter)."""

    chips: tuple[str, ...]
    date: str
    status: str
    exportable_to_china: str
    source: Source

    def as_dict(self) -> dict[str, Any]:
        return {
            "chips": list(self.chips),
            "date": self.date,
            "status": self.status,
            "exportable_to_china": self.exportable_to_china,
            "source": self.source.as_dict(),
        }


_CNN_2025_07_15 = Source(
    "CNN (C. Duffy) 2025-07-15, 'Nvidia says it will resume sale of key AI chip to China': in April the White House "
    "told NVIDIA it would need a licence to export the H20 to China; on 2025-07-14 NVIDIA said it had applied and "
    "had US assurances that licences would be granted",
    "https://kesq.com/money/cnn-business-consumer/2025/07/15/nvidia-says-it-will-resume-sale-of-key-ai-chip-to-china/",
    "2025-07-15",
    "press",
)

LICENCE_EVENTS: tuple[LicenceEvent, ...] = (
    LicenceEvent(
        ("nvidia-h20",),
        "2025-04-09",
        "licence required for China (US government 'is informed' letter of 2025-04-09, made indefinite 2025-04-14)",
        "no (licence required, none granted)",
        Source(
            "NVIDIA Form 8-K of 2025-04-15 (as reported by CNBC/NBC 2025-04-15): on 2025-04-09 the US "
            "government informed NVIDIA that the H20 needs a licence for export to China, Hong Kong and "
            "Macau and D:5 countries; on 2025-04-14 that the requirement is for the indefinite future; "
            "~$5.5B charge",
            _CNN_2025_07_15.url,
            "2025-04-15",
            "press",
        ),
    ),
    LicenceEvent(
        ("nvidia-h20",),
        "2025-07-14",
        "licence required; NVIDIA filed applications with US assurances that licences would be granted",
        "no (licences promised, not yet granted)",
        _CNN_2025_07_15,
    ),
    LicenceEvent(
        ("nvidia-h20",),
        "2025-08-27",
        "licences granted to a select number of Chinese customers; the US government expects 15% of licensed "
        "H20 revenue (not codified); no H20 sold under them in NVIDIA's Q2 FY2026",
        "with a licence (granted to some customers)",
        Source(
            "NVIDIA Q2 FY2026 earnings call (CFO C. Kress, 2025-08-27), as reported: 'a select number' "
            "of Chinese customers received licences in the past few weeks; officials expect 15% of "
            "licensed H20 revenue but no regulation codifies it",
            "https://todayheadline.co/?p=206511",
            "2025-08-27",
            "press",
        ),
    ),
)
"""Chip-specific licence events, oldest first (only those with a stored public source)."""


def _iso(date: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(str(date)[:10]).isoformat()
    except ValueError:
        raise InputError(f"a date must be YYYY-MM-DD, got {date!r}") from None


@V.checked(acc=V.instance(Accelerator), on=V.TEXT)
def export_status_on(acc: Accelerator, on: str, *, datacenter: bool = True) -> dict[str, Any]:
    """Which rule applied to ``acc`` on date ``on`` (YYYY-MM-DD), its outcome, and any chip-specific licence event.

    The threshold test in force (:data:`RULES`) gives the ECCN; a later chip-specific event
    (:data:`LICENCE_EVENTS`, e.g. the April 2025 H20 licence requirement) overrides what the
    thresholds alone say about exporting to China. Before 2022-10-21 no 3A090 control existed.
    Returns a JSON-ready dict with ``rule``, ``eccn``, ``reason``, ``licence_event``,
    ``exportable_to_china`` and the ``sources`` of each.

    References: 87 FR 62186 (2022); 88 FR 73458 (2023); 89 FR 96790 (2024); 91 FR 1684 (2026);
    the events' own sources (:data:`LICENCE_EVENTS`).
    """
    day = _iso(on)
    rule = None
    for r in RULES:
        if r.effective <= day:
            rule = r
    c = classify_accelerator(acc, datacenter=datacenter)
    if rule is None:
        eccn, reason = "not controlled", "before ECCN 3A090 existed (the rule took effect 2022-10-21)"
    else:
        eccn, reason = c[f"export_{rule.test}"], c[f"export_{rule.test}_reason"]
    exportable = {
        "3A090.a": "no (licence required, presumption of denial)",
        "3A090.b": "with notification or licence (3A090.b)",
        "not controlled": "yes (no 3A090 licence requirement)",
    }.get(eccn, "undetermined")
    if rule is not None and rule.id == "jan2026" and eccn in ("3A090.a", "3A090.b") and c["export_case_by_case_2026"]:
        exportable = "with a licence (case-by-case review since 2026-01-15)"
    event = None
    for e in LICENCE_EVENTS:
        if acc.id in e.chips and e.date <= day:
            event = e
    if event is not None:
        exportable = event.exportable_to_china
    return {
        "chip": acc.id,
        "date": day,
        "rule": None if rule is None else rule.as_dict(),
        "eccn": eccn,
        "reason": reason,
        "licence_event": None if event is None else event.as_dict(),
        "exportable_to_china": exportable,
    }


@V.checked(acc=V.instance(Accelerator))
def export_timeline(acc: Accelerator, *, datacenter: bool = True) -> list[dict[str, Any]]:
    """:func:`export_status_on` at every rule's and every relevant licence event's date, oldest first.

    References: see :func:`export_status_on`.
    """
    dates = sorted({r.effective for r in RULES} | {e.date for e in LICENCE_EVENTS if acc.id in e.chips})
    return [export_status_on(acc, d, datacenter=datacenter) for d in dates]


@V.checked(acc=V.instance(Accelerator))
def derived_sources(acc: Accelerator) -> dict[str, dict[str, Any]]:
    """A source for each derived export metric (TPP, performance density, I/O): how it was computed, from which
    fields, with the weakest confidence of its inputs.

    References: Technical Notes to ECCN 3A090 (88 FR 73458): TPP = 2 x MacTOPS x bit length; PD = TPP / die area.
    """
    order = ["datasheet", "measured", "paper", "gov", "press", "community", "estimate"]

    def weakest(fields):
        confs = [acc.sources[f].confidence for f in fields if f in acc.sources]
        return max(confs, key=lambda x: order.index(x) if x in order else len(order)) if confs else "estimate"

    out: dict[str, dict[str, Any]] = {}
    tpp, fmt = accelerator_tpp(acc)
    if tpp is not None:
        field = "int8_tops" if fmt == "int8" else f"{fmt}_tflops"
        out["tpp"] = Source(
            f"derived: TPP = dense peak {field} x {BITS[fmt]} bits (Technical Notes to ECCN 3A090, 88 FR 73458)",
            confidence=weakest([field]),
            note=f"computed from {field} = {getattr(acc, field):g}, whose source is: "
            + (acc.sources[field].citation if field in acc.sources else "none"),
        ).as_dict()
        if acc.die_area_mm2:
            out["performance_density"] = Source(
                "derived: performance density = TPP / die_area_mm2 (Technical Notes to ECCN 3A090, 88 FR 73458)",
                confidence=weakest([field, "die_area_mm2"]),
                note=f"computed from {field} and die_area_mm2 = {acc.die_area_mm2:g}; as sure as the weaker of the two",
            ).as_dict()
    if acc.scaleup_gbs is not None:
        out["export_io_gbs"] = Source(
            "derived: 2 x scale-up bandwidth (+ on-die scale-out NICs), the bidirectional "
            "I/O of the October 2022 test (87 FR 62186)",
            confidence=weakest(["scaleup_gbs"]),
            note=f"computed from scaleup_gbs = {acc.scaleup_gbs:g}",
        ).as_dict()
    return out
