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
from revenue_retention.money import MAX_INTEGER_DIGITS, MONEY, MONEY_SCALE
from revenue_retention.periods import MONTH_NAMES

__all__ = [
    "CURRENCY_CODE",
    "CURRENCY_SIGNS",
    "MAX_INTEGER_DIGITS",
    "PARSED",
    "DecimalStyle",
    "amount_syntax_reason",
    "amount_value",
    "date_reason",
    "date_text",
    "date_value",
    "display_amount",
    "display_evidence",
    "is_blank",
    "is_display_number",
    "is_other_date",
    "is_spreadsheet_error",
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
    if integer_digits <= MAX_INTEGER_DIGITS:
        # Every value fits: one cast, no check per row (the common case, e.g. DECIMAL(12,2)).
        missing = ibis.ifelse(column.isnull(), RejectReason.MISSING_AMOUNT.value, _NO_REASON)
        return column.cast(MONEY), missing
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

    Thousands separators and currency symbols are not read here (``display_amount`` reads
    them when a whole column shows how); exponents, NaN and infinities are never read: a
    value that needs interpretation is not silently interpreted. ``-0`` is zero.
    """
    return ibis.cases(
        (text.isnull(), RejectReason.MISSING_AMOUNT.value),
        (~text.re_search(_NUMBER), _not_a_number_reason(text)),
        (~text.re_search(_FITS_PRECISION), RejectReason.AMOUNT_TOO_LARGE.value),
        (~text.re_search(_FITS_SCALE), RejectReason.TOO_MANY_DECIMALS.value),
        else_=_NO_REASON,
    )


#: Excel's (and Google Sheets', LibreOffice's) error values: ``#REF!``, ``#N/A``, ``Err:502``.
_SPREADSHEET_ERROR = r"^(#N/A|#[A-Z][A-Z0-9_/]*[!?]|#GETTING_DATA|Err:[0-9]{3})$"
_EXPONENT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$"
_NON_FINITE = ("nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity")


def is_spreadsheet_error(text: ir.StringValue) -> ir.BooleanValue:
    """Whether trimmed text is a spreadsheet's error value (``#REF!``, ``#N/A``, ``#DIV/0!``)."""
    return text.re_search(_SPREADSHEET_ERROR)


def _not_a_number_reason(text: ir.StringValue) -> ir.StringValue:
    """Why text that is no plain number is rejected (evaluated for such text only)."""
    return ibis.cases(
        (is_spreadsheet_error(text), RejectReason.SPREADSHEET_ERROR.value),
        (text.lower().isin(_NON_FINITE), RejectReason.NOT_A_NUMBER.value),
        (text.re_search(_EXPONENT), RejectReason.EXPONENT.value),
        else_=RejectReason.INVALID_AMOUNT.value,
    )


def amount_value(text: ir.StringValue, syntax_reason: ir.StringValue) -> ir.DecimalValue:
    """The exact amount of text whose syntax is valid, else null."""
    return ibis.ifelse(syntax_reason.isnull(), text.try_cast(PARSED).cast(MONEY), ibis.null(MONEY))


def negative_reason(value: ir.DecimalValue, reason: ir.StringValue) -> ir.StringValue:
    """The reason, or ``negative_amount`` for a valid amount below zero."""
    return ibis.ifelse((value < 0).fill_null(False), RejectReason.NEGATIVE_AMOUNT.value, reason)


#: Dates the tool believes: anything earlier or later is a placeholder or a typo
#: (1900-01-01 for "unknown", 2999-12-31 for "never ends", 2204 for 2024).
FIRST_YEAR = 1980
LAST_YEAR = 2099

#: Which of day and month comes first in ``01/02/2024``-style dates: ``"dmy"``, ``"mdy"``,
#: ``"mixed"`` (the file shows both: each value is read the one way it can be), or None
#: (not known: only values that read the same both ways, such as 05/05/2024, are read).
DateOrder = str | None

_NUMERIC = r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})([ T][0-9:.]*(Z|[+-][0-9:]+)?)?$"
_NAME = "(" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\.?"
#: 31 Jan 2024, 31-Jan-2024; Jan 31, 2024; Jan 2024, January 2024 (lower-cased first).
_DAY_NAME_YEAR = rf"^([0-9]{{1,2}})[ -]{_NAME}[ ,-]+([0-9]{{4}})$"
_NAME_DAY_YEAR = rf"^{_NAME}[ -]([0-9]{{1,2}}),? +([0-9]{{4}})$"
_NAME_YEAR = rf"^{_NAME}[ ,-]+([0-9]{{4}})$"
#: Any year-first date, whatever its month and day: recognised, so a bad one is impossible.
_LOOSE_YEAR_FIRST = r"^[0-9]{4}[-/.][0-9]{1,2}([-/.][0-9]{1,2})?([ T].*)?$"


