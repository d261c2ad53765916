"""The monthly MRR bridge: new, reactivation, expansion, contraction, churn (METRICS.md §2)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical import Dataset
from revenue_retention.metrics._common import month_spine, paying, resolve
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = ["MOVEMENTS", "bridge"]

#: The movements of the bridge, in the order they are reported.
MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churn")


def bridge(data: Dataset | ir.Table, months: MonthRange | None = None) -> ir.Table:
    """One row per month after the first: opening MRR, each movement, closing MRR.

    For customer c with a = mrr(c, M-1) and b = mrr(c, M): new (a = 0, b > 0, never paid
    before), reactivation (a = 0, b > 0, paid before), expansion (b > a > 0, b - a),
    contraction (0 < b < a, a - b), churn (a > 0 = b, a). The first month is the opening
    balance and has no row. Exact: closing = opening + new + reactivation + expansion
    - contraction - churn, to the cent.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table (``customer_id``,
        ``month_index``, ``mrr``) together with ``months``.
    months
        The months analysed (default: the dataset's); rows outside are ignored.

    Returns
    -------
    ibis.expr.types.Table
        ``month_index, period, opening_mrr, new, reactivation, expansion, contraction,
        churn, closing_mrr``, ordered by period.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan, feb = month_index(2024, 1), month_index(2024, 2)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "a", "b"], "month_index": [jan, feb, feb],
    ...                             "mrr": [100, 150, 40]})).cast({"mrr": "decimal(38, 6)"})
    >>> row = bridge(t, MonthRange(jan, feb)).to_pyarrow().to_pylist()[0]
    >>> row["opening_mrr"], row["new"], row["expansion"], row["closing_mrr"]
    (Decimal('100.000000'), Decimal('40.000000'), Decimal('50.000000'), Decimal('190.000000'))
    """
    table, months = resolve(data, months)
    rows = paying(table)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    # Each paying row looks at the customer's previous and next paying month: one sort
    # per customer, instead of joining every month to the one before.
    by_customer = ibis.window(group_by="customer_id", order_by="month_index")
    steps = rows.mutate(
        prev_month=rows.month_index.lag().over(by_customer),
        prev_mrr=rows.mrr.lag().over(by_customer),
        next_month=rows.month_index.lead().over(by_customer),
    )
    continuing = (steps.prev_month == steps.month_index - 1).fill_null(False)
    change = (steps.mrr - steps.prev_mrr).cast(MONEY)
    arrivals = steps.select(
        month_index=steps.month_index,
        new=ibis.ifelse(steps.prev_month.isnull(), steps.mrr, zero()),
        reactivation=ibis.ifelse(steps.prev_month.notnull() & ~continuing, steps.mrr, zero()),
        expansion=ibis.ifelse(continuing & (change > 0), change, zero()),
        contraction=ibis.ifelse(continuing & (change < 0), -change, zero()),
        churn=zero(),
    )
    # A paying month not followed by a paying month is a churn in the month after it.
    gone = steps.next_month.isnull() | (steps.next_month > steps.month_index + 1)
    departures = steps.filter(gone).select(
        month_index=steps.month_index + 1,
        new=zero(),
        reactivation=zero(),
        expansion=zero(),
        contraction=zero(),
        churn=steps.mrr,
    )
    moves = arrivals.union(departures)
    moves = moves.filter(moves.month_index.between(months.first + 1, months.last))
    movements = moves.group_by("month_index").agg(
        **{name: moves[name].sum().cast(MONEY) for name in MOVEMENTS}
    )
    totals = rows.group_by("month_index").agg(total=rows.mrr.sum().cast(MONEY))
    closing = totals.select(c_month=totals.month_index, closing_mrr=totals.total)
    opening = totals.select(o_month=totals.month_index + 1, opening_mrr=totals.total)

    spine = month_spine(range(months.first + 1, months.last + 1))
    joined = (
        spine.left_join(movements, spine.month_index == movements.month_index)
        .left_join(opening, spine.month_index == opening.o_month)
        .left_join(closing, spine.month_index == closing.c_month)
    )
    return joined.select(
        month_index=joined.month_index,
        period=joined.period,
        opening_mrr=joined.opening_mrr.fill_null(zero()),
        **{name: joined[name].fill_null(zero()) for name in MOVEMENTS},
        closing_mrr=joined.closing_mrr.fill_null(zero()),
    ).order_by("month_index")
