"""The currency of amounts no column names: from the header, the values or ``--currency``.

Hand-worked figures: ``mixed.csv`` has A paying $1,200.00 then $1,300.00 and B paying
EUR 2,640.00 both months. At EUR = 1.10 USD, the 1-month window as of 2024-02 starts at
1,200 + 2,640 x 1.10 = 4,104.00 and ends at 1,300 + 2,904 = 4,204.00 (expansion 100.00).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from revenue_retention import compute_metrics, load, to_json
from revenue_retention.cli import app
from revenue_retention.errors import BadRowsError, OptionError

#: The keys ``input.currency`` had before the currency could be read from anything but a
#: column: the JSON contract only grows.
CURRENCY_KEYS = {"reporting_currency", "currencies", "rates", "converted", "money_by_currency"}

MIXED = (
    "customer_id,month,mrr\n"
    'A,2024-01,"$1,200.00"\n'
    'A,2024-02,"$1,300.00"\n'
    'B,2024-01,"2.640,00 EUR"\n'
    'B,2024-02,"2.640,00 EUR"\n'
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_that_names_no_currency_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.csv", "customer_id,month,mrr\nA,2024-01,100\nA,2024-02,90\n")
    assert load(path).report.currency is None  # unchanged: nothing is guessed


def test_the_header_names_the_currency(tmp_path: Path) -> None:
    path = write(
        tmp_path, "usd.csv", "Customer ID,Month,Amount (USD)\nA,2024-01,100\nA,2024-02,90.50\n"
    )
    report = load(path).report
    assert report.currency is not None
    assert set(report.currency) >= CURRENCY_KEYS
    assert report.currency == {
        "reporting_currency": "USD",
        "currencies": ["USD"],
        "rates": "none needed",
        "converted": False,
        "money_by_currency": {"USD": {"read": "190.50", "accepted": "190.50", "rejected": "0.00"}},
        "source": "header",
        "evidence": "header 'Amount (USD)'",
    }
    assert not any("read as USD" in w for w in report.warnings)  # a code is no guess


def test_a_dollar_sign_in_the_header_is_read_as_usd_and_said(tmp_path: Path) -> None:
    path = write(tmp_path, "dollars.csv", "customer_id,month,Amount ($)\nA,2024-01,100\n")
    report = load(path).report
    assert report.currency is not None
    assert (report.currency["reporting_currency"], report.currency["source"]) == ("USD", "header")
    assert any("'$' are read as USD" in w and "--currency" in w for w in report.warnings)
    # Another dollar, said by the user: no guess left to warn about.
    canadian = load(path, currency="cad").report
    assert canadian.currency is not None
    assert canadian.currency["reporting_currency"] == "CAD"
    assert canadian.currency["evidence"] == "--currency CAD; header 'Amount ($)' ('$' read as CAD)"
    assert not any("read as USD" in w for w in canadian.warnings)


def test_the_values_name_the_currency(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "eur.csv",
        'customer_id,month,mrr\nA,2024-01,"2.640,00 EUR"\nA,2024-02,"2.700,50 EUR"\n'
        "B,2024-01,1000\n",
    )
    data = load(path)
    currency = data.report.currency
    assert currency is not None
    assert (currency["reporting_currency"], currency["source"]) == ("EUR", "values")
    assert "e.g. '2.640,00 EUR'" in currency["evidence"]
    # The plain 1000 names no currency: it is in the file's one currency.
    assert data.report.money_read == Decimal("6340.50")
    assert currency["money_by_currency"]["EUR"]["read"] == "6340.50"


def test_currency_option_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.csv", "customer_id,month,mrr\nA,2024-01,100\n")
    currency = load(path, currency="EUR").report.currency
    assert currency is not None
    assert (currency["reporting_currency"], currency["source"]) == ("EUR", "option")
    with pytest.raises(OptionError, match="not a currency code"):
        load(path, currency="euro")


def test_currency_option_contradicting_the_file_is_refused(tmp_path: Path) -> None:
    header = write(tmp_path, "usd.csv", "customer_id,month,Amount (USD)\nA,2024-01,100\n")
    with pytest.raises(OptionError, match="contradicts the header 'Amount \\(USD\\)'"):
        load(header, currency="EUR")
    column = write(tmp_path, "col.csv", "customer_id,month,mrr,currency\nA,2024-01,100,GBP\n")
    with pytest.raises(OptionError, match="names each row's currency in column 'currency'"):
        load(column, currency="EUR")


def test_a_currency_column_says_where_it_came_from(tmp_path: Path) -> None:
    path = write(tmp_path, "col.csv", "customer_id,month,mrr,currency\nA,2024-01,100,GBP\n")
    currency = load(path).report.currency
    assert currency is not None
    assert (currency["source"], currency["evidence"]) == ("column", "column 'currency'")


def test_amounts_in_different_currencies_need_a_reporting_currency(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.csv", MIXED)
    with pytest.raises(OptionError) as error:
        load(path)
    message = str(error.value)
    assert message.startswith("reporting_currency is needed: the amounts of column 'mrr':")
    assert "EUR (2 amount(s), e.g. '2.640,00 EUR')" in message
    assert "USD (2 amount(s), e.g. '$1,200.00')" in message


def test_amounts_in_different_currencies_are_converted_as_a_currency_column_is(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "mixed.csv", MIXED)
    data = load(path, reporting_currency="USD", fixed_rates={"EUR": Decimal("1.10")})
    currency = data.report.currency
    assert currency is not None
    assert currency["currencies"] == ["EUR", "USD"] and currency["converted"] is True
    assert currency["source"] == "values"
    assert currency["money_by_currency"] == {
        "EUR": {"read": "5280.00", "accepted": "5280.00", "rejected": "0.00"},
        "USD": {"read": "2500.00", "accepted": "2500.00", "rejected": "0.00"},
    }
    row = json.loads(to_json(compute_metrics(data, window_months=[1])))["retention"][-1]
    assert row["as_of"] == "2024-02"
    assert Decimal(row["starting_mrr"]) == Decimal("4104.00")
    assert Decimal(row["ending_mrr"]) == Decimal("4204.00")
    assert Decimal(row["expansion"]) == Decimal("100.00")


def test_an_amount_naming_no_currency_among_several_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.csv", MIXED + "C,2024-01,75.00\n")
    with pytest.raises(BadRowsError) as error:
        load(path, reporting_currency="USD", fixed_rates={"EUR": Decimal("1.10")})
    assert error.value.rejected == 1
    shown = str(error.value)
    assert "line 6, column 'mrr': '75.00'" in shown and "[missing_currency]" in shown
    # Said by --currency, it is in that one.
    data = load(
        path, reporting_currency="USD", fixed_rates={"EUR": Decimal("1.10")}, currency="USD"
    )
    assert data.report.rows_accepted == 5


def test_an_inferred_currency_is_converted_with_rates(tmp_path: Path) -> None:
    path = write(tmp_path, "eur.csv", "customer_id,month,MRR (EUR)\nA,2024-01,100\nA,2024-02,100\n")
    data = load(path, reporting_currency="USD", fixed_rates={"EUR": Decimal("1.10")})
    currency = data.report.currency
    assert currency is not None
    assert (currency["reporting_currency"], currency["converted"]) == ("USD", True)
    months = data.table.order_by("month_index").to_pyarrow().to_pylist()
    assert [r["mrr"] for r in months] == [Decimal("110"), Decimal("110")]


def test_a_revenue_cube_in_dollars(tmp_path: Path) -> None:
    path = write(tmp_path, "cube.csv", 'customer,Jan 2024,Feb 2024\nA,"$1,000.00","$1,100.00"\n')
    currency = load(path).report.currency
    assert currency is not None
    assert (currency["reporting_currency"], currency["source"]) == ("USD", "values")


def test_every_command_with_input_options_takes_currency() -> None:
    root = typer.main.get_command(app)
    context = typer.Context(root, info_name="retention")
    for name in root.list_commands(context):  # type: ignore[attr-defined]
        command = root.get_command(context, name)  # type: ignore[attr-defined]
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        if "--as-of" in options:
            assert "--currency" in options, name


def test_terminal_and_json_carry_the_currency(tmp_path: Path) -> None:
    path = write(tmp_path, "eur.csv", 'customer_id,month,mrr\nA,2024-01,"2.640,00 EUR"\n')
    table = CliRunner().invoke(app, ["metrics", str(path), "-w", "1"])
    assert table.exit_code == 0, table.output
    assert "currency: EUR (from the amounts' signs and codes)" in table.stdout
    done = CliRunner().invoke(app, ["metrics", str(path), "-w", "1", "-f", "json"])
    assert json.loads(done.stdout)["input"]["currency"]["reporting_currency"] == "EUR"
