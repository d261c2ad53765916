"""Retention and the bridge across currencies: constant currency, and the FX effect at spot.

With several currencies (``Dataset.fx``) the canonical ``mrr`` is at **spot** rates: each
month's local amounts at that month's rates. A move of the exchange rate then shows as
expansion or contraction. The **constant-currency** figures remove it (docs/metrics.md,
"Several currencies"):

- retention over a window of k months ending at M converts both ends at the rates of
  the window's start M - k: a = spot MRR at M - k (its own rates), b = the local MRR at M
  converted at the rates of M - k; the FX effect is ending MRR at spot minus ending MRR
  at constant currency;
- the bridge keeps its opening and closing balances at spot and counts every movement
  at the opening month's rates (M - 1), so the FX effect is its own line:
  closing = opening + new + reactivation + expansion - contraction - churn + fx.

A currency with no rate yet at the window's start is converted at the end month's rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical import Dataset
from revenue_retention.canonical.fx import Fx, convert
from revenue_retention.errors import OptionError
from revenue_retention.metrics._common import month_spine, paying
from revenue_retention.metrics.retention import DEFAULT_WINDOWS, retention_of_pairs
from revenue_retention.metrics.spec import MOVEMENTS, step_parts
from revenue_retention.money import MONEY, zero

__all__ = ["constant_currency_retention", "fx_bridge"]


def _fx(data: Dataset) -> Fx:
    if data.fx is None:
        raise OptionError("currency", None, "constant currency needs a dataset with currencies")
    return data.fx


def _restated(data: Dataset, shift: int) -> ir.Table:
    """Per customer and month M: local amounts converted at the rates of M - shift."""
    fx = _fx(data)
    lines, rates = fx.lines, fx.rates
    earlier = rates.select(
        e_currency="currency", e_month=rates.month_index + shift, then_rate="rate"
    )
    own = rates.select(o_currency="currency", o_month="month_index", own_rate="rate")
    joined = lines.left_join(
        earlier, (lines.currency == earlier.e_currency) & (lines.month_index == earlier.e_month)
    ).select(*lines.columns, "then_rate")
    joined = joined.left_join(
        own, (joined.currency == own.o_currency) & (joined.month_index == own.o_month)
    ).select(*joined.columns, "own_rate")
    rate = ibis.coalesce(joined.then_rate, joined.own_rate)
    return joined.group_by("customer_id", "month_index").agg(
        restated=convert(joined.local, rate).sum().cast(MONEY)
    )


def constant_currency_retention(
    data: Dataset, windows: Sequence[int] = DEFAULT_WINDOWS
) -> ir.Table:
    """Cohort-method retention with both ends of each window at the start month's rates.

    Same columns as ``retention()``. With every rate equal to 1 (or constant over time)
    it equals the single-currency figures exactly.

    Parameters
    ----------
    data
        A loaded ``Dataset`` with several currencies (``data.fx``).
    windows
        Window lengths in months.

    Returns
    -------
    ibis.expr.types.Table
        The columns of ``retention()``, ``ending_mrr`` and the movements at constant currency.
    """
    months = data.months
    rows = paying(data.table)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    parts = []
    for k in windows:
        window = ibis.literal(k, "int64")
        start = rows.select(
            "customer_id", window_months=window, as_of=rows.month_index + k, a=rows.mrr, b=zero()
        )
        ends = _restated(data, k)
        ends = ends.filter(ends.month_index.between(months.first + k, months.last))
        end = ends.select(
            "customer_id", window_months=window, as_of=ends.month_index, a=zero(), b=ends.restated
        )
        parts += [start.filter(start.as_of <= months.last), end]
    both = ibis.union(*parts)
    pairs = both.group_by("window_months", "as_of", "customer_id").agg(
        a=both.a.sum().cast(MONEY), b=both.b.sum().cast(MONEY)
    )
    return retention_of_pairs(pairs.filter(pairs.a > 0), months, windows)


def fx_bridge(data: Dataset) -> ir.Table:
    """The monthly bridge with movements at the opening month's rates and an ``fx`` line.

    Columns of ``bridge()`` plus ``fx`` (before ``closing_mrr``); balances at spot.
    """
    months = data.months
    rows = paying(data.table)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    restated = _restated(data, 1)
    rows = rows.left_join(restated, ["customer_id", "month_index"])
    rows = rows.select(
        "customer_id", "month_index", "mrr", at_opening=rows.restated.fill_null(rows.mrr)
    )
    by_customer = ibis.window(group_by="customer_id", order_by="month_index")
    steps = rows.mutate(
        prev_month=rows.month_index.lag().over(by_customer),
        prev_mrr=rows.mrr.lag().over(by_customer),
        next_month=rows.month_index.lead().over(by_customer),
    )
    continuing = (steps.prev_month == steps.month_index - 1).fill_null(False)
    # §2 at the opening month's rates: b is this month's MRR restated at them. (A paying
    # month restated to 0 is a churn here, the departures below are the other churns.)
    parts = step_parts(
        ibis.ifelse(continuing, steps.prev_mrr, zero()),
        steps.at_opening,
        first=steps.prev_month.isnull(),
    )
    flows = (*MOVEMENTS, "fx")
    balances = ("opening_mrr", "closing_mrr")

    def moves(source: ir.Table, month: ir.Value, **amounts: ir.Value) -> ir.Table:
        values = {name: amounts.get(name, zero()) for name in (*flows, *balances)}
        return source.select(month_index=month, **values)

    arrivals = moves(
        steps,
        steps.month_index,
        **{
            name: ibis.ifelse(part.when, part.amount.cast(MONEY), zero())
            for name, part in parts.items()
        },
        fx=(steps.mrr - steps.at_opening).cast(MONEY),
        closing_mrr=steps.mrr,
    )
    gone = steps.next_month.isnull() | (steps.next_month > steps.month_index + 1)
    departing = steps.filter(gone)
    departures = moves(departing, departing.month_index + 1, churn=departing.mrr)
    opening = moves(rows, rows.month_index + 1, opening_mrr=rows.mrr)
    union = ibis.union(arrivals, departures, opening)
    union = union.filter(union.month_index.between(months.first + 1, months.last))
    summed = union.group_by("month_index").agg(
        **{name: union[name].sum().cast(MONEY) for name in (*flows, *balances)}
    )
    spine = month_spine(range(months.first + 1, months.last + 1))
    joined = spine.left_join(summed, spine.month_index == summed.month_index)
    return joined.select(
        month_index=joined.month_index,
        period=joined.period,
        opening_mrr=joined.opening_mrr.fill_null(zero()),
        **{name: joined[name].fill_null(zero()) for name in flows},
        closing_mrr=joined.closing_mrr.fill_null(zero()),
    ).order_by("month_index")
