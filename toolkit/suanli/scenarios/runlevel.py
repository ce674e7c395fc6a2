"""Run level: from steady-state steps to a whole run's allocated hours (the engine's last stage).

The step-time model (:mod:`suanli.models.performance`) gives the steady-state time of the tokens; this
module adds what a production run loses on top, item by item (:mod:`suanli.models.goodput`): failures
and restarts at a rate set by the fleet size and the chip's stack maturity, checkpoints at the
Young/Daly interval, evaluation, stalls and the batch ramp-up. A benchmark adds nothing.

It is applied in ONE place, at the end of :func:`suanli.scenarios.training.estimate` and :func:`suanli.scenarios.training.evaluate`
(:func:`apply`), so the step model can change without touching it.

- ``run_kind``: ``production`` (default for whole-run questions: every published run total includes
  these losses) or ``benchmark`` (steady-state steps only: MLPerf timed regions, throughput tables).
- ``goodput``: an observed share of allocated time that trained ("10 hours allocated, 8 used" is 0.8);
  it replaces the itemised total, the items keep their proportions.
- ``stack_maturity``: ``mature`` / ``new`` / ``early``; by default from the chip's software stack.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from suanli.errors import InputError
from suanli.models import defaults as D
from suanli.models import goodput as G
from suanli.validate import (
    COUNT,
    EFFICIENCY,
    NON_NEGATIVE,
    ONE_COUNT,
    ONE_NON_NEGATIVE,
    ONE_POSITIVE,
    POSITIVE,
    TEXT,
    checked,
    mapping_with,
    optional,
)

RUN_KINDS = G.RUN_KINDS

LABELS = {
    "failures": "failures and restarts (Daly 2006 lost work + restart)",
    "checkpoints": "checkpoint writes (Young/Daly interval)",
    "evaluation": "evaluation passes",
    "stalls": "stragglers and data stalls",
    "rampup": "batch ramp-up",
    "other": "other whole-run losses (calibrated residual)",
}


@checked(
    run_kind=optional(TEXT),
    stack_maturity=optional(TEXT),
    stack_id=optional(TEXT),
    tokens=optional(ONE_POSITIVE),
    params=optional(ONE_POSITIVE),
)
def settings(
    run_kind: str | None = None,
    goodput: float | None = None,
    stack_maturity: str | None = None,
    *,
    stack_id: str | None = None,
    tokens: float | None = None,
    params: float | None = None,
) -> dict[str, Any]:
    """The run-level settings of an estimate: kind (and why), maturity (its multiplier and source), goodput override.

    With no ``run_kind``, a whole-run token budget (at least :data:`suanli.models.goodput.WHOLE_RUN_TOKENS_PER_PARAM`
    tokens per parameter) is a production run and a slice (an MLPerf timed region) a benchmark.
    """
    if run_kind is not None:
        kind, why = run_kind, "given"
    elif tokens is not None and params:
        kind = G.default_run_kind(tokens, params)
        why = (
            f"default: {tokens / params:.3g} tokens per parameter is "
            + ("a whole run" if kind == "production" else "a slice of training, not a whole run")
            + f" (threshold {G.WHOLE_RUN_TOKENS_PER_PARAM.value:g}; {G.WHOLE_RUN_TOKENS_PER_PARAM.source.citation})"
        )
    else:
        kind, why = G.DEFAULT_RUN_KIND, "default"
    if kind not in G.RUN_KINDS:
        raise InputError(f"run_kind must be one of {', '.join(G.RUN_KINDS)}, got {kind!r}")
    maturity = G.stack_maturity(stack_id) if stack_maturity is None else stack_maturity
    if maturity not in G.STACK_MATURITY:
        raise InputError(f"stack maturity must be one of {', '.join(G.STACK_MATURITY)}, got {maturity!r}")
    if goodput is not None:
        try:
            g = float(goodput)
        except (TypeError, ValueError):
            raise InputError(
                f"goodput must be a share of allocated time above 0 and at most 1, got {goodput!r}"
            ) from None
        if not 0 < g <= 1:
            raise InputError(f"goodput must be a share of allocated time above 0 and at most 1, got {goodput!r}")
        goodput = g
    return {
        "run_kind": kind,
        "run_kind_rule": why,
        "stack_maturity": maturity,
        "stack": stack_id,
        "maturity_multiplier": float(G.STACK_MATURITY[maturity].value),
        "maturity_range": tuple(float(x) for x in G.MATURITY_RANGE[maturity]),
        "goodput_override": goodput,
    }


RUN_KEYS = ("run_kind", "stack_maturity", "stack", "maturity_multiplier", "maturity_range", "goodput_override")
"""The keys of a run's settings (:func:`settings`) that :func:`apply` and :func:`summary` read."""
BLOCK_KEYS = (
    *RUN_KEYS,
    *("interruptions_per_device_hour", "mtbf_h", "allocated_accelerator_hours", "productive_accelerator_hours"),
    *("goodput", "items"),
)
"""The keys of a run-level block (:func:`summary`) that :func:`text_lines` reads."""


