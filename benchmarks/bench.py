"""Benchmark: ``retention metrics`` against the hand-written alternatives, whole processes.

Run with ``make bench`` (``make bench SIZES=1m,10m``) or
``python benchmarks/bench.py --sizes 1m,10m,50m --runs 3``. For each size a long Parquet
input is generated once (``benchmarks/data``, see ``generate.py``: by default an
invoice-line export with about 1.2 rows per customer-month, integer ids and a segment
column). Then every implementation runs as its own process, in turn, ``--runs`` times
(so that a slower moment of a shared machine falls on all of them alike); the operating
system's accounting of each finished child gives its wall time and peak RSS (``os.wait4``:
what ``/usr/bin/time -v`` prints). Every implementation writes its numbers; the script
checks that they all agree to the cent and prints a table: the median, minimum and
maximum of each, and the ratio to the hand-written SQL taken run by run (each run of an
implementation against the SQL's run of the same round), median and range.

Implementations (``benchmarks/competitors.py`` has the competitors):
``retention`` with windows 12 and with windows 1, 3, 12 (bridge included); the
hand-written DuckDB SQL (the floor) with the same windows; Polars and pandas with
windows 1, 3, 12; ``retention --engine spark`` (local mode) up to ``--spark-max``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

HERE = Path(__file__).parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))

from competitors import BRIDGE, RETENTION, money  # noqa: E402
from generate import KINDS  # noqa: E402

SIZES = {"1m": 1_000_000, "10m": 10_000_000, "50m": 50_000_000}
ALL_WINDOWS = "1,3,12"
SQL = "hand-written SQL"


def dataset(size: str, kind: str) -> Path:
    """The generated long Parquet file of ``size`` and ``kind`` (made once, then reused)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"{kind}_{size}.parquet"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        # In a process of its own: Linux carries a process's peak RSS over into the
        # programs it starts, so generating here would put gigabytes into every figure.
        script = str(HERE / "generate.py")
        rows = str(SIZES[size])
        subprocess.run(
            [sys.executable, script, str(path), "--rows", rows, "--kind", kind], check=True
        )
    return path


def run_once(command: list[str]) -> tuple[float, float] | str:
    """Wall seconds and peak RSS (MiB) of ``command`` in its own process, or why it failed."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    # wait4 gives this child's own resource usage (what /usr/bin/time -v reports); stderr
    # is read only after, it is small (a failure's message, a warning).
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    error = child.stderr.read().decode(errors="replace").strip()
    if os.waitstatus_to_exitcode(status):
        said = [line for line in error.splitlines() if line.startswith(("error", "internal"))]
        return (said or error.splitlines() or [f"exit status {status}"])[-1]
    return wall, usage.ru_maxrss / 1024


def normalised_retention_json(path: Path) -> dict[str, list[dict[str, Any]]]:
    """``retention metrics --format json`` in the competitors' shape."""
    document = json.loads(path.read_text(encoding="utf-8"))

    def month(label: str) -> int:
        year, number = label.split("-")[:2]
        return int(year) * 12 + int(number) - 1

    bridge = [
        {"month": month(r["period"]), **{n: money(Decimal(r[n])) for n in BRIDGE}}
        for r in document["bridge"]
    ]
    retention = [
        {
            "as_of": month(r["as_of"]),
            "window_months": r["window_months"],
            "customers": r["customers"],
            "retained_customers": r["retained_customers"],
            **{n: money(Decimal(r[n])) for n in RETENTION[2:]},
        }
        for r in document["retention"]
    ]
    retention.sort(key=lambda r: (r["as_of"], r["window_months"]))
    return {"bridge": bridge, "retention": retention}


def plan(
    size: str, path: Path, out: Path, args: argparse.Namespace
) -> list[tuple[str, str, list[str], Path]]:
    """(name, windows, command, result file) of every run for one size."""
    python, retention = sys.executable, str(Path(sys.executable).parent / "retention")
    runs = []
    for windows in ("12", ALL_WINDOWS):
        result = out / f"retention_{windows}.json"
        command = [retention, "metrics", str(path), "--windows", windows, "-f", "json"]
        runs.append(("retention", windows, [*command, "-o", str(result)], result))
        result = out / f"sql_{windows}.json"
        command = [python, str(HERE / "competitors.py"), "sql", str(path), "--windows", windows]
        runs.append((SQL, windows, [*command, "--out", str(result)], result))
    for way in ("polars", "pandas"):
        if SIZES[size] > SIZES[getattr(args, f"{way}_max")]:
            continue
        result = out / f"{way}.json"
        command = [python, str(HERE / "competitors.py"), way, str(path), "--windows", ALL_WINDOWS]
        runs.append((way, ALL_WINDOWS, [*command, "--out", str(result)], result))
    if SIZES[size] <= SIZES.get(args.spark_max, 0):
        result = out / "spark.json"
        command = [retention, "metrics", str(path), "--engine", "spark", "--windows", ALL_WINDOWS]
        command += ["-f", "json", "-o", str(result)]
        runs.append(("retention --engine spark", ALL_WINDOWS, command, result))
    if args.only:
        runs = [r for r in runs if r[0].split(" ")[0] in args.only.split(",") or r[0] == SQL]
    return runs


Row = dict[str, Any]


