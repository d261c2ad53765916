"""The wide revenue cube: one row per customer, one column per month, unpivoted in the engine.

Which columns are months is read from the header (a handful of names, parsed here in
Python); the cells themselves are unpivoted into (customer, month, amount) rows by the
engine (``pivot_longer``, DuckDB's UNPIVOT), each keeping its line and the name of its
column so that a bad cell is reported where it is. Blank cells are 0 (METRICS.md §1: a
month without revenue has MRR 0).

Month headers: ``2024-01``, ``2024/01``, ``2024-01-31`` (any day, time allowed),
``202401``, ``Jan 2024``, ``January 2024``, ``Jan-24``, ``2024 Jan``, ``01/2024``, and
``1/31/2024`` or ``31/1/2024`` when the header as a whole reads one way only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical import notices
from revenue_retention.canonical.counts import Counts
from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.canonical.layouts.base import RowsLayout
from revenue_retention.canonical.parse import DecimalStyle, decimal_style, display_evidence, text_of
from revenue_retention.engine import LINE_COLUMN
from revenue_retention.errors import SourceError
from revenue_retention.periods import MONTH_NAMES, month_index, month_label

if TYPE_CHECKING:
    from revenue_retention.canonical.columns import ColumnMap
    from revenue_retention.canonical.rejected import Locator
    from revenue_retention.inputs import Raw

__all__ = ["AMOUNT", "MONTH", "SOURCE_COLUMN", "Wide", "month_columns", "unpivot"]

#: Columns of the unpivoted table: the month (``YYYY-MM`` text), the cell's text and the
#: header of the column it came from.
MONTH = "_rr_month"
AMOUNT = "_rr_amount"
SOURCE_COLUMN = "_rr_source_column"

_NAME = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2})(?:[ T][0-9:.]+)?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_NAME_YEAR = re.compile(rf"^({_NAME})\.?[\s\-'/.]*('?\d{{2}}|\d{{4}})$", re.IGNORECASE)
_YEAR_NAME = re.compile(rf"^(\d{{4}})[\s\-/.]*({_NAME})\.?$", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _valid(year: int, month: int, day: int = 1) -> int | None:
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2200):
        return None
    return month_index(year, month)


def _unambiguous(name: str) -> int | None:
    """The month a header names on its own, or None."""
    text = name.strip()
    if m := _YEAR_FIRST.match(text):
        return _valid(int(m[1]), int(m[2]), int(m[3] or 1))
    if m := _COMPACT.match(text):
        return _valid(int(m[1]), int(m[2]))
    if m := _NAME_YEAR.match(text):
        year = m[2].lstrip("'")
        return _valid(int(year) + (2000 if len(year) == 2 else 0), MONTH_NAMES[m[1].lower()])
    if m := _YEAR_NAME.match(text):
        return _valid(int(m[1]), MONTH_NAMES[m[2].lower()])
    if m := _MONTH_YEAR.match(text):
        return _valid(int(m[2]), int(m[1]))
    return None


def month_columns(header: Sequence[str], path: str) -> dict[str, int]:
    """The header's month columns and the month each names, in header order.

    ``1/2/2024``-style dates are read month-first or day-first, whichever reads every
    such header as a different valid month; when both or neither do, the file is
    refused rather than guessed.

    >>> {k: month_label(v) for k, v in month_columns(["id", "Jan 2024", "2024-02"], "x").items()}
    {'Jan 2024': '2024-01', '2024-02': '2024-02'}
    """
    found: dict[str, int] = {}
    for name in header:
        month = _unambiguous(name)
        if month is not None:
            found[name] = month
    slashed = {name: _SLASHED.match(name.strip()) for name in header if name not in found}
    dated = {name: m for name, m in slashed.items() if m}
    if dated:
        found |= _slashed_months(dated, path)
    ordered = {name: found[name] for name in header if name in found}
    _refuse_repeated_months(ordered, path)
    return ordered


def _slashed_months(dated: dict[str, re.Match[str]], path: str) -> dict[str, int]:
    """``1/2/2024``-style headers read the one way that gives every one a different month."""
    readings: list[dict[str, int]] = []
    for order in ("month-first", "day-first"):
        months: dict[str, int | None] = {}
        for name, match in dated.items():
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            number, day = (first, second) if order == "month-first" else (second, first)
            months[name] = _valid(year, number, day)
        values = list(months.values())
        if None not in values and len(set(values)) == len(values):
            readings.append({name: m for name, m in months.items() if m is not None})
    if len(readings) != 1:
        raise SourceError(
            path,
            f"the month columns {', '.join(map(repr, list(dated)[:3]))} read as valid "
            f"months both month-first and day-first (or neither); rename them YYYY-MM",
        )
    return readings[0]


def _refuse_repeated_months(ordered: dict[str, int], path: str) -> None:
    """Two columns naming the same month are refused: which one holds its revenue?"""
    seen: dict[int, str] = {}
    for name, month in ordered.items():
        if month in seen:
            raise SourceError(
                path,
                f"columns {seen[month]!r} and {name!r} are the same month "
                f"{month_label(month)}; keep one",
            )
        seen[month] = name


def unpivot(table: ir.Table, months: dict[str, int], keep: Sequence[str]) -> ir.Table:
    """One row per (row, month column): ``keep`` columns, ``MONTH``, ``AMOUNT``, ``SOURCE_COLUMN``.

    Blank cells become ``"0"``: a month without revenue has MRR 0 (§1).
    """
    text = table.select(*keep, **{name: table[name].cast("string") for name in months})
    long = text.pivot_longer(list(months), names_to=SOURCE_COLUMN, values_to=AMOUNT)
    label = ibis.cases(
        *[(long[SOURCE_COLUMN] == name, month_label(m)) for name, m in months.items()],
        else_=ibis.null("string"),
    )
    trimmed = long[AMOUNT].strip()
    return long.mutate(
        **{MONTH: label, AMOUNT: ibis.ifelse(trimmed.fill_null("") == "", "0", long[AMOUNT])}
    )


#: Customer names of a cube's totals rows.
_TOTAL_ROWS = ("total", "totals", "grand total", "sum", "total mrr", "total revenue")


class Wide(RowsLayout):
    """A revenue cube: unpivoted into customer-months, its cells read as display text."""

    name = "wide"
    sums_in_one_scan = False
    reads_typed = False
    names_amount_column = False

    def rows(self, table: ir.Table, cmap: ColumnMap) -> ir.Table:
        keep = [LINE_COLUMN, cmap.roles["customer_id"]]
        keep += [cmap.source_of(a) for a in cmap.attributes]
        table = table.filter(~_is_total(table, cmap))
        return unpivot(table, dict(cmap.months), keep)

    def decimal_style(self, rows: ir.Table, given: str | None) -> DecimalStyle | None:
        if given is not None:
            return decimal_style(0, 0, given)
        point, comma = display_evidence(text_of(rows[AMOUNT]))
        found = rows.aggregate(point=point.sum(), comma=comma.sum()).to_pyarrow().to_pylist()[0]
        return decimal_style(found["point"] or 0, found["comma"] or 0, None)

    def id_columns(self) -> bool:
        return False  # a cube's rows are compared as the source wrote them

    def records(self, raw: Raw, locator: Locator, counts: Counts) -> int:
        """The records of a file as read (a cube's rows, before they are unpivoted)."""
        read = raw.fast.count().to_pyarrow().as_py()
        return int(read) + sum(locator.counts().values())

    def columns_read(self, cmap: ColumnMap) -> dict[str, str]:
        """A cube names its span of month columns."""
        names = list(cmap.months)
        span = names[0] if len(names) == 1 else f"{names[0]} .. {names[-1]}"
        return {
            "customer_id": cmap.roles["customer_id"],
            "months": f"{span} ({len(names)} columns)",
        }

    def column_named(self, rows: ir.Table, cmap: ColumnMap, role: str) -> ir.Value:
        """In a cube, an amount's column is the month's own."""
        if role == "mrr":
            return rows[SOURCE_COLUMN]
        return super().column_named(rows, cmap, role)

    def amount_column(self, cmap: ColumnMap) -> str:
        return "the month columns"

    def source_warnings(self, raw: Raw, cmap: ColumnMap) -> list[str]:
        table = raw.table
        found = table.filter(_is_total(table, cmap)).select(LINE_COLUMN).to_pyarrow()
        lines = sorted(found[LINE_COLUMN].to_pylist())
        if not lines:
            return []
        where = ", ".join(str(n) for n in lines[:5])
        return [
            f"{len(lines)} totals row(s) not read as customers (line {where}): "
            "a cube's 'Total' row sums the customers above it"
        ]

    def repeats(
        self, raw: Raw, accepted: ir.Table, values: Sequence[str], snapshot: Snapshot
    ) -> list[str] | None:
        fast = raw.fast
        return notices.duplicate_rows(fast, [c for c in fast.columns if c != LINE_COLUMN])


def _is_total(table: ir.Table, cmap: ColumnMap) -> ir.BooleanValue:
    """A cube's totals row ("Total", "Grand total"): a sum of customers, not one."""
    name = text_of(table[cmap.roles["customer_id"]]).lower()
    return name.isin(list(_TOTAL_ROWS)).fill_null(False)
