"""Excel's row limit: a table longer than a sheet keeps its first rows, and says so."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from revenue_retention import load
from revenue_retention.analyses.overview import compute_overview
from revenue_retention.outputs._workbook._model import Block, Sheet
from revenue_retention.outputs._workbook._sheet import fit_rows
from revenue_retention.outputs.overview import workbook
from revenue_retention.outputs.overview.workbook import EXCEL_ROWS, write_workbook


def test_a_table_longer_than_a_sheet_is_cut_and_says_so() -> None:
    """1,200,000 customers: the records that fit Excel's 1,048,576 rows, and a note; the
    table below keeps its place."""
    records = [{"customer_id": "x", "change": "1.00"}] * 1_200_000
    main = Block("customers", "Customers", ("customer_id", "change"), records, notes=("why",))
    side = Block("totals", "Totals", ("item",), [{"item": "a"}])
    sheet = Sheet("Customers", "Customers", "caption", (main, side))
    fitted, cut = fit_rows(sheet, EXCEL_ROWS)
    block = fitted.blocks[0]
    # Title and caption (rows 1-2), the block's title (3), its two notes, its header (6):
    # records from row 7 to 4 rows above the last row of a sheet, which hold an empty row,
    # the totals' title, header and one record.
    shown = EXCEL_ROWS - 6 - 4
    assert len(block.records) == shown
    assert block.notes[0] == "why"
    assert block.notes[1] == (
        f"only the first {shown:,} of 1,200,000 rows: an Excel sheet holds "
        "1,048,576 rows; the command's CSV or JSON output has them all"
    )
    assert cut == [f"Customers, Customers: {block.notes[1]}"]
    assert fitted.blocks[1] == side
    # A table that fits exactly is left whole.
    whole = Block("customers", "Customers", ("customer_id",), records[: EXCEL_ROWS - 5])
    exact, none = fit_rows(Sheet("C", "C", "c", (whole,)), EXCEL_ROWS)
    assert exact.blocks[0] is whole and none == []


def test_the_written_sheet_stops_at_the_limit_and_the_summary_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with a limit small enough to write: 400 customers, 250 rows a sheet."""
    lines = ["customer_id,month,mrr"]
    for i in range(400):
        lines += [f"c{i:03d},2024-01,{100 + i}", f"c{i:03d},2024-02,{100 + i - i % 3}"]
    source = tmp_path / "many.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ov = compute_overview(load(source), window_months=1, resamples=20)
    monkeypatch.setattr(workbook, "EXCEL_ROWS", 250)
    wb = openpyxl.load_workbook(write_workbook(ov, tmp_path / "many.xlsx"))
    ws = wb["Customers"]
    assert ws.max_row <= 250
    first, last = ws.tables["Customers_customers"].ref.split(":")
    header = int(first[1:])
    # The totals below the customers keep their place, and end on the sheet's last row.
    totals_first, totals_last = ws.tables["Customers_totals"].ref.split(":")
    assert int(totals_last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == 250
    end = int(last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    # An empty row, the totals' title, then their header.
    assert int(totals_first[1:]) == end + 3
    shown = end - header
    note = (
        f"only the first {shown:,} of 400 rows: an Excel sheet holds 250 rows; the "
        "command's CSV or JSON output has them all"
    )
    assert ws.cell(header - 1, 1).value == note
    # The largest changes first, then by id, as the explain JSON orders them: a customer
    # i lost i % 3, so c002 is the first of those that lost 2.
    assert ws.cell(header + 1, 1).value == "c002"
    summary = [c.value for row in wb["Summary"].iter_rows() for c in row]
    assert f"Customers, Customers paying at 2024-01: 1-month window to 2024-02: {note}" in summary
