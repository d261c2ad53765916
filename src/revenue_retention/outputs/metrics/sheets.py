"""The Bridge and Retention sheets: how MRR moved month by month, and what windows kept."""

from __future__ import annotations

from revenue_retention.analyses.overview import Overview
from revenue_retention.metrics import MOVEMENTS
from revenue_retention.money import format_money
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import Block, Sheet, section_block, skipped
from revenue_retention.outputs.methods import methods_document
from revenue_retention.outputs.metrics.records import (
    BRIDGE_FIELDS,
    RETENTION_FIELDS,
    bridge_records,
    retention_records,
)
from revenue_retention.outputs.seasonality import seasonality_document
from revenue_retention.periods import month_label

__all__ = ["bridge_sheet", "methods_sheet", "retention_sheet"]


def _trailing(ov: Overview) -> Block:
    """The latest bridge month beside the last twelve added up (the report's waterfalls)."""
    from revenue_retention.outputs.metrics.bridge import bridge_steps

    months = min(12, ov.metrics.bridge.num_rows)
    _, _, latest = bridge_steps(ov.metrics, 1)
    first, last, trailing = bridge_steps(ov.metrics, months)
    span = f"trailing_{months}_months"
    rows = [
        {
            "movement": name,
            "latest_month": format_money(latest[name]),
            span: format_money(trailing[name]),
        }
        for name in BRIDGE_FIELDS[1:]
    ]
    return Block(
        "latest",
        f"Latest month and trailing {months} months",
        ("movement", "latest_month", span),
        rows,
        {span: Kind.MONEY},
        (
            f"latest month {month_label(last)}; trailing {months} months {month_label(first)} "
            f"to {month_label(last)}: opening of the first, movements added up, closing of "
            "the last",
        ),
    )


def bridge_sheet(ov: Overview) -> Sheet:
    """The MRR bridge by month, beside the latest and trailing months added up."""
    records = bridge_records(ov.metrics, groups=False)
    main = Block(
        "monthly",
        "MRR bridge by month",
        BRIDGE_FIELDS,
        records,
        notes=("closing = opening + new + reactivation + expansion - contraction - churn",),
    )
    return Sheet(
        "Bridge",
        "MRR bridge",
        "How MRR moved from each month to the next; the first month of the data is the "
        "opening balance.",
        (main, _trailing(ov)) if records else (main,),
    )


def retention_sheet(ov: Overview) -> Sheet:
    """Rates of every window and as-of month (cohort method)."""
    main = Block(
        "windows",
        "GRR, NRR and logo retention by month and window (cohort method)",
        RETENTION_FIELDS,
        retention_records(ov.metrics, groups=False),
        notes=("As of: the window's last month; the cohort pays in its first month",),
    )
    return Sheet(
        "Retention",
        "Retention",
        "Each row: the customers paying at the start of a window, and what they kept by its "
        "end. GRR counts losses only; NRR adds expansion. Other methods and seasonality: "
        "the Methods sheet.",
        (main,),
    )


def methods_sheet(ov: Overview) -> Sheet:
    """The headline window by every method, then the seasonality tables, one under the other."""
    blocks: list[Block] = []
    if ov.methods is not None:
        doc = methods_document(ov.methods)
        blocks.append(
            section_block(
                doc,
                "methods",
                f"Methods side by side: {ov.window}-month window to {ov.as_of_label}",
                "Why it differs: one line on why each method differs from the cohort method, "
                "the headline's",
            )
        )
    else:
        blocks.append(skipped(ov, "methods", "Methods side by side"))
    doc = seasonality_document(ov.seasonality)
    blocks += [
        section_block(doc, "quarter_of_year", "Seasonality: quarterly rates by quarter of year"),
        section_block(
            doc, "quarters", "Quarter ends: quarterly (3-month) and annual (12-month) rates"
        ),
        section_block(
            doc,
            "month_of_year",
            "Bridge movements by month of year: mean share of opening MRR",
            **dict.fromkeys(MOVEMENTS, Kind.RATE),
        ),
        section_block(doc, "swing", "Seasonal swing"),
    ]
    return Sheet(
        "Methods",
        "Methods and seasonality",
        "The headline rates by the other methods, each labelled, and how retention moves "
        "with the quarter and month of the year.",
        tuple(blocks),
        main=None,
    )
