"""``retention cohorts`` from the command line: formats, options and errors."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from tests.engine_run import write_long_csv
from tests.oracle import Row
from typer.testing import CliRunner

from revenue_retention.cli import app

runner = CliRunner()


def m(month: int) -> datetime.date:
    return datetime.date(2024, month, 1)


#: a, b start in January (300); c in February (100) and leaves after its first month;
#: a churns in March and comes back in April.
ROWS: list[Row] = [
    ("a", m(1), Decimal("100")),
    ("a", m(2), Decimal("100")),
    ("a", m(4), Decimal("50")),
    ("b", m(1), Decimal("200")),
    ("b", m(2), Decimal("300")),
    ("b", m(3), Decimal("300")),
    ("b", m(4), Decimal("300")),
    ("c", m(2), Decimal("100")),
]


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    return write_long_csv(ROWS, tmp_path / "mrr.csv")


def test_json_document(csv_path: Path) -> None:
    result = runner.invoke(app, ["cohorts", str(csv_path), "--format", "json", "-m", "grr"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["input", "metric", "grain", "relative_to", "cohorts", "cohort_sizes"]
    assert (document["metric"], document["grain"], document["relative_to"]) == (
        "grr",
        "month",
        "first",
    )
    march = document["cohorts"][2]
    # Cohort 2024-01 at age 2 (March): a 0, b 300; kept min(200, 300) = 200 of 300.
    assert march == {
        "cohort": "2024-01",
        "age_months": 2,
        "cohort_customers": 2,
        "active_customers": 1,
        "base_mrr": "300.00",
        "mrr": "300.00",
        "retained_mrr": "200.00",
        "grr": pytest.approx(2 / 3),
        "nrr": 1.0,
        "logo_retention": 0.5,
        "value": pytest.approx(2 / 3),
        "complete": True,
    }
    assert [(s["cohort"], s["customers"]) for s in document["cohort_sizes"]] == [
        ("2024-01", 2),
        ("2024-02", 1),
    ]


def test_month1_and_quarter_grain(csv_path: Path) -> None:
    args = ["cohorts", str(csv_path), "-f", "json", "--grain", "quarter", "--relative-to", "month1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    cells = json.loads(result.stdout)["cohorts"]
    # Q1 base at month 1: a 100 (Feb), b 300 (Feb); c pays 0 in March, so is left out.
    assert [(c["age_months"], c["cohort_customers"], c["base_mrr"]) for c in cells] == [
        (1, 2, "400.00"),
        (2, 2, "400.00"),
        (3, 2, "400.00"),
    ]
    # Age 3 (April): a 50, b 300: NRR 350 / 400.
    assert cells[-1]["nrr"] == pytest.approx(0.875)


def test_csv_and_output_folder(csv_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["cohorts", str(csv_path), "-f", "csv", "-m", "mrr"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# cohorts\ncohort,age_months,cohort_customers,")
    assert "# cohort_sizes\n" in result.stdout
    folder = tmp_path / "out"
    result = runner.invoke(app, ["cohorts", str(csv_path), "-f", "csv", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["cohort_sizes.csv", "cohorts.csv"]


def test_table_view(csv_path: Path) -> None:
    result = runner.invoke(app, ["cohorts", str(csv_path), "--metric", "logo"])
    assert result.exit_code == 0, result.output
    assert "logo retention (%) by month of acquisition" in result.stdout
    assert "2024-01+" in result.stdout  # the opening-balance cohort is marked
    assert " 50.0 " in result.stdout  # 2024-01 at age 2: one of two customers


def test_bad_option_is_a_usage_error(csv_path: Path) -> None:
    result = runner.invoke(app, ["cohorts", str(csv_path), "--grain", "week"])
    assert result.exit_code == 2
    assert "week" in result.stderr


def test_bad_as_of_is_reported(csv_path: Path) -> None:
    result = runner.invoke(app, ["cohorts", str(csv_path), "--as-of", "2024-13"])
    assert result.exit_code == 1
    assert "--as-of" in result.stderr and "Traceback" not in result.stderr


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["cohorts", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "--relative-to" in result.stdout
