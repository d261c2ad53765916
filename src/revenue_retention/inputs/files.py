"""Built-in adapters for delimited text and Parquet files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.engine import (
    LINE_COLUMN,
    connect,
    csv_errors_name,
    describe_error,
    materialize,
    scan_csv,
    scan_parquet,
)
from revenue_retention.errors import RejectReason, SourceError
from revenue_retention.inputs.census import MAX_LINE_BYTES, blank_out, line_start, take_census
from revenue_retention.inputs.header import check_header, check_width
from revenue_retention.inputs.lines import SHOWN_CHARACTERS, LineAccount, SetAside, layout
from revenue_retention.inputs.registry import Raw, register
from revenue_retention.inputs.sniff import content_kind, describe_kind, open_text, scratch_folder

__all__ = ["CsvAdapter", "ParquetAdapter", "header_of"]


def _as_raw(path: Path, adapter: str, table: ir.Table, unnumbered: ir.Table, **extra: Any) -> Raw:
    columns = tuple(c for c in table.columns if c != LINE_COLUMN)
    check_width(str(path), len(columns))
    return Raw(str(path), adapter, table, columns, unnumbered=unnumbered, **extra)


def _expect(path: Path, wanted: str, adapter: str) -> None:
    """Refuse a file whose content is not what the adapter reads, saying what it is."""
    kind = content_kind(path)
    if kind != wanted:
        raise SourceError(str(path), f"is not {adapter}: the file is {describe_kind(kind)}")


class CsvAdapter:
    """Comma, semicolon, tab or pipe separated text with a header row, in any common encoding."""

    name = "csv"

    def detect(self, source: Path) -> bool:
        return source.suffix.lower() in {".csv", ".tsv", ".txt"} or (
            source.suffix == "" and content_kind(source) == "text"
        )

    def read(self, source: Path, con: BaseBackend) -> Raw:
        if source.stat().st_size == 0:
            raise SourceError(str(source), "the file is empty; expected a header row and data")
        _expect(source, "text", "CSV text")
        text = open_text(source)
        delimiter, header, blank = _dialect(text.path, str(source))
        warnings = [text.note] if text.note else []
        if blank:
            warnings.append(
                f"column(s) without a name in the header, at position(s) "
                f"{', '.join(str(i) for i, _ in blank)}: read as "
                f"{', '.join(repr(name) for _, name in blank)}"
            )
        path, account = _account(source, text.path, delimiter, header)
        warnings += _stray_warnings(account)
        errors = csv_errors_name()
        try:
            # Both scans record what they set aside, in one table (DuckDB 1.5 resumes
            # reading after a malformed record differently without that, and would skip
            # rows the other scan reads); whichever runs first is the record used.
            table = scan_csv(con, path, delimiter, header, errors=errors)
            unnumbered = scan_csv(con, path, delimiter, header, numbered=False, errors=errors)
        except Exception as error:  # the engine's parser error, reworded once here
            raise SourceError(
                str(source), f"cannot be parsed as CSV: {describe_error(error)}"
            ) from None
        return _as_raw(
            source,
            self.name,
            table,
            unnumbered,
            warnings=tuple(warnings),
            delimiter=delimiter,
            scan_errors=errors,
            account=account,
        )


def _account(
    source: Path, path: Path, delimiter: str, header: list[str]
) -> tuple[Path, LineAccount]:
    """The file the reader is given, and the account of its lines (``inputs.lines``).

    Lines too long for any row, and lines whose quote would swallow the lines after them,
    are blanked in a copy the reader reads instead: the reader never sees them, and they
    are set aside here, one by one, with their own line and text.
    """
    census = take_census(path, delimiter, len(header))
    long_lines = [found.line for found in census.long_lines]
    set_aside = [
        SetAside(
            found.line,
            RejectReason.LINE_TOO_LONG,
            None,
            line_start(path, found.offset, SHOWN_CHARACTERS)[:SHOWN_CHARACTERS]
            + f" … [cut: the line has {found.size:,} bytes]",
        )
        for found in census.long_lines
    ]
    read = blank_out(path, long_lines, scratch_folder()) if long_lines else path
    if not census.odd_quote_lines:
        return read, LineAccount(str(source), census, None, tuple(set_aside))

    con = connect("duckdb")  # the layout's few marked lines, chained on the side
    try:
        found = layout(census, delimiter, len(header), lambda e, p: materialize(con, e, p))
    finally:
        con.disconnect()
    if found.long_inside:
        raise SourceError(
            str(source),
            f"line {found.long_inside[0]} is longer than {MAX_LINE_BYTES:,} bytes, inside a "
            "quoted value that starts on a line above it: no value of a billing table is "
            "that long; check the file's quoting",
        )
    set_aside += [
        SetAside(
            stray.line,
            RejectReason.UNCLOSED_QUOTE,
            header[stray.column]
            if stray.column is not None and stray.column < len(header)
            else None,
            stray.text,
        )
        for stray in found.strays
    ]
    if found.strays:
        removed = long_lines + [stray.line for stray in found.strays]
        read = blank_out(path, removed, scratch_folder())
    account = LineAccount(
        str(source), census, found, tuple(sorted(set_aside, key=lambda s: s.line))
    )
    return read, account


def _stray_warnings(account: LineAccount) -> list[str]:
    """What the stray quotes would have swallowed, and what was read instead."""
    strays = account.layout.strays if account.layout is not None else ()
    if not strays:
        return []
    shown = []
    for stray in strays[:3]:
        end = f"to line {stray.closed_by:,}" if stray.closed_by else "to the end of the file"
        shown.append(
            f"line {stray.line:,} opens a quoted value that would run {end}, swallowing "
            f"{stray.swallowed:,} line(s), {stray.whole:,} of them whole rows on their own"
        )
    more = f"; and {len(strays) - 3} more such line(s)" if len(strays) > 3 else ""
    return [
        "; ".join(shown)
        + more
        + ": each such line is rejected alone (unclosed_quote) and the lines after it are "
        "read one by one"
    ]


class ParquetAdapter:
    """Apache Parquet files."""

    name = "parquet"

    def detect(self, source: Path) -> bool:
        return source.suffix.lower() in {".parquet", ".pq"} or content_kind(source) == "parquet"

    def read(self, source: Path, con: BaseBackend) -> Raw:
        if source.stat().st_size == 0:
            raise SourceError(str(source), "the file is empty; expected a Parquet file")
        _expect(source, "parquet", "a Parquet file")
        try:
            table = scan_parquet(con, source)
            unnumbered = scan_parquet(con, source, numbered=False)
        except Exception as error:
            raise SourceError(
                str(source), f"cannot be read as Parquet: {describe_error(error)}"
            ) from None
        return _as_raw(source, self.name, table, unnumbered, rescan=True)


_DELIMITERS = (",", ";", "\t", "|")
#: The longest header line read: a thousand columns of long names fit.
_HEADER_BYTES = 1 << 20


def header_of(path: Path) -> list[str]:
    """The column names of a delimited text file's header line."""
    return _dialect(path, str(path))[1]


