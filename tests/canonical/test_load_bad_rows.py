"""Tests of bad rows: each reject reason, BadRowsError, Dataset.rejects and the reconciliation.

METRICS.md §1: a bad row is rejected with a reason (file, line, column), never silently
dropped or coerced, and rows in = rows accepted + rows rejected. Money read is the sum of
every amount that could be read exactly as money; a rejected row whose amount could not be
read (empty, not a number, too many places, too large) carries no money and is counted in
``rows_without_amount`` instead.
"""

from __future__ import annotations

import itertools
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revenue_retention.canonical import Dataset, load
from revenue_retention.errors import BadRow, BadRowsError, RejectReason
from revenue_retention.periods import month_label

LONG = "customer_id,month,mrr"
PERIODS = "customer_id,start_date,end_date,mrr"
WIDE = "customer_id,2024-01"
CURRENCY = "customer_id,month,mrr,currency"
GOOD_ROW = {
    LONG: "ok,2024-01,10",
    PERIODS: "ok,2024-01-01,,10",
    WIDE: "ok,10",
    CURRENCY: "ok,2024-01,10,USD",
}
LARGEST = "9" * 12  # 12 integer digits: the most an amount may have
TOO_LARGE = "1" + "0" * 12  # 10**12: 13 integer digits


def write_csv(path: Path, *lines: str) -> Path:
    """Write a CSV, one argument per line: the header is line 1, data row n is line n + 1."""
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def rejects_of(data: Dataset) -> list[dict[str, object]]:
    return data.rejects.to_pyarrow().to_pylist()


def mrr_by_month(data: Dataset) -> dict[tuple[str, str], Decimal]:
    rows = data.table.to_pyarrow().to_pylist()
    return {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in rows}


# --- one case per reason ------------------------------------------------------------------

