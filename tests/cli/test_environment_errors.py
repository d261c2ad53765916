"""Option values the environment cannot hold: one line, exit 1, within seconds (issue 13).

Each of these reached the engine, numpy or the JVM unchecked and ended as "a bug" (exit
70), some after a minute: a memory limit DuckDB cannot parse, a band edge or a rate the
engine's decimals cannot hold, a count past 64 bits, a window below 1, a master that
is not there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.cli.conftest import Invoke, MakeCsv
from typer.testing import Result

#: Two years of months for two customers, and one in another currency.
MONTHS = [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
TWO_YEARS = "customer_id,month,mrr\n" + "".join(
    f"{c},{month},{100 + 10 * i}\n" for c in ("a", "b") for i, month in enumerate(MONTHS)
)
CURRENCIES = "customer_id,month,mrr,currency\na,2024-01,10,EUR\nb,2024-01,5,USD\n"


def assert_one_line(result: Result, *parts: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for part in parts:
        assert part in lines[0], lines[0]


@pytest.mark.parametrize(
    ("command", "options", "parts"),
    [
        ("metrics", ["--memory-limit", "99999999TB"], ["--memory-limit: '99999999TB'"]),
        ("metrics", ["--by", "size_band", "--size-bands", "1e400"], ["--size-bands: '1e400'"]),
        ("metrics", ["--by", "size_band", "--size-bands", "1e-400"], ["at most 12 digits"]),
        ("metrics", ["--by", "size_band", "--size-bands", "1e308"], ["--size-bands"]),
        ("metrics", ["--ci", "0.9", "--resamples", "99999999999999999999"], ["--resamples"]),
        ("explain", ["--limit", "99999999999999999999"], ["--limit", "1,000,000,000"]),
        ("explain", ["--limit", "9223372036854775808"], ["--limit"]),
        ("diagnose", ["--window", "-1"], ["--window: -1 must be a whole number from 1 to 120"]),
        ("seasonality", ["--swing-ratio", "inf"], ["--swing-ratio: inf must be a finite"]),
        ("seasonality", ["--min-swing-pp", "nan"], ["--min-swing-pp: nan"]),
    ],
)
def test_an_option_past_what_the_engine_holds_is_one_line(
    invoke: Invoke, make_csv: MakeCsv, command: str, options: list[str], parts: list[str]
) -> None:
    result = invoke(command, make_csv("two_years.csv", TWO_YEARS), *options)
    assert_one_line(result, *parts)


@pytest.mark.parametrize("rate", ["EUR=1e400", "EUR=1e-400", "EUR=nan"])
def test_a_fixed_rate_past_the_rate_type_is_one_line(
    invoke: Invoke, make_csv: MakeCsv, rate: str
) -> None:
    path = make_csv("currencies.csv", CURRENCIES)
    result = invoke("metrics", path, "--fx-rate", rate, "--reporting-currency", "USD")
    assert_one_line(result, f"--fx-rate: '{rate}'", "e.g. EUR=1.08")


def test_a_negative_demo_seed_is_one_line(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("demo", "--seed", "-1", "--out", tmp_path / "demo", "--quiet")
    assert_one_line(result, "--seed: -1 must be a whole number from 0")


def test_a_spark_master_that_is_not_there_is_refused_before_spark_starts(
    invoke: Invoke, make_csv: MakeCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked over TCP first: Spark would retry registering for a minute, in Java (it
    took 65 s and 45 lines). PySpark made unimportable shows that it is never reached."""
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    path = make_csv("two_years.csv", TWO_YEARS)
    refused = invoke("metrics", path, "--engine", "spark", "--spark-master", "spark://127.0.0.1:1")
    unknown = invoke(
        "metrics", path, "--engine", "spark", "--spark-master", "spark://no-such-host.invalid:7077"
    )
    assert_one_line(refused, "--spark-master: 'spark://127.0.0.1:1' cannot be reached")
    assert_one_line(unknown, "no-such-host.invalid is not a known host name")


