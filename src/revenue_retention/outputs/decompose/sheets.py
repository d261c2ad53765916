"""The workbook's Decomposition sheet: the ``decompose`` document's tables."""

from __future__ import annotations

from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs._workbook._model import (
    Sheet,
    item_block,
    section,
    section_block,
    skipped,
)
from revenue_retention.outputs.decompose import decompose_document

__all__ = ["decomposition_sheet"]


def decomposition_sheet(ov: Overview) -> Sheet:
    """Volume, price and cross-sell per customer, beside totals and breakdowns."""
    caption = "What the change in MRR is made of: volume, price and cross-sell"
    if ov.decomposition is None:
        block = skipped(ov, "decomposition", "Price, volume and cross-sell")
        return Sheet("Decomposition", "Decomposition", caption, (block,), main=None)
    doc = decompose_document(ov.decomposition)
    main = section_block(doc, "customers", "Per customer of the cohort, by component")
    first = (
        section_block(doc, "movements", "By the customer's own net change"),
        section_block(doc, "products", "By product"),
    )
    totals = item_block("totals", "Totals", section(doc, "totals").records[0])
    return Sheet("Decomposition", "Decomposition", caption, (*first, main, totals), main=len(first))
