"""Customer-months and the movement log: hand-computed rows, and the log equal to the bridge."""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from tests.oracle import oracle_bridge, period_label
from tests.strategies import Dataset as Generated
from tests.strategies import mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses.customers import (
    CUSTOMER_MONTH_FIELDS,
    LOG_FIELDS,
    customer_story,
    customer_tables,
    log_totals,
)
from revenue_retention.datasets import write_demo_csv
from revenue_retention.errors import OptionError
from revenue_retention.periods import month_label, month_start

D = Decimal
JAN, FEB, MAR, APR = (datetime.date(2024, m, 1) for m in (1, 2, 3, 4))
#: Where the real published files are on a developer's machine (never copied into the project).
SHARED_DATA = Path(os.environ.get("RR_SHARED_DATA", "/work/shared/data"))


def _story_rows() -> tuple[list[tuple[str, datetime.date, Decimal]], list[str]]:
    """a: 100, 150, gone, back at 80 in another segment; b: new 40, down to 30; c: flat 20."""
    rows = [
        ("a", JAN, D(100)),
        ("a", FEB, D(150)),
        ("a", APR, D(80)),
        ("b", FEB, D(40)),
        ("b", MAR, D(30)),
        ("c", JAN, D(20)),
        ("c", FEB, D(20)),
        ("c", MAR, D(20)),
        ("c", APR, D(20)),
    ]
    segments = ["SMB", "SMB", "Mid", "SMB", "SMB", "Ent", "Ent", "Ent", "Ent"]
    return rows, segments


@pytest.fixture(scope="module")
def three_customers_with_churn_and_return() -> rr.Dataset:
    rows, segments = _story_rows()
    return dataset_of(rows, attributes={"segment": segments})


def _plain(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [
        tuple(
            month_label(r[f]) if f == "month_index" else (str(r[f]) if r[f] is not None else None)
            for f in fields
        )
        for r in rows
    ]


def test_customer_months_by_hand(three_customers_with_churn_and_return: rr.Dataset) -> None:
    data = three_customers_with_churn_and_return
    got = rr.customer_months(data).to_pyarrow()
    assert tuple(got.column_names) == (*CUSTOMER_MONTH_FIELDS, "segment")
    fields = ("customer_id", "month_index", "previous_mrr", "mrr", "movement", "amount", "segment")
    rows = [
        {f: (D(v).normalize() if isinstance(v, Decimal) else v) for f, v in r.items()}
        for r in got.to_pylist()
    ]
    assert _plain(rows, fields) == [
        ("a", "2024-01", None, "1E+2", "none", "0", "SMB"),  # the opening balance
        ("a", "2024-02", "1E+2", "1.5E+2", "expansion", "5E+1", "SMB"),
        ("a", "2024-03", "1.5E+2", "0", "churn", "1.5E+2", "SMB"),  # segment it churned from
        ("a", "2024-04", "0", "8E+1", "reactivation", "8E+1", "Mid"),
        ("b", "2024-02", "0", "4E+1", "new", "4E+1", "SMB"),
        ("b", "2024-03", "4E+1", "3E+1", "contraction", "1E+1", "SMB"),
        ("b", "2024-04", "3E+1", "0", "churn", "3E+1", "SMB"),
        ("c", "2024-01", None, "2E+1", "none", "0", "Ent"),
        ("c", "2024-02", "2E+1", "2E+1", "none", "0", "Ent"),
        ("c", "2024-03", "2E+1", "2E+1", "none", "0", "Ent"),
        ("c", "2024-04", "2E+1", "2E+1", "none", "0", "Ent"),
    ]
    assert [str(p) for p in got.column("period").to_pylist()[:2]] == ["2024-01-01", "2024-02-01"]


def test_movement_log_by_hand(three_customers_with_churn_and_return: rr.Dataset) -> None:
    log = rr.movement_log(three_customers_with_churn_and_return).to_pyarrow()
    assert tuple(log.column_names) == LOG_FIELDS
    got = [
        (month_label(r["month_index"]), r["customer_id"], r["movement"], r["amount"])
        for r in log.to_pylist()
    ]
    assert got == [
        ("2024-02", "b", "new", D(40)),
        ("2024-02", "a", "expansion", D(50)),
        ("2024-03", "b", "contraction", D(10)),
        ("2024-03", "a", "churn", D(150)),
        ("2024-04", "a", "reactivation", D(80)),
        ("2024-04", "b", "churn", D(30)),
    ]


def _log_sums(data: rr.Dataset) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in data.con.to_pyarrow(rr.movement_log(data)).to_pylist():
        sums[(month_label(row["month_index"]), row["movement"])] += row["amount"]
    return sums


def _assert_log_equals_bridge(data: rr.Dataset) -> int:
    """Every bridge month and movement equals the log's sum, to the cent; returns movements."""
    sums = _log_sums(data)
    bridge = data.con.to_pyarrow(rr.bridge(data)).to_pylist()
    for row in bridge:
        for movement in rr.MOVEMENTS:
            label = month_label(row["month_index"])
            assert sums.pop((label, movement), D(0)) == row[movement], (label, movement)
    assert not sums, f"log rows outside the bridge's months: {sums}"
    totals = log_totals(data)
    assert all(m["amount"] == m["bridge_amount"] for m in totals["movements"])
    return sum(m["rows"] for m in totals["movements"])


def test_log_equals_bridge_on_the_demo(tmp_path: Path) -> None:
    path = write_demo_csv(tmp_path / "demo.csv", customers=300, months=24)
    data = rr.load(path)
    assert _assert_log_equals_bridge(data) > 100
    # The stored customer-months the command writes are the API's rows, in the same order.
    months, moves = customer_tables(data)
    assert data.con.to_pyarrow(months).equals(data.con.to_pyarrow(rr.customer_months(data)))
    assert data.con.to_pyarrow(moves).equals(data.con.to_pyarrow(rr.movement_log(data)))
    assert log_totals(data, months) == log_totals(data)


@pytest.mark.parametrize(
    "example", ["stripe_subscriptions.csv", "invoice_lines.csv", "stripe_invoice_lines.csv"]
)
def test_log_equals_bridge_on_the_shipped_examples(example: str) -> None:
    assert _assert_log_equals_bridge(rr.load(rr.example_path(example))) > 0


@pytest.mark.parametrize(
    "name", ["mrr_playbook_subscription_periods.csv", "flip_invoice_lines.csv"]
)
def test_log_equals_bridge_on_the_real_published_files(name: str) -> None:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine (set RR_SHARED_DATA to its folder)")
    assert _assert_log_equals_bridge(rr.load(path)) > 100


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrr_rows(max_customers=6, max_months=10))
def test_log_sums_to_the_oracle_bridge(generated: Generated) -> None:
    assume(any(row[2] > 0 for row in generated.rows))
    data = dataset_of(generated.rows)
    sums = _log_sums(data)
    first, last = month_start(data.months.first), month_start(data.months.last)
    for row in oracle_bridge(generated.rows, first, last):
        for movement in rr.MOVEMENTS:
            assert sums.pop((row["period"], movement), D(0)) == row[movement]
    assert not sums
    # Every paying customer-month has exactly one row, with its summed MRR.
    paying: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for customer, month, mrr in generated.rows:
        if first <= month <= last:
            paying[(customer, period_label(month))] += mrr
    months = data.con.to_pyarrow(rr.customer_months(data)).to_pylist()
    listed = {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in months}
    assert len(listed) == len(months)
    assert {k: v for k, v in listed.items() if v > 0} == {k: v for k, v in paying.items() if v}