def _two(number: ir.IntegerValue) -> ir.StringValue:
    return number.cast("string").lpad(2, "0")


def _iso(year: ir.StringValue, month: ir.IntegerValue, day: ir.IntegerValue) -> ir.StringValue:
    """``YYYY-MM-DD`` text, or null when month or day is out of range (never cast, see above)."""
    fits = month.between(1, 12) & day.between(1, 31)
    return ibis.ifelse(fits, year.concat("-", _two(month), "-", _two(day)), ibis.null("string"))


def _numeric_parts(text: ir.StringValue) -> tuple[ir.IntegerValue, ir.IntegerValue, ir.StringValue]:
    """The first and second numbers and the year of a ``01/02/2024``-style date."""
    first = text.re_extract(_NUMERIC, 1).try_cast("int64")
    second = text.re_extract(_NUMERIC, 2).try_cast("int64")
    return first, second, text.re_extract(_NUMERIC, 3)


def _day_first(first: ir.IntegerValue, second: ir.IntegerValue, order: DateOrder) -> ir.Value:
    """Whether a numeric date reads day-first (True), month-first (False), or cannot (null)."""
    either = first == second  # 05/05/2024 is the same date both ways
    if order == "dmy":
        return ibis.literal(True)
    if order == "mdy":
        return ibis.literal(False)
    if order == "mixed":
        return ibis.cases(
            (first > 12, True), (second > 12, False), (either, True), else_=ibis.null("boolean")
        )
    return ibis.ifelse(either, True, ibis.null("boolean"))


def _numeric_iso(text: ir.StringValue, order: DateOrder) -> ir.StringValue:
    first, second, year = _numeric_parts(text)
    day_first = _day_first(first, second, order)
    return ibis.cases(
        (day_first, _iso(year, second, first)),
        (~day_first, _iso(year, first, second)),
        else_=ibis.null("string"),
    )


_ABBREVIATIONS = "janfebmaraprmayjunjulaugsepoctnovdec"


def _month_number(name: ir.StringValue) -> ir.IntegerValue:
    """1 to 12 for a month name the patterns accepted (its first three letters say which)."""
    return ibis.literal(_ABBREVIATIONS).find(name.substr(0, 3)) // 3 + 1


def _named_iso(lower: ir.StringValue) -> ir.StringValue:
    """``YYYY-MM-DD`` of a date that names its month (``31 Jan 2024``, ``Jan 2024``)."""
    return ibis.cases(
        (
            lower.re_search(_DAY_NAME_YEAR),
            _iso(
                lower.re_extract(_DAY_NAME_YEAR, 3),
                _month_number(lower.re_extract(_DAY_NAME_YEAR, 2)),
                lower.re_extract(_DAY_NAME_YEAR, 1).try_cast("int64"),
            ),
        ),
        (
            lower.re_search(_NAME_DAY_YEAR),
            _iso(
                lower.re_extract(_NAME_DAY_YEAR, 3),
                _month_number(lower.re_extract(_NAME_DAY_YEAR, 1)),
                lower.re_extract(_NAME_DAY_YEAR, 2).try_cast("int64"),
            ),
        ),
        (
            lower.re_search(_NAME_YEAR),
            _iso(
                lower.re_extract(_NAME_YEAR, 2),
                _month_number(lower.re_extract(_NAME_YEAR, 1)),
                ibis.literal(1),
            ),
        ),
        else_=ibis.null("string"),
    )


