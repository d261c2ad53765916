"""The monthly MRR bridge: new, reactivation, expansion, contraction, churn (METRICS.md §2)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical import Dataset
from revenue_retention.metrics._common import month_spine, paying, resolve
from revenue_retention.metrics.flows import bridge_from_flows, month_flows, paying_rows
from revenue_retention.metrics.groups import DEFAULT_SIZE_BANDS, with_groups
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = ["MOVEMENTS", "TRANSFERS", "bridge"]

#: The movements of the bridge, in the order they are reported.
MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churn")
#: Moves of MRR between groups, in a bridge split by an attribute.
TRANSFERS = ("transfer_in", "transfer_out")
_FLOWS = MOVEMENTS
_TRANSFERS = TRANSFERS


def bridge(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    by: Sequence[str] = (),
    size_bands: Sequence[Decimal] = DEFAULT_SIZE_BANDS,
) -> ir.Table:
    """One row per month after the first: opening MRR, each movement, closing MRR.

    For customer c with a = mrr(c, M-1) and b = mrr(c, M): new (a = 0, b > 0, never paid
    before), reactivation (a = 0, b > 0, paid before), expansion (b > a > 0, b - a),
    contraction (0 < b < a, a - b), churn (a > 0 = b, a). The first month is the opening
    balance and has no row. Exact: closing = opening + new + reactivation + expansion
    - contraction - churn, to the cent.

    With ``by``, one row per month and group: a customer counts in the group of its row
    that month (churn in the group it left from). A paying customer whose group changes
    moves its previous MRR out of the old group (``transfer_out``) into the new one
    (``transfer_in``), where any change of MRR is then counted, so every group's bridge
    closes with + transfer_in - transfer_out, and the groups add up to the total.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table (``customer_id``,
        ``month_index``, ``mrr``) together with ``months``.
    months
        The months analysed (default: the dataset's); rows outside are ignored.
    by
        Attribute columns (or ``size_band``, the band of the month's MRR) to split by.
    size_bands
        Lower edges of the MRR bands used by ``size_band``.

    Returns
    -------
    ibis.expr.types.Table
        ``month_index, period, [by ...], opening_mrr, new, reactivation, expansion,
        contraction, churn, [transfer_in, transfer_out,] closing_mrr``, ordered by period.

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
    by = tuple(by)
    if not by:
        return bridge_from_flows(month_flows(paying_rows(data), months), months)
    rows = with_groups(paying(table, by), by, size_bands)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    # Each paying row looks at the customer's previous and next paying month: one sort
    # per customer, instead of joining every month to the one before.
    by_customer = ibis.window(group_by="customer_id", order_by="month_index")
    steps = rows.mutate(
        prev_month=rows.month_index.lag().over(by_customer),
        prev_mrr=rows.mrr.lag().over(by_customer),
        next_month=rows.month_index.lead().over(by_customer),
        **{f"_prev_{name}": rows[name].lag().over(by_customer) for name in by},
    )
    continuing = (steps.prev_month == steps.month_index - 1).fill_null(False)
    moved: ir.BooleanValue = ibis.literal(False)
    for name in by:
        moved = moved | ~steps[name].identical_to(steps[f"_prev_{name}"])
    moved = continuing & moved
    change = (steps.mrr - steps.prev_mrr).cast(MONEY)
    flows = _FLOWS + (_TRANSFERS if by else ())

    def movement_rows(
        source: ir.Table, month: ir.Value, groups: dict[str, ir.Value], **amounts: ir.Value
    ) -> ir.Table:
        values = {name: amounts.get(name, zero()) for name in flows}
        return source.select(month_index=month, **groups, **values)

    own = {name: steps[name] for name in by}
    arrivals = movement_rows(
        steps,
        steps.month_index,
        own,
        new=ibis.ifelse(steps.prev_month.isnull(), steps.mrr, zero()),
        reactivation=ibis.ifelse(steps.prev_month.notnull() & ~continuing, steps.mrr, zero()),
        expansion=ibis.ifelse(continuing & (change > 0), change, zero()),
        contraction=ibis.ifelse(continuing & (change < 0), -change, zero()),
        transfer_in=ibis.ifelse(moved, steps.prev_mrr, zero()),
    )
    # A paying month not followed by a paying month is a churn in the month after it.
    gone = steps.next_month.isnull() | (steps.next_month > steps.month_index + 1)
    departing = steps.filter(gone)
    departures = movement_rows(
        departing,
        departing.month_index + 1,
        {name: departing[name] for name in by},
        churn=departing.mrr,
    )
    parts = [arrivals, departures]
    if by:
        leaving = steps.filter(moved)
        parts.append(
            movement_rows(
                leaving,
                leaving.month_index,
                {name: leaving[f"_prev_{name}"] for name in by},
                transfer_out=leaving.prev_mrr,
            )
        )
    # Opening and closing balances join the same union, so one aggregation gives the row.
    balances = ("opening_mrr", "closing_mrr")
    parts = [p.mutate(opening_mrr=zero(), closing_mrr=zero()) for p in parts]
    zeros = {name: zero() for name in flows}
    for name, shift in (("closing_mrr", 0), ("opening_mrr", 1)):
        parts.append(
            rows.select(
                month_index=rows.month_index + shift,
                **{g: rows[g] for g in by},
                **zeros,
                opening_mrr=rows.mrr if name == "opening_mrr" else zero(),
                closing_mrr=rows.mrr if name == "closing_mrr" else zero(),
            )
        )
    moves = ibis.union(*parts)
    moves = moves.filter(moves.month_index.between(months.first + 1, months.last))
    summed = moves.group_by("month_index", *by).agg(
        **{name: moves[name].sum().cast(MONEY) for name in (*flows, *balances)}
    )
    spine = month_spine(range(months.first + 1, months.last + 1))
    if by:
        spine = spine.cross_join(rows.select(*by).distinct())
    on = [spine.month_index == summed.month_index]
    on += [spine[name].identical_to(summed[name]) for name in by]
    joined = spine.left_join(summed, on)
    return joined.select(
        month_index=joined.month_index,
        period=joined.period,
        **{name: joined[name] for name in by},
        opening_mrr=joined.opening_mrr.fill_null(zero()),
        **{name: joined[name].fill_null(zero()) for name in flows},
        closing_mrr=joined.closing_mrr.fill_null(zero()),
    ).order_by("month_index", *by)
