"""``suanli compat --stack ID``: what CUDA training code costs on another software stack.

Prints the slowdown (Amdahl over op classes), the classes that lose the most, the extra chips or
days and their cost, what must be ported before the run can start, and the porting programme with
its break-even fleet size against buying more chips. Ranges in the stack data come out as
best / central / worst.

The answer itself comes from :func:`suanli.scenarios.compat.compat_for` (the catalog look-ups: stack,
chip, price, workload), which the notebook widget calls too; this module parses the flags and prints.
"""

from __future__ import annotations

import json
import math
from typing import Any

NAME = "compat"
HELP = (
    "Price running CUDA training code on another stack (HIP, DTK, MUSA, CANN, ...) and the porting that wins it back."
)


def add_arguments(parser) -> None:
    from suanli.commands.flags import amount

    parser.add_argument("--stack", required=True, help="a software stack id, e.g. rocm, hygon-dtk, huawei-cann")
    parser.add_argument(
        "--chip", help="accelerator whose price prices extra chips (default: the newest priced chip on the stack)"
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--model", help="a model preset of the estimate engine (its op-time breakdown becomes the workload)"
    )
    size.add_argument("--params", type=amount, help="model parameters, e.g. 7e9 (with the estimate engine)")
    parser.add_argument("--tokens", type=amount, help="training tokens, e.g. 2e12 (with the estimate engine)")
    parser.add_argument("--chips", type=float, help="chips in the native fleet (default: the engine's, else 1024)")
    parser.add_argument("--days", type=float, help="native training days (default: the engine's, if it ran)")
    parser.add_argument(
        "--workload",
        default="dense",
        choices=("dense", "moe"),
        help="fallback op-time profile when the engine is not used (default dense)",
    )
    parser.add_argument(
        "--share",
        action="append",
        default=[],
        metavar="CLASS=VALUE",
        help="override the share of step time of an op class, e.g. --share custom_kernels=0.1",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="CLASS.KEY=VALUE",
        help="override a stack input, e.g. --set attention.fallback=0.3 or --set stack.collective_efficiency=[0.5,0.8]",
    )
    parser.add_argument("--currency", default="USD", choices=("USD", "CNY"), help="currency of costs (default USD)")
    parser.add_argument(
        "--engineer-month-cost",
        metavar="COST or [LOW,HIGH]",
        help="fully loaded cost of one engineer-month in --currency (default: sourced estimate)",
    )
    parser.add_argument(
        "--uncertain",
        action="store_true",
        help="Monte Carlo over the stack's ranges (10,000 draws unless --samples): slowdown, extra "
        "chips and extra days get p10/p50/p90",
    )
    parser.add_argument("--samples", type=int, help="Monte Carlo draws over the ranges (adds p10/p50/p90)")
    parser.add_argument("--seed", type=int, help="random seed of the Monte Carlo draws (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON")


UNCERTAIN_SAMPLES = 10_000
"""Monte Carlo draws of ``--uncertain`` when ``--samples`` is not given."""


