"""The long layout: a row per customer and month (``customer_id, month, mrr``), line items
allowed (summed into their customer-month, METRICS.md §1)."""

from __future__ import annotations

from revenue_retention.canonical.layouts.base import RowsLayout

__all__ = ["Long"]


class Long(RowsLayout):
    """Rows are customer-months as they are: summed in one scan of the source."""

    name = "long"
