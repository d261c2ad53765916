"""``format_money``: exact, two places minimum, more only when needed (docs/metrics.md §1.6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from revenue_retention import format_money


@pytest.mark.parametrize(
    ("stored", "printed"),
    [
        # two places when that is exact
        ("1200", "1200.00"),
        ("1200.000000", "1200.00"),  # the engine's DECIMAL(38, 6) scale is dropped
        ("0", "0.00"),
        ("0.000000", "0.00"),
        ("0.5", "0.50"),
        ("100.10", "100.10"),
        ("12.340000", "12.34"),
        # more places only when needed, trailing zeros dropped
        ("83.333333", "83.333333"),  # 1000 / 12 at six places
        ("12.345", "12.345"),
        ("12.3450", "12.345"),
        ("16.766667", "16.766667"),
        ("0.000001", "0.000001"),
        # negative amounts keep their sign and the same rules
        ("-0.5", "-0.50"),
        ("-1200", "-1200.00"),
        ("-83.333333", "-83.333333"),
    ],
)
def test_format_money_examples(stored: str, printed: str) -> None:
    assert format_money(Decimal(stored)) == printed


def test_format_money_never_rounds() -> None:
    # Seven places is more than the engine keeps, but the formatter must still not round.
    assert format_money(Decimal("0.1234567")) == "0.1234567"
    assert format_money(Decimal("2.0000001")) == "2.0000001"


def test_format_money_never_uses_exponents() -> None:
    # Decimal("1E+3") == 1000 and Decimal("1E-6") == 0.000001: printed as plain digits.
    assert format_money(Decimal("1E+3")) == "1000.00"
    assert format_money(Decimal("1.10E+2")) == "110.00"
    assert format_money(Decimal("1E-6")) == "0.000001"


def test_format_money_keeps_every_digit_of_a_large_amount() -> None:
    # 24 significant digits: more than a float's 15-17, so any float round trip would show.
    assert format_money(Decimal("123456789012345678.123456")) == "123456789012345678.123456"
    assert format_money(Decimal("999999999999999999.990000")) == "999999999999999999.99"


def test_format_money_of_none_is_none() -> None:
    assert format_money(None) is None
