"""Excel workbooks (``.xlsx``): one worksheet read as a text table, cells named ``Sheet!A1``.

A worksheet is small (Excel stops at about a million rows), so its cells are read in
Python with openpyxl's streaming reader and handed to the engine as one Arrow table of
text; validation then runs in the engine as for every other source. Each value is the
cell's stored value, not its display format: a number is written out exactly as the
workbook stores it (``1234.5``), a date as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from revenue_retention.engine import LINE_COLUMN
from revenue_retention.errors import OptionError, SourceError
from revenue_retention.inputs.header import check_header
from revenue_retention.inputs.registry import Raw, register
from revenue_retention.inputs.sniff import content_kind, describe_kind

__all__ = ["XlsxAdapter", "cell_text"]

_ZIP_MAGIC = b"PK\x03\x04"


def cell_text(value: Any) -> str | None:
    """A cell's stored value as text: exact for numbers, ISO for dates, None when empty.

    >>> cell_text(1234.5), cell_text(12), cell_text(dt.datetime(2024, 1, 31)), cell_text("  ")
    ('1234.5', '12', '2024-01-31', None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # repr is the shortest text that reads back as the stored double: the number as
        # the workbook wrote it, never a rounded display.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    return text or None


def _letter(index: int) -> str:
    """Spreadsheet column letters of a 1-based index (1 -> A, 28 -> AB)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class XlsxAdapter:
    """Excel workbooks: the first worksheet, or the one named with ``--sheet``."""

    name = "xlsx"
    #: Accepts ``sheet=``.
    sheets = True

    def detect(self, source: Path) -> bool:
        return source.suffix.lower() in {".xlsx", ".xlsm"}

    def read(self, source: Path, con: BaseBackend, sheet: str | None = None) -> Raw:
        try:
            from openpyxl import load_workbook
        except ImportError:  # pragma: no cover - a dependency, but say what to install
            raise SourceError(
                str(source), "reading Excel files needs openpyxl: pip install openpyxl"
            ) from None
        if not zipfile.is_zipfile(source):
            kind = "empty" if source.stat().st_size == 0 else content_kind(source)
            found = "an empty file" if kind == "empty" else describe_kind(kind)
            raise SourceError(str(source), f"is not an Excel .xlsx workbook: the file is {found}")
        try:
            book = load_workbook(source, read_only=True, data_only=True)
        except Exception as error:  # openpyxl's own errors for a damaged workbook
            raise SourceError(str(source), f"cannot be read as a workbook: {error}") from None
        try:
            names = book.sheetnames
            if sheet is None:
                worksheet = book.worksheets[0]
            elif sheet in names:
                worksheet = book[sheet]
            else:
                raise OptionError("sheet", sheet, f"is not a sheet of {source}; sheets: {names}")
            return _as_raw(source, worksheet, con)
        finally:
            book.close()


#: Rows looked at for the header: a sheet often opens with a title and blank rows.
_HEADER_SEARCH = 20


def _as_raw(source: Path, worksheet: Any, con: BaseBackend) -> Raw:
    rows = worksheet.iter_rows(values_only=True)
    # The header is the first row with two or more values: a title row above it has one.
    header_row, header_line = None, 0
    for header_line, values in enumerate(rows, start=1):
        if sum(cell_text(v) is not None for v in values) >= 2:
            header_row = values
            break
        if header_line >= _HEADER_SEARCH:
            break
    if header_row is None:
        raise SourceError(
            f"{source}[{worksheet.title}]",
            f"no header row (a row with at least two values) in the first {_HEADER_SEARCH} rows",
        )
    header = [cell_text(v) or f"column_{i}" for i, v in enumerate(header_row, start=1)]
    check_header(f"{source}[{worksheet.title}]", header)
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in header]
    lines: list[int] = []
    # A worksheet is small: its cells are read here, the rows themselves are validated
    # in the engine like any other source.
    for number, values in enumerate(rows, start=header_line + 1):
        texts = [cell_text(v) for v in values[:width]]
        if not any(texts):
            continue  # a blank row of a sheet is layout, not data
        texts += [None] * (width - len(texts))
        for column, text in zip(columns, texts, strict=True):
            column.append(text)
        lines.append(number)
    arrow = pa.table(
        {LINE_COLUMN: pa.array(lines, pa.int64())}
        | {
            name: pa.array(values, pa.string())
            for name, values in zip(header, columns, strict=True)
        }
    )
    return Raw(
        path=str(source),
        adapter="xlsx",
        table=ibis.memtable(arrow),
        columns=tuple(header),
        sheet=worksheet.title,
        column_letters={name: _letter(i) for i, name in enumerate(header, start=1)},
    )


register(XlsxAdapter())
