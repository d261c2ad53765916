"""Cohorts split by an attribute: hand-computed groups, and groups that add up to the whole."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses.cohort_groups import MAX_GROUPS, cohort_groups
from revenue_retention.datasets import write_demo_csv
from revenue_retention.errors import OptionError
from revenue_retention.periods import month_label

D = Decimal
JAN, FEB, MAR = (datetime.date(2024, m, 1) for m in (1, 2, 3))


@pytest.fixture(scope="module")
def plans_that_change() -> rr.Dataset:
    """a: pro 100 in January, max 150 in February, gone; b: basic 50 in January only;
    c: pro, 40 from February. Groups by first paying month: a pro, b basic, c pro."""
    rows = [
        ("a", JAN, D(100)),
        ("a", FEB, D(150)),
        ("b", JAN, D(50)),
        ("c", FEB, D(40)),
        ("c", MAR, D(40)),
    ]
    return dataset_of(rows, attributes={"plan": ["pro", "max", "basic", "pro", "pro"]})


def _cells(table: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r["group"],
            month_label(r["cohort_index"]),
            r["age_months"],
            r["cohort_customers"],
            r["nrr"],
        )
        for r in table.to_pylist()
    ]


def test_groups_by_hand(plans_that_change: rr.Dataset) -> None:
    split = cohort_groups(plans_that_change, "plan")
    assert split.groups == ("basic", "pro")  # a is pro for life, though it became max
    assert _cells(split.cohorts) == [
        ("basic", "2024-01", 0, 1, 1.0),
        ("basic", "2024-01", 1, 1, 0.0),
        ("basic", "2024-01", 2, 1, 0.0),
        ("pro", "2024-01", 0, 1, 1.0),
        ("pro", "2024-01", 1, 1, 1.5),  # a: 100 -> 150
        ("pro", "2024-01", 2, 1, 0.0),
        ("pro", "2024-02", 0, 1, 1.0),  # c
        ("pro", "2024-02", 1, 1, 1.0),
    ]
    sizes = [
        (r["group"], month_label(r["cohort_index"]), r["customers"])
        for r in split.sizes.to_pylist()
    ]
    assert sizes == [("basic", "2024-01", 1), ("pro", "2024-01", 1), ("pro", "2024-02", 1)]
    assert split.cohorts.column("value").to_pylist() == split.cohorts.column("nrr").to_pylist()


def test_the_groups_add_up_to_all_customers(tmp_path: Path) -> None:
    data = rr.load(write_demo_csv(tmp_path / "demo.csv", customers=300, months=24))
    split = cohort_groups(data, "plan", metric="mrr", grain="quarter")
    summed: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [0, D(0), D(0), D(0)])
    for r in split.cohorts.to_pylist():
        cell = summed[(r["cohort_index"], r["age_months"])]
        for i, name in enumerate(("cohort_customers", "base_mrr", "mrr", "retained_mrr")):
            cell[i] += r[name]
    overall = {
        (r["cohort_index"], r["age_months"]): [
            r["cohort_customers"],
            r["base_mrr"],
            r["mrr"],
            r["retained_mrr"],
        ]
        for r in split.overall.cohorts.to_pylist()
    }
    assert summed == overall
    assert sum(split.sizes.column("customers").to_pylist()) == sum(
        split.overall.sizes.column("customers").to_pylist()
    )


def test_an_unknown_attribute_is_refused(plans_that_change: rr.Dataset) -> None:
    with pytest.raises(OptionError, match=r"by: 'plna' is not an attribute column.*'plan'"):
        cohort_groups(plans_that_change, "plna")


def test_too_many_groups_are_refused() -> None:
    rows = [(f"c{i}", JAN, D(10)) for i in range(MAX_GROUPS + 1)]
    data = dataset_of(rows, attributes={"plan": [f"p{i}" for i in range(MAX_GROUPS + 1)]})
    with pytest.raises(OptionError, match=r"by: 'plan' has 51 values .* at most 50 ways"):
        cohort_groups(data, "plan")


def test_customers_without_a_value_form_their_own_group() -> None:
    data = dataset_of(
        [("a", JAN, D(10)), ("b", JAN, D(20)), ("b", FEB, D(20))],
        attributes={"plan": ["pro", "", ""]},
    )
    split = cohort_groups(data, "plan")
    groups = set(split.groups)
    assert "pro" in groups and len(groups) == 2
    other = next(g for g in split.groups if g != "pro")
    assert split.group(other).sizes.column("customers").to_pylist() == [1]
