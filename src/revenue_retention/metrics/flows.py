"""Every monthly total of the bridge and of cohort retention in one pass (METRICS.md §2-3).

The shape that makes large inputs cheap: the customer-months (one row each, line items
already summed) are sorted once per customer, and each paying row looks at the
customer's previous and next paying rows (``lag``, ``lead``) and, for each window ``k``
longer than a month, at the MRR ``k`` months later (a ``RANGE k FOLLOWING`` frame). That
one sort replaces the self-joins of the textbook query; everything after it is a sum per
month, a result of one row per month, from which the bridge and retention are read.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.canonical import Dataset
from revenue_retention.metrics._common import month_spine, month_start_of
from revenue_retention.metrics.spec import (
    MOVEMENTS,
    RETENTION_COUNTS,
    RETENTION_MONEY,
    grr,
    logo_retention,
    nrr,
    step_parts,
    window_spine,
    window_totals,
)
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = ["bridge_from_flows", "month_flows", "paying_rows", "retention_from_flows"]

_COUNTS = ("customers", "retained", "staying")
_WINDOW_TOTALS = (*RETENTION_COUNTS, *RETENTION_MONEY)


def paying_rows(data: Dataset | ir.Table) -> ir.Table:
    """The cheapest customer-month rows of ``data`` to scan (one row per customer-month).

    A dataset's metric rows when it has them (ids as the engine grouped them), else its
    canonical table.
    """
    if isinstance(data, Dataset):
        return data.rows if data.rows is not None else data.table
    return data


def month_flows(
    rows: ir.Table, months: MonthRange, windows: Sequence[int] = (), *, counts: bool = False
) -> ir.Table:
    """One row per month of ``months`` with the sums the bridge and retention are made of.

    ``rows``: one row per customer and month (``customer_id, month_index, mrr``). For
    month m and each customer paying then, with a = its MRR at m: ``closing`` (sum a),
    ``customers``, ``new``, ``reactivation``, ``expansion``, ``contraction`` (its movement
    from m - 1), ``leaving`` (sum a of customers not paying at m + 1: churn of month
    m + 1) and ``staying`` (how many pay at m + 1), and per window k, the cohort starting
    at m: ``customers_k``, ``retained_customers_k``, ``starting_mrr_k``, ``churn_k``,
    ``contraction_k``, ``expansion_k``, ``ending_mrr_k``. A one-month cohort's figures are
    the bridge's own totals of m and m + 1: they cost no frame of their own. With
    ``counts``, also ``customers_new`` and ``customers_reactivated``: how many customers
    each of those movements of m is made of (the growth figures divide by them).
    """
    paying = rows.filter((rows.mrr > 0) & rows.month_index.between(months.first, months.last))
    paying = paying.select("customer_id", "month_index", "mrr")
    in_order = ibis.window(group_by="customer_id", order_by="month_index")
    later = [k for k in windows if k != 1]

    def at(offset: int) -> ir.DecimalValue:
        frame = ibis.window(group_by="customer_id", order_by="month_index", range=(offset, offset))
        return paying.mrr.sum().over(frame)

    steps = paying.mutate(
        prev_month=paying.month_index.lag().over(in_order),
        prev=paying.mrr.lag().over(in_order),
        next_month=paying.month_index.lead().over(in_order),
        **{f"_b_{k}": at(k) for k in later},
    )
    sums = _row_sums(steps, later, counts=counts)
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
    totals = joined.select(
        "month_index",
        **{
            name: joined[name].fill_null(0 if name.startswith(_COUNTS) else zero()) for name in sums
        },
    )
    following = ibis.window(order_by="month_index")

    def then(name: str) -> ir.Value:
        # The last month has no next one (and no one-month cohort ends after it): zero,
        # not null, so that every engine can hold the result as exact decimals.
        return totals[name].lead().over(following).fill_null(zero())

    windowed: dict[str, ir.Value] = {}
    for k in windows:
        windowed |= {f"customers_{k}": totals.customers, f"starting_mrr_{k}": totals.closing}
    if 1 in windows:
        windowed |= {
            "retained_customers_1": totals.staying,
            "churn_1": totals.leaving,
            "contraction_1": then("contraction"),
            "expansion_1": then("expansion"),
            "ending_mrr_1": then("closing") - then("new") - then("reactivation"),
        }
    return totals.mutate(**windowed)


def _row_sums(
    steps: ir.Table, later: Sequence[int], *, counts: bool = False
) -> dict[str, ir.Value]:
    """The per-month aggregations of ``month_flows`` over its paying rows (``steps``)."""
    a, month = steps.mrr, steps.month_index
    # The previous paying month: none (new), the month before (a change), or earlier.
    continuing = steps.prev_month == month - 1
    staying = steps.next_month.identical_to(month + 1)
    parts = step_parts(
        ibis.ifelse(continuing, steps.prev, zero()), a, first=steps.prev_month.isnull()
    )
    sums: dict[str, ir.Value] = {
        "closing": a.sum(),
        "customers": steps.count(),
        **{
            name: part.amount.sum(where=part.when)
            for name, part in parts.items()
            if name != "churn"
        },
        # Churn of month m + 1 (§2 with b = 0 there), summed on the rows of month m.
        "leaving": a.sum(where=~staying),
        "staying": staying.sum(),
    }
    if counts:
        sums |= {
            "customers_new": steps.prev_month.isnull().sum(),
            "customers_reactivated": (steps.prev_month < month - 1).fill_null(False).sum(),
        }
    for k in later:
        totals_k = window_totals(steps, a, steps[f"_b_{k}"].fill_null(zero()))
        sums |= {
            f"{name}_{k}": totals_k[name]
            for name in ("retained_customers", "churn", "contraction", "expansion", "ending_mrr")
        }
    return sums


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
        **{name: shifted[name].cast(MONEY) for name in MOVEMENTS},
        closing_mrr=shifted.closing.cast(MONEY),
    ).order_by("month_index")


def retention_from_flows(flows: ir.Table, months: MonthRange, windows: Sequence[int]) -> ir.Table:
    """Cohort retention (``retention``'s columns) from ``month_flows`` with the same windows.

    The cohort of window k at as-of M is the one that started at M - k.
    """
    as_of, window = window_spine(months, windows)
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

    totals = {name: of_window(name) for name in _WINDOW_TOTALS}
    money = {name: totals[name].cast(MONEY) for name in RETENTION_MONEY}
    starting = money["starting_mrr"]
    return joined.select(
        as_of_index=joined.as_of_index,
        as_of=month_start_of(joined.as_of_index),
        window_months=joined.window_months,
        customers=totals["customers"].cast("int64"),
        retained_customers=totals["retained_customers"].cast("int64"),
        **money,
        grr=grr(starting, money["churn"], money["contraction"]),
        nrr=nrr(money["ending_mrr"], starting),
        logo_retention=logo_retention(totals["retained_customers"], totals["customers"]),
    ).order_by("as_of_index", "window_months")
