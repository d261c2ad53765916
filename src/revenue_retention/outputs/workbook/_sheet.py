"""One sheet into a write-only workbook: blocks laid out, made Excel tables, columns sized."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import zip_longest
from typing import Any

from revenue_retention.outputs.workbook._cells import (
    MAX_WIDTH,
    CellWriter,
    shown_width,
    xml_text,
)
from revenue_retention.outputs.workbook._model import Block, Sheet

__all__ = ["fit_rows", "write_sheet"]

#: Rows above the first block: the sheet's title and caption.
_TOP = 2
_MIN_WIDTH = 6
#: Records looked at to size a column: enough for a representative width, not all.
_WIDTH_SAMPLE = 500


def _block_rows(block: Block, w: CellWriter) -> Iterator[list[Any]]:
    """The rows of one block, each as wide as its fields (or one cell for notes)."""
    yield [w.text(block.title, "bold")]
    for note in block.notes:
        yield [w.text(note, "note")]
    if not block.fields:
        return
    yield [w.text(name, "bold") for name in block.fields]
    if not block.records:
        yield [w.text("(none)", "note")]
    kinds = [block.kind(name) for name in block.fields]
    for record in block.records:
        yield [w.value(record.get(name), k) for name, k in zip(block.fields, kinds, strict=True)]


def _stack_width(stack: Sequence[Block]) -> int:
    return max((max(len(b.fields), 1) for b in stack), default=1)


def _stack_rows(stack: Sequence[Block], w: CellWriter) -> Iterator[list[Any]]:
    """The blocks one under the other, a blank row between, each row padded to width."""
    width = _stack_width(stack)
    for i, block in enumerate(stack):
        if i:
            yield [None] * width
        for row in _block_rows(block, w):
            yield row + [None] * (width - len(row))


def _layout(sheet: Sheet) -> list[tuple[Block, int, int]]:
    """Each block with the sheet row of its title and its first column (1-based)."""
    placed = []
    column = 1
    for stack in sheet.stacks:
        row = _TOP + 1
        for block in stack:
            placed.append((block, row, column))
            row += block.height + 1
        column += _stack_width(stack) + 1
    return placed


def fit_rows(sheet: Sheet, limit: int) -> tuple[Sheet, list[str]]:
    """``sheet`` with each table cut to end by row ``limit``, and a line per table cut.

    A cut table keeps its first records (each table is in its order of importance, the
    largest customers first) and gains a note saying how many of how many it shows;
    a block that would start below the limit is left out, and said.
    """
    stacks = []
    cut: list[str] = []
    for stack in sheet.stacks:
        row = _TOP + 1
        kept: list[Block] = []
        for block in stack:
            # Title, notes, header, then the records; a cut table has one note more.
            room = limit - (row + len(block.notes) + 2)
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
                continue
            kept.append(block)
            row += block.height + 1
        stacks.append(tuple(kept))
    return replace(sheet, stacks=tuple(stacks)), cut


def _table_name(sheet: str, block: str) -> str:
    return f"{sheet}_{block}"


def _add_tables(ws: Any, sheet: Sheet) -> None:
    """An Excel table (filter buttons, banded rows) over each block's header and records."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    for block, row, column in _layout(sheet):
        if not block.fields or not block.records:
            continue  # a table needs a header and at least one row
        header = row + 1 + len(block.notes)
        ref = (
            f"{get_column_letter(column)}{header}:"
            f"{get_column_letter(column + len(block.fields) - 1)}{header + len(block.records)}"
        )
        table = Table(
            displayName=_table_name(sheet.name, block.name),
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableColumns=[
                TableColumn(id=i, name=xml_text(n)) for i, n in enumerate(block.fields, 1)
            ],
            tableStyleInfo=TableStyleInfo(name="TableStyleLight1", showRowStripes=True),
        )
        with warnings.catch_warnings():
            # We do add the table's columns ourselves, as write-only mode requires.
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            ws.add_table(table)
        if block.heat_from is not None:
            first = get_column_letter(column + block.heat_from)
            _shade(ws, f"{first}{header + 1}:{ref.split(':')[1]}")


def _shade(ws: Any, cells: str) -> None:
    """Rates below 100% shaded towards vermillion, above towards blue (colour-blind safe)."""
    from openpyxl.formatting.rule import ColorScaleRule

    from revenue_retention.outputs.charts import OKABE_ITO

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


def _set_widths(ws: Any, sheet: Sheet) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for block, _, column in _layout(sheet):
        for offset, name in enumerate(block.fields):
            kind = block.kind(name)
            sample = block.records[:_WIDTH_SAMPLE]
            wide = max((shown_width(r.get(name), kind) for r in sample), default=0)
            widths[column + offset] = max(widths.get(column + offset, 0), len(name), wide)
    for column, wide in widths.items():
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = min(max(wide + 2, _MIN_WIDTH), MAX_WIDTH)


def write_sheet(wb: Any, sheet: Sheet) -> None:
    """Add ``sheet`` to the write-only workbook ``wb``: titles, blocks, tables, widths."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet.name)
    w = CellWriter(ws)
    _set_widths(ws, sheet)
    first = sheet.stacks[0][0]
    if sheet.main:
        below_header = _TOP + 1 + len(first.notes) + 2
        ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{below_header}"
    else:
        ws.freeze_panes = f"A{_TOP + 1}"
    ws.append([w.text(sheet.title, "title")])
    ws.append([w.text(sheet.caption, "note")])
    widths = [_stack_width(s) for s in sheet.stacks]
    streams = [_stack_rows(stack, w) for stack in sheet.stacks]
    for parts in zip_longest(*streams):
        row: list[Any] = []
        for i, part in enumerate(parts):
            if i:
                row.append(None)
            row += part if part is not None else [None] * widths[i]
        ws.append(row)
    _add_tables(ws, sheet)
