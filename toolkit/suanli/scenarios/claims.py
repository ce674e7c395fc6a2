"""Headline numbers from the press and from vendors, each with a function that checks it.

A reviewer's question about a quoted figure is rarely "is it right?" but "under which assumptions is
it right?". Every check here recomputes a claim from the models (:mod:`suanli.models.scaling`,
:mod:`suanli.models.power`, :mod:`suanli.models.cost`, the training-time engine), states the
assumptions that make it true, and gives a verdict:

- ``holds``: the arithmetic reproduces it from what the source itself states;
- ``holds under assumptions``: it is reproduced only with inputs the source leaves out (a price, a
  utilisation, bytes per token), which the check names;
- ``does not hold``: no stated or plausible inputs reproduce it.

Each check is a function with keyword inputs (so a panel can move them and a test can pin them)
returning a :class:`Check`. :func:`all_checks` runs them all with their defaults.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suanli.errors import InputError
from suanli.models import cost as C
from suanli.models import power as P
from suanli.models import scaling as S
from suanli.scenarios._checks import BOOLEAN, ONE_AT_LEAST_ONE, ONE_EFFICIENCY, ONE_SHARE, YEAR, instance, shown
from suanli.spec import Source
from suanli.validate import (
    NON_NEGATIVE,
    ONE_COUNT,
    ONE_FINITE,
    ONE_NON_NEGATIVE,
    ONE_POSITIVE,
    POSITIVE,
    TEXT,
    checked,
    optional,
    require_positive,
)

VERDICTS = ("holds", "holds under assumptions", "does not hold")

SECONDS_PER_YEAR = 365.25 * 86_400.0
SECONDS_PER_MONTH = 30.0 * 86_400.0


@dataclass(frozen=True)
class Check:
    """One claim, recomputed: what was said, the model's number, the assumptions that make it true, a verdict."""

    id: str
    title: str
    source: Source
    claim: str
    headline: str
    figures: dict[str, float]
    assumptions: tuple[str, ...]
    verdict: str
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)
    claimed_value: float | None = None
    model_value: float | None = None
    unit: str = ""
    test: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    def as_row(self) -> dict[str, str]:
        return {
            "claim": self.title,
            "as stated": self.claim,
            "model": self.headline,
            "verdict": self.verdict,
            "source": f"{self.source.citation} ({self.source.date})",
        }

    def markdown(self) -> str:
        """The check as Markdown: source, claim, model number, assumptions, verdict."""
        src = self.source
        link = f" <{src.url}>" if src.url else ""
        lines = [
            f"### {self.title}",
            "",
            f"*Source:* {src.citation}, {src.date} ({src.confidence}){link}",
            "",
            f"*Claim:* {self.claim}",
            "",
            f"*Model:* {self.headline}",
            "",
            "*Assumptions that make it true:*",
            "",
        ]
        lines += [f"- {a}" for a in self.assumptions]
        lines += ["", f"**Verdict: {self.verdict}.** {self.explanation}"]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Sources of the claims and of the assumptions the checks add
# --------------------------------------------------------------------------------------------

SOURCES = {
    "brown_2020": S.SOURCES["brown_2020"],
    "lambda_2020": Source(
        "Lambda Labs (C. Li), 'OpenAI's GPT-3 Language Model: A Technical Overview' ('Demystifying GPT-3'): GPT-3 "
        "'would require 355 years and $4,600,000 to train - even with the lowest priced GPU cloud on the market'",
        url="https://lambdalabs.com/blog/demystifying-gpt-3/",
        date="2020-06-03",
        confidence="press",
        note="quote as reproduced in public pages found with the search tool",
    ),
    "lambda_inputs": Source(
        "Lambda Labs 2020 inputs: a V100 sustaining 28 TFLOP/s on the workload and Lambda's cloud V100 at $1.50 per GPU-hour",
        url="https://lambdalabs.com/blog/demystifying-gpt-3/",
        date="2020-06-03",
        confidence="estimate",
        note="the blog's two inputs as recalled, not re-read: they reproduce both of its published outputs "
        "(3.14e23 / 28e12 s = 355 years; x $1.50/h = $4.6M), which is how they were checked",
    ),
    "guosheng_2023": Source(
        "Guosheng Securities (国盛证券), 《ChatGPT需要多少算力》, as reported by IT之家 2023-02-19: GPT-3 训练一次的成本约为140万美元; "
        "~4,000 DGX A100 servers, 每日电费在5万美元左右 at the US average $0.08/kWh industrial price",
        url="http://haxililiang.com/toutiao/kuaixun/35412.html",
        date="2023-02",
        confidence="press",
        note="the $1.4M traces to Sunyan, 'The Economics of Large Language Models' (Substack, 2023-01; OneFlow "
        "translation 2023-02-07: 在公有云中训练GPT-3仅需花费约140万美元); its price and utilisation inputs were not found",
    ),
    "gcp_a100_price": Source(
        "AssemblyAI, 'How to Train Large Deep Learning Models as a Startup': A100 on Google Cloud at $2.933908 per hour",
        url="https://www.assemblyai.com/blog/how-to-train-large-deep-learning-models-as-a-startup",
        date="2021-10",
        confidence="press",
        note="read in a mirror of the post (vuink.com); on-demand list price of the time",
    ),
    "palm_table3": Source(
        "Chowdhery et al. 2022, PaLM, arXiv:2204.02311, Table 3: GPT-3 trained at 21.3% model FLOPs utilisation",
        url="https://arxiv.org/abs/2204.02311",
        date="2022-04",
        confidence="paper",
    ),
    "press_500b": Source(
        "Chinese press claim: a 500B-parameter model on 15 TB of data with "
        "1,000 PFLOPS of compute takes about 3 years; a 10,000-card cluster does it in about a month",
        date="2023-2024",
        confidence="press",
        note="the original article was not located; the claim is kept as quoted",
    ),
    "deepseek_tokens": Source(
        "DeepSeek API documentation, 'Token & Token Usage': 1 English character ~ 0.3 token, 1 Chinese character ~ 0.6 token",
        url="https://api-docs.deepseek.com/quick_start/token_usage",
        date="2025",
        confidence="datasheet",
        note="bytes per token follow from UTF-8: an English character is 1 byte (1/0.3 = 3.3 bytes per token), a "
        "Chinese character 3 bytes (3/0.6 = 5 bytes per token); other tokenizers differ",
    ),
    "gtc_2024": Source(
        "NVIDIA GTC 2024 keynote (J. Huang), as reported by The Verge 2024-03-18: a 1.8T-parameter model 'would have "
        "previously taken 8,000 Hopper GPUs and 15 megawatts of power ... 2,000 Blackwell GPUs can do it while consuming "
        "just four megawatts'; 90 days; ~3e25 FLOPs ('30 billion quadrillion', ZDNet 2024-03-19)",
        url="https://www.theverge.com/2024/3/18/24105157/nvidia-blackwell-gpu-b200-ai",
        date="2024-03-18",
        confidence="press",
    ),
    "sevilla_2022": S.SOURCES["sevilla_2022"],
    "idc_2022": S.SOURCES["idc_2022"],
    "megascale_2024": Source(
        "Jiang et al. 2024, 'MegaScale: Scaling Large Language Model Training to More Than 10,000 GPUs', "
        "arXiv:2402.15627, Table 2: 55.2% MFU for a 175B model on 12,288 GPUs",
        url="https://arxiv.org/abs/2402.15627",
        date="2024-02-23",
        confidence="paper",
        note="the highest MFU published for a run of that size; a claim that needs more is outside the evidence",
    ),
}

