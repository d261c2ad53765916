"""``retention report``: writes the HTML report (and workbook), refuses bad targets clearly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
from typer.testing import Result

from revenue_retention.datasets import write_demo_csv

Invoke = Callable[..., Result]
MakeCsv = Callable[[str, str], Path]


def _thirteen_months(make_csv: MakeCsv) -> Path:
    rows = [
        f"{c},{2023 + m // 12}-{m % 12 + 1:02d},{amount}"
        for c, amount in (("a", 100), ("b", 250))
        for m in range(13)
        if not (c == "b" and m == 12)  # b churns in the last month
    ]
    return make_csv("mrr.csv", "customer_id,month,mrr\n" + "\n".join(rows) + "\n")


def test_writes_report_and_workbook(invoke: Invoke, make_csv: MakeCsv, tmp_path: Path) -> None:
    source = _thirteen_months(make_csv)
    html, xlsx = tmp_path / "out" / "r.html", tmp_path / "out" / "r.xlsx"
    result = invoke("report", source, "-o", html, "--xlsx", xlsx, "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # nothing on stdout; the paths go to stderr
    assert f"written: {html}" in result.stderr and f"written: {xlsx}" in result.stderr
    page = html.read_text(encoding="utf-8")
    # 12 months to 2024-01: a keeps 100 of 350, b churned 250: GRR = NRR = 2/7.
    assert f'value="{2 / 7}"' in page
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "Summary"
    # The data has no product lines: the decomposition is left out, and the page says why.
    assert 'data-analysis="decomposition"' in page


def test_bad_targets_and_short_data(invoke: Invoke, make_csv: MakeCsv, tmp_path: Path) -> None:
    source = _thirteen_months(make_csv)
    result = invoke("report", source, "-o", tmp_path)
    assert result.exit_code == 1 and "is a folder" in result.stderr
    result = invoke("report", source, "-o", tmp_path / "r.pdf")
    assert result.exit_code == 1 and "should end in .html" in result.stderr
    result = invoke("report", source, "-o", tmp_path / "r.html", "--xlsx", tmp_path / "r.csv")
    assert result.exit_code == 1 and "should end in .xlsx" in result.stderr
    short = make_csv("short.csv", "customer_id,month,mrr\na,2024-01,1\na,2024-03,1\n")
    result = invoke("report", short, "-o", tmp_path / "r.html")
    assert result.exit_code == 1 and "needs 13 months" in result.stderr
    assert "Traceback" not in result.output
    result = invoke("report", tmp_path / "missing.csv", "-o", tmp_path / "r.html")
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_demo_ends_with_the_report_path(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = invoke("demo", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and (out / "report.xlsx").is_file()
    # The report's path, then the next step (cli/test_demo.py) ends what it says.
    assert f"report written to {(out / 'report.html').resolve()}" in result.stderr.splitlines()
    # The same seed gives the same data, so the same report (but for the folder named).
    again = tmp_path / "again"
    assert invoke("demo", "--out", again, "--quiet").exit_code == 0
    first = (out / "report.html").read_text(encoding="utf-8").replace(str(out), "DIR")
    second = (again / "report.html").read_text(encoding="utf-8").replace(str(again), "DIR")
    assert first == second
    assert write_demo_csv(tmp_path / "x.csv").read_bytes() == (out / "demo.csv").read_bytes()


def test_short_data_with_a_short_window_says_what_is_left_out(
    invoke: Invoke, make_csv: MakeCsv, tmp_path: Path
) -> None:
    rows = [f"a,2024-{m:02d},{100 + m}" for m in range(1, 6)] + ["b,2024-01,50"]
    source = make_csv("five_months.csv", "customer_id,month,mrr\n" + "\n".join(rows) + "\n")
    html = tmp_path / "r.html"
    result = invoke("report", source, "-o", html, "-k", "3", "--quiet")
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    # Four bridge months cannot make a trailing-twelve-month waterfall: the page says so.
    assert 'id="bridge-month"' in page and 'id="bridge-ttm"' not in page
    assert 'data-analysis="chart bridge-ttm"' in page


def test_rejected_rows_are_reconciled_in_the_report(
    invoke: Invoke, make_csv: MakeCsv, tmp_path: Path
) -> None:
    """Money read = accepted + rejected, and the rejected rows that carry no amount."""
    source = make_csv(
        "mrr.csv",
        "customer_id,month,mrr\na,2024-01,100\na,2024-02,90\nb,2024-01,#REF!\nb,2024-02,-5.50\n",
    )
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    args = ["-o", html, "--xlsx", xlsx, "--window", "1", "--quiet"]
    result = invoke("report", source, *args, "--rejects", tmp_path / "rejects.csv")
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    # Read 184.50 = accepted 190.00 + rejected -5.50; the #REF! row has no amount.
    assert (
        "184.50 = accepted 190.00 + rejected -5.50 (1 rejected row(s) without a readable amount)"
    ) in page
    summary = {row[0]: row[1] for row in openpyxl.load_workbook(xlsx)["Summary"].values}
    assert summary["rows_without_amount"] == 1
    assert summary["rejected: negative_amount"] == summary["rejected: spreadsheet_error"] == 1
