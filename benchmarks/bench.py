"""Benchmark: ``retention metrics`` against the obvious alternatives, whole processes.

Run with ``make bench`` (``make bench SIZES=1m,10m``) or
``python benchmarks/bench.py --sizes 1m,10m,50m``. For each size a long Parquet input is
generated once (``benchmarks/data``); then each implementation runs as its own process and
the operating system's accounting of the finished child gives its wall time and peak RSS
(``os.wait4``: what ``/usr/bin/time -v`` prints). Every implementation writes its numbers;
the script checks that they all agree to the cent, prints a table with the ratio of each
time to the hand-written SQL's, and writes it to ``benchmarks/RESULTS.md``.

Implementations (``benchmarks/competitors.py`` has the competitors):
``retention`` with windows 12 and with windows 1, 3, 12 (bridge included); the
hand-written DuckDB SQL (the floor) with the same windows; pandas and Polars with
windows 1, 3, 12; ``retention --engine spark`` (local mode) up to ``--spark-max``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
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

from competitors import money  # noqa: E402
from generate import write  # noqa: E402

SIZES = {"1m": 1_000_000, "10m": 10_000_000, "50m": 50_000_000}
ALL_WINDOWS = "1,3,12"


def dataset(size: str) -> Path:
    """The generated long Parquet file of ``size`` (made once, then reused)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"long_{size}.parquet"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        write(path, SIZES[size])
    return path