BEST_PUBLISHED_MFU = 0.552
"""The highest model FLOPs utilisation published for a 10,000-GPU-class run (MegaScale, Table 2); the
verdicts call a claim that needs more than this 'does not hold'."""


@checked(reproduced=BOOLEAN, needs_outside_inputs=BOOLEAN)
def judge(reproduced: bool, needs_outside_inputs: bool) -> str:
    """The verdict from what the model computed now: reproduced from the source's own inputs ('holds'),
    only with inputs the source leaves out ('holds under assumptions'), or not at all."""
    if not reproduced:
        return "does not hold"
    return "holds under assumptions" if needs_outside_inputs else "holds"


def _catalog(catalog=None):
    from suanli.scenarios._checks import catalog as checked_catalog

    return checked_catalog(catalog)


def _peak(chip: str, precision: str = "bf16", catalog=None) -> float:
    return _catalog(catalog).accelerator(chip).peak_flops(precision)


# --------------------------------------------------------------------------------------------
# GPT-3: compute and cost
# --------------------------------------------------------------------------------------------

GPT3_PARAMS = 175e9
GPT3_TOKENS = 300e9
GPT3_FLOPS_TABLE_D1 = S.constant("gpt3_training_flops")
GPT3_PF_DAYS_TABLE_D1 = S.constant("gpt3_training_pf_days")


def gpt3_compute() -> Check:
    """GPT-3's 3.14e23 FLOPs = 3,640 PF-days (Brown et al. 2020, Table D.1) against C = 6ND.

    References: Brown et al. 2020, arXiv:2005.14165, Table D.1; Kaplan et al. 2020 (C = 6ND).
    """
    six_nd = float(S.training_flops(GPT3_PARAMS, GPT3_TOKENS))
    pf_days_of_table = float(S.flops_to_pf_days(GPT3_FLOPS_TABLE_D1))
    figures = {
        "six_nd_flops": six_nd,
        "pf_days_6nd": float(S.flops_to_pf_days(six_nd)),
        "pf_days_of_table_flops": pf_days_of_table,
        "table_flops": GPT3_FLOPS_TABLE_D1,
        "table_pf_days": GPT3_PF_DAYS_TABLE_D1,
        "ratio_6nd_to_table": six_nd / GPT3_FLOPS_TABLE_D1,
    }
    return Check(
        id="gpt3-compute",
        title="GPT-3 took 3,640 PF-days (3.14e23 FLOPs)",
        source=SOURCES["brown_2020"],
        claim="GPT-3 175B: total train compute 3.14e23 FLOPs = 3.64e3 PF-days (300B tokens)",
        headline=f"6 x 175e9 x 300e9 = {six_nd:.3e} FLOPs = {figures['pf_days_6nd']:,.0f} PF-days",
        figures=figures,
        assumptions=(
            "C = 6ND: 2 FLOPs per parameter per token forward, 4 backward (Kaplan et al. 2020)",
            "the attention-score FLOPs (12 L s d per token) left out, as the paper's own count does",
            "1 PF-day = 1e15 FLOP/s x 86,400 s = 8.64e19 FLOPs",
        ),
        verdict=judge(
            abs(figures["ratio_6nd_to_table"] - 1) < 0.05 and abs(pf_days_of_table / GPT3_PF_DAYS_TABLE_D1 - 1) < 0.01,
            False,
        ),
        claimed_value=GPT3_FLOPS_TABLE_D1,
        model_value=six_nd,
        unit="FLOPs",
        test="6ND within 5% of Table D.1's FLOPs, and those FLOPs within 1% of its PF-days",
        explanation=(
            f"6ND gives {six_nd:.3e} FLOPs, {abs(figures['ratio_6nd_to_table'] - 1):.1%} from the table's "
            f"3.14e23; 3.14e23 FLOPs are {pf_days_of_table:,.0f} PF-days, which the paper rounds to 3,640."
        ),
    )