def date_text(text: ir.StringValue) -> ir.StringValue:
    """Trimmed date text with year-first slashes or dots as dashes (``2024/01/31``).

    A stage of its own: ``date_value`` reads the result many times, which must then be a
    column, not this expression written out again each time.
    """
    return ibis.ifelse(text.re_search(_YEAR_FIRST), text.re_replace(r"[/.]", "-"), text)


def date_value(
    text: ir.StringValue, order: DateOrder = None, *, other_forms: bool = False
) -> ir.DateValue:
    """The date of ``date_text``, or null when it is none (``date_reason`` says why).

    Read: an ISO date (``YYYY-MM-DD``, optionally with a time) or month (``YYYY-MM``, its
    1st day) and year-first dates with slashes or dots (``2024/01/31``, ``2024.01``).
    With ``other_forms`` too: dates that name their month (``31 Jan 2024``, ``Jan 31,
    2024``, ``January 2024``), and ``01/02/2024``-style dates in the ``order`` decided for
    the whole file (never guessed per value). A file is read with the ISO forms first;
    only when some of its dates fail is it read again with the others (their patterns
    cost every value that is no ISO date).
    """
    forms = [
        (text.re_search(_MONTH_ONLY), text.concat("-01")),
        (text.re_search(_DATE_PREFIX), text.re_extract(_DATE_PREFIX, 1)),
    ]
    if other_forms:
        forms.append((text.re_search(_NUMERIC), _numeric_iso(text, order)))
    iso = ibis.cases(*forms, else_=_named_iso(text.lower()) if other_forms else _NO_REASON)
    value = iso.try_cast("date")
    # Year 0 parses in some engines but is no calendar year (a placeholder in exports).
    return ibis.ifelse(value.year() >= 1, value, ibis.null("date"))


def _unread_reason(text: ir.StringValue, order: DateOrder, other_forms: bool) -> ir.StringValue:
    """Why text that gave no date gave none (evaluated for such text only).

    Without ``other_forms``, a date in another form is ``ambiguous_date`` or
    ``invalid_date``: reasons that make the loader read the file again with them.
    """
    numeric = text.re_search(_NUMERIC)
    if other_forms:
        first, second, _ = _numeric_parts(text)
        ambiguous = numeric & _day_first(first, second, order).isnull()
        recognised = text.re_search(_LOOSE_YEAR_FIRST) | numeric | _named_month(text.lower())
    else:
        ambiguous = numeric
        recognised = text.re_search(_LOOSE_YEAR_FIRST)
    return ibis.cases(
        (is_spreadsheet_error(text), RejectReason.SPREADSHEET_ERROR.value),
        (ambiguous, RejectReason.AMBIGUOUS_DATE.value),
        (recognised, RejectReason.IMPOSSIBLE_DATE.value),
        else_=RejectReason.INVALID_DATE.value,
    )


def is_other_date(text: ir.StringValue) -> ir.BooleanValue:
    """Whether trimmed text is a date in a form other than ISO that ``date_value`` reads."""
    return text.re_search(_NUMERIC) | _named_month(text.lower())


def _named_month(lower: ir.StringValue) -> ir.BooleanValue:
    return (
        lower.re_search(_DAY_NAME_YEAR)
        | lower.re_search(_NAME_DAY_YEAR)
        | lower.re_search(_NAME_YEAR)
    )


def _out_of_range(value: ir.DateValue) -> ir.BooleanValue:
    return (value.year() < FIRST_YEAR) | (value.year() > LAST_YEAR)


