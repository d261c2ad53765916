"""The hostile-input corpus: one small file per case, and what the CLI must do with it.

Each case of ``cases.toml`` names a file of ``files/`` and its expected outcome, asserted
through ``retention metrics``:

- ``error``: the run stops with exit code 1 and this pattern in its one-line message;
- ``rejects``: ``[line, column, reason]`` of each bad row. The default run stops (exit 1)
  naming each of them; with ``--rejects`` the run goes on and the rejects file holds
  exactly these rows, the source row verbatim;
- ``warnings``: patterns each found among the report's warnings (``warnings = []``: none);
- ``input``: fields of the JSON ``input`` section;
- ``closing``: ``{period = "closing MRR"}`` of bridge months, to show how values were read;
- ``contains``: text found in the JSON output (a group named with accents, read right);
- ``options``: more options for the run;
- ``generate``: instead of ``file``, the name of a function below that writes the file
  (a case that needs a file too large to keep in the repository);
- ``values``: patterns the rejects file's ``value`` of each bad row must match, in order.

Every run that computes must reconcile (rows read = accepted + rejected, money read =
accepted + rejected, exactly), and no run may print a traceback.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from revenue_retention.cli import app

HERE = Path(__file__).parent
FILES = HERE / "files"
CASES: dict[str, dict[str, Any]] = tomllib.loads((HERE / "cases.toml").read_text("utf-8"))


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def assert_reconciles(report: dict[str, Any]) -> None:
    """The totals every run reports add up, exactly."""
    assert report["rows_read"] == report["rows_accepted"] + report["rows_rejected"]
    assert sum(report["rejected_by_reason"].values()) == report["rows_rejected"]
    money = {k: Decimal(report[k]) for k in ("money_read", "money_accepted", "money_rejected")}
    assert money["money_read"] == money["money_accepted"] + money["money_rejected"]


def test_every_file_has_a_case_and_every_case_a_file() -> None:
    named = {case["file"] for case in CASES.values() if "file" in case}
    assert named == {p.name for p in FILES.iterdir()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    if "generate" in case:
        source = GENERATORS[case["generate"]](tmp_path)
    else:
        source = FILES / case["file"] if "file" in case else tmp_path / case["path"]
    if case.get("folder"):
        source.mkdir()
    options = case.get("options", [])
    command = ["metrics", source, "--format", "json", "--windows", "1", *options]

    if "error" in case:
        result = run(*command)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: ")
        assert re.search(case["error"], result.stderr), result.stderr
        return

    expected = [(line, column or None, reason) for line, column, reason in case.get("rejects", [])]
    if expected:
        stopped = run(*command)
        assert stopped.exit_code == 1, stopped.output
        head = f"error: {source}: {len(expected)} of "
        assert stopped.stderr.startswith(head), stopped.stderr
        for line, _, reason in expected[:5]:
            # A line of a file, or a cell of a workbook (MRR!C3).
            where = rf"(line |![A-Z]+){line}\b.*\[{reason}\]"
            assert re.search(where, stopped.stderr), stopped.stderr

    rejects = tmp_path / "rejects.csv"
    result = run(*command, "--rejects", rejects)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    report = document["input"]
    assert_reconciles(report)
    with rejects.open(newline="", encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert [(int(r["line"]), r["column"] or None, r["reason"]) for r in written] == expected
    if "values" in case:
        for row, pattern in zip(written, case["values"], strict=True):
            assert re.fullmatch(pattern, row["value"], re.DOTALL), row["value"][:200]
    assert report["rows_rejected"] == len(expected)
    for field, value in case.get("input", {}).items():
        assert report[field] == value, field
    if "warnings" in case:
        for pattern in case["warnings"]:
            assert any(re.search(pattern, w) for w in report["warnings"]), report["warnings"]
        if not case["warnings"]:
            assert report["warnings"] == []
    shown = json.dumps(document, ensure_ascii=False)
    for text in case.get("contains", []):
        assert text in shown, text
    closing = {row["period"]: row["closing_mrr"] for row in document["bridge"]}
    for period, amount in case.get("closing", {}).items():
        assert Decimal(closing[period]) == Decimal(amount), period


def stray_quote_in_a_long_file(folder: Path) -> Path:
    """400,000 lines (8.9 MB), line 8 opening a quote never closed.

    DuckDB splits a file into 8,000,000-byte shares, one per thread: the quote swallowed
    every line to the end of the first share, which then went uncounted while the next
    share was read as usual (a smaller file lost the lines into the one rejected record).
    """
    path = folder / "stray_quote.csv"
    with path.open("w") as handle:
        handle.write("customer_id,month,mrr\n")
        for n in range(2, 400_001):
            quote = '"' if n == 8 else ""
            handle.write(f"{quote}c{n},2024-{n % 12 + 1:02d},10.00\n")
    return path


def long_lines(folder: Path) -> Path:
    """A 3 MB line (over DuckDB's 2 MB record limit: it was named an unclosed quote, with
    no value) and a 33 MB one (over its 32 MB buffer: it was dropped without a word)."""
    path = folder / "long_lines.csv"
    with path.open("w") as handle:
        handle.write("customer_id,month,mrr\na,2024-01,10\n")
        handle.write("x" * 3_000_000 + ",2024-01,10\nb,2024-01,10\n")
        handle.write("y" * 33_000_000 + ",2024-01,10\nc,2024-01,10\n")
    return path


GENERATORS = {f.__name__: f for f in (stray_quote_in_a_long_file, long_lines)}
SCRIPT = Path(sys.executable).parent / "retention"


def test_a_data_problem_never_prints_a_traceback() -> None:
    """One real process per kind of failure: exit code 1, one message, no traceback."""
    for name in ("binary_nul.csv", "ragged_rows.csv", "not_csv_gzip.csv", "dates_ambiguous.csv"):
        done = subprocess.run(
            [str(SCRIPT), "metrics", str(FILES / name)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1, (name, done.stderr)
        assert done.stderr.startswith("error: ")
        assert "Traceback" not in done.stderr
