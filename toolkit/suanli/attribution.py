"""Which source states which number: ``suanli show`` names one source per field, and this says where that
source does not actually state it.

A data file gives each object a default ``source`` and per-field ``source_of`` (``suanli.datafile``), so
a field can end up citing a source about another quantity: a GEMM benchmark behind a chip's scale-up
domain, a datasheet without a date behind its release year. Two rules catch that, by reading the
source's own text (citation and note):

- a **release year** is stated by a source that prints the year, or that was published in it (a launch
  datasheet or press release);
- a **benchmark** (a GEMM or MLPerf measurement) is evidence for an efficiency; it backs another field
  only if it prints that field's value.

Other fields are not checked here: a datasheet's figures are often converted (bidirectional to one
direction, per rack to per chip), so a missing printed value would not mean a wrong attribution.
"""

from __future__ import annotations

import re
from typing import Any

BENCHMARK = re.compile(r"\bGEMM\b|MLPerf", re.IGNORECASE)
"""A citation about a measured throughput."""

EFFICIENCY_FIELDS = frozenset({"matmul_efficiency", "efficiency", "collective_efficiency", "framework_efficiency"})
"""Fields a benchmark is evidence for."""

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")


def _text(source: Any) -> str:
    return " ".join(filter(None, (getattr(source, "citation", ""), getattr(source, "note", ""))))


def prints_value(text: str, value: float) -> bool:
    """Whether ``text`` prints ``value``, to within 1% (the rounding of a figure copied from it)."""
    numbers = [float(n.replace(",", "")) for n in _NUMBER.findall(text)]
    return any(abs(n - float(value)) <= 0.01 * abs(float(value)) for n in numbers)


def states_year(source: Any, year: int) -> bool:
    """Whether ``source`` states a release ``year``: its text names the year, or it was published that year."""
    y = str(int(year))
    return bool(re.search(rf"(?<!\d){y}(?!\d)", _text(source))) or str(getattr(source, "date", "") or "").startswith(y)


def unstated(spec: Any) -> dict[str, str]:
    """The fields of ``spec`` whose cited source does not state them, each with the reason (empty: all stated)."""
    out: dict[str, str] = {}
    for field, source in getattr(spec, "sources", {}).items():
        value = getattr(spec, field, None)
        if value is None or isinstance(value, (str, bool)):
            continue
        if field == "release_year" and not states_year(source, value):
            out[field] = f"the source neither names {int(value)} nor was published then"
        elif (
            field not in EFFICIENCY_FIELDS
            and BENCHMARK.search(_text(source))
            and not prints_value(_text(source), value)
        ):
            out[field] = "the source is a benchmark that does not print this figure"
    return out
