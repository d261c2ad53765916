"""CSV outputs neutralise text a spreadsheet would run, and leave numbers as numbers.

The rule (README, "Safe outputs"; OWASP's "CSV Injection"): a text field that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a ``'`` before it,
quoted; numbers (counts, rates, money written as plain decimals such as ``-12.50``) and a
text that is itself such a plain decimal are written as they are. ``raw`` turns it off.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.hostile_values import FORMULA_COLUMN, FORMULAS, NUMBER_ID, hostile_csv, is_formula_like

from revenue_retention import compute_metrics, load, to_csv, write_rejects
from revenue_retention.outputs._document import Document, Section


def _document(*records: dict[str, object]) -> Document:
    fields = tuple(dict.fromkeys(k for r in records for k in r))
    return Document({}, [Section("rows", fields, list(records))], render=lambda _: None)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_like_text_gets_a_quote_and_quotes(formula: str) -> None:
    text = _document({"customer_id": formula, "mrr": "-12.50", "customers": 3}).to_csv()
    header, row = text.split("\n")[1:3]
    assert header == "customer_id,mrr,customers"
    escaped = formula.replace('"', '""')
    # The field is quoted (with the rest of its row); the text read back starts with '.
    assert row == f'"\'{escaped}","-12.50","3"'
    assert _rows(text.split("\n", 1)[1])[1] == ["'" + formula, "-12.50", "3"]


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    doc = _document(
        {"customer_id": "acme", "change": "-12.50", "grr": 0.5, "n": -3, "ok": True},
        {"customer_id": NUMBER_ID, "change": "+4", "grr": None, "n": 0, "ok": False},
        {"customer_id": "a-b=c", "change": "0.00", "grr": -0.25, "n": 1, "ok": True},
    )
    assert doc.to_csv().split("\n")[1:] == [
        "customer_id,change,grr,n,ok",
        "acme,-12.50,0.5,-3,True",
        "-12,+4,,0,False",
        "a-b=c,0.00,-0.25,1,True",
        "",
    ]


def test_a_formula_named_column_is_neutralised_in_the_header() -> None:
    text = _document({FORMULA_COLUMN: "x", "mrr": "1.00"}).to_csv()
    assert _rows(text.split("\n", 1)[1])[0] == ["'" + FORMULA_COLUMN, "mrr"]


def test_raw_writes_every_value_as_it_is() -> None:
    records = [{"customer_id": f, "mrr": "-1.00"} for f in FORMULAS]
    text = _document(*records).to_csv(raw=True)
    assert _rows(text.split("\n", 1)[1])[1:] == [[f, "-1.00"] for f in FORMULAS]


def test_json_stays_raw() -> None:
    doc = _document({"customer_id": FORMULAS[0], "mrr": "-1.00"})
    assert json.loads(doc.to_json())["rows"] == [{"customer_id": FORMULAS[0], "mrr": "-1.00"}]


def test_no_neutralised_csv_cell_reads_as_a_formula(tmp_path: Path) -> None:
    """Every command's CSV is a Document's: the metrics CSV of the hostile file, by group."""
    source = tmp_path / "hostile.csv"
    source.write_text(hostile_csv(), encoding="utf-8")
    result = compute_metrics(load(source), window_months=[1], by=["segment"])
    cells = [c for line in csv.reader(io.StringIO(to_csv(result))) for c in line]
    assert "'" + FORMULAS[1] in cells and "'-seg" in cells
    assert not [c for c in cells if is_formula_like(c)]
    # The money stays numbers: every opening_mrr reads as a decimal.
    raw = [c for line in csv.reader(io.StringIO(to_csv(result, raw=True))) for c in line]
    assert FORMULAS[1] in raw and "-seg" in raw


def test_write_csv_dir_neutralises_each_file(tmp_path: Path) -> None:
    doc = _document({"customer_id": FORMULAS[0], "mrr": "-2.00"})
    [path] = doc.write_csv_dir(tmp_path / "out")
    assert _rows(path.read_text(encoding="utf-8")) == [
        ["customer_id", "mrr"],
        ["'" + FORMULAS[0], "-2.00"],
    ]
    [raw] = doc.write_csv_dir(tmp_path / "raw", raw=True)
    assert _rows(raw.read_text(encoding="utf-8"))[1] == [FORMULAS[0], "-2.00"]


# --- the rejects file ---------------------------------------------------------------------

_BAD = """\
customer_id,month,mrr,=note
=cmd|' /C calc'!A0,2024-01,-12.50,@SUM(1)
+1,2024-01,1e3,-5
ok,2024-01,100.00,fine
"""


def test_rejects_neutralise_source_text_but_not_numbers(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(_BAD, encoding="utf-8")
    data = load(source, on_bad_rows="reject")
    path = tmp_path / "rejects.csv"
    assert write_rejects(data, path) == 2
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "file",
        "line",
        "column",
        "value",
        "reason",
        "customer_id",
        "month",
        "mrr",
        "'=note",
    ]
    by_line = {r["line"]: r for r in rows}
    first, second = by_line["2"], by_line["3"]
    # A negative amount copied from the source is a plain decimal: a number, untouched.
    assert (first["value"], first["mrr"], first["reason"]) == (
        "-12.50",
        "-12.50",
        "negative_amount",
    )
    assert first["customer_id"] == "'=cmd|' /C calc'!A0"
    assert first["'=note"] == "'@SUM(1)"
    # "+1" and "-5" are plain numbers too; "1e3" is not a formula.
    assert (second["customer_id"], second["'=note"], second["value"]) == ("+1", "-5", "1e3")
    # Every text field of the file is quoted, so the neutralised ones are.
    assert "\"'=cmd|' /C calc'!A0\"" in path.read_text(encoding="utf-8")


def test_rejects_raw_keeps_the_source_verbatim(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(_BAD, encoding="utf-8")
    path = tmp_path / "rejects.csv"
    write_rejects(load(source, on_bad_rows="reject"), path, raw=True)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert "=note" in rows[0]
    assert rows[0]["customer_id"] == "=cmd|' /C calc'!A0" and rows[0]["=note"] == "@SUM(1)"
