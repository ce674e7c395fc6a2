"""One price per chip: the single place every command and scenario asks what an accelerator costs.

A chip may carry a purchase quote in USD, one in CNY, or both (``price_usd``, ``price_cny``), and
rental quotes per accelerator-hour (``rental_usd_per_hour``, ``rental_cny_per_hour``). Before this
module each command picked its own: ``substitute`` took the USD quote and converted it, ``compat``
took the quote in the currency asked for, so the same H20 cost 85,393 CNY in one and 110,000 in the
other. Here one rule picks the quote (:func:`quote_field`) and one dated rate converts it
(:data:`suanli.models.money.CNY_PER_USD`), and every caller gets the same :class:`Price`, which says
which quote it is, its source and date, and the rate used.

The rule: the quote with the better source confidence (datasheet > measured > paper > press >
estimate); on a tie, the more recent source date; on a tie, USD (the currency of the international
quotes the catalog's sources mostly are).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from suanli.errors import InputError
from suanli.models.money import CNY_PER_USD, ExchangeRate, check_currency, convert
from suanli.spec import Source

BASES = {
    "purchase": (("price_usd", "USD"), ("price_cny", "CNY")),
    "rental": (("rental_usd_per_hour", "USD"), ("rental_cny_per_hour", "CNY")),
}
"""The two price bases and the catalog fields that hold each, per currency."""

_CONFIDENCE_RANK = {"datasheet": 0, "measured": 1, "paper": 2, "gov": 2, "press": 3, "community": 4, "estimate": 5}


@dataclass(frozen=True)
class Price:
    """A chip's price in one currency: the quote it came from, its source and the rate that converted it."""

    chip: str
    basis: str
    value: float
    currency: str
    quote_field: str
    quote_value: float
    quote_currency: str
    source: Source | None
    rate: ExchangeRate | None
    low: float | None = None
    high: float | None = None

    @property
    def quote_date(self) -> str:
        """The date of the quote's source ('undated' when the source gives none)."""
        return (self.source.date if self.source is not None else "") or "undated"

    @property
    def converted(self) -> bool:
        return self.quote_currency != self.currency

    @property
    def unit(self) -> str:
        return self.currency if self.basis == "purchase" else f"{self.currency}/accelerator-hour"

    def note(self) -> str:
        """One sentence: what the number is and where it comes from."""
        what = f"{self.chip} {self.basis} price {self.value:,.2f} {self.unit}"
        src = (
            f" ({self.source.citation}, {self.source.date or 'undated'}, {self.source.confidence})"
            if self.source
            else ""
        )
        if not self.converted:
            return f"{what} from the catalog's {self.quote_field}{src}"
        return (
            f"{what}: the catalog's {self.quote_field} {self.quote_value:,.2f} converted at "
            f"{self.rate.cny_per_usd} CNY/USD ({self.rate.date}){src}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "chip": self.chip,
            "basis": self.basis,
            "value": self.value,
            "currency": self.currency,
            "quote_field": self.quote_field,
            "quote_value": self.quote_value,
            "quote_currency": self.quote_currency,
            "quote_date": self.quote_date,
            "range": None if self.low is None else [self.low, self.high],
            "source": self.source.as_dict() if self.source else None,
            "rate": self.rate.as_dict() if self.rate else None,
        }


def _given(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def quote_field(accelerator, basis: str = "purchase") -> tuple[str, str] | None:
    """The catalog field (and its currency) that prices ``accelerator`` on ``basis``, or None if none does.

    Better source confidence first, then the more recent source date, then USD.
    """
    if basis not in BASES:
        raise InputError(f"unknown price basis {basis!r}; use one of {', '.join(BASES)}")
    sources = getattr(accelerator, "sources", {}) or {}
    quotes = [(f, c) for f, c in BASES[basis] if _given(getattr(accelerator, f, None))]
    if not quotes:
        return None

    def key(item):
        field, ccy = item
        src = sources.get(field)
        rank = _CONFIDENCE_RANK.get(getattr(src, "confidence", "estimate"), 9)
        date = str(getattr(src, "date", "") or "")
        return (rank, _negate(date), 0 if ccy == "USD" else 1)

    return min(quotes, key=key)


def _negate(date: str) -> tuple:
    """Sort key putting later ISO-ish dates first."""
    return tuple(-ord(ch) for ch in date)


def chip_price(
    accelerator, currency: str = "USD", basis: str = "purchase", rate: ExchangeRate = CNY_PER_USD
) -> Price | None:
    """The one price of ``accelerator`` in ``currency`` on ``basis`` ('purchase' or 'rental' per hour).

    None when the catalog has no quote on that basis. A quote in the other currency is converted at
    ``rate`` (the dated CFETS central parity by default).

    References: the chip's own catalog source for the quote; CFETS central parity for the rate
    (:data:`suanli.models.money.CNY_PER_USD`).
    """
    ccy = check_currency(currency)
    picked = quote_field(accelerator, basis)
    if picked is None:
        return None
    field, quote_ccy = picked
    quote = float(getattr(accelerator, field))
    value = float(convert(quote, quote_ccy, ccy, rate))
    low = high = None
    ranges = getattr(accelerator, "ranges", {}) or {}
    if field in ranges:
        lo, hi = ranges[field]
        low, high = float(convert(lo, quote_ccy, ccy, rate)), float(convert(hi, quote_ccy, ccy, rate))
    sources = getattr(accelerator, "sources", {}) or {}
    return Price(
        accelerator.id,
        basis,
        value,
        ccy,
        field,
        quote,
        quote_ccy,
        sources.get(field),
        rate if quote_ccy != ccy else None,
        low,
        high,
    )


def price_value(accelerator, currency: str = "USD", basis: str = "purchase") -> float | None:
    """Just the number of :func:`chip_price` (None when the chip has no quote on that basis)."""
    p = chip_price(accelerator, currency, basis)
    return None if p is None else p.value


def has_price(accelerator, basis: str = "purchase") -> bool:
    """Whether the catalog prices ``accelerator`` on ``basis``."""
    return quote_field(accelerator, basis) is not None