def measure(size: str, kind: str, args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    """Every implementation on one input, ``args.runs`` rounds; rows of the table."""
    path = dataset(size, kind)
    n_rows = pq.read_metadata(path).num_rows
    out = DATA / f"results_{kind}_{size}"
    out.mkdir(exist_ok=True)
    runs = plan(size, path, out, args)
    walls: dict[tuple[str, str], list[float | None]] = {(n, w): [] for n, w, _, _ in runs}
    rss: dict[tuple[str, str], list[float]] = {(n, w): [] for n, w, _, _ in runs}
    failed: dict[tuple[str, str], str] = {}
    results: dict[tuple[str, str], dict] = {}
    for round_ in range(args.runs):
        for name, windows, command, result in runs:
            key = (name, windows)
            measured = run_once(command)
            if isinstance(measured, str):
                failed[key] = measured
                walls[key].append(None)
                print(f"{kind} {size} #{round_ + 1} {name} w {windows}: failed: {measured}")
                continue
            wall, peak = measured
            walls[key].append(wall)
            rss[key].append(peak)
            print(
                f"{kind} {size} #{round_ + 1} {name:<26} w {windows:<7} {wall:7.2f} s "
                f"{peak:7.0f} MiB",
                flush=True,
            )
            if key not in results:
                numbers = json.loads(result.read_text(encoding="utf-8"))
                if name.startswith("retention"):
                    numbers = normalised_retention_json(result)
                results[key] = numbers
    disagreements = [
        f"{kind} {size}: {name} (windows {windows}) differs from the SQL"
        for (name, windows), numbers in results.items()
        if (reference := results.get((SQL, windows))) is not None and numbers != reference
    ]
    rows = []
    for name, windows, _, _ in runs:
        key = (name, windows)
        times = [w for w in walls[key] if w is not None]
        floor = walls.get((SQL, windows), [])
        ratios = [w / f for w, f in zip(walls[key], floor, strict=False) if w and f]
        note = "peak RSS: the Python driver only" if "spark" in name else ""
        rows.append(
            {
                "kind": kind,
                "size": size,
                "rows": n_rows,
                "name": name,
                "windows": windows,
                "times": times,
                "rss": max(rss[key]) if rss[key] else None,
                "ratios": ratios if name != SQL else [],
                "note": f"failed: {failed[key]}" if key in failed else note,
            }
        )
    for way in ("polars", "pandas"):
        if SIZES[size] > SIZES[getattr(args, f"{way}_max")]:
            note = f"skipped: above --{way}-max {getattr(args, f'{way}_max')}"
            rows.append(_skipped(kind, size, n_rows, way, note))
    return rows, disagreements


def _skipped(kind: str, size: str, n_rows: int, name: str, note: str) -> Row:
    return {
        "kind": kind,
        "size": size,
        "rows": n_rows,
        "name": name,
        "windows": ALL_WINDOWS,
        "times": [],
        "rss": None,
        "ratios": [],
        "note": note,
    }


def _spread(values: list[float], digits: int) -> str:
    """``median (min-max)`` of ``values``."""
    if not values:
        return ""
    middle = f"{statistics.median(values):.{digits}f}"
    if len(values) == 1:
        return middle
    return f"{middle} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def table(rows: list[Row], disagreements: list[str], args: argparse.Namespace) -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}, {datetime.date.today()}"
    )
    lines = [
        f"Machine: {machine}; load average before the run {os.getloadavg()[0]:.1f}.",
        *([f"Conditions: {args.note}"] if args.note else []),
        f"Runs per implementation: {args.runs}, in turn (median, and min-max).",
        "",
        "| data | size | rows | implementation | windows | seconds | peak RSS MiB "
        "| ratio to SQL | note |",
        "| --- | --- | ---: | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        peak = f"{r['rss']:.0f}" if r["rss"] else ""
        lines.append(
            f"| {r['kind']} | {r['size']} | {r['rows']:,} | {r['name']} | {r['windows']} | "
            f"{_spread(r['times'], 2)} | {peak} | {_spread(r['ratios'], 2)} | {r['note']} |"
        )
    lines += ["", "All implementations agree to the cent." if not disagreements else "DISAGREE:"]
    return "\n".join(lines + disagreements) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,10m", help=f"comma list of {', '.join(SIZES)}")
    parser.add_argument(
        "--kinds", default="lines", help=f"comma list of input kinds: {', '.join(KINDS)}"
    )
    parser.add_argument("--runs", type=int, default=3, help="rounds of every implementation")
    parser.add_argument("--pandas-max", default="50m", help="largest size pandas is run on")
    parser.add_argument("--polars-max", default="50m", help="largest size Polars is run on")
    parser.add_argument(
        "--spark-max", default="10m", help="largest size Spark is run on (none: never)"
    )
    parser.add_argument("--note", default="", help="a line on the run's conditions")
    parser.add_argument(
        "--only", default="", help="comma list of implementations besides the SQL (default all)"
    )
    parser.add_argument("--write", type=Path, help="also write the table to this file")
    args = parser.parse_args()

    rows: list[Row] = []
    disagreements: list[str] = []
    for kind in args.kinds.split(","):
        for size in args.sizes.split(","):
            found, differ = measure(size, kind, args)
            rows += found
            disagreements += differ
    text = table(rows, disagreements, args)
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    if disagreements:
        raise SystemExit("\n".join(disagreements))


if __name__ == "__main__":
    main()
