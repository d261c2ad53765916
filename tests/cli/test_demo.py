"""``retention demo``: writes the demo company's CSV and analyses it (36 months of data)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from typer.testing import Result

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
