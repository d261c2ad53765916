"""The README's "Your own data in three steps" works as written, on its own example file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from typer.testing import Result

Invoke = Callable[..., Result]
README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Your own data in three steps")
    return text[start : text.index("\n## ", start + 1)]


def test_three_steps_open_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    # Right after the two commands and what they need: the first section of all.
    headings = re.findall(r"(?m)^## .*$", text)
    assert headings[0] == "## Your own data in three steps"


def test_the_example_file_runs_with_the_command_shown(invoke: Invoke, tmp_path: Path) -> None:
    section = _section()
    example = re.search(r"```csv\n(.*?)```", section, re.S)
    assert example is not None
    csv = tmp_path / "billing.csv"
    csv.write_text(re.sub(r"(?m)^ +", "", example.group(1)), encoding="utf-8")
    assert ".venv/bin/retention metrics billing.csv" in section
    result = invoke("metrics", csv, "--format", "json", "--windows", "1")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["retention"][-1]
    # acme 1,200.00 -> 1,350.00, globex 400.00 -> gone: kept 1,200 and 1,350 of 1,600.
    assert (row["as_of"], Decimal(row["starting_mrr"])) == ("2024-02", Decimal("1600"))
    assert row["grr"] == 1200 / 1600
    assert row["nrr"] == 1350 / 1600
