"""Tests of the wide revenue cube: month headers, display-format amounts, blanks, rejects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from revenue_retention import compute_metrics, load
from revenue_retention.canonical.layouts.wide import month_columns
from revenue_retention.datasets import example_path
from revenue_retention.errors import BadRowsError, MissingColumnError, OptionError, SourceError
from revenue_retention.periods import month_label


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def mrr_by_month(path: Path, **options: object) -> dict[tuple[str, str], Decimal]:
    rows = load(path, **options).table.to_pyarrow().to_pylist()  # type: ignore[arg-type]
    return {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in rows}


# --- month headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "month"),
    [
        ("2024-01", "2024-01"),
        ("2024/1", "2024-01"),
        ("2024-01-31", "2024-01"),
        ("2024-02-29 00:00:00", "2024-02"),
        ("202403", "2024-03"),
        ("Jan 2024", "2024-01"),
        ("January 2024", "2024-01"),
        ("jan-24", "2024-01"),
        ("Sept 2024", "2024-09"),
        ("Dec'23", "2023-12"),
        ("2024 Mar", "2024-03"),
        ("03/2024", "2024-03"),
    ],
)
def test_common_month_spellings_are_month_columns(header: str, month: str) -> None:
    found = month_columns(["customer", header], "x.csv")
    assert {k: month_label(v) for k, v in found.items()} == {header: month}


def test_attribute_columns_are_not_months() -> None:
    found = month_columns(["customer", "segment", "2024", "Q1 2024", "total", "Jan 2024"], "x")
    assert list(found) == ["Jan 2024"]


def test_slashed_dates_are_read_the_one_way_that_gives_distinct_months() -> None:
    month_first = month_columns(["c", "1/31/2024", "2/29/2024"], "x")
    day_first = month_columns(["c", "31/1/2024", "29/2/2024"], "x")
    firsts = month_columns(["c", "1/1/2024", "2/1/2024", "3/1/2024"], "x")  # 1st of each month
    assert [month_label(m) for m in month_first.values()] == ["2024-01", "2024-02"]
    assert [month_label(m) for m in day_first.values()] == ["2024-01", "2024-02"]
    assert [month_label(m) for m in firsts.values()] == ["2024-01", "2024-02", "2024-03"]


def test_slashed_dates_that_read_both_ways_are_refused() -> None:
    with pytest.raises(SourceError, match="month-first and day-first"):
        month_columns(["c", "3/3/2024", "4/4/2024"], "cube.csv")


def test_two_columns_of_the_same_month_are_refused() -> None:
    with pytest.raises(SourceError, match="same month 2024-01"):
        month_columns(["c", "Jan 2024", "2024-01-31"], "cube.csv")


# --- the example cube, by hand ----------------------------------------------------------


def test_the_example_cube_gives_the_hand_computed_figures() -> None:
    # 3-month window ending 2024-06 starts at 2024-03: the cohort is the 7 customers with
    # revenue in March (Fjord's March is blank). S = 1200 + 4000 + 250 + 79 + 2000 + 9000
    # + 120 = 16649. In June: Acme +300, Borealis +400, Cobalt and Harbor churn (250 + 120),
    # Granite -900, Delta and Ember flat: E = 16649 - 370 - 900 + 700 = 16079.
    data = load(example_path("revenue_cube.csv"))
    result = compute_metrics(data, window_months=[3])
    row = result.retention.to_pylist()[-1]
    assert month_label(row["as_of_index"]) == "2024-06"
    assert (row["customers"], row["retained_customers"]) == (7, 5)
    assert row["starting_mrr"] == Decimal("16649")
    assert (row["churn"], row["contraction"], row["expansion"]) == (
        Decimal(370),
        Decimal(900),
        Decimal(700),
    )
    assert row["ending_mrr"] == Decimal("16079")
    assert row["grr"] == pytest.approx(15379 / 16649)
    assert row["nrr"] == pytest.approx(16079 / 16649)
    # 8 customers x 6 months, blank cells read as 0; attributes kept.
    assert data.report.layout == "wide"
    assert data.report.rows_read == 48
    assert data.report.money_read == Decimal("97664")
    assert data.attributes == ("Segment", "Region")


def test_blank_cells_are_zero_and_a_gap_is_a_reactivation(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cube.csv", "customer,2024-01,2024-02,2024-03", "a,10,,10")
    result = compute_metrics(load(path), window_months=[1])
    bridge = result.bridge.to_pylist()
    assert [r["churn"] for r in bridge] == [Decimal(10), Decimal(0)]
    assert [r["reactivation"] for r in bridge] == [Decimal(0), Decimal(10)]


# --- display-format amounts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (['"$1,234.50"'], ["1234.50"]),
        (['"1,234,567"'], ["1234567"]),
        (["€99", "EUR 10.5", "10.5 EUR"], ["99", "10.5", "10.5"]),
        (['"1.234,56"', '"2,5"'], ["1234.56", "2.5"]),
        # the file shows a decimal point, so 1,234 is one thousand two hundred ...
        (['"1,234"', '"$1,000.00"'], ["1234", "1000"]),
        # ... and with decimal commas it is one point two three four
        (['"1,234"', '"1.000,50"'], ["1.234", "1000.50"]),
        (["1.5", "0"], ["1.5", "0"]),
    ],
)
def test_display_formats_are_read_when_unambiguous(
    tmp_path: Path, cells: list[str], expected: list[str]
) -> None:
    months = [f"2024-{i:02d}" for i in range(1, len(cells) + 1)]
    path = write_csv(tmp_path / "cube.csv", "customer," + ",".join(months), "a," + ",".join(cells))
    found = mrr_by_month(path)
    assert [found[("a", m)] for m in months] == [Decimal(e) for e in expected]


def test_cells_in_different_currencies_are_never_added_as_they_are(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cube.csv", "customer,2024-01,2024-02", "a,€99,USD 10.5")
    with pytest.raises(OptionError, match="reporting_currency is needed: the amounts: EUR"):
        load(path)
    # At EUR = 1.10 USD: 99 x 1.10 = 108.90 in January, 10.50 in February.
    found = mrr_by_month(path, reporting_currency="USD", fixed_rates={"EUR": Decimal("1.10")})
    assert found == {("a", "2024-01"): Decimal("108.90"), ("a", "2024-02"): Decimal("10.5")}


def test_a_lone_group_of_three_is_ambiguous_until_the_separator_is_given(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cube.csv", "customer,2024-01,2024-02", 'a,"1,234",500')
    with pytest.raises(BadRowsError) as error:
        load(path)
    assert "column '2024-01': '1,234'" in str(error.value)
    assert "[ambiguous_amount]" in str(error.value)
    assert "--decimal-separator" in str(error.value)
    assert mrr_by_month(path, decimal_separator=".")[("a", "2024-01")] == Decimal(1234)
    assert mrr_by_month(path, decimal_separator=",")[("a", "2024-01")] == Decimal("1.234")


def test_a_bad_separator_option_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cube.csv", "customer,2024-01", "a,5")
    with pytest.raises(OptionError, match="decimal_separator"):
        load(path, decimal_separator=";")


def test_bad_cells_are_rejected_with_their_month_column_and_the_row_verbatim(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path / "cube.csv",
        "customer,segment,Jan 2024,Feb 2024",
        "a,SMB,100,n/a",
        "b,ENT,(50),200",
    )
    data = load(path, on_bad_rows="reject")
    rejects = data.rejects.to_pyarrow().to_pylist()
    assert [(r["line"], r["column"], r["value"], r["reason"]) for r in rejects] == [
        (2, "Feb 2024", "n/a", "invalid_amount"),
        (3, "Jan 2024", "(50)", "negative_amount"),
    ]
    assert rejects[0]["segment"] == "SMB" and rejects[0]["Jan 2024"] == "100"
    report = data.report
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 2, 2)
    assert report.money_read == report.money_accepted + report.money_rejected
    assert report.money_rejected == Decimal(-50)


def test_a_cube_without_a_customer_column_names_what_it_needs(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cube.csv", "name,2024-01,2024-02", "a,1,2")
    with pytest.raises(MissingColumnError, match="no column for 'customer_id'"):
        load(path)


# --- Excel ------------------------------------------------------------------------------


def write_xlsx(path: Path, *rows: list[object], sheet: str = "Sheet1") -> Path:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.create_sheet("Other").append(["customer", "2024-01"])
    book.save(path)
    return path


def test_the_example_workbook_reads_like_the_example_csv() -> None:
    csv_rows = load(example_path("revenue_cube.csv")).table
    xlsx = load(example_path("revenue_cube.xlsx"))
    assert xlsx.report.adapter == "xlsx"
    key = ["customer_id", "month_index"]
    left = csv_rows.select(*key, "mrr").order_by(key).to_pyarrow()
    right = xlsx.table.select(*key, "mrr").order_by(key).to_pyarrow()
    assert left.equals(right)


def test_a_bad_cell_of_a_workbook_is_named_by_its_cell(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "cube.xlsx",
        ["Customer", dt.datetime(2024, 1, 31), dt.datetime(2024, 2, 29)],
        ["acme", 1200.5, 1300],
        ["beta", "TBD", 10],
        sheet="Revenue",
    )
    with pytest.raises(BadRowsError) as error:
        load(path)
    assert "cell Revenue!B3 (column '2024-01-31'): 'TBD'" in str(error.value)
    rejects = load(path, on_bad_rows="reject").rejects.to_pyarrow().to_pylist()
    assert [(r["cell"], r["line"], r["reason"]) for r in rejects] == [
        ("Revenue!B3", 3, "invalid_amount")
    ]


def test_a_workbook_number_is_its_stored_value_exactly(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "cube.xlsx", ["customer", "2024-01", "2024-02"], ["a", 1234.56, 0.1]
    )
    found = mrr_by_month(path)
    assert found[("a", "2024-01")] == Decimal("1234.56")
    assert found[("a", "2024-02")] == Decimal("0.1")


def test_sheet_names_the_worksheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", ["customer", "2024-01"], ["a", 5])
    assert load(path, sheet="Sheet1").report.rows_read == 1
    with pytest.raises(OptionError, match="is not a sheet"):
        load(path, sheet="Missing")


def test_sheet_is_refused_for_a_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cube.csv", "customer,2024-01", "a,5")
    with pytest.raises(OptionError, match="applies to spreadsheets"):
        load(path, sheet="Sheet1")


def test_a_file_named_xlsx_that_is_not_a_workbook_is_a_source_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "fake.xlsx", "customer,2024-01", "a,5")
    with pytest.raises(SourceError, match=r"not an Excel \.xlsx workbook"):
        load(path)


def test_a_sheet_title_totals_and_accounting_zeros_are_what_a_person_means(
    tmp_path: Path,
) -> None:
    # Finance sheets open with a title, end with a Total row, add a Total column, and
    # show zero as "-" in accounting format.
    path = write_xlsx(
        tmp_path / "cube.xlsx",
        ["Revenue by customer (USD)"],
        [],
        ["Customer", "Segment", "Jan 2024", "Feb 2024", "Total"],
        ["acme", "SMB", 100, "-", 100],
        ["beta", "ENT", 50, 60, 110],
        ["Total", None, 150, 60, 210],
    )
    data = load(path)
    found = {
        (r["customer_id"], month_label(r["month_index"])): r["mrr"]
        for r in data.table.to_pyarrow().to_pylist()
    }
    assert found == {
        ("acme", "2024-01"): Decimal(100),
        ("acme", "2024-02"): Decimal(0),
        ("beta", "2024-01"): Decimal(50),
        ("beta", "2024-02"): Decimal(60),
    }
    assert data.attributes == ("Segment",)
    assert data.report.rows_read == 4
    warnings = " ".join(data.report.warnings)
    assert "1 totals row(s) not read as customers (line 6)" in warnings
    assert "total column(s) not read: 'Total'" in warnings
