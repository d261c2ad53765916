"""The rejects file: every bad row, verbatim, with file, line, column, value and reason."""

from __future__ import annotations

from pathlib import Path

import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.canonical import Dataset
from revenue_retention.outputs.files import OutputFiles
from revenue_retention.outputs.formulas import neutralise, neutralise_batch

__all__ = ["write_rejects", "write_rejects_table"]


def write_rejects(data: Dataset, path: Path, *, raw: bool = False) -> int:
    """Write the rejected rows of ``data`` as CSV to ``path``; return how many were written.

    The file always has its header, so an empty rejects file still says what it would hold.
    It is written aside and renamed into place once complete: an interrupted run leaves
    the previous file, never a cut one. A text a spreadsheet would read as a formula (a
    source value ``=cmd|...``) gets a leading ``'`` unless ``raw`` (``outputs.formulas``).
    A file that does not hold every rejected row is a bug, stopped here: the run would
    otherwise lose rows while its totals said they were set aside.
    """
    return write_rejects_table(data.rejects, path, raw=raw, expected=data.report.rows_rejected)


def write_rejects_table(
    rejects: ir.Table, path: Path, *, raw: bool = False, expected: int | None = None
) -> int:
    """Write a rejects table (``Dataset.rejects`` shape) as CSV; return its row count.

    Written batch by batch as the engine produces them, to a temporary file renamed into
    place at the end: a file whose every row is rejected needs no more memory than one
    batch. Formula-like text is neutralised unless ``raw``, as by ``write_rejects``.
    ``expected``: the rows the run counts as rejected; any other count is a bug, and the
    file is then not put in place.
    """
    import pyarrow.csv as pacsv

    written = 0
    batches = rejects.to_pyarrow_batches(chunk_size=100_000)
    with batches, OutputFiles() as files, files.open_binary(path) as handle:
        names = [name if raw else neutralise(name) for name in batches.schema.names]
        schema = pa.schema([f.with_name(n) for f, n in zip(batches.schema, names, strict=True)])
        with pacsv.CSVWriter(handle, schema) as writer:
            for batch in batches:
                writer.write_batch(batch if raw else neutralise_batch(batch))
                written += batch.num_rows
        if expected is not None and written != expected:
            raise AssertionError(f"{written} rows written to {path}, but {expected} were rejected")
    return written
