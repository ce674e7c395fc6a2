"""``suanli serve``: serve a model on a chip: replica, batch, TTFT/TPOT, tokens/s, chips for a demand, power and cost.

    suanli serve --model llama3-70b --chip nvidia-h100-sxm5-80gb --precision fp8 --tpot-ms 50 --demand-tokens-per-day 1e10
    suanli serve --model deepseek-v3 --chip all --precision fp8 --tpot-ms 50 --demand-tokens-per-day 1e10
    suanli serve --model llama3-70b --reference nvidia-h100-sxm5-80gb:1000 --candidates huawei-ascend-910b,nvidia-h20 --tpot-ms 50

``--count`` is the chips of one replica (default: the fewest that fit and meet the targets); ``--batch``
fixes the concurrent requests (default: the largest batch that meets ``--ttft-ms`` and ``--tpot-ms``,
or the largest that fits). The demand counts generated (output) tokens; with no demand
the output is the capacity of one replica.
"""

from __future__ import annotations

NAME = "serve"
HELP = (
    "Serve a model on a chip (or every chip, or replace a reference fleet): TTFT, TPOT, tokens/s per chip, "
    "chips for a demand, facility kW, kWh and cost per million tokens."
)

FIELDS = (
    "count",
    "batch",
    "max_batch",
    "ttft_ms",
    "tpot_ms",
    "bound",
    "tokens_per_s_per_chip",
    "tokens_per_s_per_server",
    "memory_gb_per_device",
    "chips_needed",
    "replicas",
    "servers_needed",
    "utilization",
    "facility_kw",
    "energy_kwh_per_million_tokens",
    "electricity_per_million_tokens",
    "hardware_per_million_tokens",
    "cost_per_million_tokens",
)
COMPARE_COLUMNS = (
    "chip",
    "count",
    "batch",
    "tpot_ms",
    "ttft_ms",
    "tokens_per_s_per_chip",
    "chips_needed",
    "facility_kw",
    "energy_kwh_per_million_tokens",
    "cost_per_million_tokens",
)
REPLACE_COLUMNS = (
    "chip",
    "role",
    "chips_needed",
    "per_reference_chip",
    "tokens_per_s_per_chip",
    "tpot_ms",
    "ttft_ms",
    "count",
    "batch",
)


