"""Tables as input: PostgreSQL, DuckDB and SQLite databases by URL, Spark's catalog."""

from __future__ import annotations

import datetime
import itertools
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import revenue_retention as rr
from revenue_retention.cli import app
from revenue_retention.errors import BadRowsError, OptionError, SourceError

ROWS = [("a", "2024-01", "100.00"), ("a", "2024-02", "150.00"), ("b", "2024-02", "40.50")]


_tables = itertools.count()


def unique(prefix: str) -> str:
    """A table name not used before in this run's database (the server is shared)."""
    return f"{prefix}_{next(_tables)}"


def typed_rows() -> pa.Table:
    return pa.table(
        {
            "Account": pa.array([r[0] for r in ROWS]),  # an alias of customer_id
            "Month": pa.array([datetime.date.fromisoformat(r[1] + "-01") for r in ROWS]),
            "MRR": pa.array([Decimal(r[2]) for r in ROWS], pa.decimal128(10, 2)),
        }
    )


def bridge_of(data: rr.Dataset) -> list[dict[str, Any]]:
    document = json.loads(rr.to_json(rr.compute_metrics(data, [1])))
    return document["bridge"]


EXPECTED = [
    {
        "period": "2024-02",
        "opening_mrr": "100.00",
        "new": "40.50",
        "reactivation": "0.00",
        "expansion": "50.00",
        "contraction": "0.00",
        "churn": "0.00",
        "closing_mrr": "190.50",
    }
]


def test_postgres_table_with_aliased_typed_columns(postgres_url: str) -> None:
    billing_mrr = unique("billing_mrr")
    con = ibis.connect(postgres_url)
    con.create_table(billing_mrr, ibis.memtable(typed_rows()))
    data = rr.load(postgres_url, table=billing_mrr)
    assert data.report.columns == {"customer_id": "Account", "month": "Month", "mrr": "MRR"}
    assert data.report.adapter == "postgres"
    assert bridge_of(data) == EXPECTED
    data.con.disconnect()
    con.disconnect()


def test_postgres_bad_rows_are_named_by_row(postgres_url: str) -> None:
    bad_mrr = unique("bad_mrr")
    con = ibis.connect(postgres_url)
    bad = pa.table({"customer_id": ["a", None], "month": ["2024-01", "2024-13"], "mrr": ["1", "2"]})
    con.create_table(bad_mrr, ibis.memtable(bad))
    with pytest.raises(BadRowsError, match=r"row|line 2, column 'customer_id'"):
        rr.load(postgres_url, table=bad_mrr)
    con.disconnect()


def test_cli_reads_a_postgres_table(postgres_url: str) -> None:
    cli_mrr = unique("cli_mrr")
    con = ibis.connect(postgres_url)
    con.create_table(cli_mrr, ibis.memtable(typed_rows()))
    con.disconnect()
    result = CliRunner().invoke(
        app, ["metrics", postgres_url, "--table", cli_mrr, "--windows", "1", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bridge"] == EXPECTED


def test_a_missing_table_suggests_the_close_names(postgres_url: str) -> None:
    con = ibis.connect(postgres_url)
    con.create_table("subscriptions_x", ibis.memtable(typed_rows()))
    con.disconnect()
    with pytest.raises(SourceError, match="did you mean 'subscriptions_x'"):
        rr.load(postgres_url, table="subscription_x")


def test_duckdb_file_table(tmp_path: Path) -> None:
    path = tmp_path / "billing.duckdb"
    with duckdb.connect(str(path)) as con:
        rows = typed_rows()  # noqa: F841  (read by DuckDB's replacement scan)
        con.execute("CREATE TABLE mrr AS SELECT * FROM rows")
    assert bridge_of(rr.load(f"duckdb:///{path}", table="mrr")) == EXPECTED


def test_sqlite_table_is_read_as_text_and_computed_exactly(tmp_path: Path) -> None:
    path = tmp_path / "billing.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE mrr (customer_id TEXT, month TEXT, mrr TEXT)")
        con.executemany("INSERT INTO mrr VALUES (?, ?, ?)", ROWS)
    data = rr.load(f"sqlite:///{path}", table="mrr")
    assert data.report.adapter == "sqlite"
    assert bridge_of(data) == EXPECTED


def test_a_url_needs_a_table() -> None:
    with pytest.raises(OptionError, match="--table"):
        rr.load("postgresql://me@127.0.0.1:1/billing")


def test_spark_catalog_table(spark: Any) -> None:
    frame = spark._session.createDataFrame(
        [(r[0], r[1], r[2]) for r in ROWS], "customer_id string, month string, mrr string"
    )
    frame.createOrReplaceTempView("spark_mrr")
    data = rr.load(None, table="spark_mrr", engine=spark._session)
    assert bridge_of(data) == EXPECTED
