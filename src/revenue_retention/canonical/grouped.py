"""A long export summed into customer-months in one scan, and all that is read off it.

A long input (``customer_id, month, mrr``, line items allowed) is scanned once: its
accepted rows are summed into one row per customer and month (METRICS.md §1: line items
add up) and stored. That table is the canonical table every analysis reads, and it also
gives the accepted side of the input report and the customer-months that may hold a row
repeated value for value, instead of a scan of the source for each. Rejected rows, when
there are any (the row count says so without a scan), are counted by a scan of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.engine import memory_per_thread
from revenue_retention.money import MONEY
from revenue_retention.periods import MonthRange, month_index_of, month_start_of_index

__all__ = [
    "ID",
    "accepted_counts",
    "canonical_of_groups",
    "customer_month_groups",
    "groups_fit",
    "repeat_suspects",
]

#: The column of validated rows with an integer customer id as the source holds it.
ID = "_rr_id"

#: Below this much memory per thread, DuckDB cannot hold (or spill) the groups of a large
#: scan with the count, smallest and largest amount besides the sum (3M rows of Parquet:
#: 20 MiB per thread fails, 28 MiB works); the margin is twice that.
_GROUPS_NEED_BYTES = 64 * 2**20


def groups_fit(con: BaseBackend) -> bool:
    """Whether ``con`` has the memory per thread ``customer_month_groups`` needs.

    Under it, a long input takes the plain path: the sum alone per customer-month, and
    counts of their own.
    """
    per_thread = memory_per_thread(con)
    return per_thread is None or per_thread >= _GROUPS_NEED_BYTES


def customer_month_groups(rows: ir.Table, attributes: Sequence[str] = ()) -> ir.Table:
    """The accepted ``rows`` summed per customer and month (``customer_id, month_index, mrr``).

    Integer ids stay integers here (cheaper to group and sort by); ``canonical_of_groups``
    gives them as text. ``_rr_n`` counts the rows of a customer-month, and
    ``_rr_may_repeat`` (from its smallest and largest amounts) lets ``repeat_suspects``
    rule out, without a second scan, those whose rows certainly all differ. Each
    aggregate costs a visit to every group: only these are kept, and the key is the
    customer and month alone.
    """
    accepted = rows.filter(rows._rr_reason.isnull())
    customer = accepted[ID] if ID in accepted.columns else accepted.customer_id
    month = month_index_of(accepted.month)
    groups = accepted.group_by(customer_id=customer, month_index=month).agg(
        mrr=accepted.mrr.sum().cast(MONEY),
        _rr_n=accepted.count(),
        _rr_low=accepted.mrr.min(),
        _rr_high=accepted.mrr.max(),
        **{name: accepted[name].min() for name in attributes},
    )
    # Only the verdict is stored: the table is kept for the whole run, and every byte of
    # a row counts at tens of millions of rows.
    verdict = _may_repeat(groups)
    return groups.mutate(_rr_n=groups._rr_n.cast("int32"), _rr_may_repeat=verdict).drop(
        "_rr_low", "_rr_high"
    )


def accepted_counts(groups: ir.Table, as_of: int | None) -> dict[str, Any]:
    """The accepted rows, money and months, from the stored groups in one small pass.

    ``rows``, ``money``, ``money_in_range`` (up to ``as_of``), ``first`` and ``last``
    month; ``repeat_suspects`` (customer-months that may hold repeated rows); and
    ``folding_ids`` (ids that change when case and surrounding spaces are ignored: without
    any, no two ids can be twins).
    """
    ids = groups.customer_id
    folding = (
        (ids.strip().lower() != ids).fill_null(False).sum()
        if ids.type().is_string()
        else ibis.literal(0, "int64")
    )
    found = (
        groups.aggregate(
            rows=groups._rr_n.sum(),
            money=groups.mrr.sum(),
            # Up to as_of; without one, every month (not summed twice).
            **(
                {"money_in_range": groups.mrr.sum(where=groups.month_index <= as_of)}
                if as_of is not None
                else {}
            ),
            first=groups.month_index.min(),
            last=groups.month_index.max(),
            repeat_suspects=groups._rr_may_repeat.sum(),
            folding_ids=folding,
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    zero = Decimal(0)
    return {
        "rows": found["rows"] or 0,
        "money": found["money"] or zero,
        "money_in_range": found.get("money_in_range", found["money"]) or zero,
        "first": found["first"],
        "last": found["last"],
        "repeat_suspects": found["repeat_suspects"] or 0,
        "folding_ids": found["folding_ids"] or 0,
    }


def _may_repeat(groups: ir.Table) -> ir.BooleanValue:
    """Whether a customer-month may hold two rows with the same values.

    Rows with different amounts differ. Of two or three rows the amounts are known (the
    middle one of three is the sum less the smallest and the largest): if they all
    differ, so do the rows. Four rows or more are examined row by row.
    """
    n, low, high = groups._rr_n, groups._rr_low, groups._rr_high
    middle = groups.mrr - low - high
    # Cases, so that the engine computes the middle amount only for groups of three.
    return ibis.cases(
        (n == 1, False),
        (n == 2, low == high),
        (n == 3, (low == middle) | (middle == high)),
        else_=True,
    )


def repeat_suspects(groups: ir.Table) -> ir.Table:
    """The (``customer_id``, ``month_index``) whose rows may repeat one another."""
    return groups.filter(groups._rr_may_repeat).select("customer_id", "month_index")


def canonical_of_groups(
    groups: ir.Table, months: MonthRange, attributes: Sequence[str] = ()
) -> tuple[ir.Table, ir.Table]:
    """The canonical table (METRICS.md §1) and the rows the metrics read, from the groups.

    Both are the groups of ``months``, one row per customer-month; the canonical table
    has text ids and ``period``, the metric rows (``customer_id, month_index, mrr``) keep
    the ids as grouped.
    """
    kept = groups.filter(groups.month_index.between(months.first, months.last))
    ids = kept.customer_id
    table = kept.select(
        customer_id=ids if ids.type().is_string() else ids.cast("string"),
        month_index=kept.month_index,
        period=month_start_of_index(kept.month_index),
        mrr=kept.mrr,
        **{name: kept[name] for name in attributes},
    )
    return table, kept.select("customer_id", "month_index", "mrr")