def _dialect(path: Path, shown: str) -> tuple[str, list[str], list[tuple[int, str]]]:
    """The delimiter (the candidate the header line holds most), the column names, and the
    blank names with the position and name each was given.

    Blank names are named by position (``column_3``), as spreadsheets leave them blank.
    ``path`` is UTF-8 text (``sniff.open_text``); ``shown`` names the file in messages.
    """
    with path.open("rb") as handle:
        raw = handle.readline(_HEADER_BYTES + 1)
    if len(raw) > _HEADER_BYTES:
        raise SourceError(
            shown,
            f"the first line is longer than {_HEADER_BYTES:,} bytes: not the header of a "
            "billing table (a file without line breaks, or binary data?)",
        )
    line = raw.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    delimiter = best if counts[best] else ","
    try:
        names = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as error:
        raise SourceError(shown, f"the header line cannot be read as CSV ({error})") from None
    if not any(name.strip() for name in names):
        raise SourceError(shown, "the first line is empty; expected a header row")
    check_width(shown, len(names))
    header = [name.strip() or f"column_{i}" for i, name in enumerate(names, start=1)]
    blank = [(i, header[i - 1]) for i, name in enumerate(names, start=1) if not name.strip()]
    check_header(shown, header, "; rename one of each so that every column has its own name")
    return delimiter, header, blank


register(CsvAdapter())
register(ParquetAdapter())