R = RejectReason
# (header, bad data row, column reported, value reported as in the file, reason)
CASES = {
    "empty id": (LONG, ",2024-01,10", "customer_id", "", R.MISSING_CUSTOMER_ID),
    "blank id": (LONG, "   ,2024-01,10", "customer_id", "   ", R.MISSING_CUSTOMER_ID),
    "empty month": (LONG, "b,,20", "month", "", R.MISSING_DATE),
    "empty start": (PERIODS, "b,,2024-02-01,5", "start_date", "", R.MISSING_DATE),
    "month 13": (LONG, "c,2024-13,30", "month", "2024-13", R.IMPOSSIBLE_DATE),
    "day or month first": (LONG, "d,03/04/2024,40", "month", "03/04/2024", R.AMBIGUOUS_DATE),
    "Feb 30": (LONG, "e,2024-02-30,50", "month", "2024-02-30", R.IMPOSSIBLE_DATE),
    "Feb 29 2023": (LONG, "e,2023-02-29,50", "month", "2023-02-29", R.IMPOSSIBLE_DATE),
    "31 Feb by name": (LONG, "e,31 Feb 2024,50", "month", "31 Feb 2024", R.IMPOSSIBLE_DATE),
    "misspelt month": (LONG, "e,Janury 2024,1", "month", "Janury 2024", R.INVALID_DATE),
    "two-digit year": (LONG, "e,1/2/24,1", "month", "1/2/24", R.INVALID_DATE),
    "short year": (LONG, "e,24-01,1", "month", "24-01", R.INVALID_DATE),
    "serial number": (LONG, "e,45292,1", "month", "45292", R.INVALID_DATE),
    "bad start": (PERIODS, "e,2024-00-10,,1", "start_date", "2024-00-10", R.IMPOSSIBLE_DATE),
    "bad end": (PERIODS, "e,2024-01-01,2024-02-31,1", "end_date", "2024-02-31", R.IMPOSSIBLE_DATE),
    "year 1900": (LONG, "e,1900-01-01,1", "month", "1900-01-01", R.DATE_OUT_OF_RANGE),
    "end 2999": (
        PERIODS,
        "e,2024-01-01,2999-12-31,1",
        "end_date",
        "2999-12-31",
        R.DATE_OUT_OF_RANGE,
    ),
    "error as date": (LONG, "e,#N/A,1", "month", "#N/A", R.SPREADSHEET_ERROR),
    "empty amount": (LONG, "f,2024-01,", "mrr", "", R.MISSING_AMOUNT),
    "blank amount": (LONG, "f,2024-01,   ", "mrr", "   ", R.MISSING_AMOUNT),
    "lone thousands group": (LONG, 'g,2024-01,"1,200"', "mrr", "1,200", R.AMBIGUOUS_AMOUNT),
    "word": (LONG, "g,2024-01,abc", "mrr", "abc", R.INVALID_AMOUNT),
    "exponent": (LONG, "g,2024-01,1e3", "mrr", "1e3", R.EXPONENT),
    "Excel exponent": (LONG, "g,2024-01,1.23457E+11", "mrr", "1.23457E+11", R.EXPONENT),
    "two points": (LONG, "g,2024-01,1.2.3", "mrr", "1.2.3", R.INVALID_AMOUNT),
    "two signs": (LONG, "g,2024-01,--5", "mrr", "--5", R.INVALID_AMOUNT),
    "lone point": (LONG, "g,2024-01,.", "mrr", ".", R.INVALID_AMOUNT),
    "percent": (LONG, "g,2024-01,10%", "mrr", "10%", R.INVALID_AMOUNT),
    "nan": (LONG, "g,2024-01,NaN", "mrr", "NaN", R.NOT_A_NUMBER),
    "infinity": (LONG, "g,2024-01,inf", "mrr", "inf", R.NOT_A_NUMBER),
    "minus infinity": (LONG, "g,2024-01,-Infinity", "mrr", "-Infinity", R.NOT_A_NUMBER),
    "#REF!": (LONG, "g,2024-01,#REF!", "mrr", "#REF!", R.SPREADSHEET_ERROR),
    "#DIV/0!": (LONG, "g,2024-01,#DIV/0!", "mrr", "#DIV/0!", R.SPREADSHEET_ERROR),
    "7 places": (LONG, "h,2024-01,1.1234567", "mrr", "1.1234567", R.TOO_MANY_DECIMALS),
    "tiny": (LONG, "h,2024-01,0.0000001", "mrr", "0.0000001", R.TOO_MANY_DECIMALS),
    "13 digits": (LONG, f"i,2024-01,{TOO_LARGE}", "mrr", TOO_LARGE, R.AMOUNT_TOO_LARGE),
    "13 digits.5": (
        LONG,
        f"i,2024-01,{TOO_LARGE}.5",
        "mrr",
        f"{TOO_LARGE}.5",
        R.AMOUNT_TOO_LARGE,
    ),
    "negative": (LONG, "j,2024-01,-5", "mrr", "-5", R.NEGATIVE_AMOUNT),
    "negative cent": (LONG, "j,2024-01,-0.01", "mrr", "-0.01", R.NEGATIVE_AMOUNT),
    "lone group": (WIDE, 'l,"1,234"', "2024-01", "1,234", R.AMBIGUOUS_AMOUNT),
    "extra value": (LONG, "x,2024-01,1,extra", None, "x,2024-01,1,extra", R.WRONG_COLUMN_COUNT),
    "missing value": (LONG, "x,2024-01", "mrr", "x,2024-01", R.WRONG_COLUMN_COUNT),
    "unclosed quote": (LONG, 'x,2024-01,"1', "mrr", 'x,2024-01,"1', R.UNCLOSED_QUOTE),
    "text after a quote": (LONG, 'x,"2024-01"x,1', "month", 'x,"2024-01"x,1', R.UNCLOSED_QUOTE),
    "no currency": (CURRENCY, "m,2024-01,10,", "currency", "", R.MISSING_CURRENCY),
    "currency name": (CURRENCY, "m,2024-01,10,Euro", "currency", "Euro", R.INVALID_CURRENCY),
    "end before start": (
        PERIODS,
        "k,2024-03-01,2024-02-29,20",
        "end_date",
        "2024-02-29",
        R.END_BEFORE_START,
    ),
}


#: Reasons that need options, another adapter or bytes a text file cannot hold, each tested
#: where those are: tests/canonical/test_fx.py, tests/inputs/test_stripe.py and the hostile
#: corpus (tests/hostile: invalid_encoding, line_too_long).
ELSEWHERE = {R.MISSING_FX_RATE, R.INVALID_INTERVAL, R.INVALID_ENCODING, R.LINE_TOO_LONG}


def test_every_reject_reason_has_a_case() -> None:
    assert {case[-1] for case in CASES.values()} | ELSEWHERE == set(RejectReason)


@pytest.mark.parametrize(
    ("header", "row", "column", "value", "reason"), list(CASES.values()), ids=list(CASES)
)
def test_each_bad_value_is_rejected_with_its_reason(
    tmp_path: Path, header: str, row: str, column: str | None, value: str, reason: RejectReason
) -> None:
    path = write_csv(tmp_path / "billing.csv", header, GOOD_ROW[header], row)
    data = load(path, on_bad_rows="reject")
    [reject] = rejects_of(data)
    assert (reject["file"], reject["line"], reject["column"], reject["reason"]) == (
        str(path),
        3,
        column,
        reason.value,
    )
    # The value as it stands in the file (an empty cell may come back as null).
    assert (reject["value"] or "") == value
    assert data.report.rejected_by_reason == {reason.value: 1}
    assert (data.report.rows_read, data.report.rows_accepted) == (2, 1)


