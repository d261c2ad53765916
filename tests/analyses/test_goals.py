"""Goals files read and checked on a hand-built table whose rates are known."""

from __future__ import annotations

from pathlib import Path

import pytest

import revenue_retention as rr
from revenue_retention.analyses.goals import check_goals, load_goals
from revenue_retention.errors import InputError


def months() -> list[str]:
    return [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(16)]  # 2024-01 .. 2025-04


def two_segments(tmp_path: Path) -> Path:
    # Segments A and B, four customers at 100 each from 2024-01. In 2025-02 a1 grows to
    # 200 and b1 leaves. At 2025-04 (cohort of 2024-04, S = 800): GRR 700/800 = 87.5%,
    # NRR 800/800 = 100%, logo retention 7/8. Segment B's GRR: 100% at 2025-01, 300/400 =
    # 75% at 2025-04, a fall of 25 points in 3 months; A's stays at 100%.
    rows = []
    for m in months():
        late = m >= "2025-02"
        for s in "ab":
            for i in range(1, 5):
                if s == "b" and i == 1 and late:
                    continue
                mrr = 200 if (s, i, late) == ("a", 1, True) else 100
                rows.append(f"{s}{i},{m},{mrr},{s.upper()}")
    path = tmp_path / "segments.csv"
    path.write_text("customer_id,month,mrr,segment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


GOALS = """\
[[goal]]
metric = "grr"
at_least = 0.90

[[goal]]
metric = "nrr"
at_least = "100%"

[[goal]]
metric = "logo_retention"
at_most = 0.9

[[goal]]
name = "no segment's GRR falls fast"
metric = "grr"
by = "segment"
max_drop_points = 5
over_months = 3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "goals.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_goal_is_met_or_missed_with_its_figures(tmp_path: Path) -> None:
    goals = load_goals(write(tmp_path, GOALS))
    assert [g.name for g in goals][:3] == [
        "12-month GRR >= 90%",
        "12-month NRR >= 100%",
        "12-month logo retention <= 90%",
    ]
    result = check_goals(rr.load(two_segments(tmp_path)), goals)
    found = [(r.goal.metric, r.group, r.status, r.value) for r in result.results]
    assert found == [
        ("grr", None, "missed", 0.875),
        ("nrr", None, "met", 1.0),
        ("logo_retention", None, "met", 0.875),
        ("grr", "A", "met", 1.0),
        ("grr", "B", "missed", 0.75),
    ]
    drop = result.results[-1]
    assert (drop.previous, drop.change_points) == (1.0, -25.0)
    assert drop.message == (
        "segment B: 12-month GRR 100.0% at 2025-01 -> 75.0%: -25.0 points (goal: falls at most 5)"
    )
    assert [r.goal.metric for r in result.missed] == ["grr", "grr"]


def test_a_goal_at_an_earlier_month(tmp_path: Path) -> None:
    # At 2025-01 nobody has left or grown yet: GRR, NRR and logo retention are 100%, so
    # the logo ceiling is missed; 3 months earlier (2024-10) no 12-month window exists, so
    # the segments' fall is unknown, neither met nor missed.
    goals = load_goals(write(tmp_path, GOALS))
    data = rr.load(two_segments(tmp_path))
    result = check_goals(data, goals, as_of=data.months.last - 3)
    assert [r.status for r in result.results] == ["met", "met", "missed", "unknown", "unknown"]
    assert result.results[-1].message == "segment B: no 12-month GRR at 2024-10"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[goal]]\nmetric = "grr"\nat_leest = 0.9\n',
            "line 3 (goal 1, key 'at_leest'): unknown key",
        ),
        ('[[goal]]\nmetric = "churn"\nat_least = 0.9\n', "line 2 (goal 1, key 'metric'): 'churn'"),
        (
            '[[goal]]\nmetric = "grr"\nat_least = 0.9\n\n[[goal]]\nmetric = "nrr"\nat_least = 90\n',
            "line 7 (goal 2, key 'at_least'): 90 is not a rate: write 0.9 (90%), not 90",
        ),
        ('[[goal]]\nmetric = "grr"\n', "line 1 (goal 1): give exactly one of"),
        ('[[goal]]\nmetric = "grr"\nat_least = "ninety"\n', "key 'at_least'): 'ninety' is not"),
        ('[[goal]\nmetric = "grr"\n', "not valid TOML"),
        ("", "no goals"),
        ('[goals]\nmetric = "grr"\n', "line 1: unknown key 'goals'"),
        (
            '[[goal]]\nmetric = "grr"\nat_least = 0.9\nover_months = 2\n',
            "key 'over_months'): over_months goes with max_drop_points",
        ),
    ],
)
def test_a_bad_goals_file_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as raised:
        load_goals(path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)


def test_a_group_by_an_attribute_the_data_lacks_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '\n[[goal]]\nmetric = "grr"\nby = "plan"\nat_least = 0.9\n')
    with pytest.raises(InputError) as raised:
        check_goals(rr.load(two_segments(tmp_path)), load_goals(path), path=str(path))
    assert str(raised.value) == (
        f"{path}, goal at line 2 (key 'by'): 'plan' is not an attribute of the data; its "
        "attributes: segment (or size_band)"
    )
