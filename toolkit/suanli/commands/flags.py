"""Flag groups several commands share (``suanli estimate``, ``power``, ``substitute`` ...): site and
cost options, and the Monte Carlo switch. Not a command itself (see :data:`suanli.commands.COMMANDS`)."""

from __future__ import annotations

import argparse
import math

UNIT_SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}
"""Suffixes a count may carry: 70M, 7B (= 7G), 2T."""


def amount(text: str) -> float:
    """The value of ``--tokens`` and ``--params`` in every command: ``300e9``, ``3e11``, ``300B``,
    ``1.5T``, ``70M``, ``1,000`` or ``1_000``; a finite count of at least one (an argparse type)."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    mult = UNIT_SUFFIXES.get(t[-1:], 1.0)
    try:
        value = float(t[:-1] if t[-1:] in UNIT_SUFFIXES else t) * mult
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (write 300e9, 300B or 2T)") from None
    if not math.isfinite(value) or value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count (a finite number of at least 1 token or parameter)")
    return value


def add_site_arguments(parser, *, utilization: bool = True) -> None:
    """Add --site/--pue/--price-kwh/--currency/--gco2-kwh, --utilization and the hardware-cost options."""
    from suanli.models import power as P

    g = parser.add_argument_group("power, site and cost")
    g.add_argument(
        "--site", help="a site id from `suanli catalog --kind sites` (its PUE, electricity price, grid intensity)"
    )
    g.add_argument(
        "--site-type",
        dest="site_type",
        choices=("hyperscale", "hub", "enterprise"),
        help="default PUE when no --site or --pue: hyperscale/AI hall 1.10 (Google fleet 2021, the "
        "default), hub 1.25 (China's national hub-node ceiling, NDRC 2021), enterprise 1.57 (Uptime 2021 survey)",
    )
    g.add_argument("--pue", type=float, help="power usage effectiveness (>= 1); overrides the site's typical PUE")
    g.add_argument(
        "--price-kwh",
        dest="price_kwh",
        type=float,
        help="electricity price per kWh in --currency; overrides the site's",
    )
    g.add_argument(
        "--currency",
        type=str.upper,
        choices=("USD", "CNY"),
        help="currency of --price-kwh and of the results (default: the site's own, else USD)",
    )
    g.add_argument(
        "--gco2-kwh", dest="gco2_kwh", type=float, help="grid carbon intensity in gCO2/kWh; overrides the site's"
    )
    if utilization:
        g.add_argument(
            "--utilization",
            type=float,
            help="accelerator utilisation 0..1 in the linear power model (default: the chip's measured draw "
            f"under load where known, e.g. H100 {P.chip_utilization('nvidia-h100-sxm5-80gb'):.2f}; else "
            f"{P.DEFAULTS.utilization:.2f}, FlagPerf's A100 GEMM)",
        )
    g.add_argument(
        "--rental-per-hour",
        dest="rental_per_hour",
        type=float,
        help="rent instead of buy: price per accelerator-hour in --currency",
    )
    g.add_argument("--lifetime-years", dest="lifetime_years", type=float, help="hardware amortisation life (default 5)")
    g.add_argument(
        "--cost-of-capital", dest="cost_of_capital", type=float, help="yearly cost of capital (default 0.10)"
    )
    g.add_argument(
        "--server-capex-fraction",
        dest="server_capex_fraction",
        type=float,
        help="rest-of-server capex as a share of the chip price (default 0.38; 0 when the chip's price "
        "already is a per-accelerator system price)",
    )


def add_uncertain_arguments(parser) -> None:
    """``--uncertain [--samples N --seed S]`` (shared by estimate, power and compat)."""
    g = parser.add_argument_group("uncertainty")
    g.add_argument(
        "--uncertain",
        action="store_true",
        help="sample the uncertain inputs (press/estimate spec values, the engine's calibrated constants, "
        "site prices) and give P10/P50/P90; JSON gives those results as {p10, p50, p90}",
    )
    g.add_argument("--samples", type=int, help="Monte Carlo draws with --uncertain (default 10,000)")
    g.add_argument("--seed", type=int, help="random seed of the draws (default 0)")


def uncertain_options(args, default_samples: int = 10_000) -> tuple[int, int] | None:
    """(samples, seed) when --uncertain is on, else None; one-sentence errors for bad values."""
    from suanli.errors import InputError

    if not args.uncertain:
        given = [f for f, v in (("--samples", args.samples), ("--seed", args.seed)) if v is not None]
        if given:
            raise InputError(f"{' and '.join(given)} {'need' if len(given) > 1 else 'needs'} --uncertain")
        return None
    samples = default_samples if args.samples is None else args.samples
    from suanli.models.uncertainty import MAX_SAMPLES

    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"--samples must be a whole number from 1 to {MAX_SAMPLES:,} (memory), got {samples:,}")
    seed = 0 if args.seed is None else args.seed
    if seed < 0:
        raise InputError(f"--seed must be a whole number >= 0, got {seed}")
    return samples, seed