@checked(run_kind=TEXT, run_efficiency=optional(EFFICIENCY))
def residual_overhead(run_kind: str, run_efficiency=None):
    """The calibrated residual of a production run as an overhead ratio: 1 / RUN_EFFICIENCY - 1 (0 for a benchmark)."""
    if run_kind == "benchmark":
        return 0.0
    eff = D.RUN_EFFICIENCY.value if run_efficiency is None else run_efficiency
    return 1.0 / np.asarray(eff, dtype=float) - 1.0


@checked(
    res=mapping_with("ideal_days", "checkpoint_s", "micro_batches", "tokens_per_step"),
    run=mapping_with(*RUN_KEYS),
    count=COUNT,
    tokens=POSITIVE,
    pipeline_stages=COUNT,
    interleave=COUNT,
    failure_rate_per_device_hour=optional(NON_NEGATIVE),
    restart_s=optional(NON_NEGATIVE),
    run_efficiency=optional(EFFICIENCY),
    finite_result=False,  # an MTBF with no failures is infinite by definition
)
def apply(
    res: dict,
    run: dict[str, Any],
    *,
    count,
    tokens,
    pipeline_stages,
    interleave,
    failure_rate_per_device_hour=None,
    restart_s=None,
    run_efficiency=None,
) -> dict[str, Any]:
    """Put the run level on a step result: ``res`` must hold ``ideal_days`` (steady-state), ``checkpoint_s``,
    ``micro_batches`` and ``tokens_per_step`` (arrays broadcast). Overwrites ``train_days``,
    ``accelerator_hours``, ``goodput``, ``mtbf_s``, ``checkpoint_interval_s``, ``failure_fraction`` and adds
    ``productive_hours``; returns the itemised overheads (ratios to productive time)."""
    items = G.run_overheads(
        run["run_kind"],
        count=count,
        checkpoint_s=res["checkpoint_s"],
        micro_batches=res["micro_batches"],
        pipeline_stages=pipeline_stages,
        interleave=interleave,
        batch_tokens=res["tokens_per_step"],
        total_tokens=tokens,
        maturity_multiplier=run["maturity_multiplier"],
        base_rate_per_device_hour=failure_rate_per_device_hour,
        restart_s=restart_s,
        other_overhead=residual_overhead(run["run_kind"], run_efficiency),
    )
    if run.get("goodput_override") is not None:
        items = G.scale_to_goodput(items, run["goodput_override"])
    ideal_days = np.asarray(res["ideal_days"], dtype=float)
    total = sum(np.asarray(items[k], dtype=float) for k in G.ITEMS)
    cnt = np.asarray(count, dtype=float)
    res["train_days"] = ideal_days * (1.0 + total)
    res["accelerator_hours"] = res["train_days"] * 24.0 * cnt
    res["productive_hours"] = ideal_days * 24.0 * cnt
    res["goodput"] = 1.0 / (1.0 + total)
    res["failure_fraction"] = 1.0 - res["goodput"]
    res["mtbf_s"] = items["mtbf_s"]
    res["checkpoint_interval_s"] = items["checkpoint_interval_s"]
    items["run_efficiency"] = 1.0 / (1.0 + np.asarray(items["other"], dtype=float))
    return items


