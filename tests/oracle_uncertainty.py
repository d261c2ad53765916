"""Slow reference for bootstrap intervals: cohort members by loops, the ideal bootstrap exactly.

The ideal bootstrap of a cohort of n customers is the distribution of a rate over every
multiset of n customers drawn with replacement, each with its multinomial probability
n! / (prod c_i! n^n). For a handful of customers it can be enumerated in exact fractions, so
the Monte Carlo intervals of the engine can be checked against the distribution they sample.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from math import factorial, prod

from tests.oracle import Row, add_months, customer_months

Distribution = list[tuple[Fraction, Fraction]]
"""(value, probability) pairs, values ascending, probabilities summing to 1."""


def cohort_members(
    rows: Iterable[Row], first: datetime.date, last: datetime.date, k: int, as_of: datetime.date
) -> list[tuple[str, Decimal, Decimal]]:
    """(customer_id, a, b) of the cohort of the k-month window ending at ``as_of`` (§3).

    Sorted by customer id (Python's code-point order); months outside [first, last] ignored.
    """
    mrr = {key: v for key, v in customer_months(rows).items() if first <= key[1] <= last}
    start = add_months(as_of, -k)
    members = []
    for customer_id in sorted({c for c, _ in mrr}):
        a = mrr.get((customer_id, start), Decimal(0))
        if a > 0:
            members.append((customer_id, a, mrr.get((customer_id, as_of), Decimal(0))))
    return members


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of ``parts`` counts >= 0 summing to ``total``."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def ideal_bootstrap(a: Sequence[Decimal], b: Sequence[Decimal]) -> dict[str, Distribution]:
    """Exact bootstrap distributions of GRR, NRR and logo retention (keep n small: <= 6)."""
    n = len(a)
    if n == 0 or n > 7:
        raise ValueError(f"enumerate 1..7 customers, got {n}")
    weights: dict[str, dict[Fraction, Fraction]] = {"grr": {}, "nrr": {}, "logo_retention": {}}
    for counts in _compositions(n, n):
        p = Fraction(factorial(n), prod(factorial(c) for c in counts) * n**n)
        starting = Fraction(sum(c * x for c, x in zip(counts, a, strict=True)))
        kept = Fraction(sum(c * min(x, y) for c, x, y in zip(counts, a, b, strict=True)))
        ending = Fraction(sum(c * y for c, y in zip(counts, b, strict=True)))
        logos = sum(c for c, y in zip(counts, b, strict=True) if y > 0)
        rates: tuple[tuple[str, Fraction], ...] = (
            ("grr", kept / starting),
            ("nrr", ending / starting),
            ("logo_retention", Fraction(logos, n)),
        )
        for name, value in rates:
            weights[name][value] = weights[name].get(value, Fraction(0)) + p
    out = {name: sorted(w.items()) for name, w in weights.items()}
    for dist in out.values():
        if sum(p for _, p in dist) != 1:
            raise AssertionError("probabilities do not add up to 1")
    return out


def quantile(dist: Distribution, q: Fraction) -> Fraction:
    """The smallest value v with P(X <= v) >= q."""
    cumulative = Fraction(0)
    for value, p in dist:
        cumulative += p
        if cumulative >= q:
            return value
    return dist[-1][0]


def standard_deviation(dist: Distribution) -> float:
    """Population standard deviation of the distribution (as a float, for comparing)."""
    mean = sum(v * p for v, p in dist)
    variance = sum((v - mean) ** 2 * p for v, p in dist)
    return float(variance) ** 0.5


def kurtosis(dist: Distribution) -> float:
    """Fourth central moment over the squared variance (1 for a two-point 50/50 law).

    It sets how noisy a sample standard deviation is: its standard error is about
    sd * sqrt((kurtosis - 1) / (4 * draws)).
    """
    mean = sum(v * p for v, p in dist)
    variance = sum((v - mean) ** 2 * p for v, p in dist)
    if variance == 0:
        return 1.0
    return float(sum((v - mean) ** 4 * p for v, p in dist) / variance**2)
