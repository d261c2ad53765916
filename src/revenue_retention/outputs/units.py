"""Names of fields in the ARR view (``--unit arr``): ``closing_mrr`` is ``closing_arr`` there."""

from __future__ import annotations

import dataclasses

from revenue_retention.outputs._document import Document, Section

__all__ = ["unit_document", "unit_label", "unit_name"]


def unit_name(name: str, unit: str) -> str:
    """A field's name in ``unit``; rates keep theirs (a rate is the same in any unit).

    >>> unit_name("closing_mrr", "arr"), unit_name("gross_mrr_churn_rate", "arr")
    ('closing_arr', 'gross_mrr_churn_rate')
    """
    if unit != "arr" or "_rate" in name:
        return name
    return name.replace("_mrr", "_arr")


def unit_label(unit: str) -> str:
    """``MRR`` or ``ARR``, for titles and column headers."""
    return unit.upper()


def unit_document(document: Document, unit: str) -> Document:
    """``document`` with its fields named in ``unit`` and a ``unit`` header key (ARR only).

    In the default unit the document is returned as it is, so the MRR contract is unchanged.
    """
    if unit != "arr":
        return document
    sections = tuple(
        Section(
            s.name,
            tuple(unit_name(f, unit) for f in s.fields),
            [{unit_name(k, unit): v for k, v in r.items()} for r in s.records],
        )
        for s in document.sections
    )
    header = dict(document.header) | {"unit": "arr"}
    return dataclasses.replace(document, header=header, sections=sections)
