"""Slow, obvious Decimal reference for the MRR bridge and window retention (METRICS.md 1-3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

Row = tuple[str, datetime.date, Decimal]
"""(customer_id, month as a first-of-month date, mrr >= 0): one line item of the canonical table."""

ZERO = Decimal(0)


def _check_month(month: datetime.date, what: str) -> None:
    """Reject anything but a first-of-month ``date``: the oracle must not guess a month."""
    if type(month) is not datetime.date or month.day != 1:
        raise ValueError(f"{what} must be a first-of-month datetime.date, got {month!r}")


def add_months(month: datetime.date, n: int) -> datetime.date:
    """Return the first-of-month date ``n`` calendar months after ``month`` (n may be < 0).

    >>> add_months(datetime.date(2024, 11, 1), 3)
    datetime.date(2025, 2, 1)
    >>> add_months(datetime.date(2024, 1, 1), -1)
    datetime.date(2023, 12, 1)
    """
    index = month.year * 12 + (month.month - 1) + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first`` to ``last`` inclusive, stepping one month at a time."""
    _check_month(first, "first")
    _check_month(last, "last")
    if first > last:
        raise ValueError(f"first ({first}) is after last ({last})")
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    return months


def period_label(month: datetime.date) -> str:
    """The "YYYY-MM" label reports use for a month."""
    return f"{month.year:04d}-{month.month:02d}"


def customer_months(rows: Iterable[Row]) -> dict[tuple[str, datetime.date], Decimal]:
    """Sum line items into one MRR per (customer, month); explicit zero rows are kept as 0.

    Inputs are validated strictly, so a broken test generator fails loudly here instead of
    producing a reference value the engine would then be wrongly compared against.

    >>> m = datetime.date(2024, 1, 1)
    >>> totals = customer_months([("a", m, Decimal("1.50")), ("a", m, Decimal("2.25"))])
    >>> totals[("a", m)], ("A", m) in totals
    (Decimal('3.75'), False)
    """
    totals: dict[tuple[str, datetime.date], Decimal] = {}
    for customer_id, month, mrr in rows:
        if not isinstance(customer_id, str):
            raise ValueError(f"customer_id must be a str, got {customer_id!r}")
        _check_month(month, "month")
        if not isinstance(mrr, Decimal) or not mrr.is_finite() or mrr < 0:
            raise ValueError(f"mrr must be a finite Decimal >= 0, got {mrr!r}")
        key = (customer_id, month)
        totals[key] = totals.get(key, ZERO) + mrr
    return totals


def _mrr_table(
    rows: Iterable[Row], first: datetime.date, last: datetime.date
) -> tuple[list[datetime.date], list[str], dict[tuple[str, datetime.date], Decimal]]:
    """Months of the range, customers seen in it (sorted) and their summed MRR inside it."""
    months = month_range(first, last)
    inside = {key: mrr for key, mrr in customer_months(rows).items() if first <= key[1] <= last}
    customers = sorted({customer_id for customer_id, _ in inside})
    return months, customers, inside


def oracle_bridge(rows: Iterable[Row], first: datetime.date, last: datetime.date) -> list[dict]:
    """The monthly MRR bridge (METRICS.md section 2), one dict per month after ``first``.

    ``first`` is the opening balance: it gets no row and its customers are never "new".
    Rows outside [first, last] are ignored, so "ever paid before" only looks inside the range.
    """
    months, customers, mrr = _mrr_table(rows, first, last)
    # Customers that have had MRR > 0 in some month already walked through.
    ever_paid = {c for c in customers if mrr.get((c, first), ZERO) > 0}
    bridge: list[dict] = []
    for previous, month in pairwise(months):
        opening = closing = new = reactivation = expansion = contraction = churn = ZERO
        for c in customers:
            a = mrr.get((c, previous), ZERO)
            b = mrr.get((c, month), ZERO)
            opening += a
            closing += b
            if a == 0 and b > 0:
                if c in ever_paid:
                    reactivation += b
                else:
                    new += b
            elif a > 0 and b == 0:
                churn += a
            elif a > 0 and b > a:
                expansion += b - a
            elif a > 0 and b < a:
                contraction += a - b
        for c in customers:
            if mrr.get((c, month), ZERO) > 0:
                ever_paid.add(c)
        bridge.append(
            {
                "period": period_label(month),
                "opening_mrr": opening,
                "new": new,
                "reactivation": reactivation,
                "expansion": expansion,
                "contraction": contraction,
                "churn": churn,
                "closing_mrr": closing,
            }
        )
    return bridge


def _check_windows(windows: Sequence[int]) -> list[int]:
    """Distinct window lengths in ascending order; each must be a whole number of months >= 1."""
    for k in windows:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"window lengths must be ints >= 1, got {k!r}")
    return sorted(set(windows))


def oracle_retention(
    rows: Iterable[Row],
    first: datetime.date,
    last: datetime.date,
    windows: Sequence[int] = (1, 3, 12),
) -> list[dict]:
    """Cohort (point-in-time) retention per window (METRICS.md section 3).

    One dict per (as_of M, window k) with M - k >= first and M <= last, ordered by
    (as_of, window_months). The cohort is every customer paying at M - k; each member is
    judged only by its MRR at the two ends, so a customer who left and came back counts
    with its MRR at M, and customers who started inside the window are not in it.
    """
    ks = _check_windows(windows)
    months, customers, mrr = _mrr_table(rows, first, last)
    result: list[dict] = []
    for month in months:
        for k in ks:
            start = add_months(month, -k)
            if start < first:
                continue
            members = 0
            survivors = 0
            starting = churn = contraction = expansion = ending = kept = ZERO
            for c in customers:
                a = mrr.get((c, start), ZERO)
                if a <= 0:
                    continue  # not paying at the start of the window: not in the cohort
                b = mrr.get((c, month), ZERO)
                members += 1
                starting += a
                ending += b
                kept += min(a, b)
                if b > 0:
                    survivors += 1
                if b == 0:
                    churn += a
                elif b < a:
                    contraction += a - b
                elif b > a:
                    expansion += b - a
            has_base = starting > 0
            result.append(
                {
                    "as_of": period_label(month),
                    "window_months": k,
                    "customers": members,
                    "starting_mrr": starting,
                    "churn": churn,
                    "contraction": contraction,
                    "expansion": expansion,
                    "ending_mrr": ending,
                    "grr": Fraction(kept) / Fraction(starting) if has_base else None,
                    "nrr": Fraction(ending) / Fraction(starting) if has_base else None,
                    "logo_retention": Fraction(survivors, members) if members else None,
                }
            )
    return result


def recurring_warning_start(paying: Mapping[str, Iterable[int]]) -> str | None:
    """How the input report's warning about payments every 12 or 3 months begins, or None.

    ``paying``: each customer's paying months (month numbers; customers with none are left
    out). A customer pays every ``k`` months when it has two paying months or more and the
    steps between them are all ``k``; the warning names the more common of 12 and 3 (12 on
    a tie) and counts its customers among all.

    >>> recurring_warning_start({"a": [5, 17, 29], "b": [5, 8], "c": [1, 2]})
    '1 of 3 customers pay once every 12 months'
    >>> recurring_warning_start({"a": [5, 8, 20]}) is None
    True
    """
    steps = [{b - a for a, b in pairwise(sorted(months))} for months in paying.values()]
    yearly, quarterly = sum(s == {12} for s in steps), sum(s == {3} for s in steps)
    if not (yearly or quarterly):
        return None
    every, n = (12, yearly) if yearly >= quarterly else (3, quarterly)
    return f"{n:,} of {len(steps):,} customers pay once every {every} months"
