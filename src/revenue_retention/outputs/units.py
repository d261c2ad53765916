"""Names of fields in the ARR view (``--unit arr``): ``closing_mrr`` is ``closing_arr`` there."""

from __future__ import annotations

import dataclasses
import re

from rich.console import Console
from rich.text import Text

from revenue_retention.outputs._document import Document, Section

__all__ = ["arr_document", "unit_document", "unit_label", "unit_name"]


def unit_name(name: str, unit: str) -> str:
    """A field's name in ``unit``; rates keep theirs (a rate is the same in any unit).

    >>> unit_name("closing_mrr", "arr"), unit_name("gross_mrr_churn_rate", "arr")
    ('closing_arr', 'gross_mrr_churn_rate')
    >>> unit_name("mrr", "arr"), unit_name("mrr", "mrr")
    ('arr', 'mrr')
    """
    if unit != "arr" or "_rate" in name:
        return name
    if name == "mrr":  # a section's amount column (the input's column map is a header key)
        return "arr"
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


#: A label of the terminal views: the word MRR standing alone (``starting MRR``, ``MRR``).
_MRR_WORD = re.compile(r"(?<![A-Za-z0-9_])MRR(?![A-Za-z0-9_])")


def arr_document(document: Document) -> Document:
    """``document`` of a result already in ARR (``analyses.units.scale_result``).

    Fields are named in ARR (``unit_document``); the terminal view, written by a renderer
    that knows only MRR, is drawn as it is and says ARR where it said MRR: the word is
    three letters either way, so every table keeps its layout. A last line says the unit.
    """
    renamed = unit_document(document, "arr")
    draw = document.render

    def render(console: Console) -> None:
        with console.capture() as captured:
            draw(console)
        console.file.write(_MRR_WORD.sub("ARR", captured.get()))
        console.print(
            Text("unit: ARR = MRR x 12, every amount; rates unchanged", style="dim"),
        )

    return dataclasses.replace(renamed, render=render)
