"""``retention customers``: files by suffix, the summary reconciled to the bridge, errors.

The five-customer example of conftest.py, by hand (a = previous month, b = the month):

- customer-months: A 4 (Jan, Feb none; Mar +20, Apr +30 expansion), B 4 (Mar -50
  contraction), C 3 (Mar churn 50), D 3 (Jan; Feb churn 80; Apr reactivation 70), E 3
  (Feb new 60): 17 rows of 5 customers.
- movement log: Feb E new 60, D churn 80; Mar A expansion 20, B contraction 50, C churn
  50; Apr D reactivation 70, A expansion 30: 7 movements.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import Result

Invoke = Callable[..., Result]


def test_csv_and_parquet_files_by_hand(
    invoke: Invoke, five_customers_csv: Path, tmp_path: Path
) -> None:
    out, log = tmp_path / "customers.csv", tmp_path / "movements.parquet"
    result = invoke("customers", five_customers_csv, "--out", out, "--log", log)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert list(rows[0]) == [
        "customer_id",
        "period",
        "previous_mrr",
        "mrr",
        "movement",
        "amount",
    ]
    d = [r for r in rows if r["customer_id"] == "D"]
    assert [(r["period"], r["previous_mrr"], r["mrr"], r["movement"], r["amount"]) for r in d] == [
        ("2024-01-01", "", "80.00", "none", "0.00"),
        ("2024-02-01", "80.00", "0.00", "churn", "80.00"),
        ("2024-04-01", "0.00", "70.00", "reactivation", "70.00"),
    ]
    assert len(rows) == 17
    moves = pq.read_table(log).to_pylist()
    assert [
        (str(r["period"])[:7], r["customer_id"], r["movement"], r["amount"]) for r in moves
    ] == [
        ("2024-02", "E", "new", Decimal(60)),
        ("2024-02", "D", "churn", Decimal(80)),
        ("2024-03", "A", "expansion", Decimal(20)),
        ("2024-03", "B", "contraction", Decimal(50)),
        ("2024-03", "C", "churn", Decimal(50)),
        ("2024-04", "D", "reactivation", Decimal(70)),
        ("2024-04", "A", "expansion", Decimal(30)),
    ]
    assert "17 rows written to" in result.stdout and "7 rows written to" in result.stdout


def test_json_summary_reconciles_to_the_bridge(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("customers", five_customers_csv, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["customer_months"], doc["customers"], doc["movement_log_rows"]) == (17, 5, 7)
    assert doc["files"] == {}
    assert [(m["movement"], m["rows"], m["amount"], m["equal"]) for m in doc["movements"]] == [
        ("new", 1, "60.00", True),
        ("reactivation", 1, "70.00", True),
        ("expansion", 2, "50.00", True),
        ("contraction", 1, "50.00", True),
        ("churn", 2, "130.00", True),
    ]


def test_terminal_shows_a_preview_at_90_columns(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("customers", five_customers_csv, env={"COLUMNS": "90"})
    assert result.exit_code == 0, result.output
    assert "17 customer-months of 5 customers; 7 movements" in result.stdout
    assert "First 12 customer-months" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 90


def test_a_file_without_a_known_suffix_is_refused(
    invoke: Invoke, five_customers_csv: Path, tmp_path: Path
) -> None:
    result = invoke("customers", five_customers_csv, "--out", tmp_path / "customers.xlsx")
    assert result.exit_code == 1
    assert "--out" in result.stderr and ".csv or .parquet" in result.stderr
    assert not (tmp_path / "customers.xlsx").exists()


def test_the_output_may_not_be_the_input(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("customers", five_customers_csv, "--log", five_customers_csv)
    assert result.exit_code == 1
    assert "would destroy it" in result.stderr


def test_formula_like_ids_are_neutralised(invoke: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "mrr.csv"
    source.write_text("customer_id,month,mrr\n=cmd,2024-01,10\n=cmd,2024-02,12\n")
    out = tmp_path / "customers.csv"
    assert invoke("customers", source, "--out", out).exit_code == 0
    assert [r["customer_id"] for r in csv.DictReader(out.read_text().splitlines())] == [
        "'=cmd",
        "'=cmd",
    ]
    assert invoke("customers", source, "--out", out, "--csv-raw").exit_code == 0
    assert [r["customer_id"] for r in csv.DictReader(out.read_text().splitlines())] == [
        "=cmd",
        "=cmd",
    ]
