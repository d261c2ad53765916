"""``retention explain --customer``: one customer's months, movements and windows, by hand.

D of the five-customer example (conftest.py): 80 in January, gone in February and March,
back at 70 in April. Its months: 2024-01 (opening balance, none), 2024-02 churn 80,
2024-04 reactivation 70. Its windows: 1-month to February (start January, 80 -> 0:
churn); 3-month to April (start January, 80 -> 70: contraction); no other cohort has it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Invoke = Callable[..., Result]


def test_json_timeline_by_hand(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("explain", five_customers_csv, "--customer", "D", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["analysis"], doc["mode"], doc["customer_id"], doc["windows_months"]) == (
        "explain",
        "customer",
        "D",
        [1, 3, 12],
    )
    assert [
        (m["period"], m["previous_mrr"], m["mrr"], m["movement"], m["amount"])
        for m in doc["months"]
    ] == [
        ("2024-01", None, "80.00", "none", "0.00"),
        ("2024-02", "80.00", "0.00", "churn", "80.00"),
        ("2024-04", "0.00", "70.00", "reactivation", "70.00"),
    ]
    assert [m["movement"] for m in doc["movements"]] == ["churn", "reactivation"]
    windows = [
        (w["window_months"], w["as_of"], w["in_cohort"], w["start_mrr"], w["end_mrr"], w["class"])
        for w in doc["windows"]
    ]
    assert windows == [
        (1, "2024-02", True, "80.00", "0.00", "churn"),
        (1, "2024-03", False, None, None, None),
        (1, "2024-04", False, None, None, None),
        (3, "2024-04", True, "80.00", "70.00", "contraction"),
    ]


def test_terminal_timeline_at_90_columns(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("explain", five_customers_csv, "--customer", "D", env={"COLUMNS": "90"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 90
    march = next(line for line in lines if "2024-03" in line)
    assert "0.00" in march and "churn" not in march  # no row that month: MRR 0, no movement
    april = next(line for line in lines if "2024-04" in line)
    assert "reactivation" in april and "contraction" in april  # the 3-month window's class
    assert "2 movements; in 2 window cohorts: churn 1, contraction 1" in result.stdout


def test_the_window_option_picks_the_windows(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke(
        "explain", five_customers_csv, "--customer", "A", "--window", "2", "--format", "json"
    )
    doc = json.loads(result.stdout)
    assert [(w["as_of"], w["class"]) for w in doc["windows"]] == [
        ("2024-03", "expansion"),  # 100 -> 120
        ("2024-04", "expansion"),  # 100 -> 150
    ]


def test_options_of_the_other_modes_are_refused(invoke: Invoke, five_customers_csv: Path) -> None:
    for extra in (["--period", "2024-03"], ["--by", "segment=SMB"], ["--limit", "3"]):
        result = invoke("explain", five_customers_csv, "--customer", "D", *extra)
        assert result.exit_code == 1
        assert f"{extra[0]}: " in result.stderr and "does not apply to --customer" in result.stderr


def test_an_unknown_customer_names_the_close_one(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("explain", five_customers_csv, "--customer", "d")
    assert result.exit_code == 1
    assert (
        "error: --customer: 'd' is not a customer_id of the input in the months analysed "
        "(2024-01 to 2024-04). Did you mean 'D'?"
    ) in result.stderr


def test_a_customer_after_the_as_of_month(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("explain", five_customers_csv, "--customer", "E", "--as-of", "2024-01")
    assert result.exit_code == 1
    assert "'E' is not a customer_id of the input in the months analysed (2024-01" in (
        result.stderr
    )
