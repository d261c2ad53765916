"""Slow, obvious Decimal reference for the retention methods of METRICS.md §4.

Each method is redone from its definition, customer by customer and month by month, in
plain ``Decimal`` and exact ``Fraction`` rates, without importing ``revenue_retention``.
Rows have the keys of the ``retention`` records (``as_of``, ``window_months``,
``customers``, ``retained_customers``, money, ``grr``, ``nrr``, ``logo_retention``);
``None`` where a method does not define a field. The cohort method itself is
``tests.oracle.oracle_retention``; the rates built on it (compounded, chained, averaged)
use it as their input, which is the definition, and the others never touch it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from tests.oracle import (
    ZERO,
    Row,
    add_months,
    customer_months,
    month_range,
    oracle_retention,
    period_label,
)

MONEY_KEYS = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")
RATE_KEYS = ("grr", "nrr", "logo_retention")
Grid = dict[tuple[str, datetime.date], Decimal]


def _grid(
    rows: Iterable[Row], first: datetime.date, last: datetime.date
) -> tuple[list[datetime.date], list[str], Grid]:
    """Months of the range, its customers (sorted), and their MRR per month inside it."""
    months = month_range(first, last)
    mrr = {key: value for key, value in customer_months(rows).items() if first <= key[1] <= last}
    return months, sorted({customer for customer, _ in mrr}), mrr


def _row(as_of: datetime.date, k: int, **fields: object) -> dict:
    row: dict = {"as_of": period_label(as_of), "window_months": k}
    row |= {"customers": None, "retained_customers": None}
    row |= dict.fromkeys(MONEY_KEYS)
    row |= dict.fromkeys(RATE_KEYS)
    return row | fields


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Fraction | None:
    return Fraction(numerator) / Fraction(denominator) if denominator else None


def oracle_movement(
    rows: Iterable[Row], first: datetime.date, last: datetime.date, windows: Sequence[int]
) -> list[dict]:
    """Movement method: S = MRR at M - k; every month-to-month loss and gain inside the window.

    Walks each customer through the k month-to-month steps of the window and classifies
    each step as §2 does (a > 0 = b churn, 0 < b < a contraction, b > a > 0 expansion);
    new customers and reactivations are arrivals, not retention, and are not counted.
    """
    months, customers, mrr = _grid(rows, first, last)
    result = []
    for month in months:
        for k in sorted(set(windows)):
            start = add_months(month, -k)
            if start < first:
                continue
            starting = sum((mrr.get((c, start), ZERO) for c in customers), ZERO)
            paying = sum(1 for c in customers if mrr.get((c, start), ZERO) > 0)
            churn = contraction = expansion = ZERO
            for c in customers:
                for step in range(1, k + 1):
                    a = mrr.get((c, add_months(start, step - 1)), ZERO)
                    b = mrr.get((c, add_months(start, step)), ZERO)
                    if a > 0 and b == 0:
                        churn += a
                    elif a > 0 and b < a:
                        contraction += a - b
                    elif a > 0 and b > a:
                        expansion += b - a
            kept = starting - churn - contraction
            result.append(
                _row(
                    month,
                    k,
                    customers=paying,
                    starting_mrr=starting,
                    churn=churn,
                    contraction=contraction,
                    expansion=expansion,
                    ending_mrr=kept + expansion,
                    grr=_ratio(kept, starting),
                    nrr=_ratio(kept + expansion, starting),
                )
            )
    return result


def _monthly_rates(rows: list[Row], first: datetime.date, last: datetime.date) -> dict[str, dict]:
    """The one-month cohort rows (§3), by as-of label."""
    return {r["as_of"]: r for r in oracle_retention(rows, first, last, [1])}


def oracle_compounded(
    rows: Iterable[Row], first: datetime.date, last: datetime.date, windows: Sequence[int]
) -> list[dict]:
    """Compounded monthly: the monthly cohort rate at M to the power k (exact fractions)."""
    rows = list(rows)
    monthly = _monthly_rates(rows, first, last)
    result = []
    for month in month_range(first, last)[1:]:
        base = monthly[period_label(month)]
        for k in sorted(set(windows)):
            rates = {key: None if base[key] is None else base[key] ** k for key in RATE_KEYS}
            result.append(_row(month, k, **rates))
    return result


def oracle_chained(
    rows: Iterable[Row], first: datetime.date, last: datetime.date, windows: Sequence[int]
) -> list[dict]:
    """Chained monthly: the product of the k monthly cohort rates M-k+1 .. M."""
    rows = list(rows)
    monthly = _monthly_rates(rows, first, last)
    result = []
    for month in month_range(first, last):
        for k in sorted(set(windows)):
            if add_months(month, -k) < first:
                continue
            rates: dict[str, Fraction | None] = {}
            for key in RATE_KEYS:
                product: Fraction | None = Fraction(1)
                for step in range(k):
                    value = monthly[period_label(add_months(month, -step))][key]
                    product = None if value is None or product is None else product * value
                rates[key] = product
            result.append(_row(month, k, **rates))
    return result


def oracle_trailing(
    rows: Iterable[Row], first: datetime.date, last: datetime.date, windows: Sequence[int]
) -> list[dict]:
    """Trailing revenue: the last k months' revenue against the prior k months' (§4).

    The cohort is every customer with revenue in the prior k months; p and l are its
    revenue (sum of monthly MRR) over the prior and the last k months.
    """
    months, customers, mrr = _grid(rows, first, last)
    result = []
    for month in months:
        for k in sorted(set(windows)):
            if add_months(month, 1 - 2 * k) < first:
                continue
            members = survivors = 0
            starting = churn = contraction = expansion = ending = kept = ZERO
            for c in customers:
                prior = sum((mrr.get((c, add_months(month, -k - i)), ZERO) for i in range(k)), ZERO)
                latest = sum((mrr.get((c, add_months(month, -i)), ZERO) for i in range(k)), ZERO)
                if prior <= 0:
                    continue
                members += 1
                survivors += latest > 0
                starting += prior
                ending += latest
                kept += min(prior, latest)
                if latest == 0:
                    churn += prior
                elif latest < prior:
                    contraction += prior - latest
                else:
                    expansion += latest - prior
            result.append(
                _row(
                    month,
                    k,
                    customers=members,
                    retained_customers=survivors,
                    starting_mrr=starting,
                    churn=churn,
                    contraction=contraction,
                    expansion=expansion,
                    ending_mrr=ending,
                    grr=_ratio(kept, starting),
                    nrr=_ratio(ending, starting),
                    logo_retention=_ratio(survivors, members),
                )
            )
    return result


def oracle_averaged(
    rows: Iterable[Row], first: datetime.date, last: datetime.date, windows: Sequence[int]
) -> list[dict]:
    """Averaged: the mean of the k cohort rates of window k ending at M-k+1 .. M."""
    rows = list(rows)
    ks = sorted(set(windows))
    cohort = {(r["as_of"], r["window_months"]): r for r in oracle_retention(rows, first, last, ks)}
    result = []
    for month in month_range(first, last):
        for k in ks:
            if add_months(month, 1 - 2 * k) < first:
                continue
            rates: dict[str, Fraction | None] = {}
            for key in RATE_KEYS:
                values = [cohort[(period_label(add_months(month, -i)), k)][key] for i in range(k)]
                known = [v for v in values if v is not None]
                rates[key] = sum(known, Fraction(0)) / k if len(known) == k else None
            result.append(_row(month, k, **rates))
    return result


#: The reference of every method but ``cohort`` (``tests.oracle.oracle_retention``).
ORACLES = {
    "movement": oracle_movement,
    "compounded": oracle_compounded,
    "compounded_chain": oracle_chained,
    "trailing": oracle_trailing,
    "averaged": oracle_averaged,
}
