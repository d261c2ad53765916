"""The main job: the bridge and retention of a dataset, computed once into a frozen result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.metrics import DEFAULT_WINDOWS, bridge, retention
from revenue_retention.periods import parse_windows

__all__ = ["METHOD", "MetricsResult", "compute_metrics"]

#: The retention method of these results (METRICS.md §3); other methods are labelled apart.
METHOD = "cohort"


@dataclass(frozen=True)
class MetricsResult:
    """Executed bridge and retention tables of one dataset, with its input report."""

    input: InputReport
    windows: tuple[int, ...]
    method: str
    bridge: pa.Table
    retention: pa.Table


def compute_metrics(data: Dataset, windows: Sequence[int] = DEFAULT_WINDOWS) -> MetricsResult:
    """Run the bridge and the cohort-method retention of ``data`` on its engine.

    Parameters
    ----------
    data
        A dataset from ``load``.
    windows
        Window lengths in months.

    Returns
    -------
    MetricsResult
        Small Arrow tables: one bridge row per month after the first, one retention row
        per (as-of month, window).
    """
    windows = parse_windows(windows)
    return MetricsResult(
        input=data.report,
        windows=windows,
        method=METHOD,
        bridge=data.con.to_pyarrow(bridge(data)),
        retention=data.con.to_pyarrow(retention(data, windows=windows)),
    )
