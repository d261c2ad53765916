"""``retention forecast``: MRR and ARR ahead from the trailing year's GRR and NRR, backtested."""

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
from revenue_retention.defaults import DEFAULT_RESAMPLES

__all__ = ["forecast"]


@with_input_options
def forecast(
    source: str = SOURCE,
    months: int = typer.Option(12, "--months", "-m", help="Months ahead, 1 to 36."),
    ci: float = typer.Option(
        0.9, "--ci", help="Level of the intervals, from a bootstrap of the base's customers."
    ),
    resamples: int = typer.Option(
        DEFAULT_RESAMPLES, "--resamples", help="Bootstrap resamples of the rates' intervals."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed of the bootstrap."),
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    *,
    inputs: InputOptions,
) -> None:
    """Project MRR and ARR ahead in labelled scenarios, with intervals and a backtest.

    From the MRR at --as-of (default: the last month) and the trailing 12-month cohort
    GRR and NRR (METRICS.md section 3): the existing base alone on its GRR floor
    (MRR x GRR^(h/12), no expansion) and on its NRR path (MRR x NRR^(h/12)), and the NRR
    path plus new business at its trailing rate (the MRR now of customers not paying 12
    months ago, spread evenly). Each has an interval from the bootstrap of the rate; the
    backtest makes the same projection 12 months earlier and shows its error against
    what happened. Formulas and a worked example: docs/metrics.md.

    Examples:

    \b
        retention forecast mrr.csv
        retention forecast mrr.csv --months 24 --format json
        retention forecast mrr.csv --as-of 2024-12 --ci 0.8
    """
    from revenue_retention.analyses.forecast import compute_forecast
    from revenue_retention.cli.common import emit, load_input
    from revenue_retention.outputs.registry import document

    data = load_input(source, inputs, format=format, outputs={"--output": output})
    result = compute_forecast(
        data,
        horizon_months=months,
        as_of=inputs.as_of,
        level=ci,
        resamples=resamples,
        seed=seed,
    )
    emit(document(result), format, output, csv_raw=inputs.csv_raw)
