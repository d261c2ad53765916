"""The Bridge and Retention sheets: how MRR moved month by month, and what windows kept."""

from __future__ import annotations

from revenue_retention.analyses.bridge_span import bridge_span
from revenue_retention.analyses.overview import Overview
from revenue_retention.money import format_money
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import Block, Sheet
from revenue_retention.outputs.labels import attribute_label
from revenue_retention.outputs.metrics.records import (
    BRIDGE_FIELDS,
    CHURN_REASON_FIELDS,
    RETENTION_FIELDS,
    bridge_records,
    churn_reason_records,
    retention_fields,
    retention_records,
)
from revenue_retention.periods import month_label

__all__ = ["bridge_sheet", "retention_sheet", "segments_sheet"]


def _trailing(ov: Overview) -> Block:
    """The latest bridge month beside the last twelve added up (the report's waterfalls)."""
    months = min(12, ov.metrics.bridge.num_rows)
    latest = bridge_span(ov.metrics, 1).amounts
    trailing_span = bridge_span(ov.metrics, months)
    first, last, trailing = trailing_span.first, trailing_span.last, trailing_span.amounts
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
    blocks = (main, _trailing(ov)) if records else (main,)
    if ov.metrics.churn_reasons is not None:
        blocks = (*blocks, _reasons(ov))
    return Sheet(
        "Bridge",
        "MRR bridge",
        "How MRR moved from each month to the next; the first month of the data is the "
        "opening balance.",
        blocks,
    )


def _reasons(ov: Overview) -> Block:
    """Each month's churn by reason, when the input says why (docs/metrics.md 4.16)."""
    money = {
        name: Kind.MONEY
        for name in CHURN_REASON_FIELDS
        if name.startswith(("churn", "reactivation")) and name != "churned_customers"
    }
    return Block(
        "churn_reasons",
        f"Churn by reason (column {ov.metrics.churn_reason_column!r})",
        CHURN_REASON_FIELDS,
        churn_reason_records(ov.metrics),
        money,
        (
            "voluntary + involuntary + paused + unexplained = churn; the reason of the month "
            "a customer left (a row with MRR 0), else of its last paying month",
        ),
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


def segments_sheet(ov: Overview) -> Sheet:
    """Retention by the segment attribute, beside the window to the as-of month."""
    fields = retention_fields(ov.segments)
    records = retention_records(ov.segments)
    text = dict.fromkeys(ov.segments.by, Kind.TEXT)
    main = Block(
        "windows",
        f"Retention by {attribute_label(ov.segment_by)}, {ov.window}-month windows",
        fields,
        records,
        text,
        (f"a customer counts in the {ov.segment_by} it had at the start of the window",),
    )
    latest = [r for r in records if r["as_of"] == ov.as_of_label]
    first = Block("latest", f"Window to {ov.as_of_label}", fields, latest, text)
    return Sheet(
        "Segments",
        f"Segments by {ov.segment_by}",
        "Each segment's own cohort retention; scope 'total' rows are the whole business. "
        "First the window to the latest month, then every month.",
        (first, main),
        main=1,
    )
