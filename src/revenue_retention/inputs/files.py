"""Built-in adapters for delimited text and Parquet files."""

from __future__ import annotations

from pathlib import Path

from ibis.backends import BaseBackend

from revenue_retention.engine import LINE_COLUMN, scan_csv, scan_parquet
from revenue_retention.errors import SourceError
from revenue_retention.inputs.registry import Raw, register

__all__ = ["CsvAdapter", "ParquetAdapter"]

_PARQUET_MAGIC = b"PAR1"


def _head(path: Path, size: int = 4) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as error:
        raise SourceError(str(path), f"cannot be read ({error.strerror})") from None


def _as_raw(path: Path, adapter: str, table: object) -> Raw:
    from ibis.expr.types import Table

    assert isinstance(table, Table)
    columns = tuple(c for c in table.columns if c != LINE_COLUMN)
    return Raw(path=str(path), adapter=adapter, table=table, columns=columns)


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
        try:
            table = scan_csv(con, source, delimiter=_delimiter(source))
        except Exception as error:  # the engine's parser error, reworded once here
            raise SourceError(
                str(source), f"cannot be parsed as CSV: {_first_line(error)}"
            ) from None
        return _as_raw(source, self.name, table)


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
        except Exception as error:
            raise SourceError(
                str(source), f"cannot be read as Parquet: {_first_line(error)}"
            ) from None
        return _as_raw(source, self.name, table)


_DELIMITERS = (",", ";", "\t", "|")


def _delimiter(path: Path) -> str:
    """The delimiter of the header line: the candidate it contains most often."""
    with path.open("rb") as handle:
        header = handle.readline(1 << 20).decode("utf-8", errors="replace")
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


register(CsvAdapter())
register(ParquetAdapter())