def add_arguments(parser) -> None:
    parser.add_argument("--model", required=True, help="a model preset, e.g. llama3-70b, deepseek-v3, qwen3-235b-a22b")
    parser.add_argument("--chip", help="an accelerator id, or 'all' for every chip in the catalog side by side")
    parser.add_argument(
        "--count", type=int, help="chips of one replica (default: the fewest that fit and meet the targets)"
    )
    parser.add_argument(
        "--batch",
        type=int,
        help="concurrent requests per replica (default: the largest that meets the targets, or that fits)",
    )
    demand = parser.add_mutually_exclusive_group()
    demand.add_argument(
        "--demand-tokens-per-day",
        dest="demand_tokens_per_day",
        type=float,
        help="generated (output) tokens per day to serve, e.g. 1e10",
    )
    demand.add_argument("--qps", type=float, help="requests per second to serve")
    parser.add_argument(
        "--input-len", dest="input_len", type=int, default=1000, help="prompt tokens per request (default 1000)"
    )
    parser.add_argument(
        "--output-len", dest="output_len", type=int, default=200, help="generated tokens per request (default 200)"
    )
    parser.add_argument("--ttft-ms", dest="ttft_ms", type=float, help="time-to-first-token target in ms")
    parser.add_argument("--tpot-ms", dest="tpot_ms", type=float, help="time-per-output-token target in ms")
    parser.add_argument(
        "--precision", default="bf16", help="bf16, fp16, fp8 (W8A8), int8 or int4 (weight-only) (default bf16)"
    )
    parser.add_argument(
        "--kv-precision",
        dest="kv_precision",
        help="KV-cache format: bf16, fp16, fp8 or int8 (default: fp8 with --precision fp8, else bf16)",
    )
    parser.add_argument(
        "--disaggregated", action="store_true", help="prompts on separate chips (prefill/decode disaggregation)"
    )
    parser.add_argument(
        "--reference",
        metavar="CHIP:COUNT",
        help="a fleet to replace, e.g. nvidia-h100-sxm5-80gb:1000 (with --candidates)",
    )
    parser.add_argument(
        "--candidates", metavar="ID[,ID...]", help="chips that would replace --reference at the same targets"
    )
    g = parser.add_argument_group("site and money")
    g.add_argument("--site", help="a site id (its PUE and electricity price), e.g. cn-gansu-qingyang")
    g.add_argument(
        "--price-kwh", dest="price_kwh", type=float, help="electricity price per kWh in --currency (default $0.08, EIA)"
    )
    g.add_argument("--pue", type=float, help="power usage effectiveness (default: the site's, else 1.57)")
    g.add_argument(
        "--currency",
        type=str.upper,
        choices=("USD", "CNY"),
        help="currency of the costs (default: the site's, else USD)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def _options(args) -> dict:
    return {
        k: getattr(args, k)
        for k in (
            "count",
            "batch",
            "precision",
            "kv_precision",
            "input_len",
            "output_len",
            "ttft_ms",
            "tpot_ms",
            "demand_tokens_per_day",
            "qps",
            "site",
            "price_kwh",
            "pue",
            "currency",
            "disaggregated",
        )
    }


def run(args) -> int:
    from suanli.commands.output import print_fields, print_json, print_table
    from suanli.errors import InputError
    from suanli.scenarios import serving as SV

    opts = _options(args)
    if args.reference or args.candidates:
        if not (args.reference and args.candidates):
            raise InputError(
                "--reference and --candidates go together, e.g. --reference nvidia-h100-sxm5-80gb:1000 "
                "--candidates huawei-ascend-910b,nvidia-h20"
            )
        cands = [c.strip() for c in args.candidates.split(",") if c.strip()]
        if not cands:
            raise InputError("--candidates needs at least one accelerator id")
        for k in ("count", "demand_tokens_per_day", "qps"):
            opts.pop(k)
        rows = SV.replace(args.model, args.reference, cands, **opts)
        if args.json:
            print_json({"model": args.model, "reference": args.reference, "rows": rows})
            return 0
        print(f"{args.model}: chips that serve what {args.reference} serves, at the same targets")
        print_table(rows, REPLACE_COLUMNS + ("error",))
        return 0
    if not args.chip:
        raise InputError("give --chip ID (or --chip all), or --reference CHIP:N with --candidates")
    if args.chip == "all":
        opts.pop("count")
        rows = SV.compare(args.model, **opts)
        if not any(r["error"] is None for r in rows):
            raise InputError(
                f"no chip in the catalog can serve {args.model} with these inputs; first reason: {rows[0]['error']}"
            )
        if args.json:
            print_json({"model": args.model, "rows": rows})
            return 0
        print_table([r for r in rows if r["error"] is None], COMPARE_COLUMNS)
        skipped = [r for r in rows if r["error"] is not None]
        if skipped:
            print(
                f"\n{len(skipped)} chips cannot serve it: "
                + "; ".join(f"{r['chip']}: {r['error']}" for r in skipped[:5])
                + (" ..." if len(skipped) > 5 else "")
            )
        return 0
    res = SV.serve(args.model, args.chip, **opts)
    if args.json:
        print_json(res.as_dict())
        return 0
    print(res.explain())
    print()
    shown = {k: getattr(res, k) for k in FIELDS}
    for k in ("electricity_per_million_tokens", "hardware_per_million_tokens", "cost_per_million_tokens"):
        shown[f"{k} ({res.currency})"] = shown.pop(k)
    print_fields(shown)
    return 0


def run_backtest(args) -> int:
    """``suanli backtest --serving``: the serving model against the bundled public serving measurements."""
    from suanli.commands.output import print_fields, print_json, print_table
    from suanli.scenarios.serving_backtest import run as run_serving_backtest

    res = run_serving_backtest(leave_one_out=args.loo)
    if args.json:
        print_json(res.as_dict())
        return 0
    print_table(res.rows, ("id", "metric", "reported", "predicted", "error") + (("loo_error",) if args.loo else ()))
    print()
    print_table(
        [{"group": k, **v} for k, v in res.groups.items()],
        ("group", "rows", "median_abs_error", "worst_abs_error") + (("loo_median_abs_error",) if args.loo else ()),
    )
    print()
    print_fields(res.summary())
    return 0
