"""Engine connections and the per-engine differences, kept in one place.

Metric code never asks which engine it runs on; whatever differs between engines
(how a file is scanned with its line numbers, how a table is materialised, which errors
mean unreadable data) lives here, in ``CAPABILITIES`` and the functions below.

Engines: DuckDB (embedded, default), Spark (``engine="spark"``, a SparkSession, or an
Ibis PySpark backend) and any database Ibis reaches by URL (PostgreSQL, SQLite, a DuckDB
file), where the computation runs inside the database.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.engine.databases import (
    connect_url,
    database_file,
    is_url,
    redact,
    redact_text,
)
from revenue_retention.errors import EngineNotSupported, OptionError

__all__ = [
    "CAPABILITIES",
    "ENGINES",
    "LINE_COLUMN",
    "capability",
    "connect",
    "connect_url",
    "copy_as_text",
    "csv_errors_name",
    "csv_scan_errors",
    "database_file",
    "describe_error",
    "engine_errors",
    "is_url",
    "materialize",
    "memory_per_thread",
    "number_rows",
    "out_of_memory",
    "redact",
    "redact_text",
    "scan_csv",
    "scan_parquet",
]

#: Engines the project knows by name, with what each needs installed.
ENGINES: dict[str, str] = {
    "duckdb": "revenue-retention",
    "spark": "revenue-retention[spark]",
}

#: What differs between the Ibis backends, by backend name: how files are read (``None``:
#: not by this engine) and how an intermediate result is kept (a temporary table, or a
#: Spark checkpoint, since a Spark "table" made from an expression is only a view).
#: ``rescan``: ``"lazy"`` where a typed source is cheaper to scan again than to store
#: (DuckDB reading Parquet or its own tables), ``"store"`` where results are kept.
#: ``computes``: ``"here"``, or ``"duckdb"`` for a database without exact decimal
#: arithmetic (SQLite stores amounts as floats or text), whose table is copied as text
#: into DuckDB, which validates and computes.
#: ``stages``: ``"fence"`` where a stored result must be computed with each stage of its
#: expression once (PostgreSQL, see ``engine.postgres``), else ``"inline"``.
#: ``statistics``: the statement that gives the planner the row counts and value
#: distributions of a stored result (``{}``: its quoted name), or None where the engine
#: keeps them itself. PostgreSQL's autovacuum never analyses temporary tables: without
#: ``ANALYZE`` the planner estimates a few rows in each and joins them by nested loops,
#: a quadratic plan (minutes on 65,000 rows).
CAPABILITIES: dict[str, dict[str, str | None]] = {
    "duckdb": {
        "files": "duckdb",
        "materialize": "temp_table",
        "rescan": "lazy",
        "computes": "here",
        "stages": "inline",
        "statistics": None,
    },
    "pyspark": {
        "files": "spark",
        "materialize": "checkpoint",
        "rescan": "store",
        "computes": "here",
        "stages": "inline",
        "statistics": None,
    },
    "postgres": {
        "files": None,
        "materialize": "temp_table",
        "rescan": "store",
        "computes": "here",
        "stages": "fence",
        "statistics": "ANALYZE {}",
    },
    "sqlite": {
        "files": None,
        "materialize": "temp_table",
        "rescan": "store",
        "computes": "duckdb",
        "stages": "inline",
        "statistics": None,
    },
}
_DEFAULT_CAPABILITIES: dict[str, str | None] = {
    "files": None,
    "materialize": "temp_table",
    "rescan": "store",
    "computes": "here",
    "stages": "inline",
    "statistics": None,
}

#: Name of the column every scan adds: the 1-based line of the row in its file
#: (for CSV, header = line 1), or the 1-based row number for columnar files.
LINE_COLUMN = "_rr_line"

_counter = 0


def connect(
    engine: str | BaseBackend | Any = "duckdb", *, spark_master: str | None = None, **options: Any
) -> BaseBackend:
    """Open a connection to an engine (a fresh in-memory DuckDB by default).

    Parameters
    ----------
    engine
        ``"duckdb"``, ``"spark"``, a database URL, an open SparkSession, or an already
        open Ibis backend (returned unchanged, except that Ibis's PySpark backend is
        rebuilt on its session, see ``connect_spark``).
    spark_master
        For ``"spark"``: the master URL of a new session (default ``local[*]``).
    **options
        Passed to DuckDB's ``connect`` (e.g. ``memory_limit="2GB"``). Without
        ``memory_limit``, DuckDB is capped at 1 GiB per thread (at least 2 GiB) and
        spills to a temporary folder past it.

    Returns
    -------
    ibis.backends.BaseBackend

    Raises
    ------
    OptionError
        The engine name is unknown.
    EngineNotSupported
        The engine's optional dependency is not installed.

    Examples
    --------
    >>> connect().name
    'duckdb'
    """
    from revenue_retention.engine.spark import connect_spark, is_spark_session

    if isinstance(engine, BaseBackend):
        if engine.name == "pyspark" and type(engine).__module__.startswith("ibis."):
            # Ibis's own PySpark backend: rebuilt on its session with the settings and
            # the exact in-memory tables the metrics need (engine.spark_backend).
            return connect_spark(engine._session)
        return engine
    if is_spark_session(engine):
        return connect_spark(engine)
    if engine == "duckdb":
        con = ibis.duckdb.connect(**_bounded_memory(options))
        # The progress bar would be drawn into whatever stdout is, JSON included.
        con.raw_sql("SET enable_progress_bar = false")
        return con
    if engine == "spark":
        return connect_spark(master=spark_master)
    if is_url(engine):
        return connect_url(engine)
    raise OptionError("engine", engine, f"is not a known engine; choose one of {sorted(ENGINES)}")


#: DuckDB's own guidance is 1 to 4 GiB of memory per thread; a run gets the low end (but
#: at least 2 GiB) unless told otherwise, and spills to disk past it.
_GIB_PER_THREAD = 1
_MIN_GIB = 2


def _bounded_memory(options: dict[str, Any]) -> dict[str, Any]:
    """DuckDB options with a memory cap (unless given) and a folder to spill to.

    Without a cap DuckDB takes up to 80% of the machine's memory before it spills, and a
    shared machine runs out first; with one, sorts and aggregations that outgrow it
    continue on disk, a little slower. The folder is removed when the process ends.
    """
    import atexit
    import os
    import shutil
    import tempfile

    found = dict(options)
    if "memory_limit" not in found:
        threads = int(found.get("threads") or os.cpu_count() or 1)
        gib = max(_MIN_GIB, _GIB_PER_THREAD * threads)
        try:
            machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
            gib = min(gib, int(machine * 0.8)) or gib
        except (ValueError, OSError, AttributeError):  # no sysconf (Windows): as it is
            pass
        found["memory_limit"] = f"{gib}GiB"
    if "temp_directory" not in found:
        found["temp_directory"] = tempfile.mkdtemp(prefix="retention-spill-")
        atexit.register(shutil.rmtree, found["temp_directory"], ignore_errors=True)
    return found


_SIZE_UNITS = {
    "B": 1, "BYTES": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40,
}  # fmt: skip


def memory_per_thread(con: BaseBackend) -> int | None:
    """The bytes of memory a DuckDB connection allows each of its threads, if it says.

    ``None`` for other engines, and for a DuckDB without a limit or with one it states
    in a form not read here.
    """
    if con.name != "duckdb":
        return None
    limit, threads = con.raw_sql(
        "SELECT current_setting('memory_limit'), current_setting('threads')"
    ).fetchall()[0]
    number, _, unit = str(limit).strip().partition(" ")
    try:
        size = float(number) * _SIZE_UNITS[unit.strip().upper() or "B"]
    except (ValueError, KeyError):
        return None
    return int(size / max(int(threads), 1))


def engine_errors() -> tuple[type[Exception], ...]:
    """Exception types an engine raises for unreadable data (to be reworded, not shown raw)."""
    import duckdb

    errors: list[type[Exception]] = [duckdb.Error]
    for module, name in (
        ("pyspark.errors", "PySparkException"),
        ("py4j.protocol", "Py4JJavaError"),
        ("psycopg", "DataError"),
        ("sqlite3", "DataError"),
    ):
        found = _loaded(module, name)
        if found is not None:
            errors.append(found)
    return tuple(errors)


def out_of_memory(error: BaseException) -> str | None:
    """What to say when ``error`` is the engine running out of its memory, else None.

    DuckDB spills its joins, sorts and aggregates to disk, but some buffers (a Parquet
    row group being decoded, a hash table's directory) stay in memory: under a cap a few
    tens of MB, two threads can need more than the cap at the same moment.
    """
    text = str(error)
    if "java.lang.OutOfMemoryError" in text:
        found = re.search(r"java\.lang\.OutOfMemoryError: ([^;\n]+)", text)
        return (
            f"the Spark engine ran out of memory ({found.group(1).strip() if found else 'Java'}); "
            f"{_SPARK_MEMORY_HINT}"
        )
    if _spark_driver_gone(error) or "SparkContext was shut down" in text:
        return (
            "the Spark driver (its Java process) stopped in the middle of the run, most "
            f"often for lack of memory; {_SPARK_MEMORY_HINT}"
        )
    duckdb = sys.modules.get("duckdb")
    if duckdb is None or not isinstance(error, duckdb.OutOfMemoryException):
        return None
    return (
        f"the embedded engine ran out of memory ({describe_error(error)}); "
        "give it more with --memory-limit (Python: connect('duckdb', memory_limit=...)) "
        "or fewer threads"
    )


_SPARK_MEMORY_HINT = (
    "give the driver more with the SPARK_DRIVER_MEMORY environment variable (e.g. "
    "SPARK_DRIVER_MEMORY=8g; a local session takes a third of this machine's memory "
    "by default) or spark.driver.memory in spark-defaults.conf, or run on a cluster "
    "(docs/scaling.md)"
)


def _spark_driver_gone(error: BaseException) -> bool:
    """Whether ``error`` is PySpark losing its Java process (killed, out of memory)."""
    if "pyspark" not in sys.modules and "py4j" not in sys.modules:
        return False
    names = {type(e).__name__ for e in _chain(error)}
    return bool(names & {"Py4JNetworkError", "ConnectionRefusedError", "ConnectionResetError"})


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(found) < 10:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _loaded(module: str, name: str) -> type[Exception] | None:
    """An exception class of a module already imported (an engine in use), else None."""
    import sys

    return getattr(sys.modules.get(module), name, None)


#: ``[MALFORMED_CSV_RECORD] Malformed CSV record: a,b SQLSTATE: KD000`` in a Spark trace.
_SPARK_CAUSE = re.compile(r"\[[A-Z][A-Z0-9_.]+\] (.+?)(?:\s+SQLSTATE: \w+|\.?\s*$)", re.MULTILINE)


def describe_error(error: Exception) -> str:
    """The part of an engine's error message that speaks of the data, on one line.

    >>> describe_error(ValueError("Invalid Input Error: Bad Line: 3\\nPossible fixes:\\n* x"))
    'Bad Line: 3'
    """
    text = str(error)
    if "org.apache.spark" in text:
        # A Java stack trace: the innermost Spark error class says what went wrong.
        causes = _SPARK_CAUSE.findall(text)
        if causes:
            return str(causes[-1]).strip()
    kept = []
    for line in text.strip().splitlines():
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


def _sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def capability(con: BaseBackend, what: str) -> str | None:
    """How the engine behind ``con`` does ``what`` (see ``CAPABILITIES``)."""
    return CAPABILITIES.get(con.name, _DEFAULT_CAPABILITIES)[what]


def _files_by(con: BaseBackend, operation: str) -> str:
    reader = capability(con, "files")
    if reader is None:
        raise EngineNotSupported(
            con.name, operation, "load the file into a table there and pass --table, or use DuckDB"
        )
    return reader


def scan_csv(
    con: BaseBackend,
    path: Path,
    delimiter: str,
    header: Sequence[str],
    numbered: bool = True,
    errors: str | None = None,
) -> ir.Table:
    """A lazy scan of a CSV file with every column as text and a record-number column.

    Values stay text so that validation, not the reader, decides what is a bad value
    and reports it with its line. The dialect and header are given, not sniffed: a
    sniffer that meets a ragged row guesses another dialect instead of reporting the row.

    A record the reader cannot split into the header's columns (too many or too few
    values, an unclosed quote, bytes that are not UTF-8) is left out of the scan; with
    ``errors`` (a name), DuckDB records each one in that table, read by ``csv_scan_errors``.
    The number column counts records as read (``n + 1`` for the n-th), which is the
    file's line only when no record was left out, no line was blank and no value held
    a line break: ``inputs.lines`` turns it into the line.
    """
    if _files_by(con, "reading CSV files") == "spark":
        from revenue_retention.engine.spark import scan_spark

        return scan_spark(con, path, "csv", LINE_COLUMN, header, delimiter, numbered)
    columns = ", ".join(f"{_sql_string(name)}: 'VARCHAR'" for name in header)
    # A window with no ORDER BY is streamed by DuckDB in scan order, which with
    # insertion order preserved is the file's order. It also runs on one thread, so
    # ``numbered=False`` gives a parallel scan with null lines.
    line = "row_number() OVER () + 1" if numbered else "CAST(NULL AS BIGINT)"
    stored = (
        f", store_rejects = true, rejects_table = {_sql_string(errors)}, "
        f"rejects_scan = {_sql_string(errors + '_scans')}"
        if errors
        else ""
    )
    # DuckDB checks that a value is UTF-8 only when it reads that column: a query that
    # needs fewer columns would keep a record another query sets aside, and number the
    # records differently. A condition on every column (always true, and not simplified
    # away) makes each scan read them all.
    every = " AND ".join(
        f"{_sql_ident(name)} IS NOT DISTINCT FROM {_sql_ident(name)}" for name in header
    )
    query = (
        f"SELECT {line} AS {LINE_COLUMN}, * FROM read_csv("
        f"{_sql_string(str(path))}, auto_detect = false, header = true, skip = 0, "
        f"columns = {{{columns}}}, delim = {_sql_string(delimiter)}, quote = '\"', "
        f"escape = '\"', null_padding = false, strict_mode = true, "
        f"ignore_errors = true{stored}) WHERE {every or 'TRUE'}"
    )
    return con.sql(query)


def csv_errors_name() -> str:
    """A fresh name for the table in which a CSV scan records the records it left out."""
    return _unique_name("csv_errors")


def csv_scan_errors(con: BaseBackend, errors: str) -> ir.Table | None:
    """The records a CSV scan left out, one row each, or None when the engine keeps none.

    Columns: ``line`` (the reader's count of lines outside quoted values, header = 1),
    ``error`` (``TOO MANY COLUMNS``, ``MISSING COLUMNS``, ``UNQUOTED VALUE``, ``INVALID
    ENCODING``, ``LINE SIZE OVER MAXIMUM``), ``column`` (where the reader stopped, or
    null), ``text`` (the record as written, its first 10,000 bytes only) and ``bytes`` (the
    length of ``text``). Every scan of the file appends the same records again, so the
    first scan's are kept.
    """
    if con.name != "duckdb" or errors not in con.list_tables():
        return None
    query = (
        # A line too long has no column (null, which arg_min would pass over): first.
        "SELECT CAST(line AS BIGINT) AS line, CAST(arg_min(error_type, coalesce(column_idx, "
        "-1)) AS VARCHAR) AS error, arg_min(column_name, coalesce(column_idx, -1)) AS column, "
        "arg_min(csv_line, coalesce(column_idx, -1)) AS text, "
        "octet_length(encode(arg_min(csv_line, coalesce(column_idx, -1)))) AS bytes "
        f"FROM {errors} WHERE scan_id = (SELECT min(scan_id) FROM {errors}) GROUP BY line"
    )
    return con.sql(query)


def scan_parquet(con: BaseBackend, path: Path, numbered: bool = True) -> ir.Table:
    """A lazy scan of a Parquet file with a 1-based row-number column (null if not numbered)."""
    if _files_by(con, "reading Parquet files") == "spark":
        from revenue_retention.engine.spark import scan_spark

        return scan_spark(con, path, "parquet", LINE_COLUMN, numbered=numbered)
    line = "row_number() OVER ()" if numbered else "CAST(NULL AS BIGINT)"
    query = f"SELECT {line} AS {LINE_COLUMN}, * FROM read_parquet({_sql_string(str(path))})"
    return con.sql(query)


def number_rows(table: ir.Table, numbered: bool = True) -> ir.Table:
    """A database table with a 1-based row-number column in front (null if not numbered).

    A table has no lines: the number is the row's position in the engine's scan, which
    names a rejected row well enough to find it, though another scan may order it otherwise.
    """
    line = ibis.row_number() + 1 if numbered else ibis.null("int64")
    return table.select(line.cast("int64").name(LINE_COLUMN), *table.columns)


def copy_as_text(table: ir.Table, con: BaseBackend) -> ir.Table:
    """``table`` of another engine copied into a temporary table of ``con``, every column text.

    Text keeps each value as the source holds it (a float amount as it prints), so the
    validation decides about it, as for a CSV file.
    """
    as_text = table.select(*[table[c].cast("string").name(c) for c in table.columns])
    # Through a memtable: Ibis 12 compiles a bare Arrow table in create_table wrongly.
    return con.create_table(_unique_name("copy"), ibis.memtable(as_text.to_pyarrow()), temp=True)


def materialize(con: BaseBackend, expr: ir.Table, prefix: str = "t") -> ir.Table:
    """Compute ``expr`` once in the engine and return the stored result as a table."""
    if capability(con, "materialize") == "checkpoint":
        from revenue_retention.engine.spark import checkpoint

        return checkpoint(con, expr, _unique_name(prefix))
    name = _unique_name(prefix)
    if capability(con, "stages") == "fence":
        from revenue_retention.engine.postgres import insert_staged

        table = con.create_table(name, schema=expr.schema(), temp=True)
        insert_staged(con, name, expr)
    else:
        table = con.create_table(name, expr, temp=True)
    statement = capability(con, "statistics")
    if statement is not None:
        con.raw_sql(statement.format(_sql_ident(name))).close()
    return table
