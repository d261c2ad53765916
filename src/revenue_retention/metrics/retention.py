"""Retention over a window by the cohort (point-in-time) method (METRICS.md §3)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical import Dataset
from revenue_retention.metrics._common import month_spine, month_start_of, paying, resolve
from revenue_retention.metrics.flows import month_flows, paying_rows, retention_from_flows
from revenue_retention.metrics.groups import DEFAULT_SIZE_BANDS, with_groups
from revenue_retention.metrics.spec import (
    RETENTION_COLUMNS,
    RETENTION_COUNTS,
    RETENTION_MONEY,
    window_spine,
    window_totals,
    with_rates,
)
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = ["DEFAULT_WINDOWS", "cohort_pairs", "retention", "retention_of_pairs"]

DEFAULT_WINDOWS = (1, 3, 12)


def cohort_pairs(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    by: Sequence[str] = (),
    size_bands: Sequence[Decimal] = DEFAULT_SIZE_BANDS,
) -> ir.Table:
    """Per window, as-of month and customer of the cohort: start MRR ``a`` and end MRR ``b``.

    The cohort of a window of k months ending at M is every customer paying at M - k;
    customers acquired inside the window are not in it (§3). Each paying row is used
    twice, as a start (shifted k months later) and as an end, and the two are grouped
    on (customer, as-of): a hash aggregation instead of a self-join. Attributes named in
    ``by`` are taken from the start row, so a customer stays in the group it had at the
    start of the window (§3); ``size_band`` is the band of the starting MRR.

    Defines: the cohort C of a window, customers paying at M - k (METRICS.md §3).
    Defines: a customer who left and came back inside the window counts with its MRR at M
    (METRICS.md §3).
    Defines: attribute breakdowns, a customer's group at the start of the window (METRICS.md §3).
    """
    table, months = resolve(data, months)
    rows = with_groups(paying(table, by), by, size_bands)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    no_group = {name: ibis.null("string") for name in by}
    parts = []
    for k in windows:
        window = ibis.literal(k, "int64")
        start = rows.select(
            "customer_id",
            *by,
            window_months=window,
            as_of=rows.month_index + k,
            a=rows.mrr,
            b=zero(),
        )
        end = rows.select(
            "customer_id",
            **no_group,
            window_months=window,
            as_of=rows.month_index,
            a=zero(),
            b=rows.mrr,
        )
        parts += [
            start.filter(start.as_of <= months.last),
            end.filter(end.as_of >= months.first + k),
        ]
    both = ibis.union(*parts)
    pairs = both.group_by("window_months", "as_of", "customer_id").agg(
        a=both.a.sum().cast(MONEY),
        b=both.b.sum().cast(MONEY),
        # Only the start row carries the group; max() skips the end row's nulls.
        **{name: both[name].max() for name in by},
    )
    return pairs.filter(pairs.a > 0)


def _summarise(pairs: ir.Table, keys: Sequence[str]) -> ir.Table:
    totals = window_totals(pairs, pairs.a, pairs.b)
    return pairs.group_by(*keys).agg(
        **{
            name: value.cast(MONEY) if name in RETENTION_MONEY else value
            for name, value in totals.items()
        }
    )


def retention(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    by: Sequence[str] = (),
    size_bands: Sequence[Decimal] = DEFAULT_SIZE_BANDS,
) -> ir.Table:
    """Cohort-method GRR, NRR and logo retention for every month with a full window.

    For the cohort C of customers paying at M - k, with a = mrr(c, M - k), b = mrr(c, M):
    S = sum a; churn = sum a where b = 0; contraction = sum (a - b) where 0 < b < a;
    expansion = sum (b - a) where b > a; E = sum b; GRR = (S - churn - contraction) / S;
    NRR = E / S; logo retention = |{b > 0}| / |C|. A customer who left and came back
    inside the window counts with its MRR at M. S = 0 gives null rates.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table together with ``months``.
    months
        The months analysed (default: the dataset's).
    windows
        Window lengths in months.
    by
        Attribute columns (or ``size_band``) to break the figures down by; each customer
        counts in the group it had at the start of the window (§3). Without ``by`` every
        month with a full window has a row; with it, every group present in that cohort.
    size_bands
        Lower edges of the starting-MRR bands used by ``size_band``.

    Returns
    -------
    ibis.expr.types.Table
        ``as_of_index, as_of, window_months, [by ...], customers, retained_customers,
        starting_mrr, churn, contraction, expansion, ending_mrr, grr, nrr, logo_retention``,
        ordered by as-of, window, then group.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan, feb = month_index(2024, 1), month_index(2024, 2)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "b", "a", "c"],
    ...                             "month_index": [jan, jan, feb, feb],
    ...                             "mrr": [100, 50, 120, 999]})).cast({"mrr": "decimal(38, 6)"})
    >>> row = retention(t, MonthRange(jan, feb), [1]).to_pyarrow().to_pylist()[0]
    >>> row["grr"], row["nrr"], row["logo_retention"]
    (0.6666666666666666, 0.8, 0.5)
    """
    table, months = resolve(data, months)
    if not by:
        flows = month_flows(paying_rows(data), months, windows)
        return retention_from_flows(flows, months, windows)
    pairs = cohort_pairs(table, months, windows, by, size_bands)
    result = with_rates(_summarise(pairs, ["window_months", "as_of", *by]))
    return result.select(
        as_of_index=result.as_of,
        as_of=month_start_of(result.as_of),
        window_months=result.window_months,
        **{name: result[name] for name in by},
        **{name: result[name] for name in RETENTION_COLUMNS},
    ).order_by("as_of_index", "window_months", *by)


def retention_of_pairs(pairs: ir.Table, months: MonthRange, windows: Sequence[int]) -> ir.Table:
    """The rows of ``retention()`` from cohort pairs (``window_months, as_of, a, b``).

    Every month with a full window gets a row, empty cohorts included (null rates).
    """
    per_month = _summarise(pairs, ["window_months", "as_of"])
    as_of, window = window_spine(months, windows)
    spine = month_spine(as_of, {"window_months": window})
    joined = spine.left_join(
        per_month,
        (spine.month_index == per_month.as_of) & (spine.window_months == per_month.window_months),
    )
    result = with_rates(
        joined.select(
            "month_index",
            "period",
            window_months=joined.window_months,
            **{name: joined[name] for name in (*RETENTION_COUNTS, *RETENTION_MONEY)},
        )
    )
    return result.select(
        as_of_index=result.month_index,
        as_of=result.period,
        window_months=result.window_months,
        **{name: result[name] for name in RETENTION_COLUMNS},
    ).order_by("as_of_index", "window_months")
