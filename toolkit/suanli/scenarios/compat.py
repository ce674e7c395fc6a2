"""The CUDA-compatibility question: what CUDA training code costs on another software stack, for a
chip, a workload and a fleet, with the porting that wins it back.

The catalog look-ups (stack, chip, price, workload) around :func:`suanli.models.compat.compat_estimate`;
``suanli compat`` prints the result and the notebook widget draws it.

    >>> from suanli.scenarios.compat import compat_for
    >>> out = compat_for("huawei-cann", model="llama2-70b", chips=1024)
    >>> round(out["slowdown"]["central"], 2), out["chip"]
"""

from __future__ import annotations

from typing import Any

DEFAULT_CHIPS = 1024
"""Fleet size when neither the user nor the engine gives one: a common training-cluster size."""


def default_chip(cat, stack_id: str):
    """The newest accelerator on ``stack_id``, preferring one with a price; None if the stack has none."""
    from suanli.scenarios._checks import catalog as checked_catalog
    from suanli.scenarios._checks import text

    cat = checked_catalog(cat)
    text("stack_id", stack_id)
    chips = [a for a in cat.accelerators.values() if a.stack == stack_id]
    from suanli.prices import has_price

    chips.sort(key=lambda a: (has_price(a), a.release_year or 0, a.id), reverse=True)
    return chips[0] if chips else None


def chip_price(chip, currency: str) -> tuple[float | None, str | None]:
    """The chip's one price in ``currency`` (:func:`suanli.prices.chip_price`) and a note when it was converted."""
    if chip is None:
        return None, None
    from suanli.prices import chip_price as one_price

    p = one_price(chip, currency)
    if p is None:
        return None, None
    return p.value, (p.note() if p.converted else None)