@checked(price_usd_per_gpu_hour=NON_NEGATIVE, sustained_flops_per_gpu=POSITIVE, flops=NON_NEGATIVE)
def gpt3_training_cost(price_usd_per_gpu_hour, sustained_flops_per_gpu, flops: float = GPT3_FLOPS_TABLE_D1):
    """Rental cost of GPT-3's compute: FLOPs / sustained FLOP/s per GPU -> GPU-hours x price (broadcasts).

    References: Brown et al. 2020, Table D.1 (FLOPs); :func:`suanli.models.cost.rental_cost`.
    """
    require_positive(price_usd_per_gpu_hour=price_usd_per_gpu_hour, sustained_flops_per_gpu=sustained_flops_per_gpu)
    gpu_hours = flops / np.asarray(sustained_flops_per_gpu, dtype=float) / 3600.0
    return C.rental_cost(price_usd_per_gpu_hour, 1.0, gpu_hours)


@checked(cost_usd=NON_NEGATIVE, sustained_flops_per_gpu=POSITIVE, flops=POSITIVE)
def price_for_cost(cost_usd, sustained_flops_per_gpu, flops: float = GPT3_FLOPS_TABLE_D1):
    """The $/GPU-hour at which ``flops`` at ``sustained_flops_per_gpu`` cost ``cost_usd`` (inverse of
    :func:`gpt3_training_cost`; broadcasts)."""
    require_positive(cost_usd=cost_usd, sustained_flops_per_gpu=sustained_flops_per_gpu)
    return np.asarray(cost_usd, dtype=float) / (flops / np.asarray(sustained_flops_per_gpu, dtype=float) / 3600.0)


@checked(price_usd_per_gpu_hour=ONE_NON_NEGATIVE, sustained_tflops=ONE_POSITIVE)
def gpt3_cost_lambda(price_usd_per_gpu_hour: float = 1.50, sustained_tflops: float = 28.0, catalog=None) -> Check:
    """Lambda Labs' 2020 estimate: 355 GPU-years and $4.6M on the cheapest V100 cloud."""
    cost = float(gpt3_training_cost(price_usd_per_gpu_hour, sustained_tflops * 1e12))
    gpu_years = GPT3_FLOPS_TABLE_D1 / (sustained_tflops * 1e12) / SECONDS_PER_YEAR
    v100_peak = _peak("nvidia-v100-sxm2-32gb", "fp16", catalog)
    share = sustained_tflops * 1e12 / v100_peak
    figures = {
        "cost_usd": cost,
        "gpu_years": gpu_years,
        "share_of_v100_peak": share,
        "price_usd_per_gpu_hour": price_usd_per_gpu_hour,
        "sustained_tflops": sustained_tflops,
    }
    holds = abs(cost / 4.6e6 - 1) < 0.05 and abs(gpu_years / 355 - 1) < 0.05
    return Check(
        id="gpt3-cost-lambda",
        title="GPT-3 would cost $4.6M and 355 GPU-years on V100 cloud (Lambda Labs)",
        source=SOURCES["lambda_2020"],
        claim="355 years and $4,600,000 on the lowest-priced V100 cloud",
        headline=f"{gpu_years:,.0f} V100-years and ${cost / 1e6:,.2f}M at {sustained_tflops:g} TFLOP/s and ${price_usd_per_gpu_hour:.2f}/GPU-h",
        figures=figures,
        assumptions=(
            (
                f"a V100 sustains {sustained_tflops:g} TFLOP/s on GPT-3, {share:.0%} of its {v100_peak / 1e12:.0f} TFLOP/s "
                "FP16 tensor peak (Lambda's measured rate; source: lambda_inputs)"
            ),
            f"${price_usd_per_gpu_hour:.2f} per V100-hour, every hour billed, no failures or restarts",
            "the 3.14e23 FLOPs of Table D.1, one run, no experiments",
        ),
        verdict=judge(holds, True),
        claimed_value=4.6e6,
        model_value=cost,
        unit="USD",
        test="cost within 5% of $4.6M and GPU-years within 5% of 355",
        explanation=(
            f"Both numbers come out of the same two inputs: {gpu_years:,.0f} GPU-years and "
            f"${cost / 1e6:,.2f}M. The {sustained_tflops:g} TFLOP/s is close to what GPT-3's own run sustained: "
            f"21.3% MFU (PaLM, Table 3) is {0.213 * v100_peak / 1e12:.0f} TFLOP/s per V100."
        ),
    )


