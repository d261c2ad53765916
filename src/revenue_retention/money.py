"""The one place money is typed, parsed and formatted: exact decimals, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from revenue_retention.errors import OptionError

__all__ = [
    "MAX_INTEGER_DIGITS",
    "MONEY",
    "MONEY_SCALE",
    "display_money",
    "format_money",
    "money_literal",
    "positive_decimal",
    "zero",
]

#: Scale of every amount in the engine: six places keep a normalised annual price
#: (annual / 12) exact enough that sums of many months stay exact to the cent.
MONEY_SCALE = 6
#: Precision 38 is the widest DECIMAL that DuckDB, Spark and PostgreSQL all hold natively.
MONEY = dt.Decimal(precision=38, scale=MONEY_SCALE)

#: Digits an amount may have before its decimal point: a trillion, in any currency.
MAX_INTEGER_DIGITS = 12

_CENT = Decimal("0.01")


def positive_decimal(
    parameter: str, text: str, example: str, places: int = MONEY_SCALE, shown: str | None = None
) -> Decimal:
    """A positive decimal given with an option, that the engine's decimal types hold
    exactly: at most ``MAX_INTEGER_DIGITS`` digits before the point and ``places`` after
    (so ``1e400`` is refused here, in a sentence, rather than by the engine).

    >>> positive_decimal("fixed_rates", "1.08", "EUR=1.08")
    Decimal('1.08')
    >>> positive_decimal("fixed_rates", "1e400", "EUR=1.08")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    revenue_retention.errors.OptionError: fixed_rates: '1e400' must be a positive number ...
    """
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    _, digits, exponent = value.normalize().as_tuple() if value.is_finite() else (1, (), 0)
    assert isinstance(exponent, int)
    integer_digits = len(digits) + exponent
    too_long = integer_digits > MAX_INTEGER_DIGITS or -exponent > places
    if not value.is_finite() or value <= 0 or too_long:
        raise OptionError(
            parameter,
            text if shown is None else shown,
            f"must be a positive number with at most {MAX_INTEGER_DIGITS} digits before the "
            f"decimal point and {places} after, e.g. {example}",
        )
    return value


def money_literal(value: Decimal | int | str) -> ir.DecimalScalar:
    """A money constant typed as the engine's money type.

    >>> money_literal("12.5").type()
    Decimal(precision=38, scale=6, nullable=True)
    """
    return ibis.literal(Decimal(value), type=MONEY)


def zero() -> ir.DecimalScalar:
    """Money zero, typed so that CASE branches keep the money type."""
    return money_literal(0)


def format_money(value: Decimal | None) -> str | None:
    """Render an amount exactly: two places when that is exact, more only when needed.

    >>> format_money(Decimal("1200.000000"))
    '1200.00'
    >>> format_money(Decimal("83.333333"))
    '83.333333'
    >>> format_money(Decimal("-0.5"))
    '-0.50'
    """
    if value is None:
        return None
    if value == value.quantize(_CENT):
        return f"{value.quantize(_CENT):f}"
    return f"{value.normalize():f}"


def display_money(value: Decimal | str | None) -> str:
    """An amount for people: thousands separated, and still exact (never rounded).

    >>> display_money(Decimal("2306621.060000")), display_money("83.333333")
    ('2,306,621.06', '83.333333')
    >>> display_money(Decimal("-1200")), display_money(None)
    ('-1,200.00', '-')
    """
    if value is None:
        return "-"
    exact = format_money(Decimal(value))
    assert exact is not None
    whole, _, places = exact.partition(".")
    return f"{int(whole):,}.{places}" if not whole.startswith("-") else f"-{-int(whole):,}.{places}"
