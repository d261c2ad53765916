"""``retention methods``: one window's GRR and NRR by every method, and why they differ."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.analyses.methods import DEFAULT_WINDOW_MONTHS, compare_methods
from revenue_retention.cli.common import emit, load_input
from revenue_retention.cli.options import (
    AS_OF,
    COLUMNS,
    DATE_ORDER,
    DECIMAL_SEPARATOR,
    ENGINE,
    FORMAT,
    FX_RATE,
    FX_RATES,
    INPUT_FORMAT,
    MEMORY_LIMIT,
    OUTPUT,
    REJECTS,
    REPORTING_CURRENCY,
    SHEET,
    SNAPSHOT,
    SPARK_MASTER,
    TABLE,
    Engine,
    Format,
    SnapshotDay,
)
from revenue_retention.outputs.methods import methods_document

__all__ = ["methods"]

WINDOW = typer.Option(
    DEFAULT_WINDOW_MONTHS,
    "--window",
    "-k",
    help="Window length in months, the same for every method.",
)


def methods(
    source: str = typer.Argument(
        ...,
        help="CSV or Parquet file (long MRR or subscription periods), or a database URL "
        "with --table.",
    ),
    as_of: str | None = AS_OF,
    window: int = WINDOW,
    format: Format = FORMAT,
    column: list[str] = COLUMNS,
    snapshot: SnapshotDay = SNAPSHOT,
    rejects: Path | None = REJECTS,
    output: Path | None = OUTPUT,
    input_format: str | None = INPUT_FORMAT,
    engine: Engine = ENGINE,
    table: str | None = TABLE,
    spark_master: str | None = SPARK_MASTER,
    sheet: str | None = SHEET,
    decimal_separator: str | None = DECIMAL_SEPARATOR,
    date_order: str | None = DATE_ORDER,
    memory_limit: str | None = MEMORY_LIMIT,
    fx_rates: Path | None = FX_RATES,
    fx_rate: list[str] = FX_RATE,
    reporting_currency: str | None = REPORTING_CURRENCY,
) -> None:
    """GRR, NRR and logo retention of one window by every method, side by side.

    For the window ending at --as-of (default: the data's last month): the cohort method
    (the default of every other command) and the labelled alternatives of METRICS.md
    section 4 (movement, compounded monthly, chained monthly, trailing revenue, averaged),
    each with its difference from the cohort method and one line on why it differs. A
    method the data is too short for says how many months it needs.

    Examples:

    \b
        retention methods mrr.csv
        retention methods mrr.csv --as-of 2024-12 --window 12 --format json
        retention methods mrr.csv --window 3 --format csv --output methods/
    """
    data = load_input(
        source,
        column=column,
        as_of=as_of,
        snapshot=snapshot,
        rejects=rejects,
        input_format=input_format,
        sheet=sheet,
        decimal_separator=decimal_separator,
        date_order=date_order,
        memory_limit=memory_limit,
        fx_rates=fx_rates,
        fx_rate=fx_rate,
        reporting_currency=reporting_currency,
        format=format,
        engine=engine,
        table=table,
        spark_master=spark_master,
    )
    emit(methods_document(compare_methods(data, as_of, window)), format, output)
