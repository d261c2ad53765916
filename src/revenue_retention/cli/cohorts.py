"""``retention cohorts``: retention of acquisition cohorts by age (cohort x age matrix)."""

from __future__ import annotations

import enum
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

__all__ = ["cohorts"]


class CohortMetric(enum.StrEnum):
    nrr = "nrr"
    grr = "grr"
    logo = "logo"
    mrr = "mrr"


class CohortGrain(enum.StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class RelativeTo(enum.StrEnum):
    first = "first"
    month1 = "month1"


@with_input_options
def cohorts(
    source: str = SOURCE,
    metric: CohortMetric = typer.Option(
        CohortMetric.nrr,
        "--metric",
        "-m",
        help="Figure per cohort and age: nrr, grr, logo (logo retention) or mrr.",
    ),
    grain: CohortGrain = typer.Option(
        CohortGrain.month,
        "--grain",
        "-g",
        help="Group customers by the month, quarter or year of their first payment.",
    ),
    relative_to: RelativeTo = typer.Option(
        RelativeTo.first,
        "--relative-to",
        help="Base of the ratios: the first paying month (first), or the month after "
        "(month1: customers gone after their first month are left out).",
    ),
    by: str | None = typer.Option(
        None,
        "--by",
        metavar="COLUMN",
        help="Also split the cohorts by this attribute: a customer's group is its value in "
        "its first paying month; one matrix per group.",
    ),
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    unit: str = UNIT,
    *,
    inputs: InputOptions,
) -> None:
    """Acquisition cohorts: NRR, GRR, logo retention or MRR of each cohort by age.

    A customer's cohort is its first month with MRR > 0; its age is counted in months
    from that month. Customers already paying in the first month of the data fall in
    the first cohort.

    Examples:

    \b
        retention cohorts mrr.csv
        retention cohorts mrr.csv --metric grr --grain quarter
        retention cohorts mrr.csv --relative-to month1 --as-of 2024-12 --format json
        retention cohorts mrr.csv --by plan
    """
    from revenue_retention.analyses.cohorts import compute_cohorts
    from revenue_retention.cli.common import document_in, emit, load_input

    data = load_input(source, inputs, format=format, outputs={"--output": output})
    if by is not None:
        from revenue_retention.analyses.cohort_groups import cohort_groups
        from revenue_retention.outputs.cohort_groups import cohort_groups_document

        split = cohort_groups(
            data, by, metric=metric.value, grain=grain.value, relative_to=relative_to.value
        )
        emit(
            document_in(split, unit, cohort_groups_document),
            format,
            output,
            csv_raw=inputs.csv_raw,
        )
        return
    result = compute_cohorts(
        data, metric=metric.value, grain=grain.value, relative_to=relative_to.value
    )
    emit(document_in(result, unit), format, output, csv_raw=inputs.csv_raw)
