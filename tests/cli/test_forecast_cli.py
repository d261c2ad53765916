"""``retention forecast`` from the command line: JSON, the table, errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from revenue_retention.cli import app


def constant_grr_csv(tmp_path: Path) -> Path:
    # 2023-01 .. 2025-01: "one" (100) leaves at 2024-01, "two" (90) at 2025-01, "rest"
    # (810) stays: the base keeps 90% a year, so from 810 the floor is 729, and the
    # projection made at 2024-01 (900 x 90% = 810) is what happened.
    rows = []
    for i in range(25):
        month = f"{2023 + i // 12}-{i % 12 + 1:02d}"
        rows.append(f"rest,{month},810")
        if i < 12:
            rows.append(f"one,{month},100")
        if i < 24:
            rows.append(f"two,{month},90")
    path = tmp_path / "constant.csv"
    path.write_text("customer_id,month,mrr\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_json_has_scenarios_projection_and_backtest(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["forecast", str(constant_grr_csv(tmp_path)), "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["as_of"], doc["months"], doc["starting_mrr"]) == ("2025-01", 12, "810.00")
    assert (doc["revenue_floor"], doc["base_only"], doc["new_business"]) == (
        "729.00",
        "729.00",
        "0.00",
    )
    assert [s["scenario"] for s in doc["scenarios"]] == ["floor", "base", "with_new_business"]
    floor = doc["scenarios"][0]
    assert (floor["period"], floor["mrr"], floor["arr"]) == ("2026-01", "729.00", "8748.00")
    assert len(doc["projection"]) == 3 * 12
    assert [(b["made_at"], b["projected"], b["actual"], b["error"]) for b in doc["backtest"]] == [
        ("2024-01", "810.00", "810.00", "0.00")
    ] * 3


def test_table_shows_scenarios_and_the_backtest_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["forecast", str(constant_grr_csv(tmp_path)), "--months", "6"], env={"COLUMNS": "100"}
    )
    assert result.exit_code == 0, result.output
    assert "Existing base, GRR floor" in result.stdout
    assert "Backtest: the same projection made at 2024-01, against 2025-01" in result.stdout
    assert "0.00 (+0.0%)" in result.stdout


def test_too_short_a_history_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,10\na,2024-06,10\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["forecast", str(path)])
    assert result.exit_code == 1
    assert "needs 12 months of data before it" in result.stderr
    assert "Traceback" not in result.output
