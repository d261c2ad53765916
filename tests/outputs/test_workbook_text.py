"""The workbook holds text from the data as text: no formula, no recalculation, no lost rows.

Read from the file's XML itself (the zip), as Excel reads it: a cell is a formula when it
has an ``<f>`` element, an error when its type is ``e``; the workbook asks Excel to
recalculate everything on opening when ``workbook.xml`` has ``calcPr fullCalcOnLoad``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from tests.hostile_values import FORMULA_COLUMN, FORMULAS, IDS, TERMINAL, hostile_csv

from revenue_retention import load
from revenue_retention.analyses.overview import Overview, overview
from revenue_retention.outputs import workbook
from revenue_retention.outputs.workbook import EXCEL_ROWS, write_workbook
from revenue_retention.outputs.workbook._model import Block, Sheet
from revenue_retention.outputs.workbook._sheet import fit_rows

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Overview, Path]:
    folder = tmp_path_factory.mktemp("hostile_workbook")
    source = folder / "hostile.csv"
    source.write_text(hostile_csv(), encoding="utf-8")
    ov = overview(load(source), window=1, resamples=50)
    return ov, write_workbook(ov, folder / "hostile.xlsx")


def _cells(path: Path) -> Iterator[tuple[str, ElementTree.Element]]:
    """(sheet file, cell element) of every cell of every sheet."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                for cell in ElementTree.fromstring(archive.read(name)).iter(f"{_MAIN}c"):
                    yield name, cell


def _text(cell: ElementTree.Element) -> str | None:
    """The text of an inline-string cell (None for any other type)."""
    if cell.get("t") != "inlineStr":
        return None
    return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))


def test_no_cell_is_a_formula_or_an_error(hostile: tuple[Overview, Path]) -> None:
    _, path = hostile
    cells = list(_cells(path))
    assert len(cells) > 100
    for sheet, cell in cells:
        where = f"{sheet} {cell.get('r')}"
        assert cell.find(f"{_MAIN}f") is None, where
        # "str": a formula's cached text; "e": an error value; "s": a shared string we do
        # not write. Text is an inline string, every time.
        assert cell.get("t") in (None, "n", "b", "d", "inlineStr"), where


def test_every_hostile_text_is_stored_as_text(hostile: tuple[Overview, Path]) -> None:
    _, path = hostile
    texts: dict[str, set[str]] = {}
    for sheet, cell in _cells(path):
        text = _text(cell)
        if text is not None:
            texts.setdefault(text, set()).add(sheet)
    sheets = {f"xl/worksheets/sheet{i}.xml" for i in range(1, 9)}
    by_name = dict(zip(workbook.SHEETS, sorted(sheets, key=lambda s: int(s[19:-4])), strict=True))
    for formula in FORMULAS:
        # Each id is a customer of the cohort: listed on Customers.
        assert by_name["Customers"] in texts[formula], formula
    # The segment values, on Segments; the column's name is a header on Customers.
    assert by_name["Segments"] in texts[FORMULAS[1]]
    assert by_name["Segments"] in texts["-seg"]
    assert by_name["Customers"] in texts[FORMULA_COLUMN]
    # Control characters XML cannot hold are written as error messages write them.
    assert by_name["Customers"] in texts["\\x1b]0;owned\\x07"]
    assert by_name["Customers"] in texts["\\x1b[2Jwiped"]
    assert by_name["Customers"] in texts["[/bold]"]


def test_formula_like_text_keeps_the_quote_prefix(hostile: tuple[Overview, Path]) -> None:
    """Excel keeps a quote-prefixed cell as text even when someone edits it."""
    _, path = hostile
    ws = openpyxl.load_workbook(path)["Customers"]
    found: dict[Any, Any] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in FORMULAS or cell.value == FORMULA_COLUMN:
                found[cell.value] = cell
    assert set(found) == {*FORMULAS, FORMULA_COLUMN}
    for value, cell in found.items():
        assert cell.data_type == "s", value
        assert cell.quotePrefix, value


def test_the_workbook_asks_for_no_recalculation(hostile: tuple[Overview, Path]) -> None:
    _, path = hostile
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    assert book.find(f"{_MAIN}calcPr") is None
    assert b"fullCalcOnLoad" not in zipfile.ZipFile(path).read("xl/workbook.xml")