def test_customer_story_windows(three_customers_with_churn_and_return: rr.Dataset) -> None:
    story = customer_story(three_customers_with_churn_and_return, "a", windows=[1, 3])
    assert [(month_label(r["month_index"]), r["movement"]) for r in story.movements] == [
        ("2024-02", "expansion"),
        ("2024-03", "churn"),
        ("2024-04", "reactivation"),
    ]
    windows = [
        (r["window_months"], month_label(r["as_of_index"]), r["in_cohort"], r["class"])
        for r in story.windows.to_pylist()
    ]
    assert windows == [
        (1, "2024-02", True, "expansion"),  # 100 -> 150
        (1, "2024-03", True, "churn"),  # 150 -> 0
        (1, "2024-04", False, None),  # not paying in March: not in April's cohort
        (3, "2024-04", True, "contraction"),  # 100 in January -> 80 in April (came back)
    ]


def test_unknown_customer_suggests_the_close_one(
    three_customers_with_churn_and_return: rr.Dataset,
) -> None:
    with pytest.raises(OptionError, match=r"customer_id: 'A ' is not a customer_id.*'a'"):
        customer_story(three_customers_with_churn_and_return, "A ")


def test_the_report_directory_keeps_the_largest_and_their_whole_months() -> None:
    import datetime

    from tests.tables import dataset_of

    from revenue_retention.analyses.customers import customer_directory

    jan, feb, mar = (datetime.date(2024, m, 1) for m in (1, 2, 3))
    d = Decimal
    rows = [
        ("a", jan, d(100)), ("a", feb, d(150)), ("a", mar, d(120)),  # expands, contracts
        ("b", jan, d(500)),  # the largest once, churned in February
        ("c", feb, d(30)), ("c", mar, d(30)),
        ("e", mar, d(120)),  # as large as a now, smaller peak
    ]  # fmt: skip
    data = dataset_of(rows, attributes={"plan": ["p", "p", "q", "r", "s", "s", "t"]})
    found = customer_directory(data, limit=3)
    assert found.total == 4
    summary = found.customers.to_pylist()
    # By MRR in March, then by peak: a (120, peak 150), e (120), c (30); b (0) left out.
    assert [r["customer_id"] for r in summary] == ["a", "e", "c"]
    assert [r["mrr"] for r in summary] == [d(120), d(120), d(30)]
    assert summary[0]["last_movement"] == "contraction" and summary[0]["plan"] == "q"
    months = [r for r in found.months.to_pylist() if r["customer_id"] == "a"]
    assert [(r["movement"], r["amount"]) for r in months] == [
        ("none", d(0)),
        ("expansion", d(50)),
        ("contraction", d(30)),
    ]
    assert {r["customer_id"] for r in found.months.to_pylist()} == {"a", "e", "c"}