def test_a_memory_cap_too_small_for_the_data_is_one_line_naming_the_flag(
    invoke: Invoke, make_csv: MakeCsv
) -> None:
    # DuckDB cannot decode even this file's first block in 1 MB: it runs out of memory,
    # which is neither bad data nor a bug, and the message says which knob to turn.
    result = invoke("metrics", make_csv("two_years.csv", TWO_YEARS), "--memory-limit", "1MB")
    assert_one_line(result, "two_years.csv", "ran out of memory", "--memory-limit")


def test_running_out_of_memory_after_loading_is_not_called_a_bug(
    invoke: Invoke, make_csv: MakeCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    def exhausted(*args: object, **kwargs: object) -> None:
        raise duckdb.OutOfMemoryException(
            "Out of Memory Error: could not allocate block of size 256.0 KiB (1.9 MiB/1.9 MiB used)"
        )

    monkeypatch.setattr("revenue_retention.analyses.compute_metrics", exhausted)
    result = invoke("metrics", make_csv("two_years.csv", TWO_YEARS))
    assert_one_line(result, "ran out of memory", "could not allocate block", "--memory-limit")


JAVA_HEAP = (
    "An error occurred while calling o94.localCheckpoint.\n: org.apache.spark.SparkException: "
    "Job aborted due to stage failure: Task 0 in stage 3.0 failed 1 times, most recent "
    "failure: Lost task 0.0 in stage 3.0 (TID 4): java.lang.OutOfMemoryError: Java heap space\n"
    "\tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:64)\n"
)


def test_spark_out_of_java_heap_is_one_line_naming_the_driver_memory(
    invoke: Invoke, make_csv: MakeCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The text of a Py4J error from a local session reading ten million rows with
    # Spark's default 1 GB heap (benchmarks, 2026-12-05): a stack trace, said in one line.
    def exhausted(*args: object, **kwargs: object) -> None:
        raise RuntimeError(JAVA_HEAP)

    monkeypatch.setattr("revenue_retention.analyses.compute_metrics", exhausted)
    result = invoke("metrics", make_csv("two_years.csv", TWO_YEARS))
    assert_one_line(
        result, "Spark engine ran out of memory (Java heap space)", "SPARK_DRIVER_MEMORY"
    )
    assert "HeapByteBuffer" not in result.output


def test_a_spark_context_shut_down_mid_run_is_one_line(
    invoke: Invoke, make_csv: MakeCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What 10M rows in a 1 GB local heap said on 2026-12-05 (the JVM stopped the context
    # after its OutOfMemoryError, logged at a level the command silences): 8 KB of Java.
    def stopped(*args: object, **kwargs: object) -> None:
        raise RuntimeError(
            "An error occurred while calling o96.localCheckpoint.\n: org.apache.spark."
            "SparkException: Job 3 cancelled because SparkContext was shut down\n\tat org."
            "apache.spark.scheduler.DAGScheduler.cleanUpAfterSchedulerStop(DAGScheduler.scala:1)"
        )

    monkeypatch.setattr("revenue_retention.analyses.compute_metrics", stopped)
    result = invoke("metrics", make_csv("two_years.csv", TWO_YEARS))
    assert_one_line(result, "Spark driver", "SPARK_DRIVER_MEMORY")
    assert "DAGScheduler" not in result.output


def test_the_spark_driver_dying_is_not_called_a_bug(
    invoke: Invoke, make_csv: MakeCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    # When the JVM is killed, Py4J's next call finds nobody listening.
    import types

    monkeypatch.setitem(sys.modules, "py4j", sys.modules.get("py4j") or types.ModuleType("py4j"))

    def gone(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("revenue_retention.analyses.compute_metrics", gone)
    result = invoke("metrics", make_csv("two_years.csv", TWO_YEARS))
    assert_one_line(result, "Spark driver", "stopped", "SPARK_DRIVER_MEMORY")
    assert result.exit_code == 1
