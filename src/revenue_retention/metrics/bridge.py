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
from revenue_retention.metrics.spec import MOVEMENTS, TRANSFERS, Part, step_parts
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = ["MOVEMENTS", "TRANSFERS", "bridge"]

#: The columns of a split bridge row after its groups (the union's columns).
_COLUMNS = ("opening_mrr", *MOVEMENTS, *TRANSFERS, "closing_mrr")


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

    Defines: the first month is the opening balance, no bridge row (METRICS.md §2).

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
    return _split_bridge(table, months, by, size_bands)


def _split_bridge(
    table: ir.Table, months: MonthRange, by: tuple[str, ...], size_bands: Sequence[Decimal]
) -> ir.Table:
    """The bridge per group of ``by``: every movement, transfer and balance is a row of one
    union, and one aggregation per month and group sums them."""
    rows = with_groups(paying(table, by), by, size_bands)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    moves = ibis.union(*_movement_rows(rows, by), *_balance_rows(rows, by))
    moves = moves.filter(moves.month_index.between(months.first + 1, months.last))
    summed = moves.group_by("month_index", *by).agg(
        **{name: moves[name].sum().cast(MONEY) for name in _COLUMNS}
    )
    spine = month_spine(range(months.first + 1, months.last + 1))
    spine = spine.cross_join(rows.select(*by).distinct())
    on = [spine.month_index == summed.month_index]
    on += [spine[name].identical_to(summed[name]) for name in by]
    joined = spine.left_join(summed, on)
    return joined.select(
        month_index=joined.month_index,
        period=joined.period,
        **{name: joined[name] for name in by},
        **{name: joined[name].fill_null(zero()) for name in _COLUMNS},
    ).order_by("month_index", *by)


def _moves(
    source: ir.Table, month: ir.Value, groups: dict[str, ir.Value], **amounts: ir.Value
) -> ir.Table:
    """Rows of the union: ``amounts`` in their columns, zero in every other one."""
    values = {name: amounts.get(name, zero()) for name in _COLUMNS}
    return source.select(month_index=month, **groups, **values)


def _movement_rows(rows: ir.Table, by: tuple[str, ...]) -> list[ir.Table]:
    """The movements of §2 (``spec.step_parts``) and the transfers between groups."""
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
    before = ibis.ifelse(continuing, steps.prev_mrr, zero())
    parts = step_parts(before, steps.mrr, first=steps.prev_month.isnull())
    moved: ir.BooleanValue = ibis.literal(False)
    for name in by:
        moved = moved | ~steps[name].identical_to(steps[f"_prev_{name}"])
    moved = continuing & moved
    arrivals = _moves(
        steps,
        steps.month_index,
        {name: steps[name] for name in by},
        **{name: _taken(parts[name]) for name in MOVEMENTS if name != "churn"},
        transfer_in=ibis.ifelse(moved, steps.prev_mrr, zero()),
    )
    # A paying month not followed by a paying month is a churn in the month after it.
    gone = steps.next_month.isnull() | (steps.next_month > steps.month_index + 1)
    departing = steps.filter(gone)
    departures = _moves(
        departing,
        departing.month_index + 1,
        {name: departing[name] for name in by},
        churn=step_parts(departing.mrr, zero(), first=ibis.literal(False))["churn"].amount,
    )
    leaving = steps.filter(moved)
    transfers = _moves(
        leaving,
        leaving.month_index,
        {name: leaving[f"_prev_{name}"] for name in by},
        transfer_out=leaving.prev_mrr,
    )
    return [arrivals, departures, transfers]


def _taken(part: Part) -> ir.Value:
    """A movement's amount on the rows it applies to, zero on the others."""
    return ibis.ifelse(part.when, part.amount.cast(MONEY), zero())


def _balance_rows(rows: ir.Table, by: tuple[str, ...]) -> list[ir.Table]:
    """Closing MRR of each month, and the same MRR as the opening balance of the next."""
    groups = {name: rows[name] for name in by}
    return [
        _moves(rows, rows.month_index, groups, closing_mrr=rows.mrr),
        _moves(rows, rows.month_index + 1, groups, opening_mrr=rows.mrr),
    ]