def published_tokens(model: str) -> tuple[float, str] | None:
    """The training tokens a public model was reported to use, with the source, from
    ``suanli/data/public_models.csv`` (None for a model not listed there)."""
    import csv
    from importlib import resources

    from suanli.scenarios._checks import text

    text("model", model)

    with resources.files("suanli.data").joinpath("public_models.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["id"] == model:
                return float(row["tokens"]), row["source"]
    return None


def engine_breakdown(
    chip, *, model: str | None, params: float | None, tokens: float | None, chips: float, catalog=None
) -> tuple[dict[str, float], float]:
    """The estimate engine's op-time shares and native training days for this workload on ``chip``.

    The engine prices a chip with its own stack's framework and collective efficiencies; the compat
    model measures a stack against CUDA, so the engine runs the chip *as if on CUDA* (the native
    baseline) and the compat slowdown is applied on top, never twice.
    """
    import dataclasses

    from suanli.errors import InputError
    from suanli.scenarios import training
    from suanli.scenarios._checks import accelerator
    from suanli.validate import require_whole

    if chip is None:
        raise InputError("give --chip: the engine needs an accelerator to break the step down")
    chip = accelerator("chip", chip)
    if tokens is None:
        raise InputError(
            "give --tokens with --params (or a --model whose published token count is known): "
            "the engine needs a token count"
        )
    native = dataclasses.replace(chip, stack="cuda")
    est = training.estimate(
        model, params=params, tokens=tokens, chip=native, count=require_whole("--chips", chips), catalog=catalog
    )
    return dict(est.op_shares), float(est.train_days)


def compat_for(
    stack_id: str,
    *,
    chip_id: str | None = None,
    model: str | None = None,
    params: float | None = None,
    tokens: float | None = None,
    chips: float | None = None,
    days: float | None = None,
    workload: str = "dense",
    share_overrides=None,
    stack_overrides=None,
    currency: str = "USD",
    engineer_month_cost=None,
    samples: int = 0,
    seed: int = 0,
    op_shares=None,
    catalog=None,
) -> dict[str, Any]:
    """Everything ``suanli compat`` prints, as a JSON-ready dict (the model result plus its inputs).

    ``op_shares`` (a mapping over op classes, e.g. an engine breakdown computed earlier) skips the
    engine; ``model``/``params`` with ``tokens`` run it; neither uses the fallback ``workload``.
    """
    from suanli.scenarios._checks import text

    if chip_id is not None:
        text("chip_id", chip_id)
    from suanli.errors import InputError
    from suanli.models import compat
    from suanli.present import count, scaled
    from suanli.validate import positive, whole

    samples, seed = whole("samples", samples, minimum=0), whole("seed", seed, minimum=0)
    from suanli.scenarios._checks import catalog as checked_catalog

    cat = checked_catalog(catalog)
    stack = cat.stack(stack_id)
    chip = cat.accelerator(chip_id) if chip_id else default_chip(cat, stack.id)
    notes: list[str] = []
    if chip is not None and chip.stack and chip.stack != stack.id:
        notes.append(f"{chip.id} normally runs the {chip.stack!r} stack; priced here as if it ran {stack.id!r}")
    given = op_shares is not None
    if chips is None:
        chips = DEFAULT_CHIPS
        notes.append(f"fleet size not given: {DEFAULT_CHIPS} chips assumed")
    else:
        chips = whole("chips", positive("chips", chips))
    if given:
        notes.append("op shares given by the caller")
    elif model or params:
        if tokens is None and model:
            published = published_tokens(model)
            if published is not None:
                tokens = published[0]
                notes.append(
                    f"--tokens not given: {model}'s published {scaled(tokens)} training tokens ({published[1]})"
                )
        op_shares, native_days = engine_breakdown(
            chip, model=model, params=params, tokens=tokens, chips=chips, catalog=cat
        )
        days = native_days if days is None else days
    if days is not None:
        days = positive("days", days)
        notes.append(
            f"op shares and native days from the estimate engine: {model or f'{scaled(params)} params'}, "
            f"{scaled(tokens)} tokens on {count(chips)} x {chip.id} run as if on CUDA"
        )
    elif tokens is not None:
        raise InputError("--tokens needs --model or --params (the engine turns them into a step breakdown)")
    w = compat.workload_profile(op_shares, kind=workload, overrides=share_overrides)
    price, price_note = chip_price(chip, currency)
    if price_note:
        notes.append(price_note)
    if price is None:
        notes.append("no chip price: extra cost and break-even are not computed (give --chip with a price)")
    result = compat.compat_estimate(
        stack,
        w,
        chips=chips,
        days=days,
        chip_price=price,
        currency=currency,
        cost_per_engineer_month=engineer_month_cost,
        overrides=stack_overrides,
        samples=samples,
        seed=seed,
    )
    out = result.as_dict()
    out["workload_source"] = (
        "given" if given else "engine" if op_shares is not None else f"fallback profile {workload!r}"
    )
    if op_shares is None:
        out["sources"]["op_shares"] = compat.FALLBACK_WORKLOAD_SOURCE.as_dict()
    out["chip"] = chip.id if chip is not None else None
    out["chip_price"] = price
    out["currency"] = currency
    out["stack_kind"] = stack.stack_kind
    out["maturity"] = stack.maturity
    out["assumptions"] = out["assumptions"] + notes
    return out


def add_slowdown_percentiles(out: dict[str, Any]) -> None:
    """P10/P50/P90 of extra chips and extra days from those of the slowdown S.

    Both are increasing functions of S alone (``chips (S - 1)``, ``days (S - 1)``), so their
    percentiles are the functions of S's percentiles: exact, no second sampling.
    """
    from suanli.models import compat
    from suanli.scenarios._checks import mapping

    s = mapping("out['slowdown']", mapping("out", out, ("slowdown",))["slowdown"])
    for key, fn, base in (
        ("extra_chips", compat.extra_chips, out.get("chips")),
        ("extra_days", compat.extra_days, out.get("days")),
    ):
        if out.get(key) and base is not None and "p10" in s:
            out[key].update({q: float(fn(base, s[q])) for q in ("p10", "p50", "p90")})
