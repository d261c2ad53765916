"""The Concentration, Decomposition and Customers sheets: the accounts behind the headline."""

from __future__ import annotations

from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs._workbook._model import (
    Sheet,
    item_block,
    section,
    section_block,
    skipped,
)
from revenue_retention.outputs.concentration import concentration_document

__all__ = ["concentration_sheet"]


def concentration_sheet(ov: Overview) -> Sheet:
    """Shares of the top customers and expanders, beside the Pareto curve."""
    caption = "Is the headline carried by a few accounts?"
    if ov.concentration is None:
        block = skipped(ov, "concentration", "Concentration")
        return Sheet("Concentration", "Concentration", caption, (block,), main=None)
    doc = concentration_document(ov.concentration)
    summary = section(doc, "summary").records[0]
    blocks = (
        item_block("summary", "The cohort's starting MRR and expansion", summary),
        section_block(doc, "shares", "Held by the top k customers and expanders"),
        section_block(doc, "nrr_without_top_expanders", "NRR without the top k expanders"),
        section_block(doc, "top_customers", "Largest customers at the start"),
        section_block(doc, "top_expanders", "Largest expanders"),
    )
    pareto = section_block(
        doc, "pareto", "Pareto: cumulative share of starting MRR against share of customers"
    )
    return Sheet("Concentration", "Concentration", caption, (*blocks, pareto), main=len(blocks))
