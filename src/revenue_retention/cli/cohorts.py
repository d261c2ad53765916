"""``retention cohorts``: retention of acquisition cohorts by age (cohort x age matrix)."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from revenue_retention.analyses.cohorts import cohort_matrix
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
from revenue_retention.outputs.cohorts import cohorts_document

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


def cohorts(
    source: str = typer.Argument(
        ...,
        help="CSV or Parquet file (long MRR or subscription periods), or a database URL "
        "with --table.",
    ),
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
    """Acquisition cohorts: NRR, GRR, logo retention or MRR of each cohort by age.

    A customer's cohort is its first month with MRR > 0; its age is counted in months
    from that month. Customers already paying in the first month of the data fall in
    the first cohort.

    Examples:

    \b
        retention cohorts mrr.csv
        retention cohorts mrr.csv --metric grr --grain quarter
        retention cohorts mrr.csv --relative-to month1 --as-of 2024-12 --format json
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
    result = cohort_matrix(
        data, metric=metric.value, grain=grain.value, relative_to=relative_to.value
    )
    emit(cohorts_document(result), format, output)