@checked(claimed_usd=ONE_POSITIVE, mfu=optional(ONE_EFFICIENCY), chip=TEXT, price_usd_per_gpu_hour=ONE_POSITIVE)
def gpt3_cost_1p4m(
    claimed_usd: float = 1.4e6,
    mfu: float | None = None,
    chip: str = "nvidia-a100-sxm4-80gb",
    price_usd_per_gpu_hour: float = 2.933908,
    catalog=None,
) -> Check:
    """The '$1.4M to train GPT-3 in the public cloud' figure (Guosheng Securities / Sunyan, 2023): which
    $/GPU-hour and utilisation make it true on A100s.

    ``mfu`` defaults to the engine's MFU for GPT-3 on 1,024 of ``chip`` (:func:`suanli.estimate`).
    """
    peak = _peak(chip, "bf16", catalog)
    ratio = float(price_for_cost(claimed_usd, peak))  # $/h per unit of MFU: price / MFU = this
    engine_mfu = None
    if mfu is None:
        from suanli.scenarios.training import estimate

        est = estimate("gpt3-175b", tokens=GPT3_TOKENS, chip=chip, count=1024, runners_up=0, catalog=_catalog(catalog))
        engine_mfu = mfu = est.mfu
    require_positive(mfu=mfu)
    price_needed = ratio * mfu
    mfu_needed_at_price = price_usd_per_gpu_hour / ratio
    cost_at_price = float(gpt3_training_cost(price_usd_per_gpu_hour, peak * mfu))
    cost_at_gpt3_mfu = float(gpt3_training_cost(price_usd_per_gpu_hour, peak * 0.213))
    figures = {
        "price_over_mfu": ratio,
        "mfu": mfu,
        "price_needed_usd_per_gpu_hour": price_needed,
        "mfu_needed_at_price": mfu_needed_at_price,
        "cost_at_price_usd": cost_at_price,
        "cost_at_21pct_mfu_usd": cost_at_gpt3_mfu,
        "gpu_hours": GPT3_FLOPS_TABLE_D1 / (peak * mfu) / 3600.0,
    }
    mfu_label = f"the engine's {mfu:.0%} MFU for GPT-3 on 1,024 {chip}" if engine_mfu is not None else f"{mfu:.0%} MFU"
    from suanli.prices import chip_price

    rent = chip_price(_catalog(catalog).accelerator(chip), "USD", "rental")
    cheapest_rental = float("inf") if rent is None else (rent.low if rent.low is not None else rent.value)
    figures["cheapest_rental_usd_per_gpu_hour"] = cheapest_rental
    return Check(
        id="gpt3-cost-1.4m",
        title="GPT-3 costs about $1.4M to train in the public cloud",
        source=SOURCES["guosheng_2023"],
        claim="GPT-3训练一次的成本约为140万美元 (one GPT-3 training run costs about $1.4M)",
        headline=(
            f"$1.4M = 3.14e23 FLOPs on {chip} when price / MFU = ${ratio:.2f}/GPU-h: "
            f"${price_needed:.2f}/GPU-h at {mfu:.0%} MFU"
        ),
        figures=figures,
        assumptions=(
            f"A100 cloud at no more than ${price_needed:.2f} per GPU-hour with {mfu_label}",
            (
                f"or the 2021 on-demand Google Cloud price (${price_usd_per_gpu_hour:.2f}/h) with {mfu_needed_at_price:.0%} MFU, "
                "above what large runs report (PaLM 46%, MegaScale 55%)"
            ),
            "one clean run: no failed runs, ablations, evaluation or idle reserved capacity",
        ),
        verdict=judge(price_needed >= cheapest_rental or mfu_needed_at_price <= BEST_PUBLISHED_MFU, True),
        claimed_value=claimed_usd,
        model_value=cost_at_price,
        unit="USD",
        test=(
            f"at {mfu:.0%} MFU the price needed (${price_needed:.2f}/GPU-h) is at least the cheapest sourced {chip} "
            f"rental (${cheapest_rental:.2f}), or the MFU needed at ${price_usd_per_gpu_hour:.2f}/h is at most "
            f"{BEST_PUBLISHED_MFU:.1%} (MegaScale)"
        ),
        explanation=(
            f"At the 2021 list price and {mfu:.0%} MFU the run costs ${cost_at_price / 1e6:,.2f}M; at the 21.3% MFU "
            f"GPT-3 actually reached (on V100s) the same A100 hours would cost ${cost_at_gpt3_mfu / 1e6:,.2f}M. "
            "$1.4M needs both a discounted A100 price and a modern training stack; it is not what the 2020 run cost."
        ),
        details={"engine_mfu": engine_mfu},
    )


# --------------------------------------------------------------------------------------------
# "500B model, 15 TB of data: 3 years on 1,000 PFLOPS, a month on 10,000 cards"
# --------------------------------------------------------------------------------------------


@checked(nbytes=NON_NEGATIVE, bytes_per_token=POSITIVE)
def tokens_from_bytes(nbytes, bytes_per_token):
    """Training tokens in a corpus of ``nbytes`` at ``bytes_per_token`` (broadcasts).

    References: DeepSeek API docs (characters per token), UTF-8 (bytes per character); see
    :data:`SOURCES` ``deepseek_tokens``.
    """
    require_positive(nbytes=nbytes, bytes_per_token=bytes_per_token)
    return np.asarray(nbytes, dtype=float) / np.asarray(bytes_per_token, dtype=float)


