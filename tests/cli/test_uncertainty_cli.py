"""``retention metrics --ci``: bootstrap intervals in the JSON, CSV and table outputs (§7)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from revenue_retention.cli import app

CI_KEYS = (
    "grr_low",
    "grr_high",
    "nrr_low",
    "nrr_high",
    "logo_retention_low",
    "logo_retention_high",
    "ci_level",
)


@pytest.fixture
def two_customers_one_churned(tmp_path: Path) -> Path:
    """Jan: a 100, b 100; Feb: a 100, b gone. Its one-month GRR = NRR = logos = 50%."""
    path = tmp_path / "mrr.csv"
    path.write_text(
        "customer_id,month,mrr\na,2024-01,100\nb,2024-01,100\na,2024-02,100\n", encoding="utf-8"
    )
    return path


@pytest.fixture
def six_months_ten_customers(tmp_path: Path) -> Path:
    """Ten customers over six months with churn, contraction and expansion."""
    lines = ["customer_id,month,mrr"]
    for i in range(10):
        for m in range(1, 7):
            if i % 4 == 0 and m > 3:
                continue  # churned after March
            amount = 100 + 10 * i + (5 * m if i % 3 == 0 else -m if i % 3 == 1 else 0)
            lines.append(f"c{i},2024-{m:02d},{amount}")
    path = tmp_path / "mrr.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def retention_json(*args: str) -> dict[str, Any]:
    result = run("metrics", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_hand_computed_interval_in_json(two_customers_one_churned: Path) -> None:
    # A resample holds b twice (p = 1/4: every rate 0), each once (1/2: 50%) or a twice
    # (1/4: 100%), so the 5% and 95% quantiles are exactly 0 and 1.
    document = retention_json(str(two_customers_one_churned), "--windows", "1", "--ci", "0.9")
    assert document["ci"] == {
        "level": 0.9,
        "resamples": 2000,
        "seed": 0,
        "method": "percentile bootstrap, customers of the cohort resampled with replacement",
    }
    (record,) = document["retention"]
    assert (record["as_of"], record["grr"], record["nrr"], record["logo_retention"]) == (
        "2024-02",
        0.5,
        0.5,
        0.5,
    )
    assert {key: record[key] for key in CI_KEYS} == {
        "grr_low": 0.0,
        "grr_high": 1.0,
        "nrr_low": 0.0,
        "nrr_high": 1.0,
        "logo_retention_low": 0.0,
        "logo_retention_high": 1.0,
        "ci_level": 0.9,
    }


def test_without_ci_nothing_changes_and_with_it_only_keys_are_added(
    six_months_ten_customers: Path,
) -> None:
    source = str(six_months_ten_customers)
    plain = retention_json(source)
    with_ci = retention_json(source, "--ci", "0.8", "--resamples", "300", "--seed", "7")
    assert "ci" not in plain
    assert all(not set(CI_KEYS) & set(r) for r in plain["retention"])
    assert with_ci["ci"]["level"] == 0.8
    assert with_ci["ci"]["resamples"] == 300
    assert with_ci["ci"]["seed"] == 7
    # Every row has its interval; take the keys away and the records are the plain ones.
    assert all(r["ci_level"] == 0.8 for r in with_ci["retention"])
    assert [{k: v for k, v in r.items() if k not in CI_KEYS} for r in with_ci["retention"]] == (
        plain["retention"]
    )
    assert with_ci["bridge"] == plain["bridge"]
    for r in with_ci["retention"]:
        if r["customers"]:
            for metric in ("grr", "nrr", "logo_retention"):
                assert r[f"{metric}_low"] <= r[metric] + 1e-12 <= r[f"{metric}_high"] + 2e-12


def test_the_same_seed_gives_the_same_output(six_months_ten_customers: Path) -> None:
    args = ("metrics", str(six_months_ten_customers), "--ci", "0.9", "--resamples", "200")
    first = run(*args, "--format", "json")
    assert first.exit_code == 0
    assert run(*args, "--format", "json").stdout == first.stdout
    other = run(*args, "--seed", "1", "--format", "json")
    assert other.exit_code == 0
    assert other.stdout != first.stdout


def test_csv_has_the_interval_columns(two_customers_one_churned: Path) -> None:
    result = run(
        "metrics", str(two_customers_one_churned), "-w", "1", "--ci", "0.9", "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    retention = result.stdout.split("# retention\n")[1]
    (row,) = csv.DictReader(io.StringIO(retention))
    assert list(row)[-7:] == list(CI_KEYS)
    assert (row["grr"], row["grr_low"], row["grr_high"], row["ci_level"]) == (
        "0.5",
        "0.0",
        "1.0",
        "0.9",
    )


def test_table_shows_the_interval_beside_the_rate(two_customers_one_churned: Path) -> None:
    result = run("metrics", str(two_customers_one_churned), "-w", "1", "--ci", "0.9")
    assert result.exit_code == 0, result.stderr
    assert "50.0% (0.0-100.0)" in result.stdout
    assert "90% bootstrap interval" in result.stdout
    assert "2,000 times, seed 0" in result.stdout
    plain = run("metrics", str(two_customers_one_churned), "-w", "1")
    assert "bootstrap" not in plain.stdout


@pytest.mark.parametrize("level", ["0", "1", "1.5", "-0.1"])
def test_a_level_outside_zero_one_is_an_option_error(
    two_customers_one_churned: Path, level: str
) -> None:
    result = run("metrics", str(two_customers_one_churned), "--ci", level)
    assert result.exit_code == 1
    assert "--ci" in result.stderr
    assert "between 0 and 1" in result.stderr


def test_a_level_that_is_not_a_number_is_a_usage_error(two_customers_one_churned: Path) -> None:
    result = run("metrics", str(two_customers_one_churned), "--ci", "ninety")
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--seed", "3"), "--seed"),
        (("--resamples", "500"), "--resamples"),
        (("--ci", "0.9", "--resamples", "10"), "--resamples"),
        (("--ci", "0.9", "--seed", "-1"), "--seed"),
        (("--ci", "0.9", "--method", "movement"), "--ci"),
    ],
)
def test_options_that_cannot_apply_are_refused(
    two_customers_one_churned: Path, args: tuple[str, ...], option: str
) -> None:
    result = run("metrics", str(two_customers_one_churned), *args)
    assert result.exit_code == 1, result.stdout
    assert option in result.stderr


def test_bad_level_exits_cleanly_in_a_real_process(two_customers_one_churned: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from revenue_retention.cli import main; main()",
            "metrics",
            str(two_customers_one_churned),
            "--ci",
            "2",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("error: --ci: 2.0 must be a level strictly between 0 and 1")
