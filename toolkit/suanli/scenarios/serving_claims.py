"""The seed's ChatGPT serving figures, checked with the serving model (a claim row of its own).

Guosheng Securities (2023) sized ChatGPT's fleet from its January 2023 traffic: 13 million unique
visitors a day need 30,000+ A100 (~4,000 DGX A100 servers) and about $50,000 a day of electricity.
:mod:`suanli.scenarios.claims` checks the electricity arithmetic (servers x rated kW x 24 h x price);
:func:`chatgpt_serving` asks the serving question instead: how many A100 does a GPT-3-class model need
for that many visitors at a chat-like latency, and how much traffic per visitor would 30,000 A100 serve?
The traffic per visitor, the answer length and the model behind ChatGPT are not in the claim: they are
this check's assumptions, named in its result.
"""

from __future__ import annotations

from suanli.spec import Source
from suanli.validate import positive, require_positive

GUOSHENG_2023 = Source(
    "Guosheng Securities (国盛证券), 《ChatGPT需要多少算力》, as reported by IT之家 2023-02-19: 以ChatGPT在2023年1月的"
    "独立访客平均数1300万计算，其对应芯片需求为3万多片英伟达A100 GPU ... 每日电费在5万美元左右",
    url="http://haxililiang.com/toutiao/kuaixun/35412.html",
    date="2023-02",
    confidence="press",
    note="13 million daily unique visitors -> 30,000+ A100 (~4,000 DGX A100), ~$50,000 of electricity a day at $0.08/kWh",
)

CLAIMED_A100 = 30_000
CLAIMED_USD_PER_DAY = 50_000.0
PLAUSIBLE_QUERIES_PER_VISITOR = (1.0, 50.0)
"""The span of answers per visitor per day that this check calls plausible for a chat service in early 2023."""


def chatgpt_serving(
    visitors_per_day: float = 13e6,
    queries_per_visitor: float = 10.0,
    input_len: int = 500,
    output_len: int = 300,
    tpot_ms: float = 50.0,
    model: str = "gpt3-175b",
    chip: str = "nvidia-a100-sxm4-80gb",
    precision: str = "fp16",
    price_usd_per_kwh: float = 0.08,
    catalog=None,
):
    """'30,000+ A100 and ~$50,000 a day serve ChatGPT's 13M daily visitors', recomputed with the serving model.

    Returns a :class:`suanli.scenarios.claims.Check`: the A100 the model needs for the stated visitors at the
    assumed traffic, the traffic per visitor at which 30,000 A100 would be exactly busy, and the fleet's
    electricity per day at the claim's $0.08/kWh. Verdict: ``holds under assumptions`` when that
    break-even traffic is a plausible one (:data:`PLAUSIBLE_QUERIES_PER_VISITOR`), else ``does not hold``.
    """
    for name, value in (
        ("visitors_per_day", visitors_per_day),
        ("queries_per_visitor", queries_per_visitor),
        ("input_len", input_len),
        ("output_len", output_len),
        ("tpot_ms", tpot_ms),
        ("price_usd_per_kwh", price_usd_per_kwh),
    ):
        positive(name, value)  # one number each: the claim is about one service
    from suanli.models import power as P
    from suanli.scenarios.claims import Check
    from suanli.scenarios.serving import SECONDS_PER_DAY, serve

    require_positive(visitors_per_day=visitors_per_day, queries_per_visitor=queries_per_visitor)
    tokens_per_day = visitors_per_day * queries_per_visitor * output_len
    res = serve(
        model,
        chip,
        precision=precision,
        input_len=input_len,
        output_len=output_len,
        tpot_ms=tpot_ms,
        demand_tokens_per_day=tokens_per_day,
        price_kwh=price_usd_per_kwh,
        currency="USD",
        catalog=catalog,
    )
    fleet_tokens_per_day = res.tokens_per_s_per_chip * CLAIMED_A100 * SECONDS_PER_DAY
    breakeven_queries = fleet_tokens_per_day / (visitors_per_day * output_len)
    usd_per_day = res.facility_kw * 24.0 * price_usd_per_kwh
    a100 = catalog.accelerator(chip) if catalog is not None else None
    claimed_fleet_kw = None
    if a100 is not None:
        claimed_fleet_kw = (
            float(
                P.fleet_power(
                    a100.tdp_w,
                    CLAIMED_A100,
                    a100.chips_per_server or 8,
                    pue=res.pue,
                    server_rating_w=a100.server_power_w,
                ).facility_w
            )
            / 1e3
        )
    low, high = PLAUSIBLE_QUERIES_PER_VISITOR
    verdict = "holds under assumptions" if low <= breakeven_queries <= high else "does not hold"
    figures = {
        "output_tokens_per_day": tokens_per_day,
        "a100_needed": float(res.chips_needed),
        "tokens_per_s_per_a100": res.tokens_per_s_per_chip,
        "breakeven_queries_per_visitor": breakeven_queries,
        "facility_mw": res.facility_kw / 1e3,
        "usd_per_day_electricity": usd_per_day,
        "usd_per_million_tokens": res.cost_per_million_tokens or float("nan"),
        "batch": float(res.batch),
        "replica_chips": float(res.count),
    }
    if claimed_fleet_kw is not None:
        figures["claimed_fleet_usd_per_day"] = claimed_fleet_kw * 24.0 * price_usd_per_kwh
    return Check(
        id="chatgpt-serving",
        title="ChatGPT's 13M daily visitors need 30,000+ A100 (serving model)",
        source=GUOSHENG_2023,
        claim="1300万独立访客/日 -> 3万多片 A100, 每日电费约5万美元 (13M visitors a day -> 30,000+ A100, ~$50,000 a day)",
        headline=(
            f"{visitors_per_day / 1e6:g}M visitors x {queries_per_visitor:g} answers x {output_len} tokens = "
            f"{tokens_per_day / 1e9:.1f}B tokens/day -> {res.chips_needed:,} A100 at TPOT <= {tpot_ms:g} ms "
            f"({res.tokens_per_s_per_chip:,.0f} tokens/s each); 30,000 A100 serve {breakeven_queries:.1f} answers "
            f"per visitor"
        ),
        figures=figures,
        assumptions=(
            f"the model is GPT-3-sized ({model}, {precision}); ChatGPT's size was not published",
            f"{queries_per_visitor:g} answers of {output_len} tokens per visitor per day, prompts of {input_len} tokens",
            f"a chat-like {tpot_ms:g} ms per output token, the fewest A100 per replica that meet it",
            "serving efficiencies calibrated on public TensorRT-LLM / DeepSeek measurements (suanli backtest --serving)",
        ),
        verdict=verdict,
        explanation=(
            f"At the assumed traffic the model needs {res.chips_needed:,} A100 ({res.facility_kw / 1e3:.1f} MW at "
            f"the facility, ${usd_per_day:,.0f} a day of electricity). 30,000 A100 would be fully busy at "
            f"{breakeven_queries:.1f} answers per visitor per day, "
            + (
                "a plausible chat load, so the fleet size is consistent with the traffic."
                if verdict != "does not hold"
                else f"outside {low:g}-{high:g}, so the fleet size does not follow from the stated traffic."
            )
        ),
        details={"serve": res.as_dict()},
    )
