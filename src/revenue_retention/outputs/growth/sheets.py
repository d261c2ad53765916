"""The Growth sheet: the ``growth`` command's windows, months and seat retention."""

from __future__ import annotations

from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import Block, Sheet, section_block, skipped
from revenue_retention.outputs.growth import growth_document
from revenue_retention.outputs.labels import reader_text

__all__ = ["growth_sheet"]

#: The growth fields the workbook's names do not already know, by kind.
_KINDS = {
    **dict.fromkeys(
        (
            "arr",
            "net_new_mrr",
            "arpa",
            "average_new_customer_mrr",
            "ltv",
            "ltv_low",
            "ltv_high",
        ),
        Kind.MONEY,
    ),
    **dict.fromkeys(
        (
            "mrr_growth_rate",
            "compound_monthly_growth_rate",
            *(
                f"{prefix}{stem}{suffix}"
                for prefix in ("", "cohort_")
                for stem in ("customer_churn_rate", "gross_mrr_churn_rate", "net_mrr_churn_rate")
                for suffix in ("", "_annualised", "_low", "_high")
            ),
            "gross_quantity_retention",
            "net_quantity_retention",
        ),
        Kind.RATE,
    ),
    "quantity_retained": Kind.DECIMAL,
}


def growth_sheet(ov: Overview) -> Sheet:
    """Growth and churn rates by definition: each trailing window, each month, seats."""
    caption = (
        "ARR, growth, the quick ratio, churn rates by definition (monthly pooled, annualised "
        "1 - (1 - monthly)^12, and the cohort's own 1 - GRR / NRR / logo retention), ARPA. "
        "LTV is left out: it needs a gross margin, which billing data does not carry."
    )
    if ov.growth is None:
        return Sheet(
            "Growth", "Growth and churn rates", caption, (skipped(ov, "growth", "Growth"),)
        )
    document = growth_document(ov.growth)
    notes = tuple(
        f"{name.replace('_', ' ').capitalize()}: {reader_text(note)}"
        for name, note in ov.growth.notes.items()
        if name != "ltv"  # the caption says why; the note names a command-line option
    )
    k = ov.growth.window_months
    blocks: tuple[Block, ...] = (
        section_block(
            document, "windows", f"Trailing {k}-month windows, by as-of month", *notes, **_KINDS
        ),
        section_block(document, "months", "By month (the bridge month ending there)", **_KINDS),
    )
    if ov.growth.quantity is not None:
        blocks += (
            section_block(
                document,
                "quantity",
                f"Seat (quantity) retention, {k} months to {ov.as_of_label}",
                "product blank: every product's units summed",
                **_KINDS,
            ),
        )
    return Sheet("Growth", "Growth and churn rates", caption, blocks)
