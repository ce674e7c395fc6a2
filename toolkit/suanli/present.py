"""How suanli shows a number to a person: one policy for the CLI, the widgets and the notebooks.

    >>> from suanli import present
    >>> present.money(2.39e9, "CNY"), present.money(9_110_000, "USD"), present.count(9000.0)
    ('2.39 bn CNY', '9.11 M USD', '9,000')
    >>> present.number(1550783.069369), present.quantity(2022, "year"), present.days(5.37032)
    ('1,550,000', '2022', '5.4 days')
    >>> present.scaled(300e9), present.scaled(15.6e12)
    ('300B', '15.6T')

The policy:

- **Significant figures, not decimals.** A result is shown to :data:`DIGITS` (3) significant figures:
  the models are not better than that, and ``508,744,578`` claims a precision no input has.
  Thousands are separated by commas; a number is never shown in scientific notation between 1e-4
  and 1e15 (outside it, ``1.2e+16``: such values are counts of FLOPs, not amounts a person reads).
- **Inputs as published.** A catalog number shown as data (``suanli show``) keeps up to
  :data:`INPUT_DIGITS` (6) figures: the datasheet's 989.4 is not rounded to 989.
- **Money always names its currency**, and from a million up takes an engineering suffix
  (``9.11 M CNY``, ``2.39 bn CNY``, ``1.2 tn USD``); never scientific notation.
  :func:`cost_label` names what a cost covers (capex, amortised or rental, plus electricity).
- **Counts are whole numbers** (chips, servers, racks, layouts): ``9,000``, never ``9000.0``.
- **A unit follows its number** (``32.6 days``, ``10.2 MW``); a year is a label (``2022``), not a
  quantity with separators.
- **A blank says why**: :data:`MISSING` (``-``) for a value that does not exist; callers add the
  reason next to it (``no BF16 units``, ``no fleet meets the deadline``).
- **Ranges** are shown as the central value, then P10-P90 and P50 (:func:`range_text`); when the
  central (nominal) value lies outside P10-P90, the text says it is the nominal case, so a reader
  does not take it for the middle of the spread.

Nothing here computes a model; it only turns numbers into text (and HTML tables for widgets).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from suanli.errors import InputError, shown

DIGITS = 3
"""Significant figures of every shown result (money, quantities, table cells)."""

INPUT_DIGITS = 6
"""Significant figures of a catalog input shown as data (a datasheet's 989.4 TFLOP/s stays 989.4)."""

MISSING = "-"
"""What a table shows for a value that does not exist (the row's reasons say why)."""

SCIENTIFIC_ABOVE = 1e15
SCIENTIFIC_BELOW = 1e-4

MONEY_SUFFIXES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"))
"""Engineering suffixes for money: trillion, billion (``bn``, the financial press's), million."""

COST_BASES = {
    "capex": "capex (fleet bought)",
    "amortised": "amortised (fleet owned, depreciation over the run)",
    "rental": "rental (hourly price, power included)",
}
"""What each cost basis means, as a label."""

COUNT_UNITS = frozenset(
    {
        "chips",
        "chip",
        "accelerators",
        "servers",
        "racks",
        "layouts",
        "samples",
        "count",
        "ports",
        "gpus",
        "devices",
        "nodes",
        "sequences",
    }
)
"""Units whose quantities are whole numbers."""


class Shown(str):
    """Text that stands for a number: tables right-align it like one."""

    numeric = True


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        or hasattr(value, "dtype")
        and getattr(value, "ndim", 1) == 0
        and value.dtype.kind in "iuf"
    )


def _digits(digits: Any) -> int:
    """Significant figures: a whole number from 1 to 17 (a float64 holds no more)."""
    from suanli.validate import whole

    return whole("digits", digits, minimum=1, maximum=17)


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise InputError(f"a result key is text, got {shown(key)}")
    return key


