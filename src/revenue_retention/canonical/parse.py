"""Engine expressions that parse trimmed text values and say why a value is rejected.

Validation runs in the engine over all rows at once, in stages that each name their
columns (text, then values, then reasons), so that no expression is repeated inside
another: every row is matched against each pattern once. A reason is null when the
value is valid (METRICS.md §1: rejected with a reason, never coerced).
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from revenue_retention.errors import RejectReason
from revenue_retention.money import MONEY, MONEY_SCALE

__all__ = [
    "MAX_INTEGER_DIGITS",
    "PARSED",
    "amount_syntax_reason",
    "amount_value",
    "date_reason",
    "date_value",
    "is_blank",
    "negative_reason",
    "text_of",
    "typed_amount",
    "typed_date",
    "typed_date_reason",
]

_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$"
#: Zeros past the sixth place change nothing, so ``10.5000000`` is exact and accepted.
_FITS_SCALE = rf"^[+-]?[0-9]*(\.[0-9]{{0,{MONEY_SCALE}}}0*)?$"
#: Amounts below 10^12 per row: far beyond any real MRR, small enough that sums of
#: 10^20 rows still fit DECIMAL(38, 6), and small enough to parse as DECIMAL(18, 6).
MAX_INTEGER_DIGITS = 12
#: Text is parsed at the narrow width, then widened: exact for every accepted amount, and
#: DuckDB parses text into 64-bit decimals about 100 times faster than into 128-bit ones.
PARSED = dt.Decimal(18, MONEY_SCALE)
_FITS_PRECISION = rf"^[+-]?0*[0-9]{{0,{MAX_INTEGER_DIGITS}}}(\.[0-9]*)?$"
# Months 1-12 and days 1-31 only: a date out of these ranges never reaches the cast, which
# some engines (PostgreSQL) do not "try" but fail on. Days past a month's end (Feb 30)
# still do; DuckDB and Spark reject those row by row.
_MM = r"(0?[1-9]|1[0-2])"
_DD = r"(0?[1-9]|[12][0-9]|3[01])"
_MONTH_ONLY = rf"^[0-9]{{4}}-{_MM}$"
_YEAR_FIRST = r"^[0-9]{4}[/.][0-9]{1,2}([/.][0-9]{1,2})?$"
_DATE_PREFIX = rf"^([0-9]{{4}}-{_MM}-{_DD})([ T][0-9:.]*(Z|[+-][0-9:]+)?)?$"
_NO_REASON = ibis.null("string")
_SPACES = (" ", "\t", "\n", "\r", "\x0b", "\x0c")


def typed_date(column: ir.Value) -> ir.DateValue | None:
    """A date or timestamp column's date, read as is; None for any other type (parsed as text).

    A typed source (Parquet, a database table) already holds dates: printing them as text
    and parsing them back is most of the cost of loading it.
    """
    kind = column.type()
    if kind.is_date():
        return column
    if kind.is_timestamp():
        return column.date()
    return None


def typed_amount(column: ir.Value) -> tuple[ir.DecimalValue, ir.StringValue] | None:
    """An integer or decimal column's exact amount and reason, or None to parse it as text.

    Decimals with more than six places are parsed as text, where the check that the extra
    places are zeros already lives; floats too, as their text is what the source meant.
    """
    kind = column.type()
    if not (kind.is_integer() or (kind.is_decimal() and (kind.scale or 0) <= MONEY_SCALE)):
        return None
    integer_digits = (
        kind.precision - (kind.scale or 0)
        if kind.is_decimal() and kind.precision is not None
        else 38
    )
    too_large: ir.BooleanValue = ibis.literal(False)
    if integer_digits > MAX_INTEGER_DIGITS:
        too_large = (column.abs() >= 10**MAX_INTEGER_DIGITS).fill_null(False)
    # Too large a value is replaced before the cast, so that no engine overflows on it.
    fitting = ibis.ifelse(too_large, 0, column).cast(PARSED).cast(MONEY)
    value = ibis.ifelse(too_large, ibis.null(MONEY), fitting)
    reason = ibis.cases(
        (column.isnull(), RejectReason.MISSING_AMOUNT.value),
        (too_large, RejectReason.AMOUNT_TOO_LARGE.value),
        else_=_NO_REASON,
    )
    return value, reason


def is_blank(column: ir.Value) -> ir.BooleanValue:
    """Whether a value is missing: null, or text of white space only.

    Trimming every value costs a large share of validating a typed file, so only text
    that starts or ends with white space (rare) is trimmed to decide.
    """
    if not column.type().is_string():
        return column.isnull()
    edges = column.substr(0, 1).isin(_SPACES) | column.right(1).isin(_SPACES)
    return column.isnull() | (column == "") | (edges & text_of(column).isnull())


def text_of(column: ir.Value) -> ir.StringValue:
    """The column as trimmed text, null when empty; typed columns are printed first."""
    text = column if column.type().is_string() else column.cast("string")
    trimmed = text.strip()
    return ibis.ifelse(trimmed == "", ibis.null("string"), trimmed)


def amount_syntax_reason(text: ir.StringValue) -> ir.StringValue:
    """Why trimmed text is not a plain decimal amount (``1200``, ``1200.5``, ``-0``), if it is not.

    Thousands separators, currency symbols and exponents are rejected rather than
    guessed at: a value that needs interpretation is not silently interpreted.
    """
    return ibis.cases(
        (text.isnull(), RejectReason.MISSING_AMOUNT.value),
        (~text.re_search(_NUMBER), RejectReason.INVALID_AMOUNT.value),
        (~text.re_search(_FITS_PRECISION), RejectReason.AMOUNT_TOO_LARGE.value),
        (~text.re_search(_FITS_SCALE), RejectReason.TOO_MANY_DECIMALS.value),
        else_=_NO_REASON,
    )


def amount_value(text: ir.StringValue, syntax_reason: ir.StringValue) -> ir.DecimalValue:
    """The exact amount of text whose syntax is valid, else null."""
    return ibis.ifelse(syntax_reason.isnull(), text.try_cast(PARSED).cast(MONEY), ibis.null(MONEY))


def negative_reason(value: ir.DecimalValue, reason: ir.StringValue) -> ir.StringValue:
    """The reason, or ``negative_amount`` for a valid amount below zero."""
    return ibis.ifelse((value < 0).fill_null(False), RejectReason.NEGATIVE_AMOUNT.value, reason)


def date_value(text: ir.StringValue) -> ir.DateValue:
    """An ISO date (``YYYY-MM-DD``, optionally with a time) or month (``YYYY-MM``, its 1st day).

    Year-first dates with slashes or dots (``2024/01/31``, ``2024.01``) are unambiguous and
    read the same way; day-first or month-first forms (``01/02/2024``) are not guessed.
    """
    text = ibis.ifelse(text.re_search(_YEAR_FIRST), text.re_replace(r"[/.]", "-"), text)
    iso = ibis.cases(
        (text.re_search(_MONTH_ONLY), text.concat("-01")),
        (text.re_search(_DATE_PREFIX), text.re_extract(_DATE_PREFIX, 1)),
        else_=ibis.null("string"),
    )
    value = iso.try_cast("date")
    # Year 0 parses in some engines but is no calendar year (a placeholder in exports).
    return ibis.ifelse(value.year() >= 1, value, ibis.null("date"))


def date_reason(text: ir.StringValue, value: ir.DateValue, *, required: bool) -> ir.StringValue:
    """Why a date is rejected; an empty optional date (an open end) is valid."""
    missing = RejectReason.MISSING_DATE.value if required else None
    return ibis.cases(
        (text.isnull(), ibis.literal(missing, type="string")),
        (value.isnull(), RejectReason.INVALID_DATE.value),
        else_=_NO_REASON,
    )


def typed_date_reason(value: ir.DateValue, *, required: bool) -> ir.StringValue:
    """Why a typed date is rejected: missing when required, or before year 1."""
    missing = RejectReason.MISSING_DATE.value if required else None
    return ibis.cases(
        (value.isnull(), ibis.literal(missing, type="string")),
        (value.year() < 1, RejectReason.INVALID_DATE.value),
        else_=_NO_REASON,
    )
