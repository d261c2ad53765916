"""Tests of invoice lines with service periods: months covered and exact spreading."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revenue_retention import compute_metrics, load
from revenue_retention.canonical.layouts.invoices import spread_invoices, spread_residual
from revenue_retention.datasets import example_path
from revenue_retention.errors import BadRowsError
from revenue_retention.periods import month_label

HEADER = "customer_id,invoice_date,service_start,service_end,amount"


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def _lines(start: dt.date, end: dt.date, amount: str) -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "start_date": pa.array([start], pa.date32()),
                "end_date": pa.array([end], pa.date32()),
                "mrr": pa.array([Decimal(amount)], pa.decimal128(38, 6)),
            }
        )
    )


def spread(start: dt.date, end: dt.date, amount: str, snapshot: str = "last") -> dict[str, str]:
    table = _lines(start, end, amount)
    rows = spread_invoices(table, snapshot).order_by("month_index").to_pyarrow().to_pylist()  # type: ignore[arg-type]
    return {month_label(r["month_index"]): f"{r['mrr'].normalize():f}" for r in rows}


def residual(start: dt.date, end: dt.date, amount: str) -> Decimal:
    return spread_residual(_lines(start, end, amount)).to_pyarrow().as_py()


def test_an_annual_line_is_twelve_equal_months() -> None:
    months = spread(dt.date(2024, 1, 15), dt.date(2025, 1, 15), "12000.00")
    assert list(months) == [f"2024-{m:02d}" for m in range(1, 13)]
    assert set(months.values()) == {"1000"}


def test_a_line_flat_over_its_period_gives_the_same_mrr_every_month() -> None:
    # 1000.00 / 12 = 83.3333333...: 83.333333 at the money scale, in every month; the
    # 12 months hold 999.999996 and the 0.000004 left is the line's spread residual.
    months = spread(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "1000.00")
    assert months == {f"2024-{m:02d}": "83.333333" for m in range(1, 13)}
    assert residual(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "1000.00") == Decimal("0.000004")
    # 1000.00 / 3 = 333.333333 (rounded down): 0.000001 left.
    assert spread(dt.date(2024, 1, 1), dt.date(2024, 4, 1), "1000.00") == {
        "2024-01": "333.333333",
        "2024-02": "333.333333",
        "2024-03": "333.333333",
    }
    assert residual(dt.date(2024, 1, 1), dt.date(2024, 4, 1), "1000.00") == Decimal("0.000001")
    # 200.00 / 3 = 66.6666666...: rounded half up to 66.666667, 0.000001 more than the line.
    assert residual(dt.date(2024, 1, 1), dt.date(2024, 4, 1), "200.00") == Decimal("-0.000001")


def test_a_tiny_annual_line_pays_in_every_month_it_covers() -> None:
    # 0.01 / 12 = 0.00083333...: 0.000833 a month, never 0.01 in one month and 0 after.
    months = spread(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "0.01")
    assert months == {f"2024-{m:02d}": "0.000833" for m in range(1, 13)}
    assert residual(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "0.01") == Decimal("0.000004")
    # A millionth over a year rounds to 0: it keeps one millionth a month, so the customer
    # still pays in each month; the residual is then negative (1 - 12 millionths).
    months = spread(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "0.000001")
    assert set(months.values()) == {"0.000001"} and len(months) == 12
    assert residual(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "0.000001") == Decimal("-0.000011")


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
    end = start + dt.timedelta(days=days)
    months = spread(start, end, str(amount))
    shares = {Decimal(v) for v in months.values()}
    assert len(shares) == 1  # the same share in every month: no movement inside a line
    (share,) = shares
    # The share is the amount over the months, rounded half up to six places (at least
    # one millionth for a positive amount), and the residual is what that leaves.
    exact = amount / len(months)
    rounded = exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    assert share == (max(rounded, Decimal("0.000001")) if amount else Decimal(0))
    assert share * len(months) + residual(start, end, str(amount)) == amount


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
    # delta: 1000 for a year from Jan 10: 1000 / 12 = 83.333333 in every month of 2024.
    assert {mrr[("delta", f"2024-{m:02d}")] for m in range(1, 6)} == {Decimal("83.333333")}
    assert data.report.money_spread_residual == Decimal("0.000004")
    # The latest event is an invoice (and start) on 2024-06-01: June's last day is not
    # observed, so the analysis ends at 2024-05; lines billed ahead run to 2024-12.
    assert str(data.months) == "2024-01 to 2024-05"
    assert str(data.report.data_months) == "2024-01 to 2024-12"
    assert data.report.observed_through == dt.date(2024, 6, 1)
    assert any("--as-of 2024-12" in w and "2024-06-01" in w for w in data.report.warnings)
    result = compute_metrics(data, window_months=[3])
    row = result.retention.to_pylist()[-1]  # 2024-05 against 2024-02
    # February: acme 1000, borealis 1000, cobalt 400, delta 83.333333 = 2483.333333. May:
    # acme 1500, borealis 1100, cobalt 0, delta 83.333333 (ember is new): E = 2683.333333.
    assert row["starting_mrr"] == Decimal("2483.333333")
    assert row["ending_mrr"] == Decimal("2683.333333")
    assert (row["churn"], row["expansion"]) == (Decimal(400), Decimal(600))
    assert row["contraction"] == Decimal(0)  # delta's line is flat: no movement inside it


def test_an_annual_line_alone_shows_no_movement(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "acme.csv",
        "customer_id,service_start,service_end,amount",
        "acme,2024-01-01,2024-12-31,1000.00",
    )
    data = load(path, as_of="2024-12")
    result = compute_metrics(data, window_months=[1])
    for month in result.bridge.to_pylist():
        assert (month["expansion"], month["contraction"], month["churn"]) == (0, 0, 0)
        assert month["closing_mrr"] == Decimal("83.333333")
    assert {r["grr"] for r in result.retention.to_pylist()} == {1.0}
    # Money read reconciles: twelve shares of 83.333333 plus the residual 0.000004.
    report = data.report.to_dict()
    assert report["money_accepted"] == "1000.00"
    assert report["money_spread_residual"] == "0.000004"
    # The terminal and the report name it beside the money read.
    import io

    from rich.console import Console

    from revenue_retention.analyses.overview import compute_overview
    from revenue_retention.outputs import render_metrics
    from revenue_retention.outputs.overview.report import render_report

    buffer = io.StringIO()
    render_metrics(result, Console(file=buffer, width=200))
    assert "leaving a residual of 0.000004" in buffer.getvalue()
    page = render_report(compute_overview(data, window_months=1, resamples=20))
    assert 'id="money-spread-residual">0.000004:' in page


def test_the_as_of_is_the_last_month_observed_with_or_without_invoice_dates(
    tmp_path: Path,
) -> None:
    # Annual terms paid in advance; the last one starts 2024-06-13, so the extract was
    # taken on or after that day but June's last day is not observed: the analysis ends
    # at 2024-05 whether or not an invoice date is given, with a warning that names
    # --as-of. Scheduled ends run to 2025-06.
    rows = [
        "a,2023-05-01,2024-04-30,1200",
        "a,2024-05-01,2025-04-30,1200",
        "b,2024-06-13,2025-06-13,600",
    ]
    plain = write_csv(tmp_path / "plain.csv", "customer_id,service_start,service_end,amount", *rows)
    dated = write_csv(
        tmp_path / "dated.csv",
        "customer_id,service_start,service_end,amount,invoice_date",
        *[f"{r},{r.split(',')[1]}" for r in rows],
    )
    for path in (plain, dated):
        data = load(path)
        assert str(data.months) == "2023-05 to 2024-05"
        assert str(data.report.data_months) == "2023-05 to 2025-05"
        (warning,) = [w for w in data.report.warnings if "--as-of" in w]
        assert "2024-06-13" in warning and "--as-of 2025-05" in warning
        # a's renewal keeps it: 12-month GRR, NRR and logo retention are all 100%.
        (row,) = compute_metrics(data, window_months=[12]).retention.to_pylist()[-1:]
        assert (row["grr"], row["nrr"], row["logo_retention"]) == (1.0, 1.0, 1.0)
    # Asking for a later month is allowed, and said to be past what the data observed.
    later = load(plain, as_of="2025-01")
    assert str(later.months) == "2023-05 to 2025-01"
    assert any("--as-of 2025-01 is after 2024-05" in w for w in later.report.warnings)


def test_an_invoice_after_the_latest_start_moves_the_as_of(tmp_path: Path) -> None:
    # Billed in arrears: the June invoice (dated June 30, the month's last day) is the
    # latest event, so June is observed.
    path = write_csv(
        tmp_path / "arrears.csv",
        HEADER,
        "a,2024-05-31,2024-05-01,2024-05-31,100",
        "a,2024-06-30,2024-06-01,2024-06-30,100",
    )
    assert str(load(path).months) == "2024-05 to 2024-06"


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
    # The whole period (the default as-of stops at the latest start's month, January).
    assert load(lines, as_of="2024-03").table.mrr.sum().to_pyarrow().as_py() == Decimal(300)
    assert load(periods).report.layout == "periods"
