"""The workbook's Customers sheet: every customer of the headline window (``explain``)."""

from __future__ import annotations

from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import (
    Sheet,
    item_block,
    section,
    section_block,
    skipped,
)
from revenue_retention.outputs.explain import explain_document
from revenue_retention.periods import month_label

__all__ = ["customers_sheet"]


def customers_sheet(ov: Overview) -> Sheet:
    """The headline cohort's customers, under their movements and above their totals."""
    caption = "Every customer of the headline window's cohort, largest change first"
    if ov.explain is None:
        block = skipped(ov, "customers", "Customers")
        return Sheet("Customers", "Customers", caption, (block,), main=None)
    doc = explain_document(ov.explain)
    attributes = dict.fromkeys(ov.input.attributes, Kind.TEXT)
    main = section_block(
        doc,
        "customers",
        f"Customers paying at {month_label(ov.explain.start)}: {ov.window}-month window to "
        f"{ov.as_of_label}",
        **attributes,
    )
    movements = section_block(doc, "movements", "By movement")
    totals = item_block("totals", "Totals (the Retention row)", section(doc, "totals").records[0])
    return Sheet("Customers", "Customers", caption, (movements, main, totals), main=1)
