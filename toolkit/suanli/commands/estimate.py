"""``suanli estimate``: how long, on how many chips of which kind (the training-time engine)."""

from __future__ import annotations

NAME = "estimate"
HELP = "Training time, MFU, accelerator-hours and memory of a model on N chips; layout flags left out are searched."


def add_arguments(parser) -> None:
    from suanli.commands.flags import amount

    model = parser.add_argument_group("model")
    model.add_argument(
        "--model", help="a preset: gpt3-175b, llama2-70b, llama3-405b, deepseek-v3, megatron-1t, mixtral-8x7b, ..."
    )
    model.add_argument("--params", type=amount, help="parameter count (e.g. 70B); the shape follows a documented rule")
    model.add_argument("--active-params", type=amount, help="active parameters per token (MoE)")
    for flag, text in SHAPE_HELP.items():
        model.add_argument(f"--{flag}", type=int, help=text)
    model.add_argument("--seq", type=int, help="sequence length (tokens)")
    parser.add_argument("--tokens", type=amount, help="training tokens (e.g. 300e9 or 2T)")
    parser.add_argument("--chip", help="an accelerator id, e.g. nvidia-h100-sxm5-80gb")
    parser.add_argument("--count", type=int, help="number of accelerators")
    parser.add_argument(
        "--precision",
        default="bf16",
        choices=("bf16", "fp16", "fp8", "int8"),
        help="training precision (default bf16; fp8/int8: 8-bit GEMMs, the rest in BF16)",
    )
    parser.add_argument(
        "--global-batch",
        type=int,
        help="global batch in sequences, honoured exactly (default: the preset's published batch, "
        "else the compute-optimal batch bounded by the critical batch; the output names it and the rule)",
    )
    parser.add_argument(
        "--framework",
        help="training software profile: default (a current production stack), "
        "megatron-lm, nemo, deepspeed, gpt-neox, llm-foundry, nanotron, maxtext, mindspeed, megascale, "
        "or one a plugin adds",
    )
    lay = parser.add_argument_group("layout (searched when left out)", LAYOUT_TEXT)
    for flag, text in LAYOUT_HELP.items():
        lay.add_argument(f"--{flag}", type=int, help=text)
    lay.add_argument(
        "--recompute",
        choices=("none", "selective", "full"),
        help="activation recomputation: none, selective (the attention core; Korthikanti et al. 2022) or "
        "full (every layer); with fused (Flash) attention, none and selective are the same",
    )
    import argparse

    lay.add_argument(
        "--sequence-parallel",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fix sequence parallelism on (or off with --no-sequence-parallel)",
    )
    lay.add_argument("--uneven-pipeline", action="store_true", help="allow a --pp that does not divide the layers")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_run_arguments(parser)
    from suanli.commands.flags import add_site_arguments, add_uncertain_arguments

    add_uncertain_arguments(parser)
    add_site_arguments(parser)
    from suanli.scenarios.training import DEFAULT_SCENARIO

    parser.epilog = (
        "With no model, tokens, chip or count at all, it estimates the embedded default: "
        + ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in DEFAULT_SCENARIO.items())
        + " (Brown et al. 2020; Narayanan et al. 2021 projected 34 days on 1,024 A100s from a measured 140 TFLOP/s "
        "per GPU: an extrapolation, not a recorded run)."
    )


def add_run_arguments(parser) -> None:
    """``--run-kind``, ``--goodput``, ``--stack-maturity``: the run level (:mod:`suanli.scenarios.runlevel`)."""
    g = parser.add_argument_group("run level")
    g.add_argument(
        "--run-kind",
        choices=("benchmark", "production"),
        help="production (default): a whole run with failures, checkpoints, evaluation, stalls and ramp-up, "
        "each shown; benchmark: steady-state steps only (MLPerf timed region, throughput tables)",
    )
    g.add_argument(
        "--goodput",
        type=float,
        help="observed share of allocated time that trained (e.g. 0.8 for '10 hours allocated, 8 used'); "
        "replaces the itemised run-level total",
    )
    g.add_argument(
        "--stack-maturity",
        choices=("mature", "new", "early"),
        help="interruption-rate class of the software stack (default: from the chip's stack; CUDA and XLA "
        "are mature, other stacks new)",
    )


