"""The heatmap per group of ``cohorts --by``: each cell is the group's JSON value."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from tests.tables import dataset_of

from revenue_retention.analyses.cohort_groups import cohort_groups
from revenue_retention.outputs.cohort_groups import cohort_groups_document
from revenue_retention.outputs.cohorts.chart import cohort_group_heatmaps
from revenue_retention.outputs.registry import chart

JAN, FEB, MAR = (datetime.date(2024, m, 1) for m in (1, 2, 3))
# Two plans: "pro" (a expands 100 -> 150, b churns) and "basic" (c stays, d joins in Feb).
ROWS = [
    ("a", JAN, Decimal(100)),
    ("a", FEB, Decimal(150)),
    ("a", MAR, Decimal(150)),
    ("b", JAN, Decimal(50)),
    ("c", JAN, Decimal(10)),
    ("c", FEB, Decimal(10)),
    ("c", MAR, Decimal(10)),
    ("d", FEB, Decimal(20)),
    ("d", MAR, Decimal(30)),
]
PLANS = ["pro", "pro", "pro", "pro", "basic", "basic", "basic", "basic", "basic"]


@pytest.fixture(scope="module")
def split():  # type: ignore[no-untyped-def]
    return cohort_groups(dataset_of(ROWS, attributes={"plan": PLANS}), "plan")


def test_each_cell_is_the_groups_json_value(split) -> None:  # type: ignore[no-untyped-def]
    drawn = cohort_group_heatmaps(split)
    document = json.loads(cohort_groups_document(split).to_json())
    expected = {
        (r["group"], r["cohort"], r["age_months"]): r["value"] for r in document["cohorts_by_group"]
    }
    seen = {}
    for trace in drawn.figure.data:
        group = trace.meta["group"]
        for i, cohort in enumerate(trace.y):
            for j, age in enumerate(trace.x):
                if trace.z[i][j] is not None:
                    seen[(group, cohort, age)] = trace.z[i][j]
    assert seen == pytest.approx(expected)
    # By hand: pro's January cohort (a 100, b 50) keeps 150 of 150 at month 1 (NRR 100%);
    # basic's February cohort (d 20) is at 150% a month later.
    assert seen[("pro", "2024-01", 1)] == pytest.approx(1.0)
    assert seen[("basic", "2024-02", 1)] == pytest.approx(1.5)


def test_buttons_switch_groups_largest_first(split) -> None:  # type: ignore[no-untyped-def]
    drawn = chart(split)  # the registry's chart of the result: what plot() draws
    buttons = drawn.figure.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["basic", "pro"]  # 2 customers each: by name
    visible = [t.visible is not False for t in drawn.figure.data]
    assert visible == [True, True, False, False]
    assert buttons[1].args[0]["visible"] == [False, False, True, True]
    assert buttons[1].args[1]["yaxis.ticktext"] == ["2024-01 \u00b7 2"]
    assert drawn.rows == (("basic", "2", "2"), ("pro", "2", "1"))


def test_groups_past_the_cap_are_named_not_drawn(split) -> None:  # type: ignore[no-untyped-def]
    drawn = cohort_group_heatmaps(split, max_groups=1)
    assert {t.meta["group"] for t in drawn.figure.data} == {"basic"}
    assert "not drawn: pro" in drawn.caption
