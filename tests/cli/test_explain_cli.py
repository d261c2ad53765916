"""``retention explain``: window and bridge-month listings, --by, --limit, formats, errors.

Figures are those of the five-customer example of conftest.py, computed by hand:

- 3-month window to 2024-04, cohort paying in 2024-01 (a -> b): A 100 -> 150 expansion,
  B 200 -> 150 contraction, C 50 -> 0 churn, D 80 -> 70 contraction (left, came back).
  S 430, churn 50, contraction 50 + 10 = 60, expansion 50, E 370.
- bridge month 2024-04 (2024-03 -> 2024-04): D 0 -> 70 reactivation, A 120 -> 150
  expansion 30; B and E flat. Opening 330, closing 430.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

Invoke = Callable[..., Result]
MakeCsv = Callable[[str, str], Path]

SEGMENTS_CSV = """\
customer_id,month,mrr,segment
A,2024-01,100,SMB
B,2024-01,200,Enterprise
A,2024-02,130,Enterprise
B,2024-02,0,Enterprise
"""


def ok_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def listing(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["customer_id"], r["change"], r["movement"]) for r in document["customers"]]


def test_window_json_lists_the_cohort_by_impact(invoke: Invoke, five_customers_csv: Path) -> None:
    doc = ok_json(invoke("explain", five_customers_csv, "--window", "3", "--format", "json"))
    assert (doc["mode"], doc["as_of"], doc["start"], doc["listed"]) == (
        "window",
        "2024-04",
        "2024-01",
        4,
    )
    # A, B and C all move by 50: customer_id orders them.
    assert listing(doc) == [
        ("A", "50.00", "expansion"),
        ("B", "-50.00", "contraction"),
        ("C", "-50.00", "churn"),
        ("D", "-10.00", "contraction"),
    ]
    totals = doc["totals"][0]
    assert {k: totals[k] for k in ("starting_mrr", "churn", "contraction", "expansion")} == {
        "starting_mrr": "430.00",
        "churn": "50.00",
        "contraction": "60.00",
        "expansion": "50.00",
    }
    assert (totals["ending_mrr"], totals["customers"], totals["retained_customers"]) == (
        "370.00",
        4,
        3,
    )


def test_window_totals_equal_the_metrics_row(invoke: Invoke, five_customers_csv: Path) -> None:
    explained = ok_json(invoke("explain", five_customers_csv, "-k", "3", "-f", "json"))
    metrics = ok_json(invoke("metrics", five_customers_csv, "--windows", "3", "-f", "json"))
    row = next(r for r in metrics["retention"] if r["as_of"] == "2024-04")
    assert explained["totals"][0] == row


def test_period_totals_equal_the_bridge_row(invoke: Invoke, five_customers_csv: Path) -> None:
    doc = ok_json(invoke("explain", five_customers_csv, "--period", "2024-04", "-f", "json"))
    assert (doc["mode"], doc["period"], doc["start"]) == ("period", "2024-04", "2024-03")
    assert listing(doc) == [("D", "70.00", "reactivation"), ("A", "30.00", "expansion")]
    metrics = ok_json(invoke("metrics", five_customers_csv, "-f", "json"))
    row = next(r for r in metrics["bridge"] if r["period"] == "2024-04")
    assert {k: v for k, v in doc["totals"][0].items() if k != "customers"} == row
    assert doc["totals"][0]["customers"] == 2


def test_by_uses_the_attribute_at_the_start(invoke: Invoke, make_csv: MakeCsv) -> None:
    path = make_csv("segments.csv", SEGMENTS_CSV)
    # A was SMB in 2024-01 and Enterprise in 2024-02: it is explained with SMB.
    smb = ok_json(invoke("explain", path, "-k", "1", "--by", "segment=SMB", "-f", "json"))
    assert smb["by"] == {"column": "segment", "value": "SMB"}
    assert listing(smb) == [("A", "30.00", "expansion")]
    enterprise = ok_json(
        invoke("explain", path, "-k", "1", "--by", "segment=Enterprise", "-f", "json")
    )
    assert listing(enterprise) == [("B", "-200.00", "churn")]
    assert enterprise["customers"][0]["segment"] == "Enterprise"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-k", "1", "--by", "segmnt=SMB"],
            "error: --by: 'segmnt=SMB' names no attribute column; attributes: segment. "
            "Did you mean 'segment'?",
        ),
        (["-k", "1", "--by", "segment"], "error: --by: 'segment' must be COLUMN=VALUE"),
        (
            ["--period", "2024-02", "--window", "1"],
            "error: --period: '2024-02' explains one bridge month: it takes no --as-of",
        ),
        (["--period", "2024-01"], "error: --period: '2024-01' has no bridge row"),
        (
            ["-k", "1", "--limit", "0"],
            "error: --limit: 0 must be a whole number from 1 to 1,000,000,000",
        ),
    ],
)
def test_bad_options_are_clear_errors(
    invoke: Invoke, make_csv: MakeCsv, args: list[str], message: str
) -> None:
    path = make_csv("segments.csv", SEGMENTS_CSV)
    result = invoke("explain", path, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(message), result.stderr
    assert result.stdout == ""


def test_table_with_limit_says_how_many_are_shown(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("explain", five_customers_csv, "-k", "3", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert "2 of 4 customers shown" in result.stdout
    assert "86.0%" in result.stdout  # NRR 370 / 430, over all four customers
    assert "│ C " not in result.stdout  # third by impact: cut


def test_csv_to_stdout_has_the_three_sections(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("explain", five_customers_csv, "-k", "3", "-f", "csv")
    assert result.exit_code == 0, result.output
    sections = [ln for ln in result.stdout.splitlines() if ln.startswith("# ")]
    assert sections == ["# totals", "# movements", "# customers"]
    assert "A,100.00,150.00,50.00,expansion" in result.stdout


def test_help_ends_with_examples(invoke: Invoke) -> None:
    result = invoke("explain", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "--period 2024-03" in result.stdout


def test_subprocess_exit_code_and_no_traceback(make_csv: MakeCsv) -> None:
    path = make_csv("segments.csv", SEGMENTS_CSV)
    retention = Path(sys.executable).parent / "retention"
    done = subprocess.run(
        [retention, "explain", path, "-k", "1", "--by", "segment=smb"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Did you mean 'SMB'?" in done.stderr
    assert "Traceback" not in done.stderr