def _rows_and_columns(rows: Any, columns: Any) -> tuple[list, list[str]]:
    """``rows`` as a list of mappings and ``columns`` as a list of keys (text), or one sentence."""
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence):
        raise InputError(f"rows must be a list of mappings (one per row), got {shown(rows)}")
    if not all(isinstance(r, Mapping) for r in rows):
        raise InputError("rows must be a list of mappings (one per row); one of them is not")
    if isinstance(columns, (str, bytes, Mapping)) or not hasattr(columns, "__iter__"):
        raise InputError(f"columns must be a list of keys, got {shown(columns)}")
    columns = list(columns)
    if not all(isinstance(c, str) for c in columns):
        raise InputError(f"columns must be keys (text), got {shown(columns)}")
    return list(rows), columns


def _labels(labels: Any) -> Mapping:
    if labels is None:
        return {}
    if not isinstance(labels, Mapping):
        raise InputError(f"labels must map keys to column titles, got {shown(labels)}")
    return labels


def _ranged(result: Any):
    """A ranged result (an UncertainEstimate or UncertainCost): it has point(), summary() and input_table()."""
    if not all(callable(getattr(result, m, None)) for m in ("point", "summary", "input_table")):
        raise InputError(f"result must be a ranged result (suanli.uncertain_estimate(...)), got {shown(result)}")
    return result


def _finite(value: Any) -> bool:
    return _is_number(value) and math.isfinite(float(value))


def significant(value: float, digits: int = DIGITS) -> float:
    """``value`` rounded to ``digits`` significant figures (0 stays 0)."""
    digits = _digits(digits)
    if not _is_number(value):
        raise InputError(f"value must be a number, got {shown(value)}")
    x = float(value)
    if x == 0 or not math.isfinite(x):
        return x
    if abs(x) > 1e300:  # rounding at a negative number of decimals overflows near the float limit
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def number(value: Any, digits: int = DIGITS) -> str:
    """A plain number: ``digits`` significant figures, thousands separators, no scientific notation
    between 1e-4 and 1e15; a whole number (an int, or a float with no fraction: a count however it was
    stored) is shown whole, never as ``9000.0``."""
    digits = _digits(digits)
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not _is_number(value):
        return str(value)
    x = float(value)
    if not math.isfinite(x):
        return MISSING
    if x == 0:
        return "0"
    if abs(x) >= SCIENTIFIC_ABOVE or abs(x) < SCIENTIFIC_BELOW:
        return f"{x:.{digits - 1}e}"
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu") or x == int(x):
        return f"{int(x):,}"  # a whole number (a count, however it was stored) is shown whole
    r = significant(x, digits)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(r))))
    text = f"{r:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def count(value: Any) -> str:
    """A whole number of things (chips, servers, racks): ``9,000``; a fractional count is rounded up
    (half a rack is a rack). Missing or non-finite values give :data:`MISSING`."""
    if value is None or not _finite(value):
        return MISSING
    x = float(value)
    return f"{math.ceil(x - 1e-9) if x != int(x) else int(x):,}"


def money(value: Any, currency: str, digits: int = DIGITS) -> str:
    """Money with its currency: ``9.11 M CNY``, ``2.39 bn CNY``, ``12,300 USD``, ``0.358 CNY``."""
    digits = _digits(digits)
    if not isinstance(currency, str) or not currency:
        raise InputError(f"money needs a currency (text such as 'CNY'), got {shown(currency)}")
    if value is None or not _finite(value):
        return f"{MISSING} {currency}"
    x = float(value)
    for scale, suffix in MONEY_SUFFIXES:
        if abs(significant(x, digits)) >= scale:
            return f"{number(significant(x / scale, digits), digits)} {suffix} {currency}"
    return f"{number(significant(x, digits), digits)} {currency}"


