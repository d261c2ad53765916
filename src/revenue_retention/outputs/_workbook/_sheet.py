"""One sheet into a write-only workbook: blocks one under the other, made Excel tables.

Headers are words (``Starting MRR (USD)``), not the JSON field names the records carry.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from revenue_retention.outputs._workbook._cells import (
    MAX_WIDTH,
    CellWriter,
    shown_width,
    xml_text,
)
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import Block, Sheet
from revenue_retention.outputs.labels import money_title

__all__ = ["fit_rows", "write_sheet"]

#: Rows above the first block: the sheet's title and caption.
_TOP = 2
_MIN_WIDTH = 6
#: Records looked at to size a column: enough for a representative width, not all.
_WIDTH_SAMPLE = 500


def _headers(block: Block, currency: str | None) -> list[str]:
    """The block's column headers in words, the currency beside money, each one unique."""
    headers: list[str] = []
    for name in block.fields:
        text = block.header(name)
        if block.kind(name) is Kind.MONEY:
            text = money_title(text, currency)
        if text in headers:
            text = f"{text} ({name})"  # Excel refuses a table with two equal headers
        headers.append(text)
    return headers


def _block_rows(block: Block, w: CellWriter, currency: str | None) -> Iterator[list[Any]]:
    """The rows of one block, each as wide as its fields (or one cell for notes)."""
    yield [w.text(block.title, "bold")]
    for note in block.notes:
        yield [w.text(note, "note")]
    if not block.fields:
        return
    yield [w.text(header, "bold") for header in _headers(block, currency)]
    if not block.records:
        yield [w.text("(none)", "note")]
    kinds = [block.kind(name) for name in block.fields]
    for record in block.records:
        yield [w.value(record.get(name), k) for name, k in zip(block.fields, kinds, strict=True)]


def _layout(sheet: Sheet) -> list[tuple[Block, int]]:
    """Each block with the sheet row of its title (1-based): one under the other."""
    placed = []
    row = _TOP + 1
    for block in sheet.blocks:
        placed.append((block, row))
        row += block.height + 1
    return placed


def _header_row(block: Block, row: int) -> int:
    return row + 1 + len(block.notes)


def fit_rows(sheet: Sheet, limit: int) -> tuple[Sheet, list[str]]:
    """``sheet`` with each table cut to end by row ``limit``, and a line per table cut.

    A cut table keeps its first records (each table is in its order of importance, the
    largest customers first) and gains a note saying how many of how many it shows; it
    leaves room for the tables below it (a short Totals under the customers). A block that
    would start below the limit is left out, and said.
    """
    cut: list[str] = []
    kept: list[Block] = []
    main = sheet.main
    row = _TOP + 1
    for i, block in enumerate(sheet.blocks):
        below = sum(b.height + 1 for b in sheet.blocks[i + 1 :])
        # Title, notes, header, then the records; a cut table has one note more.
        room = limit - below - (row + len(block.notes) + 2)
        if block.fields and len(block.records) > room + 1:
            total = len(block.records)
            shown = max(room, 0)
            note = (
                f"only the first {shown:,} of {total:,} rows: an Excel sheet holds "
                f"{limit:,} rows; the command's CSV or JSON output has them all"
            )
            block = replace(block, records=block.records[:shown], notes=(*block.notes, note))
            cut.append(f"{sheet.name}, {block.title}: {note}")
        if row + block.height - 1 > limit:
            cut.append(f"{sheet.name}, {block.title}: left out, below row {limit:,}")
            if main is not None and i <= main:
                main = None if i == sheet.main else main - 1
            continue
        kept.append(block)
        row += block.height + 1
    return replace(sheet, blocks=tuple(kept), main=main), cut


def _table_name(sheet: str, block: str) -> str:
    return f"{sheet}_{block}"


