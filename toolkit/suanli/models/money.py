"""Currencies: CNY and USD, converted at an explicit, dated rate.

A converted number is only as good as its rate and date, so the rate is a value with a source,
not a hidden constant: :data:`CNY_PER_USD` says which day's central parity it is, and every
conversion can be given another rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from suanli import validate as V
from suanli.errors import InputError
from suanli.spec import Source

CURRENCIES = ("USD", "CNY")
"""The currencies suanli reports in. Both are first-class: a result is in the currency asked for."""


@dataclass(frozen=True)
class ExchangeRate:
    """``cny_per_usd`` yuan for one US dollar, as published on ``date``."""

    cny_per_usd: float
    date: str
    source: Source

    def __post_init__(self) -> None:
        if not (isinstance(self.cny_per_usd, (int, float)) and np.isfinite(self.cny_per_usd) and self.cny_per_usd > 0):
            raise InputError(f"an exchange rate must be a positive number of CNY per USD, got {self.cny_per_usd!r}")

    def as_dict(self) -> dict:
        return {"cny_per_usd": self.cny_per_usd, "date": self.date, "source": self.source.as_dict()}


CNY_PER_USD = ExchangeRate(
    cny_per_usd=7.1161,
    date="2025-08-25",
    source=Source(
        citation="CFETS central parity rate of the renminbi against the US dollar, 2025-08-25 (7.1161), as reported by MENAFN citing CFETS data",
        url="https://menafn.com/1109970016/Chinese-Edges-Higher-Against-US-Dollar",
        date="2025-08-25",
        confidence="press",
        note="one day's fixing; the yuan trades within 2% of it. On 2024-11-25 the fixing was 7.1918.",
    ),
)
"""The default rate: the China Foreign Exchange Trade System central parity of 2025-08-25."""


def check_currency(currency: str) -> str:
    """The currency code upper-cased; :class:`InputError` if it is not USD or CNY."""
    code = str(currency).strip().upper()
    if code not in CURRENCIES:
        raise InputError(f"unknown currency {currency!r}; use one of {', '.join(CURRENCIES)}")
    return code


@V.checked(
    amount=V.FINITE, from_currency=V.TEXT, to_currency=V.TEXT, rate=V.instance(ExchangeRate, what="an ExchangeRate")
)
def convert(amount, from_currency: str, to_currency: str, rate: ExchangeRate = CNY_PER_USD):
    """``amount`` in ``from_currency`` expressed in ``to_currency`` at ``rate`` (broadcasts).

    References: CFETS central parity (the rate's own source, see :data:`CNY_PER_USD`).
    """
    src, dst = check_currency(from_currency), check_currency(to_currency)
    value = np.asarray(amount, dtype=float)
    if src != dst:
        value = value * rate.cny_per_usd if src == "USD" else value / rate.cny_per_usd
    return float(value) if value.ndim == 0 else value
