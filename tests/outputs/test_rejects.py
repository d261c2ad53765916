"""``write_rejects``: every bad row verbatim, behind file, line, column, value and reason."""

from __future__ import annotations

import csv
from pathlib import Path

from revenue_retention import load, write_rejects

# Line 1 is the header; data row n is line n + 1.
BAD_ROWS_CSV = """\
customer_id,month,mrr,segment
A,2024-01,100,smb
B,2024-01, 5x ,ent
,2024-01,5,smb
C,2024-02,#VALUE!,mid market
A,2024-02,110,smb
D,2024-13,7,ent
"""


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_write_rejects_writes_every_bad_row_verbatim(tmp_path: Path) -> None:
    source = tmp_path / "bad_rows.csv"
    source.write_text(BAD_ROWS_CSV, encoding="utf-8")
    data = load(source, on_bad_rows="reject")
    target = tmp_path / "nested" / "rejects.csv"  # the folder is created

    written = write_rejects(data, target)

    # 6 rows read = 2 accepted (lines 2 and 6) + 4 rejected (lines 3, 4, 5, 7)
    assert written == 4
    assert (data.report.rows_read, data.report.rows_accepted) == (6, 2)
    rows = read_rows(target)
    assert list(rows[0]) == [
        "file",
        "line",
        "column",
        "value",
        "reason",
        "customer_id",
        "month",
        "mrr",
        "segment",
    ]
    file = str(source)
    assert rows == [
        # the value keeps its spaces: it is written as read, not trimmed or coerced
        {
            "file": file,
            "line": "3",
            "column": "mrr",
            "value": " 5x ",
            "reason": "invalid_amount",
            "customer_id": "B",
            "month": "2024-01",
            "mrr": " 5x ",
            "segment": "ent",
        },
        {
            "file": file,
            "line": "4",
            "column": "customer_id",
            "value": "",
            "reason": "missing_customer_id",
            "customer_id": "",
            "month": "2024-01",
            "mrr": "5",
            "segment": "smb",
        },
        {
            "file": file,
            "line": "5",
            "column": "mrr",
            "value": "#VALUE!",
            "reason": "spreadsheet_error",
            "customer_id": "C",
            "month": "2024-02",
            "mrr": "#VALUE!",
            "segment": "mid market",
        },
        {
            "file": file,
            "line": "7",
            "column": "month",
            "value": "2024-13",
            "reason": "impossible_date",
            "customer_id": "D",
            "month": "2024-13",
            "mrr": "7",
            "segment": "ent",
        },
    ]


def test_write_rejects_without_bad_rows_still_writes_the_header(tmp_path: Path) -> None:
    source = tmp_path / "clean.csv"
    source.write_text("customer_id,month,mrr\nA,2024-01,100\n", encoding="utf-8")
    target = tmp_path / "rejects.csv"

    assert write_rejects(load(source, on_bad_rows="reject"), target) == 0

    header = target.read_text(encoding="utf-8").splitlines()
    assert len(header) == 1
    assert next(csv.reader(header)) == [
        "file",
        "line",
        "column",
        "value",
        "reason",
        "customer_id",
        "month",
        "mrr",
    ]