@checked(
    items=mapping_with(*G.ITEMS, "goodput", "rate_per_device_hour", "mtbf_s"),
    run=mapping_with(*RUN_KEYS),
    ideal_days=ONE_NON_NEGATIVE,
    count=ONE_COUNT,
    finite_result=False,  # an MTBF with no failures is infinite by definition
)
def summary(items: dict, run: dict[str, Any], *, ideal_days: float, count: int) -> dict[str, Any]:
    """The JSON-ready run-level block of an Estimate: allocated vs productive hours and one line per item."""
    productive_h = float(ideal_days) * 24.0 * count
    lines = []
    for k in G.ITEMS:
        o = float(np.asarray(items[k]))
        lines.append(
            {
                "item": k,
                "label": LABELS[k],
                "overhead_ratio": o,
                "accelerator_hours": o * productive_h,
                "share_of_allocated": o * float(np.asarray(items["goodput"])),
            }
        )
    allocated = productive_h / float(np.asarray(items["goodput"]))
    return {
        "run_kind": run["run_kind"],
        "run_kind_rule": run.get("run_kind_rule", ""),
        "stack_maturity": run["stack_maturity"],
        "stack": run["stack"],
        "maturity_multiplier": run["maturity_multiplier"],
        "maturity_range": list(run["maturity_range"]),
        "goodput_override": run["goodput_override"],
        "interruptions_per_device_hour": float(np.asarray(items["rate_per_device_hour"])),
        "mtbf_h": float(np.asarray(items["mtbf_s"])) / 3600.0,
        "allocated_accelerator_hours": allocated,
        "productive_accelerator_hours": productive_h,
        "goodput": float(np.asarray(items["goodput"])),
        "items": lines,
    }


def text_lines(run_block: dict[str, Any]) -> list[str]:
    """Plain-text lines for explain() and the CLI: allocated vs productive hours and each item with its source."""
    r = run_block
    mapping_with(*BLOCK_KEYS)("run_block", r)
    head = (
        f"run kind {r['run_kind']} ({r.get('run_kind_rule', '')}): allocated {r['allocated_accelerator_hours']:,.0f} accelerator-hours, productive "
        f"{r['productive_accelerator_hours']:,.0f} (goodput {r['goodput']:.3f})"
    )
    if r["goodput_override"] is not None:
        head += "; goodput given by the caller, items scaled to it"
    lines = [head]
    if r["run_kind"] == "benchmark" and r["goodput_override"] is None:
        lines.append("benchmark: steady-state steps only (no failures, checkpoints, evaluation, stalls or ramp-up)")
        return lines
    src = {
        "failures": (
            f"{r['interruptions_per_device_hour']:.3g} interruptions per device-hour (Llama 3 base rate x "
            f"{r['maturity_multiplier']:.2g} for a {r['stack_maturity']} stack {r['stack'] or ''}), one every "
            f"{r['mtbf_h']:.3g} h on this fleet; {G.STACK_MATURITY[r['stack_maturity']].source.citation}"
        ),
        "checkpoints": "Young 1974 / Daly 2006 interval; write time from the Llama 3 storage figures",
        "evaluation": G.EVAL_ITERS_PER_INTERVAL.source.citation + " x a forward pass (1/3 of a step)",
        "stalls": G.STALL_FRACTION.source.citation,
        "rampup": G.RAMP_TOKENS.source.citation,
        "other": (
            f"defaults.RUN_EFFICIENCY = {D.RUN_EFFICIENCY.value:.2f}: what the lines above leave unexplained on the "
            "public production runs published up to 2023 (fitted by `python -m suanli.calibrate`, tested on later runs)"
        ),
    }
    for it in r["items"]:
        lines.append(
            f"  {it['label']}: +{it['overhead_ratio']:.2%} of productive time "
            f"({it['accelerator_hours']:,.0f} accelerator-hours) - {src[it['item']]}"
        )
    return lines
