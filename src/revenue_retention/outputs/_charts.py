"""What every chart shares: the ``Chart`` bundle, the Okabe-Ito palette, layout and formats.

Charts draw money at float coordinates (a bar's height needs no exactness) but always carry
the exact amount as a string in ``customdata``, which is what the hover shows and what a
program reading the figure should compare.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import plotly.graph_objects as go

from revenue_retention.money import display_money, format_money

__all__ = [
    "FONT",
    "LEGEND",
    "NEUTRAL",
    "OKABE_ITO",
    "PALETTE",
    "RATE_COLORS",
    "Chart",
    "coordinate",
    "exact",
    "figure",
    "label",
    "money_cell",
    "money_label",
    "rate_cell",
    "rows_of",
]

#: The colour-blind safe palette of Okabe and Ito (2008), the only data colours used.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: The order traces take colours in when a chart does not name one (black last: it reads
#: as an axis or a reference line).
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "yellow",
        "black",
    )
)
#: One colour per rate, the same in every chart.
RATE_COLORS: dict[str, str] = {
    "grr": OKABE_ITO["blue"],
    "nrr": OKABE_ITO["orange"],
    "logo_retention": OKABE_ITO["bluish_green"],
}
#: Not a data colour: backgrounds, grid lines and the middle of diverging scales.
NEUTRAL: dict[str, str] = {"white": "#FFFFFF", "grid": "#E5E5E5", "text": "#222222"}
#: System fonts only: a font from the web would be a network request.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

#: The legend's place: the top left corner of the figure, laid out horizontally.
LEGEND: dict[str, Any] = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "yref": "container",
    "y": 1,
    "yanchor": "top",
}

_TEMPLATE = go.layout.Template(
    layout={
        "colorway": list(PALETTE),
        "font": {"family": FONT, "size": 13, "color": NEUTRAL["text"]},
        "paper_bgcolor": NEUTRAL["white"],
        "plot_bgcolor": NEUTRAL["white"],
        "hoverlabel": {"font": {"family": FONT}},
        "xaxis": {"gridcolor": NEUTRAL["grid"], "zeroline": False, "automargin": True},
        "yaxis": {"gridcolor": NEUTRAL["grid"], "zeroline": False, "automargin": True},
    }
)


@dataclass(frozen=True)
class Chart:
    """One chart of the report: the figure, its words, and its key figures as a table.

    ``rows`` are display strings (money exact with thousands separators, rates as
    ``86.0%``): the text alternative of the figure, for screen readers and for anyone
    who wants the numbers rather than the picture.
    """

    #: The HTML id of the chart, kebab-case and unique in the report (``bridge-month``).
    id: str
    title: str
    #: One line on how to read it.
    caption: str
    figure: go.Figure
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: The narrowest the plot is drawn, in CSS pixels (0: any width); a narrower screen
    #: scrolls it sideways rather than squeezing cells too small to read.
    min_width: int = 0


def figure(height: int = 420, **layout: Any) -> go.Figure:
    """An empty figure with the shared look: sized by its container, legend on top.

    No width is set (the page makes the plot as wide as the screen); the legend lies
    horizontally at the top of the figure, where it wraps on a phone instead of taking its
    width, above anything drawn over the plot area (panel titles, buttons).
    """
    fig = go.Figure()
    fig.update_layout(
        template=_TEMPLATE,
        autosize=True,
        height=height,
        legend=LEGEND,
        hovermode="closest",
        **({"margin": {"l": 10, "r": 10, "t": 50, "b": 10}} | layout),
    )
    return fig


def label(text: object) -> str:
    """Text from the data (a group, a customer id) made safe for Plotly's HTML-like labels."""
    return html.escape("(none)" if text is None else str(text))


def exact(value: Decimal | None) -> str | None:
    """An amount as the exact string of the JSON output (``1200.00``, ``83.333333``)."""
    return format_money(value)


def coordinate(value: Decimal | float | None) -> float | None:
    """A number as a chart coordinate: floats are for drawing only, never for the figures."""
    return None if value is None else float(value)


def money_cell(value: Decimal | None) -> str:
    """An amount for a table cell: exact, with thousands separators."""
    return display_money(value)


def money_label(value: Decimal) -> str:
    """An amount as a label on a chart, to the cent (``83.333333`` is ``83.33``).

    A spread invoice line gives MRR six places, too many to read on a bar; the chart's
    table keeps every place (``money_cell``).
    """
    return display_money(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def rate_cell(value: float | None) -> str:
    """A rate for a table cell, to a tenth of a point (``86.0%``), ``-`` when undefined."""
    return "-" if value is None else f"{value:.1%}"


def rows_of(*rows: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Table rows as the immutable tuples ``Chart`` holds."""
    return tuple(tuple(row) for row in rows)