def run_kwargs(args) -> dict:
    """The run-level flags as :func:`suanli.scenarios.training.estimate` keywords."""
    return {
        "run_kind": getattr(args, "run_kind", None),
        "goodput": getattr(args, "goodput", None),
        "stack_maturity": getattr(args, "stack_maturity", None),
    }


SHAPE_HELP = {
    "layers": "transformer layers (overrides the preset's)",
    "hidden": "hidden size d_model",
    "heads": "attention heads",
    "kv-heads": "key/value heads (grouped-query attention; = heads for multi-head)",
    "ffn": "feed-forward width",
    "vocab": "vocabulary size",
}
LAYOUT_HELP = {
    "tp": "tensor-parallel degree (inside a scale-up domain)",
    "pp": "pipeline-parallel stages",
    "dp": "data-parallel replicas",
    "ep": "expert-parallel degree (MoE)",
    "cp": "context-parallel degree (the sequence split over devices; 1 = off)",
    "micro-batch": "sequences per micro-batch",
    "interleave": "virtual pipeline stages per device (interleaved 1F1B; shown as vN in the layout)",
    "zero": "ZeRO stage 0-3 (how optimizer state, gradients and weights are sharded over DP)",
}
LAYOUT_TEXT = (
    "The layout line reads TP x (CP x) PP x DP (x EP), micro-batch, recompute, ZeRO stage, SP = sequence parallelism, "
    "vN = N interleaved virtual pipeline stages per device (Narayanan et al. 2021, Sec 2.2)."
)


def _scenario(args) -> bool:
    """Fill the embedded default when nothing was asked; insist on all three otherwise. True if default."""
    from suanli.scenarios.training import DEFAULT_SCENARIO

    asked = [args.model, args.params, args.tokens, args.chip, args.count]
    if all(v is None for v in asked):
        for key, value in DEFAULT_SCENARIO.items():
            setattr(args, key, value)
        return True
    if args.model is not None and args.params is not None:
        from suanli.errors import InputError

        raise InputError("give --model or --params, not both: a preset fixes the parameter count")
    missing = [f"--{k}" for k in ("tokens", "chip", "count") if getattr(args, k) is None]
    if missing:
        from suanli.errors import InputError

        raise InputError(f"give {', '.join(missing)} too (or no scenario flags at all, for the embedded default)")
    return False


def run(args) -> int:
    import sys

    from suanli.commands.output import print_fields, print_json, print_table
    from suanli.scenarios.power import for_estimate, wants_energy
    from suanli.scenarios.training import estimate

    if _scenario(args) and not args.json:
        print("No scenario given: estimating the embedded default (see `suanli estimate --help`).", file=sys.stderr)

    from suanli.commands.flags import uncertain_options

    mc = uncertain_options(args)
    if mc is not None:
        return _run_uncertain(args, *mc)
    est = estimate(
        args.model,
        tokens=args.tokens,
        chip=args.chip,
        count=args.count,
        precision=args.precision,
        **_engine_kwargs(args),
    )
    money = for_estimate(args, est, utilization=args.utilization) if wants_energy(args) else {}
    if args.json:
        print_json({**est.as_dict(), **money})
        return 0
    from suanli.present import scaled

    print_fields({**est.summary(), **({"tokens": scaled(est.tokens)} if "tokens" in est.summary() else {})})
    d = est.details
    print(
        f"global batch: {d['global_batch_sequences']:,} sequences ({scaled(d['global_batch_tokens'])} tokens); "
        f"rule: {d['global_batch_rule']}"
    )
    if money:
        keys = (
            "energy_mwh",
            "electricity_cost",
            "hardware_cost",
            "hardware_cost_basis",
            "total_cost",
            "co2_t",
            "site",
            "pue",
        )
        print()
        print_fields({k: money[k] for k in keys if money.get(k) is not None}, currency=money.get("currency"))
    total = est.step_time_s or 1.0
    if est.run:
        from suanli.scenarios.runlevel import text_lines

        print()
        print("\n".join(text_lines(est.run)))
    print("\nstep-time breakdown (s per step):")
    print_table(
        [{"part": k, "seconds": v, "share": v / total} for k, v in est.breakdown.items() if k != "failure_fraction"],
        ("part", "seconds", "share"),
    )
    if est.runners_up:
        print("\nrunners-up:")
        print_table(
            est.runners_up,
            (
                "tp",
                "pp",
                "dp",
                "ep",
                "micro_batch",
                "recompute",
                "zero",
                "interleave",
                "step_time_s",
                "memory_gb_per_device",
            ),
        )
    for w in est.warnings:
        print(f"warning: {w}")
    for note in layout_notes(args, est):
        print(f"note: {note}")
    return 0


