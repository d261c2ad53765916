"""How a whole file writes its amounts and dates, decided once from all its values.

A value such as ``1,234`` or ``03/04/2024`` reads two ways; which one a file means shows
in its other values (``1,234.50`` has a decimal point; ``25/04/2024`` puts the day
first). Such a choice is made for the whole file from every value of its columns, in one
query, and reported as a warning; a value that still reads two ways is rejected
(``ambiguous_amount``, ``ambiguous_date``), never guessed one value at a time.

A clean file never pays for this: values are first read the plain way (``1200.50``,
``2024-01-31``), and only when some of them fail that way is the file looked at again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import ibis.expr.types as ir

from revenue_retention.canonical.columns import ColumnMap
from revenue_retention.canonical.currency import Currency
from revenue_retention.canonical.parse import (
    DateOrder,
    DecimalStyle,
    date_order,
    date_order_evidence,
    decimal_style,
    display_evidence,
    is_display_number,
    is_other_date,
    text_of,
)
from revenue_retention.errors import RejectReason

__all__ = ["AMOUNT_ROLES", "DATE_ROLES", "Readings", "decide", "initial"]

DATE_ROLES = ("month", "start_date", "end_date", "invoice_date", "trial_end", "cancelled_at")
AMOUNT_ROLES = ("mrr", "quantity", "unit_price")
#: Reasons a date in another form than ISO gets before the file is read with them.
_DATE_TRIGGERS = (RejectReason.AMBIGUOUS_DATE, RejectReason.INVALID_DATE)
_ORDERS = {"dmy": "day first (DD/MM/YYYY)", "mdy": "month first (MM/DD/YYYY)"}


@dataclass(frozen=True)
class Readings:
    """The file-wide choices validation reads values with."""

    #: Amounts in a spreadsheet's display format (``$1,234.50``, ``(100)``) are read.
    display: bool = False
    #: Their decimal separator, when ``display`` (see ``parse.decimal_style``).
    style: DecimalStyle = None
    #: Dates in other forms than ISO are read (``31 Jan 2024``, ``01/02/2024``).
    other_dates: bool = False
    #: The order of day and month in ``01/02/2024``-style dates (``parse.DateOrder``).
    order: DateOrder = None
    #: Whether the user chose the separator and the order (then never decided again).
    style_given: bool = False
    order_given: bool = False
    #: What was decided from the values, for the report's warnings.
    notes: tuple[str, ...] = ()
    #: Without a currency column: each row's currency, from what its amount names, when
    #: rows are in different currencies or are converted (``canonical.currency``).
    currency: Currency | None = None


def initial(
    cmap: ColumnMap, decimal_separator: str | None, order: str | None, cube_style: DecimalStyle
) -> Readings:
    """The readings before any value is seen: the options', and a cube's display format."""
    given_style = decimal_style(0, 0, decimal_separator) if decimal_separator else None
    given_order = date_order(0, 0, order) if order else None
    given = order is not None
    if cmap.layout == "wide":
        return Readings(True, cube_style, given, given_order, True, given)
    # An export's amounts (Stripe) are plain: its rules are about what they mean.
    display = decimal_separator is not None and cmap.rules is None
    return Readings(display, given_style, given, given_order, display, given)


def _text_roles(table: ir.Table, cmap: ColumnMap, roles: tuple[str, ...]) -> dict[str, str]:
    """The roles among ``roles`` whose column is text (typed columns need no reading)."""
    present = {r: cmap.roles[r] for r in roles if r in cmap.roles}
    return {r: column for r, column in present.items() if table[column].type().is_string()}


def decide(
    table: ir.Table, cmap: ColumnMap, readings: Readings, by_reason: Mapping[str, int]
) -> Readings | None:
    """New readings when the rejected values show how the file writes them, else None.

    ``by_reason`` counts the rows rejected with the current readings; ``table`` holds
    the source's rows (a cube's unpivoted cells). One aggregate over every value of the
    date and amount columns gives the evidence.
    """
    dates, amounts = _undecided(table, cmap, readings, by_reason)
    if not dates and not amounts:
        return None
    measures = _date_measures(table, dates) | _amount_measures(table, amounts)
    found: dict[str, Any] = table.aggregate(**measures).to_pyarrow().to_pylist()[0]
    notes = list(readings.notes)
    changed = _dates_decided(readings, dates, found, notes)
    changed = _amounts_decided(changed, amounts, found, notes)
    if changed == readings:
        return None
    return replace(changed, notes=tuple(notes))


def _dates_decided(
    readings: Readings, dates: Mapping[str, str], found: Mapping[str, Any], notes: list[str]
) -> Readings:
    """Dates in other forms read, in the order their values show (a note says which)."""
    if not dates or not any(found[f"{r}_other"] for r in dates):
        return readings
    day = sum(found[f"{r}_dmy"] or 0 for r in dates)
    month = sum(found[f"{r}_mdy"] or 0 for r in dates)
    order = date_order(day, month, None)
    if order is not None:
        notes.append(_order_note(order, dates, dict(found)))
    return replace(readings, other_dates=True, order=order)


def _amounts_decided(
    readings: Readings, amounts: Mapping[str, str], found: Mapping[str, Any], notes: list[str]
) -> Readings:
    """Amounts in a display format read, with the separator their values show."""
    if not amounts or not any(found[f"{r}_shown"] for r in amounts):
        return readings
    point = sum(found[f"{r}_point"] or 0 for r in amounts)
    comma = sum(found[f"{r}_comma"] or 0 for r in amounts)
    style = decimal_style(point, comma, None)
    notes.append(_display_note(style, amounts, dict(found)))
    return replace(readings, display=True, style=style)


def _undecided(
    table: ir.Table, cmap: ColumnMap, readings: Readings, by_reason: Mapping[str, int]
) -> tuple[dict[str, str], dict[str, str]]:
    """The text date and amount columns still to decide, when rejected rows point at them."""
    dates = {} if readings.other_dates else _text_roles(table, cmap, DATE_ROLES)
    amounts = (
        {} if readings.display or cmap.rules is not None else _text_roles(table, cmap, AMOUNT_ROLES)
    )
    if not any(by_reason.get(r.value) for r in _DATE_TRIGGERS):
        dates = {}
    if not by_reason.get(RejectReason.INVALID_AMOUNT.value):
        amounts = {}
    return dates, amounts


def _date_measures(table: ir.Table, dates: Mapping[str, str]) -> dict[str, ir.Value]:
    """How each date column writes its dates: other forms, day or month first, examples."""
    measures: dict[str, ir.Value] = {}
    for role, column in dates.items():
        text = text_of(table[column])
        day, month, either = date_order_evidence(text)
        measures |= {
            f"{role}_other": is_other_date(text).fill_null(False).sum(),
            f"{role}_dmy": day.sum(),
            f"{role}_mdy": month.sum(),
            f"{role}_either": either.sum(),
            f"{role}_dmy_e": text.min(where=day),
            f"{role}_mdy_e": text.min(where=month),
            f"{role}_either_e": text.min(where=either),
        }
    return measures


def _amount_measures(table: ir.Table, amounts: Mapping[str, str]) -> dict[str, ir.Value]:
    """How each amount column writes its amounts: display numbers, their separators."""
    measures: dict[str, ir.Value] = {}
    for role, column in amounts.items():
        text = text_of(table[column])
        point, comma = display_evidence(text)
        shown = is_display_number(text).fill_null(False)
        measures |= {
            f"{role}_point": point.sum(),
            f"{role}_comma": comma.sum(),
            f"{role}_shown": shown.sum(),
            f"{role}_shown_e": text.min(where=shown),
        }
    return measures


def _example(found: dict[str, Any], roles: Mapping[str, str], key: str) -> str:
    for role, column in roles.items():
        if found.get(f"{role}_{key}_e") is not None:
            return f"{found[f'{role}_{key}_e']!r} in column {column!r}"
    return ""


def _order_note(order: str, dates: Mapping[str, str], found: dict[str, Any]) -> str:
    either = sum(found[f"{r}_either"] or 0 for r in dates)
    if order == "mixed":
        return (
            f"the dates mix day-first (e.g. {_example(found, dates, 'dmy')}) and month-first "
            f"(e.g. {_example(found, dates, 'mdy')}) writing: each is read the only way it "
            f"can be, and the {either:,} that read both ways are rejected (ambiguous_date); "
            "write dates as YYYY-MM-DD, or say which with --date-order"
        )
    count = sum(found[f"{r}_{order}"] or 0 for r in dates)
    return (
        f"dates such as 03/04/2024 are read {_ORDERS[order]}, as {count:,} date(s) of the "
        f"file can only be read that way (e.g. {_example(found, dates, order)}); "
        f"{either:,} read both ways and follow them. Say otherwise with --date-order"
    )


def _display_note(style: DecimalStyle, amounts: Mapping[str, str], found: dict[str, Any]) -> str:
    shown = sum(found[f"{r}_shown"] or 0 for r in amounts)
    separator = {
        ".": "'.' is the decimal separator, as the values show",
        ",": "',' is the decimal separator, as the values show",
        "mixed": "the values use both '.' and ',' as decimal separators: each is read the "
        "only way it can be",
    }.get(style or "", "no value shows which of '.' and ',' is the decimal separator")
    return (
        f"{shown:,} amount(s) are written for display (e.g. {_example(found, amounts, 'shown')}): "
        f"currency signs and spaces are dropped, (100) is -100, and {separator}; one that "
        "reads two ways (1,234) is rejected (ambiguous_amount). Say which with "
        "--decimal-separator"
    )
