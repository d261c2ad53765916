"""``retention cohorts --by``: keys added to the cohorts document, never changed; terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Invoke = Callable[..., Result]

PLANS_CSV = """\
customer_id,month,mrr,plan
a,2024-01,100,pro
a,2024-02,150,max
b,2024-01,50,basic
c,2024-02,40,pro
c,2024-03,40,pro
"""


def test_json_adds_keys_and_keeps_the_rest(invoke: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "plans.csv"
    source.write_text(PLANS_CSV)
    plain = json.loads(invoke("cohorts", source, "--format", "json").stdout)
    split = json.loads(invoke("cohorts", source, "--by", "plan", "--format", "json").stdout)
    assert {k: v for k, v in split.items() if k in plain} == plain
    assert set(split) - set(plain) == {"by", "groups", "cohorts_by_group", "cohort_sizes_by_group"}
    assert (split["by"], split["groups"]) == ("plan", ["basic", "pro"])
    pro = [
        (r["cohort"], r["age_months"], r["base_mrr"], r["mrr"])
        for r in split["cohorts_by_group"]
        if r["group"] == "pro"
    ]
    assert pro == [
        ("2024-01", 0, "100.00", "100.00"),
        ("2024-01", 1, "100.00", "150.00"),
        ("2024-01", 2, "100.00", "0.00"),
        ("2024-02", 0, "40.00", "40.00"),
        ("2024-02", 1, "40.00", "40.00"),
    ]
    assert [(r["group"], r["cohort"], r["customers"]) for r in split["cohort_sizes_by_group"]] == [
        ("basic", "2024-01", 1),
        ("pro", "2024-01", 1),
        ("pro", "2024-02", 1),
    ]


def test_terminal_shows_a_matrix_per_group(invoke: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "plans.csv"
    source.write_text(PLANS_CSV)
    result = invoke("cohorts", source, "--by", "plan", env={"COLUMNS": "90"})
    assert result.exit_code == 0, result.output
    assert "plan = basic: 1 customer (their plan in their first paying month)" in result.stdout
    assert "plan = pro: 2 customers" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 90


def test_unknown_attribute(invoke: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "plans.csv"
    source.write_text(PLANS_CSV)
    result = invoke("cohorts", source, "--by", "segment")
    assert result.exit_code == 1
    assert "--by: 'segment' is not an attribute column; attributes: plan" in result.stderr