def run_once(command: list[str]) -> tuple[float, float] | str:
    """Wall seconds and peak RSS (MiB) of ``command`` in its own process, or why it failed."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    # wait4 gives this child's own resource usage (what /usr/bin/time -v reports); stderr
    # is read only after, it is small (a failure's message).
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    error = child.stderr.read().decode(errors="replace").strip()
    if os.waitstatus_to_exitcode(status):
        return error.splitlines()[-1] if error else f"exit status {status}"
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
            **{n: money(Decimal(r[n])) for n in RETENTION[1:]},
        }
        for r in document["retention"]
    ]
    retention.sort(key=lambda r: (r["as_of"], r["window_months"]))
    return {"bridge": bridge, "retention": retention}


BRIDGE = ("opening_mrr", "new", "reactivation", "expansion", "contraction", "churn", "closing_mrr")
RETENTION = ("customers", "starting_mrr", "churn", "contraction", "expansion", "ending_mrr")


def plan(
    size: str, path: Path, out: Path, args: argparse.Namespace
) -> list[tuple[str, str, list[str], Path]]:
    """(name, windows, command, result file) of every run for one size."""
    python, retention = sys.executable, str(Path(sys.executable).parent / "retention")
    runs = []
    for windows in ("12", ALL_WINDOWS):
        result = out / f"retention_{windows}.json"
        command = [
            retention,
            "metrics",
            str(path),
            "--windows",
            windows,
            "-f",
            "json",
            "-o",
            str(result),
        ]
        runs.append(("retention", windows, command, result))
        result = out / f"sql_{windows}.json"
        command = [
            python,
            str(HERE / "competitors.py"),
            "sql",
            str(path),
            "--windows",
            windows,
            "--out",
            str(result),
        ]
        runs.append(("hand-written SQL", windows, command, result))
    for way in ("polars", "pandas"):
        if SIZES[size] > SIZES[getattr(args, f"{way}_max")]:
            continue
        result = out / f"{way}.json"
        command = [
            python,
            str(HERE / "competitors.py"),
            way,
            str(path),
            "--windows",
            ALL_WINDOWS,
            "--out",
            str(result),
        ]
        runs.append((way, ALL_WINDOWS, command, result))
    if SIZES[size] <= SIZES[args.spark_max]:
        result = out / "spark.json"
        command = [
            retention,
            "metrics",
            str(path),
            "--engine",
            "spark",
            "--windows",
            ALL_WINDOWS,
            "-f",
            "json",
            "-o",
            str(result),
        ]
        runs.append(("retention --engine spark", ALL_WINDOWS, command, result))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,10m,50m", help=f"comma list of {', '.join(SIZES)}")
    parser.add_argument("--pandas-max", default="50m", help="largest size pandas is run on")
    parser.add_argument("--polars-max", default="50m", help="largest size Polars is run on")
    parser.add_argument("--spark-max", default="10m", help="largest size Spark is run on")
    parser.add_argument("--note", default="", help="a line on the run's conditions (load)")
    parser.add_argument(
        "--only", default="", help="comma list of implementations to run (default: all)"
    )
    args = parser.parse_args()

    rows: list[tuple[str, int, str, str, float | None, float | None, str]] = []
    disagreements = []
    for size in args.sizes.split(","):
        path = dataset(size)
        n_rows = pq.read_metadata(path).num_rows
        out = DATA / f"results_{size}"
        out.mkdir(exist_ok=True)
        results: dict[tuple[str, str], dict] = {}
        for name, windows, command, result in plan(size, path, out, args):
            if args.only and name.split(" ")[0] not in args.only.split(","):
                continue
            measured = run_once(command)
            if isinstance(measured, str):
                print(f"{size:>4} {name:<26} w {windows:<7} failed: {measured}", flush=True)
                rows.append((size, n_rows, name, windows, None, None, f"failed: {measured}"))
                continue
            wall, rss = measured
            print(f"{size:>4} {name:<26} w {windows:<7} {wall:7.2f} s {rss:8.0f} MiB", flush=True)
            numbers = json.loads(result.read_text(encoding="utf-8"))
            if name.startswith("retention"):
                numbers = normalised_retention_json(result)
            results[(name, windows)] = numbers
            # The JVM is a process of its own, not counted in the driver's peak RSS.
            note = "peak RSS: the Python driver only" if "spark" in name else ""
            rows.append((size, n_rows, name, windows, wall, rss, note))
        for (name, windows), numbers in results.items():
            reference = results.get(("hand-written SQL", windows))
            if reference is not None and numbers != reference:
                disagreements.append(f"{size}: {name} (windows {windows}) differs from the SQL")
        if SIZES[size] > SIZES[args.pandas_max]:
            rows.append(
                (
                    size,
                    n_rows,
                    "pandas",
                    ALL_WINDOWS,
                    None,
                    None,
                    f"skipped: above --pandas-max {args.pandas_max}",
                )
            )
    write_results(rows, disagreements, args)
    if disagreements:
        raise SystemExit("\n".join(disagreements))


def write_results(rows: list, disagreements: list[str], args: argparse.Namespace) -> None:
    floor = {(r[0], r[3]): r[4] for r in rows if r[2] == "hand-written SQL" and r[4]}
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}, {datetime.date.today()}"
    )
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine}.",
        *([f"Conditions: {args.note}"] if args.note else []),
        "",
        "Input: generated long Parquet (`customer_id, month, mrr` DECIMAL(12,2), 36 months),",
        "`benchmarks/generate.py`. Every figure is one whole process (start-up, reading,",
        "validation, computing, writing the result), measured by `os.wait4`. Ratio: time over",
        "the hand-written DuckDB SQL with the same windows (bridge included in both), except",
        "pandas, Polars and Spark (windows 1,3,12: ratio to the SQL with windows 1,3,12).",
        "",
        "| size | rows | implementation | windows | seconds | peak RSS MiB | ratio to SQL | note |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for size, n, name, windows, wall, rss, note in rows:
        base = floor.get((size, windows))
        ratio = f"{wall / base:.2f}" if wall and base else ""
        lines.append(
            f"| {size} | {n:,} | {name} | {windows} | {f'{wall:.2f}' if wall else ''} | "
            f"{f'{rss:.0f}' if rss else ''} | {ratio} | {note} |"
        )
    lines += [
        "",
        "All implementations agree to the cent." if not disagreements else "DISAGREEMENTS:",
    ]
    lines += disagreements
    text = "\n".join(lines) + "\n"
    (HERE / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