# One case per reason is enough for the default (raise) path.
FIRST_CASE_OF_EACH_REASON = {case[-1]: name for name, case in reversed(CASES.items())}


@pytest.mark.parametrize(
    ("header", "row", "column", "value", "reason"),
    [CASES[name] for name in FIRST_CASE_OF_EACH_REASON.values()],
    ids=list(FIRST_CASE_OF_EACH_REASON.values()),
)
def test_each_reason_stops_the_default_run(
    tmp_path: Path, header: str, row: str, column: str | None, value: str, reason: RejectReason
) -> None:
    path = write_csv(tmp_path / "billing.csv", header, GOOD_ROW[header], row)
    with pytest.raises(BadRowsError) as error:
        load(path)
    [bad] = error.value.examples
    assert (bad.path, bad.line, bad.column, bad.reason) == (str(path), 3, column, reason)
    assert (error.value.rejected, error.value.rows_read) == (1, 2)


def test_the_first_failing_column_is_reported(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "billing.csv",
        LONG,
        "ok,2024-01,10",
        ",2024-13,abc",  # id, date and amount all bad: the id is reported
        "b,2024-13,abc",  # date and amount bad: the date is reported
    )
    data = load(path, on_bad_rows="reject")
    assert [(r["line"], r["column"], r["reason"]) for r in rejects_of(data)] == [
        (3, "customer_id", "missing_customer_id"),
        (4, "month", "impossible_date"),
    ]


def test_a_bad_quantity_is_rejected_on_its_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "items.csv",
        "customer_id,month,quantity,unit_price",
        "a,2024-01,2,10",
        "b,2024-01,two,10",
        "c,2024-01,2,-1",
    )
    data = load(path, on_bad_rows="reject")
    assert [(r["line"], r["column"], r["value"], r["reason"]) for r in rejects_of(data)] == [
        (3, "quantity", "two", "invalid_amount"),
        (4, "unit_price", "-1", "negative_amount"),
    ]
    assert mrr_by_month(data) == {("a", "2024-01"): Decimal(20)}  # 2 * 10


def test_a_line_amount_with_more_than_six_places_is_rejected(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "items.csv",
        "customer_id,month,quantity,unit_price",
        "a,2024-01,3,10.50",
        "b,2024-01,0.5,0.000001",  # 0.5 * 0.000001 = 0.0000005: seven places
    )
    data = load(path, on_bad_rows="reject")
    assert [(r["line"], r["column"], r["reason"]) for r in rejects_of(data)] == [
        (3, "unit_price", "too_many_decimals")
    ]
    assert mrr_by_month(data) == {("a", "2024-01"): Decimal("31.50")}  # 3 * 10.50


# --- a file with one of everything ------------------------------------------------------------


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "billing.csv",
        "customer_id,month,mrr,segment",  # line 1
        "a,2024-01,100,smb",  # 2  accepted                     100
        ",2024-01,10,smb",  # 3  missing_customer_id  money    10
        "b,,20,smb",  # 4  missing_date         money    20
        "c,2024-13,30,ent",  # 5  impossible_date      money    30
        "d,Jan 31st 2024,40,ent",  # 6  invalid_date         money    40
        "e,2024-02-30,50,ent",  # 7  impossible_date      money    50
        "f,2024-01,,smb",  # 8  missing_amount       no amount
        "g,2024-01,#REF!,smb",  # 9  spreadsheet_error    no amount
        "h,2024-01,NaN,smb",  # 10 not_a_number         no amount
        "i,2024-01,abc,smb",  # 11 invalid_amount       no amount
        "j,2024-01,1e3,smb",  # 12 exponent             no amount
        "k,2024-01,1.1234567,smb",  # 13 too_many_decimals    no amount
        f"l,2024-01,{TOO_LARGE},smb",  # 14 amount_too_large     no amount
        "m,2024-01,-5,smb",  # 15 negative_amount      money    -5
        "n,2024-02,0.25,ent",  # 16 accepted                     0.25
    )