def quantity(value: Any, unit: str = "", digits: int = DIGITS) -> str:
    """A number with its unit: ``32.6 days``, ``10.2 MW``; a ``year`` is a label (``2022``); a
    count unit (chips, servers, ...) gives a whole number."""
    if not isinstance(unit, str):
        raise InputError(f"unit must be text (a unit's symbol), got {unit!r}")
    digits = _digits(digits)
    unit = unit or ""
    if not isinstance(unit, str):
        raise InputError(f"unit must be text, got {shown(unit)}")
    if unit in ("year", "years") and _finite(value) and float(value) == int(value) and float(value) > 1000:
        return str(int(value))
    if unit.lower() in COUNT_UNITS:
        text = count(value)
    else:
        text = number(value, digits)
    return f"{text} {unit}".rstrip() if text != MISSING else MISSING


def days(value: Any, digits: int = 2) -> str:
    """Training days: ``5.4 days``, ``32.6 days``, ``1,230 days`` (two significant figures under 10)."""
    digits = _digits(digits)
    if value is None or not _finite(value):
        return MISSING
    x = float(value)
    return f"{number(x, digits if abs(x) < 10 else DIGITS)} day{'' if x == 1 else 's'}"


SCALE_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
"""The field's suffixes for token and parameter counts (300B tokens, 70B parameters)."""


def _suffixed(value: Any, suffixes: Sequence[tuple[float, str]], digits: int, sep: str = "", below: str = "") -> str:
    """``value`` over the largest scale it reaches, with that scale's suffix (``below`` under the smallest)."""
    if value is None or not _finite(value):
        return MISSING
    x = float(value)
    for scale, suffix in suffixes:
        if abs(significant(x, digits)) >= scale:
            return f"{number(significant(x / scale, digits), digits)}{sep}{suffix}"
    return f"{number(x, digits)}{below}"


def scaled(value: Any, digits: int = DIGITS) -> str:
    """A large count the way the field writes it: ``300B`` tokens, ``15.6T`` tokens, ``70B`` parameters."""
    digits = _digits(digits)
    return _suffixed(value, SCALE_SUFFIXES, digits)


BYTE_SUFFIXES = ((1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB"))
"""Decimal (SI) suffixes for sizes in bytes, as nccl-tests and datasheets print them."""


def size_bytes(value: Any, digits: int = DIGITS) -> str:
    """A size in bytes with its SI suffix: ``64e3`` -> ``64 kB``, ``4e9`` -> ``4 GB``."""
    digits = _digits(digits)
    return _suffixed(value, BYTE_SUFFIXES, digits, sep=" ", below=" B")


SCALE_WORDS = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12, "p": 1e15}


def parse_scaled(text: str) -> float:
    """A count as people type it, the inverse of :func:`scaled`: ``300B``, ``2T``, ``1.5 t``, ``70M``,
    ``3e11``, ``1,000,000``. Raises ``ValueError`` with a sentence saying what is accepted."""
    raw = str(text).strip().replace(",", "").replace("_", "")
    factor = 1.0
    if raw and raw[-1].lower() in SCALE_WORDS:
        factor, raw = SCALE_WORDS[raw[-1].lower()], raw[:-1].strip()
    try:
        value = float(raw) * factor
    except ValueError:
        raise InputError(f"{str(text).strip()!r} is not a number: write e.g. 300B, 2T, 1.5T or 3e11") from None
    if not math.isfinite(value):
        raise InputError(f"{str(text).strip()!r} is not a finite number")
    return value


def percent(value: Any, digits: int = DIGITS) -> str:
    """A fraction as a percentage: ``0.4321`` -> ``43.2%``."""
    digits = _digits(digits)
    if value is None or not _finite(value):
        return MISSING
    return f"{number(float(value) * 100, digits)}%"


def cell(value: Any) -> str:
    """One table cell: booleans as yes/no, ints with separators, floats to significant figures, None as ``-``."""
    if isinstance(value, Shown):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value) or MISSING
    return number(value)


