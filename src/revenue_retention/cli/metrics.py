"""``retention metrics``: the bridge and GRR / NRR / logo retention of one input."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from revenue_retention.analyses import compute_metrics
from revenue_retention.canonical import load, parse_column_options
from revenue_retention.cli.options import (
    AS_OF,
    COLUMNS,
    FORMAT,
    INPUT_FORMAT,
    OUTPUT,
    REJECTS,
    SNAPSHOT,
    WINDOWS,
    Format,
    SnapshotDay,
)
from revenue_retention.outputs import render_metrics, to_csv, to_json, write_csv_dir, write_rejects
from revenue_retention.periods import parse_windows

__all__ = ["emit", "metrics"]


def metrics(
    source: Path = typer.Argument(
        ..., help="CSV or Parquet file: long MRR or subscription periods."
    ),
    format: Format = FORMAT,
    windows: str = WINDOWS,
    as_of: str | None = AS_OF,
    column: list[str] = COLUMNS,
    snapshot: SnapshotDay = SNAPSHOT,
    rejects: Path | None = REJECTS,
    output: Path | None = OUTPUT,
    input_format: str | None = INPUT_FORMAT,
) -> None:
    """Monthly MRR bridge and cohort-method GRR, NRR and logo retention.

    Examples:

        retention metrics mrr.csv

        retention metrics subscriptions.csv --windows 12 --as-of 2024-12 --format json

        retention metrics export.csv --column mrr=net_amount --rejects bad_rows.csv
    """
    window_list = parse_windows(windows)
    data = load(
        source,
        columns=parse_column_options(column),
        as_of=as_of,
        snapshot=snapshot.value,
        on_bad_rows="reject" if rejects else "raise",
        input_format=input_format,
    )
    err = Console(stderr=True, highlight=False)
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
    emit(compute_metrics(data, window_list), format, output)


def emit(result: object, format: Format, output: Path | None) -> None:
    """Write a metrics result in the chosen format to stdout or ``output``."""
    from revenue_retention.analyses import MetricsResult

    assert isinstance(result, MetricsResult)
    if format is Format.table:
        if output is None:
            render_metrics(result, Console(width=160))
        else:
            with output.open("w", encoding="utf-8") as handle:
                render_metrics(result, Console(file=handle, width=160))
    elif format is Format.json:
        text = to_json(result)
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    elif output is None:
        typer.echo(to_csv(result), nl=False)
    else:
        write_csv_dir(result, output)
