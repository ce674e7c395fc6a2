"""`suanli show` names one source per field: a source about another quantity must not back a field.

A benchmark's citation (a GEMM or MLPerf measurement) is evidence for an efficiency; it backs another
field (the scale-up domain, servers, bandwidth) only where its own text states that field's value.
"""

import re

import pytest
from suanli.catalog import load_catalog

BENCHMARK = re.compile(r"\bGEMM\b|MLPerf", re.IGNORECASE)
EFFICIENCY_FIELDS = {"matmul_efficiency", "efficiency", "collective_efficiency", "framework_efficiency"}
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in NUMBER.findall(text)]


def _states(text: str, value: float) -> bool:
    """Whether ``text`` prints ``value`` (to within 1%, the rounding of a value copied from it)."""
    return any(abs(n - value) <= 0.01 * abs(value) for n in _numbers(text))


CATALOG = load_catalog()
SPECS = [s for kind in (CATALOG.accelerators, CATALOG.links) for s in kind.values()]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_benchmark_citations_back_only_what_they_state(spec):
    for field, source in spec.sources.items():
        if field in EFFICIENCY_FIELDS or not BENCHMARK.search(source.citation):
            continue
        text = " ".join(filter(None, (source.citation, source.note)))
        value = getattr(spec, field)
        assert _states(text, float(value)), (
            f"{spec.id}.{field} = {value} cites a benchmark that does not state it: {source.citation[:100]}")


def test_the_check_catches_a_gemm_citation_on_the_scale_up_domain():
    gemm = "BAAI FlagPerf, Atlas 800T A2: FP16 GEMM 313.182 TFLOPS measured; card average power 364.7 W"
    assert not _states(gemm, 8.0) and _states(gemm, 313.0) and _states("8x BI150 in an R5300 G5", 8.0)


@pytest.mark.parametrize("chip", sorted(CATALOG.accelerators))
def test_show_says_why_a_derived_field_is_blank(chip, capsys):
    from suanli.cli import main

    assert main(["show", chip]) == 0
    for line in capsys.readouterr().out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] == "-":
            assert "[not " in line, f"a blank without a reason: {line.strip()}"