def test_bad_rows_stop_the_run_by_default_with_five_examples(mixed_file: Path) -> None:
    with pytest.raises(BadRowsError) as error:
        load(mixed_file)
    err = error.value
    path = str(mixed_file)
    # 15 data rows, 2 accepted: 13 rejected; 5 shown, 13 - 5 = 8 more.
    assert (err.path, err.rejected, err.rows_read) == (path, 13, 15)
    assert [(b.line, b.column, b.value or "", b.reason) for b in err.examples] == [
        (3, "customer_id", "", R.MISSING_CUSTOMER_ID),
        (4, "month", "", R.MISSING_DATE),
        (5, "month", "2024-13", R.IMPOSSIBLE_DATE),
        (6, "month", "Jan 31st 2024", R.INVALID_DATE),
        (7, "month", "2024-02-30", R.IMPOSSIBLE_DATE),
    ]
    message = str(err)
    assert message.startswith(f"{path}: 13 of 15 rows are invalid.")
    assert f"{path}, line 3, column 'customer_id': (empty): the customer id is empty" in message
    assert f"{path}, line 5, column 'month': '2024-13': no such day in the calendar" in message
    assert "[impossible_date]" in message
    assert "... and 8 more." in message
    assert "--rejects" in message
    assert "line 8," not in message  # only the first five are listed


def test_bad_row_message_names_where_what_and_why() -> None:
    row = BadRow("b.csv", 12, "mrr", "1,200.50", R.INVALID_AMOUNT)
    assert str(row) == (
        "b.csv, line 12, column 'mrr': '1,200.50': "
        "not a plain decimal number such as 1200.50 [invalid_amount]"
    )


def test_no_more_line_when_every_bad_row_is_shown(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "billing.csv", LONG, "a,2024-01,1", "b,2024-01,x", "c,2024-01,y")
    with pytest.raises(BadRowsError) as error:
        load(path)
    assert len(error.value.examples) == 2
    assert "more." not in str(error.value)


def test_rejecting_computes_on_the_rest_and_reconciles(mixed_file: Path) -> None:
    data = load(mixed_file, on_bad_rows="reject")
    report = data.report
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (15, 2, 13)
    assert report.rejected_by_reason == {
        "missing_customer_id": 1,
        "missing_date": 1,
        "impossible_date": 2,
        "invalid_date": 1,
        "missing_amount": 1,
        "spreadsheet_error": 1,
        "not_a_number": 1,
        "invalid_amount": 1,
        "exponent": 1,
        "too_many_decimals": 1,
        "amount_too_large": 1,
        "negative_amount": 1,
    }
    # accepted: 100 + 0.25 = 100.25
    # rejected with an amount read: 10 + 20 + 30 + 40 + 50 - 5 = 145
    # read: 100.25 + 145 = 245.25
    assert report.money_accepted == Decimal("100.25")
    assert report.money_rejected == Decimal("145")
    assert report.money_read == Decimal("245.25")
    # lines 8 to 14 carry no readable amount: 7 rows
    assert report.rows_without_amount == 7
    summary = report.to_dict()
    assert (summary["money_read"], summary["money_accepted"], summary["money_rejected"]) == (
        "245.25",
        "100.25",
        "145.00",
    )
    # The analysis runs on the two accepted rows only.
    assert mrr_by_month(data) == {("a", "2024-01"): Decimal(100), ("n", "2024-02"): Decimal("0.25")}
    assert str(data.months) == "2024-01 to 2024-02"


def test_rejects_hold_every_bad_row_verbatim(mixed_file: Path) -> None:
    data = load(mixed_file, on_bad_rows="reject")
    rejects = rejects_of(data)
    assert list(rejects[0]) == [
        "file",
        "line",
        "column",
        "value",
        "reason",
        "customer_id",
        "month",
        "mrr",
        "segment",
    ]
    assert all(r["file"] == str(mixed_file) for r in rejects)
    assert [r["line"] for r in rejects] == list(range(3, 16))
    lines = mixed_file.read_text().splitlines()
    for reject in rejects:
        # The source columns, as text, rebuild the line of the file (empty cells as "").
        cells = [reject[c] or "" for c in ("customer_id", "month", "mrr", "segment")]
        source = lines[reject["line"] - 1]
        assert ",".join(cells) == source.replace('"', "")
    by_line = {r["line"]: r for r in rejects}
    assert by_line[9]["mrr"] == "#REF!"
    assert by_line[9]["value"] == "#REF!"
    assert (by_line[13]["column"], by_line[13]["value"]) == ("mrr", "1.1234567")
    assert by_line[15]["reason"] == "negative_amount"


def test_rejects_keep_spaces_as_written(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "billing.csv", LONG, "a,2024-01,10", "b, 2024-13 , 5 ")
    [reject] = rejects_of(load(path, on_bad_rows="reject"))
    assert (reject["month"], reject["mrr"], reject["value"]) == (" 2024-13 ", " 5 ", " 2024-13 ")


