"""``retention diagnose``: rates in their benchmark bands and every diagnostic in plain words."""

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

__all__ = ["diagnose"]


@with_input_options
def diagnose(
    source: str = SOURCE,
    window: int = typer.Option(12, "--window", "-k", help="Window length in months."),
    benchmarks: Path | None = typer.Option(
        None, "--benchmarks", help="A TOML file of bands and medians to use instead of ours."
    ),
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    *,
    inputs: InputOptions,
) -> None:
    """Place GRR and NRR in benchmark bands and state every diagnostic with its numbers.

    Diagnostics (stable ids in JSON, each with its inputs and threshold): leaky_bucket,
    expansion_dependence, concentration, borrowed_loyalty (needs line items), cohort_drift,
    seasonality, small_base (bootstrap interval against the published median), and the
    early warnings grr_trend, segment_drop, early_retention, expansion_at_risk,
    price_increase_followup (needs line items). Then what to do first, by the GRR bands
    of METRICS.md section 7 (below 85%: fix the leak; above 90%: focus on expansion).

    Examples:

    \b
        retention diagnose mrr.csv
        retention diagnose mrr.csv --as-of 2024-12 --format json
        retention diagnose mrr.csv --benchmarks my_bands.toml
    """
    from revenue_retention.analyses.benchmarks import load_benchmarks
    from revenue_retention.analyses.diagnostics import compute_diagnosis
    from revenue_retention.cli.common import emit, load_input
    from revenue_retention.outputs.registry import document

    bench = load_benchmarks(benchmarks)
    data = load_input(
        source, inputs, format=format, outputs={"--output": output}, reads=[benchmarks]
    )
    result = compute_diagnosis(
        data,
        as_of=inputs.as_of,
        window_months=window,
        benchmarks=bench,
    )
    emit(document(result), format, output, csv_raw=inputs.csv_raw)
