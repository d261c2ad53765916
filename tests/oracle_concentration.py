"""Slow, obvious Decimal reference for concentration (METRICS.md §5) and explain's listing.

Plain Python over the rows: sum line items, take the cohort of the window, sort, add up.
Ratios are exact ``Fraction``s so a test can bound the engine's float against them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from tests.oracle import Row, add_months, customer_months

ZERO = Decimal(0)


def cohort(rows: Iterable[Row], as_of: datetime.date, window_months: int) -> dict[str, tuple]:
    """``customer_id -> (a, b)`` for every customer paying at ``as_of - window_months`` (§3)."""
    totals = customer_months(rows)
    start = add_months(as_of, -window_months)
    starting = {c: v for (c, m), v in totals.items() if m == start and v > 0}
    return {c: (a, totals.get((c, as_of), ZERO)) for c, a in starting.items()}


def _fraction(numerator: Decimal, denominator: Decimal) -> Fraction | None:
    return None if denominator == 0 else Fraction(numerator) / Fraction(denominator)


def oracle_concentration(
    rows: Iterable[Row],
    as_of: datetime.date,
    window_months: int,
    tops: Sequence[int] = (1, 5, 10),
    without_tops: Sequence[int] = (1, 3),
) -> dict[str, Any]:
    """Every figure of the concentration result, computed the slow way.

    Customers are ranked by a descending, expanders by b - a descending, ties broken by
    ``customer_id`` ascending (Python's string order: code points, case-sensitive).
    """
    pairs = cohort(rows, as_of, window_months)
    s = sum((a for a, _ in pairs.values()), ZERO)
    e = sum((b for _, b in pairs.values()), ZERO)
    growth = {c: b - a for c, (a, b) in pairs.items() if b > a}
    expansion = sum(growth.values(), ZERO)
    by_mrr = sorted(pairs, key=lambda c: (-pairs[c][0], c))
    by_growth = sorted(growth, key=lambda c: (-growth[c], c))

    shares = []
    for k in tops:
        top_mrr = sum((pairs[c][0] for c in by_mrr[:k]), ZERO)
        top_growth = sum((growth[c] for c in by_growth[:k]), ZERO)
        shares.append(
            {
                "top": k,
                "customers": len(by_mrr[:k]),
                "mrr": top_mrr,
                "share_of_starting_mrr": _fraction(top_mrr, s),
                "expanders": len(by_growth[:k]),
                "expansion": top_growth,
                "share_of_expansion": _fraction(top_growth, expansion),
            }
        )
    without = []
    for k in without_tops:
        removed = sum((growth[c] for c in by_growth[:k]), ZERO)
        without.append(
            {
                "top": k,
                "expansion_removed": removed,
                "ending_mrr": e - removed,
                "nrr": _fraction(e - removed, s),
            }
        )
    pareto = []
    running = ZERO
    for rank, c in enumerate(by_mrr, start=1):
        running += pairs[c][0]
        pareto.append(
            {
                "rank": rank,
                "customer_share": Fraction(rank, len(by_mrr)),
                "cumulative_mrr": running,
                "mrr_share": _fraction(running, s),
            }
        )
    herfindahl = (
        None if s == 0 else sum((Fraction(a) / Fraction(s)) ** 2 for a, _ in pairs.values())
    )
    return {
        "customers": len(pairs),
        "expanders": len(growth),
        "starting_mrr": s,
        "ending_mrr": e,
        "expansion": expansion,
        "nrr": _fraction(e, s),
        "herfindahl": herfindahl,
        "shares": shares,
        "nrr_without_top": without,
        "pareto": pareto,
        "top_customers": [
            (c, pairs[c][0], pairs[c][1], pairs[c][1] - pairs[c][0]) for c in by_mrr[:10]
        ],
        "top_expanders": [(c, pairs[c][0], pairs[c][1], growth[c]) for c in by_growth[:10]],
    }


def oracle_explain(
    rows: Iterable[Row], as_of: datetime.date, window_months: int
) -> list[tuple[str, Decimal, Decimal, Decimal, str]]:
    """Explain's window listing: ``(customer_id, a, b, b - a, movement)``, by impact."""
    pairs = cohort(rows, as_of, window_months)
    listing = []
    for c, (a, b) in pairs.items():
        if b == 0:
            movement = "churn"
        elif b < a:
            movement = "contraction"
        elif b > a:
            movement = "expansion"
        else:
            movement = "flat"
        listing.append((c, a, b, b - a, movement))
    return sorted(listing, key=lambda r: (-abs(r[3]), r[0]))


def oracle_explain_period(
    rows: Iterable[Row], first: datetime.date, month: datetime.date
) -> list[tuple[str, Decimal, Decimal, Decimal, str]]:
    """Explain's bridge-month listing: customers with a movement in ``month`` (§2), by impact.

    ``first`` is the data's first month: payments before it are not seen, as in the bridge.
    """
    totals = customer_months(rows)
    before = add_months(month, -1)
    customers = {c for c, _ in totals}
    listing = []
    for c in customers:
        a, b = totals.get((c, before), ZERO), totals.get((c, month), ZERO)
        paid_earlier = any(
            v > 0 and first <= m < before for (cc, m), v in totals.items() if cc == c
        )
        if a == 0 and b > 0:
            movement = "reactivation" if paid_earlier else "new"
        elif a > 0 and b == 0:
            movement = "churn"
        elif a > 0 and b > a:
            movement = "expansion"
        elif a > 0 and b < a:
            movement = "contraction"
        else:
            continue
        listing.append((c, a, b, b - a, movement))
    return sorted(listing, key=lambda r: (-abs(r[3]), r[0]))
