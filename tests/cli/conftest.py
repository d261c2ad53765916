"""Input files and a runner for the ``retention`` CLI tests; everything is written to tmp_path.

``five_customers.csv`` is the worked example of docs/metrics.md §2-3 (METRICS.md §2-3):

| customer | Jan 2024 | Feb 2024 | Mar 2024 | Apr 2024 |
| -------- | -------: | -------: | -------: | -------: |
| A        |      100 |      100 |      120 |      150 |
| B        |      200 |      200 |      150 |      150 |
| C        |       50 |       50 |        0 |        0 |
| D        |       80 |        0 |        0 |       70 |
| E        |        0 |       60 |       60 |       60 |
| total    |      430 |      410 |      330 |      430 |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from revenue_retention.cli import app

FIVE_CUSTOMERS_CSV = """\
customer_id,month,mrr
A,2024-01,100
A,2024-02,100
A,2024-03,120
A,2024-04,150
B,2024-01,200
B,2024-02,200
B,2024-03,150
B,2024-04,150
C,2024-01,50
C,2024-02,50
D,2024-01,80
D,2024-04,70
E,2024-02,60
E,2024-03,60
E,2024-04,60
"""

# Line 1 is the header, so data row n is line n + 1.
# 5 rows read = 2 accepted (lines 2 and 4) + 3 rejected (lines 3, 5, 6).
BAD_ROWS_CSV = """\
customer_id,month,mrr,segment
A,2024-01,100,smb
B,2024-01,abc,ent
A,2024-02,120,smb
,2024-02,5,smb
C,2024-13,7,ent
"""

Invoke = Callable[..., Result]
MakeCsv = Callable[[str, str], Path]


@pytest.fixture
def make_csv(tmp_path: Path) -> MakeCsv:
    """Write ``text`` to ``tmp_path / name`` and return the path."""

    def make(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


@pytest.fixture
def five_customers_csv(make_csv: MakeCsv) -> Path:
    return make_csv("five_customers.csv", FIVE_CUSTOMERS_CSV)


@pytest.fixture
def bad_rows_csv(make_csv: MakeCsv) -> Path:
    return make_csv("bad_rows.csv", BAD_ROWS_CSV)


@pytest.fixture
def invoke() -> Invoke:
    """Run ``retention ARGS``. Click >= 8.2 keeps stderr apart: ``result.stdout`` is stdout
    only, ``result.stderr`` stderr only, ``result.output`` both interleaved."""
    runner = CliRunner()

    def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
        argv: Sequence[str] = [str(a) for a in args]
        return runner.invoke(app, argv, env=env, prog_name="retention")

    return run
