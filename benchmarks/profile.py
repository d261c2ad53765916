"""Where a command's time goes, query by query, from DuckDB's own profiler.

Runs one ``retention`` command in this process with DuckDB's profiling on (the same
profiler ``EXPLAIN ANALYZE`` prints) and records every query the command sends: the
project function that sent it, DuckDB's latency for it, the rows it read and returned,
and its three costliest operators. Then it runs the benchmark's hand-written SQL
(``competitors.floor_sql``) on the same file with the same profiler, so the two can be
read side by side. The time outside DuckDB (imports, Python, Ibis compiling the
expressions) is the whole process minus the queries.

    python benchmarks/profile.py benchmarks/data/lines_10m.parquet -- metrics --windows 12
    python benchmarks/profile.py demo -- report --output /tmp/r.html

The file argument ``demo`` runs the built-in demo company (``retention demo``'s data).
Figures are one run's: read them as shares, not as the benchmark's medians.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _caller() -> str:
    """The innermost project function outside the engine layer that sent the query."""
    for frame in reversed(traceback.extract_stack()[:-3]):
        name = frame.filename
        if "revenue_retention" in name and "/engine/" not in name:
            module = name.split("revenue_retention/")[-1].removesuffix(".py")
            return f"{module}:{frame.name}"
    return "?"


def _operators(node: dict[str, Any], found: list[tuple[float, str, int]]) -> None:
    timing = node.get("operator_timing")
    if timing is not None:
        name = node.get("operator_name") or node.get("operator_type", "?")
        found.append((float(timing), str(name).strip(), int(node.get("operator_cardinality", 0))))
    for child in node.get("children", []):
        _operators(child, found)


class Recorder:
    """Wraps the DuckDB backend's query methods and reads the profile after each one."""

    def __init__(self) -> None:
        self.queries: list[dict[str, Any]] = []
        self._depth = 0
        self._last: tuple[Any, Any] = (None, None)
        self.outer_wall = 0.0

    def wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def run(backend: Any, *args: Any, **kwargs: Any) -> Any:
            self._depth += 1
            started = time.perf_counter()
            try:
                return method(backend, *args, **kwargs)
            finally:
                self._depth -= 1
                self._record(backend, method.__name__, time.perf_counter() - started)

        return run

    def _record(self, backend: Any, method: str, wall: float) -> None:
        try:
            profile = json.loads(backend.con.get_profiling_information(format="json"))
        except Exception:
            return
        key = (profile.get("query_name"), profile.get("latency"))
        if self._depth == 0:
            self.outer_wall += wall  # a call from the project, with what Ibis does around it
        if key == self._last:
            return  # an outer call whose last statement was recorded by the inner one
        self._last = key
        ops: list[tuple[float, str, int]] = []
        _operators(profile, ops)
        ops.sort(reverse=True)
        self.queries.append(
            {
                "caller": _caller(),
                "method": method,
                "wall": wall,
                "latency": float(profile.get("latency", 0.0)),
                "sql": str(profile.get("query_name", "")),
                "rows_scanned": int(profile.get("cumulative_rows_scanned", 0)),
                "rows_returned": int(profile.get("rows_returned", 0)),
                "operators": ops[:3],
            }
        )


class _Statements:
    """The DuckDB connection, recording the statements Ibis runs on it directly."""

    def __init__(self, raw: Any, recorder: Recorder, backend: Any) -> None:
        self._raw, self._recorder, self._backend = raw, recorder, backend

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = self._raw.execute(*args, **kwargs)
        self._recorder._record(self._backend, "execute", time.perf_counter() - started)
        # execute() returns the connection itself, on which Ibis runs its next statement.
        return self if result is self._raw else result


def profile_command(argv: list[str]) -> tuple[float, Recorder]:
    import ibis.backends.duckdb as ibis_duckdb

    from revenue_retention import engine

    recorder = Recorder()
    backend = ibis_duckdb.Backend
    for name in ("to_pyarrow", "to_pyarrow_batches", "execute", "create_table", "raw_sql", "sql"):
        setattr(backend, name, recorder.wrap(getattr(backend, name)))
    connect = engine.connect

    def profiled_connect(*args: Any, **kwargs: Any) -> Any:
        con = connect(*args, **kwargs)
        if getattr(con, "name", "") == "duckdb":
            con.con.execute("SET enable_profiling = 'no_output'")
            con.con = _Statements(con.con, recorder, con)
        return con

    engine.connect = profiled_connect
    from revenue_retention.cli import app

    started = time.perf_counter()
    with contextlib.suppress(SystemExit):
        app(argv, standalone_mode=False)
    return time.perf_counter() - started, recorder


