"""``retention check``: exit codes for met and missed goals, JSON, and the baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.analyses.test_goals import two_segments
from typer.testing import CliRunner

from revenue_retention.cli import app

MET = '[[goal]]\nmetric = "nrr"\nat_least = "100%"\n'
MISSED = MET + '\n[[goal]]\nmetric = "grr"\nat_least = 0.9\n'


def goals(tmp_path: Path, text: str) -> str:
    path = tmp_path / "goals.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_all_goals_met_exits_0(tmp_path: Path) -> None:
    data = str(two_segments(tmp_path))
    result = CliRunner().invoke(app, ["check", data, "--goals", goals(tmp_path, MET)])
    assert result.exit_code == 0, result.output
    assert "[   met] 12-month NRR >= 100%: 12-month NRR 100.0% (goal >= 100.0%)" in result.stdout
    assert "all goals met (exit 0)" in result.stdout


def test_a_missed_goal_exits_3_with_its_figures_in_json(tmp_path: Path) -> None:
    data = str(two_segments(tmp_path))
    args = ["check", data, "--goals", goals(tmp_path, MISSED), "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3, result.output
    doc = json.loads(result.stdout)
    assert (doc["met"], doc["missed"], doc["unknown"], doc["all_met"]) == (1, 1, 0, False)
    assert doc["exit_code"] == 3
    missed = doc["goals"][1]
    assert (missed["status"], missed["value"], missed["threshold"], missed["line"]) == (
        "missed",
        0.875,
        0.9,
        5,
    )


def test_exit_codes_from_a_real_process(tmp_path: Path) -> None:
    # What cron or CI sees: 3 for a missed goal, 1 for a bad goals file, no traceback.
    data = str(two_segments(tmp_path))
    run = [sys.executable, "-c", "from revenue_retention.cli import main; main()"]
    missed = subprocess.run(
        [*run, "check", data, "--goals", goals(tmp_path, MISSED)], capture_output=True, text=True
    )
    assert missed.returncode == 3, missed.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[[goal]]\nmetric = "grr"\nat_least = 90\n', encoding="utf-8")
    failed = subprocess.run(
        [*run, "check", data, "--goals", str(bad)], capture_output=True, text=True
    )
    assert failed.returncode == 1
    assert failed.stderr == (
        f"error: {bad}, line 3 (goal 1, key 'at_least'): 90 is not a rate: write 0.9 (90%), "
        "not 90\n"
    )


def test_a_baseline_shows_what_moved_and_flags_restatements(tmp_path: Path) -> None:
    # The earlier run saw data to 2025-03; since then 2025-04 arrived and a2's 2024-06
    # was corrected from 100 to 150: 2024-06 and 2024-07 are restated in the bridge
    # (2024-06 closes 50 higher, 2024-07 sees a contraction), and so are the windows
    # ending or starting there.
    data = two_segments(tmp_path)
    earlier = tmp_path / "earlier.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    earlier.write_text("\n".join(line for line in lines if ",2025-04," not in line) + "\n")
    baseline = tmp_path / "baseline.json"
    made = CliRunner().invoke(app, ["metrics", str(earlier), "-f", "json", "-o", str(baseline)])
    assert made.exit_code == 0, made.output
    data.write_text(
        "\n".join(line.replace("a2,2024-06,100", "a2,2024-06,150") for line in lines) + "\n"
    )
    args = ["check", str(data), "--goals", goals(tmp_path, MET), "--baseline", str(baseline)]
    result = CliRunner().invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["baseline"]["new_months"] == ["2025-04"]
    restated = doc["baseline"]["restated_months"]
    assert "2024-06" in restated and "2024-07" in restated and "2024-05" not in restated
    closing = [
        r
        for r in doc["restated"]
        if (r["section"], r["period"], r["field"]) == ("bridge", "2024-06", "closing_mrr")
    ]
    assert closing == [
        {
            "section": "bridge",
            "period": "2024-06",
            "window_months": None,
            "group": None,
            "field": "closing_mrr",
            "before": "800.00",
            "after": "850.00",
        }
    ]
    grr = next(m for m in doc["moved"] if (m["figure"], m["window_months"]) == ("grr", 12))
    assert (grr["before_as_of"], grr["before"], grr["after_as_of"], grr["after"]) == (
        "2025-03",
        0.875,
        "2025-04",
        0.875,
    )
    table = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
    assert (
        "RESTATED:" in table.stdout
        and "bridge 2024-06 closing_mrr: 800.00 -> 850.00" in table.stdout
    )


def test_a_baseline_broken_down_by_segment_matches_group_rows(tmp_path: Path) -> None:
    # The earlier run was `metrics --by segment`: the check recomputes it by segment, so
    # unchanged data restates nothing, and a changed month names its group.
    data = two_segments(tmp_path)
    baseline = tmp_path / "by.json"
    args = ["metrics", str(data), "--by", "segment", "-f", "json", "-o", str(baseline)]
    assert CliRunner().invoke(app, args).exit_code == 0
    check = ["check", str(data), "--goals", goals(tmp_path, MET), "--baseline", str(baseline)]
    same = json.loads(CliRunner().invoke(app, [*check, "-f", "json"]).stdout)
    assert same["restated"] == [] and same["baseline"]["new_months"] == []
    lines = data.read_text(encoding="utf-8").replace("b2,2024-06,100", "b2,2024-06,90")
    data.write_text(lines, encoding="utf-8")
    changed = json.loads(CliRunner().invoke(app, [*check, "-f", "json"]).stdout)
    closing = [
        r
        for r in changed["restated"]
        if (r["section"], r["period"], r["field"]) == ("bridge", "2024-06", "closing_mrr")
    ]
    assert [(r["group"], r["before"], r["after"]) for r in closing] == [
        (None, "800.00", "790.00"),
        ("segment=B", "400.00", "390.00"),
    ]


def test_a_file_that_is_not_metrics_json_is_refused(tmp_path: Path) -> None:
    data = str(two_segments(tmp_path))
    other = tmp_path / "other.json"
    other.write_text('{"scenarios": []}', encoding="utf-8")
    args = ["check", data, "--goals", goals(tmp_path, MET), "--baseline", str(other)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert f"{other}: not the JSON of 'retention metrics'" in result.stderr