def cost_label(basis: str | None, includes: Sequence[str] | None = None, currency: str | None = None) -> str:
    """What a cost is: ``cost = capex (fleet bought) + electricity, in CNY``.

    ``includes`` lists what the cost covers (e.g. ``["capex", "electricity"]``, as the substitution rows
    carry it); without it, the basis alone is named.
    """
    if includes is not None and (isinstance(includes, (str, bytes)) or not isinstance(includes, (list, tuple))):
        raise InputError(f"includes must be a list of what the cost covers, got {shown(includes)}")
    parts = list(includes) if includes else ([basis] if basis else [])
    if not all(isinstance(p, str) for p in parts):
        raise InputError(f"the cost basis and what it includes are words, got {shown(parts)}")
    named = [COST_BASES.get(p, p) for p in parts]
    text = "cost = " + " + ".join(named) if named else "cost"
    return text + (f", in {currency}" if currency else "")


def range_text(point: Any, p: Mapping[str, float], fmt=None) -> str:
    """``24.6 (P10-P90 18.9 - 30.0, P50 24.8)``; when the central value lies outside P10-P90 it says
    that it is the nominal case (all inputs at their central values), not the middle of the spread."""
    if fmt is not None and not callable(fmt):
        raise InputError(f"fmt must be a function that formats a number, got {shown(fmt)}")
    if not isinstance(p, Mapping) or not all(_is_number(p.get(k)) for k in ("p10", "p50", "p90")):
        raise InputError(f"p must map p10, p50 and p90 to numbers, got {shown(p)}")
    if not _is_number(point):
        raise InputError(f"point must be a number, got {shown(point)}")
    f = fmt or number
    text = f"{f(float(point))}  (P10-P90 {f(p['p10'])} - {f(p['p90'])}, P50 {f(p['p50'])})"
    if _finite(point) and not (min(p["p10"], p["p90"]) <= float(point) <= max(p["p10"], p["p90"])):
        text += "  [central = nominal case, outside P10-P90]"
    return text


def probability(p: float) -> str:
    """A probability for people: ``87%``; ``< 1%`` / ``> 99%`` at the ends (a Monte Carlo estimate is
    never exactly 0 or 1)."""
    if p is None or not _finite(p):
        return MISSING
    if p < 0.01:
        return "< 1%"
    if p > 0.99:
        return "> 99%"
    return f"{p:.0%}"


def format_value(value: Any, key: str = "", currency: str | None = None, digits: int = DIGITS) -> str:
    """A value shown by what its key says it is: ``*_days`` as days, counts as counts, money keys
    (``cost``, ``capex``, ``*_cost``, ``price``) in ``currency``; everything else as :func:`cell`."""
    digits = _digits(digits)
    k = _key(key).lower()
    if value is None or isinstance(value, (bool, str, Shown)) or not _is_number(value):
        return cell(value)
    if currency and is_money_key(k):
        return money(value, currency, digits)
    if is_count_key(k):
        return count(value)
    if is_scaled_key(k):
        return scaled(value, digits)
    return number(value, digits)


MONEY_WORDS = frozenset({"cost", "capex", "price", "budget", "opex", "tco", "spend"})
CURRENCY_WORDS = frozenset({"usd", "cny"})
COUNT_WORDS = frozenset({"chips", "count", "racks", "servers", "layouts", "samples", "devices", "nodes", "ports"})
LAYOUT_KEYS = frozenset({"tp", "pp", "dp", "ep", "zero", "micro_batch", "interleave", "global_batch"})
NOT_COUNT_WORDS = frozenset({"per", "share", "fraction", "days", "s", "hours"})


def is_money_key(key: str) -> bool:
    """A key that holds money, read from its words: a currency anywhere (``cost_usd``, ``rental_usd_per_hour``),
    a money word last (``total_cost``, ``unit_price``, ``capex``) or first in a rate (``price_per_kwh``,
    ``cost_per_million_tokens``); ``equal_cost_chips`` and ``equal_cost_days`` are not money."""
    key = _key(key)
    words = key.lower().split("_")
    return (
        bool(CURRENCY_WORDS & set(words))
        or words[-1] in MONEY_WORDS
        or (words[0] in MONEY_WORDS and ("per" in words or words[-1] == "kwh"))
    )


SCALED_WORDS = frozenset({"params", "parameters", "tokens"})
SCALED_KEYS = frozenset({"n_opt", "d_opt"})


