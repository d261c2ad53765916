"""The lines of a CSV file accounted for, and stray quotes set aside (``inputs.lines``).

Every line is the header, blank, inside a quoted value, or the first line of a row read
(or set aside): the counts below are those of the files as written here, by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from revenue_retention.canonical import load
from revenue_retention.errors import SourceError
from revenue_retention.inputs.census import take_census
from revenue_retention.inputs.lines import LineAccount

HEADER = "customer_id,month,mrr"


def rows(first: int, last: int) -> list[str]:
    """Whole rows ``c<n>,2024-01,10``, one per line number from ``first`` to ``last``."""
    return [f"c{n},2024-01,10" for n in range(first, last + 1)]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = load(path, on_bad_rows="reject")
    rejects = data.rejects.select("line", "column", "value", "reason").to_pyarrow().to_pylist()
    return data.report.to_dict(), rejects


def test_a_quote_never_closed_is_set_aside_alone_and_the_rows_after_it_are_read(
    tmp_path: Path,
) -> None:
    lines = [HEADER, *rows(2, 7), '"c8,2024-01,10', *rows(9, 20)]
    report, rejects = read(write(tmp_path / "f.csv", lines))
    assert rejects == [
        {"line": 8, "column": "customer_id", "value": '"c8,2024-01,10', "reason": "unclosed_quote"}
    ]
    assert (report["rows_read"], report["rows_accepted"]) == (19, 18)
    assert report["money_accepted"] == "180.00"
    assert report["lines"] == {
        "in_file": 20,
        "header": 1,
        "blank": 0,
        "inside_quoted_values": 0,
        "starting_rows": 19,
    }
    assert any(
        "line 8 opens a quoted value that would run to the end of the file, swallowing 12 "
        "line(s), 12 of them whole rows on their own" in w
        for w in report["warnings"]
    )


def test_a_stray_quote_closed_by_another_is_two_rejects_and_the_rows_between_are_read(
    tmp_path: Path,
) -> None:
    lines = [HEADER, *rows(2, 4), '"c5,2024-01,10', *rows(6, 9), 'c10,"2024-01,10', *rows(11, 12)]
    report, rejects = read(write(tmp_path / "f.csv", lines))
    assert [(r["line"], r["column"], r["value"]) for r in rejects] == [
        (5, "customer_id", '"c5,2024-01,10'),
        (10, "month", 'c10,"2024-01,10'),
    ]
    assert (report["rows_read"], report["rows_accepted"]) == (11, 9)
    shown = " ".join(report["warnings"])
    assert "line 5 opens a quoted value that would run to line 10, swallowing 5 line(s), 4" in shown


def test_in_an_all_quoted_file_the_line_missing_its_last_quote_is_set_aside(
    tmp_path: Path,
) -> None:
    quoted = [f'"c{n}","2024-01","10"' for n in range(2, 7)]
    quoted[2] = quoted[2][:-1]  # line 4 misses its closing quote
    report, rejects = read(write(tmp_path / "f.csv", [HEADER, *quoted]))
    assert [(r["line"], r["column"], r["reason"]) for r in rejects] == [
        (4, "mrr", "unclosed_quote")
    ]
    assert (report["rows_read"], report["rows_accepted"]) == (5, 4)


def test_line_breaks_inside_quoted_values_are_lines_of_their_row(tmp_path: Path) -> None:
    lines = [
        "customer_id,month,mrr,note",
        'a,2024-01,100,"renewed',
        'after a call"',
        "",
        'a,2024-02,120,"said ""yes""',
        "",
        'by mail"',
        "b,2024-02,50,x",
    ]
    report, rejects = read(write(tmp_path / "f.csv", lines))
    assert rejects == []
    assert report["warnings"] == []
    assert report["lines"] == {
        "in_file": 8,
        "header": 1,
        "blank": 1,
        "inside_quoted_values": 3,
        "starting_rows": 3,
    }
    assert report["rows_read"] == 3


def test_a_quoted_value_that_runs_to_the_end_over_lines_unlike_rows_stays_one_record(
    tmp_path: Path,
) -> None:
    lines = [HEADER, *rows(2, 3), 'c4,2024-01,"10', "not a row", "nor this one"]
    report, rejects = read(write(tmp_path / "f.csv", lines))
    assert [(r["line"], r["reason"]) for r in rejects] == [(4, "unclosed_quote")]
    assert report["lines"]["inside_quoted_values"] == 2
    assert report["rows_read"] == 3


def test_a_reader_that_returns_other_rows_than_the_lines_hold_stops_the_run(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "f.csv", [HEADER, *rows(2, 5), "", *rows(7, 8)])
    account = LineAccount(str(path), take_census(path, ",", 3), None, ())
    assert (account.lines, account.blank, account.rows) == (8, 1, 6)
    account.check(6)
    with pytest.raises(
        SourceError, match="the CSV reader returned 5 rows, but the file's 8 lines hold 6"
    ):
        account.check(5)
