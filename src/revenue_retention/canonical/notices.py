"""What the input holds that is valid but worth a second look: warnings, never changes.

Every finding here leaves the numbers as METRICS.md §1 defines them (ids are kept as
written, line items and overlapping subscriptions add up) and says so, with examples
named by their values, so the same input gives the same words whatever its row order.
"""

from __future__ import annotations

from decimal import Decimal

import ibis
import ibis.expr.types as ir

from revenue_retention.money import format_money
from revenue_retention.periods import month_label

__all__ = ["duplicate_rows", "id_twins", "ids_may_clash", "overlapping_periods"]

_SHOWN = 3


def ids_may_clash(column: ir.Column) -> bool:
    """Whether two ids of a column fold to the same one: a cheap test on distinct ids.

    The distinct ids are few next to the rows, so this costs far less than grouping every
    row by its folded id; only when it finds something are the accepted ids examined.
    Integers have no case or spaces: they never clash.
    """
    if column.type().is_integer():
        return False
    ids = column.cast("string").name("customer_id").as_table().distinct()
    folded = ids.customer_id.strip().lower().nunique()
    found = ids.aggregate(ids=ids.count(), folded=folded).to_pyarrow().to_pylist()[0]
    return bool(found["ids"] != found["folded"])


def id_twins(table: ir.Table) -> list[str]:
    """Ids that differ only by letter case or surrounding spaces: kept apart, but said."""
    folded = table.mutate(_folded=table.customer_id.strip().lower())
    groups = folded.group_by("_folded").agg(ids=folded.customer_id.nunique())
    clashes = groups.filter(groups.ids > 1)
    found = clashes.aggregate(groups=clashes.count(), ids=clashes.ids.sum()).to_pyarrow()
    row = found.to_pylist()[0]
    if not row["groups"]:
        return []
    sample = (
        # The first three in order, so that every engine names the same examples.
        folded.semi_join(clashes.order_by("_folded").limit(_SHOWN), "_folded")
        .select("_folded", "customer_id")
        .distinct()
        .order_by(["_folded", "customer_id"])
        .to_pyarrow()
        .to_pylist()
    )
    shown = ", ".join(repr(r["customer_id"]) for r in sample)
    return [
        f"{row['ids']} customer ids differ from another only by letter case or surrounding "
        f"spaces (e.g. {shown}); they are counted as different customers. Clean the ids "
        "if they are the same account."
    ]


def duplicate_rows(rows: ir.Table, columns: list[str]) -> list[str]:
    """Accepted rows identical in every value to another: kept and added up, but said.

    ``rows``: the accepted rows with their values read (``100`` and ``100.00`` are the same
    amount); ``columns``: the values that make a row (every column the source gave).
    """
    groups = rows.group_by(columns).agg(_n=rows.count())
    repeated = groups.filter(groups._n > 1)
    found = repeated.aggregate(rows=repeated._n.sum(), groups=repeated.count())
    total = found.to_pyarrow().to_pylist()[0]
    if not total["groups"]:
        return []
    key = [c for c in ("customer_id", "month", "start_date") if c in columns]
    sample = repeated.order_by([*key, *[c for c in columns if c not in key]]).limit(_SHOWN)
    shown = "; ".join(
        "(" + ", ".join(_shown(r[c]) for c in columns) + f") x{r['_n']}"
        for r in sample.to_pyarrow().to_pylist()
    )
    copies = total["rows"] - total["groups"]
    return [
        f"{copies:,} row(s) repeat another row exactly, value for value (e.g. {shown}): each "
        "is kept and their amounts add up, as line items of one month do. If the export "
        "wrote them twice, remove the copies."
    ]


def _shown(value: object) -> str:
    if value is None:
        return "empty"
    return str(format_money(value)) if isinstance(value, Decimal) else str(value)


def overlapping_periods(
    periods: ir.Table, first: ir.IntegerValue, stop: ir.IntegerValue
) -> list[str]:
    """Customers with subscription periods counting in the same month: summed, and said.

    ``first`` and ``stop``: the first month a period counts in and the first it no longer
    does (null: still active), as the snapshot rule gives them.
    """
    months = periods.select("customer_id", _first=first, _stop=stop.fill_null(2**40))
    earlier = ibis.window(group_by="customer_id", order_by=["_first", "_stop"], rows=(None, -1))
    marked = months.mutate(_until=months._stop.max().over(earlier))
    overlapping = marked.filter((marked._first < marked._until) & (marked._stop > marked._first))
    per_customer = overlapping.group_by("customer_id").agg(
        periods=overlapping.count(), month=overlapping._first.min()
    )
    found = per_customer.aggregate(
        customers=per_customer.count(), periods=per_customer.periods.sum()
    )
    total = found.to_pyarrow().to_pylist()[0]
    if not total["customers"]:
        return []
    sample = per_customer.order_by("customer_id").limit(_SHOWN).to_pyarrow().to_pylist()
    shown = ", ".join(f"{r['customer_id']!r} from {month_label(r['month'])}" for r in sample)
    return [
        f"{total['customers']:,} customer(s) have subscription periods that overlap (e.g. "
        f"{shown}): their MRR is the sum of the periods active in a month. That is right for "
        "several subscriptions of one customer; if a period was written twice, remove the copy."
    ]
