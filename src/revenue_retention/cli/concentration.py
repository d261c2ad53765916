"""``retention concentration``: is the headline carried by a few accounts? (METRICS.md §5)."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.analyses.concentration import compute_concentration
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
from revenue_retention.outputs.concentration import concentration_document

__all__ = ["concentration"]

WINDOW = typer.Option(
    12, "--window", "-k", help="Window length in months; the cohort is who paid at its start."
)


def concentration(
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
    """Share of starting MRR and of expansion held by the top accounts; NRR without them.

    For the cohort paying at the start of the window that ends at --as-of (default: the
    data's last month): the share of starting MRR held by
    the top 1, 5 and 10 customers, the Herfindahl index, the share of expansion from the
    top 1, 5 and 10 expanders, NRR without the expansion of the top 1 and 3 expanders,
    the largest customers and expanders, and a Pareto curve (JSON, CSV).

    Examples:

    \b
        retention concentration mrr.csv
        retention concentration mrr.csv --as-of 2024-12 --window 12 --format json
        retention concentration mrr.csv --format csv --output concentration/
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
    result = compute_concentration(data, as_of, window)
    emit(concentration_document(result), format, output)
