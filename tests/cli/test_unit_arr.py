"""``--unit arr`` on every command with amounts: each amount x 12 of the MRR output's, to the
cent; rates, counts, months and the input's own money unchanged; labels say ARR."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from revenue_retention.cli import app
from revenue_retention.datasets import write_demo_csv

COMMANDS = [
    ["cohorts", "--metric", "mrr"],
    ["cohorts", "--by", "segment", "--metric", "mrr"],
    ["concentration"],
    ["explain"],
    ["explain", "--period", "2025-06"],
    ["explain", "--customer", "C01326"],
    ["decompose"],
    ["methods"],
]
_AMOUNT = re.compile(r"-?\d+\.\d+")
_NOT_MONTHLY = ("quantity", "seats", "ltv")
_QUANTITIES = ("q0", "q1")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_csv(tmp_path_factory.mktemp("arr") / "demo.csv")


def _run(*args: object) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.stdout


def _mrr_name(name: str) -> str:
    return "mrr" if name == "arr" else name.replace("_arr", "_mrr")


def _check(mrr: Any, arr: Any, key: str = "") -> int:
    """Walk both documents together; return how many amounts were compared."""
    if isinstance(mrr, dict):
        assert {_mrr_name(k) for k in arr} - {"unit"} == set(mrr), key
        return sum(_check(mrr[_mrr_name(k)], v, k) for k, v in arr.items() if k != "unit")
    if isinstance(mrr, list):
        assert len(mrr) == len(arr), key
        return sum(_check(m, a, key) for m, a in zip(mrr, arr, strict=True))
    monthly = key not in _QUANTITIES and not any(p in key for p in _NOT_MONTHLY)
    if isinstance(mrr, str) and _AMOUNT.fullmatch(mrr) and monthly:
        assert Decimal(arr) == Decimal(mrr) * 12, (key, mrr, arr)
        return 1
    assert arr == mrr, (key, mrr, arr)
    return 0


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_amount_is_twelve_times_the_mrr_one(demo: Path, command: list[str]) -> None:
    mrr = json.loads(_run(*command, demo, "-f", "json"))
    arr = json.loads(_run(*command, demo, "-f", "json", "--unit", "arr"))
    assert arr["unit"] == "arr" and "unit" not in mrr
    assert arr["input"] == mrr["input"]  # the file's own money is what it holds
    compared = _check(
        {k: v for k, v in mrr.items() if k != "input"},
        {k: v for k, v in arr.items() if k != "input"},
    )
    assert compared > 0
    shown = _run(*command, demo, "--unit", "arr")
    assert "ARR" in shown
    assert re.findall(r"\bMRR\b", shown) == ["MRR"]  # only in the last line: ARR = MRR x 12
    assert shown.rstrip().endswith("unit: ARR = MRR x 12, every amount; rates unchanged")


def test_an_unknown_unit_is_refused(demo: Path) -> None:
    result = CliRunner().invoke(app, ["concentration", str(demo), "--unit", "eur"])
    assert result.exit_code == 1 and "--unit" in result.stderr


def test_the_customer_files_in_arr(demo: Path, tmp_path: Path) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    _run("customers", demo, "--out", tmp_path / "m.csv", "--log", tmp_path / "l.parquet")
    _run(
        "customers",
        demo,
        "--out",
        tmp_path / "a.csv",
        "--log",
        tmp_path / "al.parquet",
        "--unit",
        "arr",
    )
    import pyarrow as pa

    # Amounts read as the text written, compared as exact decimals.
    text = {name: pa.string() for name in ("mrr", "arr", "amount", "previous_mrr")}
    options = pacsv.ConvertOptions(column_types=text)
    monthly = pacsv.read_csv(tmp_path / "m.csv", convert_options=options).to_pylist()
    annual = pacsv.read_csv(tmp_path / "a.csv", convert_options=options).to_pylist()
    assert len(monthly) == len(annual)
    for m, a in zip(monthly, annual, strict=True):
        assert Decimal(a["arr"]) == Decimal(m["mrr"]) * 12
        assert Decimal(a["amount"]) == Decimal(m["amount"]) * 12
        assert a["customer_id"] == m["customer_id"] and a["movement"] == m["movement"]
    log_m, log_a = pq.read_table(tmp_path / "l.parquet"), pq.read_table(tmp_path / "al.parquet")
    assert "previous_arr" in log_a.column_names and "previous_mrr" not in log_a.column_names
    assert [v * 12 for v in log_m.column("amount").to_pylist()] == log_a.column(
        "amount"
    ).to_pylist()
