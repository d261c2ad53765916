"""Tables as input: PostgreSQL, DuckDB and SQLite databases by URL, Spark's catalog."""

from __future__ import annotations

import datetime
import itertools
import json
import sqlite3
import zipfile
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
    document = json.loads(rr.to_json(rr.compute_metrics(data, window_months=[1])))
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
    with pytest.raises(OptionError, match="table"):
        rr.load("postgresql://me@127.0.0.1:1/billing")


def test_spark_catalog_table(spark: Any) -> None:
    frame = spark._session.createDataFrame(
        [(r[0], r[1], r[2]) for r in ROWS], "customer_id string, month string, mrr string"
    )
    frame.createOrReplaceTempView("spark_mrr")
    data = rr.load(None, table="spark_mrr", engine=spark._session)
    assert bridge_of(data) == EXPECTED


SECRET = "hunter2"


@pytest.mark.parametrize("form", ["query", "user_info"])
def test_a_password_in_the_url_is_never_shown(postgres_url: str, tmp_path: Path, form: str) -> None:
    """Not in the JSON, the terminal, the HTML, the workbook, the rejects file, nor any
    error message (the server trusts every login, so any password connects)."""
    name = unique("secret_mrr")
    con = ibis.connect(postgres_url)
    rows = typed_rows()
    bad = pa.table({"Account": ["c"], "Month": [datetime.date(2024, 2, 1)], "MRR": [Decimal(-3)]})
    con.create_table(name, ibis.memtable(pa.concat_tables([rows, bad.cast(rows.schema)])))
    con.disconnect()
    user, host = postgres_url.split("://", 1)[1].split("@", 1)
    url = (
        f"postgresql://{user}@{host}?sslmode=disable&password={SECRET}"
        if form == "query"
        else f"postgresql://{user}:{SECRET}@{host}"
    )
    unreachable = url.replace(host.split("/")[0], "127.0.0.1:1")
    runs = {
        "json": ["metrics", url, "--table", name, "-f", "json", "--windows", "1"],
        "terminal": ["metrics", url, "--table", name, "--windows", "1"],
        "report": ["report", url, "--table", name, "--window", "1"],
        "bad rows": ["metrics", url, "--table", name],
        "no such table": ["metrics", url, "--table", "nosuch"],
        "unreachable": ["metrics", unreachable, "--table", name],
    }
    files = {
        "json": ["--rejects", tmp_path / "json.csv"],
        "terminal": ["--rejects", tmp_path / "terminal.csv"],
        "report": [
            *("--rejects", tmp_path / "report.csv"),
            *("-o", tmp_path / "r.html", "--xlsx", tmp_path / "r.xlsx"),
        ],
    }
    for run, args in runs.items():
        result = CliRunner().invoke(app, [str(a) for a in [*args, *files.get(run, [])]])
        assert result.exit_code == (0 if run in files else 1), (run, result.output)
        assert SECRET not in result.stdout + result.stderr, run
    document = json.loads(
        CliRunner().invoke(app, runs["json"] + ["--rejects", tmp_path / "x.csv"]).stdout
    )
    assert document["input"]["files"] == [f"{url.replace(SECRET, '***')} {name}"]
    written = [p for p in tmp_path.iterdir() if p.suffix in (".csv", ".html")]
    assert len(written) == 5
    for path in written:
        assert SECRET not in path.read_text(encoding="utf-8"), path.name
    with zipfile.ZipFile(tmp_path / "r.xlsx") as book:
        assert all(SECRET.encode() not in book.read(part) for part in book.namelist())
        assert any(b"***" in book.read(part) for part in book.namelist())


def duckdb_file(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        rows = typed_rows()  # noqa: F841  (read by DuckDB's replacement scan)
        con.execute("CREATE TABLE mrr AS SELECT * FROM rows")
        con.execute(
            "CREATE VIEW secrets AS SELECT * FROM read_csv('/etc/passwd', header = false, "
            "columns = {'line': 'VARCHAR'}, delim = '\x1f')"
        )
    return path


def sqlite_file(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE mrr (customer_id TEXT, month TEXT, mrr TEXT)")
        con.executemany("INSERT INTO mrr VALUES (?, ?, ?)", ROWS)
    return path


@pytest.mark.parametrize(("scheme", "make"), [("duckdb", duckdb_file), ("sqlite", sqlite_file)])
def test_three_slashes_name_a_relative_path_and_four_an_absolute_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheme: str, make: Any
) -> None:
    """SQLAlchemy's convention; the file is read, never written."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = make(folder / "billing.db")
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    assert bridge_of(rr.load(f"{scheme}:///data/billing.db", table="mrr")) == EXPECTED
    assert bridge_of(rr.load(f"{scheme}:///{path}", table="mrr")) == EXPECTED  # ////tmp/...
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["billing.db"]
    monkeypatch.chdir(folder)
    with pytest.raises(SourceError, match=r"no such database file: data/billing\.db"):
        rr.load(f"{scheme}:///data/billing.db", table="mrr")
    with pytest.raises(SourceError, match="names no database file: write"):
        rr.load(f"{scheme}://billing.db", table="mrr")


def test_a_view_of_a_duckdb_file_cannot_read_other_files(tmp_path: Path) -> None:
    path = duckdb_file(tmp_path / "billing.duckdb")
    with pytest.raises(SourceError, match="table 'secrets' cannot be read") as raised:
        rr.load(f"duckdb:///{path}", table="secrets")
    assert "root:" not in str(raised.value)
    result = CliRunner().invoke(app, ["metrics", f"duckdb:///{path}", "--table", "secrets"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "root:" not in result.output
