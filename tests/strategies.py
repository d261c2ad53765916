"""Hypothesis strategies producing canonical MRR rows with every movement METRICS.md names.

A dataset is drawn customer by customer: a start month, then a walk through the remaining
months (keep / expand / contract / churn while paying, stay away / come back while not), so
gaps, reactivations and mid-range new customers are ordinary outcomes rather than rare
accidents of independent random amounts. Each month's MRR is then written out as one or
several line items (possibly with explicit 0.00 rows), and the rows are shuffled.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from hypothesis import strategies as st
from tests.oracle import Row, add_months

MAX_CENTS = 10_000_000
"""Upper bound of any amount, in cents (100000.00)."""

CUSTOMER_IDS: tuple[str, ...] = ("a", "A", "b", "B", "c", "acme", "Acme", "ACME", "x1", "X1", "z-9")
"""Short ids, several differing only in case: ids are case-sensitive strings."""


@dataclass(frozen=True)
class Dataset:
    """Canonical rows plus the analysed month range; every row's month lies in [first, last]."""

    rows: list[Row]
    first: datetime.date
    last: datetime.date


def cents_to_decimal(cents: int) -> Decimal:
    """Exact 2-decimal-place amount for a whole number of cents (0 -> Decimal('0.00')).

    >>> cents_to_decimal(100), cents_to_decimal(0), cents_to_decimal(123456)
    (Decimal('1.00'), Decimal('0.00'), Decimal('1234.56'))
    """
    return Decimal(cents).scaleb(-2)


def positive_cents() -> st.SearchStrategy[int]:
    """A month's MRR in cents: mostly small amounts, sometimes up to the 100000.00 cap."""
    return st.one_of(st.integers(1, 100_000), st.integers(1, MAX_CENTS))


@st.composite
def activity_pattern(draw: st.DrawFn, n_months: int) -> list[int]:
    """One customer's MRR in cents for each of ``n_months`` months (0 = not paying).

    Index 0 is the first month; shrinking moves the start there, so customers who are
    already paying in the opening month are common, and later starts give new customers.
    """
    start = draw(st.integers(0, n_months - 1))
    cents = [0] * start
    amount = draw(positive_cents())
    cents.append(amount)
    for _ in range(start + 1, n_months):
        if amount > 0:
            step = draw(st.sampled_from(["keep", "expand", "contract", "churn"]))
            if step == "expand":
                amount = min(MAX_CENTS, amount + draw(positive_cents()))
            elif step == "contract":
                amount = max(1, amount - draw(positive_cents()))
            elif step == "churn":
                amount = 0
        elif draw(st.booleans()):  # back after a gap: reactivation, at any new amount
            amount = draw(positive_cents())
        cents.append(amount)
    return cents


@st.composite
def split_cents(draw: st.DrawFn, total: int) -> list[int]:
    """Split ``total`` cents into 1-3 line items (parts may be 0) that sum exactly to it."""
    parts = draw(st.integers(1, 3))
    cuts = sorted(draw(st.integers(0, total)) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [high - low for low, high in pairwise(bounds)]


@st.composite
def mrr_rows(draw: st.DrawFn, max_customers: int = 8, max_months: int = 15) -> Dataset:
    """A canonical dataset: up to ``max_customers`` customers over up to ``max_months`` months.

    Covers: customers paying in ``first`` (opening balance), new customers mid-range, churn,
    gaps then reactivation, expansion, contraction, explicit 0.00 rows (inside gaps and
    before a customer's first payment), months split into several line items, ids that
    differ only in case, trailing months without any row, and the empty dataset.
    """
    first = datetime.date(draw(st.integers(2019, 2025)), draw(st.integers(1, 12)), 1)
    n_months = draw(st.integers(1, max_months))
    last = add_months(first, n_months - 1)
    ids = draw(st.lists(st.sampled_from(CUSTOMER_IDS), max_size=max_customers, unique=True))
    rows: list[Row] = []
    for customer_id in ids:
        for index, cents in enumerate(draw(activity_pattern(n_months))):
            month = add_months(first, index)
            if cents == 0:
                if draw(st.integers(0, 3)) == 0:  # sometimes an explicit zero month
                    rows.append((customer_id, month, cents_to_decimal(0)))
                continue
            for part in draw(split_cents(cents)):
                rows.append((customer_id, month, cents_to_decimal(part)))
    shuffled = draw(st.permutations(rows))
    return Dataset(rows=list(shuffled), first=first, last=last)


@st.composite
def line_item_split(draw: st.DrawFn, dataset: Dataset) -> Dataset:
    """The same dataset with each row re-split into 1-3 line items, shuffled.

    Summing line items is part of the contract, so every metric must be unchanged by this:
    use it for invariance properties (engine(split) == engine(original)).
    """
    rows: list[Row] = []
    for customer_id, month, mrr in dataset.rows:
        cents = int(mrr.scaleb(2))
        if cents_to_decimal(cents) != mrr:
            raise ValueError(f"line_item_split needs whole-cent amounts, got {mrr!r}")
        for part in draw(split_cents(cents)):
            rows.append((customer_id, month, cents_to_decimal(part)))
    shuffled = draw(st.permutations(rows))
    return Dataset(rows=list(shuffled), first=dataset.first, last=dataset.last)
