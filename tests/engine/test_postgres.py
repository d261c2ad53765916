"""PostgreSQL: stored results get statistics, each stage is computed once, no JIT."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest

from revenue_retention.engine import connect, materialize
from revenue_retention.engine.postgres import _fence


@pytest.fixture
def con(postgres_url: str) -> Any:
    backend = connect(postgres_url)
    yield backend
    backend.disconnect()


def _one(con: Any, query: str) -> Any:
    with con.raw_sql(query) as cursor:
        return cursor.fetchone()[0]


def _staged(table: ibis.Table) -> ibis.Table:
    """Three stages, each reading the one before it several times (as validation does)."""
    text = table.mutate(t=table.raw.strip())
    parsed = text.mutate(v=ibis.ifelse(text.t.re_search(r"^[0-9]+$"), text.t, None).cast("int64"))
    return parsed.mutate(
        ok=parsed.v.notnull() & (parsed.v >= 0), twice=parsed.v * 2, text_len=parsed.t.length()
    ).select("raw", "v", "ok", "twice", "text_len")


def test_a_stored_result_is_analysed(con: Any) -> None:
    """Autovacuum never analyses temporary tables: without this, the planner sees none."""
    source = ibis.memtable(pa.table({"n": pa.array(range(500), pa.int64())}))
    stored = materialize(con, source.filter(source.n % 2 == 0), "stats")
    name = stored.get_name()
    assert _one(con, f"SELECT reltuples FROM pg_class WHERE relname = '{name}'") == 250


def test_each_stage_of_a_stored_result_is_computed_once(con: Any) -> None:
    rows = pa.table({"raw": [" 12", "x", "7 ", None, "003"]})
    stored = materialize(con, _staged(ibis.memtable(rows)), "staged")
    # The same rows as the embedded engine computes them.
    duck = connect().to_pyarrow(_staged(ibis.memtable(rows)).order_by("raw"))
    assert con.to_pyarrow(stored.order_by("raw")).to_pylist() == duck.to_pylist()
    # The pattern is matched once per row, where the stage computes it; unfenced,
    # PostgreSQL pulls the stage up and matches it at each of the four references to v.
    expr = _staged(ibis.memtable(rows))
    con._run_pre_execute_hooks(expr)
    assert _matches(con, _fence(con.compiler.to_sqlglot(expr))) == 1
    assert _matches(con, con.compiler.to_sqlglot(expr)) == 4


def _matches(con: Any, query: Any) -> int:
    """Regular-expression matches in the query's plan, every expression written out."""
    with con.raw_sql("EXPLAIN (VERBOSE) " + query.sql("postgres")) as cursor:
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan.count(" ~ ")


def test_sessions_opened_from_a_url_compile_no_query(con: Any) -> None:
    assert _one(con, "SHOW jit") == "off"


def test_amounts_survive_the_staged_insert_exactly(con: Any) -> None:
    amounts = pa.array(
        [Decimal("0.01"), Decimal("123456789012.345678"), None], pa.decimal128(38, 6)
    )
    source = ibis.memtable(pa.table({"k": [1, 2, 3], "mrr": amounts}))
    stored = materialize(con, source.mutate(double=source.mrr * 2), "money")
    got = con.to_pyarrow(stored.order_by("k"))
    assert got["double"].to_pylist() == [Decimal("0.02"), Decimal("246913578024.691356"), None]
