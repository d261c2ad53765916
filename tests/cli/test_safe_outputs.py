"""What the commands write is safe to open and never destroys what they read.

- CSV (``--format csv``, ``--rejects``): formula-like text neutralised, ``--csv-raw`` not;
- the terminal: control characters from the data shown, not sent;
- an output that is an input (by any name), or another output: refused before any work;
- an output that cannot be written (read-only folder, a path under a file, a full disk):
  one line naming the path and the OS's reason, exit 1, the previous file intact. These run
  the installed script in a real process; a full disk is a real file-size limit (the OS
  then fails the write with EFBIG, as a full disk fails it with ENOSPC).
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from tests.hostile_values import FORMULAS, TERMINAL, hostile_csv, is_formula_like
from typer.testing import CliRunner, Result

from revenue_retention.cli import app
from revenue_retention.datasets import example_path

SCRIPT = Path(sys.executable).parent / "retention"
FIVE = """\
customer_id,month,mrr
A,2024-01,100
A,2024-02,100
A,2024-03,120
B,2024-01,200
B,2024-02,150
B,2024-03,150
"""


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.csv"
    path.write_text(hostile_csv(), encoding="utf-8")
    return path


@pytest.fixture
def five(tmp_path: Path) -> Path:
    path = tmp_path / "five.csv"
    path.write_text(FIVE, encoding="utf-8")
    return path


# --- CSV injection ------------------------------------------------------------------------


def _cells(text: str) -> list[str]:
    return [cell for line in csv.reader(io.StringIO(text)) for cell in line]


@pytest.mark.parametrize(
    "command",
    [
        ["explain", "--window", "1"],
        ["concentration", "--window", "1"],
        ["metrics", "--windows", "1", "--by", "segment"],
    ],
)
def test_csv_of_every_command_neutralises_formulas(hostile: Path, command: list[str]) -> None:
    result = invoke(command[0], hostile, *command[1:], "-f", "csv")
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    assert not [c for c in cells if is_formula_like(c)]
    raw = invoke(command[0], hostile, *command[1:], "-f", "csv", "--csv-raw")
    if command[0] in ("explain", "metrics"):
        assert "'" + FORMULAS[1] in cells and FORMULAS[1] in _cells(raw.stdout)


def test_csv_folder_and_rejects_are_neutralised(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(hostile_csv() + "=bad,2024-01,-5.00,x,y\n", encoding="utf-8")
    out, rejects = tmp_path / "out", tmp_path / "rejects.csv"
    result = invoke("explain", source, "-k", "1", "-f", "csv", "-o", out, "--rejects", rejects)
    assert result.exit_code == 0, result.output
    customers = _cells((out / "customers.csv").read_text(encoding="utf-8"))
    assert "'" + FORMULAS[0] in customers and not [c for c in customers if is_formula_like(c)]
    [row] = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8"))))
    # The id is neutralised; the negative amount is a number and stays one.
    assert (row["customer_id"], row["value"], row["mrr"]) == ("'=bad", "-5.00", "-5.00")
    raw = invoke(
        "explain", source, "-k", "1", "-f", "csv", "-o", out, "--rejects", rejects, "--csv-raw"
    )
    assert raw.exit_code == 0, raw.output
    assert FORMULAS[0] in _cells((out / "customers.csv").read_text(encoding="utf-8"))
    assert "=bad" in _cells(rejects.read_text(encoding="utf-8"))


# --- the terminal -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["explain", "concentration", "decompose"])
def test_terminal_tables_show_escapes_instead_of_sending_them(hostile: Path, command: str) -> None:
    result = invoke(command, hostile, "--window", "1")
    if command == "decompose":  # no product lines: a clear error, still nothing sent
        assert result.exit_code == 1
    else:
        assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    if command == "explain":
        for value in TERMINAL:
            assert value.replace("\x1b", "\\x1b").replace("\x07", "\\x07") in result.stdout


def test_segment_names_in_the_terminal_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "seg.csv"
    path.write_text(
        "customer_id,month,mrr,segment\n"
        "a,2024-01,100,\x1b]0;owned\x07\na,2024-02,100,\x1b]0;owned\x07\n"
        "b,2024-01,100,[/bold]\nb,2024-02,90,[/bold]\n",
        encoding="utf-8",
    )
    result = invoke("metrics", path, "--windows", "1", "--by", "segment")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "\\x1b]0;owned\\x07" in result.stdout and "[/bold]" in result.stdout


# --- outputs that are inputs --------------------------------------------------------------


def _refused(result: Result, option: str, path: Path, source: Path) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: {option}: '{path}' is the input file {source}; writing it would destroy it\n"
    )


@pytest.mark.parametrize("option", ["-o", "--rejects"])
@pytest.mark.parametrize("name", ["same", "symlink", "hard link"])
def test_an_output_naming_the_input_is_refused(tmp_path: Path, option: str, name: str) -> None:
    # Not even a CSV: the refusal comes before anything is read.
    source = tmp_path / "mrr.csv"
    source.write_bytes(b"\x00not a csv at all")
    target = {"same": source, "symlink": tmp_path / "link.json", "hard link": tmp_path / "h"}
    if name == "symlink":
        target[name].symlink_to(source)
    if name == "hard link":
        os.link(source, target[name])
    result = invoke("metrics", source, "-f", "json", option, target[name])
    full = {"-o": "--output", "--rejects": "--rejects"}[option]
    _refused(result, full, target[name], source)
    assert source.read_bytes() == b"\x00not a csv at all"


def test_the_revenue_cube_workbook_is_not_overwritten_by_the_report(tmp_path: Path) -> None:
    cube = tmp_path / "cube.xlsx"
    shutil.copyfile(example_path("revenue_cube.xlsx"), cube)
    before = cube.read_bytes()
    result = invoke("report", cube, "-q", "-o", tmp_path / "r.html", "--xlsx", cube)
    _refused(result, "--xlsx", cube, cube)
    assert cube.read_bytes() == before
    assert not (tmp_path / "r.html").exists()


def test_the_exchange_rates_file_is_not_overwritten(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    shutil.copyfile(example_path("fx_rates.csv"), rates)
    before = rates.read_bytes()
    source = example_path("multi_currency.csv")
    result = invoke(
        "metrics", source, "--fx-rates", rates, "--reporting-currency", "USD", "-o", rates
    )
    _refused(result, "--output", rates, rates)
    assert rates.read_bytes() == before


@pytest.mark.parametrize("scheme", ["duckdb", "sqlite"])
def test_a_database_file_is_not_overwritten(tmp_path: Path, scheme: str) -> None:
    path = tmp_path / f"billing.{scheme}"
    if scheme == "duckdb":
        with duckdb.connect(str(path)) as con:
            con.execute("create table mrr as select 'a' customer_id, '2024-01' \"month\", 1 mrr")
    else:
        with sqlite3.connect(path) as con:
            con.execute("create table mrr as select 'a' customer_id, '2024-01' month, 1 mrr")
        con.close()
    before = path.read_bytes()
    result = invoke("metrics", f"{scheme}:///{path}", "--table", "mrr", "--rejects", path)
    assert result.exit_code == 1, result.output
    # The database file as the URL spells it (with or without the URL's extra slash).
    assert result.stderr.startswith(f"error: --rejects: '{path}' is the input file ")
    assert result.stderr.endswith(f"{path}; writing it would destroy it\n")
    assert result.stderr.count("\n") == 1
    assert path.read_bytes() == before


def test_a_csv_file_of_the_output_folder_that_is_the_input_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    source = out / "bridge.csv"
    source.write_text(FIVE, encoding="utf-8")
    result = invoke("metrics", source, "-w", "1", "-f", "csv", "-o", out)
    _refused(result, "--output", source, source)
    assert source.read_text(encoding="utf-8") == FIVE
    assert sorted(p.name for p in out.iterdir()) == ["bridge.csv"]


def test_two_outputs_naming_one_file_are_refused(five: Path, tmp_path: Path) -> None:
    target = tmp_path / "both.csv"
    result = invoke("metrics", five, "-f", "json", "-o", target, "--rejects", target)
    assert result.exit_code == 1
    assert result.stderr == f"error: --rejects: '{target}' is the file --output writes too\n"
    assert not target.exists()


# --- unwritable outputs, in a real process -------------------------------------------------


def _unprivileged() -> list[str]:
    """A prefix that makes permissions bind: root ignores them, so drop its override."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "as root, the read-only folder test needs setpriv (util-linux)"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def _file_size_limit(limit: int) -> Callable[[], None]:
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def run(
    *args: str | Path, prefix: list[str] | None = None, limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [*(prefix or []), str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
        preexec_fn=None if limit is None else _file_size_limit(limit),
    )


def _one_line(result: subprocess.CompletedProcess[str], path: Path, reason: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: cannot write {path}: {reason}\n", result.stderr


needs_script = pytest.mark.skipif(not SCRIPT.exists(), reason="the package is not installed")


@needs_script
def test_a_read_only_folder(five: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "report.json").write_text("previous\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        json_run = run(
            "metrics", five, "-f", "json", "-o", folder / "report.json", prefix=_unprivileged()
        )
        _one_line(json_run, folder / "report.json", "Permission denied")
        xlsx = run(
            "report", five, "-k", "1", "-q", "-o", tmp_path / "r.html", "--xlsx",
            folder / "r.xlsx", prefix=_unprivileged(),
        )  # fmt: skip
        _one_line(xlsx, folder / "r.xlsx", "Permission denied")
        rejects = run("metrics", five, "--rejects", folder / "bad.csv", prefix=_unprivileged())
        _one_line(rejects, folder / "bad.csv", "Permission denied")
        demo = run("demo", "--out", folder / "demo", prefix=_unprivileged())
        _one_line(demo, folder / "demo" / "demo.csv", "Permission denied")
        examples = run("examples", "--out", folder, prefix=_unprivileged())
        _one_line(examples, folder / "revenue_cube.csv", "Permission denied")
    finally:
        folder.chmod(0o755)
    assert (folder / "report.json").read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in folder.iterdir()) == ["report.json"]
    # The report and its workbook come together: no HTML without the workbook asked for.
    assert not (tmp_path / "r.html").exists()


@needs_script
def test_a_folder_that_cannot_be_searched(five: Path, tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    (closed / "sub").mkdir(parents=True)
    closed.chmod(0o000)
    try:
        for args in (
            ["metrics", five, "-f", "json", "-o"],
            ["metrics", five, "-f", "csv", "-o"],
            ["report", five, "-k", "1", "-q", "-o"],
        ):
            target = closed / "sub" / ("r.html" if args[0] == "report" else "m")
            done = run(*args, target, prefix=_unprivileged())
            _one_line(done, target, "Permission denied")
    finally:
        closed.chmod(0o755)


@needs_script
def test_a_read_only_file_is_not_replaced(five: Path, tmp_path: Path) -> None:
    target = tmp_path / "kept.json"
    target.write_text("kept\n", encoding="utf-8")
    target.chmod(0o444)
    result = run("metrics", five, "-f", "json", "-o", target, prefix=_unprivileged())
    _one_line(result, target, "the file is read-only (Permission denied)")
    assert target.read_text(encoding="utf-8") == "kept\n"


@needs_script
def test_a_path_under_a_file(five: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    target = tmp_path / "file" / "r.xlsx"
    result = run("report", five, "-k", "1", "-q", "-o", tmp_path / "r.html", "--xlsx", target)
    assert result.returncode == 1
    assert result.stderr in (
        f"error: cannot write {target}: File exists\n",
        f"error: cannot write {target}: Not a directory\n",
    )


@needs_script
@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["report", "-k", "1", "-q", "-o", "{out}/r.html"], "r.html"),
        # The report fails first (it is written first): the workbook does not appear either.
        (["report", "-k", "1", "-q", "-o", "{out}/ok.html", "--xlsx", "{out}/r.xlsx"], "ok.html"),
        (["explain", "-k", "1", "-f", "json", "-o", "{out}/r.json"], "r.json"),
        (["explain", "-k", "1", "-f", "csv", "-o", "{out}/csv"], "csv/customers.csv"),
        (["metrics", "--rejects", "{out}/rejects.csv"], "rejects.csv"),
    ],
)
def test_a_full_disk(tmp_path: Path, args: list[str], name: str) -> None:
    """Outputs larger than the space left: one line, exit 1, the previous files intact.

    600 customers paying in two months (the explain outputs list them all), or 300 of
    600 rows rejected (the rejects file): each output is well over the 2,000 bytes left.
    """
    source = tmp_path / "many.csv"
    if name == "rejects.csv":
        lines = [f"c{i},2024-01,{'x' if i % 2 else i}" for i in range(600)]
    else:
        lines = [f"c{i},2024-0{m},{i + m}" for i in range(600) for m in (1, 2)]
    source.write_text("customer_id,month,mrr\n" + "\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "csv").mkdir(parents=True)
    previous = {
        out / "r.html": "old report\n",
        out / "ok.html": "old ok\n",
        out / "r.xlsx": "old workbook\n",
        out / "r.json": "old json\n",
        out / "csv" / "totals.csv": "old totals\n",
        out / "csv" / "customers.csv": "old customers\n",
        out / "rejects.csv": "old rejects\n",
    }
    for path, text in previous.items():
        path.write_text(text, encoding="utf-8")
    options = [a.format(out=out) for a in args]
    result = run(options[0], source, *options[1:], limit=2_000)
    _one_line(result, out / name, "File too large")
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    for path, text in previous.items():
        assert path.read_text(encoding="utf-8") == text, path
    assert sorted(p.name for p in out.rglob(".*")) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
@pytest.mark.parametrize("command", ["metrics", "cohorts"])
def test_an_output_to_a_device_writes_into_it(five: Path, tmp_path: Path, command: str) -> None:
    # `-o /dev/null` renamed the output over the device; a named pipe stands in for it.
    import threading

    fifo = tmp_path / "device"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = invoke(command, five, "-f", "json", "-o", fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat_is_fifo(fifo)
    assert json.loads(got[0])  # the whole document went through the pipe


def stat_is_fifo(path: Path) -> bool:
    import stat

    return stat.S_ISFIFO(path.stat().st_mode)
