"""Every monthly total of the bridge and of cohort retention in one pass (METRICS.md §2-3).

The shape that makes large inputs cheap: each paying row looks, within its customer's
months, at the MRR of the month before, the month after and the month ``k`` later
(window frames ``RANGE k FOLLOWING``), so one sort per customer replaces the self-joins
(or the customer-month pair aggregation) of the textbook query, and everything after it
is a sum per month: a result of one row per month. Line items need no prior grouping:
``RANGE`` frames sum every row of a month, and only the first row of each customer-month
is counted. The bridge and retention tables are then read off these monthly totals.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.canonical import Dataset
from revenue_retention.metrics._common import month_spine, month_start_of, rate
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = ["bridge_from_flows", "month_flows", "paying_rows", "retention_from_flows"]

_COUNTS = ("customers", "retained", "repeated")
BRIDGE_FLOWS = ("new", "reactivation", "expansion", "contraction")
WINDOW_TOTALS = (
    "customers",
    "retained_customers",
    "starting_mrr",
    "churn",
    "contraction",
    "expansion",
    "ending_mrr",
)


def paying_rows(data: Dataset | ir.Table) -> tuple[ir.Table, bool]:
    """The cheapest rows to scan, and whether they may hold several rows per customer-month.

    Line items if the dataset keeps its rows lazily (they may repeat a customer-month),
    else the canonical table (one row per customer-month).
    """
    if isinstance(data, Dataset) and data.rows is not None:
        return data.rows, True
    return (data.table if isinstance(data, Dataset) else data), False


def month_flows(
    rows: ir.Table, months: MonthRange, windows: Sequence[int] = (), line_items: bool = True
) -> ir.Table:
    """One row per month of ``months`` with the sums the bridge and retention are made of.

    For month m and each customer paying then, with a = its MRR at m: ``closing`` (sum a),
    ``new``, ``reactivation``, ``expansion``, ``contraction`` (its movement from m - 1),
    ``leaving`` (sum a of customers not paying at m + 1: churn of month m + 1), and per
    window k, the cohort starting at m: ``customers_k``, ``retained_customers_k``,
    ``starting_mrr_k``, ``churn_k``, ``contraction_k``, ``expansion_k``, ``ending_mrr_k``.
    With ``line_items``, rows may repeat a customer and month and their amounts add up
    (``RANGE`` frames of the month itself and its neighbours). Without, each row is a whole
    customer-month, and the neighbours are the previous and next rows (``lag``, ``lead``:
    far cheaper than range frames); the result's ``repeated`` column then counts rows that
    share their customer-month with the row before, so that a caller who only assumed
    one row per customer-month can tell it was wrong and ask again with ``line_items``.
    """
    paying = rows.filter((rows.mrr > 0) & rows.month_index.between(months.first, months.last))
    paying = paying.select("customer_id", "month_index", "mrr")

    def at(offset: int) -> ir.DecimalValue:
        frame = ibis.window(group_by="customer_id", order_by="month_index", range=(offset, offset))
        return paying.mrr.sum().over(frame)

    in_order = ibis.window(group_by="customer_id", order_by="month_index")
    # The partition's first month, over the same sort as everything else.
    first_month = paying.month_index.min().over(in_order)
    if line_items:
        steps = paying.mutate(
            a=at(0),
            prev=at(-1),
            following=at(1),
            first_month=first_month,
            # The first row of each customer-month speaks for it (peers share a rank).
            first_row=ibis.row_number().over(in_order) == ibis.rank().over(in_order),
            repeated=ibis.literal(False),
            **{f"_b_{k}": at(k) for k in windows},
        )
    else:
        before = paying.month_index.lag().over(in_order)
        after = paying.month_index.lead().over(in_order)
        steps = paying.mutate(
            a=paying.mrr,
            prev=ibis.ifelse(
                before == paying.month_index - 1, paying.mrr.lag().over(in_order), None
            ),
            following=ibis.ifelse(after == paying.month_index + 1, paying.mrr, None),
            first_month=first_month,
            first_row=ibis.literal(True),
            repeated=(before == paying.month_index).fill_null(False),
            **{f"_b_{k}": at(k) for k in windows},
        )
    steps = steps.filter(steps.first_row)
    a, prev = steps.a, steps.prev
    returning = prev.isnull()
    sums: dict[str, ir.Value] = {
        "closing": a.sum(),
        "new": a.sum(where=returning & (steps.first_month == steps.month_index)),
        "reactivation": a.sum(where=returning & (steps.first_month < steps.month_index)),
        "expansion": (a - prev).sum(where=a > prev),
        "contraction": (prev - a).sum(where=a < prev),
        "leaving": a.sum(where=steps.following.isnull()),
        "repeated": steps.repeated.sum(),
    }
    for k in windows:
        b = steps[f"_b_{k}"]
        sums |= {
            f"customers_{k}": steps.count(),
            f"retained_customers_{k}": b.notnull().sum(),
            f"starting_mrr_{k}": a.sum(),
            f"churn_{k}": a.sum(where=b.isnull()),
            f"contraction_{k}": (a - b).sum(where=b < a),
            f"expansion_{k}": (b - a).sum(where=b > a),
            f"ending_mrr_{k}": b.sum(),
        }
    per_month = steps.group_by("month_index").agg(
        **{
            name: value.cast(MONEY) if not name.startswith(_COUNTS) else value
            for name, value in sums.items()
        }
    )
    # Every month gets a row (a month nobody paid in is zeros), so that shifts below are
    # plain lags over consecutive months.
    spine = month_spine(range(months.first, months.last + 1))
    joined = spine.left_join(per_month, spine.month_index == per_month.month_index)
    return joined.select(
        "month_index",
        **{
            name: joined[name].fill_null(
                0 if name.startswith(("customers", "retained")) else zero()
            )
            for name in sums
        },
    )


def bridge_from_flows(flows: ir.Table, months: MonthRange) -> ir.Table:
    """The bridge (``bridge``'s columns) from ``month_flows``: each month after the first."""
    by_month = ibis.window(order_by="month_index")
    shifted = flows.mutate(
        opening_mrr=flows.closing.lag().over(by_month), churn=flows.leaving.lag().over(by_month)
    )
    shifted = shifted.filter(shifted.month_index > months.first)
    return shifted.select(
        "month_index",
        period=month_start_of(shifted.month_index),
        opening_mrr=shifted.opening_mrr.cast(MONEY),
        **{name: shifted[name].cast(MONEY) for name in BRIDGE_FLOWS},
        churn=shifted.churn.cast(MONEY),
        closing_mrr=shifted.closing.cast(MONEY),
    ).order_by("month_index")


def retention_from_flows(flows: ir.Table, months: MonthRange, windows: Sequence[int]) -> ir.Table:
    """Cohort retention (``retention``'s columns) from ``month_flows`` with the same windows.

    The cohort of window k at as-of M is the one that started at M - k.
    """
    as_of, window = [], []
    for k in windows:
        for m in range(months.first + k, months.last + 1):
            as_of.append(m)
            window.append(k)
    spine = ibis.memtable(
        pa.table(
            {
                "as_of_index": pa.array(as_of, pa.int64()),
                "window_months": pa.array(window, pa.int64()),
                "start": pa.array([m - k for m, k in zip(as_of, window, strict=True)], pa.int64()),
            }
        )
    )
    joined = spine.inner_join(flows, spine.start == flows.month_index)

    def of_window(name: str) -> ir.Value:
        return ibis.cases(*[(joined.window_months == k, joined[f"{name}_{k}"]) for k in windows])

    totals = {name: of_window(name) for name in WINDOW_TOTALS}
    money = {name: totals[name].cast(MONEY) for name in WINDOW_TOTALS[2:]}
    starting = money["starting_mrr"]
    return joined.select(
        as_of_index=joined.as_of_index,
        as_of=month_start_of(joined.as_of_index),
        window_months=joined.window_months,
        customers=totals["customers"].cast("int64"),
        retained_customers=totals["retained_customers"].cast("int64"),
        **money,
        grr=rate(starting - money["churn"] - money["contraction"], starting),
        nrr=rate(money["ending_mrr"], starting),
        logo_retention=rate(totals["retained_customers"], totals["customers"]),
    ).order_by("as_of_index", "window_months")
