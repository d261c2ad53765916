"""``retention decompose``: price, volume and cross-sell in a window's MRR change."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.analyses.decompose import DEFAULT_WINDOW_MONTHS, decompose
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
from revenue_retention.outputs.decompose import decompose_document

__all__ = ["decompose_command"]


def decompose_command(
    source: str = typer.Argument(
        ...,
        help="CSV or Parquet file of line items: customer_id, month, product, quantity, "
        "unit_price (an mrr column, if any, must equal quantity x unit_price).",
    ),
    window: int = typer.Option(
        DEFAULT_WINDOW_MONTHS,
        "--window",
        help="Window length in months; the cohort is every customer paying at its start.",
    ),
    format: Format = FORMAT,
    as_of: str | None = AS_OF,
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
    """Split the window's MRR change into volume, price, cross-sell and churn, with NRR
    excluding price increases (METRICS.md §6).

    Per cohort customer and product: volume = (q1 - q0)(p0 + p1)/2, price =
    (p1 - p0)(q0 + q1)/2, a product only at the end is cross-sell, one only at the start
    product churn (or churn when the customer left). Exact to the last decimal place.

    Examples:

    \b
        retention decompose line_items.csv
        retention decompose line_items.csv --as-of 2025-12 --window 12 -f json
        retention decompose export.csv -c unit_price=list_price -f csv -o out/
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
    emit(decompose_document(decompose(data, window_months=window)), format, output)
