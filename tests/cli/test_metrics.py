"""``retention metrics``: table, JSON and CSV output, windows, --as-of, --column and --output.

Expected figures are those of the docs' worked example (conftest.py), computed by hand.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

Invoke = Callable[..., Result]
MakeCsv = Callable[[str, str], Path]

# period, opening, new, reactivation, expansion, contraction, churn, closing
FIVE_BRIDGE = [
    # 430 + 60 (E new) - 80 (D churn) = 410
    ["2024-02", "430.00", "60.00", "0.00", "0.00", "0.00", "80.00", "410.00"],
    # 410 + 20 (A) - 50 (B) - 50 (C churn) = 330
    ["2024-03", "410.00", "0.00", "0.00", "20.00", "50.00", "50.00", "330.00"],
    # 330 + 70 (D reactivates) + 30 (A) = 430
    ["2024-04", "330.00", "0.00", "70.00", "30.00", "0.00", "0.00", "430.00"],
]


def ok_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def bridge_values(document: dict[str, Any]) -> list[list[str]]:
    return [list(row.values()) for row in document["bridge"]]


def windows_and_months(document: dict[str, Any]) -> list[tuple[str, int]]:
    return [(row["as_of"], row["window_months"]) for row in document["retention"]]


# --- formats ---------------------------------------------------------------------------------


def test_table_shows_the_hand_computed_rates(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("metrics", five_customers_csv)
    assert result.exit_code == 0, result.output
    three_month = next(ln for ln in result.stdout.splitlines() if "│ 3 mo" in ln)
    # 3-month window as of 2024-04: GRR 320 / 430 = 74.4%, NRR 370 / 430 = 86.0%, logos 3/4
    assert "74.4%" in three_month
    assert "86.0%" in three_month
    assert "75.0%" in three_month
    # 1-month window as of 2024-04: NRR 360 / 330 = 109.1%
    assert "109.1%" in next(ln for ln in result.stdout.splitlines() if "│ 1 mo" in ln)
    assert "rows read 15 = accepted 15 + rejected 0" in result.stdout
    assert result.stderr == ""


def test_json_output(invoke: Invoke, five_customers_csv: Path) -> None:
    document = ok_json(invoke("metrics", five_customers_csv, "--format", "json"))
    assert document["windows"] == [1, 3, 12]
    assert bridge_values(document) == FIVE_BRIDGE
    assert windows_and_months(document) == [
        ("2024-02", 1),
        ("2024-03", 1),
        ("2024-04", 1),
        ("2024-04", 3),
    ]
    three_month = document["retention"][3]
    # cohort Jan {A 100, B 200, C 50, D 80}, Apr {150, 150, 0, 70}: S 430, churn 50,
    # contraction 50 + 10 = 60, expansion 50, E = 430 - 50 - 60 + 50 = 370
    assert [three_month[k] for k in ("starting_mrr", "churn", "contraction", "expansion")] == [
        "430.00",
        "50.00",
        "60.00",
        "50.00",
    ]
    assert three_month["ending_mrr"] == "370.00"
    assert three_month["grr"] == pytest.approx(320 / 430)
    assert three_month["nrr"] == pytest.approx(370 / 430)
    assert three_month["logo_retention"] == 0.75


def test_csv_output(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("metrics", five_customers_csv, "-f", "csv")
    assert result.exit_code == 0, result.output
    bridge_part, retention_part = result.stdout.split("\n\n")
    bridge_lines = bridge_part.splitlines()
    assert bridge_lines[0] == "# bridge"
    assert [row[1:] for row in csv.reader(bridge_lines[2:])] == [r[1:] for r in FIVE_BRIDGE]
    retention_lines = retention_part.splitlines()
    assert retention_lines[0] == "# retention"
    rows = list(csv.DictReader(retention_lines[1:]))
    assert [(r["as_of"], r["window_months"]) for r in rows] == [
        ("2024-02", "1"),
        ("2024-03", "1"),
        ("2024-04", "1"),
        ("2024-04", "3"),
    ]
    # 1-month window as of 2024-03: GRR = (410 - 50 - 50) / 410, NRR = 330 / 410
    assert float(rows[1]["grr"]) == pytest.approx(310 / 410)
    assert float(rows[1]["nrr"]) == pytest.approx(330 / 410)


# --- windows and --as-of ---------------------------------------------------------------------


@pytest.fixture
def thirteen_months_csv(make_csv: MakeCsv) -> Path:
    """P pays 100 from 2024-01 to 2025-01, Q 50 only in 2024-01, R 30 from 2024-06 on."""
    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]
    rows = [f"P,{m},100" for m in months] + ["Q,2024-01,50"] + [f"R,{m},30" for m in months[5:]]
    return make_csv("thirteen_months.csv", "customer_id,month,mrr\n" + "\n".join(rows) + "\n")


def test_windows_12_only(invoke: Invoke, thirteen_months_csv: Path) -> None:
    document = ok_json(invoke("metrics", thirteen_months_csv, "--windows", "12", "-f", "json"))
    assert document["windows"] == [12]
    # 13 months: only 2025-01 has its 12-month start (2024-01) inside the data
    (row,) = document["retention"]
    # cohort = paying in 2024-01 = {P 100, Q 50}; R is new inside the window, left out.
    # In 2025-01: P 100, Q 0 -> S 150, churn 50, E 100; GRR = NRR = 100 / 150; logos 1 / 2
    assert (row["as_of"], row["window_months"]) == ("2025-01", 12)
    assert (row["customers"], row["retained_customers"]) == (2, 1)
    assert (row["starting_mrr"], row["churn"], row["ending_mrr"]) == ("150.00", "50.00", "100.00")
    assert row["grr"] == pytest.approx(100 / 150)
    assert row["nrr"] == pytest.approx(100 / 150)
    assert row["logo_retention"] == 0.5
    # the bridge does not depend on windows: one row per month after the first
    assert len(document["bridge"]) == 12


def test_windows_are_sorted_and_deduplicated(invoke: Invoke, five_customers_csv: Path) -> None:
    document = ok_json(invoke("metrics", five_customers_csv, "-w", "3,1,3", "-f", "json"))
    assert document["windows"] == [1, 3]


def test_as_of_caps_the_months(invoke: Invoke, five_customers_csv: Path) -> None:
    document = ok_json(invoke("metrics", five_customers_csv, "--as-of", "2024-03", "-f", "json"))
    # April is ignored: two bridge rows, and no window reaches April
    assert bridge_values(document) == FIVE_BRIDGE[:2]
    assert windows_and_months(document) == [("2024-02", 1), ("2024-03", 1)]
    report = document["input"]
    assert (report["last_month"], report["data_last_month"]) == ("2024-03", "2024-04")
    assert report["as_of"] == "2024-03"


def test_as_of_after_the_data_adds_no_month(invoke: Invoke, five_customers_csv: Path) -> None:
    document = ok_json(invoke("metrics", five_customers_csv, "--as-of", "2025-06", "-f", "json"))
    assert document["input"]["last_month"] == "2024-04"
    assert bridge_values(document) == FIVE_BRIDGE


# --- --column --------------------------------------------------------------------------------

NET_AMOUNT_CSV = """\
customer_id,month,amount,net_amount
A,2024-01,120,100
A,2024-02,120,90
"""


def test_column_override_names_the_mrr_column(invoke: Invoke, make_csv: MakeCsv) -> None:
    source = make_csv("net.csv", NET_AMOUNT_CSV)
    # 'amount' is an accepted name for mrr, so by default it is used: 120 -> 120, no movement
    default = ok_json(invoke("metrics", source, "-f", "json"))
    assert default["input"]["columns"]["mrr"] == "amount"
    assert bridge_values(default) == [
        ["2024-02", "120.00", "0.00", "0.00", "0.00", "0.00", "0.00", "120.00"]
    ]
    # named explicitly, net_amount wins: 100 -> 90 is a contraction of 10
    named = ok_json(invoke("metrics", source, "--column", "mrr=net_amount", "-f", "json"))
    assert named["input"]["columns"]["mrr"] == "net_amount"
    assert "amount" in named["input"]["attributes"]
    assert bridge_values(named) == [
        ["2024-02", "100.00", "0.00", "0.00", "0.00", "10.00", "0.00", "90.00"]
    ]


# --- --output ----------------------------------------------------------------------------------


def test_output_json_file(invoke: Invoke, five_customers_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "metrics.json"
    result = invoke("metrics", five_customers_csv, "-f", "json", "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    document = json.loads(target.read_text(encoding="utf-8"))
    assert bridge_values(document) == FIVE_BRIDGE
    # the file holds exactly what stdout would have shown
    assert (
        target.read_text(encoding="utf-8")
        == invoke("metrics", five_customers_csv, "-f", "json").stdout
    )


def test_output_csv_folder(invoke: Invoke, five_customers_csv: Path, tmp_path: Path) -> None:
    folder = tmp_path / "csv_out"
    result = invoke("metrics", five_customers_csv, "-f", "csv", "--output", folder)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == ["bridge.csv", "retention.csv"]
    with (folder / "bridge.csv").open(newline="", encoding="utf-8") as handle:
        assert [list(r.values()) for r in csv.DictReader(handle)] == FIVE_BRIDGE
    with (folder / "retention.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    # 3-month window as of 2024-04: E = 370
    assert (rows[3]["window_months"], rows[3]["ending_mrr"]) == ("3", "370.00")


def test_output_table_file(invoke: Invoke, five_customers_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "metrics.txt"
    result = invoke("metrics", five_customers_csv, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "74.4%" in target.read_text(encoding="utf-8")


def test_output_json_into_a_missing_folder(
    invoke: Invoke, five_customers_csv: Path, tmp_path: Path
) -> None:
    target = tmp_path / "not_yet" / "metrics.json"
    result = invoke("metrics", five_customers_csv, "-f", "json", "-o", target)
    assert "internal error" not in result.stderr
    assert result.exit_code in (0, 1)
