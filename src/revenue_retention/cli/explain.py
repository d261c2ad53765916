"""``retention explain``: the customers behind a window's retention or a month's bridge."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.analyses.explain import compute_explain, compute_explain_period
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
from revenue_retention.errors import OptionError
from revenue_retention.outputs.explain import explain_document

__all__ = ["explain", "parse_by"]

_DEFAULT_WINDOW = 12


def parse_by(text: str | None) -> tuple[str, str] | None:
    """``COL=VALUE`` as ``(column, value)``; the value may itself contain ``=``.

    >>> parse_by("segment=SMB"), parse_by(None)
    (('segment', 'SMB'), None)
    """
    if text is None:
        return None
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        raise OptionError("--by", text, "must be COLUMN=VALUE, e.g. --by segment=SMB")
    return column.strip(), value


def explain(
    source: str = typer.Argument(
        ...,
        help="CSV or Parquet file (long MRR or subscription periods), or a database URL "
        "with --table.",
    ),
    as_of: str | None = AS_OF,
    window: int | None = typer.Option(
        None,
        "--window",
        "-k",
        help=f"Window length in months (default {_DEFAULT_WINDOW}); the cohort is who paid "
        "at its start.",
    ),
    period: str | None = typer.Option(
        None,
        "--period",
        help="Explain this bridge month, YYYY-MM, instead of a window: every customer with "
        "a movement from the month before.",
    ),
    by: str | None = typer.Option(
        None,
        "--by",
        help="Only customers whose attribute COLUMN had VALUE at the start: COLUMN=VALUE.",
    ),
    limit: int | None = typer.Option(
        None, "--limit", "-n", help="List only the N customers with the largest change."
    ),
    format: Format = FORMAT,
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
    """Every customer behind a retention window or a bridge month, reconciled to metrics.

    Window (default): each customer of the cohort paying at the start of the window that
    ends at --as-of (default: the data's last month), with start MRR, end MRR, change and
    movement (churn, contraction, expansion, flat), largest change first. With --period:
    each customer with a movement that month (new, reactivation, expansion, contraction,
    churn). The totals equal the retention or bridge row of `retention metrics`.

    Examples:

    \b
        retention explain mrr.csv --as-of 2024-12 --window 12
        retention explain mrr.csv --by segment=Enterprise --limit 20
        retention explain mrr.csv --period 2024-03 --format csv --output march/
    """
    attribute = parse_by(by)
    if period is not None and (as_of is not None or window is not None):
        raise OptionError(
            "--period", period, "explains one bridge month: it takes no --as-of or --window"
        )
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
    if period is not None:
        result = compute_explain_period(data, period, by=attribute, limit=limit)
    else:
        window_months = _DEFAULT_WINDOW if window is None else window
        result = compute_explain(data, as_of, window_months, by=attribute, limit=limit)
    emit(explain_document(result), format, output)
