"""``retention seasonality``: quarterly retention by quarter of year and the seasonal swing flag."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.analyses.seasonality import (
    DEFAULT_MIN_SWING_PP,
    DEFAULT_SWING_RATIO,
)
from revenue_retention.analyses.seasonality import (
    seasonality as compute_seasonality,
)
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
from revenue_retention.outputs.seasonality import seasonality_document

__all__ = ["seasonality"]


def seasonality(
    source: str = typer.Argument(
        ...,
        help="CSV or Parquet file (long MRR or subscription periods), or a database URL "
        "with --table.",
    ),
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
    """Seasonality: quarterly GRR and NRR by quarter of year against the annual rates,
    each bridge movement by month of year, and a flag when quarterly rates swing far more
    than annual ones.

    Examples:

    \b
        retention seasonality mrr.csv
        retention seasonality mrr.csv --as-of 2024-12 --format json
        retention seasonality mrr.csv --swing-ratio 3 --min-swing-pp 5
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
    result = compute_seasonality(data, swing_ratio=swing_ratio, min_swing_pp=min_swing_pp)
    emit(seasonality_document(result), format, output)