def is_scaled_key(key: str) -> bool:
    """A key that holds a parameter or token count, shown with the field's suffixes (``n_opt`` 72.2B,
    ``d_opt`` 1.33T, ``tokens`` 300B); not a rate or a ratio (``tokens_per_param``, ``tokens_per_s``)."""
    key = _key(key)
    k = key.lower()
    words = k.split("_")
    return k in SCALED_KEYS or (words[-1] in SCALED_WORDS and "per" not in words)


def is_count_key(key: str) -> bool:
    """A key that holds a whole number of things (``chips_needed``, ``equal_cost_chips``, ``racks``, ``tp``);
    not a ratio or a time (``chips_per_reference_chip``, ``count_share``)."""
    key = _key(key)
    k = key.lower()
    words = k.split("_")
    if k in LAYOUT_KEYS:
        return True
    return (words[-1] in COUNT_WORDS or words[0] in COUNT_WORDS) and not NOT_COUNT_WORDS & set(words)


def table_cells(
    rows: Sequence[Mapping[str, Any]], columns: Iterable[str], currency: str | None = None, digits: int = DIGITS
) -> list[list[str]]:
    """Every cell of a table as text, by :func:`format_value` (the key decides money and counts)."""
    digits = _digits(digits)
    rows, columns = _rows_and_columns(rows, columns)
    return [[format_value(row.get(c), c, row.get("currency") or currency, digits) for c in columns] for row in rows]


def frame(
    rows: Sequence[Mapping[str, Any]],
    columns: Iterable[str],
    *,
    currency: str | None = None,
    labels: Mapping[str, str] | None = None,
    index: str | None = None,
):
    """A pandas DataFrame of ``rows`` formatted by the same rules as the CLI (text cells), for notebooks:
    ``present.frame(result.rows, ["chip", "chips_needed", "cost"], currency="CNY")``."""
    import pandas as pd

    rows, columns = _rows_and_columns(rows, columns)
    labels = _labels(labels)
    if index is not None and index not in columns:
        raise InputError(f"index must be one of the columns {columns}, got {shown(index)}")
    df = pd.DataFrame(table_cells(rows, columns, currency), columns=[labels.get(c, c) for c in columns])
    return df.set_index(labels.get(index, index)) if index else df


