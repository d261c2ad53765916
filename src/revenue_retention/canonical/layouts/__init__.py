"""One module per input layout, behind one protocol (``Layout``).

Every difference between the layouts (``long``, ``wide``, ``periods``, ``invoices``) is a
method or an attribute of its ``Layout``: the rest of ``canonical`` asks the layout of a
column map (``layout_of``) instead of branching on its name.
"""

from __future__ import annotations

from revenue_retention.canonical.layouts.base import Layout
from revenue_retention.canonical.layouts.invoices import Invoices
from revenue_retention.canonical.layouts.long import Long
from revenue_retention.canonical.layouts.periods import Periods
from revenue_retention.canonical.layouts.wide import Wide

__all__ = ["LAYOUTS", "Layout", "layout_of"]

#: The layout of each name a column map gives (``ColumnMap.layout``).
LAYOUTS: dict[str, Layout] = {
    layout.name: layout for layout in (Long(), Wide(), Periods(), Invoices())
}


def layout_of(name: str) -> Layout:
    """The layout named ``name`` (``ColumnMap.layout``)."""
    return LAYOUTS[name]
