"""Tests of load() on the long layout: summing line items, months, as_of, exactness, Parquet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revenue_retention.canonical import Dataset, load
from revenue_retention.errors import BadRowsError, InputError, OptionError
from revenue_retention.periods import month_index, month_label

HEADER = "customer_id,month,mrr"


def write_csv(path: Path, *lines: str) -> Path:
    """Write a CSV, one argument per line: the header is line 1, data row n is line n + 1."""
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def mrr_by_month(data: Dataset) -> dict[tuple[str, str], Decimal]:
    """The canonical table as ``{(customer_id, "YYYY-MM"): mrr}``, one entry per row."""
    rows = data.table.to_pyarrow().to_pylist()
    result = {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in rows}
    assert len(result) == len(rows), "one row per customer and month"
    return result


def canonical_rows(data: Dataset) -> list[dict[str, object]]:
    return data.table.order_by(["customer_id", "month_index"]).to_pyarrow().to_pylist()


# --- summing and attributes -----------------------------------------------------------------


def test_line_items_of_a_customer_month_are_summed(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "billing.csv",
        "customer_id,month,mrr,segment,product",
        "a,2024-01,100,smb,core",
        "a,2024-01,20.50,smb,addon",
        "b,2024-01,50,ent,core",
        "a,2024-02,130,smb,core",
    )
    data = load(path)
    assert mrr_by_month(data) == {
        ("a", "2024-01"): Decimal("120.50"),  # 100 + 20.50
        ("b", "2024-01"): Decimal("50"),
        ("a", "2024-02"): Decimal("130"),
    }
    assert data.attributes == ("segment",)
    segments = {(r["customer_id"], r["month_index"]): r["segment"] for r in canonical_rows(data)}
    assert set(segments.values()) == {"smb", "ent"}
    assert segments[("b", month_index(2024, 1))] == "ent"
    assert data.report.rows_read == 4
    assert data.report.rows_accepted == 4
    # 100 + 20.50 + 50 + 130 = 300.50
    assert data.report.money_read == Decimal("300.50")
    assert data.report.money_accepted == Decimal("300.50")
    assert data.report.money_rejected == 0
    assert data.report.adapter == "csv"
    assert data.report.layout == "long"
    assert data.report.path == str(path)


def test_the_canonical_table_has_the_spec_columns_and_types(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "billing.csv", HEADER, "007,2024-03-31,10", "7,2024-03,1")
    data = load(path)
    schema = data.table.schema()
    assert list(schema.names) == ["customer_id", "month_index", "period", "mrr"]
    assert schema["customer_id"].is_string()
    assert schema["period"].is_date()
    assert schema["mrr"].is_decimal()
    rows = canonical_rows(data)
    # Ids are text: "007" and "7" are two customers; a date in March is the month of March.
    assert [(r["customer_id"], r["period"], r["mrr"]) for r in rows] == [
        ("007", dt.date(2024, 3, 1), Decimal(10)),
        ("7", dt.date(2024, 3, 1), Decimal(1)),
    ]
    assert all(isinstance(r["mrr"], Decimal) for r in rows)


def test_months_may_be_written_as_month_date_or_timestamp(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "billing.csv",
        HEADER,
        "a,2024-01,1",
        "a,2024-02-15,2",
        "a,2024-03-31T23:59:59,3",
        "a,2024-04-01 00:00:00,4",
        "a,2024-05-20T10:30:00Z,5",
        "a,2024-06-30T08:00:00+02:00,6",
        "a,2024-07-01 12:00:00.123,7",
    )
    data = load(path)
    assert mrr_by_month(data) == {
        ("a", "2024-01"): 1,
        ("a", "2024-02"): 2,
        ("a", "2024-03"): 3,
        ("a", "2024-04"): 4,
        ("a", "2024-05"): 5,
        ("a", "2024-06"): 6,
        ("a", "2024-07"): 7,
    }


def test_the_month_range_runs_from_the_first_to_the_last_accepted_month(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "billing.csv",
        HEADER,
        "a,2024-01,0",  # an explicit zero still opens the range
        "a,2024-02,10",
        "b,2024-04,0",  # and an explicit zero closes it
        "z,2023-12,abc",  # rejected: does not move the range
        "z,2024-09,-1",  # rejected: does not move the range
    )
    data = load(path, on_bad_rows="reject")
    assert (data.months.first, data.months.last) == (month_index(2024, 1), month_index(2024, 4))
    assert str(data.months) == "2024-01 to 2024-04"
    assert data.report.months == data.months
    assert data.report.data_months == data.months
    assert mrr_by_month(data) == {
        ("a", "2024-01"): 0,
        ("a", "2024-02"): 10,
        ("b", "2024-04"): 0,
    }


def test_a_single_month_is_a_range_of_one(tmp_path: Path) -> None:
    data = load(write_csv(tmp_path / "billing.csv", HEADER, "a,2024-01,100"))
    assert list(data.months.months) == [month_index(2024, 1)]


def test_a_range_across_a_year_end(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "billing.csv", HEADER, "a,2023-11,1", "a,2024-02,1")
    data = load(path)
    # Nov, Dec, Jan, Feb: four months.
    assert [month_label(m) for m in data.months.months] == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]


# --- as_of --------------------------------------------------------------------------------


@pytest.fixture
def three_months(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "billing.csv",
        HEADER,
        "a,2024-01,10",
        "a,2024-02,20",
        "a,2024-03,30",
        "b,2024-03,5",
    )


@pytest.mark.parametrize("as_of", ["2024-02", dt.date(2024, 2, 1)])
def test_as_of_caps_the_range_and_ignores_later_rows(
    three_months: Path, as_of: str | dt.date
) -> None:
    data = load(three_months, as_of=as_of)
    assert str(data.months) == "2024-01 to 2024-02"
    # March rows (a 30, b 5) are outside the analysed range.
    assert mrr_by_month(data) == {("a", "2024-01"): 10, ("a", "2024-02"): 20}
    assert data.report.as_of == month_index(2024, 2)
    assert data.report.data_months.last == month_index(2024, 3)
    assert data.report.rows_read == 4
    summary = data.report.to_dict()
    assert (summary["first_month"], summary["last_month"]) == ("2024-01", "2024-02")
    assert (summary["data_last_month"], summary["as_of"]) == ("2024-03", "2024-02")


def test_as_of_after_the_data_changes_nothing(three_months: Path) -> None:
    data = load(three_months, as_of="2025-06")
    assert str(data.months) == "2024-01 to 2024-03"
    assert len(mrr_by_month(data)) == 4


def test_as_of_on_the_first_month_keeps_only_it(three_months: Path) -> None:
    data = load(three_months, as_of="2024-01")
    assert mrr_by_month(data) == {("a", "2024-01"): 10}


def test_as_of_before_the_first_month_is_an_option_error(three_months: Path) -> None:
    with pytest.raises(OptionError) as error:
        load(three_months, as_of="2023-12")
    assert error.value.parameter == "as_of"
    assert "2024-01" in str(error.value)


@pytest.mark.parametrize("as_of", ["2024-13", "Feb 2024", "2024/02", ""])
def test_a_malformed_as_of_is_an_option_error(three_months: Path, as_of: str) -> None:
    with pytest.raises(OptionError, match="as_of"):
        load(three_months, as_of=as_of)


# --- options and empty data -------------------------------------------------------------------


def test_an_unknown_snapshot_is_an_option_error(three_months: Path) -> None:
    with pytest.raises(OptionError, match="snapshot"):
        load(three_months, snapshot="middle")  # type: ignore[arg-type]


def test_an_unknown_on_bad_rows_is_an_option_error(three_months: Path) -> None:
    with pytest.raises(OptionError, match="on_bad_rows"):
        load(three_months, on_bad_rows="skip")  # type: ignore[arg-type]


def test_a_header_without_rows_has_nothing_to_compute(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no rows of data"):
        load(write_csv(tmp_path / "billing.csv", HEADER))


def test_only_rejected_rows_leave_nothing_to_compute(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "billing.csv", HEADER, "a,2024-01,abc", ",2024-01,1")
    # The message says why: every row, with its line and reason (line 2, then line 3).
    with pytest.raises(InputError, match=r"all 2 rows are invalid(.|\n)*line 2(.|\n)*line 3"):
        load(path, on_bad_rows="reject")


# --- lenient but exact number and date forms ----------------------------------------------------


def test_signs_bare_decimal_points_and_surrounding_spaces_are_accepted(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "billing.csv",
        HEADER,
        "a,2024-01,-0",
        "b,2024-01,+5",
        "c,2024-01,.5",
        "d,2024-01, 7 ",
        'e,2024-01," 8.25 "',
        "f, 2024-01 ,9",
        "g,  2024-01-31  ,10",
        "h,2024-01,0.123456",  # six places: the most money holds
        "i,2024-01,0000000000000000000000000000000000001",  # 36 leading zeros, value 1
        "j,2024-01," + "9" * 12,  # 12 integer digits: the largest accepted
    )
    data = load(path)
    assert data.report.rows_rejected == 0
    assert mrr_by_month(data) == {
        ("a", "2024-01"): Decimal(0),
        ("b", "2024-01"): Decimal(5),
        ("c", "2024-01"): Decimal("0.5"),
        ("d", "2024-01"): Decimal(7),
        ("e", "2024-01"): Decimal("8.25"),
        ("f", "2024-01"): Decimal(9),
        ("g", "2024-01"): Decimal(10),
        ("h", "2024-01"): Decimal("0.123456"),
        ("i", "2024-01"): Decimal(1),
        ("j", "2024-01"): Decimal("9" * 12),
    }


def test_trailing_zeros_past_six_places_are_not_rounding(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "billing.csv", HEADER, "a,2024-01,10.5000000")
    assert mrr_by_month(load(path)) == {("a", "2024-01"): Decimal("10.5")}


def test_amounts_that_could_overflow_a_total_are_rejected(tmp_path: Path) -> None:
    # 13 integer digits is past the 12-digit limit (amounts below a trillion per row).
    largest = "9" * 13
    path = write_csv(
        tmp_path / "billing.csv", HEADER, f"a,2024-01,{largest}", f"b,2024-01,{largest}"
    )
    with pytest.raises(BadRowsError, match="amount_too_large"):
        load(path)


# --- exactness ----------------------------------------------------------------------------


def test_decimal_amounts_sum_exactly(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "billing.csv",
        HEADER,
        "a,2024-01,0.1",
        "a,2024-01,0.2",
        *["b,2024-01,0.1"] * 10,
        "c,2024-01,0.000001",
        "c,2024-01,0.000002",
    )
    data = load(path)
    canonical = mrr_by_month(data)
    assert canonical[("a", "2024-01")] == Decimal("0.3")  # 0.1 + 0.2, not 0.30000000000000004
    assert canonical[("b", "2024-01")] == Decimal("1")  # ten times 0.1
    assert canonical[("c", "2024-01")] == Decimal("0.000003")
    # 0.3 + 1 + 0.000003 = 1.300003
    assert data.report.money_read == Decimal("1.300003")
    assert data.report.to_dict()["money_read"] == "1.300003"


def test_float_amounts_in_parquet_load_as_their_shortest_decimal(tmp_path: Path) -> None:
    table = pa.table(
        {
            "customer_id": ["a", "b", "b"],
            "month": ["2024-01", "2024-01", "2024-01"],
            "mrr": pa.array([0.1, 0.1, 0.2], type=pa.float64()),
        }
    )
    pq.write_table(table, tmp_path / "billing.parquet")
    data = load(tmp_path / "billing.parquet")
    assert data.report.adapter == "parquet"
    assert mrr_by_month(data) == {
        ("a", "2024-01"): Decimal("0.1"),  # the float nearest 0.1 reads as 0.1 exactly
        ("b", "2024-01"): Decimal("0.3"),  # 0.1 + 0.2 summed as decimals
    }


def test_parquet_with_decimal_and_date_columns_matches_the_csv(tmp_path: Path) -> None:
    csv = write_csv(
        tmp_path / "billing.csv",
        "customer_id,month,mrr,plan",
        "a,2024-01-01,100.00,pro",
        "a,2024-01-01,19.99,pro",
        "b,2024-01-01,50.50,basic",
        "a,2024-02-01,120.00,pro",
        "b,2024-03-01,0.00,basic",
    )
    table = pa.table(
        {
            "customer_id": ["a", "a", "b", "a", "b"],
            "month": [dt.date(2024, m, 1) for m in (1, 1, 1, 2, 3)],
            "mrr": pa.array(
                [Decimal(v) for v in ("100.00", "19.99", "50.50", "120.00", "0.00")],
                type=pa.decimal128(12, 2),
            ),
            "plan": ["pro", "pro", "basic", "pro", "basic"],
        }
    )
    pq.write_table(table, tmp_path / "billing.parquet")
    from_csv = load(csv)
    from_parquet = load(tmp_path / "billing.parquet")
    expected = {
        ("a", "2024-01"): Decimal("119.99"),  # 100.00 + 19.99
        ("b", "2024-01"): Decimal("50.50"),
        ("a", "2024-02"): Decimal("120.00"),
        ("b", "2024-03"): Decimal("0.00"),
    }
    assert mrr_by_month(from_csv) == expected
    assert mrr_by_month(from_parquet) == expected
    assert canonical_rows(from_parquet) == canonical_rows(from_csv)
    assert from_parquet.table.schema() == from_csv.table.schema()
    assert from_parquet.months == from_csv.months
    assert from_parquet.attributes == from_csv.attributes == ("plan",)
    # 119.99 + 50.50 + 120.00 + 0.00 = 290.49
    assert from_parquet.report.money_read == from_csv.report.money_read == Decimal("290.49")


def test_parquet_integer_ids_and_timestamps(tmp_path: Path) -> None:
    table = pa.table(
        {
            "customer_id": pa.array([1, 1, 22], type=pa.int64()),
            "month": pa.array(
                [dt.datetime(2024, 1, 31, 12), dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1)],
                type=pa.timestamp("us"),
            ),
            "mrr": pa.array([10, 5, 7], type=pa.int32()),
        }
    )
    pq.write_table(table, tmp_path / "billing.parquet")
    assert mrr_by_month(load(tmp_path / "billing.parquet")) == {
        ("1", "2024-01"): Decimal(15),  # 10 + 5
        ("22", "2024-02"): Decimal(7),
    }


def test_parquet_decimals_with_a_wider_scale_keep_exact_values(tmp_path: Path) -> None:
    table = pa.table(
        {
            "customer_id": ["a"],
            "month": [dt.date(2024, 1, 1)],
            "mrr": pa.array([Decimal("0.1")], type=pa.decimal128(20, 8)),
        }
    )
    pq.write_table(table, tmp_path / "billing.parquet")
    data = load(tmp_path / "billing.parquet", on_bad_rows="reject")
    assert mrr_by_month(data) == {("a", "2024-01"): Decimal("0.1")}


def test_year_first_dates_with_slashes_or_dots_are_read(tmp_path: Path) -> None:
    # Year first is unambiguous: 2024/01/31 is January, 2024.02 is February.
    path = write_csv(tmp_path / "billing.csv", HEADER, "a,2024/01/31,10", "b,2024.02,5")
    canonical = mrr_by_month(load(path))
    assert canonical == {("a", "2024-01"): Decimal(10), ("b", "2024-02"): Decimal(5)}


def test_day_or_month_first_dates_are_not_guessed(tmp_path: Path) -> None:
    # Nothing in the file says whether 01/02/2024 is 1 February or January 2.
    path = write_csv(tmp_path / "billing.csv", HEADER, "a,01/02/2024,10")
    with pytest.raises(BadRowsError, match="ambiguous_date"):
        load(path)


def test_year_zero_is_not_a_date(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "billing.csv", HEADER, "a,0000-01,10", "a,2024-02,12")
    with pytest.raises(BadRowsError, match=r"'0000-01'.*impossible_date"):
        load(path)


def test_a_line_amount_past_twelve_digits_is_rejected_not_overflowed(tmp_path: Path) -> None:
    # 1000 x 999,999,999,999 ~ 10^15: too large for an amount, rejected on its row.
    path = write_csv(
        tmp_path / "items.csv",
        "customer_id,month,quantity,unit_price",
        "b,2024-02,1000,999999999999",
        "b,2024-03,2,3.5",
    )
    data = load(path, on_bad_rows="reject")
    assert data.report.rejected_by_reason == {"amount_too_large": 1}
    assert mrr_by_month(data) == {("b", "2024-03"): Decimal("7")}
