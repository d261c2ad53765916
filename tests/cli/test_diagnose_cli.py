"""``retention diagnose`` from the command line: JSON contract, table, errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from revenue_retention.cli import app


def leaky_csv(tmp_path: Path) -> Path:
    # S = 1000 (ten at 100); three churn, c0 grows to 500: GRR 70%, NRR 110%.
    rows = [f"c{i},2024-01,100" for i in range(10)]
    rows += ["c0,2025-01,500"] + [f"c{i},2025-01,100" for i in range(4, 10)]
    path = tmp_path / "leaky.csv"
    path.write_text("customer_id,month,mrr\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_json_names_each_diagnostic_with_inputs_and_threshold(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["diagnose", str(leaky_csv(tmp_path)), "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["as_of"] == "2025-01" and doc["window_months"] == 12
    assert doc["rates"]["grr"] == 0.7 and abs(doc["rates"]["nrr"] - 1.1) < 1e-12
    bands = {b["metric"]: b for b in doc["benchmarks"]}
    assert bands["grr"]["band"] == "weak" and bands["grr"]["median"] == 0.91
    assert bands["nrr"]["band"] == "good"  # 110% is in 110-120%
    leak = next(d for d in doc["diagnostics"] if d["id"] == "leaky_bucket")
    assert leak["triggered"] is True
    assert leak["message"] == "NRR 110% but GRR 70%: expansion is covering a leak."
    assert leak["inputs"] == {"grr": 0.7, "nrr": doc["rates"]["nrr"]}
    assert leak["threshold"] == {"nrr_at_least": 1.0, "grr_below": 0.85}


def test_table_states_the_diagnostics_in_words(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["diagnose", str(leaky_csv(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "expansion is covering a leak" in result.stdout
    assert "weak" in result.stdout


def test_a_missing_benchmarks_file_is_a_clear_error(tmp_path: Path) -> None:
    args = ["diagnose", str(leaky_csv(tmp_path)), "--benchmarks", str(tmp_path / "no.toml")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "no.toml: cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
