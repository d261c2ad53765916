"""``retention diagnose``: rates in their benchmark bands and every diagnostic in plain words."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.analyses.benchmarks import load_benchmarks
from revenue_retention.analyses.diagnostics import diagnose as run_diagnosis
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
from revenue_retention.outputs.diagnose import diagnose_document
from revenue_retention.periods import parse_month

__all__ = ["diagnose"]


def diagnose(
    source: str = typer.Argument(
        ...,
        help="CSV or Parquet file (long MRR or subscription periods), or a database URL "
        "with --table.",
    ),
    as_of: str | None = AS_OF,
    window: int = typer.Option(12, "--window", "-k", help="Window length in months."),
    benchmarks: Path | None = typer.Option(
        None, "--benchmarks", help="A TOML file of bands and medians to use instead of ours."
    ),
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
    """Place GRR and NRR in benchmark bands and state every diagnostic with its numbers.

    Diagnostics (stable ids in JSON, each with its inputs and threshold): leaky_bucket,
    expansion_dependence, concentration, borrowed_loyalty (needs line items), cohort_drift,
    seasonality, small_base (bootstrap interval against the published median).

    Examples:

    \b
        retention diagnose mrr.csv
        retention diagnose mrr.csv --as-of 2024-12 --format json
        retention diagnose mrr.csv --benchmarks my_bands.toml
    """
    bench = load_benchmarks(benchmarks)
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
    result = run_diagnosis(
        data,
        as_of=parse_month(as_of) if as_of else None,
        window_months=window,
        benchmarks=bench,
    )
    emit(diagnose_document(result), format, output)
