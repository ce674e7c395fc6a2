"""``suanli claims``: the seed press claims, each recomputed now from the live models.

    suanli claims [--id ID] [--json]

Every run recomputes every claim (GPT-3's compute and cost, the $1.4M cloud figure, the 500B/15 TB
claim, ChatGPT's electricity, GTC 2024's Hopper/Blackwell power, compute growth, IDC's CAGR) through
the scaling, power, cost and training-time models, and derives the verdict from the numbers it got:
a claim's verdict moves when the model does.
"""

from __future__ import annotations

NAME = "claims"
HELP = (
    "Seed press claims (GPT-3 compute and cost, ChatGPT's electricity, GTC 2024 power, growth rates) "
    "recomputed from the live models, with the model's number, the inputs that make each hold and a verdict."
)


def add_arguments(parser) -> None:
    parser.add_argument("--id", help="only this claim (e.g. gpt3-compute); `suanli claims` lists the ids")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int:
    from suanli.commands.output import format_number, print_json
    from suanli.errors import InputError
    from suanli.scenarios import claims as PC

    if args.id is not None and args.id not in PC.CHECKS:
        raise InputError(f"unknown claim {args.id!r}; use one of {', '.join(PC.CHECKS)}")
    rows = PC.ledger()
    if args.id is not None:
        rows = [r for r in rows if r["id"] == args.id]
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        claimed = "" if r["claimed_value"] is None else format_number(r["claimed_value"])
        model = "n/a" if r["model_value"] is None else format_number(r["model_value"])
        print(f"{r['id']}: {r['title']}")
        print(f"  claimed {claimed}  model {model}  ({r['unit']})  ->  {r['verdict'].upper()}")
        print(f"  test: {r['test']}")
        print(f"  model: {r['model']}")
        for a in r["assumptions"]:
            print(f"  - {a}")
        print(f"  source: {r['source']['citation']} ({r['source']['date']})")
        print()
    print(f"computed {rows[0]['computed_at'] if rows else ''} from the live models")
    return 0
