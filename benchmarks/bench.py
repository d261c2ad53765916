"""Benchmark: whole-process wall time and peak memory of ``retention metrics`` on generated data.

Run with ``make bench`` (or ``python benchmarks/bench.py --sizes demo,1m --runs 3``). Each run
is its own process; figures are the operating system's accounting of the finished child
(``os.wait4``, the same numbers ``/usr/bin/time -v`` prints).
Prints a table and writes it to ``benchmarks/RESULTS.md`` with the machine described.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from revenue_retention.datasets import generate_demo, write_demo_csv

HERE = Path(__file__).parent
DATA = HERE / "data"
#: Generated sizes: customers of the demo generator over 36 months, and the rows it gives.
SIZES = {"demo": 2_000, "1m": 30_600, "5m": 153_000}


def dataset(size: str, fmt: str) -> Path:
    """The generated long-layout file for ``size`` (made once, then reused)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"long_{size}.{fmt}"
    if not path.exists():
        if fmt == "csv":
            write_demo_csv(path, customers=SIZES[size])
        else:
            pq.write_table(generate_demo(customers=SIZES[size]), path)
    return path


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``command`` in its own process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    # wait4 returns this child's own resource usage (what /usr/bin/time -v reports).
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed with exit code {child.returncode}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,1m", help=f"comma list of {', '.join(SIZES)}")
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    retention = str(Path(sys.executable).parent / "retention")
    rows = []
    for size in args.sizes.split(","):
        for fmt in args.formats.split(","):
            path = dataset(size, fmt)
            n_rows = pq.read_metadata(dataset(size, "parquet")).num_rows
            command = [retention, "metrics", str(path), "--format", "json", "-o", os.devnull]
            runs = [run_once(command) for _ in range(args.runs)]
            walls = [w for w, _ in runs]
            rows.append(
                (size, fmt, n_rows, statistics.median(walls), min(walls), max(walls), runs[-1][1])
            )
            print(f"{size:>5} {fmt:>8} {n_rows:>10,} rows  median {rows[-1][3]:6.2f} s", flush=True)

    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python "
    machine += platform.python_version()
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine}. Command: `retention metrics FILE --format json` (bridge and",
        f"windows 1, 3, 12), {args.runs} runs each, whole process.",
        "",
        "| size | format | rows | median wall s | min | max | peak RSS MiB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {s} | {f} | {n:,} | {med:.2f} | {lo:.2f} | {hi:.2f} | {rss:.0f} |"
        for s, f, n, med, lo, hi, rss in rows
    ]
    text = "\n".join(lines) + "\n"
    (HERE / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
