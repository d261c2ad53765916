"""``retention concentration``: table, JSON and CSV output, --as-of / --window, errors.

Figures are those of the five-customer example of conftest.py, computed by hand: the
3-month window to 2024-04 has the cohort paying in 2024-01, a -> b:
A 100 -> 150, B 200 -> 150, C 50 -> 0, D 80 -> 70 (left and came back); S 430, E 370.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

Invoke = Callable[..., Result]


def ok_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_json_has_the_hand_computed_figures(invoke: Invoke, five_customers_csv: Path) -> None:
    doc = ok_json(invoke("concentration", five_customers_csv, "--window", "3", "--format", "json"))
    assert doc["analysis"] == "concentration"
    summary = doc["summary"][0]
    assert summary | {"nrr": None, "herfindahl": None} == {
        "as_of": "2024-04",
        "window_months": 3,
        "start": "2024-01",
        "method": "cohort",
        "customers": 4,
        "expanders": 1,
        "starting_mrr": "430.00",
        "expansion": "50.00",
        "ending_mrr": "370.00",
        "nrr": None,
        "herfindahl": None,
    }
    assert abs(summary["nrr"] - 370 / 430) < 1e-12
    # (200^2 + 100^2 + 80^2 + 50^2) / 430^2 = 58,900 / 184,900
    assert abs(summary["herfindahl"] - 58900 / 184900) < 1e-12
    top1 = doc["shares"][0]
    # B holds 200 of 430; A's +50 is all the expansion.
    assert (top1["top"], top1["mrr"], top1["expansion"]) == (1, "200.00", "50.00")
    assert abs(top1["share_of_starting_mrr"] - 200 / 430) < 1e-12
    assert top1["share_of_expansion"] == 1.0
    # Four customers: the top 5 and top 10 are all of them.
    assert [s["customers"] for s in doc["shares"]] == [1, 4, 4]
    without = {r["top"]: r for r in doc["nrr_without_top_expanders"]}
    # (370 - 50) / 430
    assert without[1]["ending_mrr"] == "320.00"
    assert abs(without[1]["nrr"] - 320 / 430) < 1e-12
    assert [r["customer_id"] for r in doc["top_customers"]] == ["B", "A", "D", "C"]
    assert doc["top_expanders"] == [
        {
            "rank": 1,
            "customer_id": "A",
            "start_mrr": "100.00",
            "end_mrr": "150.00",
            "expansion": "50.00",
            "share_of_expansion": 1.0,
        }
    ]
    assert [p["cumulative_mrr"] for p in doc["pareto"]] == ["200.00", "300.00", "380.00", "430.00"]


def test_table_shows_shares_and_nrr_without_the_top_expander(
    invoke: Invoke, five_customers_csv: Path
) -> None:
    result = invoke("concentration", five_customers_csv, "-k", "3")
    assert result.exit_code == 0, result.output
    assert "NRR 86.0%" in result.stdout  # 370 / 430
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("│           1 │"))
    assert "74.4%" in line  # (370 - 50) / 430
    assert "46.5%" in result.stdout  # B: 200 / 430
    assert result.stderr == ""


def test_as_of_picks_the_window(invoke: Invoke, five_customers_csv: Path) -> None:
    doc = ok_json(
        invoke("concentration", five_customers_csv, "--as-of", "2024-03", "-k", "1", "-f", "json")
    )
    # 2024-02 -> 2024-03: A 100 -> 120, B 200 -> 150, C 50 -> 0, E 60 -> 60; S 410, E 330.
    summary = doc["summary"][0]
    assert (summary["start"], summary["starting_mrr"], summary["ending_mrr"]) == (
        "2024-02",
        "410.00",
        "330.00",
    )


def test_csv_folder_has_one_file_per_section(
    invoke: Invoke, five_customers_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "concentration"
    result = invoke("concentration", five_customers_csv, "-k", "3", "-f", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "nrr_without_top_expanders.csv",
        "pareto.csv",
        "shares.csv",
        "summary.csv",
        "top_customers.csv",
        "top_expanders.csv",
    ]
    with (out / "summary.csv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert (row["starting_mrr"], row["ending_mrr"]) == ("430.00", "370.00")


def test_a_window_before_the_data_is_a_clear_error(
    invoke: Invoke, five_customers_csv: Path
) -> None:
    result = invoke("concentration", five_customers_csv)  # 12 months; the data has 4
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --window: 12 starts at 2023-04, before the data's")
    assert "Traceback" not in result.output


def test_help_ends_with_examples(invoke: Invoke) -> None:
    result = invoke("concentration", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "retention concentration mrr.csv" in result.stdout


def test_as_of_after_the_data_is_a_clear_error(invoke: Invoke, five_customers_csv: Path) -> None:
    # The subprocess run for exit codes is in test_explain_cli.py; the boundary is shared.
    result = invoke("concentration", five_customers_csv, "--as-of", "2030-01")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: --as-of: '2030-01' is outside the data's months")