def test_a_clean_file_has_no_rejects(tmp_path: Path) -> None:
    data = load(write_csv(tmp_path / "billing.csv", LONG, "a,2024-01,10"), on_bad_rows="reject")
    assert rejects_of(data) == []
    assert data.report.rejected_by_reason == {}
    assert (data.report.rows_rejected, data.report.rows_without_amount) == (0, 0)


def test_periods_bad_rows_reconcile(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "subs.csv",
        PERIODS,
        "a,2024-01-01,2024-03-01,10",  # 2 accepted: Jan, Feb (Feb 29 < Mar 1)
        "b,2024-03-01,2024-02-01,20",  # 3 end_before_start, money 20
        "c,,2024-02-01,5",  # 4 missing_date (start), money 5
        "d,2024-01-01,2024-02-31,5",  # 5 impossible_date (end), money 5
        "e,2024-01-01,,7",  # 6 accepted, open: Jan .. Mar
    )
    data = load(path, on_bad_rows="reject")
    assert [(r["line"], r["column"], r["reason"]) for r in rejects_of(data)] == [
        (3, "end_date", "end_before_start"),
        (4, "start_date", "missing_date"),
        (5, "end_date", "impossible_date"),
    ]
    report = data.report
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (5, 2, 3)
    # accepted 10 + 7 = 17; rejected 20 + 5 + 5 = 30; read 47
    assert (report.money_accepted, report.money_rejected, report.money_read) == (17, 30, 47)
    assert report.rows_without_amount == 0
    # Range from accepted rows only: Jan (starts) .. Mar (a's end); b's March start is ignored.
    assert str(data.months) == "2024-01 to 2024-03"
    assert mrr_by_month(data) == {
        ("a", "2024-01"): 10,
        ("a", "2024-02"): 10,
        ("e", "2024-01"): 7,
        ("e", "2024-02"): 7,
        ("e", "2024-03"): 7,
    }


# --- rows in = rows accepted + rows rejected, on generated files --------------------------------

# (row, reason or None, money it carries or None when its amount cannot be read)
TEMPLATES: list[tuple[str, str | None, Decimal | None]] = [
    ("a,2024-01,10", None, Decimal(10)),
    ("b,2024-02,0.25", None, Decimal("0.25")),
    ("c,2024-03,0", None, Decimal(0)),
    ("a,2024-01,0.1", None, Decimal("0.1")),
    (",2024-01,7", "missing_customer_id", Decimal(7)),
    ("d,,3", "missing_date", Decimal(3)),
    ("e,2024-13,4", "impossible_date", Decimal(4)),
    ("f,2024-01,", "missing_amount", None),
    ("g,2024-01,1e3", "exponent", None),
    ("h,2024-01,1.1234567", "too_many_decimals", None),
    (f"i,2024-01,{TOO_LARGE}", "amount_too_large", None),
    ("j,2024-01,-5", "negative_amount", Decimal(-5)),
]
ACCEPTED = [i for i, (_, reason, _) in enumerate(TEMPLATES) if reason is None]
_file_number = itertools.count()


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    first=st.sampled_from(ACCEPTED),
    rest=st.lists(st.integers(0, len(TEMPLATES) - 1), max_size=25),
)
def test_rows_and_money_reconcile_on_any_mix(tmp_path: Path, first: int, rest: list[int]) -> None:
    chosen = [TEMPLATES[i] for i in [first, *rest]]
    path = write_csv(tmp_path / f"mix{next(_file_number)}.csv", LONG, *(t[0] for t in chosen))
    data = load(path, on_bad_rows="reject")
    report = data.report

    good = [t for t in chosen if t[1] is None]
    bad = [t for t in chosen if t[1] is not None]
    assert report.rows_read == len(chosen)
    assert report.rows_accepted == len(good)
    assert report.rows_rejected == len(bad)
    assert report.rejected_by_reason == dict(Counter(t[1] for t in bad))
    assert report.money_accepted == sum((t[2] for t in good if t[2] is not None), Decimal(0))
    assert report.money_rejected == sum((t[2] for t in bad if t[2] is not None), Decimal(0))
    assert report.money_read == report.money_accepted + report.money_rejected
    assert report.rows_without_amount == sum(1 for t in bad if t[2] is None)
    # Row n of the file is on line n + 1 (n from 1), and every bad one is in the rejects.
    bad_lines = [n + 2 for n, t in enumerate(chosen) if t[1] is not None]
    assert [r["line"] for r in rejects_of(data)] == bad_lines
    # The canonical table holds exactly the accepted money.
    assert sum(mrr_by_month(data).values(), Decimal(0)) == report.money_accepted
