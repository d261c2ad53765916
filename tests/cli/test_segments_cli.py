"""``retention metrics --by``: group rows beside the totals, under the attribute's own name."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from revenue_retention.cli import app

ROWS = """customer_id,month,mrr,segment
x,2024-01,100,SMB
x,2024-02,150,Ent
y,2024-01,40,SMB
y,2024-02,40,SMB
z,2024-02,10,Ent
"""


def run(tmp_path: Path, *args: str) -> dict:
    path = tmp_path / "seg.csv"
    path.write_text(ROWS, encoding="utf-8")
    result = CliRunner().invoke(app, ["metrics", str(path), "-f", "json", "-w", "1", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_group_rows_follow_the_totals_and_add_up(tmp_path: Path) -> None:
    doc = run(tmp_path, "--by", "segment")
    assert doc["by"] == ["segment"]
    totals = [r for r in doc["bridge"] if "segment" not in r]
    groups = {r["segment"]: r for r in doc["bridge"] if "segment" in r}
    assert len(totals) == 1  # one bridge row per month after the first, as without --by
    # x moves SMB -> Ent with 100 and expands by 50 in Ent; z is new in Ent; y stays.
    assert groups["SMB"]["transfer_out"] == "100.00" and groups["SMB"]["closing_mrr"] == "40.00"
    assert groups["Ent"]["transfer_in"] == "100.00" and groups["Ent"]["expansion"] == "50.00"
    assert groups["Ent"]["new"] == "10.00" and groups["Ent"]["closing_mrr"] == "160.00"
    for name in ("opening_mrr", "new", "expansion", "churn", "closing_mrr"):
        assert sum(Decimal(g[name]) for g in groups.values()) == Decimal(totals[0][name])
    # Retention: x counts in SMB, its segment at the start of the window.
    ret = [r for r in doc["retention"] if "segment" in r]
    assert [(r["segment"], r["customers"], r["starting_mrr"]) for r in ret] == [
        ("SMB", 2, "140.00")
    ]


def test_an_unknown_attribute_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "seg.csv"
    path.write_text(ROWS, encoding="utf-8")
    result = CliRunner().invoke(app, ["metrics", str(path), "--by", "segmnt"])
    assert result.exit_code == 1
    assert "did you mean 'segment'" in result.stderr


def test_size_bands_are_configurable(tmp_path: Path) -> None:
    doc = run(tmp_path, "--by", "size_band", "--size-bands", "50")
    bands = {r["size_band"] for r in doc["retention"] if "size_band" in r}
    assert bands == {"1: < 50", "2: >= 50"}  # y starts at 40, x at 100


def test_scope_tells_totals_from_groups_even_for_a_null_group(tmp_path: Path) -> None:
    path = tmp_path / "nulls.csv"
    path.write_text(
        "customer_id,month,mrr,segment\nx,2024-01,10,\nx,2024-02,10,\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        app, ["metrics", str(path), "-w", "1", "--by", "segment", "-f", "csv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("period,scope,segment,")
    assert lines[2].startswith("2024-02,total,,") and lines[3].startswith("2024-02,group,,")


def test_a_group_column_named_like_a_result_column_is_used_by_its_new_name(tmp_path: Path) -> None:
    path = tmp_path / "churn.csv"
    path.write_text("customer_id,month,mrr,churn\nx,2024-01,10,P\nx,2024-02,12,Q\n", "utf-8")
    bad = CliRunner().invoke(app, ["metrics", str(path), "--by", "churn"])
    assert bad.exit_code == 1 and "did you mean 'attr_churn'" in bad.stderr
    good = CliRunner().invoke(app, ["metrics", str(path), "-f", "json", "--by", "attr_churn"])
    assert good.exit_code == 0, good.output
    groups = [r for r in json.loads(good.stdout)["retention"] if r.get("scope") == "group"]
    assert [r["attr_churn"] for r in groups] == ["P"]
