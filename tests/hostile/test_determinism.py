"""The same input gives byte-identical JSON, run after run and whatever the order of its rows.

Two inputs: a small demo file (line items, segments, products), and a messy one that
makes every file-wide decision and warning happen (display amounts, day-first dates,
repeated rows, ids differing by case, a rejected row). Each is written under the same
name in its own folder, so that nothing but the order of its rows differs between runs.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from revenue_retention.cli import app
from revenue_retention.datasets import write_demo_csv

COMMANDS = {
    "metrics": ["--windows", "1,3,12"],
    "cohorts": [],
    "concentration": [],
    "decompose": [],
    "diagnose": [],
    "methods": [],
    "seasonality": [],
}
MESSY_HEADER = "customer_id,month,mrr,segment"
MESSY_ROWS = [
    'acme,01/03/2024,"$1,200.50",smb',
    'acme,01/04/2024,"$1,300.00",smb',
    'acme,01/04/2024,"$1,300.00",smb',
    "Acme ,01/04/2024,$15.00,smb",
    "beta,25/03/2024,$50.00,ent",
    "beta,25/04/2024,$0.00,ent",
    "gamma,01/03/2024,$80.00,ent",
    "gamma,01/04/2024,$90.00,ent",
    "gamma,01/05/2024,#REF!,ent",
    "delta,01/05/2024,$70.00,smb",
]


def outputs(folder: Path, lines: list[str], command: str, *extra: str) -> bytes:
    """The JSON ``command`` prints for a file of ``lines``, read as ``input.csv`` in ``folder``."""
    folder.mkdir(parents=True)
    (folder / "input.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = [command, "input.csv", "--format", "json", *COMMANDS[command], *extra]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.fixture(scope="module")
def demo_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = write_demo_csv(tmp_path_factory.mktemp("demo") / "demo.csv", customers=150, months=24)
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_demo_gives_the_same_bytes_in_any_row_order(
    demo_lines: list[str], command: str, tmp_path: Path
) -> None:
    header, rows = demo_lines[0], demo_lines[1:]
    shuffled = rows[:]
    random.Random(command).shuffle(shuffled)
    first = outputs(tmp_path / "a", demo_lines, command)
    assert outputs(tmp_path / "b", demo_lines, command) == first
    assert outputs(tmp_path / "c", [header, *reversed(rows)], command) == first
    assert outputs(tmp_path / "d", [header, *shuffled], command) == first


_messy: dict[str, bytes] = {}
_runs = iter(range(10**9))


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.permutations(MESSY_ROWS), command=st.sampled_from(["metrics", "cohorts"]))
def test_a_messy_file_gives_the_same_bytes_in_any_row_order(
    tmp_path: Path, rows: list[str], command: str
) -> None:
    run = next(_runs)
    if command not in _messy:
        _messy[command] = outputs(
            tmp_path / f"first{run}", [MESSY_HEADER, *MESSY_ROWS], command, "--rejects", "r.csv"
        )
    shuffled = outputs(tmp_path / f"run{run}", [MESSY_HEADER, *rows], command, "--rejects", "r.csv")
    assert shuffled == _messy[command]
    # The file made every decision the test means it to.
    shown = _messy[command].decode("utf-8")
    for made in ("written for display", "day first", "repeat another row", "letter case"):
        assert made in shown, made
    assert '"rows_rejected": 1' in shown