def _number_or_range(text: str, what: str):
    from suanli.errors import InputError

    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise InputError(f"{what} must be a number or [low, high], got {text!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        raise InputError(f"{what} must be a number or [low, high], got {text!r}")
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not _finite(item):
            raise InputError(f"{what} must be a finite number or [low, high] of them, got {text!r}")
    return value


def _finite(value: float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # a whole number beyond any float
        return False


def parse_overrides(shares: list[str], sets: list[str]) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """``--share CLASS=VALUE`` and ``--set CLASS.KEY=VALUE`` into the model's override mappings."""
    from suanli.errors import InputError

    share_over: dict[str, float] = {}
    for item in shares:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--share takes CLASS=VALUE, got {item!r}")
        parsed = _number_or_range(value, f"--share {name}")
        if isinstance(parsed, list):
            raise InputError(f"--share {name} takes one number, got {value!r}")
        share_over[name.strip()] = float(parsed)
    stack_over: dict[str, dict[str, Any]] = {}
    for item in sets:
        key, sep, value = item.partition("=")
        cls, dot, field_name = key.strip().partition(".")
        if not sep or not dot:
            raise InputError(f"--set takes CLASS.KEY=VALUE (e.g. attention.fallback=0.3), got {item!r}")
        stack_over.setdefault(cls, {})[field_name] = _number_or_range(value, f"--set {key}")
    return share_over, stack_over


def _fmt(d: dict[str, float] | None, fmt=None) -> str:
    """central (best .. worst), with the Monte Carlo P10-P90 when there is one (numbers by :mod:`suanli.present`)."""
    from suanli.present import number

    if not d:
        return "n/a"

    def f(value) -> str:
        return "never" if value is None else (fmt or number)(value)  # None: porting removes nothing, never pays back

    text = f"{f(d['central'])}  (best {f(d['best'])} .. worst {f(d['worst'])})"
    if "p10" in d:
        text += f"  P10-P90 {f(d['p10'])} .. {f(d['p90'])}"
    return text


def run(args) -> int:
    from suanli.commands.output import print_fields, print_json, print_table
    from suanli.errors import InputError
    from suanli.scenarios.compat import add_slowdown_percentiles, compat_for

    samples = args.samples if args.samples is not None else (UNCERTAIN_SAMPLES if args.uncertain else 0)
    if samples < (1 if args.uncertain or args.samples is not None else 0):
        raise InputError(f"--samples must be >= 1 (leave it out for no Monte Carlo), got {samples}")
    seed = args.seed or 0
    shares, sets = parse_overrides(args.share, args.set)
    cost = _number_or_range(args.engineer_month_cost, "--engineer-month-cost") if args.engineer_month_cost else None
    out = compat_for(
        args.stack,
        chip_id=args.chip,
        model=args.model,
        params=args.params,
        tokens=args.tokens,
        chips=args.chips,
        days=args.days,
        workload=args.workload,
        share_overrides=shares,
        stack_overrides=sets,
        currency=args.currency,
        engineer_month_cost=cost,
        samples=samples,
        seed=seed,
    )
    if samples:
        add_slowdown_percentiles(out)
    if args.uncertain:
        from suanli.catalog import load_catalog
        from suanli.scenarios.uncertainty import compat_tornado

        out["slowdown_tornado"] = compat_tornado(load_catalog().stack(args.stack), out["op_shares"], overrides=sets)
    if args.json:
        print_json(out)
        return 0
    from functools import partial

    from suanli.present import count, days, money

    cur = out["currency"]
    cash = partial(money, currency=cur)
    be = out["porting_break_even"]
    fields = {
        "stack": f"{out['stack']} ({out['stack_kind']}, maturity {out['maturity']})",
        "chip": out["chip"] or "none",
        "workload": out["workload_source"],
        "slowdown": _fmt(out["slowdown"], "{:.3f}".format),
        "dominant classes": ", ".join(out["dominant"]) or "none",
        "feasible as is": "yes" if out["feasible_as_is"] else "no: port the classes below first",
        "chips (native)": count(out["chips"]),
        "native days": days(out["days"])
        if out.get("days")
        else "not known (give --days, or --model/--params with --tokens)",
        "extra_chips": _fmt(out["extra_chips"], count),
        "extra_days": _fmt(out["extra_days"], days)
        + (f", on top of the native {days(out['days'])}" if out.get("days") else ""),
        "extra_cost": _fmt(out["extra_cost"].get("total"), cash),
        "mandatory porting": _fmt(out["extra_cost"]["mandatory_porting"], cash),
        "porting_break_even (chips)": _fmt(be.get("break_even_chips"), count),
        "porting programme": _fmt(be.get(f"cost_{cur.lower()}"), cash),
        "slowdown after porting": _fmt(be["slowdown_after"], "{:.3f}".format),
    }
    print_fields(fields)
    print()
    print_table(
        [
            {
                "op_class": r["op_class"],
                "share": round(r["share"], 3),
                "time_factor": round(r["time_factor"]["central"], 3),
                "loss": round(r["loss"]["central"], 4),
                "loss_best": round(r["loss"]["best"], 4),
                "loss_worst": round(r["loss"]["worst"], 4),
            }
            for r in out["losses"]
        ],
        ["op_class", "share", "time_factor", "loss", "loss_best", "loss_worst"],
    )
    if out["porting_required"]:
        print("\nmust be ported before the run (unsupported code):")
        print_table(
            [
                {
                    "op_class": r["op_class"],
                    "unsupported": round(r["unsupported_share"]["central"], 2),
                    "engineer_months": round(r["engineer_months"]["central"], 1),
                    f"cost_{cur.lower()}": round(r[f"cost_{cur.lower()}"]["central"]),
                }
                for r in out["porting_required"]
            ],
            ["op_class", "unsupported", "engineer_months", f"cost_{cur.lower()}"],
        )
    if out["porting_programme"]:
        print("\nporting programme (best value first):")
        print_table(
            [
                {
                    "op_class": r["op_class"],
                    "engineer_months": round(r["engineer_months"]["central"], 1),
                    f"cost_{cur.lower()}": round(r[f"cost_{cur.lower()}"]["central"]),
                    "slowdown_removed": round(r["slowdown_removed"]["central"], 4),
                    "break_even_chips": round(r["break_even_chips"]["central"])
                    if r.get("break_even_chips", {}).get("central") is not None
                    else None,
                }
                for r in out["porting_programme"]
            ],
            ["op_class", "engineer_months", f"cost_{cur.lower()}", "slowdown_removed", "break_even_chips"],
        )
    if out.get("slowdown_tornado"):
        print(
            "\nwhat drives the slowdown (each input from its P10 to its P90 within its range, the others at their middles):"
        )
        print_table(
            [
                {
                    "input": r["input"],
                    "input_low": r["input_low"],
                    "input_high": r["input_high"],
                    "slowdown_low": round(r["output_low"], 4),
                    "slowdown_high": round(r["output_high"], 4),
                    "swing": round(r["swing"], 4),
                }
                for r in out["slowdown_tornado"][:8]
            ],
            ["input", "input_low", "input_high", "slowdown_low", "slowdown_high", "swing"],
        )
    for note in out["assumptions"]:
        print(f"note: {note}")
    return 0
