"""``retention growth``: ARR, growth, churn rates by definition, ARPA, LTV, seat retention."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.cli.options import (
    FORMAT,
    OUTPUT,
    SOURCE,
    UNIT,
    Format,
    InputOptions,
    with_input_options,
)
from revenue_retention.defaults import WINDOW_MONTHS

__all__ = ["growth"]

GROSS_MARGIN = typer.Option(
    None,
    "--gross-margin",
    help="Gross margin for LTV, as 0.8 or 80%. No default: without it LTV is left out, "
    "and the output says why.",
)
LEVEL = typer.Option(
    0.9, "--level", help="Level of the interval of the churn rate behind LTV (Wilson score)."
)


@with_input_options
def growth(
    source: str = SOURCE,
    window: int = typer.Option(
        WINDOW_MONTHS, "--window", help="Trailing window in months (12: the annual figures)."
    ),
    gross_margin: str | None = GROSS_MARGIN,
    level: float = LEVEL,
    unit: str = UNIT,
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    *,
    inputs: InputOptions,
) -> None:
    """ARR, net new MRR, MRR growth, quick ratio, churn rates by definition (customer,
    gross MRR, net MRR; monthly, annualised and beside the cohort GRR / NRR of the same
    window), ARPA, average new-customer MRR, LTV and seat retention, every month and
    every trailing window (docs/metrics.md).

    Examples:

    \b
        retention growth mrr.csv
        retention growth mrr.csv --gross-margin 0.8 --format json
        retention growth mrr.csv --window 3 --unit arr
    """
    from revenue_retention.analyses.growth import compute_growth
    from revenue_retention.analyses.units import check_unit
    from revenue_retention.cli.common import emit, load_input
    from revenue_retention.outputs.growth import growth_document

    chosen = check_unit(unit)
    data = load_input(source, inputs, format=format, outputs={"--output": output})
    result = compute_growth(data, window_months=window, gross_margin=gross_margin, level=level)
    if chosen == "arr":
        result = result.in_arr()
    emit(growth_document(result), format, output, csv_raw=inputs.csv_raw)
