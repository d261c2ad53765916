"""``retention metrics``: the bridge and GRR / NRR / logo retention of one input."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.analyses import compute_metrics
from revenue_retention.cli.common import emit, load_input
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
from revenue_retention.outputs import metrics_document
from revenue_retention.periods import parse_windows

__all__ = ["metrics"]


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
    data = load_input(
        source,
        column=column,
        as_of=as_of,
        snapshot=snapshot,
        rejects=rejects,
        input_format=input_format,
        format=format,
    )
    emit(metrics_document(compute_metrics(data, window_list)), format, output)
