"""The main job: the bridge and retention of a dataset, computed once into a frozen result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute

from revenue_retention.analyses._result import Result
from revenue_retention.analyses.churn_reasons import churn_by_reason, reason_column
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.errors import OptionError
from revenue_retention.metrics import DEFAULT_WINDOWS, bridge, retention
from revenue_retention.metrics.flows import (
    bridge_from_flows,
    month_flows,
    paying_rows,
    retention_from_flows,
)
from revenue_retention.metrics.fx import constant_currency_retention, fx_bridge
from revenue_retention.metrics.groups import DEFAULT_SIZE_BANDS, check_groups
from revenue_retention.metrics.methods import method_retention, parse_method
from revenue_retention.periods import parse_windows

__all__ = ["METHOD", "MetricsResult", "compute_metrics"]

#: The default retention method (METRICS.md §3); the others (§4) are labelled by name.
METHOD = "cohort"


@dataclass(frozen=True, repr=False)
class MetricsResult(Result):
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
    #: With several currencies: which basis each table uses and the reporting currency;
    #: ``retention`` is then at constant currency and ``retention_spot`` at spot rates
    #: with its ``fx_effect``; the bridge has an ``fx`` line (docs/metrics.md).
    currency: dict[str, Any] | None = None
    retention_spot: pa.Table | None = None
    #: ``mrr``, or ``arr`` for the ARR view (every amount x 12, ``analyses.units``).
    unit: str = "mrr"
    #: The churn of each bridge month by reason (voluntary, involuntary, paused,
    #: unexplained) when the input has a status or reason column, and that column.
    churn_reasons: pa.Table | None = None
    churn_reason_column: str | None = None


def compute_metrics(
    data: Dataset,
    *,
    window_months: int | Sequence[int] = DEFAULT_WINDOWS,
    method: str = METHOD,
    by: Sequence[str] = (),
    size_bands: Sequence[Decimal] = DEFAULT_SIZE_BANDS,
    churn_reason: str | None = None,
) -> MetricsResult:
    """Run the bridge and the retention of ``data`` by one method on its engine.

    Parameters
    ----------
    data
        A dataset from ``load``.
    window_months
        Window lengths in months (one, or several).
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
    churn_reason
        The attribute column that says why a customer left (a status or a cancellation
        reason); by default the first attribute named ``churn_reason``,
        ``cancellation_reason``, ``cancel_reason``, ``subscription_status`` or ``status``
        (``analyses.churn_reasons``). With one, ``churn_reasons`` splits each month's churn
        into voluntary, involuntary, paused and unexplained.

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
    windows = parse_windows(window_months)
    method = parse_method(method)
    by = check_groups(by, data.attributes)
    if by and method != METHOD:
        raise OptionError("by", ",".join(by), f"applies to the cohort method, not {method}")
    run = data.con.to_pyarrow
    if data.fx is not None and data.fx.active and method == METHOD and not by:
        return _across_currencies(data, windows)
    spot = None
    if data.fx is not None and data.fx.active:
        # Other methods and breakdowns read the canonical table: spot figures, said so.
        spot = data.fx.describe() | {
            "retention_basis": "spot",
            "basis": {
                "retention": "spot: each month at its own rates (exchange-rate moves count as "
                "expansion or contraction)",
                "bridge": "spot: each month at its own rates",
            },
        }
    reason = reason_column(data, churn_reason)
    # The bridge and cohort retention read the same monthly totals: one pass over the rows.
    flows = ibis.memtable(run(month_flows(paying_rows(data), data.months, windows)))
    return MetricsResult(
        churn_reasons=run(churn_by_reason(data, reason)) if reason is not None else None,
        churn_reason_column=reason,
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
        currency=spot,
    )


#: How the figures of a result across currencies are converted (docs/metrics.md).
CURRENCY_BASES = {
    "retention": "constant currency: both ends of each window at the rates of its first month",
    "retention_spot": "spot: each month at its own rates; fx_effect = ending_mrr at spot "
    "minus ending_mrr at constant currency",
    "bridge": "balances at spot; movements at the opening month's rates; fx = the rest",
}


def _across_currencies(data: Dataset, windows: Sequence[int]) -> MetricsResult:
    """Constant-currency retention by default, spot figures beside it, FX as a bridge line."""
    assert data.fx is not None
    run = data.con.to_pyarrow
    constant = run(constant_currency_retention(data, windows))
    spot = run(retention(data, windows=windows))
    # Both tables have one row per (as-of, window) in the same order: the FX effect is the
    # difference of their ending MRR, exact.
    effect = [
        None if s is None or c is None else s - c
        for s, c in zip(
            spot["ending_mrr"].to_pylist(), constant["ending_mrr"].to_pylist(), strict=True
        )
    ]
    spot = spot.append_column("fx_effect", pa.array(effect, spot.schema.field("ending_mrr").type))
    return MetricsResult(
        input=data.report,
        windows=tuple(windows),
        method=METHOD,
        bridge=run(fx_bridge(data)),
        retention=constant,
        currency=data.fx.describe()
        | {"retention_basis": "constant", "basis": dict(CURRENCY_BASES)},
        retention_spot=spot,
    )
