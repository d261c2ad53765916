"""Billing intervals in generic files: amounts per interval normalised to a month (§1).

METRICS.md §1: annual / 12, quarterly / 3, weekly x 52 / 12. Every expected figure is
worked out in a comment.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from revenue_retention import load
from revenue_retention.errors import BadRowsError


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def mrr_of(path: Path, **options: object) -> dict[str, Decimal]:
    data = load(path, **options)  # type: ignore[arg-type]
    first = data.months.first
    rows = data.table.filter(data.table.month_index == first).to_pyarrow().to_pylist()
    return {r["customer_id"]: r["mrr"] for r in rows}


def test_a_subscription_amount_per_interval_is_normalised_to_a_month(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "subs.csv",
        "customer_id,start_date,end_date,amount,interval,interval_count",
        "annual,2024-01-01,,1200,year,",  # 1200 / 12 = 100
        "quarterly,2024-01-01,,300,quarter,",  # 300 / 3 = 100
        "weekly,2024-01-01,,100,week,",  # 100 x 52 / 12 = 433.333333
        "bimonthly,2024-01-01,,100,month,2",  # 100 / 2 = 50
        "monthly,2024-01-01,,50,monthly,",  # 50
        "yearly,2024-01-01,,2400,Annual,2",  # 2400 / 24 = 100
    )
    assert mrr_of(path) == {
        "annual": Decimal(100),
        "quarterly": Decimal(100),
        "weekly": Decimal("433.333333"),
        "bimonthly": Decimal(50),
        "monthly": Decimal(50),
        "yearly": Decimal(100),
    }
    (note,) = [w for w in load(path).report.warnings if "columns read by their names" in w]
    assert "'amount' as mrr" in note and "normalised to a month" in note


def test_an_amount_named_monthly_is_not_divided_again(tmp_path: Path) -> None:
    # RavenStack's shape: mrr_amount is already monthly; billing_frequency says how the
    # plan is billed, and is kept as an attribute. 1200 stays 1200.
    path = write_csv(
        tmp_path / "raven.csv",
        "subscription_id,account_id,start_date,end_date,seats,mrr_amount,billing_frequency",
        "S1,A,2024-01-01,,10,1200,annual",
        "S2,B,2024-01-01,,5,300,monthly",
    )
    data = load(path)
    assert mrr_of(path) == {"A": Decimal(1200), "B": Decimal(300)}
    assert "billing_frequency" in data.attributes
    (note,) = [w for w in data.report.warnings if "columns read by their names" in w]
    assert "'billing_frequency' as interval (not applied: 'mrr_amount' is monthly" in note
    assert "'seats' as quantity" in note


def test_a_bad_interval_is_rejected_with_its_reason(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        "customer_id,start_date,end_date,amount,interval",
        "a,2024-01-01,,1200,year",
        "b,2024-01-01,,100,fortnight",
    )
    with pytest.raises(BadRowsError, match=r"line 3, column 'interval': 'fortnight'"):
        load(path)


def test_an_annual_amount_that_nothing_normalises_is_warned_about(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "arr.csv", "customer_id,month,arr", "a,2024-01,12000")
    (warning,) = [
        w for w in load(path, columns={"mrr": "arr"}).report.warnings if "its name says" in w
    ]
    assert warning.startswith("'arr' is read as a monthly amount")


def test_interval_values_in_an_unread_column_are_warned_about(tmp_path: Path) -> None:
    # 'plan_type' holds billing intervals, but is not a name the tool reads as one: the
    # amounts are read as monthly, and the warning says how to normalise them.
    path = write_csv(
        tmp_path / "plans.csv",
        "customer_id,start_date,end_date,amount,plan_type",
        "a,2024-01-01,,1200,annual",
        "b,2024-01-01,,100,monthly",
    )
    data = load(path)
    (warning,) = [w for w in data.report.warnings if "holds billing intervals" in w]
    assert "--column interval=plan_type" in warning
    assert mrr_of(path) == {"a": Decimal(1200), "b": Decimal(100)}
    normalised = mrr_of(path, columns={"interval": "plan_type"})
    assert normalised == {"a": Decimal(100), "b": Decimal(100)}
