"""The snapshot convention (METRICS.md §1): which months a dated span counts in."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.periods import month_index_of

__all__ = ["snapshot_months"]


def snapshot_months(
    start: ir.DateValue, end: ir.DateValue, snapshot: Snapshot
) -> tuple[ir.IntegerValue, ir.IntegerValue]:
    """The first month whose snapshot day is on or after ``start``, and the same of ``end``.

    A span [start, end) counts in the months from the first up to, not including, the
    second. With the last-day snapshot those are month(start) .. month(end) - 1; with the
    first-day snapshot, the months whose first day lies in [start, end).

    Defines: snapshot convention, active at the last or first day of the month
    (METRICS.md §1).
    """
    start_m = month_index_of(start)
    end_m = month_index_of(end)
    if snapshot == "first":
        start_m = start_m + ibis.ifelse(start.day() > 1, 1, 0)
        end_m = end_m + ibis.ifelse(end.day() > 1, 1, 0)
    return start_m, end_m
