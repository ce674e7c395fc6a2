"""`suanli show` names one source per field: a source about another quantity must not back a field.

Over every bundled chip, link, stack and site (rules in :mod:`suanli.attribution`): a benchmark's citation
(GEMM, MLPerf) backs only efficiencies or figures it prints; a release year cites a source that names the
year or was published in it. A blank in `suanli show` says why.
"""

from types import SimpleNamespace

import pytest

from suanli.attribution import prints_value, states_year, unstated
from suanli.catalog import load_catalog

CATALOG = load_catalog()
SPECS = [s for kind in (CATALOG.accelerators, CATALOG.links, CATALOG.stacks, CATALOG.sites) for s in kind.values()]
KNOWN_GAPS = {("hygon-dcu-k100", "release_year"): "no public source found that dates the K100's launch"}
"""Fields no bundled source states; `suanli show` says so beside them (a stale entry fails below)."""


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_every_field_cites_a_source_that_states_it(spec):
    gaps = {f: why for f, why in unstated(spec).items() if (spec.id, f) not in KNOWN_GAPS}
    assert not gaps, f"{spec.id}: {gaps}"


def test_known_gaps_are_real_and_shown(capsys):
    from suanli.cli import main

    for chip, field in KNOWN_GAPS:
        assert field in unstated(CATALOG.get(chip)), f"{chip}.{field} is stated now: drop it from KNOWN_GAPS"
        assert main(["show", chip]) == 0
        line = next(li for li in capsys.readouterr().out.splitlines() if li.strip().startswith(field))
        assert "not stated there" in line


def test_the_rules_catch_a_benchmark_or_an_undated_source_on_the_wrong_field():
    gemm = SimpleNamespace(
        citation="BAAI FlagPerf, Atlas 800T A2: FP16 GEMM 313.182 TFLOPS measured; card 364.7 W",
        note=None,
        date="2024",
        confidence="measured",
    )
    chip = SimpleNamespace(
        id="x",
        sources={"scaleup_domain": gemm, "fp16_tflops": gemm, "release_year": gemm},
        scaleup_domain=8,
        fp16_tflops=313.0,
        release_year=2022,
    )
    assert set(unstated(chip)) == {"scaleup_domain", "release_year"}
    assert prints_value("8x BI150 in an R5300 G5", 8) and not prints_value("FP16 GEMM 313.182 TFLOPS", 8)
    assert states_year(SimpleNamespace(citation="launch release (2019-08-23)", note=None, date=None), 2019)
    assert states_year(SimpleNamespace(citation="L40S datasheet", note=None, date="2023-08"), 2023)
    assert not states_year(SimpleNamespace(citation="H100 datasheet", note=None, date="2023"), 2022)


@pytest.mark.parametrize("chip", sorted(CATALOG.accelerators))
def test_show_says_why_a_derived_field_is_blank(chip, capsys):
    from suanli.cli import main

    assert main(["show", chip]) == 0
    for line in capsys.readouterr().out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] == "-":
            assert "[not " in line, f"a blank without a reason: {line.strip()}"
