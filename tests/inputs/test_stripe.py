"""Tests of the Stripe exports: detection, column roles and the billing rules, by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from revenue_retention import compute_metrics, load
from revenue_retention.canonical.billing import interval_factor
from revenue_retention.datasets import example_path
from revenue_retention.engine import connect
from revenue_retention.errors import BadRowsError, SourceError
from revenue_retention.inputs import read_source
from revenue_retention.periods import month_label

SUBSCRIPTIONS = (
    "id,Customer ID,Status,Created (UTC),Start Date (UTC),Trial End (UTC),Canceled At (UTC),"
    "Ended At (UTC),Quantity,Interval,Interval Count,Amount,Currency,Percent Off,Amount Off"
)
LINES = (
    "id,Invoice Date (UTC),Invoice Status,Customer ID,Type,Proration,Quantity,Unit Amount,"
    "Amount,Discount Amount,Tax Amount,Currency,Period Start (UTC),Period End (UTC)"
)


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def mrr_of(data_path: Path) -> dict[tuple[str, str], Decimal]:
    rows = load(data_path).table.to_pyarrow().to_pylist()
    return {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in rows}


def subscription(tmp_path: Path, row: str) -> dict[tuple[str, str], Decimal]:
    # A second, plain subscription keeps the months going to 2024-06.
    anchor = "sub_z,cus_z,active,2024-01-01,2024-01-01,,,,1,month,1,1.00,usd,,"
    ender = "sub_y,cus_y,canceled,2024-06-01,2024-06-01,,,2024-06-10,1,month,1,1.00,usd,,"
    return mrr_of(write_csv(tmp_path / "subs.csv", SUBSCRIPTIONS, anchor, ender, row))


# --- detection ------------------------------------------------------------------------------


def test_the_exports_are_recognised_by_their_header() -> None:
    con = connect()
    subs = read_source(example_path("stripe_subscriptions.csv"), con)
    lines = read_source(example_path("stripe_invoice_lines.csv"), con)
    plain = read_source(example_path("invoice_lines.csv"), con)
    assert (subs.adapter, subs.layout) == ("stripe-subscriptions", "periods")
    assert (lines.adapter, lines.layout) == ("stripe-invoice-lines", "invoices")
    assert plain.adapter == "csv"
    assert subs.roles is not None and subs.roles["start_date"] == "Start Date (UTC)"
    assert lines.roles is not None and lines.roles["end_date"] == "Period End (UTC)"


def test_an_incomplete_export_names_the_columns_it_lacks(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "subs.csv", "Customer ID,Status,Interval", "cus_1,active,month")
    with pytest.raises(SourceError, match="no column for start_date, unit_price"):
        load(path, input_format="stripe-subscriptions")


# --- subscriptions: the rules one by one ------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "count", "amount", "mrr"),
    [
        ("month", "1", "49.00", "49"),
        ("year", "1", "1200.00", "100"),
        ("month", "3", "300.00", "100"),
        ("week", "1", "10.00", "43.333333"),  # 10 x 52 / 12, rounded half up
        ("year", "2", "100.00", "4.166667"),  # 100 / 24
        ("day", "1", "1.00", "30.416667"),  # 365 / 12
    ],
)
def test_intervals_are_normalised_to_a_month(
    tmp_path: Path, interval: str, count: str, amount: str, mrr: str
) -> None:
    row = f"sub_a,cus_a,active,2024-01-01,2024-01-01,,,,1,{interval},{count},{amount},usd,,"
    assert subscription(tmp_path, row)[("cus_a", "2024-03")] == Decimal(mrr)


def test_interval_factors() -> None:
    assert interval_factor("annual") == (1, 12)
    assert interval_factor("week", 2) == (52, 24)


def test_quantity_and_coupons(tmp_path: Path) -> None:
    # 5 seats x 20.00 = 100.00, 25% off: 75.00; a 30.00 amount off a 20.00 plan: 0, not -10.
    rows = subscription(
        tmp_path, "sub_a,cus_a,active,2024-01-01,2024-01-01,,,,5,month,1,20,usd,25,"
    )
    assert rows[("cus_a", "2024-02")] == Decimal(75)
    rows = subscription(
        tmp_path, "sub_b,cus_b,active,2024-01-01,2024-01-01,,,,1,month,1,20,usd,,30"
    )
    assert rows[("cus_b", "2024-02")] == Decimal(0)


def test_a_blank_quantity_is_one(tmp_path: Path) -> None:
    rows = subscription(tmp_path, "sub_a,cus_a,active,2024-01-01,2024-01-01,,,,,month,1,20,usd,,")
    assert rows[("cus_a", "2024-02")] == Decimal(20)


def test_a_trial_is_not_revenue(tmp_path: Path) -> None:
    # Created in January, trial until 2024-03-10: counted from March (the last-day rule).
    row = "sub_a,cus_a,active,2024-01-15,2024-01-15,2024-03-10,,,1,month,1,50,usd,,"
    rows = subscription(tmp_path, row)
    assert ("cus_a", "2024-02") not in rows
    assert rows[("cus_a", "2024-03")] == Decimal(50)


def test_a_cancellation_ends_the_subscription(tmp_path: Path) -> None:
    ended = "sub_a,cus_a,canceled,2024-01-01,2024-01-01,,2024-02-20,2024-03-15,1,month,1,50,usd,,"
    rows = subscription(tmp_path, ended)  # Ended At wins over Canceled At
    assert rows[("cus_a", "2024-02")] == Decimal(50)
    assert ("cus_a", "2024-03") not in rows
    canceled = "sub_b,cus_b,canceled,2024-01-01,2024-01-01,,2024-02-20,,1,month,1,50,usd,,"
    rows = subscription(tmp_path, canceled)  # no Ended At: Canceled At
    assert rows[("cus_b", "2024-01")] == Decimal(50)
    assert ("cus_b", "2024-02") not in rows


def test_never_paid_subscriptions_are_excluded_and_reported(tmp_path: Path) -> None:
    row = "sub_a,cus_a,incomplete_expired,2024-01-01,2024-01-01,,,,1,month,1,30,usd,,"
    path = write_csv(tmp_path / "subs.csv", SUBSCRIPTIONS, row)
    data = load(path)
    assert data.table.mrr.sum().to_pyarrow().as_py() == 0
    assert data.report.excluded == {"never paid (status)": {"rows": 1, "money": "30.00"}}
    assert data.report.rows_accepted == 1 and data.report.money_accepted == Decimal(30)


def test_a_bad_interval_is_a_bad_row(tmp_path: Path) -> None:
    bad = "sub_a,cus_a,active,2024-01-01,2024-01-01,,,,1,fortnight,1,30,usd,,"
    zero = "sub_b,cus_b,active,2024-01-01,2024-01-01,,,,1,month,0,30,usd,,"
    path = write_csv(tmp_path / "subs.csv", SUBSCRIPTIONS, bad, zero)
    with pytest.raises(BadRowsError) as error:
        load(path)
    message = str(error.value)
    assert "line 2, column 'Interval': 'fortnight'" in message
    assert "line 3, column 'Interval'" in message
    assert "[invalid_interval]" in message


def test_the_subscriptions_example_by_hand() -> None:
    data = load(example_path("stripe_subscriptions.csv"))
    mrr = {
        (r["customer_id"], month_label(r["month_index"])): r["mrr"]
        for r in data.table.to_pyarrow().to_pylist()
    }
    # Acme: Starter 49 from January, the quarterly add-on 300 / 3 = 100 from March.
    assert (mrr[("cus_PA01", "2024-02")], mrr[("cus_PA01", "2024-03")]) == (49, 149)
    assert mrr[("cus_PB02", "2024-01")] == 100  # 1200 a year; Tax Percent is not added
    assert mrr[("cus_PC03", "2024-02")] == 80  # 5 x 20.00 less 20%
    assert ("cus_PC03", "2024-05") not in mrr  # ended 2024-05-10
    assert mrr[("cus_PD04", "2024-03")] == Decimal("43.333333")  # 10 a week
    assert ("cus_PE05", "2024-04") not in mrr and mrr[("cus_PE05", "2024-05")] == 99  # trial
    assert str(data.months) == "2024-01 to 2024-05"
    result = compute_metrics(data, window_months=[1])
    may = result.bridge.to_pylist()[-1]
    assert (may["new"], may["churn"], may["closing_mrr"]) == (99, 80, Decimal("391.333333"))


# --- invoice line items ------------------------------------------------------------------------


def test_the_invoice_lines_example_by_hand() -> None:
    # The latest invoice is dated 2024-04-05: April's last day is not observed (Cobalt's
    # line runs to April 10, and a renewal billed after the export would not be in it),
    # so the analysis ends at 2024-03 by default; April is asked for here.
    assert str(load(example_path("stripe_invoice_lines.csv")).months) == "2024-01 to 2024-03"
    data = load(example_path("stripe_invoice_lines.csv"), as_of="2024-04")
    mrr = {
        (r["customer_id"], month_label(r["month_index"])): r["mrr"]
        for r in data.table.to_pyarrow().to_pylist()
    }
    assert mrr[("cus_PA01", "2024-01")] == 49  # tax 4.90 not counted
    assert mrr[("cus_PB02", "2024-03")] == 100  # an annual line spread: 1200 / 12
    assert mrr[("cus_PC03", "2024-02")] == 80  # 100.00 less the 20.00 discount
    assert ("cus_PC03", "2024-04") not in mrr  # the last line ended 2024-04-10
    assert mrr.get(("cus_PE05", "2024-04"), 0) == 0  # a void invoice
    assert data.report.excluded == {
        "one-off invoice item": {"rows": 1, "money": "250.00"},
        "proration": {"rows": 1, "money": "-20.00"},
        "void or draft invoice": {"rows": 1, "money": "99.00"},
    }
    # Money read is the file's Amount column, each row accepted or rejected.
    assert data.report.money_read == Decimal("1925.00") == data.report.money_accepted
    result = compute_metrics(data, window_months=[1])
    april = result.bridge.to_pylist()[-1]
    assert (april["opening_mrr"], april["churn"], april["closing_mrr"]) == (229, 80, 149)


def test_amount_excluding_tax_is_preferred(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "lines.csv",
        "Customer ID,Amount,Amount Excluding Tax,Period Start (UTC),Period End (UTC)",
        "cus_a,120.00,100.00,2024-01-01 00:00,2024-02-01 00:00",
    )
    assert mrr_of(path) == {("cus_a", "2024-01"): Decimal(100)}


def test_a_negative_subscription_line_is_a_bad_row_but_a_credit_proration_is_not(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path / "lines.csv",
        LINES,
        "il_1,2024-01-01,paid,cus_a,subscription,false,1,10,10,0,0,usd,2024-01-01,2024-02-01",
        "il_2,2024-01-15,paid,cus_a,invoiceitem,true,1,-5,-5,0,0,usd,2024-01-15,2024-02-01",
        "il_3,2024-01-01,paid,cus_b,subscription,false,1,-10,-10,0,0,usd,2024-01-01,2024-02-01",
    )
    with pytest.raises(BadRowsError) as error:
        load(path)
    assert "line 4, column 'Amount': '-10'" in str(error.value)
    assert "line 3" not in str(error.value)


def test_an_annual_invoice_line_is_the_same_every_month(tmp_path: Path) -> None:
    # 1000.00 for a year: 83.333333 in each of its 12 months (never 83.34 then 83.33, a
    # contraction that did not happen); the 0.000004 left is the spread residual.
    path = write_csv(
        tmp_path / "lines.csv",
        LINES,
        "il_1,2024-01-01 00:00,paid,cus_a,subscription,false,1,1000.00,1000.00,0.00,0.00,"
        "usd,2024-01-01 00:00,2025-01-01 00:00",
    )
    data = load(path, as_of="2024-12")
    assert set(mrr_of_data(data).values()) == {Decimal("83.333333")}
    assert len(mrr_of_data(data)) == 12
    assert data.report.money_spread_residual == Decimal("0.000004")
    bridge = compute_metrics(data, window_months=[1]).bridge.to_pylist()
    assert {(r["expansion"], r["contraction"]) for r in bridge} == {(0, 0)}


def mrr_of_data(data: object) -> dict[tuple[str, str], Decimal]:
    rows = data.table.to_pyarrow().to_pylist()  # type: ignore[attr-defined]
    return {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in rows}


def test_a_renewal_dates_the_subscriptions_export(tmp_path: Path) -> None:
    # The only subscription was created 2024-01-05, but its current period started
    # 2024-05-05: the export was taken after that renewal, so May is analysed.
    header = SUBSCRIPTIONS + ",Current Period Start (UTC)"
    path = write_csv(
        tmp_path / "subs.csv",
        header,
        "sub_a,cus_a,active,2024-01-05,2024-01-05,,,,1,month,1,49.00,usd,,,2024-05-05 09:12",
    )
    data = load(path)
    assert data.report.observed_through is not None
    assert data.report.observed_through.isoformat() == "2024-05-05"
    assert str(data.months) == "2024-01 to 2024-05"


def test_the_cancellation_reason_splits_churn(tmp_path: Path) -> None:
    # Stripe's export writes cancellation_details.reason as "Cancellation Reason": the one
    # column kept besides the roles, read as the churn reason (analyses.churn_reasons).
    from revenue_retention.analyses.churn_reasons import churn_by_reason, reason_column

    header = f"{SUBSCRIPTIONS},Cancellation Reason"
    path = write_csv(
        tmp_path / "subs.csv",
        header,
        "sub_z,cus_z,active,2024-01-01,2024-01-01,,,,1,month,1,1.00,usd,,,",
        "sub_y,cus_y,canceled,2024-06-01,2024-06-01,,,2024-06-10,1,month,1,1.00,usd,,,",
        "sub_a,cus_a,canceled,2024-01-01,2024-01-01,,2024-02-20,2024-03-15,1,month,1,50,usd,,,"
        "payment_failed",
        "sub_b,cus_b,canceled,2024-01-01,2024-01-01,,2024-02-20,2024-03-15,1,month,1,30,usd,,,"
        "cancellation_requested",
    )
    data = load(path)
    assert data.attributes == ("Cancellation Reason", "Status")
    column = reason_column(data)
    assert column == "Cancellation Reason"
    march = next(
        r
        for r in churn_by_reason(data, column).to_pyarrow().to_pylist()
        if month_label(r["month_index"]) == "2024-03"
    )
    assert (march["churn_involuntary"], march["churn_voluntary"]) == (Decimal(50), Decimal(30))
    assert march["churn"] == Decimal(80)


def test_a_paused_subscription_counts_until_its_last_renewal(tmp_path: Path) -> None:
    """Stripe pauses a subscription whose renewal payment failed (the periods before were
    paid) or whose trial ended without a payment method (it never paid). By hand: a paid
    from 2024-01-01 and renewed monthly to its current period, 2024-04-01, whose invoice
    failed: Jan-Mar at 40, churned in April. b's trial ended 2024-02-01, its current period
    starts then: never paid, excluded as paused. c has no renewal date: excluded too."""
    header = SUBSCRIPTIONS + ",Current Period Start (UTC)"
    path = write_csv(
        tmp_path / "subs.csv",
        header,
        "sub_z,cus_z,active,2024-01-01,2024-01-01,,,,1,month,1,1.00,usd,,,2024-06-01",
        "sub_a,cus_a,paused,2024-01-01,2024-01-01,,,,1,month,1,40,usd,,,2024-04-01",
        "sub_b,cus_b,paused,2024-01-01,2024-01-01,2024-02-01,,,1,month,1,25,usd,,,2024-02-01",
        "sub_c,cus_c,paused,2024-01-01,2024-01-01,,,,1,month,1,15,usd,,,",
    )
    data = load(path)
    rows = mrr_of_data(data)
    assert [rows.get(("cus_a", m)) for m in ("2024-01", "2024-02", "2024-03", "2024-04")] == [
        Decimal(40),
        Decimal(40),
        Decimal(40),
        None,
    ]
    # Excluded rows are kept with no MRR (their money is in the input report).
    assert not any(v for (c, _), v in rows.items() if c in ("cus_b", "cus_c"))
    assert data.report.excluded == {"paused": {"rows": 2, "money": "40.00"}}
    april = next(
        r
        for r in compute_metrics(data, window_months=1).bridge.to_pylist()
        if month_label(r["month_index"]) == "2024-04"
    )
    assert april["churn"] == Decimal(40)
    # Its status is kept: the churn is a pause (docs/metrics.md 4.16).
    from revenue_retention.analyses.churn_reasons import churn_by_reason, reason_column

    assert data.attributes == ("Status",) and reason_column(data) == "Status"
    split = next(
        r
        for r in churn_by_reason(data, "Status").to_pyarrow().to_pylist()
        if month_label(r["month_index"]) == "2024-04"
    )
    assert (split["churn_paused"], split["churn_excluding_paused"]) == (Decimal(40), Decimal(0))


def test_the_status_says_why_where_the_cancellation_reason_is_blank(tmp_path: Path) -> None:
    """a cancelled for a failed payment (its reason), b paused after a failed renewal (no
    reason, status paused), c cancelled with no reason given (status canceled: voluntary)."""
    header = f"{SUBSCRIPTIONS},Current Period Start (UTC),Cancellation Reason"
    path = write_csv(
        tmp_path / "subs.csv",
        header,
        "sub_z,cus_z,active,2024-01-01,2024-01-01,,,,1,month,1,1.00,usd,,,2024-06-01,",
        "sub_a,cus_a,canceled,2024-01-01,2024-01-01,,,2024-03-15,1,month,1,50,usd,,,"
        "2024-03-01,payment_failed",
        "sub_b,cus_b,paused,2024-01-01,2024-01-01,,,,1,month,1,30,usd,,,2024-03-01,",
        "sub_c,cus_c,canceled,2024-01-01,2024-01-01,,,2024-03-20,1,month,1,20,usd,,,2024-03-01,",
    )
    from revenue_retention.analyses.churn_reasons import reason_column

    data = load(path)
    assert reason_column(data) == "Cancellation Reason"
    metrics = compute_metrics(data, window_months=1)
    assert metrics.churn_reasons is not None
    march = next(
        r for r in metrics.churn_reasons.to_pylist() if month_label(r["month_index"]) == "2024-03"
    )
    assert (march["churn_involuntary"], march["churn_paused"], march["churn_voluntary"]) == (
        Decimal(50),
        Decimal(30),
        Decimal(20),
    )
    assert march["churn"] == Decimal(100) and march["churn_unexplained"] == Decimal(0)