def layout_notes(args, est) -> list[str]:
    """What a reader of the layout needs to know: what vN means, and why --recompute none and
    selective give the same numbers when attention is fused (FlashAttention recomputes its core anyway)."""
    from suanli.models import defaults as D

    notes = []
    layout = est.summary().get("layout", "")
    if " v" in layout:
        notes.append(
            "vN in the layout: N interleaved virtual pipeline stages per device (Narayanan et al. 2021, Sec 2.2)"
        )
    if getattr(args, "recompute", None) in ("none", "selective") and D.FLASH_ATTENTION.value:
        notes.append(
            "--recompute none and selective give the same numbers here: fused (Flash) attention recomputes the "
            "attention core in its backward pass anyway (Dao et al. 2022), which is what selective recomputation saves"
        )
    return notes


def _engine_kwargs(args) -> dict:
    """The model shape and layout flags, as :func:`suanli.scenarios.training.estimate` keywords."""
    return dict(
        params=args.params,
        active_params=args.active_params,
        layers=args.layers,
        hidden=args.hidden,
        heads=args.heads,
        kv_heads=args.kv_heads,
        ffn=args.ffn,
        vocab=args.vocab,
        seq=args.seq,
        global_batch=args.global_batch,
        tp=args.tp,
        pp=args.pp,
        dp=args.dp,
        ep=args.ep,
        micro_batch=args.micro_batch,
        recompute=args.recompute,
        zero=args.zero,
        sequence_parallel=args.sequence_parallel,
        interleave=args.interleave,
        uneven_pipeline=args.uneven_pipeline,
        framework=getattr(args, "framework", None),
        cp=getattr(args, "cp", None),
        **run_kwargs(args),
    )


def _run_uncertain(args, samples: int, seed: int) -> int:
    """``--uncertain``: the layout at central values, then ``samples`` draws of the inputs on it."""
    from suanli.commands.output import print_json
    from suanli.scenarios.power import OPTION_NAMES, wants_energy
    from suanli.scenarios.uncertainty import uncertain_estimate

    options = {k: getattr(args, k, None) for k in (*OPTION_NAMES, "utilization")}
    options = {k: v for k, v in options.items() if v is not None}
    res = uncertain_estimate(
        args.model,
        tokens=args.tokens,
        chip=args.chip,
        count=args.count,
        precision=args.precision,
        samples=samples,
        seed=seed,
        options=options if wants_energy(options) else None,
        **_engine_kwargs(args),
    )
    if args.json:
        print_json(res.as_dict())
        return 0
    est = res.estimate
    print(f"{est.model} on {est.count} x {est.chip}, {est.tokens:.3g} tokens; layout {est.summary()['layout']}")
    print(f"{samples:,} samples (seed {seed}); central value, then the P10-P90 range and the median\n")
    print_ranges(res)
    for w in est.warnings:
        print(f"warning: {w}")
    return 0


def print_ranges(res) -> None:
    """The ranged outputs (central, P10-P90, P50), then the inputs that drive the spread most."""
    from functools import partial

    from suanli.commands.output import print_fields, print_table
    from suanli.present import is_money_key, money
    from suanli.scenarios.uncertainty import range_text

    summary, point = res.summary(), res.point()
    currency = (getattr(res, "report", None) or getattr(res, "cost", None) or {}).get("currency")
    print_fields(
        {
            k: range_text(
                point[k], summary[k], partial(money, currency=currency) if currency and is_money_key(k) else None
            )
            for k in point
            if k in summary
        }
    )
    for output, rows in res.tornado.items():
        rows = [r for r in rows if r["swing"] > 0]
        if not rows:
            continue
        print(f"\nwhat drives {output} (each input from its P10 to its P90, the others at their medians):")
        units = {k: i.unit for k, i in res.inputs.items()}
        print_table(
            [
                {
                    "input": r["input"],
                    "input_p10": r["input_low"],
                    "input_p90": r["input_high"],
                    "unit": units.get(r["input"], ""),
                    f"{output}_low": r["output_low"],
                    f"{output}_high": r["output_high"],
                    "swing": r["swing"],
                }
                for r in rows[:8]
            ],
            ("input", "input_p10", "input_p90", "unit", f"{output}_low", f"{output}_high", "swing"),
        )
