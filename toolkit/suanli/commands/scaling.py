"""``suanli scaling``: the compute-optimal model a budget buys, or the budget a target loss needs.

suanli scaling --compute 5.76e23 [--law besiroglu|chinchilla|kaplan] [--json]
suanli scaling --chip nvidia-h100-sxm5-80gb --count 1024 --days 30 [--mfu 0.4] [--json]
suanli scaling --target-loss 2.0 [--law besiroglu] [--json]
"""

from __future__ import annotations

NAME = "scaling"
HELP = "Compute-optimal model size and tokens for a FLOP budget, a cluster (chips x days x MFU) or a target loss."

FIELDS = ("law", "compute_flops", "pf_days", "n_opt", "d_opt", "tokens_per_param", "loss")


def add_arguments(parser) -> None:
    parser.add_argument("--compute", type=float, help="training budget in FLOPs, e.g. 5.76e23")
    parser.add_argument("--chip", help="accelerator id (budget = count x peak bf16 x MFU x days x 86400)")
    parser.add_argument("--count", type=int, help="number of accelerators (with --chip)")
    parser.add_argument("--days", type=float, help="days of training (with --chip)")
    parser.add_argument(
        "--mfu", type=float, help="model FLOPs utilisation, 0-1 (with --chip; default 0.40, an estimate)"
    )
    parser.add_argument("--target-loss", type=float, help="the budget a compute-optimal model needs to reach this loss")
    from suanli.models.scaling import DEFAULT_LAW, LAW_DESCRIPTIONS

    laws = "; ".join(f"{name}: {text}" for name, text in LAW_DESCRIPTIONS.items())
    parser.add_argument("--law", default=DEFAULT_LAW, help=f"scaling law. {laws}")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _budget(args, scaling) -> tuple[float, dict]:
    """The FLOP budget the arguments describe, and what to report about how it was made."""
    from suanli.errors import InputError
    from suanli.validate import require_positive

    modes = [
        m
        for m, given in (
            ("--compute", args.compute is not None),
            ("--chip", args.chip is not None),
            ("--target-loss", args.target_loss is not None),
        )
        if given
    ]
    if len(modes) != 1:
        raise InputError("give exactly one of --compute FLOPS, --chip ID --count N --days D, or --target-loss L")
    if args.chip is None and any(v is not None for v in (args.count, args.days, args.mfu)):
        raise InputError("--count, --days and --mfu go with --chip")
    if args.compute is not None:
        require_positive(compute=args.compute)
        return args.compute, {}
    if args.target_loss is not None:
        return float(scaling.compute_for_loss(args.target_loss, args.law)), {"target_loss": args.target_loss}
    if args.count is None or args.days is None:
        raise InputError("--chip needs --count N and --days D")
    from suanli.catalog import load_catalog

    chip = load_catalog().accelerator(args.chip)
    peak = chip.peak_flops("bf16")
    precision = chip.peak_field("bf16").split("_")[0]  # fp16 on a chip that publishes no bf16 peak
    mfu = scaling.DEFAULT_MFU if args.mfu is None else args.mfu
    compute = float(scaling.cluster_compute(args.count, peak, args.days, mfu))
    extra = {
        "chip": chip.id,
        "count": args.count,
        "days": args.days,
        "mfu": mfu,
        "mfu_source": "given" if args.mfu is not None else scaling.SOURCES["default_mfu"].note,
        "peak_flops_per_s": peak,
        "peak_precision": precision,
    }
    return compute, extra


def run(args) -> int:
    from suanli.commands.output import print_fields, print_json
    from suanli.models import scaling

    law = scaling.get_law(args.law)
    compute, extra = _budget(args, scaling)
    result = scaling.compute_optimal(compute, law).as_dict()
    if result["n_opt"] < 1 or result["d_opt"] < 1:  # not even one parameter or one token
        from suanli.errors import InputError

        raise InputError(
            f"a budget of {compute:.3g} FLOP is too small for any model: the compute-optimal model "
            f"would have {result['n_opt']:.2g} parameters and {result['d_opt']:.2g} tokens"
        )
    result.update(extra)
    result["law_source"] = law.source.citation
    if args.json:
        print_json(result)
        return 0
    if "chip" in extra:
        print(
            f"{extra['count']:g} x {extra['chip']} for {extra['days']:g} days at MFU {extra['mfu']:.3g} "
            f"({extra['peak_flops_per_s'] / 1e12:g} TFLOP/s {extra['peak_precision']} peak each)"
        )
    print_fields({k: result[k] for k in FIELDS})
    if law.name == "kaplan":
        print(
            "note: Kaplan's N is non-embedding parameters and its loss is on WebText2, not comparable with chinchilla/besiroglu"
        )
    print(f"law: {law.source.citation}")
    return 0
