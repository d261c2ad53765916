"""Names of fields in the ARR view (``--unit arr``): ``closing_mrr`` is ``closing_arr`` there."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from revenue_retention.outputs._document import Document, Section

if TYPE_CHECKING:  # Plotly is loaded by the commands that draw, not by every one.
    from revenue_retention.outputs._charts import Chart

__all__ = [
    "arr_document",
    "arr_words",
    "chart_in_unit",
    "mrr_name",
    "unit_document",
    "unit_label",
    "unit_name",
    "unit_words",
]


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


def mrr_name(name: str) -> str:
    """The MRR name of a field named in ARR (``unit_name``'s inverse); others as they are.

    >>> mrr_name("closing_arr"), mrr_name("arr"), mrr_name("quick_ratio")
    ('closing_mrr', 'mrr', 'quick_ratio')
    """
    return "mrr" if name == "arr" else name.replace("_arr", "_mrr")


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


#: A label of the terminal views: the word MRR standing alone (``starting MRR``, ``MRR``),
#: but not in ``MRR x 12`` (what ARR is) nor in a churn rate's name (a rate of any unit).
_MRR_WORD = re.compile(r"(?<![A-Za-z0-9_])MRR(?![A-Za-z0-9_])(?! x 12)(?! churn)")


def arr_words(text: str) -> str:
    """``text`` of an amount's label said in ARR.

    >>> arr_words("Opening MRR (USD)"), arr_words("ARR (MRR x 12)"), arr_words("Net MRR churn")
    ('Opening ARR (USD)', 'ARR (MRR x 12)', 'Net MRR churn')
    """
    return _MRR_WORD.sub("ARR", text)


def unit_words(text: str, unit: str) -> str:
    """``text`` said in ``unit``: as it is in MRR, ``arr_words`` in ARR."""
    return arr_words(text) if unit == "arr" else text


def _relabel(value: Any) -> Any:
    if isinstance(value, str):
        return arr_words(value)
    if isinstance(value, dict):
        # customdata holds exact amounts and ids, never a label.
        return {k: v if k == "customdata" else _relabel(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_relabel(v) for v in value)
    return value


def chart_in_unit(chart: Chart, unit: str) -> Chart:
    """``chart`` of a result already in ARR, its words saying ARR where they said MRR.

    The figure's texts (titles, axis titles, trace names, hover templates, categories
    such as ``Opening MRR``), the chart's title, caption and table are relabelled; the
    numbers are the result's, already scaled. In MRR the chart is returned as it is.
    """
    if unit != "arr":
        return chart
    import plotly.graph_objects as go

    figure = go.Figure(_relabel(chart.figure.to_dict()))
    return dataclasses.replace(
        chart,
        title=arr_words(chart.title),
        caption=arr_words(chart.caption),
        figure=figure,
        columns=tuple(arr_words(c) for c in chart.columns),
        rows=tuple(tuple(arr_words(c) for c in row) for row in chart.rows),
    )


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
        console.file.write(arr_words(captured.get()))
        console.print(
            Text("unit: ARR = MRR x 12, every amount; rates unchanged", style="dim"),
        )

    return dataclasses.replace(renamed, render=render)
