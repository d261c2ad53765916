"""Engine connections and the per-engine differences, kept in one place.

Metric code never asks which engine it runs on; whatever differs between engines
(how a file is scanned with its line numbers, how a table is materialised) lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.errors import EngineNotSupported, OptionError

__all__ = [
    "ENGINES",
    "LINE_COLUMN",
    "connect",
    "describe_error",
    "engine_errors",
    "materialize",
    "scan_csv",
    "scan_parquet",
]

#: Engines the project knows, with what each needs installed.
ENGINES: dict[str, str] = {"duckdb": "revenue-retention"}

#: Name of the column every scan adds: the 1-based line of the row in its file
#: (for CSV, header = line 1), or the 1-based row number for columnar files.
LINE_COLUMN = "_rr_line"

_counter = 0


def connect(engine: str | BaseBackend = "duckdb", **options: Any) -> BaseBackend:
    """Open a connection to an engine (a fresh in-memory DuckDB by default).

    Parameters
    ----------
    engine
        ``"duckdb"``, or an already open Ibis backend, returned unchanged.
    **options
        Passed to the backend's ``connect`` (e.g. ``memory_limit="2GB"`` for DuckDB).

    Returns
    -------
    ibis.backends.BaseBackend

    Raises
    ------
    OptionError
        The engine name is unknown.

    Examples
    --------
    >>> connect().name
    'duckdb'
    """
    if isinstance(engine, BaseBackend):
        return engine
    if engine == "duckdb":
        con = ibis.duckdb.connect(**options)
        # The progress bar would be drawn into whatever stdout is, JSON included.
        con.raw_sql("SET enable_progress_bar = false")
        return con
    raise OptionError("--engine", engine, f"is not a known engine; choose one of {sorted(ENGINES)}")


def engine_errors() -> tuple[type[Exception], ...]:
    """Exception types an engine raises for unreadable data (to be reworded, not shown raw)."""
    import duckdb

    return (duckdb.Error,)


def describe_error(error: Exception) -> str:
    """The part of an engine's error message that speaks of the data, on one line.

    >>> describe_error(ValueError("Invalid Input Error: Bad Line: 3\\nPossible fixes:\\n* x"))
    'Bad Line: 3'
    """
    kept = []
    for line in str(error).strip().splitlines():
        if line.startswith("Possible fixes") or not line.strip():
            break
        kept.append(line.split(" Error: ", 1)[-1].strip())
    return "; ".join(kept) or type(error).__name__


def _unique_name(prefix: str) -> str:
    global _counter
    _counter += 1
    return f"_rr_{prefix}_{_counter}"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duckdb_only(con: BaseBackend, operation: str) -> None:
    if con.name != "duckdb":
        raise EngineNotSupported(con.name, operation)


def scan_csv(
    con: BaseBackend, path: Path, delimiter: str, header: Sequence[str], numbered: bool = True
) -> ir.Table:
    """A lazy scan of a CSV file with every column as text and a line-number column.

    Values stay text so that validation, not the reader, decides what is a bad value
    and reports it with its line. The dialect and header are given, not sniffed: a
    sniffer that meets a ragged row guesses another dialect instead of reporting the row.
    """
    _duckdb_only(con, "reading CSV files")
    columns = ", ".join(f"{_sql_string(name)}: 'VARCHAR'" for name in header)
    # A window with no ORDER BY is streamed by DuckDB in scan order, which with
    # insertion order preserved is the file's order: record n is on line n + 1. It also
    # runs on one thread, so ``numbered=False`` gives a parallel scan with null lines.
    line = "row_number() OVER () + 1" if numbered else "CAST(NULL AS BIGINT)"
    query = (
        f"SELECT {line} AS {LINE_COLUMN}, * FROM read_csv("
        f"{_sql_string(str(path))}, auto_detect = false, header = true, skip = 0, "
        f"columns = {{{columns}}}, delim = {_sql_string(delimiter)}, quote = '\"', "
        f"escape = '\"', null_padding = false, strict_mode = true)"
    )
    return con.sql(query)


def scan_parquet(con: BaseBackend, path: Path, numbered: bool = True) -> ir.Table:
    """A lazy scan of a Parquet file with a 1-based row-number column (null if not numbered)."""
    _duckdb_only(con, "reading Parquet files")
    line = "row_number() OVER ()" if numbered else "CAST(NULL AS BIGINT)"
    query = f"SELECT {line} AS {LINE_COLUMN}, * FROM read_parquet({_sql_string(str(path))})"
    return con.sql(query)


def materialize(con: BaseBackend, expr: ir.Table, prefix: str = "t") -> ir.Table:
    """Compute ``expr`` once into a temporary table of the engine and return that table."""
    return con.create_table(_unique_name(prefix), expr, temp=True)
