"""``retention demo``: writes the demo company's CSV and analyses it (36 months of data)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import Result

from revenue_retention.cli.demo import next_step

Invoke = Callable[..., Result]


def test_demo_json(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = invoke("demo", "--out", out, "--format", "json")
    assert result.exit_code == 0, result.output
    assert (out / "demo.csv").is_file()
    document = json.loads(result.stdout)  # stdout holds the JSON and nothing else

    report = document["input"]
    first_year, first_month = map(int, report["first_month"].split("-"))
    last_year, last_month = map(int, report["last_month"].split("-"))
    assert (last_year - first_year) * 12 + last_month - first_month + 1 == 36

    # 36 months: one bridge row per month after the first
    assert len(document["bridge"]) == 35
    # one retention row per as-of month whose window start is inside the data: 36 - k
    counts = Counter(row["window_months"] for row in document["retention"])
    assert counts == {1: 35, 3: 33, 12: 24}
    assert document["retention"][-1]["as_of"] == report["last_month"]

    # every bridge row closes to the cent
    for row in document["bridge"]:
        d = {k: Decimal(v) for k, v in row.items() if k != "period"}
        assert d["closing_mrr"] == (
            d["opening_mrr"]
            + d["new"]
            + d["reactivation"]
            + d["expansion"]
            - d["contraction"]
            - d["churn"]
        ), row


def test_demo_table(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = invoke("demo", "--out", out)
    assert result.exit_code == 0, result.output
    assert "demo data written to" in result.stderr
    assert "Retention, cohort method" in result.stdout
    assert "12 mo" in result.stdout


def test_demo_ends_with_the_next_step(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("demo", "--out", tmp_path / "demo", "--quiet")
    assert result.exit_code == 0, result.output
    lines = result.stderr.rstrip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Next, your own data"))
    assert lines[start - 2].startswith("report written to")  # the last thing said, after it
    assert lines[start + 1].startswith("the month and the amount (customer_id,month,mrr")
    assert lines[start + 3 :] == [
        "  retention metrics my_billing.csv",
        "  retention report my_billing.csv -o my_report.html",
    ]


def _venv_script(root: Path) -> Path:
    bin_ = root / ".venv" / "bin"
    bin_.mkdir(parents=True)
    (bin_ / "activate").write_text("", encoding="utf-8")
    script = bin_ / "retention"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_next_step_names_the_venv_command_a_new_shell_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _venv_script(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [".venv/bin/retention", "demo"])
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))
    shown = next_step()
    assert "  .venv/bin/retention metrics my_billing.csv" in shown.splitlines()
    assert "`source .venv/bin/activate`" in shown
    # Once it is on PATH (an activated venv, pipx, uv tool), plain `retention` is enough.
    monkeypatch.setenv("PATH", str(script.parent))
    shown = next_step()
    assert "  retention metrics my_billing.csv" in shown.splitlines()
    assert "activate" not in shown