@checked(
    bytes_per_token=ONE_POSITIVE,
    params=ONE_POSITIVE,
    data_bytes=ONE_POSITIVE,
    cluster_flops=ONE_POSITIVE,
    claimed_years=ONE_POSITIVE,
    cards=ONE_COUNT,
    claimed_months=ONE_POSITIVE,
    mfu=ONE_EFFICIENCY,
    engine_chip=optional(TEXT),
)
def large_model_500b(
    bytes_per_token: float = 4.0,
    params: float = 500e9,
    data_bytes: float = 15e12,
    cluster_flops: float = 1000e15,
    claimed_years: float = 3.0,
    cards: int = 10_000,
    claimed_months: float = 1.0,
    mfu: float = 0.40,
    engine_chip: str | None = "nvidia-h100-sxm5-80gb",
    catalog=None,
) -> Check:
    """Tokens from 15 TB, 6ND FLOPs, and the utilisation / chip that make each half of the claim true."""
    tokens = float(tokens_from_bytes(data_bytes, bytes_per_token))
    flops = float(S.training_flops(params, tokens))
    days_at_peak = flops / cluster_flops / 86_400.0
    util_for_years = flops / (cluster_flops * claimed_years * SECONDS_PER_YEAR)
    bytes_per_token_at_mfu = data_bytes / (mfu * cluster_flops * claimed_years * SECONDS_PER_YEAR / (6.0 * params))
    per_card = flops / (cards * claimed_months * SECONDS_PER_MONTH)
    cat = _catalog(catalog)
    chips = (
        "nvidia-a100-sxm4-80gb",
        "huawei-ascend-910b",
        "huawei-ascend-910c",
        "nvidia-h100-sxm5-80gb",
        "nvidia-b200",
    )
    mfu_needed = {c: per_card / cat.accelerator(c).peak_flops("bf16") for c in chips}
    figures = {
        "tokens": tokens,
        "flops": flops,
        "days_at_100pct": days_at_peak,
        "years_at_mfu": flops / (mfu * cluster_flops) / SECONDS_PER_YEAR,
        "utilisation_for_claimed_years": util_for_years,
        "bytes_per_token_for_years_at_mfu": bytes_per_token_at_mfu,
        "sustained_flops_per_card_for_month": per_card,
        **{f"mfu_needed_{c}": v for c, v in mfu_needed.items()},
    }
    details: dict[str, Any] = {"mfu_needed": mfu_needed}
    engine_line = ""
    if engine_chip:
        from suanli.scenarios.training import estimate

        est = estimate(params=params, tokens=tokens, chip=engine_chip, count=cards, runners_up=0, catalog=cat)
        figures["engine_days"] = est.train_days
        figures["engine_mfu"] = est.mfu
        details["engine"] = est
        engine_line = (
            f" The engine puts {cards:,} {engine_chip} at {est.train_days:,.0f} days "
            f"(MFU {est.mfu:.0%}, layout TP{est.layout['tp']} PP{est.layout['pp']} DP{est.layout['dp']})."
        )
    feasible = [c for c, v in mfu_needed.items() if v <= 0.5]
    best_chip = min(mfu_needed, key=mfu_needed.get)
    best_months = claimed_months * mfu_needed[best_chip] / 0.5  # the month scales with the MFU it needs
    return Check(
        id="press-500b-15tb",
        title="A 500B model on 15 TB: ~3 years on 1,000 PFLOPS, a month on 10,000 cards",
        source=SOURCES["press_500b"],
        claim="500B parameters, 15 TB of data, 1,000 PFLOPS: about 3 years; a 10,000-card cluster: about a month",
        headline=(
            f"{tokens / 1e12:,.2f}T tokens at {bytes_per_token:g} bytes/token, 6ND = {flops:.2e} FLOPs: "
            f"{days_at_peak:,.0f} days at 100% of 1,000 PFLOPS; a month on {cards:,} cards needs "
            f"{per_card / 1e12:,.0f} TFLOP/s sustained per card"
        ),
        figures=figures,
        assumptions=(
            f"{bytes_per_token:g} bytes per token (English ~3.3, Chinese ~5 with DeepSeek's tokenizer; source: deepseek_tokens)",
            (
                f"'3 years' needs the 1,000 PFLOPS to run at {util_for_years:.0%} utilisation, "
                f"or at {mfu:.0%} MFU a token every {bytes_per_token_at_mfu:.1f} bytes"
            ),
            f"'a month' needs {per_card / 1e12:,.0f} TFLOP/s per card: "
            + ", ".join(f"{c} {v:.0%} MFU" for c, v in mfu_needed.items()),
            "dense model, C = 6ND, one pass over the data",
        ),
        verdict=judge(bool(feasible) and util_for_years <= 1.0, True),
        claimed_value=claimed_months,
        model_value=best_months,
        unit=f"months on {cards:,} of the best listed card ({best_chip}) at 50% MFU",
        test="some listed card reaches the month at or below 50% MFU, and the 3 years need at most 100% of 1,000 PFLOPS",
        explanation=(
            f"The two halves assume different efficiencies: {util_for_years:.0%} of 1,000 PFLOPS for the 3 years, but "
            f"{mfu_needed['nvidia-h100-sxm5-80gb']:.0%} of an H100's BF16 peak for the month; "
            f"on A100- or 910B-class cards ({mfu_needed['nvidia-a100-sxm4-80gb']:.0%} of peak) the month is impossible. "
            f"Cards that could do it at or below 50% MFU: {', '.join(feasible) if feasible else 'none in the list'}."
            + engine_line
        ),
        details=details,
    )


# --------------------------------------------------------------------------------------------
# ChatGPT's electricity; NVIDIA's Hopper vs Blackwell
# --------------------------------------------------------------------------------------------


