"""CLI tests of the real-world inputs: examples, workbooks, Stripe exports, several currencies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.conftest import Invoke

from revenue_retention.datasets import EXAMPLES


@pytest.fixture
def examples(invoke: Invoke, tmp_path: Path) -> Path:
    folder = tmp_path / "examples"
    result = invoke("examples", "--out", folder)
    assert result.exit_code == 0, result.output
    return folder


def test_examples_writes_every_example_with_a_command(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "ex"
    result = invoke("examples", "--out", folder)
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXAMPLES)
    assert f"retention metrics {folder}/revenue_cube.xlsx --sheet Revenue" in result.stdout
    assert f"{len(EXAMPLES)} example files written" in result.stderr


@pytest.mark.parametrize(
    ("name", "options", "adapter", "layout"),
    [
        ("revenue_cube.csv", [], "csv", "wide"),
        ("revenue_cube.xlsx", ["--sheet", "Revenue"], "xlsx", "wide"),
        ("invoice_lines.csv", [], "csv", "invoices"),
        ("stripe_subscriptions.csv", [], "stripe-subscriptions", "periods"),
        ("stripe_invoice_lines.csv", [], "stripe-invoice-lines", "invoices"),
        ("usage_charges.csv", ["--method", "trailing", "--windows", "12"], "csv", "long"),
    ],
)
def test_each_example_runs_from_the_cli(
    invoke: Invoke, examples: Path, name: str, options: list[str], adapter: str, layout: str
) -> None:
    result = invoke("metrics", examples / name, *options, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["input"]["adapter"], document["input"]["layout"]) == (adapter, layout)
    assert document["retention"]


def test_several_currencies_from_the_cli(invoke: Invoke, examples: Path) -> None:
    args = ["metrics", examples / "multi_currency.csv", "--windows", "3"]
    rates = ["--fx-rates", examples / "fx_rates.csv", "--reporting-currency", "USD"]
    result = invoke(*args, *rates, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["retention"][0]["currency_basis"] == "constant"
    assert document["retention"][0]["ending_mrr"] == "2243.00"
    assert document["retention_spot"][0]["fx_effect"] == "-57.00"
    table = invoke(*args, *rates)
    assert "constant currency (USD)" in table.stdout and "at spot rates" in table.stdout
    missing = invoke(*args)
    assert missing.exit_code == 1
    assert "--reporting-currency" in missing.stderr


def test_a_fixed_rate_option_must_be_a_rate(invoke: Invoke, examples: Path) -> None:
    result = invoke("metrics", examples / "multi_currency.csv", "--fx-rate", "EUR=abc")
    assert result.exit_code == 1
    assert "--fx-rate: 'EUR=abc' must be a positive number" in result.stderr


def test_sheet_on_a_csv_is_an_option_error(invoke: Invoke, examples: Path) -> None:
    result = invoke("metrics", examples / "revenue_cube.csv", "--sheet", "Revenue")
    assert result.exit_code == 1
    assert "--sheet: 'Revenue' applies to spreadsheets, not csv files" in result.stderr


def test_other_commands_read_the_new_inputs(invoke: Invoke, examples: Path) -> None:
    result = invoke("cohorts", examples / "revenue_cube.xlsx", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["input"]["layout"] == "wide"
