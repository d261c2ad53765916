"""The Concentration, Decomposition and Customers sheets: the accounts behind the headline."""

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
from revenue_retention.outputs.concentration import concentration_document
from revenue_retention.outputs.decompose import decompose_document
from revenue_retention.outputs.explain import explain_document
from revenue_retention.periods import month_label

__all__ = ["concentration_sheet", "customers_sheet", "decomposition_sheet"]


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
