"""Engine expressions that parse text values and say why a value is rejected.

Each parser returns the typed value (null when invalid) and a reason (null when valid),
so validation runs in the engine over all rows at once and every failure keeps its
reason (METRICS.md §1: rejected with a reason, never coerced).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from revenue_retention.errors import RejectReason
from revenue_retention.money import MONEY, MONEY_SCALE

__all__ = ["MAX_INTEGER_DIGITS", "Parsed", "parse_amount", "parse_date", "text_of"]

_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$"
#: Zeros past the sixth place change nothing, so ``10.5000000`` is exact and accepted.
_FITS_SCALE = rf"^[+-]?[0-9]*(\.[0-9]{{0,{MONEY_SCALE}}}0*)?$"
#: Amounts below 10^18: far beyond any real MRR, and small enough that sums of billions
#: of rows still fit DECIMAL(38, 6) without overflow.
MAX_INTEGER_DIGITS = 18
_FITS_PRECISION = rf"^[+-]?0*[0-9]{{0,{MAX_INTEGER_DIGITS}}}(\.[0-9]*)?$"
_MONTH_ONLY = r"^[0-9]{4}-[0-9]{1,2}$"
_DATE_PREFIX = r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})([ T][0-9:.]*(Z|[+-][0-9:]+)?)?$"


@dataclass(frozen=True)
class Parsed:
    """A parsed column: its typed value and the reason it is invalid (null if valid)."""

    value: ir.Value
    reason: ir.StringValue


def text_of(column: ir.Value) -> ir.StringValue:
    """The column as trimmed text, null when empty; typed columns are printed first."""
    text = column if column.type().is_string() else column.cast("string")
    trimmed = text.strip()
    return ibis.ifelse(trimmed == "", ibis.null("string"), trimmed)


def parse_amount(column: ir.Value) -> Parsed:
    """Parse a plain decimal amount (``1200``, ``1200.5``, ``-0``), exact to six places.

    Thousands separators, currency symbols and exponents are rejected here rather
    than guessed at: a value that needs interpretation is not silently interpreted.
    """
    text = text_of(column)
    reason = ibis.cases(
        (text.isnull(), RejectReason.MISSING_AMOUNT.value),
        (~text.re_search(_NUMBER), RejectReason.INVALID_AMOUNT.value),
        (~text.re_search(_FITS_PRECISION), RejectReason.AMOUNT_TOO_LARGE.value),
        (~text.re_search(_FITS_SCALE), RejectReason.TOO_MANY_DECIMALS.value),
        else_=ibis.null("string"),
    )
    value = ibis.ifelse(reason.isnull(), text.try_cast(MONEY), ibis.null(MONEY))
    negative = value < 0
    reason = ibis.ifelse(negative.fill_null(False), RejectReason.NEGATIVE_AMOUNT.value, reason)
    return Parsed(value=value, reason=reason)


def parse_date(column: ir.Value, *, required: bool = True) -> Parsed:
    """Parse an ISO date (``YYYY-MM-DD``, optionally with a time) or a month (``YYYY-MM``).

    A month parses to its first day. With ``required=False`` an empty value is valid
    and parses to null (an open-ended subscription).
    """
    if column.type().is_date():
        return Parsed(
            value=column,
            reason=ibis.ifelse(
                column.isnull() & required, RejectReason.MISSING_DATE.value, ibis.null("string")
            ),
        )
    text = text_of(column)
    iso = ibis.cases(
        (text.re_search(_MONTH_ONLY), text.concat("-01")),
        (text.re_search(_DATE_PREFIX), text.re_extract(_DATE_PREFIX, 1)),
        else_=ibis.null("string"),
    )
    value = iso.try_cast("date")
    missing = RejectReason.MISSING_DATE.value if required else None
    reason = ibis.cases(
        (text.isnull(), ibis.literal(missing, type="string")),
        (value.isnull(), RejectReason.INVALID_DATE.value),
        else_=ibis.null("string"),
    )
    return Parsed(value=value, reason=reason)
