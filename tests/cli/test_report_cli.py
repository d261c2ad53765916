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
    result = invoke(
        "report", source, "-o", html, "--xlsx", xlsx, "--quiet", "--title", "Acme <Ltd>"
    )
    assert result.exit_code == 0, result.output
    # The answer in one line on stdout; the paths go to stderr.
    # 12 months to 2024-01: a keeps 100 of 350, b churned 250: GRR = NRR = 2/7, logos 1/2.
    assert result.stdout == (
        "12 months to 2024-01: GRR 28.6% \u00b7 NRR 28.6% \u00b7 logos 50.0% \u00b7 2 customers\n"
    )
    assert f"written: {html}" in result.stderr and f"written: {xlsx}" in result.stderr
    page = html.read_text(encoding="utf-8")
    assert f'value="{2 / 7}"' in page
    # The company's name heads the page and its tab, escaped.
    assert "<h1>Acme &lt;Ltd&gt;: revenue retention to 2024-01</h1>" in page
    assert "<title>Acme &lt;Ltd&gt;: Revenue retention to 2024-01" in page
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "Summary"
    assert book["Summary"]["A1"].value == "Acme <Ltd>: revenue retention to 2024-01"
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
    one = make_csv("one.csv", "customer_id,month,mrr\na,2024-01,1\n")
    result = invoke("report", one, "-o", tmp_path / "r.html")
    assert result.exit_code == 1 and "needs at least 2 months" in result.stderr
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


def test_short_data_falls_back_to_the_longest_window_and_says_so(
    invoke: Invoke, make_csv: MakeCsv, tmp_path: Path
) -> None:
    # Five months, 2024-01 to 2024-05: the longest window is 4 months. a pays 101 in
    # 2024-01 and 105 in 2024-05, b 50 in 2024-01 only: GRR = 101 / 151, NRR = 105 / 151.
    rows = [f"a,2024-{m:02d},{100 + m}" for m in range(1, 6)] + ["b,2024-01,50"]
    source = make_csv("five_months.csv", "customer_id,month,mrr\n" + "\n".join(rows) + "\n")
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    result = invoke("report", source, "-o", html, "--xlsx", xlsx, "--quiet")
    assert result.exit_code == 0, result.output
    note = (
        "The data covers 2024-01 to 2024-05 (5 months), too short for a 12-month window: the "
        "figures are for the longest window it supports, 4 months ending 2024-05."
    )
    assert f"note: {note}" in " ".join(result.stderr.split())
    assert result.stdout.startswith(f"4 months to 2024-05: GRR {101 / 151:.1%} \u00b7 NRR ")
    page = html.read_text(encoding="utf-8")
    assert note in page and "4-month window ending 2024-05" in page
    assert f'value="{101 / 151}"' in page
    # The window's own waterfall replaces the trailing twelve months.
    assert 'id="bridge-month"' in page and 'id="bridge-4-months"' in page
    # Bands are for 12-month rates: the cards place nothing in them.
    assert 'class="band ' not in page
    about = {row[0]: row[1] for row in openpyxl.load_workbook(xlsx)["Summary"].values}
    assert about["Window (months)"] == 4 and about["Note 1"].startswith(note)


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
    assert summary["Rows without amount"] == 1
    assert summary["Rejected: negative amount"] == summary["Rejected: spreadsheet error"] == 1
    # The first screen says it: two rows rejected, and their money.
    notes = page.split('id="data-notes"')[1].split("</aside>")[0]
    assert "2 of 4 rows were rejected (negative amount 1, spreadsheet error 1)" in notes
