"""Money: electricity, hardware capex amortised with a cost of capital, rental, cost per token.

Amounts are in whatever currency the inputs are in (the functions do not convert); pair them with
:func:`suanli.models.money.convert`. Defaults (lifetime, cost of capital, server share of capex)
live in :data:`suanli.models.power.DEFAULTS` with their sources.
"""

from __future__ import annotations

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.models.power import DEFAULTS, _arr, _non_negative, _out


@V.checked(energy_mwh=V.NON_NEGATIVE, price_per_kwh=V.NON_NEGATIVE)
def electricity_cost(energy_mwh, price_per_kwh):
    """Cost of ``energy_mwh`` at ``price_per_kwh`` (same currency out as in): MWh x 1000 x price.

    References: tariff arithmetic; the site prices' own sources are in ``plugins/suanli_sites``.
    """
    return _out(_non_negative("energy_mwh", energy_mwh) * 1000.0 * _non_negative("price_per_kwh", price_per_kwh))


@V.checked(cost_of_capital=V.between(0, 1), lifetime_years=V.between(0.01, 1000))
def capital_recovery_factor(cost_of_capital=DEFAULTS.cost_of_capital, lifetime_years=DEFAULTS.lifetime_years):
    """The annuity factor: the yearly payment that repays 1 unit of capex over ``lifetime_years``.

    CRF = r (1 + r)^n / ((1 + r)^n - 1); at r = 0 it is 1 / n (straight-line).

    References: standard engineering-economics annuity (e.g. NREL, "Annual Technology Baseline:
    definitions", capital recovery factor); Barroso, Hoelzle & Ranganathan, "The Datacenter as a
    Computer", 3rd ed. 2018, ch. 6 (amortised capex in TCO).
    """
    r = _non_negative("cost_of_capital", cost_of_capital)
    n = _arr("lifetime_years", lifetime_years)
    if np.any(n <= 0):
        raise InputError(f"lifetime_years must be positive, got {lifetime_years!r}")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # expm1/log1p keep 1 - (1 + r)^-n accurate for small r, where the plain form cancels; below
        # r n ~ 1e-8 the first-order series 1/n + r/2 is exact to double precision
        # written as r / (1 - (1 + r)^-n), which cannot overflow for a long life or a high rate
        crf = np.where(r * n > 1e-8, r / -np.expm1(-n * np.log1p(r)), 1.0 / n + r / 2.0)
    return _out(crf)


@V.checked(
    capex=V.NON_NEGATIVE,
    cost_of_capital=V.between(0, 1),
    lifetime_years=V.between(0.01, 1000),
    hours_per_year=V.POSITIVE,
)
def capex_per_hour(
    capex,
    cost_of_capital=DEFAULTS.cost_of_capital,
    lifetime_years=DEFAULTS.lifetime_years,
    hours_per_year=DEFAULTS.hours_per_year,
):
    """Hourly cost of owning ``capex`` (annuity payment / hours per year), same currency as ``capex``.

    References: as :func:`capital_recovery_factor`.
    """
    c = _non_negative("capex", capex)
    h = _arr("hours_per_year", hours_per_year)
    return _out(c * capital_recovery_factor(cost_of_capital, lifetime_years) / h)


@V.checked(price_per_accelerator=V.NON_NEGATIVE, count=V.NON_NEGATIVE, server_capex_fraction=V.NON_NEGATIVE)
def accelerator_capex(price_per_accelerator, count, server_capex_fraction=DEFAULTS.server_capex_fraction):
    """Capex of ``count`` accelerators with their share of the server around them.

    References: DGX H100 system price vs GPU bill of materials (SemiAnalysis via Epoch AI), see
    :data:`suanli.models.power.DEFAULTS`.
    """
    p = _non_negative("price_per_accelerator", price_per_accelerator)
    n = _non_negative("count", count)
    f = _non_negative("server_capex_fraction", server_capex_fraction)
    return _out(p * n * (1.0 + f))


@V.checked(
    price_per_accelerator=V.NON_NEGATIVE,
    count=V.NON_NEGATIVE,
    hours=V.NON_NEGATIVE,
    cost_of_capital=V.between(0, 1),
    lifetime_years=V.between(0.01, 1000),
    server_capex_fraction=V.NON_NEGATIVE,
    hours_per_year=V.POSITIVE,
)
def owned_hardware_cost(
    price_per_accelerator,
    count,
    hours,
    cost_of_capital=DEFAULTS.cost_of_capital,
    lifetime_years=DEFAULTS.lifetime_years,
    server_capex_fraction=DEFAULTS.server_capex_fraction,
    hours_per_year=DEFAULTS.hours_per_year,
):
    """Amortised hardware cost of using ``count`` owned accelerators for ``hours``.

    References: as :func:`capital_recovery_factor` and :func:`accelerator_capex`.
    """
    capex = accelerator_capex(price_per_accelerator, count, server_capex_fraction)
    return _out(
        np.asarray(capex_per_hour(capex, cost_of_capital, lifetime_years, hours_per_year))
        * _non_negative("hours", hours)
    )


@V.checked(price_per_accelerator_hour=V.NON_NEGATIVE, count=V.NON_NEGATIVE, hours=V.NON_NEGATIVE)
def rental_cost(price_per_accelerator_hour, count, hours):
    """Cost of renting ``count`` accelerators for ``hours`` at a per-accelerator-hour price.

    Any per-accelerator-hour price works: a cloud list price, a reserved rate or a marketplace quote.

    References: on-demand accelerator pricing as published by the clouds, e.g. Google Cloud TPU
    pricing, https://cloud.google.com/tpu/pricing (the per-chip-hour basis this function follows).
    """
    return _out(
        _non_negative("price_per_accelerator_hour", price_per_accelerator_hour)
        * _non_negative("count", count)
        * _non_negative("hours", hours)
    )


@V.checked(total_cost=V.NON_NEGATIVE, tokens=V.POSITIVE)
def cost_per_million_tokens(total_cost, tokens):
    """Cost per million tokens (trained or served): total / tokens x 1e6.

    References: the per-token pricing unit of LLM APIs; training cost per token as in Epoch AI,
    "The rising costs of training frontier AI models" (Cottier et al. 2024, arXiv:2405.21015).
    """
    c = _non_negative("total_cost", total_cost)
    t = _arr("tokens", tokens)
    if np.any(t <= 0):
        raise InputError(f"tokens must be positive, got {tokens!r}")
    return _out(c / t * 1e6)
