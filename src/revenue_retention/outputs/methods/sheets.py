"""The workbook's Methods sheet: the ``methods`` document and the seasonality tables."""

from __future__ import annotations

from revenue_retention.analyses.overview import Overview
from revenue_retention.metrics import MOVEMENTS
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import Block, Sheet, section_block, skipped
from revenue_retention.outputs.methods import methods_document
from revenue_retention.outputs.seasonality import seasonality_document

__all__ = ["methods_sheet"]


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