@checked(
    servers=ONE_COUNT,
    price_usd_per_kwh=ONE_NON_NEGATIVE,
    utilization=ONE_SHARE,
    pue=ONE_AT_LEAST_ONE,
    network_storage_fraction=ONE_SHARE,
    server_rating_w=optional(ONE_POSITIVE),
)
def chatgpt_electricity(
    servers: int = 4000,
    price_usd_per_kwh: float = 0.08,
    utilization: float = 1.0,
    pue: float = 1.0,
    network_storage_fraction: float = 0.0,
    server_rating_w: float | None = None,
    catalog=None,
) -> Check:
    """'~$50,000 a day of electricity for ChatGPT' (~4,000 DGX A100 at $0.08/kWh) through the power chain.

    The defaults are the claim's own implicit assumptions (servers at their rated maximum, nothing
    else); the figures also give the chain with suanli's documented defaults.
    """
    a100 = _catalog(catalog).accelerator("nvidia-a100-sxm4-80gb")
    if server_rating_w is None:  # the catalog's DGX A100 rating (6.5 kW), with its source
        server_rating_w = a100.server_power_w
    require_positive(server_rating_w=server_rating_w, servers=servers)

    def day_cost(**chain):
        fleet = P.fleet_power(
            a100.tdp_w, servers * a100.chips_per_server, a100.chips_per_server, server_rating_w=server_rating_w, **chain
        )
        return float(C.electricity_cost(P.energy_mwh(fleet.facility_w, 24.0), price_usd_per_kwh)), float(
            fleet.facility_w
        )

    claimed, facility_w = day_cost(
        utilization=utilization,
        pue=pue,
        network_storage_fraction=network_storage_fraction,
        host_draw_fraction=1.0 if utilization >= 1.0 else P.DEFAULTS.host_draw_fraction,
    )
    measured_draw, _ = day_cost(utilization=P.chip_utilization(a100.id), pue=1.0, network_storage_fraction=0.0)
    all_in, all_in_w = day_cost()
    figures = {
        "usd_per_day": claimed,
        "facility_mw": facility_w / 1e6,
        "mwh_per_day": facility_w * 24 / 1e6,
        "usd_per_day_measured_draw": measured_draw,
        "usd_per_day_suanli_defaults": all_in,
        "facility_mw_suanli_defaults": all_in_w / 1e6,
    }
    return Check(
        id="chatgpt-electricity",
        title="ChatGPT's electricity costs about $50,000 a day",
        source=SOURCES["guosheng_2023"],
        claim="~4,000 DGX A100 servers (30,000+ A100), $0.08/kWh: 每日电费在5万美元左右 (about $50,000 a day)",
        headline=f"{servers:,} x {server_rating_w / 1e3:g} kW x 24 h x ${price_usd_per_kwh}/kWh = ${claimed:,.0f} a day",
        figures=figures,
        assumptions=(
            f"every server at its rated maximum ({server_rating_w / 1e3:g} kW) around the clock",
            f"PUE {pue:g} and no network or storage power (network share {network_storage_fraction:g})",
            "the fleet size itself is the report's estimate from January 2023 traffic, not an OpenAI figure",
        ),
        verdict=judge(abs(claimed / 50_000 - 1) < 0.1, True),
        claimed_value=50_000.0,
        model_value=claimed,
        unit="USD per day",
        test="the chain under the claim's assumptions within 10% of $50,000 a day",
        explanation=(
            f"The power chain reproduces ${claimed:,.0f} under the claim's own assumptions. Measured draw "
            f"(cards at 0.845 x TDP, host at its measured share of the rating) gives ${measured_draw:,.0f}; "
            f"with the default PUE of {P.DEFAULTS.pue} and network/storage it is ${all_in:,.0f} a day."
        ),
    )


