"""``retention concentration``: is the headline carried by a few accounts? (METRICS.md §5)."""

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

__all__ = ["concentration"]

WINDOW = typer.Option(
    12, "--window", "-k", help="Window length in months; the cohort is who paid at its start."
)


@with_input_options
def concentration(
    source: str = SOURCE,
    window: int = WINDOW,
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    unit: str = UNIT,
    *,
    inputs: InputOptions,
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
    from revenue_retention.analyses.concentration import compute_concentration
    from revenue_retention.cli.common import document_in, emit, load_input

    data = load_input(source, inputs, format=format, outputs={"--output": output})
    result = compute_concentration(data, as_of=inputs.as_of, window_months=window)
    emit(document_in(result, unit), format, output, csv_raw=inputs.csv_raw)
