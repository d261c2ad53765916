"""What every command does the same way: load its input from the shared options, write output."""

from __future__ import annotations

import re
from pathlib import Path

import ibis.expr.types as ir
import typer
from ibis.backends import BaseBackend
from rich.console import Console

from revenue_retention.canonical import Dataset, load, parse_column_options, parse_fx_rates
from revenue_retention.cli.options import Engine, Format, InputOptions
from revenue_retention.engine import connect, is_url
from revenue_retention.errors import NoValidRowsError, OptionError
from revenue_retention.outputs import Document, write_rejects
from revenue_retention.outputs.rejects import write_rejects_table

__all__ = ["close_connections", "emit", "load_input", "stderr"]

#: Wide enough for the widest table; Rich wraps nothing when output goes to a file.
_WIDTH = 160


def load_input(source: str, inputs: InputOptions, *, format: Format) -> Dataset:
    """Load ``source`` as the options say; report rejects and warnings on stderr.

    When every row is rejected the run stops, but the rejects file asked for is written
    first: it is the one place that lists them all.
    """
    err = stderr()
    rejects = inputs.rejects
    try:
        data = load(
            source if is_url(source) else Path(source),
            table=inputs.table,
            engine=_engine(inputs.engine, inputs.memory_limit, source),
            spark_master=inputs.spark_master,
            columns=parse_column_options(inputs.column),
            as_of=inputs.as_of,
            snapshot=inputs.snapshot.value,
            on_bad_rows="reject" if rejects else "raise",
            input_format=inputs.input_format,
            sheet=inputs.sheet,
            decimal_separator=inputs.decimal_separator,
            date_order=inputs.date_order,
            fx_rates=inputs.fx_rates,
            fixed_rates=parse_fx_rates(inputs.fx_rate),
            reporting_currency=inputs.reporting_currency,
        )
    except NoValidRowsError as error:
        if rejects is not None and error.rejects is not None:
            assert isinstance(error.rejects, ir.Table)
            written = write_rejects_table(error.rejects, rejects)
            if written != error.rejected:  # every row the run names as rejected, or a bug
                raise AssertionError(
                    f"{written} rows written, {error.rejected} rejected"
                ) from error
            err.print(f"{written:,} rejected rows written to {rejects}", markup=False)
        raise
    if is_url(source):
        _opened.append(data.con)  # closed by close_connections when the command ends
    if rejects is not None:
        written = write_rejects(data, rejects)
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


_opened: list[BaseBackend] = []
_MEMORY = re.compile(r"^\s*[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def _engine(engine: Engine, memory_limit: str | None, source: str) -> str | BaseBackend:
    """The engine by name, or a DuckDB capped at ``memory_limit`` that spills to a temp folder."""
    if memory_limit is None:
        return engine.value
    if engine is not Engine.duckdb or is_url(source):
        raise OptionError("--memory-limit", memory_limit, "applies to the embedded DuckDB only")
    if not _MEMORY.match(memory_limit):
        raise OptionError("--memory-limit", memory_limit, "must be a size such as 512MB or 2GB")
    return connect("duckdb", memory_limit=memory_limit.strip())


def close_connections() -> None:
    """Close the database connections the command opened from URLs."""
    while _opened:
        _opened.pop().disconnect()


def stderr() -> Console:
    """The console for messages beside the output: never wraps a path across lines."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _check_output(output: Path, format: Format) -> None:
    if format is Format.csv:
        if output.exists() and not output.is_dir():
            raise OptionError("--output", str(output), "is a file; CSV output needs a folder")
    elif output.is_dir():
        raise OptionError("--output", str(output), "is a folder; name a file to write")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)


def emit(document: Document, format: Format, output: Path | None) -> None:
    """Write ``document`` as a table, JSON or CSV, to stdout or to ``output``.

    For CSV, ``output`` is a folder that receives one file per section. Missing parent
    folders are created.
    """
    if output is not None:
        _check_output(output, format)
    if format is Format.table:
        if output is None:
            document.render(Console(width=_WIDTH))
        else:
            with output.open("w", encoding="utf-8") as handle:
                document.render(Console(file=handle, width=_WIDTH))
    elif format is Format.json:
        if output is None:
            typer.echo(document.to_json(), nl=False)
        else:
            output.write_text(document.to_json(), encoding="utf-8")
    elif output is None:
        typer.echo(document.to_csv(), nl=False)
    else:
        document.write_csv_dir(output)
