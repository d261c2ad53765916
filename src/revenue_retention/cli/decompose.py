"""``retention decompose``: price, volume and cross-sell in a window's MRR change."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.cli.options import (
    FORMAT,
    OUTPUT,
    UNIT,
    Format,
    InputOptions,
    with_input_options,
)
from revenue_retention.defaults import WINDOW_MONTHS

__all__ = ["decompose_command"]


@with_input_options
def decompose_command(
    source: str = typer.Argument(
        ...,
        help="CSV or Parquet file of line items: customer_id, month, product, quantity, "
        "unit_price (an mrr column, if any, must equal quantity x unit_price).",
    ),
    window: int = typer.Option(
        WINDOW_MONTHS,
        "--window",
        help="Window length in months; the cohort is every customer paying at its start.",
    ),
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    unit: str = UNIT,
    *,
    inputs: InputOptions,
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
    from revenue_retention.analyses.decompose import compute_decomposition
    from revenue_retention.cli.common import document_in, emit, load_input

    data = load_input(source, inputs, format=format, outputs={"--output": output})
    emit(
        document_in(compute_decomposition(data, window_months=window), unit),
        format,
        output,
        csv_raw=inputs.csv_raw,
    )
