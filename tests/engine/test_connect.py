"""Engine choice: names, URLs, sessions, and clear errors when an extra is missing."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from revenue_retention.engine import (
    CAPABILITIES,
    connect,
    is_url,
    memory_per_thread,
    redact,
    redact_text,
)
from revenue_retention.errors import EngineNotSupported, OptionError, SourceError


def test_default_is_an_embedded_duckdb() -> None:
    assert connect().name == "duckdb"


def test_unknown_engine_names_the_known_ones() -> None:
    with pytest.raises(OptionError, match=r"choose one of \['duckdb', 'spark'\]"):
        connect("oracle")


def test_spark_without_pyspark_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import fails as if not installed
    with pytest.raises(EngineNotSupported, match=r"pip install 'revenue-retention\[spark\]'"):
        connect("spark")


def test_postgres_without_its_driver_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    for name in [m for m in sys.modules if m.startswith("ibis.backends.postgres")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(EngineNotSupported, match=r"pip install 'revenue-retention\[postgres\]'"):
        connect("postgresql://me@127.0.0.1:1/billing")


def test_a_missing_database_file_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(SourceError, match="no such database file"):
        connect(f"sqlite:///{missing}")
    assert not missing.exists()


def test_urls_are_told_from_paths_and_printed_without_passwords() -> None:
    assert is_url("duckdb:///data/billing.duckdb")
    assert not is_url("exports/mrr.csv")
    assert redact("postgresql://me:s3cret@db/billing") == "postgresql://me:***@db/billing"
    assert redact("postgresql://me:p@ss:w@db/b") == "postgresql://me:***@db/b"
    assert (
        redact("postgresql://me@db/b?sslmode=require&password=s3cret&sslpassword=x&api_token=y")
        == "postgresql://me@db/b?sslmode=require&password=***&sslpassword=***&api_token=***"
    )
    assert redact("duckdb:///data/w.duckdb") == "duckdb:///data/w.duckdb"
    assert redact_text("at postgresql://me:s3cret@db/b (password=s3cret)") == (
        "at postgresql://me:***@db/b (password=***)"
    )


def test_an_open_spark_session_is_used_as_it_is(spark: Any) -> None:
    backend = connect(spark._session)
    assert backend.name == "pyspark"
    assert backend._session is spark._session
    # Exact decimals: Spark must fail rather than round a product past 38 digits.
    conf = spark._session.conf.get("spark.sql.decimalOperations.allowPrecisionLoss")
    assert conf == "false"


def test_every_engine_says_how_it_reads_files_and_keeps_results() -> None:
    for engine, capability in CAPABILITIES.items():
        assert set(capability) == {
            "files",
            "materialize",
            "rescan",
            "computes",
            "stages",
            "statistics",
        }, engine


def test_ibis_own_spark_backend_is_rebuilt_with_exact_in_memory_tables(spark: Any) -> None:
    """A memtable with a null amount reaches Spark as a null (Ibis's own route raised)."""
    import ibis
    import pyarrow as pa

    from revenue_retention.engine.spark_backend import SparkBackend

    backend = connect(ibis.pyspark.connect(spark._session))
    assert isinstance(backend, SparkBackend) and backend._session is spark._session
    amounts = pa.array([Decimal("12.34"), None, Decimal("-0.01")], pa.decimal128(38, 6))
    table = ibis.memtable(pa.table({"k": [1, 2, 3], "mrr": amounts}))
    back = backend.to_pyarrow(table.order_by("k"))
    assert back["mrr"].to_pylist() == [Decimal("12.34"), None, Decimal("-0.01")]


def test_a_csv_spark_cannot_split_is_refused_in_one_line(spark: Any, tmp_path: Path) -> None:
    """Spark's CSV reader stops at a ragged row: the error names the record, not a Java trace."""
    import revenue_retention as rr

    path = tmp_path / "ragged.csv"
    path.write_text("customer_id,month,mrr\nacme,2024-01,100\nAcme, Inc.,2024-01,50\n")
    with pytest.raises(SourceError) as raised:
        rr.load(path, engine=spark)
    message = str(raised.value)
    assert "Malformed CSV record: Acme, Inc.,2024-01,50" in message
    assert "the embedded engine, the default, rejects such rows one by one" in message
    assert "\n" not in message and "org.apache" not in message


def test_memory_per_thread_reads_duckdb_own_setting() -> None:
    # DuckDB states 40 MB as "38.1 MiB": the figure is its own, split over the threads.
    capped = connect("duckdb", memory_limit="40MB", threads=2)
    per_thread = memory_per_thread(capped)
    assert per_thread is not None and abs(per_thread - 20 * 10**6) <= 0.01 * 20 * 10**6
    assert memory_per_thread(connect("duckdb", memory_limit="4GiB", threads=1)) == 4 * 2**30
