"""The rejects file: every bad row, verbatim, with file, line, column, value and reason."""

from __future__ import annotations

from pathlib import Path

import ibis.expr.types as ir

from revenue_retention.canonical import Dataset

__all__ = ["write_rejects", "write_rejects_table"]


def write_rejects(data: Dataset, path: Path) -> int:
    """Write the rejected rows of ``data`` as CSV to ``path``; return how many were written.

    The file always has its header, so an empty rejects file still says what it would hold.
    A file that does not hold every rejected row is a bug, stopped here: the run would
    otherwise lose rows while its totals said they were set aside.
    """
    written = write_rejects_table(data.rejects, path)
    if written != data.report.rows_rejected:
        raise AssertionError(
            f"{written} rows written to {path}, but {data.report.rows_rejected} were rejected"
        )
    return written


def write_rejects_table(rejects: ir.Table, path: Path) -> int:
    """Write a rejects table (``Dataset.rejects`` shape) as CSV; return its row count.

    Written batch by batch as the engine produces them: a file whose every row is
    rejected needs no more memory than one batch.
    """
    import pyarrow.csv as pacsv

    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    batches = rejects.to_pyarrow_batches(chunk_size=100_000)
    with batches, pacsv.CSVWriter(path, batches.schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
            written += batch.num_rows
    return written
