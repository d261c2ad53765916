"""Built-in adapters for delimited text and Parquet files."""

from __future__ import annotations

import csv
from pathlib import Path

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.engine import LINE_COLUMN, describe_error, scan_csv, scan_parquet
from revenue_retention.errors import SourceError
from revenue_retention.inputs.registry import Raw, register

__all__ = ["CsvAdapter", "ParquetAdapter", "header_of"]

_PARQUET_MAGIC = b"PAR1"


def _head(path: Path, size: int = 4) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as error:
        raise SourceError(str(path), f"cannot be read ({error.strerror})") from None


def _as_raw(
    path: Path, adapter: str, table: ir.Table, unnumbered: ir.Table, rescan: bool = False
) -> Raw:
    columns = tuple(c for c in table.columns if c != LINE_COLUMN)
    return Raw(
        path=str(path),
        adapter=adapter,
        table=table,
        columns=columns,
        unnumbered=unnumbered,
        rescan=rescan,
    )


class CsvAdapter:
    """Comma, semicolon or tab separated text with a header row."""

    name = "csv"

    def detect(self, source: Path) -> bool:
        return source.suffix.lower() in {".csv", ".tsv", ".txt"} or (
            source.suffix == "" and _head(source) != _PARQUET_MAGIC
        )

    def read(self, source: Path, con: BaseBackend) -> Raw:
        if source.stat().st_size == 0:
            raise SourceError(str(source), "the file is empty; expected a header row and data")
        if _head(source) == _PARQUET_MAGIC:
            raise SourceError(str(source), "is a Parquet file, not CSV; rename it to .parquet")
        delimiter, header = _dialect(source)
        try:
            table = scan_csv(con, source, delimiter, header)
            unnumbered = scan_csv(con, source, delimiter, header, numbered=False)
        except Exception as error:  # the engine's parser error, reworded once here
            raise SourceError(
                str(source), f"cannot be parsed as CSV: {describe_error(error)}"
            ) from None
        return _as_raw(source, self.name, table, unnumbered)


class ParquetAdapter:
    """Apache Parquet files."""

    name = "parquet"

    def detect(self, source: Path) -> bool:
        return source.suffix.lower() in {".parquet", ".pq"} or _head(source) == _PARQUET_MAGIC

    def read(self, source: Path, con: BaseBackend) -> Raw:
        if source.stat().st_size == 0:
            raise SourceError(str(source), "the file is empty; expected a Parquet file")
        if _head(source) != _PARQUET_MAGIC:
            raise SourceError(str(source), "is not a Parquet file (no PAR1 magic bytes)")
        try:
            table = scan_parquet(con, source)
            unnumbered = scan_parquet(con, source, numbered=False)
        except Exception as error:
            raise SourceError(
                str(source), f"cannot be read as Parquet: {describe_error(error)}"
            ) from None
        return _as_raw(source, self.name, table, unnumbered, rescan=True)


_DELIMITERS = (",", ";", "\t", "|")


def header_of(path: Path) -> list[str]:
    """The column names of a delimited text file's header line."""
    return _dialect(path)[1]


def _dialect(path: Path) -> tuple[str, list[str]]:
    """The delimiter (the candidate the header line holds most) and the column names.

    Blank names are named by position (``column_3``), as spreadsheets leave them blank.
    """
    with path.open("rb") as handle:
        line = handle.readline(1 << 20).decode("utf-8-sig", errors="replace").rstrip("\r\n")
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    delimiter = best if counts[best] else ","
    names = next(csv.reader([line], delimiter=delimiter), [])
    if not any(name.strip() for name in names):
        raise SourceError(str(path), "the first line is empty; expected a header row")
    header = [name.strip() or f"column_{i}" for i, name in enumerate(names, start=1)]
    # Engines compare column names without regard to case, so Segment and segment repeat.
    folded = [name.lower() for name in header]
    repeated = sorted({name for name in header if folded.count(name.lower()) > 1})
    if repeated:
        raise SourceError(
            str(path), f"the header repeats the column name(s) {', '.join(map(repr, repeated))}"
        )
    return delimiter, header


register(CsvAdapter())
register(ParquetAdapter())
