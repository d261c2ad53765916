"""``retention growth`` and ``--unit arr`` from the command line, on the five customers of
conftest.py (Jan 430, Feb 410, Mar 330, Apr 430); every expected figure worked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.conftest import Invoke


def test_growth_json_of_the_three_month_window(invoke: Invoke, five_customers_csv: Path) -> None:
    """Apr's window: at risk 4 + 4 + 3 = 11 customer-months, 2 churned (D in Feb, C in Mar);
    ARPA 430 / 4 = 107.50; LTV = 107.50 x 0.8 x 11 / 2 = 473; quick = (60 + 50 + 70) /
    (130 + 50) = 1."""
    result = invoke(
        "growth", five_customers_csv, "--window", "3", "--gross-margin", "80%", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["unit"] == "mrr" and document["gross_margin"] == "0.8"
    window = document["windows"][-1]
    assert window["as_of"] == "2024-04"
    assert (window["starting_mrr"], window["ending_mrr"], window["arr"]) == (
        "430.00",
        "430.00",
        "5160.00",
    )
    assert window["customer_months_at_risk"] == 11 and window["churned_customers"] == 2
    assert window["customer_churn_rate"] == pytest.approx(2 / 11)
    assert window["quick_ratio"] == pytest.approx(1.0)
    assert (window["arpa"], window["ltv"]) == ("107.50", "473.00")
    feb = document["months"][0]
    assert (feb["period"], feb["net_new_mrr"], feb["churned_customers"]) == ("2024-02", "-20.00", 1)
    assert document["quantity"] == []
    assert "no quantity" in document["notes"]["quantity"]


def test_growth_without_gross_margin_says_why(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("growth", five_customers_csv, "--window", "3", "-f", "json")
    document = json.loads(result.stdout)
    assert document["gross_margin"] is None and document["windows"][-1]["ltv"] is None
    assert "--gross-margin" in document["notes"]["ltv"]
    table = invoke("growth", five_customers_csv, "--window", "3", env={"COLUMNS": "90"})
    assert "needs --gross-margin" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 90


def test_growth_in_arr(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke(
        "growth",
        five_customers_csv,
        "--window",
        "3",
        "--gross-margin",
        "0.8",
        "--unit",
        "arr",
        "-f",
        "json",
    )
    document = json.loads(result.stdout)
    window = document["windows"][-1]
    assert document["unit"] == "arr" and "arr" not in window
    assert (window["starting_arr"], window["ending_arr"], window["net_new_arr"]) == (
        "5160.00",
        "5160.00",
        "0.00",
    )
    assert (window["arpa"], window["ltv"]) == ("1290.00", "473.00")  # LTV is not a monthly amount
    assert window["customer_churn_rate"] == pytest.approx(2 / 11)


def test_metrics_in_arr(invoke: Invoke, five_customers_csv: Path) -> None:
    """Every amount x 12 under ``*_arr`` names; rates and counts as in MRR."""
    mrr = json.loads(invoke("metrics", five_customers_csv, "-f", "json").stdout)
    arr = json.loads(invoke("metrics", five_customers_csv, "--unit", "arr", "-f", "json").stdout)
    assert "unit" not in mrr and arr["unit"] == "arr"
    feb = arr["bridge"][0]
    assert (feb["opening_arr"], feb["churn"], feb["new"], feb["closing_arr"]) == (
        "5160.00",
        "960.00",
        "720.00",
        "4920.00",
    )
    for before, after in zip(mrr["retention"], arr["retention"], strict=True):
        assert after["starting_arr"] == f"{12 * float(before['starting_mrr']):.2f}"
        assert (after["grr"], after["nrr"], after["customers"]) == (
            before["grr"],
            before["nrr"],
            before["customers"],
        )
    table = invoke("metrics", five_customers_csv, "--unit", "arr", env={"COLUMNS": "90"})
    assert "ARR bridge" in table.stdout and "MRR bridge" not in table.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("growth", "--gross-margin", "1.5"), "--gross-margin"),
        (("growth", "--unit", "eur"), "--unit"),
        (("metrics", "--unit", "yearly"), "--unit"),
    ],
)
def test_bad_options_are_one_line(
    invoke: Invoke, five_customers_csv: Path, args: tuple[str, ...], option: str
) -> None:
    result = invoke(args[0], five_customers_csv, *args[1:])
    assert result.exit_code == 1
    assert option in result.stderr and "Traceback" not in result.output


def test_the_worked_example_of_the_docs(invoke: Invoke, five_customers_csv: Path) -> None:
    """docs/metrics.md 4.14: the months' figures, the pooled and annualised rates, the
    cohort's, and LTV at both ends of the 90% Wilson interval of 2 / 11."""
    args = ("growth", five_customers_csv, "--window", "3", "--gross-margin", "0.8", "-f", "json")
    document = json.loads(invoke(*args).stdout)
    feb, mar, apr = document["months"]
    assert (feb["arr"], mar["arr"], apr["arr"]) == ("4920.00", "3960.00", "5160.00")
    assert (feb["quick_ratio"], mar["quick_ratio"], apr["quick_ratio"]) == (
        pytest.approx(60 / 80),
        pytest.approx(20 / 100),
        None,
    )
    assert mar["gross_mrr_churn_rate"] == pytest.approx(100 / 410)
    assert mar["net_mrr_churn_rate"] == pytest.approx(80 / 410)
    assert apr["net_mrr_churn_rate"] == pytest.approx(-30 / 330)
    assert (feb["arpa"], mar["arpa"], apr["arpa"]) == ("102.50", "110.00", "107.50")
    assert (feb["average_new_customer_mrr"], mar["average_new_customer_mrr"]) == ("60.00", None)
    assert feb["customer_churn_rate_annualised"] == pytest.approx(1 - (3 / 4) ** 12)
    window = document["windows"][-1]
    assert window["gross_mrr_churn_rate"] == pytest.approx(180 / 1170)
    assert window["net_mrr_churn_rate"] == pytest.approx(130 / 1170)
    assert window["customer_churn_rate_annualised"] == pytest.approx(1 - (9 / 11) ** 12)
    assert window["net_mrr_churn_rate_annualised"] == pytest.approx(1 - (8 / 9) ** 12)
    assert window["cohort_gross_mrr_churn_rate"] == pytest.approx(110 / 430)
    assert window["cohort_net_mrr_churn_rate"] == pytest.approx(60 / 430)
    assert window["cohort_customer_churn_rate"] == pytest.approx(1 / 4)
    assert window["average_new_customer_mrr"] == "60.00"
    assert float(window["ltv_low"]) == pytest.approx(201.34, abs=0.005)
    assert float(window["ltv_high"]) == pytest.approx(1384.52, abs=0.005)
