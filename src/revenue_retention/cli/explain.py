"""``retention explain``: the customers behind a window's retention or a month's bridge."""

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
from revenue_retention.errors import OptionError

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


@with_input_options
def explain(
    source: str = SOURCE,
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
    customer: str | None = typer.Option(
        None,
        "--customer",
        help="Explain one customer instead: its MRR and movement each month, and the "
        "windows (1, 3 and 12 months, or --window) whose cohort it was in, with its class.",
    ),
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    unit: str = UNIT,
    *,
    inputs: InputOptions,
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
        retention explain mrr.csv --customer C00042
    """
    from revenue_retention.analyses.explain import compute_explain
    from revenue_retention.analyses.units import check_unit
    from revenue_retention.cli.common import document_in, emit, load_input

    check_unit(unit)
    if customer is not None:
        _explain_customer(source, customer, window, period, by, limit, format, output, inputs, unit)
        return
    attribute = parse_by(by)
    if period is not None and (inputs.as_of is not None or window is not None):
        raise OptionError(
            "--period", period, "explains one bridge month: it takes no --as-of or --window"
        )
    data = load_input(source, inputs, format=format, outputs={"--output": output})
    result = compute_explain(
        data,
        as_of=inputs.as_of,
        window_months=window,
        period=period,
        by=attribute,
        limit=limit,
    )
    emit(document_in(result, unit), format, output, csv_raw=inputs.csv_raw)


def _explain_customer(
    source: str,
    customer: str,
    window: int | None,
    period: str | None,
    by: str | None,
    limit: int | None,
    format: Format,
    output: Path | None,
    inputs: InputOptions,
    unit: str,
) -> None:
    from revenue_retention.analyses.customers import customer_story
    from revenue_retention.cli.common import document_in, emit, load_input
    from revenue_retention.metrics import DEFAULT_WINDOWS
    from revenue_retention.outputs.customers import story_document

    for option, value in (("--period", period), ("--by", by), ("--limit", limit)):
        if value is not None:
            raise OptionError(option, value, "does not apply to --customer")
    windows = DEFAULT_WINDOWS if window is None else (window,)
    if window is not None:
        OptionError.check_whole("--window", window, 1, 1200)
    data = load_input(source, inputs, format=format, outputs={"--output": output})
    emit(
        document_in(customer_story(data, customer, windows), unit, story_document),
        format,
        output,
        csv_raw=inputs.csv_raw,
    )