def _add_tables(ws: Any, sheet: Sheet, currency: str | None) -> None:
    """An Excel table (filter buttons, banded rows) over each block's header and records."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    for block, row in _layout(sheet):
        if not block.fields or not block.records:
            continue  # a table needs a header and at least one row
        header = _header_row(block, row)
        ref = f"A{header}:{get_column_letter(len(block.fields))}{header + len(block.records)}"
        names = _headers(block, currency)
        table = Table(
            displayName=_table_name(sheet.name, block.name),
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableColumns=[TableColumn(id=i, name=xml_text(n)) for i, n in enumerate(names, 1)],
            tableStyleInfo=TableStyleInfo(name="TableStyleLight1", showRowStripes=True),
        )
        with warnings.catch_warnings():
            # We do add the table's columns ourselves, as write-only mode requires.
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            ws.add_table(table)
        if block.heat_from is not None:
            first = get_column_letter(1 + block.heat_from)
            _shade(ws, f"{first}{header + 1}:{ref.split(':')[1]}")


def _shade(ws: Any, cells: str) -> None:
    """Rates below 100% shaded towards vermillion, above towards blue (colour-blind safe)."""
    from openpyxl.formatting.rule import ColorScaleRule

    from revenue_retention.outputs.overview.charts import OKABE_ITO

    ws.conditional_formatting.add(
        cells,
        ColorScaleRule(
            start_type="num",
            start_value=0.5,
            start_color="FF" + OKABE_ITO["vermillion"].lstrip("#"),
            mid_type="num",
            mid_value=1,
            mid_color="FFFFFFFF",
            end_type="num",
            end_value=1.5,
            end_color="FF" + OKABE_ITO["blue"].lstrip("#"),
        ),
    )


def _set_widths(ws: Any, sheet: Sheet, currency: str | None) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for block, _ in _layout(sheet):
        sample = block.records[:_WIDTH_SAMPLE]
        for column, (name, header) in enumerate(
            zip(block.fields, _headers(block, currency), strict=True), 1
        ):
            kind = block.kind(name)
            wide = max((shown_width(r.get(name), kind) for r in sample), default=0)
            widths[column] = max(widths.get(column, 0), len(header), wide)
    for column, wide in widths.items():
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = min(max(wide + 2, _MIN_WIDTH), MAX_WIDTH)


#: The deepest header row that is frozen: below it, frozen rows would fill the screen.
_MAX_FROZEN_ROW = 20


def _frozen(sheet: Sheet, placed: list[tuple[Block, int]]) -> str:
    """Where the panes freeze: under the main table's header, else under the caption."""
    from openpyxl.utils import get_column_letter

    if sheet.main is not None:
        block, row = placed[sheet.main]
        below_header = _header_row(block, row) + 1
        if below_header <= _MAX_FROZEN_ROW:
            return f"{get_column_letter(sheet.frozen_columns + 1)}{below_header}"
    return f"A{_TOP + 1}"


#: A table starting below this row is off the first screen: the caption says where it is.
_FIRST_SCREEN_ROWS = 40


def _caption(sheet: Sheet, placed: list[tuple[Block, int]]) -> str:
    """The sheet's caption, and where each table off the first screen starts."""
    further = [f"{block.title} (row {row:,})" for block, row in placed if row > _FIRST_SCREEN_ROWS]
    if not further:
        return sheet.caption
    return f"{sheet.caption} Further down: {'; '.join(further)}."


def write_sheet(wb: Any, sheet: Sheet, currency: str | None = None) -> None:
    """Add ``sheet`` to the write-only workbook ``wb``: titles, blocks, tables, widths.

    ``currency``, when known, is shown beside every money column's header.
    """
    ws = wb.create_sheet(sheet.name)
    w = CellWriter(ws)
    placed = _layout(sheet)
    _set_widths(ws, sheet, currency)
    ws.freeze_panes = _frozen(sheet, placed)
    ws.append([w.text(sheet.title, "title")])
    ws.append([w.text(_caption(sheet, placed), "note")])
    for i, block in enumerate(sheet.blocks):
        if i:
            ws.append([])
        for row in _block_rows(block, w, currency):
            ws.append(row)
    _add_tables(ws, sheet, currency)
