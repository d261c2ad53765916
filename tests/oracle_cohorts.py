"""Slow, obvious Decimal reference for acquisition cohorts by age (METRICS.md section 3).

Written from the definitions, customer by customer and age by age, without looking at the
engine code: a customer's cohort is its first month with MRR > 0 (grouped by month,
quarter or year); its age is counted from its own first month; the base is its MRR at
age 0 (``relative_to="first"``) or at age 1 (``"month1"``, only if it pays then).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from tests.oracle import Row, customer_months

ZERO = Decimal(0)
GRAIN_MONTHS = {"month": 1, "quarter": 3, "year": 12}
BASE_AGE = {"first": 0, "month1": 1}


def _index(month: datetime.date) -> int:
    return month.year * 12 + month.month - 1


def cohort_name(first_paid: datetime.date, grain: str) -> str:
    """The cohort label of a customer first paying in ``first_paid``.

    >>> cohort_name(datetime.date(2024, 5, 1), "quarter")
    '2024-Q2'
    """
    if grain == "month":
        return f"{first_paid.year:04d}-{first_paid.month:02d}"
    if grain == "quarter":
        return f"{first_paid.year:04d}-Q{(first_paid.month - 1) // 3 + 1}"
    if grain == "year":
        return f"{first_paid.year:04d}"
    raise ValueError(f"unknown grain {grain!r}")


def _first_paid(
    rows: Iterable[Row], first: datetime.date, last: datetime.date
) -> tuple[dict[tuple[str, int], Decimal], dict[str, int]]:
    """MRR by (customer, month index) inside the range, and each payer's first paying month."""
    lo, hi = _index(first), _index(last)
    mrr: dict[tuple[str, int], Decimal] = {}
    for (customer, month), amount in customer_months(rows).items():
        if lo <= _index(month) <= hi:
            mrr[(customer, _index(month))] = amount
    starts: dict[str, int] = {}
    for (customer, month), amount in mrr.items():
        if amount > 0 and (customer not in starts or month < starts[customer]):
            starts[customer] = month
    return mrr, starts


def _label(month: int, grain: str) -> str:
    return cohort_name(datetime.date(month // 12, month % 12 + 1, 1), grain)


def _sort_key(label: str) -> tuple[int, int]:
    year, _, rest = label.partition("-")
    return int(year), int(rest.lstrip("Q") or 0)


def oracle_cohorts(
    rows: Iterable[Row],
    first: datetime.date,
    last: datetime.date,
    grain: str = "month",
    relative_to: str = "first",
) -> list[dict]:
    """One dict per (cohort, age) with at least one base member observed at that age.

    Keys: cohort, age_months, cohort_customers (base members observed at that age),
    active_customers, base_mrr, mrr, retained_mrr (sum of min(a, b)), grr, nrr,
    logo_retention (exact Fractions, None when the denominator is 0) and complete (every
    base member of the cohort is observed at that age). Ordered by cohort then age.
    """
    base_age = BASE_AGE[relative_to]
    mrr, starts = _first_paid(rows, first, last)
    hi = _index(last)
    cells: dict[tuple[str, int], dict] = {}
    members: dict[str, int] = {}
    for customer, start in starts.items():
        a = mrr.get((customer, start + base_age), ZERO)
        if start + base_age > hi or a <= 0:
            continue  # not in the base: never paid at the base age (or not there yet)
        cohort = _label(start, grain)
        members[cohort] = members.get(cohort, 0) + 1
        for age in range(base_age, hi - start + 1):
            b = mrr.get((customer, start + age), ZERO)
            cell = cells.setdefault(
                (cohort, age),
                {"n": 0, "active": 0, "base": ZERO, "mrr": ZERO, "kept": ZERO},
            )
            cell["n"] += 1
            cell["active"] += 1 if b > 0 else 0
            cell["base"] += a
            cell["mrr"] += b
            cell["kept"] += min(a, b)
    result = []
    for cohort, age in sorted(cells, key=lambda key: (_sort_key(key[0]), key[1])):
        cell = cells[(cohort, age)]
        base = cell["base"]
        result.append(
            {
                "cohort": cohort,
                "age_months": age,
                "cohort_customers": cell["n"],
                "active_customers": cell["active"],
                "base_mrr": base,
                "mrr": cell["mrr"],
                "retained_mrr": cell["kept"],
                "grr": Fraction(cell["kept"]) / Fraction(base) if base > 0 else None,
                "nrr": Fraction(cell["mrr"]) / Fraction(base) if base > 0 else None,
                "logo_retention": Fraction(cell["active"], cell["n"]),
                "complete": cell["n"] == members[cohort],
            }
        )
    return result


def oracle_cohort_sizes(
    rows: Iterable[Row], first: datetime.date, last: datetime.date, grain: str = "month"
) -> list[dict]:
    """One dict per cohort: customers, starting MRR (at each one's first paying month),
    earliest and latest first paying month (``YYYY-MM``), includes_opening_balance."""
    mrr, starts = _first_paid(rows, first, last)
    groups: dict[str, list[int]] = {}
    for start in starts.values():
        groups.setdefault(_label(start, grain), []).append(start)
    totals: dict[str, Decimal] = {}
    for customer, start in starts.items():
        cohort = _label(start, grain)
        totals[cohort] = totals.get(cohort, ZERO) + mrr[(customer, start)]
    return [
        {
            "cohort": cohort,
            "customers": len(groups[cohort]),
            "starting_mrr": totals[cohort],
            "first_payment_from": _label(min(groups[cohort]), "month"),
            "first_payment_to": _label(max(groups[cohort]), "month"),
            "includes_opening_balance": min(groups[cohort]) == _index(first),
        }
        for cohort in sorted(groups, key=_sort_key)
    ]