@checked(
    flops=ONE_POSITIVE,
    days=ONE_POSITIVE,
    hopper_gpus=ONE_COUNT,
    hopper_mw=ONE_POSITIVE,
    blackwell_gpus=ONE_COUNT,
    blackwell_mw=ONE_POSITIVE,
    run_engine=BOOLEAN,
    engine_global_batch=optional(ONE_COUNT),
    active_params=ONE_POSITIVE,
)
def gtc2024_blackwell(
    flops: float = 3e25,
    days: float = 90.0,
    hopper_gpus: int = 8000,
    hopper_mw: float = 15.0,
    blackwell_gpus: int = 2000,
    blackwell_mw: float = 4.0,
    run_engine: bool = True,
    engine_global_batch: int | None = None,
    active_params: float = 2.8e11,
    catalog=None,
) -> Check:
    """NVIDIA GTC 2024: a 1.8T MoE in 90 days on 8,000 Hopper at 15 MW vs 2,000 Blackwell at 4 MW.

    Returns the implied all-in W per GPU, the per-GPU throughput ratio, the sustained FLOP/s each GPU
    must deliver, and (``run_engine``) the engine's days for a 1.8T MoE of the documented shape rule
    (:func:`suanli.models.workload.shape_from_params`, top-2) trained in FP8.
    """
    cat = _catalog(catalog)
    seconds = days * 86_400.0
    w_hopper = hopper_mw * 1e6 / hopper_gpus
    w_blackwell = blackwell_mw * 1e6 / blackwell_gpus
    w_quarter = hopper_mw / 4 * 1e6 / blackwell_gpus
    per_gpu_ratio = hopper_gpus / blackwell_gpus
    h_rate = flops / (hopper_gpus * seconds)
    b_rate = flops / (blackwell_gpus * seconds)
    h100, b200 = cat.accelerator("nvidia-h100-sxm5-80gb"), cat.accelerator("nvidia-b200")
    rated_h = [
        float(P.all_in_power_per_accelerator_w(h100.tdp_w, 8, pue=q, server_rating_w=h100.server_power_w))
        for q in (1.10, 1.57)
    ]
    rated_b = [
        float(P.all_in_power_per_accelerator_w(b200.tdp_w, 8, pue=q, server_rating_w=b200.server_power_w))
        for q in (1.10, 1.57)
    ]
    figures = {
        "w_per_hopper": w_hopper,
        "w_per_blackwell_stated": w_blackwell,
        "w_per_blackwell_quarter": w_quarter,
        "per_gpu_throughput_ratio": per_gpu_ratio,
        "power_ratio": hopper_mw / blackwell_mw,
        "hopper_sustained_flops": h_rate,
        "blackwell_sustained_flops": b_rate,
        "hopper_share_bf16_peak": h_rate / h100.peak_flops("bf16"),
        "hopper_share_fp8_peak": h_rate / h100.peak_flops("fp8"),
        "blackwell_share_bf16_peak": b_rate / b200.peak_flops("bf16"),
        "blackwell_share_fp8_peak": b_rate / b200.peak_flops("fp8"),
        "hopper_rated_all_in_w_pue_1.10": rated_h[0],
        "hopper_rated_all_in_w_pue_1.57": rated_h[1],
        "blackwell_rated_all_in_w_pue_1.10": rated_b[0],
        "blackwell_rated_all_in_w_pue_1.57": rated_b[1],
        "energy_mwh_hopper": hopper_mw * days * 24,
        "energy_mwh_blackwell": blackwell_mw * days * 24,
    }
    details: dict[str, Any] = {}
    engine_text = ""
    if run_engine:
        from suanli.scenarios.training import estimate, make_workload

        w = make_workload(params=1.8e12, active_params=active_params)
        tokens = flops / (6.0 * active_params)
        for key, chip, n in (
            ("hopper", "nvidia-h100-sxm5-80gb", hopper_gpus),
            ("blackwell", "nvidia-b200", blackwell_gpus),
        ):
            est = estimate(
                w,
                tokens=tokens,
                chip=chip,
                count=n,
                precision="fp8",
                global_batch=engine_global_batch,
                runners_up=0,
                catalog=cat,
            )
            figures[f"engine_days_{key}"] = est.train_days
            figures[f"engine_mfu_{key}"] = est.mfu
            details[f"engine_{key}"] = est
        details["workload"] = w
        engine_text = (
            f" With a {w.params / 1e12:.2f}T-parameter top-2 MoE ({w.active_params / 1e9:,.0f}B active, "
            f"{tokens / 1e12:,.1f}T tokens, FP8) the engine gives {figures['engine_days_hopper']:,.0f} days on "
            f"{hopper_gpus:,} H100 and {figures['engine_days_blackwell']:,.0f} days on {blackwell_gpus:,} B200."
        )
    return Check(
        id="gtc2024-blackwell",
        title="1.8T MoE in 90 days: 8,000 Hopper at 15 MW, or 2,000 Blackwell at 4 MW",
        source=SOURCES["gtc_2024"],
        claim="8,000 Hopper GPUs and 15 MW vs 2,000 Blackwell GPUs and 4 MW (a quarter of the power), 90 days, 1.8T-parameter MoE",
        headline=(
            f"{w_hopper:,.0f} W per Hopper and {w_blackwell:,.0f} W per Blackwell all-in; each Blackwell does "
            f"{per_gpu_ratio:g}x a Hopper's work: {b_rate / 1e15:,.2f} vs {h_rate / 1e15:,.2f} PFLOP/s sustained"
        ),
        figures=figures,
        assumptions=(
            f"~{flops:.0e} training FLOPs (said in the same keynote) over {days:g} days",
            (
                f"Hopper at {h_rate / 1e12:,.0f} TFLOP/s sustained: {figures['hopper_share_bf16_peak']:.0%} of BF16 or "
                f"{figures['hopper_share_fp8_peak']:.0%} of FP8 dense peak"
            ),
            (
                f"Blackwell at {b_rate / 1e15:,.2f} PFLOP/s: {figures['blackwell_share_fp8_peak']:.0%} of a B200's FP8 dense "
                "peak, so FP4 or a GB200 NVL72 rack (72-GPU NVLink domain) for the MoE all-to-alls"
            ),
            (
                f"'15 MW' is all-in: a DGX H100 at rating is {rated_h[0]:,.0f}-{rated_h[1]:,.0f} W per GPU with network "
                f"at PUE 1.10-1.57; '4 MW' puts Blackwell below its rating ({rated_b[0]:,.0f}+ W)"
            ),
        ),
        verdict=judge(
            0.9 * rated_h[0] <= w_hopper <= rated_h[1] and figures["blackwell_share_fp8_peak"] <= BEST_PUBLISHED_MFU,
            True,
        ),
        claimed_value=days,
        model_value=days * figures["blackwell_share_fp8_peak"] / BEST_PUBLISHED_MFU,
        unit=f"days on {blackwell_gpus:,} B200 at {BEST_PUBLISHED_MFU:.1%} of FP8 peak (the best published MFU)",
        test=(
            f"15 MW / 8,000 within the chain's rated all-in range at PUE 1.10-1.57 (from 90% of the low end), and "
            f"the Blackwell rate at most {BEST_PUBLISHED_MFU:.1%} of FP8 peak"
        ),
        explanation=(
            f"The power figures are consistent: {w_hopper:,.0f} W per Hopper sits inside the chain's rated range, and a "
            f"quarter of 15 MW over 2,000 GPUs is again {w_quarter:,.0f} W. The speed claim needs each Blackwell to do "
            f"{per_gpu_ratio:g}x a Hopper's work, which FP8 on a B200 does not reach by peak alone "
            f"({b200.peak_flops('fp8') / h100.peak_flops('fp8'):.2f}x)." + engine_text
        ),
        details=details,
    )


# --------------------------------------------------------------------------------------------
# Growth figures
# --------------------------------------------------------------------------------------------


