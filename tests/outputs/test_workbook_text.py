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
from tests.hostile_values import FORMULA_COLUMN, FORMULAS, IDS, NUMBER_ID, TERMINAL, hostile_csv

from revenue_retention import load
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.outputs.overview.workbook import SHEETS, write_workbook

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _written(folder: Path, ids: tuple[str, ...]) -> tuple[Overview, Path]:
    source = folder / "hostile.csv"
    source.write_text(hostile_csv(ids), encoding="utf-8")
    ov = compute_overview(load(source), window_months=1, resamples=50)
    return ov, write_workbook(ov, folder / "hostile.xlsx")


@pytest.fixture(scope="module")
def formulas(tmp_path_factory: pytest.TempPathFactory) -> tuple[Overview, Path]:
    """Ids, segments and a column name that are formulas."""
    return _written(tmp_path_factory.mktemp("formulas"), (*FORMULAS, NUMBER_ID, "plain"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Overview, Path]:
    """The same with terminal escapes and markup among the ids."""
    return _written(tmp_path_factory.mktemp("hostile"), IDS)


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


def test_no_cell_is_a_formula_or_an_error(formulas: tuple[Overview, Path]) -> None:
    _, path = formulas
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
    sheets = {f"xl/worksheets/sheet{i}.xml" for i in range(1, len(SHEETS) + 1)}
    by_name = dict(zip(SHEETS, sorted(sheets, key=lambda s: int(s[19:-4])), strict=True))
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


def test_formula_like_text_keeps_the_quote_prefix(formulas: tuple[Overview, Path]) -> None:
    """Excel keeps a quote-prefixed cell as text even when someone edits it."""
    _, path = formulas
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


def test_the_workbook_asks_for_no_recalculation(formulas: tuple[Overview, Path]) -> None:
    _, path = formulas
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


# --- a workbook that cannot be finished -----------------------------------------------------


_SAVE = """
import signal, resource, sys
from revenue_retention import compute_overview, load
from revenue_retention.outputs.overview.workbook import write_workbook

ov = compute_overview(load(sys.argv[1]), window_months=1, resamples=20)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))
try:
    write_workbook(ov, sys.argv[2])
except OSError as error:  # OutputError is one
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
