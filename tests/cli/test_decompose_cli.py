"""``retention decompose`` from the command line: formats, options, errors, the demo data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revenue_retention.cli import app
from revenue_retention.datasets import write_demo_csv

runner = CliRunner()

#: Window 2024-12 -> 2025-01. a: 10 seats @ 20.00 -> 12 @ 21.00 and support added at 99.00;
#: b: 2 seats @ 50.00 -> gone (churn); c: new in 2025-01, outside the cohort.
LINES = """customer_id,month,product,quantity,unit_price
a,2024-12,core,10,20.00
a,2025-01,core,12,21.00
a,2025-01,support,1,99.00
b,2024-12,core,2,50.00
c,2025-01,core,1,10.00
"""


@pytest.fixture
def two_customers(tmp_path: Path) -> Path:
    path = tmp_path / "lines.csv"
    path.write_text(LINES, encoding="utf-8")
    return path


def test_json_has_the_totals_and_rows(two_customers: Path) -> None:
    result = runner.invoke(app, ["decompose", str(two_customers), "--window", "1", "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["as_of"], doc["cohort_month"], doc["window_months"]) == ("2025-01", "2024-12", 1)
    totals = doc["totals"][0]
    # S = 200 + 100 = 300; E = 252 + 99 = 351 (c is new, not in the cohort).
    assert (totals["starting_mrr"], totals["ending_mrr"]) == ("300.00", "351.00")
    # volume (12 - 10)(20 + 21)/2 = 41; price (21 - 20)(10 + 12)/2 = 11; cross-sell 99;
    # churn 100: 41 + 11 + 99 - 100 = 51 = 351 - 300.
    assert (totals["volume_expansion"], totals["price_increase"]) == ("41.00", "11.00")
    assert (totals["cross_sell"], totals["churn"]) == ("99.00", "100.00")
    assert totals["nrr"] == pytest.approx(351 / 300)
    assert totals["nrr_excluding_price"] == pytest.approx(340 / 300)  # (351 - 11) / 300
    assert [(r["customer_id"], r["product"], r["class"]) for r in doc["items"]] == [
        ("a", "core", "expansion"),
        ("a", "support", "cross_sell"),
        ("b", "core", "churn"),
    ]
    assert {"input", "totals", "movements", "products", "customers", "items"} <= set(doc)


def test_csv_folder_has_one_file_per_section(two_customers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["decompose", str(two_customers), "--window", "1", "-f", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["customers.csv", "items.csv", "movements.csv", "products.csv", "totals.csv"]
    items = (out / "items.csv").read_text().splitlines()
    assert items[0].startswith("customer_id,product,class,q0,p0,q1,p1,")
    assert items[1].startswith("a,core,expansion,10,20.00,12,21.00,")


def test_table_for_people(two_customers: Path) -> None:
    result = runner.invoke(app, ["decompose", str(two_customers), "--window", "1"])
    assert result.exit_code == 0, result.output
    for text in ("NRR excl. price increases", "price increase", "cross-sell", "By product"):
        assert text in result.stdout
    assert "113.3%" in result.stdout  # 340 / 300


def test_as_of_caps_the_data(two_customers: Path) -> None:
    result = runner.invoke(
        app, ["decompose", str(two_customers), "--as-of", "2025-01", "--window", "1", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2025-01"


def test_a_window_longer_than_the_data_is_an_option_error(two_customers: Path) -> None:
    result = runner.invoke(app, ["decompose", str(two_customers)])  # default 12 months
    assert result.exit_code == 1
    assert "--window" in result.stderr and "2024-01" in result.stderr
    assert "Traceback" not in result.output


def test_mrr_only_input_says_which_columns_are_needed(tmp_path: Path) -> None:
    path = tmp_path / "mrr.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,100\na,2024-02,110\n", encoding="utf-8")
    result = runner.invoke(app, ["decompose", str(path), "--window", "1"])
    assert result.exit_code == 1
    assert "product, quantity and unit_price" in result.stderr
    assert "--column" in result.stderr


def test_column_option_names_a_price_column(tmp_path: Path) -> None:
    path = tmp_path / "renamed.csv"
    path.write_text(
        "account,month,sku,seats,list_price\nx,2024-01,core,2,10\nx,2024-02,core,3,10\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["decompose", str(path), "--window", "1", "-f", "json", "-c", "unit_price=list_price"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"][0]["volume_expansion"] == "10.00"  # 1 x 10


def test_help_ends_with_examples() -> None:
    result = runner.invoke(app, ["decompose", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "retention decompose line_items.csv" in result.stdout


def test_demo_data_price_increases_are_part_of_expansion(tmp_path: Path) -> None:
    # A small demo: January list-price increases, seat changes, add-ons bought and dropped.
    path = write_demo_csv(tmp_path / "demo.csv", customers=150, months=25)
    result = runner.invoke(app, ["decompose", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    text = ("as_of", "cohort_month", "method")
    totals = json.loads(result.stdout)["totals"][0]
    t = {k: Decimal(v) if isinstance(v, str) and k not in text else v for k, v in totals.items()}
    assert t["price_increase"] > 0  # the 2025-01 increase lies inside 2024-01 .. 2025-01
    assert t["nrr_excluding_price"] < t["nrr"]
    assert t["price_decrease"] == 0  # demo prices never fall
    assert (
        t["gross_expansion"] - t["gross_contraction"] - t["churn"]
        == t["ending_mrr"] - t["starting_mrr"]
    )
