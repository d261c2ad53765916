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

from revenue_retention.errors import OptionError, RejectReason
from revenue_retention.money import MONEY, MONEY_SCALE

__all__ = [
    "MAX_INTEGER_DIGITS",
    "PARSED",
    "DecimalStyle",
    "amount_syntax_reason",
    "amount_value",
    "date_reason",
    "date_value",
    "display_amount",
    "display_evidence",
    "is_blank",
    "negative_reason",
    "text_of",
    "typed_amount",
    "typed_date",
    "typed_date_reason",
]

#: How a display-format amount writes its decimals: ``"."`` (1,234.56), ``","``
#: (1.234,56), ``None`` when the file does not show it, ``"mixed"`` when it shows both.
DecimalStyle = str | None

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


# Display-format amounts (a spreadsheet's ``$1,234.50``, ``(1.234,50 EUR)``): the symbols
# are dropped, parentheses mean minus, and the separators are read only when they can be
# read one way. ``1,234`` is 1234 with a decimal point and 1.234 with a decimal comma, so it
# is read only when the file (or --decimal-separator) says which; ``1.234`` is a plain
# decimal unless the file writes decimal commas.
_SYMBOLS = r"[\s\x{00a0}\x{202f}$\x{20ac}\x{00a3}\x{00a5}\x{20b9}]"
_CODE = r"^[A-Z]{3}|[A-Z]{3}$"
_POINT_GROUPED = r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"
_COMMA_GROUPED = r"^[+-]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]*)?$"
_COMMA_DECIMAL = r"^[+-]?[0-9]*,[0-9]+$"
_ONE_GROUP_COMMA = r"^[+-]?[0-9]{1,3},[0-9]{3}$"
_ONE_GROUP_POINT = r"^[+-]?[0-9]{1,3}\.[0-9]{3}$"


def _bare(text: ir.StringValue) -> ir.StringValue:
    """Text without currency symbols, codes and spaces; ``(x)`` as ``-x``."""
    stripped = text.re_replace(_SYMBOLS, "").re_replace(_CODE, "")
    signed = ibis.ifelse(
        stripped.re_search(r"^\(.*\)$"), "-" + stripped.re_replace(r"^\((.*)\)$", r"\1"), stripped
    )
    # "-$5" and "$-5" both end up "-5"; nothing left means the text was not an amount.
    # A lone dash is how accounting formats show zero ("$ -").
    return ibis.cases((signed == "", text), (signed == "-", "0"), else_=signed)


def display_evidence(text: ir.StringValue) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """Whether a value shows a decimal point, and whether it shows a decimal comma."""
    bare = _bare(text)
    point = bare.re_search(_POINT_GROUPED) & ~bare.re_search(_ONE_GROUP_COMMA)
    comma = (bare.re_search(_COMMA_GROUPED) & ~bare.re_search(_ONE_GROUP_POINT)) | (
        bare.re_search(_COMMA_DECIMAL) & ~bare.re_search(_ONE_GROUP_COMMA)
    )
    return point, comma


def decimal_style(point_values: int, comma_values: int, given: str | None) -> DecimalStyle:
    """The file's decimal separator: the one given, else the one its values show.

    >>> decimal_style(3, 0, None), decimal_style(0, 0, None), decimal_style(1, 1, None)
    ('.', None, 'mixed')
    """
    if given is not None:
        if given not in (".", ","):
            raise OptionError("--decimal-separator", given, "must be '.' or ','")
        return given
    if point_values and comma_values:
        return "mixed"
    if point_values:
        return "."
    return "," if comma_values else None


def display_amount(
    text: ir.StringValue, style: DecimalStyle
) -> tuple[ir.StringValue, ir.BooleanValue]:
    """A display-format amount as plain decimal text, and whether it is ambiguous.

    The plain text then goes through ``amount_syntax_reason`` like any amount.
    """
    bare = _bare(text)
    point_grouped = bare.re_search(_POINT_GROUPED)
    comma_grouped = bare.re_search(_COMMA_GROUPED)
    comma_decimal = bare.re_search(_COMMA_DECIMAL)
    one_comma = bare.re_search(_ONE_GROUP_COMMA)
    one_point = bare.re_search(_ONE_GROUP_POINT)
    as_point = bare.re_replace(",", "")
    as_comma = bare.re_replace(r"\.", "").re_replace(",", ".")
    if style == ".":
        plain = ibis.ifelse(point_grouped, as_point, bare)
        ambiguous = (comma_grouped & ~one_point) | (comma_decimal & ~one_comma)
    elif style == ",":
        plain = ibis.ifelse(comma_grouped | comma_decimal, as_comma, bare)
        ambiguous = point_grouped & ~one_comma
    else:
        # Unknown or mixed: each value is read by the only style it can have; a lone
        # group of three digits after a comma could be either and is not guessed.
        plain = ibis.cases(
            (one_comma, bare),
            (point_grouped, as_point),
            (comma_grouped & ~one_point, as_comma),
            (comma_decimal, as_comma),
            else_=bare,
        )
        ambiguous = one_comma | (one_point if style == "mixed" else ibis.literal(False))
    return plain, ambiguous
