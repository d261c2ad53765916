"""Where a load reads from and computes in: a file an engine scans, or a database table."""

from __future__ import annotations

from pathlib import Path

from ibis.backends import BaseBackend

from revenue_retention.canonical.options import LoadOptions
from revenue_retention.engine import (
    LINE_COLUMN,
    capability,
    connect,
    copy_as_text,
    describe_error,
    is_url,
    out_of_memory,
    redact,
)
from revenue_retention.errors import OptionError, SourceError
from revenue_retention.inputs import Raw, read_source, read_table

__all__ = ["close_own", "open_source", "unreadable"]


def open_source(source: str | Path | None, options: LoadOptions) -> tuple[BaseBackend, Raw]:
    """The engine to compute in and the raw input: a file it scans, or a table it holds."""
    table = options.table
    if is_url(source):
        assert isinstance(source, str)
        if table is None:
            raise OptionError("table", None, "is needed with a database URL: name the table")
        return _open_url(source, table)
    con = connect(options.engine, spark_master=options.spark_master)
    if table is not None:
        if source is not None:
            raise OptionError("table", table, "reads a database table; drop the file name")
        return con, read_table(con, table, table)
    if source is None:
        raise OptionError("source", None, "is needed: a file, or a database URL with a table")
    return con, read_source(source, con, options.input_format, sheet=options.sheet)


def _open_url(source: str, table: str) -> tuple[BaseBackend, Raw]:
    """A database's table: read where it is, or copied as text into DuckDB (SQLite, DuckDB)."""
    label = f"{redact(source)} {table}"
    con = connect(source)
    try:
        if capability(con, "computes") == "duckdb":
            found = read_table(con, table, label).table.drop(LINE_COLUMN)
            copy = connect("duckdb")
            copied = copy_as_text(found, copy).get_name()
            con.disconnect()
            return copy, read_table(copy, copied, label, adapter="sqlite")
        return con, read_table(con, table, label)
    except BaseException:
        con.disconnect()
        raise


def close_own(con: BaseBackend, source: str | Path | None) -> None:
    """Close a database connection this call opened from a URL (not one it was given)."""
    if is_url(source):
        con.disconnect()


def unreadable(raw: Raw, con: BaseBackend, error: Exception) -> SourceError:
    """A source the engine failed to read (a lazy scan fails at its first query)."""
    memory = out_of_memory(error)
    if memory is not None:
        return SourceError(raw.path, memory)
    hint = (
        " (Spark's CSV reader stops at the first record it cannot split, such as a "
        "ragged row or a line break inside quotes; the embedded engine, the default, "
        "rejects such rows one by one)"
        if capability(con, "files") == "spark" and raw.delimiter is not None
        else ""
    )
    return SourceError(raw.path, f"cannot be read: {describe_error(error)}{hint}")
