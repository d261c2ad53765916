"""Tests of canonical.counts: the typed counts of a load and their invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from revenue_retention.canonical.counts import NONE, Counts, CurrencyMoney, count_rows
from revenue_retention.money import MONEY
from revenue_retention.periods import month_index

D = Decimal


def _counts(**changes: object) -> Counts:
    fields: dict[str, object] = {
        "rows_read": 5,
        "rows_accepted": 3,
        "rejected": 2,
        "by_reason": {"negative amount": 1, "missing customer id": 1},
        "money_read": D("130.50"),
        "money_accepted": D("100.50"),
        "money_rejected": D("30"),
        "money_in_range": D("100.50"),
        "rows_without_amount": 1,
        "first": 10,
        "last": 12,
    }
    return Counts(**(fields | changes))  # type: ignore[arg-type]


def test_consistent_counts_are_made() -> None:
    counts = _counts()
    assert counts.rows_read == counts.rows_accepted + counts.rejected


@pytest.mark.parametrize(
    "changes",
    [
        {"rows_read": 6},  # a row neither accepted nor rejected
        {"rows_accepted": 2},
        {"money_read": D("130.51")},  # a cent lost
        {"money_rejected": D("29.99")},
        {"by_reason": {"negative amount": 1}},  # reasons short of the rejected rows
        {"rows_without_amount": 3},  # more rows without an amount than rejected
        {"by_currency": {"EUR": CurrencyMoney(D("130"), D("100"), D("30"))}},  # 0.50 missing
    ],
)
def test_counts_that_do_not_reconcile_are_a_bug(changes: dict[str, object]) -> None:
    with pytest.raises(AssertionError):
        _counts(**changes)


def test_currency_money_reconciles() -> None:
    money = CurrencyMoney().plus(D("10"), rejected=False).plus(D("2.5"), rejected=True)
    assert money == CurrencyMoney(D("12.5"), D("10"), D("2.5"))
    assert list(money.to_dict()) == ["read", "accepted", "rejected"]
    with pytest.raises(AssertionError):
        CurrencyMoney(D("1"), D("1"), D("1"))


def test_set_aside_records_are_read_and_rejected_without_money() -> None:
    counts = _counts().with_set_aside({"unreadable record": 2, "negative amount": 1})
    assert (counts.rows_read, counts.rows_accepted, counts.rejected) == (8, 3, 5)
    assert counts.by_reason == {
        "negative amount": 2,
        "missing customer id": 1,
        "unreadable record": 2,
    }
    assert counts.rows_without_amount == 4
    assert counts.money_read == D("130.50")


def test_accepted_side_from_the_groups_completes_the_rejected_counts() -> None:
    accepted = {
        "rows": 4,
        "money": D("40"),
        "money_in_range": D("30"),
        "first": 1,
        "last": 3,
        "repeat_suspects": 0,
        "folding_ids": 1,
    }
    counts = NONE.with_accepted(accepted, 4)
    assert (counts.rows_read, counts.rejected, counts.money_read) == (4, 0, D("40"))
    assert (counts.first, counts.last, counts.folding_ids) == (1, 3, 1)
    with pytest.raises(AssertionError):
        NONE.with_accepted(accepted, 5)  # a row read that is neither accepted nor rejected


def test_count_rows_by_reason_and_currency() -> None:
    # Five rows by hand: three accepted (two EUR, one USD), two rejected (one without an
    # amount). Accepted money 10 + 20 + 5 = 35; rejected 7; months Jan to Mar 2024.
    table = ibis.memtable(
        pa.table(
            {
                "_rr_reason": [None, None, None, "negative amount", "bad amount"],
                "_rr_amount": [D("10"), D("20"), D("5"), D("7"), None],
                "currency": ["EUR", "EUR", "USD", "EUR", "USD"],
                "month": [dt.date(2024, m, 1) for m in (1, 3, 2, 1, 2)],
            }
        )
    ).cast({"_rr_amount": MONEY})
    month = table.month.year() * 12 + table.month.month() - 1
    counts = count_rows(table, (month, month), month_index(2024, 2))
    assert (counts.rows_read, counts.rows_accepted, counts.rejected) == (5, 3, 2)
    assert counts.by_reason == {"negative amount": 1, "bad amount": 1}
    assert (counts.money_accepted, counts.money_rejected) == (D("35"), D("7"))
    assert counts.money_in_range == D("15")  # January and February only
    assert counts.rows_without_amount == 1
    assert (counts.first, counts.last) == (month_index(2024, 1), month_index(2024, 3))
    assert counts.by_currency == {
        "EUR": CurrencyMoney(D("37"), D("30"), D("7")),
        "USD": CurrencyMoney(D("5"), D("5"), D("0")),
    }
