"""``retention metrics``: the bridge and GRR / NRR / logo retention of one input."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from revenue_retention.cli.options import (
    FORMAT,
    OUTPUT,
    SOURCE,
    UNIT,
    WINDOWS,
    Format,
    InputOptions,
    with_input_options,
)
from revenue_retention.defaults import DEFAULT_RESAMPLES
from revenue_retention.errors import OptionError

__all__ = ["Method", "metrics"]


class Method(enum.StrEnum):
    """The retention methods of METRICS.md §3-4 (``metrics.methods.METHODS``)."""

    cohort = "cohort"
    movement = "movement"
    compounded = "compounded"
    compounded_chain = "compounded_chain"
    trailing = "trailing"
    averaged = "averaged"


METHOD = typer.Option(
    Method.cohort,
    "--method",
    help="Retention method: cohort (default, METRICS.md section 3) or a labelled alternative "
    "of section 4; compare them all with 'retention methods'.",
)

CI = typer.Option(
    None,
    "--ci",
    help="Add bootstrap intervals at this level (e.g. 0.9) to GRR, NRR and logo retention: "
    "the customers of each cohort resampled (METRICS.md section 7, small base).",
)
RESAMPLES = typer.Option(
    None, "--resamples", help=f"With --ci: resamples per cohort (default {DEFAULT_RESAMPLES})."
)
SEED = typer.Option(None, "--seed", help="With --ci: random seed (default 0).")
BY = typer.Option(
    [],
    "--by",
    metavar="COLUMN",
    help="Also break the bridge and retention down by this attribute (repeat for combined "
    "groups), or by size_band of starting MRR. A customer counts in its group at the start "
    "of each window; the bridge shows transfer_in / transfer_out between groups.",
)
COMPARE = typer.Option(
    None,
    "--compare",
    metavar="YYYY-MM",
    help="Also show every headline figure at this earlier month beside the as-of month's, "
    "with the change (JSON: the added key comparison).",
)
SIZE_BANDS = typer.Option(
    "100,1000,10000", "--size-bands", help="Lower edges of the MRR bands of --by size_band."
)
CHURN_REASON = typer.Option(
    None,
    "--churn-reason",
    metavar="COLUMN",
    help="The column that says why a customer left (a status or cancellation reason): "
    "each month's churn split into voluntary, involuntary, paused and unexplained. "
    "Default: a column named churn_reason, cancellation_reason, cancel_reason, "
    "subscription_status or status, if there is one.",
)


@with_input_options
def metrics(
    source: str = SOURCE,
    format: Format = FORMAT,
    windows: str = WINDOWS,
    output: Path | None = OUTPUT,
    method: Method = METHOD,
    ci: float | None = CI,
    resamples: int | None = RESAMPLES,
    seed: int | None = SEED,
    by: list[str] = BY,
    size_bands: str = SIZE_BANDS,
    compare: str | None = COMPARE,
    unit: str = UNIT,
    churn_reason: str | None = CHURN_REASON,
    *,
    inputs: InputOptions,
) -> None:
    """Monthly MRR bridge and cohort-method GRR, NRR and logo retention.

    With --method, retention by a labelled alternative of METRICS.md section 4 instead;
    every retention row names its method.

    Examples:

    \b
        retention metrics mrr.csv
        retention metrics subscriptions.csv --windows 12 --as-of 2024-12 --format json
        retention metrics export.csv --column mrr=net_amount --rejects bad_rows.csv
        retention metrics mrr.csv --method movement --windows 12
        retention metrics mrr.csv --by segment --windows 12
        retention metrics mrr.csv --windows 12 --ci 0.9 --format json
        retention metrics mrr.csv --as-of 2025-12 --compare 2024-12
        retention metrics mrr.csv --unit arr
        retention metrics subscriptions.csv --churn-reason cancellation_reason
        retention metrics mrr.parquet --engine spark --format json
        retention metrics postgresql://me@db.example.com/billing --table mrr
    """
    from revenue_retention.analyses import compute_metrics
    from revenue_retention.analyses.units import METRICS_TABLES, check_unit, in_arr
    from revenue_retention.cli.common import emit, load_input
    from revenue_retention.metrics.groups import parse_size_bands
    from revenue_retention.outputs.registry import document as document_of
    from revenue_retention.periods import parse_windows

    window_list = parse_windows(windows)
    chosen_unit = check_unit(unit)
    if ci is None and (resamples is not None or seed is not None):
        given = "--resamples" if resamples is not None else "--seed"
        raise OptionError(given, resamples if resamples is not None else seed, "needs --ci")
    if ci is not None and method is not Method.cohort:
        raise OptionError("--ci", ci, "applies to the cohort method only; drop --method")
    if ci is not None and by:
        raise OptionError("--ci", ci, "is not yet computed per group; drop --by")
    edges = parse_size_bands(size_bands)
    data = load_input(source, inputs, format=format, outputs={"--output": output})
    result = compute_metrics(
        data,
        window_months=window_list,
        method=method.value,
        by=by,
        size_bands=edges,
        churn_reason=churn_reason,
    )
    if chosen_unit == "arr":
        result = in_arr(result, METRICS_TABLES)
    document = document_of(result)
    if ci is not None:
        from revenue_retention.analyses.uncertainty import compute_intervals
        from revenue_retention.outputs.metrics.document import with_intervals

        intervals = compute_intervals(
            data,
            window_months=window_list,
            level=ci,
            resamples=DEFAULT_RESAMPLES if resamples is None else resamples,
            seed=0 if seed is None else seed,
            all_months=True,
        )
        document = with_intervals(document, result, intervals)
    if compare is not None:
        from revenue_retention.analyses.compare import compare_months
        from revenue_retention.outputs.compare import with_comparison

        document = with_comparison(document, compare_months(result, compare))
    emit(document, format, output, csv_raw=inputs.csv_raw)
