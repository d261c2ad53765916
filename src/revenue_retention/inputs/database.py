"""Tables inside an engine (a database named by URL, Spark's catalog) as raw input.

The table is read where it lives: the scan, validation and metrics all run in that
engine, and only small results come back. Typed columns keep their types; the loader
validates them as they are.
"""

from __future__ import annotations

import difflib

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.engine import LINE_COLUMN, describe_error, number_rows
from revenue_retention.errors import SourceError
from revenue_retention.inputs.header import check_width
from revenue_retention.inputs.registry import Raw

__all__ = ["read_table"]


def read_table(con: BaseBackend, table: str, label: str, adapter: str | None = None) -> Raw:
    """The table ``table`` (``schema.table`` allowed) of ``con`` as raw input named ``label``.

    ``adapter`` names where the table came from, when that is not ``con`` (a copy).

    Raises
    ------
    SourceError
        The table does not exist (with the closest names), or cannot be read.
    """
    schema, _, name = table.rpartition(".")
    try:
        found = con.table(name, database=schema or None)
    except Exception as error:
        raise SourceError(label, _missing(con, name, schema, error)) from None
    columns = [c for c in found.columns if c != LINE_COLUMN]
    check_width(label, len(columns))
    if len(columns) != len(found.columns):
        found = found.select(*columns)
    numbered: ir.Table = number_rows(found)
    return Raw(
        path=label,
        adapter=adapter or con.name,
        table=numbered,
        columns=tuple(columns),
        unnumbered=number_rows(found, numbered=False),
        rescan=True,
    )


def _missing(con: BaseBackend, name: str, schema: str, error: Exception) -> str:
    try:
        known = con.list_tables(database=schema or None)
    except Exception:
        return f"table {name!r} cannot be read: {describe_error(error)}"
    if name in known:  # there, but not readable: a view of a file it may not read
        return (
            f"table {name!r} cannot be read: {describe_error(error)} (a database file is "
            "read on its own: a view in it may not read other files)"
        )
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    listed = ", ".join(sorted(known)[:20]) or "none"
    return f"has no table {name!r}{hint} (tables: {listed})"
