"""What every command does the same way: load its input from the shared options, write output."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import typer
from ibis.backends import BaseBackend
from rich.console import Console

from revenue_retention.canonical import Dataset, read
from revenue_retention.cli.options import Engine, Format, InputOptions
from revenue_retention.engine import connect, database_file, describe_error, engine_errors, is_url
from revenue_retention.errors import NoValidRowsError, OptionError, OutputError
from revenue_retention.outputs import Document, write_rejects
from revenue_retention.outputs.console import SafeConsole
from revenue_retention.outputs.files import OutputFiles, check_targets, write_text
from revenue_retention.outputs.rejects import write_rejects_table

__all__ = ["close_connections", "emit", "load_input", "stderr", "terminal_width"]

#: The width of table output that goes to a file or a pipe: wide enough for the widest
#: table, so nothing is dropped or wrapped where no screen limits it.
_WIDTH = 160


def terminal_width() -> int:
    """Columns of table output: ``COLUMNS`` if set, the terminal's, else ``_WIDTH``.

    Tables fit themselves to it (they leave out their least needed columns first), so a
    100-column terminal shows whole rows rather than wrapped ones.
    """
    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    if sys.stdout.isatty():
        try:
            return os.get_terminal_size(sys.stdout.fileno()).columns
        except OSError:
            pass
    return _WIDTH


def load_input(
    source: str,
    inputs: InputOptions,
    *,
    format: Format,
    outputs: Mapping[str, Path | None] | None = None,
    reads: Iterable[Path | None] = (),
) -> Dataset:
    """Load ``source`` as the options say; report rejects and warnings on stderr.

    Before anything is read, every output (``outputs`` by option, ``--output`` a folder
    with ``--format csv``, and ``--rejects``) is checked: none may be an input (``source``,
    its database file, the exchange rates, ``reads``) or another output, and each must be
    writable (``outputs.files.check_targets``).

    When every row is rejected the run stops, but the rejects file asked for is written
    first: it is the one place that lists them all.
    """
    _check_outputs(source, inputs, format, outputs or {}, reads)
    err = stderr()
    rejects = inputs.rejects
    try:
        options = inputs.load_options(_engine(inputs.engine, inputs.memory_limit, source))
        data = read(source if is_url(source) else Path(source), options)
    except NoValidRowsError as error:
        if rejects is not None and error.rejects is not None:
            assert isinstance(error.rejects, ir.Table)
            # Every row the run names as rejected, or a bug (and no file).
            written = write_rejects_table(
                error.rejects, rejects, raw=inputs.csv_raw, expected=error.rejected
            )
            err.print(f"{written:,} rejected rows written to {rejects}", markup=False)
        raise
    if is_url(source):
        _opened.append(data.con)  # closed by close_connections when the command ends
    if rejects is not None:
        written = write_rejects(data, rejects, raw=inputs.csv_raw)
        r = data.report
        err.print(
            f"rows read {r.rows_read:,} = accepted {r.rows_accepted:,} + rejected "
            f"{r.rows_rejected:,}; {written:,} rejected rows written to {rejects}",
            markup=False,
        )
    if format is not Format.table:  # the table shows them; keep machine output clean
        for warning in data.report.warnings:
            err.print(f"warning: {warning}", markup=False)
    return data


def _check_outputs(
    source: str,
    inputs: InputOptions,
    format: Format,
    outputs: Mapping[str, Path | None],
    reads: Iterable[Path | None],
) -> None:
    """Refuse outputs that would overwrite an input or each other; check they can be written.

    The files read are kept for ``emit``, which checks the CSV files it writes into an
    output folder, once it knows their names.
    """
    read = [database_file(source) if is_url(source) else Path(source), inputs.fx_rates, *reads]
    _read.extend(path for path in read if path is not None)
    files = dict(outputs) | {"--rejects": inputs.rejects}
    folders = []
    output = files.get("--output")
    if output is not None:
        _check_output(output, format)
    if format is Format.csv:
        folders.append(("--output", files.pop("--output", None)))
    check_targets(files.items(), _read, folders)


_opened: list[BaseBackend] = []
#: The files the running command reads (``load_input``), which no output may replace.
_read: list[Path] = []
_MEMORY = re.compile(r"^\s*[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def _engine(engine: Engine, memory_limit: str | None, source: str) -> str | BaseBackend:
    """The engine by name, or a DuckDB capped at ``memory_limit`` that spills to a temp folder."""
    if memory_limit is None:
        return engine.value
    if engine is not Engine.duckdb or is_url(source):
        raise OptionError("--memory-limit", memory_limit, "applies to the embedded DuckDB only")
    if not _MEMORY.match(memory_limit):
        raise OptionError("--memory-limit", memory_limit, "must be a size such as 512MB or 2GB")
    try:
        return connect("duckdb", memory_limit=memory_limit.strip())
    except engine_errors() as error:  # a size DuckDB cannot hold (99999999TB)
        raise OptionError(
            "--memory-limit", memory_limit, f"is refused by DuckDB: {describe_error(error)}"
        ) from None


def close_connections() -> None:
    """Close the database connections the command opened from URLs; forget its inputs."""
    while _opened:
        _opened.pop().disconnect()
    _read.clear()


def stderr() -> Console:
    """The console for messages beside the output: never wraps a path across lines."""
    return SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def _check_output(output: Path, format: Format) -> None:
    try:
        found = output.stat()
    except FileNotFoundError:
        return
    except OSError as error:  # a folder on the way that cannot be searched
        raise OutputError(output, error.strerror or type(error).__name__) from None
    if format is Format.csv and not stat.S_ISDIR(found.st_mode):
        raise OptionError("--output", str(output), "is a file; CSV output needs a folder")
    if format is not Format.csv and stat.S_ISDIR(found.st_mode):
        raise OptionError("--output", str(output), "is a folder; name a file to write")


def emit(document: Document, format: Format, output: Path | None, *, csv_raw: bool = False) -> None:
    """Write ``document`` as a table, JSON or CSV, to stdout or to ``output``.

    For CSV, ``output`` is a folder that receives one file per section, all or none, and
    formula-like text is neutralised unless ``csv_raw``. A file is written whole or not
    at all, and never over a file the command read. Missing parent folders are created.
    """
    if output is not None:
        _check_output(output, format)
    if format is Format.table:
        if output is None:
            document.render(SafeConsole(width=terminal_width()))
        else:
            with OutputFiles() as files, files.open(output) as handle:
                document.render(SafeConsole(file=handle, width=_WIDTH))
    elif format is Format.json:
        if output is None:
            typer.echo(document.to_json(), nl=False)
        else:
            write_text(output, document.to_json())
    elif output is None:
        typer.echo(document.to_csv(csv_raw), nl=False)
    else:
        check_targets([("--output", path) for path in document.csv_files(output)], _read)
        document.write_csv_dir(output, csv_raw)


def document_in(result: Any, unit: str, make: Callable[[Any], Document] | None = None) -> Document:
    """The document of ``result`` (``make``, else its presenter's) in ``unit``: in ARR the
    result's amounts x 12 (``analyses.units.scale_result``) and its labels say ARR."""
    from revenue_retention.analyses.units import check_unit, scale_result
    from revenue_retention.outputs.registry import document
    from revenue_retention.outputs.units import arr_document

    build = make or document
    if check_unit(unit) == "mrr":
        return build(result)
    return arr_document(build(scale_result(result)))
