"""The CLI's error boundary: bad options, bad rows, unreadable inputs and internal errors.

A RetentionError is one clear message on stderr and exit 1; Click's usage errors exit 2;
anything else is a bug: exit 70, a short message, a traceback only with --debug.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

Invoke = Callable[..., Result]
MakeCsv = Callable[[str, str], Path]


def assert_clean_failure(result: Result, exit_code: int = 1) -> None:
    """Failed with ``exit_code``, nothing on stdout, no traceback anywhere."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert "Traceback" not in result.output


# --- bad option values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--windows", "0"], "error: --windows: '0' must be between 1 and 120 months"),
        (["--windows", "121"], "error: --windows: '121' must be between 1 and 120 months"),
        (["--windows", "x"], "error: --windows: 'x' must be whole numbers of months"),
        (["--windows", "1,x"], "error: --windows: '1,x' must be whole numbers of months"),
        (["--as-of", "2024-13"], "error: --as-of: '2024-13' is not a month; expected YYYY-MM"),
        (["--as-of", "March"], "error: --as-of: 'March' is not a month; expected YYYY-MM"),
        (["--as-of", "2023-12"], "is before the data's first month 2024-01"),
        (["--column", "mrr"], "error: --column: 'mrr' must look like ROLE=COLUMN"),
        (
            ["--column", "amount=x"],
            "error: --column: 'amount=x' names no role; did you mean 'mrr'? roles are",
        ),
        (["--input-format", "xls"], "error: --input-format: 'xls' is not one of"),
    ],
)
def test_bad_option_value(
    invoke: Invoke, five_customers_csv: Path, options: list[str], message: str
) -> None:
    result = invoke("metrics", five_customers_csv, *options)
    assert_clean_failure(result)
    assert message in result.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--snapshot", "middle"], "Invalid value for '--snapshot'"),
        (["--no-such-option"], "No such option: --no-such-option"),
    ],
)
def test_usage_error_exits_2(
    invoke: Invoke, five_customers_csv: Path, options: list[str], message: str
) -> None:
    result = invoke("metrics", five_customers_csv, *options)
    assert_clean_failure(result, exit_code=2)
    assert message in result.stderr


def test_no_command_shows_help(invoke: Invoke) -> None:
    result = invoke()
    assert result.exit_code == 2
    assert "Usage: retention" in result.output
    assert "metrics" in result.output


def test_version(invoke: Invoke) -> None:
    from revenue_retention import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"retention {__version__}\n"


# --- bad rows ----------------------------------------------------------------------------------


def test_bad_rows_stop_the_run_with_where_and_why(invoke: Invoke, bad_rows_csv: Path) -> None:
    result = invoke("metrics", bad_rows_csv)
    assert_clean_failure(result)
    lines = result.stderr.splitlines()
    # 5 rows read, 3 invalid (lines 3, 5 and 6; the header is line 1)
    assert lines[0] == f"error: {bad_rows_csv}: 3 of 5 rows are invalid."

    def line_about(line: int) -> str:
        (found,) = [ln for ln in lines if f"{bad_rows_csv}, line {line}," in ln]
        return found

    # file, line, column, value and reason of each bad row
    assert "column 'mrr': 'abc'" in line_about(3)
    assert "[invalid_amount]" in line_about(3)
    assert "column 'customer_id': (empty)" in line_about(5)
    assert "[missing_customer_id]" in line_about(5)
    assert "column 'month': '2024-13'" in line_about(6)
    assert "[impossible_date]" in line_about(6)
    assert "--rejects PATH" in result.stderr


def test_rejects_writes_the_bad_rows_and_computes_on_the_rest(
    invoke: Invoke, bad_rows_csv: Path, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"
    result = invoke("metrics", bad_rows_csv, "--rejects", rejects, "-f", "json")
    assert result.exit_code == 0, result.output
    assert "rows read 5 = accepted 2 + rejected 3" in result.stderr

    with rejects.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["line"], r["column"], r["value"], r["reason"]) for r in rows] == [
        ("3", "mrr", "abc", "invalid_amount"),
        ("5", "customer_id", "", "missing_customer_id"),
        ("6", "month", "2024-13", "impossible_date"),
    ]
    assert {r["file"] for r in rows} == {str(bad_rows_csv)}
    # the source row follows, verbatim
    first = rows[0]
    assert [first["customer_id"], first["month"], first["mrr"], first["segment"]] == [
        "B",
        "2024-01",
        "abc",
        "ent",
    ]

    document = json.loads(result.stdout)  # stdout stays pure JSON
    assert document["input"]["rows_rejected"] == 3
    # accepted: A 100 in Jan, A 120 in Feb -> expansion 20
    assert document["bridge"] == [
        {
            "period": "2024-02",
            "opening_mrr": "100.00",
            "new": "0.00",
            "reactivation": "0.00",
            "expansion": "20.00",
            "contraction": "0.00",
            "churn": "0.00",
            "closing_mrr": "120.00",
        }
    ]


