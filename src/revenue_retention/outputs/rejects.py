"""The rejects file: every bad row, verbatim, with file, line, column, value and reason."""

from __future__ import annotations

from pathlib import Path

from revenue_retention.canonical import Dataset

__all__ = ["write_rejects"]


def write_rejects(data: Dataset, path: Path) -> int:
    """Write the rejected rows of ``data`` as CSV to ``path``; return how many were written.

    The file always has its header, so an empty rejects file still says what it would hold.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    table = data.con.to_pyarrow(data.rejects)
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, path)
    return table.num_rows
