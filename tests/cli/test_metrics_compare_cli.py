"""``retention metrics --compare``: two months side by side, by hand; keys added only.

The five-customer example of conftest.py, as-of 2024-04 compared with 2024-03:

- bridge: April opening 330, reactivation 70 (D), expansion 30 (A), closing 430; March
  opening 410, expansion 20 (A), contraction 50 (B), churn 50 (C), closing 330.
- 1-month window to April: cohort A 120, B 150, E 60 (S 330) -> 150, 150, 60 (E 360):
  GRR 100%, NRR 360/330, logos 3/3. To March: A 100, B 200, C 50, E 60 (S 410) -> 120,
  150, 0, 60 (E 330): churn 50, contraction 50, expansion 20, GRR 310/410, logos 3/4.
- 3-month window to April: S 430, E 370 (docs/metrics.md §3); to March it would start in
  2023-12, before the data: no figures. No 12-month window fits either month.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

Invoke = Callable[..., Result]


def _figures(doc: dict[str, Any]) -> dict[tuple[Any, str], tuple[Any, Any, Any]]:
    return {
        (r["window_months"], r["figure"]): (r["as_of_value"], r["compared_value"], r["change"])
        for r in doc["comparison"]
    }


def test_json_by_hand(invoke: Invoke, five_customers_csv: Path) -> None:
    plain = json.loads(invoke("metrics", five_customers_csv, "--format", "json").stdout)
    result = invoke("metrics", five_customers_csv, "--compare", "2024-03", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {k: v for k, v in doc.items() if k not in ("compare", "comparison")} == plain
    assert doc["compare"] == {"as_of": "2024-04", "compared": "2024-03"}
    got = _figures(doc)
    assert got[(None, "opening_mrr")] == ("330.00", "410.00", "-80.00")
    assert got[(None, "reactivation")] == ("70.00", "0.00", "70.00")
    assert got[(None, "churn")] == ("0.00", "50.00", "-50.00")
    assert got[(None, "closing_mrr")] == ("430.00", "330.00", "100.00")
    assert got[(1, "customers")] == (3, 4, -1)
    assert got[(1, "starting_mrr")] == ("330.00", "410.00", "-80.00")
    assert got[(1, "ending_mrr")] == ("360.00", "330.00", "30.00")
    assert got[(1, "contraction")] == ("0.00", "50.00", "-50.00")
    now, then, change = got[(1, "grr")]
    assert (now, then) == (1.0, pytest.approx(310 / 410))
    assert change == pytest.approx(1 - 310 / 410)
    assert got[(1, "logo_retention")][:2] == (1.0, 0.75)
    assert got[(3, "starting_mrr")] == ("430.00", None, None)
    assert got[(3, "ending_mrr")] == ("370.00", None, None)
    assert got[(12, "nrr")] == (None, None, None)
    assert [r["window_months"] for r in doc["comparison"]][:1] == [12]  # longest first


def test_terminal_columns_at_90(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("metrics", five_customers_csv, "--compare", "2024-03", env={"COLUMNS": "90"})
    assert result.exit_code == 0, result.output
    assert "2024-04 compared with 2024-03" in result.stdout
    grr = next(line for line in result.stdout.splitlines() if "GRR (1 mo)" in line)
    assert "100.0%" in grr and "75.6%" in grr and "+24.4 pts" in grr
    closing = next(line for line in result.stdout.splitlines() if "closing MRR (month)" in line)
    assert "430.00" in closing and "330.00" in closing and "+100.00" in closing
    assert max(len(line) for line in result.stdout.splitlines()) <= 90


@pytest.mark.parametrize(
    ("month", "says"),
    [
        ("2024-04", "before the as-of month 2024-04"),
        ("2023-12", "must be a month from 2024-01 to 2024-03"),
        ("2024-13", "is not a month"),
    ],
)
def test_months_outside_are_refused(
    invoke: Invoke, five_customers_csv: Path, month: str, says: str
) -> None:
    result = invoke("metrics", five_customers_csv, "--compare", month)
    assert result.exit_code == 1
    assert f"--compare: {month!r}" in result.stderr and says in result.stderr


def test_with_as_of(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke(
        "metrics", five_customers_csv, "--as-of", "2024-03", "--compare", "2024-02", "-f", "json"
    )
    doc = json.loads(result.stdout)
    assert doc["compare"] == {"as_of": "2024-03", "compared": "2024-02"}
    assert _figures(doc)[(None, "closing_mrr")] == ("330.00", "410.00", "-80.00")
