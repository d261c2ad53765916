"""``retention seasonality`` from the command line: formats, thresholds and errors."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from tests.engine_run import write_long_csv
from tests.oracle import Row, add_months
from typer.testing import CliRunner

from revenue_retention.cli import app

runner = CliRunner()
JAN23 = datetime.date(2023, 1, 1)


def q4_churn() -> list[Row]:
    """2023-01..2024-12: of ten customers at 100, two leave each November (c01, c02 in
    2023, c03, c04 in 2024); two new ones arrive in 2024-01 (see test_seasonality.py)."""
    rows: list[Row] = []
    for number in range(1, 13):
        start = 12 if number > 10 else 0
        stop = 10 if number <= 2 else 22 if number <= 4 else 24
        rows += [
            (f"c{number:02d}", add_months(JAN23, i), Decimal("100.00")) for i in range(start, stop)
        ]
    return rows


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_long_csv(q4_churn(), tmp_path_factory.mktemp("season") / "mrr.csv")


def test_json_document_flags_q4_churn(csv_path: Path) -> None:
    result = runner.invoke(app, ["seasonality", str(csv_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == [
        "input",
        "swing_ratio",
        "min_swing_pp",
        "seasonal_swing",
        "quarters",
        "quarter_of_year",
        "month_of_year",
        "swing",
    ]
    assert document["seasonal_swing"] is True
    grr = document["swing"][0]
    # Quarterly GRR 100% in Q1-Q3, 80% in Q4; annual 80% .. 75%: 20 points > 2 x 5 points.
    assert grr["id"] == "seasonal_swing" and grr["rate"] == "grr" and grr["flagged"] is True
    assert grr["quarterly_spread"] == pytest.approx(0.2)
    assert grr["annual_spread"] == pytest.approx(0.05)
    assert (grr["highest_quarter"], grr["lowest_quarter"]) == ("Q1", "Q4")
    assert (grr["swing_ratio"], grr["min_swing_pp"], grr["threshold"]) == (
        2.0,
        2.0,
        pytest.approx(0.1),
    )
    q4 = document["quarter_of_year"][3]
    assert q4["quarter"] == "Q4" and q4["quarters"] == 2 and q4["grr_mean"] == pytest.approx(0.8)
    december = document["quarters"][2]
    assert december["as_of"] == "2023-12" and december["starting_mrr"] == "1000.00"
    assert document["month_of_year"][10]["month_name"] == "Nov"
    assert document["month_of_year"][10]["churn"] == pytest.approx(0.2)


def test_thresholds_from_options(csv_path: Path) -> None:
    args = ["seasonality", str(csv_path), "-f", "json", "--swing-ratio", "5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["swing_ratio"] == 5.0 and document["seasonal_swing"] is False


def test_table_view(csv_path: Path) -> None:
    result = runner.invoke(app, ["seasonality", str(csv_path)])
    assert result.exit_code == 0, result.output
    assert "Seasonal swing: yes" in result.stdout
    assert "GRR [FLAGGED]" in result.stdout and "Nov" in result.stdout


def test_csv_sections(csv_path: Path) -> None:
    result = runner.invoke(app, ["seasonality", str(csv_path), "-f", "csv"])
    assert result.exit_code == 0, result.output
    for name in ("quarters", "quarter_of_year", "month_of_year", "swing"):
        assert f"# {name}\n" in result.stdout


def test_negative_threshold_is_an_error(csv_path: Path) -> None:
    result = runner.invoke(app, ["seasonality", str(csv_path), "--min-swing-pp", "-1"])
    assert result.exit_code == 1
    assert "--min-swing-pp" in result.stderr and "Traceback" not in result.stderr


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["seasonality", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "--swing-ratio" in result.stdout
