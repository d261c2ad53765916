"""Data warnings: a Python warning of the project's own category for each one of the input
report, in its order and words; the command line prints each once, as before."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

import revenue_retention as rr
from revenue_retention.cli import app
from revenue_retention.errors import DataWarning, RetentionWarning

# Dates written day first: 25/01 shows it, so 03/02 is read as 3 February (one reading
# of two, said in a warning); the amount column names no currency (a second warning is
# not certain, so the test reads the warnings off the report).
DAY_FIRST = """\
customer_id,date,mrr
a,25/01/2024,100
a,03/02/2024,120
b,25/01/2024,50
"""


@pytest.fixture
def day_first(tmp_path: Path) -> Path:
    path = tmp_path / "day_first.csv"
    path.write_text(DAY_FIRST, encoding="utf-8")
    return path


def test_the_category_is_the_projects_own() -> None:
    assert issubclass(DataWarning, RetentionWarning)
    assert issubclass(RetentionWarning, UserWarning)
    assert (rr.DataWarning, rr.RetentionWarning) == (DataWarning, RetentionWarning)


def test_load_warns_each_report_warning_in_order(day_first: Path) -> None:
    with pytest.warns(DataWarning) as caught:
        data = rr.load(day_first)
    texts = tuple(str(w.message) for w in caught if issubclass(w.category, DataWarning))
    assert any("day first" in text for text in texts), texts
    assert texts == data.report.warnings
    # Pointed at the caller's line, not at the package's insides.
    assert {w.filename for w in caught if issubclass(w.category, DataWarning)} == {__file__}


def test_clean_data_warns_nothing(tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,100\na,2024-02,120\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RetentionWarning)
        assert rr.load(path).report.warnings == ()


def test_warnings_can_be_silenced_like_any_other(day_first: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore", DataWarning)
        data = rr.load(day_first)
    assert caught == []
    assert data.report.warnings  # still recorded in the report


@pytest.mark.parametrize("format", ["json", "table"])
def test_the_cli_prints_each_warning_once(day_first: Path, format: str) -> None:
    (expected,) = [w for w in rr.load(day_first).report.warnings if "day first" in w]
    result = CliRunner().invoke(app, ["metrics", str(day_first), "-f", format, "-w", "1"])
    assert result.exit_code == 0, result.output
    # JSON carries them in its document and prints each on stderr; the table shows them.
    printed = result.stderr if format == "json" else result.output
    # Words, not lines: the table wraps long text at the terminal's width.
    shown, words = " ".join(printed.split()), " ".join(expected.split())
    assert shown.count(words) == 1, printed
    # Printed as the CLI prints warnings, never as Python's "file:line: DataWarning: ...".
    assert "DataWarning" not in result.output