def html_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Iterable[str],
    *,
    title: str | None = None,
    currency: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """A titled HTML table of ``rows`` formatted by the same rules as the CLI (for widgets and dashboards)."""
    if title is not None and not isinstance(title, str):
        raise InputError(f"title must be text, got {shown(title)}")
    rows, columns = _rows_and_columns(rows, columns)
    labels = _labels(labels)
    cells = table_cells(rows, columns, currency)
    numeric = [
        all(_is_number(r.get(c)) or r.get(c) is None or isinstance(r.get(c), Shown) for r in rows) for c in columns
    ]
    head = "".join(
        f"<th style='text-align:{'right' if n else 'left'};padding:2px 8px'>{html.escape(labels.get(c, c))}</th>"
        for c, n in zip(columns, numeric)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='text-align:{'right' if n else 'left'};padding:2px 8px'>{html.escape(v)}</td>"
            for v, n in zip(r, numeric)
        )
        + "</tr>"
        for r in cells
    )
    caption = (
        f"<caption style='text-align:left;font-weight:bold;padding:4px 0'>{html.escape(title)}</caption>"
        if title
        else ""
    )
    return (
        f"<table style='border-collapse:collapse'>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


# Ranged results (P10/P50/P90 and their tornado), shown the same by every face


def _range_number(value: Any) -> str:
    return number(float(value)) if value is not None else ""


def percentile_rows(result) -> list[dict[str, Any]]:
    """One row per ranged output: central (the point estimate), P10, P50, P90 and P90/P10."""
    point, summary = _ranged(result).point(), result.summary()
    rows = []
    for name, p in summary.items():
        if name not in point:
            continue
        rows.append(
            {
                "output": name,
                "central": point[name],
                **p,
                "p90_over_p10": p["p90"] / p["p10"] if p["p10"] else float("nan"),
            }
        )
    return rows


def summary_html(result, top: int = 6) -> str:
    """The percentile table and, for each tornado computed, its leading inputs, as HTML."""
    from suanli.validate import whole

    top = whole("top", top, minimum=0)
    head = "".join(f"<th>{h}</th>" for h in ("output", "central", "P10", "P50", "P90"))
    rows = percentile_rows(result)

    def central(r) -> str:  # a central value outside P10-P90 is the nominal case, not the middle of the spread
        outside = not min(r["p10"], r["p90"]) <= r["central"] <= max(r["p10"], r["p90"])
        return _range_number(r["central"]) + (" *" if outside else "")

    body = "".join(
        f"<tr><td>{html.escape(r['output'])}</td><td>{central(r)}</td>"
        + "".join(f"<td>{_range_number(r[k])}</td>" for k in ("p10", "p50", "p90"))
        + "</tr>"
        for r in rows
    )
    starred = any(central(r).endswith("*") for r in rows)
    parts = [
        (
            f"<table><caption style='text-align:left;font-weight:bold'>Ranges ({result.ranged.n:,} samples, seed "
            f"{result.ranged.seed})</caption><tr>{head}</tr>{body}</table>"
            + (
                "<div style='font-size:90%;color:#555'>* central = the nominal case (every input at its central "
                "value), outside P10-P90</div>"
                if starred
                else ""
            )
        )
    ]
    for output, rows in result.tornado.items():
        items = "".join(
            f"<li>{html.escape(r['input'])}: {_range_number(r['output_low'])} .. {_range_number(r['output_high'])}</li>"
            for r in rows[:top]
            if r["swing"] > 0
        )
        if items:
            parts.append(f"<b>What drives {html.escape(output)}</b> (input at P10 .. P90)<ul>{items}</ul>")
    return "<div>" + "".join(parts) + "</div>"


def inputs_html(result) -> str:
    """The inputs of a ranged run: central, P10, P90, unit, why that range, confidence and source."""
    cols = ("input", "value", "p10", "p90", "unit", "basis", "confidence", "citation")
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{_range_number(r[c]) if c in ('value', 'p10', 'p90') else html.escape(str(r[c]))}</td>" for c in cols
        )
        + "</tr>"
        for r in _ranged(result).input_table()
    )
    return f"<table style='font-size:90%'><tr>{head}</tr>{body}</table>"


def signed_percent(value: Any, digits: int = 2) -> str:
    """A signed relative error as a percentage: ``-0.123`` -> ``-12%``, ``0.031`` -> ``+3.1%``."""
    digits = _digits(digits)
    if value is None or not _finite(value):
        return MISSING
    x = float(value) * 100
    text = number(abs(x), digits) if abs(x) >= 0.005 else "0"
    return f"{'-' if x < 0 and text != '0' else '+'}{text}%"


def scientific(value: Any, digits: int = DIGITS) -> str:
    """A count of FLOPs the way the papers print it: ``5.76e23`` (no ``+``, no padded exponent)."""
    digits = _digits(digits)
    if value is None or not _finite(value):
        return MISSING
    mantissa, exponent = f"{float(value):.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


COLUMN_FORMATS = {
    "number": number,
    "count": count,
    "days": days,
    "percent": percent,
    "signed_percent": signed_percent,
    "scaled": scaled,
    "scientific": scientific,
    "probability": probability,
    "text": lambda v: MISSING if v is None else str(v),
    "year": lambda v: quantity(v, "year"),
    "input": lambda v: number(v, INPUT_DIGITS),
}
"""Named column formats for :func:`table` (``formats={"mfu": "percent"}``); ``money`` needs a currency."""


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""  # an empty text cell holds nothing either
    if isinstance(value, (list, tuple, dict)):
        return False
    try:
        return bool(value != value)  # noqa: PLR0124  (NaN, NaT, pd.NA are not equal to themselves)
    except (TypeError, ValueError):
        return False


