"""Numbers quoted in a notebook's prose come from code, not typing (GitHub issue 9).

A markdown cell is plain text: a model output, a catalog value or a default constant typed into it goes
stale silently when the model, the data or the calibration moves. Such sentences are built by a code cell
instead (``Markdown(f"... {value} ...")``), which renders when the notebook runs.

The check is a heuristic, kept simple so a failure is easy to read. After dropping what is not prose
(fenced and inline code, LaTeX, URLs, "Table 2.1"-style references, memory variants in product names
such as "A100 80GB"), a markdown cell is flagged when it holds a number that looks like
a result:

- a percentage (``19%``, ``40 %``);
- a number with a unit of power, energy, compute, bandwidth, size, time, distance or area, a multiple
  (``40.8 kW``, ``140 TFLOP/s``, ``34 days``, ``50 GB/s``, ``7 ms``, ``3x``), sequences, or money
  (``$50,000``, ``10 CNY``);
- a decimal (``0.67``, ``1.57``).

Counts, years, model sizes (``70B``), chip names (``H100``, ``910B``) and numbers written in words are
not flagged: that is the heuristic's blind spot, and why notebook reviews still read the prose.

Numbers that belong to the question the reader asks (a scenario: "1,024 H100 for 30 days") or to the
claim being checked (what a paper or the press said) may stay typed. They are listed in ``ALLOWED`` per
notebook as exact phrases, each with the reason; an allowed phrase is removed before the check, so the
rest of its cell is still checked, and a phrase no longer found in its notebook fails the suite (the
list cannot go stale or grow into a blanket pass).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))

NUMBER = r"\d[\d,]*(?:\.\d+)?"
UNITS = (
    r"[kMGT]?W|[kMGT]Wh|(?:[TPE])?FLOP/s|[PE]FLOPS|PF-days|"  # power, energy, compute
    r"Gbit/s|[GT]B/s|[KMGT]B|GiB|"  # bandwidth, size
    r"ms|us|µs|s|h|min|minutes?|hours?|days?|months?|years?|"  # time
    r"km|m²|m\^2|"  # distance, area
    r"x|sequences|CNY|USD|RMB"  # multiples, batch, money
)
RESULT_LIKE = re.compile(
    rf"{NUMBER}\s*%"  # a percentage
    rf"|(?<![\w.]){NUMBER}\s?(?:{UNITS})(?!\w)"  # a number with a unit (not the middle of a name such as H100)
    rf"|\$\s?{NUMBER}"  # money
    r"|(?<![\w.\-])\d+\.\d+(?![\d.])"  # a decimal (also 14.8T)
)
NOT_PROSE = re.compile(
    r"```.*?```"  # fenced code
    r"|`[^`\n]*`"  # inline code
    r"|\$\$.*?\$\$"  # display maths
    r"|\$[^$\n]*?[\\_^{}=][^$\n]*?\$"  # inline maths: it holds a backslash, _, ^, {, } or = ("$4.6M or $1.4M" is money)
    r"|https?://\S+"  # URLs
    r"|\b(?:Tables?|[Ss]ections?|Sec\.|Fig\.|Figure|eq\.)\s*\d+(?:\.\d+)*"  # where a cited figure is: "Table 2.1"
    r"|\b\d+GB\b",  # a memory variant in a product name: "A100 80GB", "A100-80GB"
    re.DOTALL,
)

# notebook -> [(exact phrase, why it may stay typed)]
ALLOWED: dict[str, list[tuple[str, str]]] = {
    "09-serving-cost.ipynb": [
        ("about $50,000 of electricity a day at $0.08/kWh", "the press claim as stated (Guosheng Securities 2023)"),
    ],
    "01-training-time.ipynb": [
        (
            "projected 34 days at 140 TFLOP/s per\nGPU",
            "what Narayanan et al. 2021 reported: the published figure the estimate is set against",
        ),
    ],
    "03-interconnect.ipynb": [
        ("1,000-2,000 km apart", "the scenario: the route lengths of East-Data-West-Compute studied in section 5"),
        ("A 64 MB buffer", "the scenario: the message size of the table below, chosen by the reader"),
        ("14.8T tokens", "the scenario: DeepSeek-V3's published token count, the run being modelled"),
    ],
    "04-power-and-siting.ipynb": [
        ("for 30 days at the Qingyang cluster", "the scenario: the run the reader prices"),
        ("at $0.08/kWh ≈ $50,000 of electricity", "the press claim as stated (Guosheng Securities 2023)"),
        (
            "4,000 × 6.5 kW × 24 h: the rated maximum, PUE 1",
            "the claim's own arithmetic: its servers at DGX A100 rating, nothing else",
        ),
        ("8,000 Hopper GPUs ≈ 15 MW", "the press claim as stated (NVIDIA GTC 2024 keynote)"),
        ("1.8T-parameter MoE", "the press claim as stated (NVIDIA GTC 2024 keynote)"),
        ("2,048 GPUs × 840 h", "the scenario: the published run's GPU-hours split into a fleet and a duration"),
        ("10 CNY per GPU-hour", "the scenario: the rental price the reader chose"),
        ("the 8-12 CNY/GPU-hour", "what the cited cloud price list says (zhitaoyun.cn 2023)"),
        ("Tokens: 2.0e12", "the scenario: Llama 2's published token count"),
    ],
    "05-cuda-compat.ipynb": [
        ("CUDA 11.6", "a CUDA release named by the cited coverage of the EULA clause"),
        ("11.4/11.5", "CUDA releases named by the cited coverage of the EULA clause"),
    ],
    "06-domestic-substitution.ipynb": [
        ("within 30 days", "the scenario: the deadline the reader sets"),
    ],
    "08-press-claims.ipynb": [
        ("A 500B model on 15 TB", "the press claim as stated"),
        ("3,640 PF-days", "the claim being checked (Brown et al. 2020, Table D.1)"),
        ("$4.6M or $1.4M?", "the two press claims being checked"),
        ("gave $1.4M on today's", "the press claim as stated (Guosheng Securities 2023)"),
        ("~3 years on 1,000 PFLOPS, a month on", "the press claim as stated"),
        ("is ~0.3 token, a Chinese character ~0.6 token", "what DeepSeek's tokenizer documentation says"),
        ("about $50,000 a day", "the press claim as stated (Guosheng Securities 2023)"),
        ("8,000 Hopper at 15 MW vs 2,000 Blackwell at 4 MW", "the keynote claim as stated (NVIDIA GTC 2024)"),
        ("a 1.8-trillion-parameter", "the keynote claim as stated (NVIDIA GTC 2024)"),
        ("trained in 90 days", "the keynote claim as stated (NVIDIA GTC 2024)"),
        ("every 6 months; China's 52.3% CAGR", "the growth claims being checked (Sevilla et al. 2022; IDC & Inspur)"),
    ],
}


def markdown_cells(path: Path) -> list[tuple[int, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        (i, "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown"
    ]


def result_like(text: str, allowed: list[tuple[str, str]] = ()) -> list[str]:
    """The numbers in ``text`` that look like computed results, once code, maths and allowed phrases are dropped."""
    for phrase, _ in allowed:
        text = text.replace(phrase, " ")
    return [m.group(0) for m in RESULT_LIKE.finditer(NOT_PROSE.sub(" ", text))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_prose_quotes_no_typed_results(path: Path):
    allowed = ALLOWED.get(path.name, [])
    problems = [f"cell {i}: {hits}" for i, text in markdown_cells(path) if (hits := result_like(text, allowed))]
    assert not problems, (
        f"{path.name}: markdown quotes numbers that look like results; build the sentence in a code cell "
        f"(Markdown(f'...')) or, for a scenario or a quoted claim, add the phrase to ALLOWED with the reason: {problems}"
    )


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_allowed_phrases_are_still_used(name: str):
    path = next((p for p in NOTEBOOKS if p.name == name), None)
    assert path is not None, f"ALLOWED names {name}, which is not a notebook"
    prose = "\n".join(text for _, text in markdown_cells(path))
    stale = [phrase for phrase, _ in ALLOWED[name] if phrase not in prose]
    assert not stale, f"{name}: allowed phrases no longer in its markdown (remove them from ALLOWED): {stale}"


def test_every_allowed_phrase_has_a_reason_and_a_number():
    for name, entries in ALLOWED.items():
        for phrase, reason in entries:
            assert reason.strip(), f"{name}: {phrase!r} needs a reason"
            assert result_like(phrase), f"{name}: {phrase!r} holds nothing the check flags; drop it from ALLOWED"


@pytest.mark.parametrize(
    "text",
    [
        "Racks draw 40.8 kW",
        "support racks add 19%",
        "median error 9.5 %",
        "the paper's 1,536 sequences",
        "0.67 stack efficiency",
        "a 10.2 kW server",
        "340 TFLOP/s sustained",
        "it takes 34 days",
        "50 GB/s per wavelength",
        "7 ms of latency",
        "differ by 3x",
        "about $50,000 a day",
        "10 CNY per GPU-hour",
        "each rack takes 6.25 m² gross",
    ],
)
def test_flags_typed_results(text: str):
    assert result_like(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Llama 2 70B on 2T tokens with 1,024 H100",
        "Ascend 910B and MLU590 in 2024",
        "GPT-3 175B",
        "## 5. Scaling out",
        "`suanli scaling --compute 5.76e23 --json`",
        "the law $L = E + A/N^{0.34}$",
        "TP 8 and PP 4 on 128 nodes of 8",
        "see https://arxiv.org/abs/2203.15556",
        "Table 2.1",
        "a GB200 NVL72 rack",
    ],
)
def test_leaves_scenarios_names_and_code_alone(text: str):
    assert not result_like(text), (text, result_like(text))
