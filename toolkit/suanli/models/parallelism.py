"""Parallel layouts: TP (+ sequence parallelism), PP (1F1B, interleaved), DP, EP, ZeRO, micro-batching.

:func:`layout_grid` builds every candidate layout for a device count as flat numpy arrays (one entry
per layout) so that the step-time model evaluates them all in one vectorised pass; the engine keeps
the ones that fit and takes the fastest. :func:`pipeline_bubble_fraction` is the 1F1B bubble.

References: Shoeybi et al. 2019 (Megatron-LM TP, arXiv:1909.08053); Narayanan et al. 2021
(PTD-P, 1F1B and the interleaved schedule, arXiv:2104.04473, Sec 2.2, 3); Korthikanti et al. 2022
(sequence parallelism, arXiv:2205.05198); Rajbhandari et al. 2020 (ZeRO, arXiv:1910.02054);
Lepikhin et al. 2020 / Fedus et al. 2021 (expert parallelism).
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models.workload import Workload

LAYOUT_KEYS = ("tp", "pp", "dp", "ep", "micro_batch", "recompute", "zero", "sp", "interleave", "cp")
"""The layout dimensions, in the order the grid arrays are returned."""

MICRO_BATCHES = (1, 2, 4, 8, 16)
INTERLEAVES = (1, 2, 3, 4, 6, 8)
ZERO_STAGES = (0, 1, 2, 3)


@V.checked(pp=V.COUNT, micro_batches=V.POSITIVE, interleave=V.COUNT)
def pipeline_bubble_fraction(pp, micro_batches, interleave=1):
    """Idle share of the ideal pipeline time: (p - 1) / (v m) for 1F1B with v model chunks per device.

    References: Narayanan et al. 2021, arXiv:2104.04473, Sec 2.2.1 (1F1B) and 2.2.2 (interleaved).
    """
    pp = np.asarray(pp, dtype=float)
    return (pp - 1.0) / (np.asarray(interleave, dtype=float) * np.asarray(micro_batches, dtype=float))


@V.checked(global_batch=V.COUNT, dp=V.COUNT, micro_batch=V.COUNT)
def micro_batches(global_batch, dp, micro_batch):
    """Gradient-accumulation steps per optimizer step: ceil(B / (dp x b)) (at least one).

    References: Narayanan et al. 2021, arXiv:2104.04473, Sec 2.2 (m = B / (b d)).
    """
    return np.maximum(np.ceil(np.asarray(global_batch, dtype=float) / (np.asarray(dp) * np.asarray(micro_batch))), 1.0)


@V.checked(layers=V.COUNT, pp=V.COUNT)
def edge_stage_layers(layers, pp):
    """Layers on the first and on the last pipeline stage: one fewer than the others when PP does not divide
    the layers and the middle stages can take the rest (the embedding and output layers sit on those two
    stages, so they get the lighter share), else ceil(L / p).

    References: Llama Team 2024, arXiv:2407.21783, Sec 3.3.2 ('we reduce one Transformer layer each from
    the first and the last stages'); Megatron-LM --decoder-first/last-pipeline-num-layers.
    """
    L = np.asarray(layers, dtype=float)
    p = np.asarray(pp, dtype=float)
    lo, hi = np.floor(L / p), np.ceil(L / p)
    room = L - 2.0 * lo <= (p - 2.0) * hi
    return np.where((lo < hi) & (p > 2) & room & (lo >= 1), lo, hi)


@V.checked(layers=V.COUNT, pp=V.COUNT, micro_batches=V.optional(V.POSITIVE))
def activation_layer_slots(layers, pp, micro_batches=None):
    """Layer x micro-batch activations held by the busiest stage under 1F1B: stage i keeps min(pp - i, m)
    micro-batches in flight, so max(min(pp, m) x first-stage layers, min(pp - 1, m) x middle-stage layers);
    L when PP divides L and m >= pp.

    References: Narayanan et al. 2021, arXiv:2104.04473, Sec 2.2.1; Korthikanti et al. 2022, Sec 4.2.3.
    """
    p = np.asarray(pp, dtype=float)
    m = np.inf if micro_batches is None else np.asarray(micro_batches, dtype=float)
    mid = stage_layers(layers, pp)
    first = edge_stage_layers(layers, pp)
    staged = np.maximum(np.minimum(p, m) * first, np.minimum(p - 1.0, m) * mid)
    return np.where(p > 1, staged, np.asarray(layers, dtype=float))


def _divisors(n: int, upto: int | None = None) -> list[int]:
    """Divisors of ``n`` up to ``upto`` (O(upto): a count of 10^14 devices must not take 10^14 steps)."""
    return [d for d in range(1, min(n, n if upto is None else upto) + 1) if n % d == 0]


def _powers_of_two_upto(n: int) -> list[int]:
    out, p = [], 1
    while p <= n:
        out.append(p)
        p *= 2
    return out


@V.checked(w=V.instance(Workload), domain=V.ONE_COUNT)
def tp_candidates(w: Workload, domain: int) -> list[int]:
    """TP degrees allowed: powers of two inside the scale-up domain that divide the heads and either divide
    the KV heads or are a multiple of them (KV heads are then replicated, as for multi-query attention).

    References: Shoeybi et al. 2019, arXiv:1909.08053, Sec 3 (attention heads split across the TP
    group); Narayanan et al. 2021, arXiv:2104.04473, Sec 3.2 (TP up to the GPUs of one server);
    Ainslie et al. 2023, arXiv:2305.13245 (grouped-query attention, KV heads fewer than query heads).
    """
    return [t for t in _powers_of_two_upto(max(1, domain)) if w.heads % t == 0 and _kv_ok(w, t)]


def _kv_ok(w: Workload, t: int) -> bool:
    return w.kv % t == 0 or t % w.kv == 0


@V.checked(layers=V.COUNT, pp=V.COUNT)
def stage_layers(layers, pp):
    """Layers on the busiest pipeline stage: ceil(L / p) (stages differ by at most one layer when p does not
    divide L, as Megatron-LM's --decoder-first/last-pipeline-num-layers and Llama 3's 126 layers on 16 stages).

    References: Narayanan et al. 2021, arXiv:2104.04473, Sec 2.2 (L / p layers per stage); Llama Team
    2024, arXiv:2407.21783, Sec 3.3.2 (uneven stages).
    """
    return np.ceil(np.asarray(layers, dtype=float) / np.asarray(pp, dtype=float))


def _is_whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_degrees(tp, pp, dp, ep, interleave, micro_batch, zero, recompute, cp=None) -> None:
    """One sentence for a fixed degree that is not a whole number in 1..``MAX_COUNT``, a ZeRO stage
    outside 0-3 or an unknown recompute code (a zero or negative degree would otherwise divide by zero
    in the grid, and one beyond int64 overflow it)."""
    for name, value in (
        ("TP", tp),
        ("PP", pp),
        ("DP", dp),
        ("EP", ep),
        ("CP", cp),
        ("interleave", interleave),
        ("micro-batch", micro_batch),
    ):
        if value is None:
            continue
        if not _is_whole(value) or not 1 <= value <= V.MAX_COUNT:
            raise InputError(f"{name} must be a whole number >= 1, got {value!r}")
    if zero is not None and (not _is_whole(zero) or zero not in ZERO_STAGES):
        raise InputError(f"ZeRO stage must be one of {', '.join(map(str, ZERO_STAGES))}, got {zero!r}")
    codes = recompute if isinstance(recompute, (list, tuple)) else () if recompute is None else (recompute,)
    if any(not _is_whole(c) or c not in (0, 1, 2) for c in codes):
        raise InputError(f"recompute must be 0 (none), 1 (selective) or 2 (full), got {recompute!r}")


def check_layout(
    w: Workload,
    count: int,
    domain: int,
    *,
    tp=None,
    pp=None,
    dp=None,
    ep=None,
    interleave=None,
    uneven_pp: bool = False,
    micro_batch=None,
    zero=None,
    recompute=None,
    cp=None,
) -> None:
    """Raise :class:`InputError` (one sentence) if a layout the user fixed is impossible.

    A fixed PP must divide the layers unless ``uneven_pp`` (stages one layer apart) is allowed.

    References: Narayanan et al. 2021, arXiv:2104.04473, Sec 2.2-3 (TP x PP x DP = devices, TP inside a
    server, interleaving needs the layers per stage to split into chunks); Shoeybi et al. 2019,
    arXiv:1909.08053, Sec 3 (TP divides the heads).
    """
    if not isinstance(w, Workload):
        raise InputError(f"w must be a Workload (suanli.models.workload), got {w!r}")
    V.whole("count", count)
    V.whole("domain", domain)
    _check_degrees(tp, pp, dp, ep, interleave, micro_batch, zero, recompute, cp)
    if tp is not None:
        if tp > domain:
            raise InputError(
                f"TP={tp} exceeds the chip's scale-up domain of {domain}; tensor parallelism must stay inside it"
            )
        if w.heads % tp or not _kv_ok(w, tp):
            raise InputError(
                f"TP={tp} must divide the {w.heads} attention heads and divide or be a multiple of the {w.kv} KV heads"
            )
    if pp is not None and pp > w.layers:
        raise InputError(f"PP={pp} exceeds the model's {w.layers} layers")
    if pp is not None and w.layers % pp and not uneven_pp:
        raise InputError(
            f"PP={pp} does not divide the model's {w.layers} layers (allow uneven stages with --uneven-pipeline, or uneven_pipeline=True in Python)"
        )
    fixed = [x for x in (tp, cp, pp, dp) if x is not None and not (x is cp and x == 1)]
    if fixed and count % int(np.prod(fixed)):
        raise InputError(
            f"the layout's fixed degrees ({' x '.join(map(str, fixed))}) do not divide the {count} devices"
        )
    c = cp or 1
    if tp is not None and pp is not None and dp is not None and tp * c * pp * dp != count:
        what = "TP x PP x DP" if c == 1 else "TP x CP x PP x DP"
        raise InputError(f"{what} = {tp * c * pp * dp} does not equal the {count} devices")
    if ep is not None and ep > 1:
        if not w.is_moe:
            raise InputError("expert parallelism (EP > 1) needs a mixture-of-experts model")
        if w.experts % ep:
            raise InputError(f"EP={ep} must divide the {w.experts} experts")
    if interleave is not None and interleave > 1 and pp is not None and int(stage_layers(w.layers, pp)) % interleave:
        raise InputError(
            f"interleave={interleave} must divide the {int(stage_layers(w.layers, pp))} layers per pipeline stage"
        )


@V.checked(seq=V.ONE_COUNT, long_seq=V.ONE_COUNT, most=V.ONE_COUNT)
def context_parallel_candidates(seq: int, long_seq: int = 32768, most: int = 32) -> list[int]:
    """CP degrees worth searching: 1, and for sequences of at least ``long_seq`` tokens the powers of two
    up to ``most`` that leave each rank at least 4,096 tokens.

    References: Llama Team 2024, arXiv:2407.21783, Sec 3.3.2 and Table 4 (CP 16 at 131,072 tokens, CP 1
    at 8,192); Liu et al. 2023, arXiv:2310.01889 (ring attention).
    """
    if seq < long_seq:
        return [1]
    return [c for c in _powers_of_two_upto(most) if seq // c >= 4096]


def layout_grid(
    w: Workload,
    count: int,
    domain: int,
    global_batch: int,
    *,
    tp=None,
    pp=None,
    dp=None,
    ep=None,
    micro_batch=None,
    recompute=None,
    zero=None,
    sp=None,
    interleave=None,
    uneven_pp: bool = False,
    cp=None,
    zero_stages=None,
    tp_options=None,
    pp_options=None,
    interleave_options=None,
    cp_options=None,
    exact_batch: bool = False,
    flexible_interleave: bool = False,
) -> dict[str, np.ndarray]:
    """Every valid layout for ``count`` devices as flat int arrays keyed by :data:`LAYOUT_KEYS`.

    Arguments left as None are searched; given ones are fixed (``recompute`` may also be a tuple of
    the modes to search). Valid means: TP a power of two
    inside the scale-up domain dividing heads (and dividing or multiplying the KV heads); PP up to the
    layers (searched PP may leave stages one layer apart, see :func:`stage_layers`); TP x PP x DP =
    count; DP x micro-batch at most the global batch and dividing it when any layout can; EP dividing
    the experts and DP; interleaving dividing the layers per stage and used only
    with PP > 1 and a micro-batch count divisible by PP (Megatron's rule); ZeRO > 0 only with DP > 1;
    sequence parallelism exactly when TP > 1 unless fixed. ``cp`` (context parallelism) multiplies in
    as TP x CP x PP x DP = count. ``zero_stages``, ``tp_options``, ``pp_options``, ``interleave_options``
    and ``cp_options`` restrict the searched values to what a training framework offers; ``flexible_interleave``
    lets the interleaved schedule run any number of micro-batches of at least the stage count. With
    ``exact_batch`` a batch no layout divides is refused (one sentence) instead of rounded up.

    References: Narayanan et al. 2021, arXiv:2104.04473, Sec 3 (layout rules).
    """
    V.whole("global_batch", global_batch)
    for name, options in (
        ("zero_stages", zero_stages),
        ("tp_options", tp_options),
        ("pp_options", pp_options),
        ("interleave_options", interleave_options),
        ("cp_options", cp_options),
    ):
        if options is not None and (
            not isinstance(options, (list, tuple, set, frozenset, range))
            or not options
            or not all(_is_whole(x) and 0 <= x <= V.MAX_COUNT for x in options)
        ):
            raise InputError(f"{name} must be a list of whole numbers (or None to search all), got {options!r}")
    for name, flag in (("sp", sp), ("uneven_pp", uneven_pp), ("exact_batch", exact_batch)):
        if flag is not None and not isinstance(flag, (bool, np.bool_)):
            raise InputError(f"{name} must be True or False, got {flag!r}")
    if not isinstance(flexible_interleave, (bool, np.bool_)):
        raise InputError(f"flexible_interleave must be True or False, got {flexible_interleave!r}")
    check_layout(
        w,
        count,
        domain,
        tp=tp,
        pp=pp,
        dp=dp,
        ep=ep,
        interleave=interleave,
        uneven_pp=uneven_pp,
        micro_batch=micro_batch,
        zero=zero,
        recompute=recompute,
        cp=cp,
    )
    cps = [cp] if cp is not None else (list(cp_options) if cp_options is not None else [1])
    most = max(1, domain) * max(cps) * w.layers * max(int(global_batch), 1)  # TP <= domain, PP <= layers, DP <= batch
    if count > most:
        shown = f"{count:,}" if count < 1e15 else f"{float(count):.3g}"
        raise InputError(
            f"{shown} devices are more than any layout uses: TP up to the scale-up domain of {domain}, "
            f"PP up to the {w.layers} layers and DP up to the global batch of {int(global_batch):,} "
            f"sequences make at most {most:,}; use fewer devices or a larger global batch"
        )
    tps = [tp] if tp is not None else [t for t in tp_candidates(w, domain) if tp_options is None or t in tp_options]
    pps = (
        [pp]
        if pp is not None
        else [p for p in _divisors(count, upto=w.layers) if pp_options is None or p in pp_options]
    )
    pairs = [
        (t, c, p)
        for t in tps
        for c in cps
        for p in pps
        if count % (t * c * p) == 0 and (dp is None or t * c * p * dp == count)
    ]
    if not pairs:
        raise InputError(
            f"no tensor x pipeline split of {w.layers} layers and {w.heads} heads fits {count} devices "
            f"with TP inside a scale-up domain of {domain}"
        )
    t_arr = np.array([t for t, _, _ in pairs])
    c_arr = np.array([c for _, c, _ in pairs])
    p_arr = np.array([p for _, _, p in pairs])
    d_arr = count // (t_arr * c_arr * p_arr)
    eps = (
        [ep]
        if ep is not None
        else ([e for e in _powers_of_two_upto(w.experts) if w.experts % e == 0] if w.is_moe else [1])
    )
    mbs = [micro_batch] if micro_batch is not None else list(MICRO_BATCHES)
    rcs = [0, 1, 2] if recompute is None else list(recompute) if isinstance(recompute, (list, tuple)) else [recompute]
    zs = [zero] if zero is not None else list(zero_stages if zero_stages is not None else ZERO_STAGES)
    vs = (
        [interleave]
        if interleave is not None
        else list(interleave_options if interleave_options is not None else INTERLEAVES)
    )
    # broadcast (pair, ep, mb, rc, zero, v) and flatten
    shape = (len(pairs), len(eps), len(mbs), len(rcs), len(zs), len(vs))
    idx = np.indices(shape).reshape(len(shape), -1)
    g = {
        "tp": t_arr[idx[0]],
        "pp": p_arr[idx[0]],
        "dp": d_arr[idx[0]],
        "cp": c_arr[idx[0]],
        "ep": np.array(eps)[idx[1]],
        "micro_batch": np.array(mbs)[idx[2]],
        "recompute": np.array(rcs)[idx[3]],
        "zero": np.array(zs)[idx[4]],
        "interleave": np.array(vs)[idx[5]],
    }
    g["sp"] = (g["tp"] > 1).astype(int) if sp is None else np.full_like(g["tp"], int(bool(sp)))
    m = micro_batches(global_batch, g["dp"], g["micro_batch"])
    ok = g["dp"] % g["ep"] == 0
    ok &= g["dp"] * g["micro_batch"] <= max(global_batch, 1)
    ok &= (g["zero"] == 0) | (g["dp"] > 1) | (zero is not None)
    layers_per_stage = stage_layers(w.layers, g["pp"]).astype(int)
    v = g["interleave"]
    # Megatron-LM's interleaved schedule needs the micro-batches in multiples of the stages; Llama 3's runs any
    # number of at least one per stage (Llama Team 2024, arXiv:2407.21783, Sec 3.3.2)
    enough = (m >= g["pp"]) if flexible_interleave else (m % g["pp"] == 0)
    ok &= (v == 1) | ((g["pp"] > 1) & (layers_per_stage % v == 0) & enough)
    exact = global_batch % (g["dp"] * g["micro_batch"]) == 0
    if (ok & exact).any():  # prefer layouts that keep the global batch as given; round it only if none do
        ok &= exact
    elif exact_batch and ok.any():
        raise InputError(
            f"no layout of {count:,} devices keeps the global batch of {int(global_batch):,} sequences exactly "
            f"(DP x micro-batch must divide it); give a batch that a data-parallel degree divides, "
            f"e.g. {_nearest_divisible(int(global_batch), g['dp'][ok])}, or leave it out"
        )
    if not ok.any():
        if not (g["dp"] * g["micro_batch"] <= max(global_batch, 1)).any():
            raise InputError(
                f"{count:,} devices need at least {int(g['dp'].min()):,} data-parallel replicas, more than the "
                f"global batch of {global_batch:,} sequences; use fewer devices or a larger global batch"
            )
        raise InputError(
            "no valid layout: the fixed choices rule out every split (check EP, interleave and micro-batch)"
        )
    return {k: g[k][ok] for k in LAYOUT_KEYS}


def _nearest_divisible(batch: int, dps) -> int:
    """The smallest batch >= ``batch`` that one of the data-parallel degrees ``dps`` divides."""
    return int(min(-(-batch // int(d)) * int(d) for d in set(np.asarray(dps).tolist())))