def test_rejects_summary_keeps_the_path_on_one_line(
    invoke: Invoke, bad_rows_csv: Path, tmp_path: Path
) -> None:
    rejects = tmp_path / "a_folder_with_a_long_name_for_rejected_rows" / "rejects.csv"
    result = invoke(
        "metrics", bad_rows_csv, "--rejects", rejects, "-f", "json", env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert f"written to {rejects}\n" in result.stderr


# --- unreadable inputs -------------------------------------------------------------------------


def test_missing_file(invoke: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = invoke("metrics", missing)
    assert_clean_failure(result)
    assert result.stderr == f"error: {missing}: no such file\n"


def test_folder_instead_of_a_file(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("metrics", tmp_path)
    assert_clean_failure(result)
    assert result.stderr == f"error: {tmp_path}: is a folder, not a file\n"


def test_empty_file(invoke: Invoke, make_csv: MakeCsv) -> None:
    empty = make_csv("empty.csv", "")
    result = invoke("metrics", empty)
    assert_clean_failure(result)
    assert "the file is empty; expected a header row" in result.stderr


def test_header_only_file(invoke: Invoke, make_csv: MakeCsv) -> None:
    source = make_csv("header_only.csv", "customer_id,month,mrr\n")
    result = invoke("metrics", source)
    assert_clean_failure(result)
    assert "no rows of data; nothing to compute" in result.stderr


def test_missing_column_lists_headers_found_and_names_accepted(
    invoke: Invoke, make_csv: MakeCsv
) -> None:
    source = make_csv("odd_header.csv", "cust,month,amount_x\na,2024-01,1\n")
    result = invoke("metrics", source)
    assert_clean_failure(result)
    assert f"{source}: no column for 'customer_id'." in result.stderr
    assert "Columns found: cust, month, amount_x." in result.stderr
    assert "Names accepted: customer_id, customer, customerid," in result.stderr
    assert "--column customer_id=COLUMN" in result.stderr


def test_missing_mrr_column_suggests_the_column_option(invoke: Invoke, make_csv: MakeCsv) -> None:
    source = make_csv("no_mrr.csv", "customer_id,month,net\na,2024-01,1\n")
    result = invoke("metrics", source)
    assert_clean_failure(result)
    assert "no column for 'mrr'. Columns found: customer_id, month, net." in result.stderr
    assert "Names accepted: mrr, monthly_amount, amount," in result.stderr
    assert "--column mrr=COLUMN" in result.stderr


def test_column_override_naming_an_absent_column(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("metrics", five_customers_csv, "--column", "mrr=net_amount")
    assert_clean_failure(result)
    assert "--column mrr=net_amount names no column of the file." in result.stderr
    assert "Columns found: customer_id, month, mrr." in result.stderr
    assert "Names accepted" not in result.stderr


def test_a_finance_export_header_maps_or_is_suggested(invoke: Invoke, make_csv: MakeCsv) -> None:
    source = make_csv(
        "export.csv", "Custmer ID,Invoice Date,Amount (USD)\nA,2024-01-05,100\nA,2024-02-05,90\n"
    )
    result = invoke("metrics", source)
    assert_clean_failure(result)
    assert result.stderr.count("\n") == 1  # one line
    assert result.stderr.startswith(
        f"error: {source}: no column for 'customer_id'. Did you mean 'Custmer ID'?"
    )
    typo = invoke(
        "metrics", source, "--column", "customer_id=Custmer ID", "-c", "month=Invoice_Dat"
    )
    assert_clean_failure(typo)
    assert "--column month=Invoice_Dat names no column of the file." in typo.stderr
    assert "Did you mean 'Invoice Date'?" in typo.stderr
    done = invoke("metrics", source, "--column", "customer_id=Custmer ID", "-f", "json", "-w", "1")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)["input"]
    assert report["columns"] == {
        "customer_id": "Custmer ID",
        "month": "Invoice Date",
        "mrr": "Amount (USD)",
    }


@pytest.mark.parametrize("name", ["reason", "line", "period", "value", "month_index"])
def test_attribute_column_with_an_internal_name(
    invoke: Invoke, make_csv: MakeCsv, name: str
) -> None:
    source = make_csv(
        f"with_{name}.csv", f"customer_id,month,mrr,{name}\nA,2024-01,100,x\nA,2024-02,120,y\n"
    )
    result = invoke("metrics", source, "-f", "json")
    assert result.exit_code == 0, result.output
    # Names the canonical table uses itself are kept under attr_<name>, with a warning.
    reserved = name in ("period", "month_index", "line")
    kept = f"attr_{name}" if reserved else name
    assert kept in json.loads(result.stdout)["input"]["attributes"]
    assert ("kept under another name" in result.stderr) is reserved


# --- internal errors ---------------------------------------------------------------------------


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_internal_error_is_reported_as_a_bug_without_traceback(
    invoke: Invoke, five_customers_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revenue_retention.cli import metrics as metrics_module

    monkeypatch.setattr(metrics_module, "compute_metrics", _boom)
    result = invoke("metrics", five_customers_csv)
    assert_clean_failure(result, exit_code=70)
    assert result.stderr.startswith(
        "internal error (a bug in revenue-retention, not in your data): RuntimeError: boom\n"
    )
    assert "--debug" in result.stderr


def test_debug_lets_the_traceback_through(
    invoke: Invoke, five_customers_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revenue_retention.cli import metrics as metrics_module

    monkeypatch.setattr(metrics_module, "compute_metrics", _boom)
    result = invoke("--debug", "metrics", five_customers_csv)
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "boom"
    # and the flag does not stick: the next run without it is back to the short message
    again = invoke("metrics", five_customers_csv)
    assert again.exit_code == 70


def test_every_row_bad_with_rejects_still_writes_the_rejects(
    invoke: Invoke, make_csv: MakeCsv, tmp_path: Path
) -> None:
    source = make_csv("all_bad.csv", "customer_id,month,mrr\na,2024-13,5\nb,2024-01,x\n")
    target = tmp_path / "rejects.csv"
    result = invoke("metrics", source, "--rejects", target)
    assert_clean_failure(result)
    assert "all 2 rows are invalid" in result.stderr
    assert "2 rejected rows written to" in result.stderr
    written = target.read_text(encoding="utf-8").splitlines()
    assert len(written) == 3 and '"impossible_date"' in written[1]
    assert '"invalid_amount"' in written[2]
