"""Tests of load() on subscription periods: the snapshot convention of METRICS.md §1.

Last-day snapshot (default): a subscription [start, end) counts in month M when
start <= last day of M < end. First-day snapshot: when start <= first day of M < end.
Every expected month below is worked out from that rule in a comment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revenue_retention.canonical import Dataset, load
from revenue_retention.errors import OptionError
from revenue_retention.periods import month_label

HEADER = "customer_id,start_date,end_date,mrr"


def write_periods(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("".join(f"{line}\n" for line in (header, *rows)))
    return path


def mrr_by_month(data: Dataset) -> dict[tuple[str, str], Decimal]:
    rows = data.table.to_pyarrow().to_pylist()
    result = {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in rows}
    assert len(result) == len(rows), "one row per customer and month"
    return result


def test_a_period_across_a_year_end(tmp_path: Path) -> None:
    # start 2018-11-01, end 2019-02-01 (exclusive):
    #   Nov 30 2018, Dec 31 2018, Jan 31 2019 are >= start and < end -> counted;
    #   Feb 28 2019 is not < Feb 1 -> not counted.
    # (Every row has an end, which may be scheduled: by default the analysis would stop
    # at the latest start; the snapshot rule is checked over the whole range here.)
    data = load(
        write_periods(tmp_path / "subs.csv", "a,2018-11-01,2019-02-01,100"), as_of="2019-02"
    )
    assert data.report.layout == "periods"
    assert mrr_by_month(data) == {
        ("a", "2018-11"): 100,
        ("a", "2018-12"): 100,
        ("a", "2019-01"): 100,
    }
    # The range ends at the month of the latest date (the end, Feb 2019): MRR 0 there.
    assert str(data.months) == "2018-11 to 2019-02"


def test_a_one_month_period(tmp_path: Path) -> None:
    # start 2017-09-01, end 2017-10-01: Sep 30 < Oct 1 -> Sep; Oct 31 is not < Oct 1.
    data = load(write_periods(tmp_path / "subs.csv", "a,2017-09-01,2017-10-01,5"), as_of="2017-10")
    assert mrr_by_month(data) == {("a", "2017-09"): 5}
    assert str(data.months) == "2017-09 to 2017-10"


def test_mid_month_start_and_an_end_on_the_last_day(tmp_path: Path) -> None:
    # start 2024-01-15, end 2024-03-31:
    #   Jan 31 >= Jan 15 and < Mar 31 -> Jan; Feb 29 -> Feb;
    #   Mar 31 is not < Mar 31 -> not March.
    data = load(write_periods(tmp_path / "subs.csv", "a,2024-01-15,2024-03-31,40"), as_of="2024-03")
    assert mrr_by_month(data) == {("a", "2024-01"): 40, ("a", "2024-02"): 40}
    assert str(data.months) == "2024-01 to 2024-03"


def test_a_period_inside_one_month_counts_nowhere(tmp_path: Path) -> None:
    # z: start Jan 10, end Jan 20: Jan 31 is not < Jan 20 -> no month.
    # a: start Jan 1, end Mar 1: Jan 31, Feb 29 < Mar 1 -> Jan, Feb.
    path = write_periods(
        tmp_path / "subs.csv", "z,2024-01-10,2024-01-20,7", "a,2024-01-01,2024-03-01,3"
    )
    data = load(path, as_of="2024-03")
    assert mrr_by_month(data) == {("a", "2024-01"): 3, ("a", "2024-02"): 3}
    assert data.report.rows_accepted == 2


def test_an_empty_end_runs_to_the_end_of_the_range(tmp_path: Path) -> None:
    # The range ends at the latest start or end date: b's end, 2024-04-01 -> April.
    # a: start Jan 10, no end -> Jan 31 >= Jan 10, active through April: Jan .. Apr.
    # b: start Jan 1, end Apr 1 -> Jan 31, Feb 29, Mar 31 < Apr 1; Apr 30 is not.
    path = write_periods(tmp_path / "subs.csv", "a,2024-01-10,,50", "b,2024-01-01,2024-04-01,20")
    data = load(path)
    assert str(data.months) == "2024-01 to 2024-04"
    assert mrr_by_month(data) == {
        ("a", "2024-01"): 50,
        ("a", "2024-02"): 50,
        ("a", "2024-03"): 50,
        ("a", "2024-04"): 50,
        ("b", "2024-01"): 20,
        ("b", "2024-02"): 20,
        ("b", "2024-03"): 20,
    }


def test_the_range_ends_at_the_latest_start_when_it_is_the_latest_date(tmp_path: Path) -> None:
    # Dates: a 2024-01-01 .. 2024-02-01, b starts 2024-05-20 with no end -> latest is May.
    # a: Jan 31 < Feb 1 -> Jan. b: May 31 >= May 20 -> May.
    path = write_periods(tmp_path / "subs.csv", "a,2024-01-01,2024-02-01,10", "b,2024-05-20,,30")
    data = load(path)
    assert str(data.months) == "2024-01 to 2024-05"
    assert mrr_by_month(data) == {("a", "2024-01"): 10, ("b", "2024-05"): 30}


def test_overlapping_subscriptions_of_a_customer_are_summed(tmp_path: Path) -> None:
    # sub 1: Jan 1 .. Apr 1, 100 -> Jan, Feb, Mar.
    # sub 2: Feb 15 .. Mar 15, 30 -> Jan 31 < Feb 15: not Jan; Feb 29 in [Feb 15, Mar 15): Feb;
    #        Mar 31 is not < Mar 15: not Mar.
    # Jan 100; Feb 100 + 30 = 130; Mar 100.
    path = write_periods(
        tmp_path / "subs.csv",
        "a,2024-01-01,2024-04-01,100",
        "a,2024-02-15,2024-03-15,30",
        header="customer_id,start_date,end_date,mrr",
    )
    data = load(path, as_of="2024-04")
    assert mrr_by_month(data) == {
        ("a", "2024-01"): 100,
        ("a", "2024-02"): 130,
        ("a", "2024-03"): 100,
    }


def test_a_start_on_the_last_day_counts_that_month(tmp_path: Path) -> None:
    # start 2024-01-31T23:00 (date Jan 31): Jan 31 >= Jan 31 -> Jan; end Feb 15: Feb 29 is not
    # < Feb 15 -> Jan only.
    path = write_periods(tmp_path / "subs.csv", "a,2024-01-31T23:00:00,2024-02-15,9")
    assert mrr_by_month(load(path)) == {("a", "2024-01"): 9}


@pytest.fixture
def two_subscriptions(tmp_path: Path) -> Path:
    return write_periods(
        tmp_path / "subs.csv",
        "a,2024-01-15,2024-04-01,10",
        "b,2024-01-01,2024-03-15,1",
    )


def test_first_day_snapshot(two_subscriptions: Path) -> None:
    # a: [Jan 15, Apr 1): Jan 1 < Jan 15 no; Feb 1, Mar 1 yes; Apr 1 is not < Apr 1 -> Feb, Mar.
    # b: [Jan 1, Mar 15): Jan 1, Feb 1, Mar 1 yes -> Jan, Feb, Mar.
    data = load(two_subscriptions, snapshot="first", as_of="2024-04")
    assert mrr_by_month(data) == {
        ("a", "2024-02"): 10,
        ("a", "2024-03"): 10,
        ("b", "2024-01"): 1,
        ("b", "2024-02"): 1,
        ("b", "2024-03"): 1,
    }
    assert data.report.snapshot == "first"
    assert data.report.to_dict()["snapshot"] == "first day of month"


def test_last_day_snapshot_is_the_default(two_subscriptions: Path) -> None:
    # a: [Jan 15, Apr 1): Jan 31, Feb 29, Mar 31 -> Jan, Feb, Mar.
    # b: [Jan 1, Mar 15): Jan 31, Feb 29 -> Jan, Feb; Mar 31 is not < Mar 15.
    data = load(two_subscriptions, as_of="2024-04")
    assert mrr_by_month(data) == {
        ("a", "2024-01"): 10,
        ("a", "2024-02"): 10,
        ("a", "2024-03"): 10,
        ("b", "2024-01"): 1,
        ("b", "2024-02"): 1,
    }
    assert data.report.snapshot == "last"


def test_as_of_caps_periods_and_open_subscriptions(tmp_path: Path) -> None:
    # Range without as_of: Jan .. Jun (b's end). as_of Mar caps it to Jan .. Mar.
    # a: open from Jan 1 -> Jan, Feb, Mar. b: [Jan 1, Jun 1) -> Jan, Feb, Mar within the cap.
    # c: starts Apr 10, after as_of -> nothing.
    path = write_periods(
        tmp_path / "subs.csv",
        "a,2024-01-01,,5",
        "b,2024-01-01,2024-06-01,7",
        "c,2024-04-10,,11",
    )
    data = load(path, as_of="2024-03")
    assert str(data.months) == "2024-01 to 2024-03"
    assert str(data.report.data_months) == "2024-01 to 2024-06"
    assert mrr_by_month(data) == {
        ("a", "2024-01"): 5,
        ("a", "2024-02"): 5,
        ("a", "2024-03"): 5,
        ("b", "2024-01"): 7,
        ("b", "2024-02"): 7,
        ("b", "2024-03"): 7,
    }


def test_as_of_before_the_first_start_is_an_option_error(tmp_path: Path) -> None:
    path = write_periods(tmp_path / "subs.csv", "a,2024-01-01,,5")
    with pytest.raises(OptionError, match="as_of"):
        load(path, as_of="2023-06")


def test_attributes_are_kept_per_month(tmp_path: Path) -> None:
    path = write_periods(
        tmp_path / "subs.csv",
        "a,2024-01-01,2024-03-01,10,pro",
        "b,2024-02-01,,4,basic",
        header="Customer ID,Start Date,End Date,MRR,Plan",
    )
    data = load(path)
    assert data.attributes == ("Plan",)
    rows = data.table.order_by(["customer_id", "month_index"]).to_pyarrow().to_pylist()
    # a: Jan, Feb (Feb 29 < Mar 1). b: Feb, Mar (range ends at a's end, March).
    assert [(r["customer_id"], month_label(r["month_index"]), r["Plan"]) for r in rows] == [
        ("a", "2024-01", "pro"),
        ("a", "2024-02", "pro"),
        ("b", "2024-02", "basic"),
        ("b", "2024-03", "basic"),
    ]


def test_parquet_date_columns_match_the_csv(tmp_path: Path) -> None:
    csv = write_periods(
        tmp_path / "subs.csv",
        "a,2024-01-15,2024-03-31,12.50",
        "b,2024-02-01,,3.25",
    )
    table = pa.table(
        {
            "customer_id": ["a", "b"],
            "start_date": [dt.date(2024, 1, 15), dt.date(2024, 2, 1)],
            "end_date": pa.array([dt.date(2024, 3, 31), None], type=pa.date32()),
            "mrr": pa.array([Decimal("12.50"), Decimal("3.25")], type=pa.decimal128(10, 2)),
        }
    )
    pq.write_table(table, tmp_path / "subs.parquet")
    # a: Jan 31, Feb 29 in [Jan 15, Mar 31) -> Jan, Feb. Range ends in March (a's end).
    # b: open from Feb 1 -> Feb, Mar.
    expected = {
        ("a", "2024-01"): Decimal("12.50"),
        ("a", "2024-02"): Decimal("12.50"),
        ("b", "2024-02"): Decimal("3.25"),
        ("b", "2024-03"): Decimal("3.25"),
    }
    from_csv = load(csv)
    from_parquet = load(tmp_path / "subs.parquet")
    assert mrr_by_month(from_csv) == expected
    assert mrr_by_month(from_parquet) == expected
    assert from_parquet.months == from_csv.months


def test_where_every_row_has_an_end_the_default_as_of_is_the_last_month_observed(
    tmp_path: Path,
) -> None:
    # Fixed terms: every row has an end, so an end may be scheduled. The latest start is
    # 2024-06-13; June's last day is not observed (a customer renewing after the 13th is
    # not in the file yet), so the analysis ends at 2024-05, with a warning naming
    # --as-of. The data itself runs to 2025-06 (the month b's term ends).
    path = write_periods(
        tmp_path / "terms.csv",
        "a,2023-05-01,2024-05-01,100",
        "a,2024-05-01,2025-05-01,100",
        "b,2024-06-13,2025-06-13,50",
    )
    data = load(path)
    assert str(data.months) == "2023-05 to 2024-05"
    assert str(data.report.data_months) == "2023-05 to 2025-06"
    assert data.report.observed_through == dt.date(2024, 6, 13)
    (warning,) = [w for w in data.report.warnings if "--as-of" in w]
    assert "2024-06-13" in warning and "ends at 2024-05" in warning
    assert "--as-of 2025-06" in warning
    assert data.report.to_dict()["observed_last_month"] == "2024-05"
    # The first-day snapshot observes June 1st: June is analysed.
    assert str(load(path, snapshot="first").months) == "2023-05 to 2024-06"


def test_open_subscriptions_make_end_dates_events(tmp_path: Path) -> None:
    # A file that leaves a running subscription open writes an end once one has ended:
    # b's end (2024-08-20) happened, and is the latest event. Nothing is known to change
    # after it, so August counts as it stands then: the range runs to 2024-08.
    path = write_periods(tmp_path / "subs.csv", "a,2024-01-10,,50", "b,2024-01-01,2024-08-20,20")
    data = load(path)
    assert str(data.months) == "2024-01 to 2024-08"
    assert not [w for w in data.report.warnings if "--as-of" in w]
    assert mrr_by_month(data)[("a", "2024-08")] == 50
    assert ("b", "2024-08") not in mrr_by_month(data)  # Aug 31 is not before Aug 20


def test_an_end_named_as_an_event_counts_as_observed(tmp_path: Path) -> None:
    # 'cancelled_at' records that a cancellation happened: the data observed 2024-03-10,
    # and with every row ended the range still runs to March (no scheduled end in it).
    path = write_periods(
        tmp_path / "subs.csv",
        "a,2024-01-01,2024-03-10,10",
        "b,2024-01-01,2024-02-15,5",
        header="customer_id,start_date,cancelled_at,mrr",
    )
    data = load(path)
    assert str(data.months) == "2024-01 to 2024-03"
    assert data.report.observed_through == dt.date(2024, 3, 10)