def test_every_customer_is_listed(hostile: tuple[Overview, Path]) -> None:
    _, path = hostile
    ws = openpyxl.load_workbook(path)["Customers"]
    table = ws.tables["Customers_customers"]
    rows = ws[table.ref]
    ids = {str(r[0].value) for r in rows[1:]}
    shown = {i.replace("\x1b", "\\x1b").replace("\x07", "\\x07") for i in IDS}
    assert ids == shown
    assert all(t.replace("\x1b", "\\x1b").replace("\x07", "\\x07") in ids for t in TERMINAL)


# --- Excel's row limit -----------------------------------------------------------------


def test_a_table_longer_than_a_sheet_is_cut_and_says_so() -> None:
    """1,200,000 customers: the records that fit Excel's 1,048,576 rows, and a note."""
    records = [{"customer_id": "x", "change": "1.00"}] * 1_200_000
    main = Block("customers", "Customers", ("customer_id", "change"), records, notes=("why",))
    side = Block("totals", "Totals", ("item",), [{"item": "a"}])
    sheet = Sheet("Customers", "Customers", "caption", ((main,), (side,)))
    fitted, cut = fit_rows(sheet, EXCEL_ROWS)
    block = fitted.stacks[0][0]
    # Title and caption (rows 1-2), the block's title (3), its two notes, its header (6):
    # records from row 7 to the last row of a sheet.
    assert len(block.records) == EXCEL_ROWS - 6
    assert block.notes[0] == "why"
    assert block.notes[1] == (
        f"only the first {EXCEL_ROWS - 6:,} of 1,200,000 rows: an Excel sheet holds "
        "1,048,576 rows; the command's CSV or JSON output has them all"
    )
    assert cut == [f"Customers, Customers: {block.notes[1]}"]
    assert fitted.stacks[1] == (side,)
    # A table that fits exactly is left whole.
    whole = Block("customers", "Customers", ("customer_id",), records[: EXCEL_ROWS - 5])
    exact, none = fit_rows(Sheet("C", "C", "c", ((whole,),)), EXCEL_ROWS)
    assert exact.stacks[0][0] is whole and none == []


def test_the_written_sheet_stops_at_the_limit_and_the_summary_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with a limit small enough to write: 400 customers, 250 rows a sheet."""
    lines = ["customer_id,month,mrr"]
    for i in range(400):
        lines += [f"c{i:03d},2024-01,{100 + i}", f"c{i:03d},2024-02,{100 + i - i % 3}"]
    source = tmp_path / "many.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ov = overview(load(source), window=1, resamples=20)
    monkeypatch.setattr(workbook, "EXCEL_ROWS", 250)
    wb = openpyxl.load_workbook(write_workbook(ov, tmp_path / "many.xlsx"))
    ws = wb["Customers"]
    assert ws.max_row <= 250
    first, last = ws.tables["Customers_customers"].ref.split(":")
    header = int(first[1:])
    assert int(last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == 250
    shown = 250 - header
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


# --- a workbook that cannot be finished -----------------------------------------------------


_SAVE = """
import signal, resource, sys
from revenue_retention import load, overview
from revenue_retention.errors import OutputError
from revenue_retention.outputs.workbook import write_workbook

ov = overview(load(sys.argv[1]), window=1, resamples=20)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))
try:
    write_workbook(ov, sys.argv[2])
except OutputError as error:
    print(error)
"""


def test_a_full_disk_while_saving_is_one_error_and_keeps_the_old_file(tmp_path: Path) -> None:
    """Each write-only sheet streams to its own file: a failed save must close them all,
    or each prints a traceback as the process ends (the attack saw 8).

    A real process whose files may not grow past 4,000 bytes: the workbook is larger.
    """
    source = tmp_path / "hostile.csv"
    source.write_text(hostile_csv(), encoding="utf-8")
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous workbook")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-c", _SAVE, str(source), str(target)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"cannot write {target}: File too large\n"
    assert done.stderr == ""
    assert target.read_bytes() == b"previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.csv", "report.xlsx"]