def profile_sql(path: Path, windows: list[int]) -> tuple[float, list[tuple[float, str, int]]]:
    import competitors
    import duckdb

    ops: list[tuple[float, str, int]] = []
    real_connect = duckdb.connect
    holder: dict[str, Any] = {}

    def connect(*args: Any, **kwargs: Any) -> Any:
        con = real_connect(*args, **kwargs)
        con.execute("SET enable_profiling = 'no_output'")
        holder["con"] = con
        return con

    duckdb.connect = connect  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        competitors.floor_sql(path, windows)
        wall = time.perf_counter() - started
    finally:
        duckdb.connect = real_connect
    profile = json.loads(holder["con"].get_profiling_information(format="json"))
    _operators(profile, ops)
    ops.sort(reverse=True)
    return wall, ops


def _ops_text(ops: list[tuple[float, str, int]]) -> str:
    return "; ".join(f"{name} {seconds:.2f} s ({rows:,} rows)" for seconds, name, rows in ops)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the input file, or 'demo'")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [OPTIONS]")
    parser.add_argument("--top", type=int, default=15, help="queries listed (costliest first)")
    parser.add_argument("--dump", type=Path, help="write each query's SQL into this folder")
    parser.add_argument("--sql-windows", default="12", help="windows of the hand-written SQL")
    args = parser.parse_args()
    command = [c for c in args.command if c != "--"] or ["metrics", "--windows", "12"]
    process_started = time.perf_counter()
    if args.file == "demo":
        from revenue_retention.datasets import write_demo_csv

        path = write_demo_csv(Path("/tmp/rr-profile-demo.csv"))
    else:
        path = Path(args.file)
    argv = [command[0], str(path), *command[1:], "--format", "json", "--output", "/dev/null"]
    if command[0] == "report":
        argv = [command[0], str(path), *command[1:]]
    wall, recorder = profile_command(argv)
    total = time.perf_counter() - process_started
    queries = recorder.queries
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for i, q in enumerate(queries):
            (args.dump / f"{i:03d}.sql").write_text(q["sql"] + ";\n")
    in_engine = sum(q["latency"] for q in queries)
    in_calls = recorder.outer_wall
    print(f"# `retention {' '.join(command)}` on {path.name}\n")
    print(
        f"Process from start of this script: {total:.2f} s; the command: {wall:.2f} s; "
        f"{len(queries)} queries, {in_engine:.2f} s inside DuckDB (its own latency), "
        f"{in_calls - in_engine:.2f} s in the calls around them (Ibis compiling, Arrow "
        f"conversion), {wall - in_calls:.2f} s elsewhere in the command (Python).\n"
    )
    by_caller: dict[str, list[float]] = {}
    for q in queries:
        by_caller.setdefault(q["caller"], []).append(q["latency"])
    print("| sent by | queries | DuckDB s |\n| --- | ---: | ---: |")
    for caller, times in sorted(by_caller.items(), key=lambda kv: -sum(kv[1]))[: args.top]:
        print(f"| `{caller}` | {len(times)} | {sum(times):.2f} |")
    print("\nCostliest queries (DuckDB latency; its three costliest operators):\n")
    print("| DuckDB s | call s | sent by | rows scanned | costliest operators |")
    print("| ---: | ---: | --- | ---: | --- |")
    for q in sorted(queries, key=lambda q: -q["latency"])[: args.top]:
        print(
            f"| {q['latency']:.2f} | {q['wall']:.2f} | `{q['caller']}` | "
            f"{q['rows_scanned']:,} | {_ops_text(q['operators'])} |"
        )
    if args.file != "demo" and path.suffix == ".parquet":
        windows = [int(w) for w in args.sql_windows.split(",")]
        sql_wall, ops = profile_sql(path, windows)
        print(f"\nHand-written SQL, windows {args.sql_windows}: {sql_wall:.2f} s in one query.")
        print(f"Costliest operators: {_ops_text(ops[:5])}")


if __name__ == "__main__":
    main()
