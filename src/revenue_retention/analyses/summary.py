"""The main job: the bridge and retention of a dataset, computed once into a frozen result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import ibis
import pyarrow as pa
import pyarrow.compute

from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.errors import OptionError
from revenue_retention.metrics import DEFAULT_WINDOWS, bridge, retention
from revenue_retention.metrics.flows import (
    bridge_from_flows,
    month_flows,
    paying_rows,
    retention_from_flows,
)
from revenue_retention.metrics.groups import DEFAULT_SIZE_BANDS, check_groups
from revenue_retention.metrics.methods import method_retention, parse_method
from revenue_retention.periods import parse_windows

__all__ = ["METHOD", "MetricsResult", "compute_metrics"]

#: The default retention method (METRICS.md §3); the others (§4) are labelled by name.
METHOD = "cohort"


@dataclass(frozen=True)
class MetricsResult:
    """Executed bridge and retention tables of one dataset, with its input report."""

    input: InputReport
    windows: tuple[int, ...]
    method: str
    bridge: pa.Table
    retention: pa.Table
    #: Attributes the figures are also broken down by (``--by``), and those breakdowns.
    by: tuple[str, ...] = ()
    bridge_by: pa.Table | None = None
    retention_by: pa.Table | None = None


def compute_metrics(
    data: Dataset,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    method: str = METHOD,
    by: Sequence[str] = (),
    size_bands: Sequence[Decimal] = DEFAULT_SIZE_BANDS,
) -> MetricsResult:
    """Run the bridge and the retention of ``data`` by one method on its engine.

    Parameters
    ----------
    data
        A dataset from ``load``.
    windows
        Window lengths in months.
    method
        The retention method (METRICS.md §3-4): ``cohort`` (default), ``movement``,
        ``compounded``, ``compounded_chain``, ``trailing`` or ``averaged``; the result and
        every output row carry its name.
    by
        Attribute columns (or ``size_band``) to break the bridge and retention down by: a
        customer counts in the group it had at the start of each window, and the bridge
        moves MRR between groups with ``transfer_in`` / ``transfer_out`` (cohort method).
    size_bands
        Lower edges of the starting-MRR bands of ``size_band``.

    Returns
    -------
    MetricsResult
        Small Arrow tables: one bridge row per month after the first, one retention row
        per (as-of month, window).

    Raises
    ------
    OptionError
        The method is unknown or a window is out of range.
    """
    windows = parse_windows(windows)
    method = parse_method(method)
    by = check_groups(by, data.attributes)
    if by and method != METHOD:
        raise OptionError("--by", ",".join(by), f"applies to the cohort method, not {method}")
    run = data.con.to_pyarrow
    # The bridge and cohort retention read the same monthly totals: one pass over the rows,
    # first assuming one row per customer-month (the cheap shape), again if that was wrong.
    rows, _ = paying_rows(data)
    found = run(month_flows(rows, data.months, windows, line_items=False))
    if pa.compute.sum(found["repeated"]).as_py():
        found = run(month_flows(rows, data.months, windows, line_items=True))
    flows = ibis.memtable(found)
    return MetricsResult(
        input=data.report,
        windows=windows,
        method=method,
        bridge=run(bridge_from_flows(flows, data.months)),
        retention=run(
            retention_from_flows(flows, data.months, windows)
            if method == METHOD
            else method_retention(data, method, windows=windows)
        ),
        by=by,
        bridge_by=run(bridge(data, by=by, size_bands=size_bands)) if by else None,
        retention_by=(
            run(retention(data, windows=windows, by=by, size_bands=size_bands)) if by else None
        ),
    )
