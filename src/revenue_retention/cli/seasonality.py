"""``retention seasonality``: quarterly retention by quarter of year and the seasonal swing flag."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.cli.options import (
    FORMAT,
    OUTPUT,
    SOURCE,
    Format,
    InputOptions,
    with_input_options,
)
from revenue_retention.defaults import DEFAULT_MIN_SWING_PP, DEFAULT_SWING_RATIO

__all__ = ["seasonality"]


@with_input_options
def seasonality(
    source: str = SOURCE,
    swing_ratio: float = typer.Option(
        DEFAULT_SWING_RATIO,
        "--swing-ratio",
        help="Flag when the quarterly spread across quarters of the year is more than this "
        "many times the annual spread ...",
    ),
    min_swing_pp: float = typer.Option(
        DEFAULT_MIN_SWING_PP,
        "--min-swing-pp",
        help="... and at least this many percentage points.",
    ),
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    *,
    inputs: InputOptions,
) -> None:
    """Seasonality: quarterly GRR and NRR by quarter of year against the annual rates,
    each bridge movement by month of year, and a flag when quarterly rates swing far more
    than annual ones.

    Examples:

    \b
        retention seasonality mrr.csv
        retention seasonality mrr.csv --as-of 2024-12 --format json
        retention seasonality mrr.csv --swing-ratio 3 --min-swing-pp 5
    """
    from revenue_retention.analyses.seasonality import compute_seasonality
    from revenue_retention.cli.common import emit, load_input
    from revenue_retention.outputs.registry import document

    data = load_input(source, inputs, format=format, outputs={"--output": output})
    result = compute_seasonality(data, swing_ratio=swing_ratio, min_swing_pp=min_swing_pp)
    emit(document(result), format, output, csv_raw=inputs.csv_raw)
