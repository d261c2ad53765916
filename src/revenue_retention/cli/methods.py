"""``retention methods``: one window's GRR and NRR by every method, and why they differ."""

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

__all__ = ["methods"]

WINDOW = typer.Option(
    WINDOW_MONTHS,
    "--window",
    "-k",
    help="Window length in months, the same for every method.",
)


@with_input_options
def methods(
    source: str = SOURCE,
    window: int = WINDOW,
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    unit: str = UNIT,
    *,
    inputs: InputOptions,
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
    from revenue_retention.analyses.methods import compute_methods
    from revenue_retention.cli.common import document_in, emit, load_input

    data = load_input(source, inputs, format=format, outputs={"--output": output})
    emit(
        document_in(compute_methods(data, as_of=inputs.as_of, window_months=window), unit),
        format,
        output,
        csv_raw=inputs.csv_raw,
    )
