"""Printing results: JSON for machines, aligned tables for people (formatted by :mod:`suanli.present`)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _plain(value: Any) -> Any:
    """numpy scalars/arrays and non-finite floats made JSON-safe."""
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def print_json(obj: Any, file=None) -> None:
    json.dump(_plain(obj), file or sys.stdout, indent=2, ensure_ascii=False)
    (file or sys.stdout).write("\n")


def format_number(value: Any) -> str:
    """One table cell or field value, by the formatting policy of :mod:`suanli.present`."""
    from suanli.present import cell

    return cell(value)


def print_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Iterable[str],
    file=None,
    currency: str | None = None,
    digits: int | None = None,
) -> None:
    """Rows as an aligned plain-text table: numbers right-aligned, text left-aligned.

    Cells follow :mod:`suanli.present`: counts whole, money (keys such as ``cost``, ``capex``) with
    an engineering suffix in ``currency`` (or the row's own ``currency``), None as ``-``; results to
    :data:`suanli.present.DIGITS` significant figures unless ``digits`` says otherwise (catalog data:
    :data:`suanli.present.INPUT_DIGITS`).
    """
    from suanli.present import DIGITS, table_cells

    columns = list(columns)
    cells = table_cells(rows, columns, currency, digits or DIGITS)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(
            getattr(row.get(c), "numeric", False) or isinstance(row.get(c), (int, float)) or row.get(c) is None
            for row in rows
        )
        for c in columns
    ]
    out = file or sys.stdout

    def line(values):
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        out.write("  ".join(parts).rstrip() + "\n")

    line(columns)
    line(["-" * w for w in widths])
    for r in cells:
        line(r)


def print_fields(pairs: Mapping[str, Any], file=None, currency: str | None = None) -> None:
    """A vertical list of name: value, for one result (money keys in ``currency``, see :mod:`suanli.present`)."""
    from suanli.present import format_value

    out = file or sys.stdout
    width = max((len(k) for k in pairs), default=0)
    for key, value in pairs.items():
        out.write(f"{key.ljust(width)}  {format_value(value, key, currency)}\n")