@checked(doubling_months=ONE_POSITIVE)
def compute_doubling(doubling_months: float = 6.0) -> Check:
    """Training compute doubling every 6 months (Sevilla et al. 2022) as a growth factor per year."""
    with np.errstate(over="ignore"):
        rate = float(S.annual_growth(doubling_months / 12.0))
    factor = 1.0 + rate
    try:
        decade = factor**10
    except OverflowError:  # a float ** int raises instead of giving inf
        decade = math.inf
    if not math.isfinite(decade):
        raise InputError(f"a doubling every {doubling_months:g} months overflows a decade's growth; give a longer time")
    figures = {"factor_per_year": factor, "annual_growth": rate, "factor_per_decade": factor**10}
    return Check(
        id="compute-doubling",
        title="Training compute doubles every 6 months",
        source=SOURCES["sevilla_2022"],
        claim="since the early 2010s, the training compute of milestone models doubles about every 6 months",
        headline=f"2^(12/{doubling_months:g}) = {factor:.2f}x a year ({rate:.0%} growth), {factor**10:.2e}x a decade",
        figures=figures,
        assumptions=(
            "a constant doubling time (the paper fits a log-linear trend over 2010-2022 milestone models)",
            "the trend is over the frontier of notable models, not one lab or one country's fleet",
        ),
        verdict=judge(abs(doubling_months - S.constant("training_compute_doubling_months")) <= 1.0, False),
        claimed_value=S.constant("training_compute_doubling_months"),
        model_value=doubling_months,
        unit="months per doubling",
        test="the doubling time used within a month of the paper's fitted 6 months",
        explanation=f"Doubling every {doubling_months:g} months is {factor:.2f}x a year: arithmetic, given the fitted trend.",
    )


@checked(start_eflops=ONE_POSITIVE, end_eflops=ONE_POSITIVE, start_year=YEAR, end_year=YEAR, claimed_cagr=ONE_FINITE)
def idc_china_cagr(
    start_eflops: float = 155.2,
    end_eflops: float = 1271.4,
    start_year: int = 2021,
    end_year: int = 2026,
    claimed_cagr: float = 0.523,
) -> Check:
    """IDC's China intelligent-computing 155.2 EFLOPS (2021) -> 1,271.4 EFLOPS (2026), 52.3% CAGR."""
    if end_year <= start_year:
        raise InputError("end_year must come after start_year")
    years = end_year - start_year
    rate = float(S.cagr(start_eflops, end_eflops, years))
    figures = {
        "cagr": rate,
        "growth_factor": end_eflops / start_eflops,
        "doubling_years": float(S.doubling_time(rate)),
        "years": float(years),
    }
    return Check(
        id="idc-china-cagr",
        title="China's intelligent computing grows 52.3% a year (IDC)",
        source=SOURCES["idc_2022"],
        claim=f"{start_eflops:g} EFLOPS ({start_year}) to {end_eflops:g} EFLOPS ({end_year}): CAGR {claimed_cagr:.1%}",
        headline=f"({end_eflops:g} / {start_eflops:g})^(1/{years}) - 1 = {rate:.2%} a year (doubling every {figures['doubling_years']:.2f} years)",
        figures=figures,
        assumptions=(
            f"{years} compounding years from {start_year} to {end_year}",
            "EFLOPS as IDC counts them (installed accelerator peak, not delivered training throughput); 2026 is a forecast",
        ),
        verdict=judge(abs(rate - claimed_cagr) < 0.0005, False),
        claimed_value=claimed_cagr,
        model_value=rate,
        unit="CAGR",
        test="the endpoints' CAGR within 0.05 percentage points of the stated rate",
        explanation=(
            f"The stated endpoints give {rate:.2%} a year, the report's {claimed_cagr:.1%}; the check is arithmetic and "
            "says nothing about whether installed peak FLOPS measure usable compute."
        ),
    )


CHECKS: dict[str, Callable[..., Check]] = {
    "gpt3-compute": gpt3_compute,
    "gpt3-cost-lambda": gpt3_cost_lambda,
    "gpt3-cost-1.4m": gpt3_cost_1p4m,
    "press-500b-15tb": large_model_500b,
    "chatgpt-electricity": chatgpt_electricity,
    "gtc2024-blackwell": gtc2024_blackwell,
    "compute-doubling": compute_doubling,
    "idc-china-cagr": idc_china_cagr,
}
"""Every check by id, in the notebook's order."""


def all_checks(catalog=None) -> list[Check]:
    """Run every check with its defaults."""
    import inspect

    return [
        fn(**({"catalog": catalog} if "catalog" in inspect.signature(fn).parameters else {})) for fn in CHECKS.values()
    ]


def table(checks: list[Check] | None = None) -> list[dict[str, str]]:
    """One row per check: claim, as stated, the model's number, verdict, source."""
    if checks is None:
        checks = all_checks()
    if isinstance(checks, (str, bytes)) or not isinstance(checks, (list, tuple)):
        raise InputError(f"checks must be a list of claim checks (claims.all_checks()), got {shown(checks)}")
    return [instance(f"checks[{i}]", c, Check, "a claim check (a Check)").as_row() for i, c in enumerate(checks)]


def ledger(catalog=None) -> list[dict[str, Any]]:
    """Every seed claim recomputed now: the claim, the model's number, the verdict, the test that gave it,
    the inputs and assumptions that make it hold, and the source (what ``suanli claims`` prints)."""
    import datetime
    import inspect

    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    rows = []
    for cid, fn in CHECKS.items():
        params = inspect.signature(fn).parameters
        c = fn(**({"catalog": catalog} if "catalog" in params else {}))
        inputs = {
            k: p.default for k, p in params.items() if k != "catalog" and p.default is not inspect.Parameter.empty
        }
        rows.append(
            {
                "id": cid,
                "title": c.title,
                "claim": c.claim,
                "claimed_value": c.claimed_value,
                "model_value": c.model_value,
                "unit": c.unit,
                "model": c.headline,
                "verdict": c.verdict,
                "test": c.test,
                "inputs": inputs,
                "assumptions": list(c.assumptions),
                "explanation": c.explanation,
                "source": c.source.as_dict(),
                "computed_at": now,
            }
        )
    return rows