def _column_formatter(key: str, how: Any, currency: str | None, digits: int):
    if callable(how):
        return lambda v, row: MISSING if _missing(v) else how(v)
    if how == "money":
        if not currency:
            raise InputError(f"column {key!r} is money: give the table a currency")
        return lambda v, row: money(None if _missing(v) else v, row.get("currency") or currency, digits)
    if how is not None:
        if how not in COLUMN_FORMATS:
            raise InputError(f"unknown column format {how!r}; known: money, {', '.join(sorted(COLUMN_FORMATS))}")
        f = COLUMN_FORMATS[how]
        return lambda v, row: MISSING if _missing(v) else f(v)
    return lambda v, row: format_value(None if _missing(v) else v, key, row.get("currency") or currency, digits)


class Table:
    """A titled table of text cells, formatted by the policy above: what :func:`table` returns.

    It shows itself in a notebook as an HTML table with its title as caption (numbers right-aligned), and
    as plain text (title, then the cells) where there is no HTML, e.g. in a checked nbval output.
    ``frame`` is the text DataFrame; ``notes`` says which columns were left out because they held nothing.
    """

    def __init__(self, title: str, frame, numeric: Sequence[bool], notes: Sequence[str] = ()):
        self.title, self.frame, self.numeric, self.notes = title, frame, list(numeric), list(notes)

    def __repr__(self) -> str:
        lines = [self.title, self.frame.to_string()] + list(self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        df = self.frame
        has_index = not (type(df.index).__name__ == "RangeIndex" and df.index.name is None)
        names = ["" if n is None else n for n in df.index.names] if has_index else []
        head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(str(n))}</th>" for n in names)
        head += "".join(
            f"<th style='text-align:{'right' if n else 'left'};padding:2px 8px'>{html.escape(str(c))}</th>"
            for c, n in zip(df.columns, self.numeric)
        )
        body = []
        for key, row in zip(df.index, df.itertuples(index=False)):
            keys = (key if isinstance(key, tuple) else (key,)) if has_index else ()
            cells = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(str(k))}</th>" for k in keys)
            cells += "".join(
                f"<td style='text-align:{'right' if n else 'left'};padding:2px 8px'>{html.escape(str(v))}</td>"
                for v, n in zip(row, self.numeric)
            )
            body.append(f"<tr>{cells}</tr>")
        caption = f"<caption style='text-align:left;font-weight:bold;padding:4px 0'>{html.escape(self.title)}</caption>"
        notes = "".join(f"<div style='font-size:smaller'>{html.escape(n)}</div>" for n in self.notes)
        return (
            f"<table style='border-collapse:collapse'>{caption}<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{notes}"
        )


