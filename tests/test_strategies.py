"""The MRR strategies really generate what they claim, so property tests built on them test it."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import Phase, find, given, settings
from tests.oracle import add_months, customer_months, month_range
from tests.strategies import CUSTOMER_IDS, Dataset, line_item_split, mrr_rows

CAP = Decimal("100000.00")
SEARCH = settings(database=None, max_examples=2_000, phases=[Phase.generate])


def series(ds: Dataset) -> dict[str, list[Decimal]]:
    """Each customer's summed MRR for every month of the range, 0 where it has no row."""
    totals = customer_months(ds.rows)
    months = month_range(ds.first, ds.last)
    ids = {customer_id for customer_id, _ in totals}
    return {c: [totals.get((c, m), Decimal(0)) for m in months] for c in ids}


def has_reactivation(ds: Dataset) -> bool:
    """Some customer pays, stops for at least a month, then pays again."""
    for values in series(ds).values():
        paying = [v > 0 for v in values]
        for i, p in enumerate(paying):
            if not p and any(paying[:i]) and any(paying[i + 1 :]):
                return True
    return False


def has_gap_without_rows(ds: Dataset) -> bool:
    """Some customer has no row at all in a month between two of its paying months."""
    present = {(c, m) for c, m, _ in ds.rows}
    months = month_range(ds.first, ds.last)
    for c, values in series(ds).items():
        paying = [i for i, v in enumerate(values) if v > 0]
        for i in range(len(months)):
            if paying and paying[0] < i < paying[-1] and (c, months[i]) not in present:
                return True
    return False


def has_explicit_zero_month(ds: Dataset) -> bool:
    """Some (customer, month) has rows, all of them 0.00: an explicit zero month."""
    return any(total == 0 for total in customer_months(ds.rows).values())


def has_zero_before_first_payment(ds: Dataset) -> bool:
    """An explicit zero row precedes the customer's first paying month (a $0 trial)."""
    for c, values in series(ds).items():
        paying = [i for i, v in enumerate(values) if v > 0]
        zero_months = [m for cc, m, amount in ds.rows if cc == c and amount == 0]
        if paying and any(m < add_months(ds.first, paying[0]) for m in zero_months):
            return True
    return False


def has_line_items(ds: Dataset) -> bool:
    """Some (customer, month) is split over several rows with a positive total."""
    counts = Counter((c, m) for c, m, _ in ds.rows)
    totals = customer_months(ds.rows)
    return any(n >= 2 and totals[key] > 0 for key, n in counts.items())


def has_step(ds: Dataset, test: Callable[[Decimal, Decimal], bool]) -> bool:
    """Some customer's consecutive months (a, b) satisfy ``test``."""
    return any(test(a, b) for values in series(ds).values() for a, b in itertools.pairwise(values))


def has_new_mid_range(ds: Dataset) -> bool:
    """Some customer's first paying month is after ``first``."""
    return any(v[0] == 0 and any(x > 0 for x in v) for v in series(ds).values())


def has_opening_customer(ds: Dataset) -> bool:
    """Some customer already pays in ``first`` (the opening balance)."""
    return any(v[0] > 0 for v in series(ds).values())


def has_case_twins(ds: Dataset) -> bool:
    """Two ids in the data differ only in case."""
    ids = {c for c, _, _ in ds.rows}
    return len({c.lower() for c in ids}) < len(ids)


def has_quiet_last_month(ds: Dataset) -> bool:
    """The range ends with a month that has no row at all (a month with no activity)."""
    return len(ds.rows) > 0 and all(m < ds.last for _, m, _ in ds.rows)


FEATURES: dict[str, Callable[[Dataset], bool]] = {
    "reactivation": has_reactivation,
    "gap_without_rows": has_gap_without_rows,
    "explicit_zero_month": has_explicit_zero_month,
    "zero_before_first_payment": has_zero_before_first_payment,
    "line_items": has_line_items,
    "expansion": lambda ds: has_step(ds, lambda a, b: 0 < a < b),
    "contraction": lambda ds: has_step(ds, lambda a, b: 0 < b < a),
    "churn": lambda ds: has_step(ds, lambda a, b: a > 0 and b == 0),
    "new_mid_range": has_new_mid_range,
    "opening_customer": has_opening_customer,
    "case_twins": has_case_twins,
    "quiet_last_month": has_quiet_last_month,
    "empty": lambda ds: ds.rows == [],
}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_strategy_produces(feature: str) -> None:
    """Each claimed feature shows up; ``find`` raises NoSuchExample if it never does."""
    example = find(mrr_rows(), FEATURES[feature], settings=SEARCH)
    assert FEATURES[feature](example)


def check_invariants(ds: Dataset, max_customers: int, max_months: int) -> None:
    """What every generated dataset guarantees, whatever its size limits."""
    assert ds.first.day == 1 and 2019 <= ds.first.year <= 2025
    months = month_range(ds.first, ds.last)
    assert 1 <= len(months) <= max_months
    ids = {c for c, _, _ in ds.rows}
    assert len(ids) <= max_customers and ids <= set(CUSTOMER_IDS)
    for customer_id, month, amount in ds.rows:
        assert isinstance(customer_id, str)
        assert type(month) is datetime.date and month.day == 1
        assert ds.first <= month <= ds.last
        assert isinstance(amount, Decimal) and amount.as_tuple().exponent == -2
        assert Decimal("0.00") <= amount <= CAP
    assert all(total <= CAP for total in customer_months(ds.rows).values())


@settings(max_examples=300, database=None)
@given(mrr_rows())
def test_every_dataset_is_canonical(ds: Dataset) -> None:
    """Amounts 2dp in [0, 100000.00], months first-of-month inside [first, last]."""
    check_invariants(ds, max_customers=8, max_months=15)


@settings(max_examples=100, database=None)
@given(mrr_rows(max_customers=2, max_months=3))
def test_size_limits_are_respected(ds: Dataset) -> None:
    """Smaller limits are honoured too."""
    check_invariants(ds, max_customers=2, max_months=3)


@settings(max_examples=100, database=None)
@given(mrr_rows().flatmap(lambda ds: line_item_split(ds).map(lambda split: (ds, split))))
def test_line_item_split_keeps_monthly_mrr(pair: tuple[Dataset, Dataset]) -> None:
    """Re-splitting rows changes the line items but never a (customer, month) total."""
    original, split = pair
    assert (split.first, split.last) == (original.first, original.last)
    assert len(split.rows) >= len(original.rows)
    assert customer_months(split.rows) == customer_months(original.rows)
    check_invariants(split, max_customers=8, max_months=15)
