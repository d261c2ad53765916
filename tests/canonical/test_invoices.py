"""Tests of invoice lines with service periods: months covered and exact spreading."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revenue_retention import compute_metrics, load
from revenue_retention.canonical.load import spread_invoices
from revenue_retention.datasets import example_path
from revenue_retention.errors import BadRowsError
from revenue_retention.periods import month_label

HEADER = "customer_id,invoice_date,service_start,service_end,amount"


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def spread(start: dt.date, end: dt.date, amount: str, snapshot: str = "last") -> dict[str, str]:
    table = ibis.memtable(
        pa.table(
            {
                "start_date": pa.array([start], pa.date32()),
                "end_date": pa.array([end], pa.date32()),
                "mrr": pa.array([Decimal(amount)], pa.decimal128(38, 6)),
            }
        )
    )
    rows = spread_invoices(table, snapshot).order_by("month_index").to_pyarrow().to_pylist()  # type: ignore[arg-type]
    return {month_label(r["month_index"]): f"{r['mrr'].normalize():f}" for r in rows}


def test_an_annual_line_is_twelve_equal_months() -> None:
    months = spread(dt.date(2024, 1, 15), dt.date(2025, 1, 15), "12000.00")
    assert list(months) == [f"2024-{m:02d}" for m in range(1, 13)]
    assert set(months.values()) == {"1000"}


def test_the_cents_that_do_not_divide_go_to_the_earliest_months() -> None:
    assert spread(dt.date(2024, 1, 1), dt.date(2024, 4, 1), "1000.00") == {
        "2024-01": "333.34",
        "2024-02": "333.33",
        "2024-03": "333.33",
    }
    # 10001 cents / 12 = 833 remainder 5: the first five months get a cent more.
    assert spread(dt.date(2024, 1, 1), dt.date(2025, 1, 1), "100.01") == {
        f"2024-{m:02d}": "8.34" if m <= 5 else "8.33" for m in range(1, 13)
    }


def test_an_amount_finer_than_cents_is_split_in_millionths() -> None:
    assert spread(dt.date(2024, 1, 1), dt.date(2024, 4, 1), "0.001") == {
        "2024-01": "0.000334",
        "2024-02": "0.000333",
        "2024-03": "0.000333",
    }


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        # exclusive ends, as billing systems write them
        (dt.date(2024, 1, 15), dt.date(2024, 2, 15), ["2024-01"]),
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29), ["2024-01"]),
        (dt.date(2024, 2, 29), dt.date(2024, 3, 31), ["2024-02"]),
        (dt.date(2024, 1, 1), dt.date(2024, 4, 1), ["2024-01", "2024-02", "2024-03"]),
        # first of a month to the last day of a month: inclusive
        (dt.date(2024, 1, 1), dt.date(2024, 3, 31), ["2024-01", "2024-02", "2024-03"]),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29), ["2024-02"]),
        # too short to contain a month end: the month it starts
        (dt.date(2024, 3, 5), dt.date(2024, 3, 20), ["2024-03"]),
        (dt.date(2024, 3, 5), dt.date(2024, 3, 5), ["2024-03"]),
    ],
)
def test_months_covered(start: dt.date, end: dt.date, months: list[str]) -> None:
    assert list(spread(start, end, "90.00")) == months


def test_the_first_day_snapshot_counts_the_months_whose_first_day_is_covered() -> None:
    assert list(spread(dt.date(2024, 1, 15), dt.date(2024, 4, 15), "30", "first")) == [
        "2024-02",
        "2024-03",
        "2024-04",
    ]


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)),
    days=st.integers(0, 800),
    cents=st.integers(0, 10**11),
    micro=st.booleans(),
)
def test_months_add_up_to_the_line_exactly(
    start: dt.date, days: int, cents: int, micro: bool
) -> None:
    amount = Decimal(cents) / (10**6 if micro else 100)
    months = spread(start, start + dt.timedelta(days=days), str(amount))
    assert sum(Decimal(v) for v in months.values()) == amount
    shares = sorted(Decimal(v) for v in months.values())
    unit = (
        Decimal("0.000001")
        if micro and amount != amount.quantize(Decimal("0.01"))
        else Decimal("0.01")
    )
    assert shares[-1] - shares[0] <= unit  # equal shares, one unit apart at most


def test_the_example_invoice_lines_by_hand() -> None:
    data = load(example_path("invoice_lines.csv"))
    assert data.report.layout == "invoices"
    rows = data.table.to_pyarrow().to_pylist()
    mrr = {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in rows}
    # acme: 12000 for 2024 (inclusive dates) = 1000 a month, + 1500 support for Apr-Jun
    # (500 a month).
    assert mrr[("acme", "2024-03")] == Decimal(1000)
    assert mrr[("acme", "2024-04")] == Decimal(1500)
    # borealis: 3000 for Jan 15 - Apr 15 (Jan, Feb, Mar), then 3300 for Apr-Jun.
    assert mrr[("borealis", "2024-03")] == Decimal(1000)
    assert mrr[("borealis", "2024-04")] == Decimal(1100)
    # delta: 1000 for a year from Jan 10: 100000 cents / 12 = 8333 remainder 4, so
    # 83.34 in January to April, 83.33 after.
    assert mrr[("delta", "2024-04")] == Decimal("83.34")
    assert mrr[("delta", "2024-05")] == Decimal("83.33")
    # The latest invoice date (June) ends the analysis; lines billed ahead run further.
    assert str(data.months) == "2024-01 to 2024-06"
    assert any("latest invoice date (2024-06)" in w for w in data.report.warnings)
    result = compute_metrics(data, windows=[3])
    row = result.retention.to_pylist()[-1]  # 2024-06 against 2024-03
    # March: acme 1000, borealis 1000, cobalt 400, delta 83.34 = 2483.34. June: acme 1500,
    # borealis 1100, cobalt 0, delta 83.33 (ember is new): E = 2683.33.
    assert row["starting_mrr"] == Decimal("2483.34")
    assert row["ending_mrr"] == Decimal("2683.33")
    assert (row["churn"], row["expansion"]) == (Decimal(400), Decimal(600))
    assert row["contraction"] == Decimal("0.01")


def test_a_line_must_say_what_it_covers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "inv.csv",
        HEADER,
        "a,2024-01-01,2024-01-01,2024-02-01,10",
        "b,2024-01-01,2024-01-01,,10",
        "c,2024-01-01,2024-03-01,2024-02-01,10",
    )
    with pytest.raises(BadRowsError) as error:
        load(path)
    message = str(error.value)
    assert "line 3, column 'service_end': (empty): the date is empty [missing_date]" in message
    assert "line 4, column 'service_end': '2024-02-01'" in message
    assert "[end_before_start]" in message


def test_service_dates_make_invoice_lines_but_plain_period_dates_stay_subscriptions(
    tmp_path: Path,
) -> None:
    lines = write_csv(
        tmp_path / "a.csv",
        "customer_id,service_start,service_end,amount",
        "a,2024-01-01,2024-04-01,300",
    )
    periods = write_csv(
        tmp_path / "b.csv", "customer_id,start_date,end_date,mrr", "a,2024-01-01,2024-04-01,300"
    )
    assert load(lines).report.layout == "invoices"
    assert load(lines).table.mrr.sum().to_pyarrow().as_py() == Decimal(300)
    assert load(periods).report.layout == "periods"