def date_reason(
    text: ir.StringValue,
    value: ir.DateValue,
    *,
    required: bool,
    order: DateOrder = None,
    other_forms: bool = False,
) -> ir.StringValue:
    """Why a date is rejected; an empty optional date (an open end) is valid."""
    missing = RejectReason.MISSING_DATE.value if required else None
    return ibis.cases(
        (text.isnull(), ibis.literal(missing, type="string")),
        (value.isnull(), _unread_reason(text, order, other_forms)),
        (_out_of_range(value), RejectReason.DATE_OUT_OF_RANGE.value),
        else_=_NO_REASON,
    )


def date_order_evidence(
    text: ir.StringValue,
) -> tuple[ir.BooleanValue, ir.BooleanValue, ir.BooleanValue]:
    """Whether a value is a numeric date that reads only day-first, only month-first, or
    either way (03/04/2024): what decides the order of a whole file."""
    numeric = text.re_search(_NUMERIC).fill_null(False)
    first, second, _ = _numeric_parts(text)
    day_first = numeric & first.between(13, 31) & second.between(1, 12)
    month_first = numeric & second.between(13, 31) & first.between(1, 12)
    either = numeric & first.between(1, 12) & second.between(1, 12) & (first != second)
    return day_first.fill_null(False), month_first.fill_null(False), either.fill_null(False)


def date_order(day_first: int, month_first: int, given: str | None) -> DateOrder:
    """The file's order of day and month: the one given, else the one its values show.

    >>> date_order(3, 0, None), date_order(0, 0, None), date_order(1, 2, None)
    ('dmy', None, 'mixed')
    """
    if given is not None:
        if given not in ("dmy", "mdy"):
            raise OptionError("date_order", given, "must be 'dmy' (day first) or 'mdy'")
        return given
    if day_first and month_first:
        return "mixed"
    if day_first:
        return "dmy"
    return "mdy" if month_first else None


def typed_date_reason(value: ir.DateValue, *, required: bool) -> ir.StringValue:
    """Why a typed date is rejected: missing when required, or outside the believed years."""
    missing = RejectReason.MISSING_DATE.value if required else None
    return ibis.cases(
        (value.isnull(), ibis.literal(missing, type="string")),
        (_out_of_range(value), RejectReason.DATE_OUT_OF_RANGE.value),
        else_=_NO_REASON,
    )


# Display-format amounts (a spreadsheet's ``$1,234.50``, ``(1.234,50 EUR)``): the symbols
# are dropped, parentheses mean minus, and the separators are read only when they can be
# read one way. ``1,234`` is 1234 with a decimal point and 1.234 with a decimal comma, so it
# is read only when the file (or --decimal-separator) says which; ``1.234`` is a plain
# decimal unless the file writes decimal commas.
#: The currency signs dropped from amounts ($ EUR GBP JPY INR); ``canonical.currency`` reads them.
CURRENCY_SIGNS = r"[$\x{20ac}\x{00a3}\x{00a5}\x{20b9}]"
_SYMBOLS = r"[\s\x{00a0}\x{202f}$\x{20ac}\x{00a3}\x{00a5}\x{20b9}]"
#: A currency code written before or after an amount (``USD 90``, ``2.640,00 EUR``).
CURRENCY_CODE = r"^[A-Z]{3}|[A-Z]{3}$"
_CODE = CURRENCY_CODE
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


def is_display_number(text: ir.StringValue) -> ir.BooleanValue:
    """Whether trimmed text is a number as a spreadsheet displays it, not a plain one:
    with currency signs or codes, spaces, thousands separators or parentheses."""
    shape = r"^[+-]?([0-9][0-9.,]*|[.,][0-9]+)$"
    return ~text.re_search(_NUMBER) & _bare(text).re_search(shape)


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
            raise OptionError("decimal_separator", given, "must be '.' or ','")
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