def table(
    data,
    *,
    title: str,
    columns: Iterable[str] | None = None,
    currency: str | None = None,
    formats: Mapping[str, Any] | str | None = None,
    labels: Mapping[str, str] | None = None,
    index: str | Sequence[str] | None = None,
    by_row: str | None = None,
    digits: int = DIGITS,
    drop_empty: bool = True,
) -> Table:
    """A titled table for a notebook, every cell formatted by the policy above.

    ``data`` is a DataFrame (its named index is kept), a list of row mappings or a mapping of column
    lists. Each column is formatted by what its key says it holds (:func:`format_value`: money keys in
    ``currency``, or in a row's own ``currency`` column; counts whole; token and parameter counts with
    the field's suffixes), unless ``formats`` names a format for it: one of :data:`COLUMN_FORMATS`,
    ``"money"``, or a function of the value (a single name formats every numeric column). ``labels`` renames columns for the reader (e.g. with their
    unit: ``{"step_s": "step (s)"}``). A column with no value in any row is left out and named in a note
    (``drop_empty``), so a table never shows a column of blanks without saying why. When each row is one
    quantity (P10/P50/P90 of several outputs), ``by_row`` names the column whose value says what the
    row's numbers are (``by_row="output"``: a ``total_cost`` row is money, a ``chips`` row a count).

        >>> t = table([{"chip": "a", "chips": 9000.0, "cost": 2.39e9, "mfu": 0.4123, "note": None}],
        ...           title="Fleets", currency="CNY", formats={"mfu": "percent"})
        >>> print(t)
        Fleets
          chip  chips         cost    mfu
        0    a  9,000  2.39 bn CNY  41.2%
        no values: note
    """
    import pandas as pd

    digits = _digits(digits)
    if not isinstance(title, str):
        raise InputError(f"title must be text, got {shown(title)}")
    if not isinstance(data, pd.DataFrame):
        if not isinstance(data, Mapping):
            _rows_and_columns(data, [])
        try:
            data = pd.DataFrame(data)
        except ValueError as err:
            raise InputError(f"data cannot be a table: {err}") from None
    df = data
    if index is not None:
        wanted = [index] if isinstance(index, str) else index
        if not isinstance(wanted, (list, tuple)) or not all(isinstance(k, str) and k in df.columns for k in wanted):
            raise InputError(
                f"index must name columns of the table ({', '.join(map(str, df.columns))}), got {shown(index)}"
            )
        df = df.set_index(index)
    has_index = not (isinstance(df.index, pd.RangeIndex) and df.index.name is None)
    if columns is not None:
        _, columns = _rows_and_columns([], columns)
        absent = [c for c in columns if c not in df.columns and c not in df.index.names]
        if absent:
            raise InputError(f"columns names columns the table does not have: {', '.join(absent)}")
        df = df[[c for c in columns if c not in df.index.names]]
    if formats is not None and not isinstance(formats, (str, Mapping)):
        raise InputError(f"formats must be one format name or map columns to formats, got {shown(formats)}")
    labels = _labels(labels)
    if by_row is not None and not isinstance(by_row, str):
        raise InputError(f"by_row must name a column, got {shown(by_row)}")
    if isinstance(formats, str):  # one format for every numeric column
        formats = {c: formats for c in df.columns if df[c].map(lambda v: _missing(v) or _is_number(v)).all()}
    formats, labels = dict(formats or {}), dict(labels or {})
    if by_row is None:
        row_keys = [None] * len(df)
    elif by_row in df.columns:
        row_keys = [str(k) for k in df[by_row]]
    elif by_row in df.index.names:
        row_keys = [str(k) for k in df.index.get_level_values(by_row)]
    else:
        raise InputError(f"by_row names {by_row!r}, which is neither a column nor the index")
    rows_named = set(row_keys) - {None}
    unknown = (set(formats) | set(labels)) - set(map(str, df.columns)) - set(map(str, df.index.names)) - rows_named
    if unknown:
        raise InputError(
            f"formats or labels name columns the table does not have: {', '.join(sorted(map(str, unknown)))}"
        )
    records = df.to_dict("records")
    out, numeric, empty = {}, [], []
    for c in df.columns:
        values = df[c].tolist()
        if drop_empty and all(_missing(v) for v in values):
            empty.append(str(c))
            continue
        if by_row is not None and c != by_row and c not in formats:
            cells = [
                _column_formatter(k, formats.get(k), currency, digits)(v, r)
                for v, r, k in zip(values, records, row_keys)
            ]
        else:
            cells = [_column_formatter(str(c), formats.get(c), currency, digits)(v, r) for v, r in zip(values, records)]
        out[labels.get(c, c)] = cells
        numeric.append(all(_missing(v) or _is_number(v) or isinstance(v, Shown) for v in values))
    index_values = df.index.map(lambda k: tuple(cell(x) for x in k) if isinstance(k, tuple) else cell(k))
    text = pd.DataFrame(out, index=pd.MultiIndex.from_tuples(index_values) if df.index.nlevels > 1 else index_values)
    text = text if has_index else text.reset_index(drop=True)
    if has_index:
        text.index = text.index.rename(
            [labels.get(n, n) for n in df.index.names]
            if df.index.nlevels > 1
            else labels.get(df.index.name, df.index.name)
        )
    notes = [f"no values: {', '.join(empty)}"] if empty else []
    return Table(title, text, numeric, notes)
