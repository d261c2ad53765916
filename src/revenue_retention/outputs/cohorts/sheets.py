"""The Cohorts and Segments sheets: retention of customers grouped by start month or attribute."""

from __future__ import annotations

from typing import Any

from revenue_retention.analyses.cohorts import CohortResult
from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import Block, Sheet, Typed
from revenue_retention.outputs.cohorts import (
    COHORT_SIZE_FIELDS,
    cohort_records,
    cohort_size_records,
)

__all__ = ["cohorts_sheet"]


def _matrix(result: CohortResult, name: str, title: str) -> Block:
    """Cohorts down, age in months across: the chosen rate of each cohort at each age."""
    records = cohort_records(result)
    sizes = cohort_size_records(result)
    ages = sorted({r["age_months"] for r in records})
    by_cell = {(r["cohort"], r["age_months"]): r for r in records}
    rows = []
    for size in sizes:
        row: dict[str, Any] = {k: size[k] for k in COHORT_SIZE_FIELDS[:3]}
        for age in ages:
            cell = by_cell.get((size["cohort"], age))
            if cell is not None:
                row[f"m{age}"] = Typed(cell["value"], Kind.RATE, partial=not cell["complete"])
        rows.append(row)
    notes = ["Customers and Starting MRR: the cohort's members in their first paying month"]
    if any(s["includes_opening_balance"] for s in sizes):
        notes.append(
            f"{sizes[0]['cohort']} also holds every customer already paying in the first "
            "month of the data"
        )
    if any(not r["complete"] for r in records):
        notes.append("grey italics: only the members that have reached this age yet")
    fields = (*COHORT_SIZE_FIELDS[:3], *(f"m{a}" for a in ages))
    return Block(name, title, fields, rows, notes=tuple(notes), heat_from=3)


def cohorts_sheet(ov: Overview) -> Sheet:
    """NRR and logo retention matrices, one under the other, shaded."""
    nrr = _matrix(ov.cohorts_nrr, "nrr", "NRR by acquisition month (rows) and age in months")
    logo = _matrix(ov.cohorts_logo, "logo", "Logo retention by acquisition month and age")
    return Sheet(
        "Cohorts",
        "Acquisition cohorts",
        "Customers grouped by their first paying month; each cell relative to that month "
        "(age 0). Shading: towards orange-red below 100%, towards blue above.",
        (nrr, logo),
        frozen_columns=3,
    )
