"""Tests of the deterministic demo billing generator."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pytest

from revenue_retention.datasets import generate_demo, write_demo_csv

MONEY = pa.decimal128(38, 6)

# Month as an integer so consecutive months differ by 1 across year ends.
MONTH_NO = "(CAST(substr(month, 1, 4) AS INTEGER) * 12 + CAST(substr(month, 6, 2) AS INTEGER))"


@pytest.fixture(scope="module")
def demo() -> pa.Table:
    return generate_demo()


@pytest.fixture(scope="module")
def db(demo: pa.Table) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.register("billing", demo)
    # Customer-month MRR, the canonical view the metrics are computed from.
    con.execute(
        f"""
        CREATE VIEW cm AS
        SELECT customer_id, month, {MONTH_NO} AS m, sum(mrr) AS mrr
        FROM billing GROUP BY ALL
        """
    )
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.sql(sql).fetchone()
    assert row is not None
    return row[0]


def test_schema(demo: pa.Table) -> None:
    assert demo.schema == pa.schema(
        [
            ("customer_id", pa.string()),
            ("month", pa.string()),
            ("segment", pa.string()),
            ("plan", pa.string()),
            ("region", pa.string()),
            ("product", pa.string()),
            ("quantity", pa.int64()),
            ("unit_price", MONEY),
            ("mrr", MONEY),
        ]
    )
    assert all(demo.column(name).null_count == 0 for name in demo.column_names)


def test_deterministic() -> None:
    a = generate_demo(customers=300, months=24, seed=3)
    b = generate_demo(customers=300, months=24, seed=3)
    assert a.equals(b)
    assert not a.equals(generate_demo(customers=300, months=24, seed=4))


def test_mrr_is_exactly_quantity_times_unit_price(
    demo: pa.Table, db: duckdb.DuckDBPyConnection
) -> None:
    # In Arrow: decimal(19, 0) * decimal(18, 2) fits decimal(38, 2) exactly.
    product = pc.multiply(
        demo.column("quantity").cast(pa.decimal128(19, 0)),
        demo.column("unit_price").cast(pa.decimal128(18, 2)),
    )
    assert product.cast(MONEY).equals(demo.column("mrr"))
    # And independently in DuckDB.
    mismatches = scalar(
        db,
        "SELECT count(*) FROM billing WHERE CAST(quantity AS DECIMAL(18, 0)) * unit_price <> mrr",
    )
    assert mismatches == 0


def test_amounts_positive_and_whole_cents(demo: pa.Table, db: duckdb.DuckDBPyConnection) -> None:
    assert pc.min(demo.column("quantity")).as_py() >= 1
    assert pc.min(demo.column("mrr")).as_py() > 0
    assert pc.min(demo.column("unit_price")).as_py() > 0
    for name in ("unit_price", "mrr"):
        # A safe cast to scale 2 raises if any value has a third decimal.
        demo.column(name).cast(pa.decimal128(38, 2))
        assert scalar(db, f"SELECT count(*) FROM billing WHERE {name} <> round({name}, 2)") == 0


def test_default_size(demo: pa.Table, db: duckdb.DuckDBPyConnection) -> None:
    assert 40_000 <= demo.num_rows <= 90_000
    assert scalar(db, "SELECT count(DISTINCT customer_id) FROM billing") == 2000
    months = [r[0] for r in db.sql("SELECT DISTINCT month FROM billing ORDER BY 1").fetchall()]
    assert len(months) == 36
    assert (months[0], months[12], months[-1]) == ("2023-01", "2024-01", "2025-12")
    assert all(re.fullmatch(r"C\d{5}", c) for c in demo.column("customer_id").unique().to_pylist())
    # First month has a base already paying; the rest are acquired later.
    assert scalar(db, "SELECT count(*) FROM cm WHERE month = '2023-01'") > 300


def test_one_row_per_customer_month_product(db: duckdb.DuckDBPyConnection) -> None:
    dupes = scalar(
        db,
        "SELECT count(*) FROM (SELECT customer_id, month, product FROM billing "
        "GROUP BY ALL HAVING count(*) > 1)",
    )
    assert dupes == 0


def test_segment_and_region_fixed_per_customer(db: duckdb.DuckDBPyConnection) -> None:
    moving = scalar(
        db,
        "SELECT count(*) FROM (SELECT customer_id FROM billing GROUP BY customer_id "
        "HAVING count(DISTINCT segment) > 1 OR count(DISTINCT region) > 1)",
    )
    assert moving == 0
    assert {r[0] for r in db.sql("SELECT DISTINCT segment FROM billing").fetchall()} == {
        "SMB",
        "Mid-Market",
        "Enterprise",
    }


def test_acquisitions_throughout(db: duckdb.DuckDBPyConnection) -> None:
    firsts = db.sql(
        "SELECT first_month, count(*) FROM "
        "(SELECT customer_id, min(month) AS first_month FROM cm GROUP BY 1) GROUP BY 1"
    ).fetchall()
    assert len(firsts) == 36  # some customers start in every month


def test_reactivations(db: duckdb.DuckDBPyConnection) -> None:
    reactivated = scalar(
        db,
        """
        SELECT count(DISTINCT customer_id) FROM (
            SELECT customer_id, m - lag(m) OVER (PARTITION BY customer_id ORDER BY m) AS gap
            FROM cm
        ) WHERE gap > 1
        """,
    )
    assert reactivated >= 10


def test_churn_and_segment_ordering(db: duckdb.DuckDBPyConnection) -> None:
    # Share of customers ever seen who are not paying in the last month, by segment.
    rows = dict(
        db.sql(
            """
            SELECT segment,
                   avg(CASE WHEN last_month < '2025-12' THEN 1 ELSE 0 END)
            FROM (SELECT customer_id, any_value(segment) AS segment, max(month) AS last_month
                  FROM billing GROUP BY customer_id)
            GROUP BY segment
            """
        ).fetchall()
    )
    assert rows["SMB"] > rows["Mid-Market"] > rows["Enterprise"] > 0


def test_cross_sell_and_product_churn(db: duckdb.DuckDBPyConnection) -> None:
    # Pairs of consecutive months in which the customer pays in both.
    base = f"""
        WITH items AS (SELECT customer_id, {MONTH_NO} AS m, product FROM billing),
        both_months AS (
            SELECT a.customer_id, a.m AS m0, b.m AS m1
            FROM cm a JOIN cm b ON a.customer_id = b.customer_id AND b.m = a.m + 1
        )
    """
    cross_sell = scalar(
        db,
        base
        + """
        SELECT count(DISTINCT i.customer_id) FROM both_months p
        JOIN items i ON i.customer_id = p.customer_id AND i.m = p.m1
        WHERE NOT EXISTS (SELECT 1 FROM items j WHERE j.customer_id = i.customer_id
                          AND j.m = p.m0 AND j.product = i.product)
        """,
    )
    product_churn = scalar(
        db,
        base
        + """
        SELECT count(DISTINCT i.customer_id) FROM both_months p
        JOIN items i ON i.customer_id = p.customer_id AND i.m = p.m0
        WHERE NOT EXISTS (SELECT 1 FROM items j WHERE j.customer_id = i.customer_id
                          AND j.m = p.m1 AND j.product = i.product)
        """,
    )
    assert cross_sell >= 50
    assert product_churn >= 50


def test_seat_expansion_and_contraction(db: duckdb.DuckDBPyConnection) -> None:
    changes = db.sql(
        f"""
        WITH core AS (SELECT customer_id, {MONTH_NO} AS m, quantity FROM billing
                      WHERE product = 'core')
        SELECT sum(CASE WHEN b.quantity > a.quantity THEN 1 ELSE 0 END),
               sum(CASE WHEN b.quantity < a.quantity THEN 1 ELSE 0 END)
        FROM core a JOIN core b ON a.customer_id = b.customer_id AND b.m = a.m + 1
        """
    ).fetchone()
    assert changes is not None
    up, down = changes
    assert up > down > 50


def test_january_price_increase(db: duckdb.DuckDBPyConnection) -> None:
    rises = db.sql(
        f"""
        WITH items AS (SELECT customer_id, {MONTH_NO} AS m, month, product, quantity,
                              unit_price FROM billing)
        SELECT substr(b.month, 6, 2) AS cal, count(*) AS n,
               avg(CAST(b.unit_price / a.unit_price AS DOUBLE)) AS ratio
        FROM items a JOIN items b
          ON a.customer_id = b.customer_id AND a.product = b.product AND b.m = a.m + 1
        WHERE b.unit_price > a.unit_price AND b.quantity = a.quantity
        GROUP BY cal
        """
    ).fetchall()
    by_month = {cal: (n, ratio) for cal, n, ratio in rises}
    assert by_month["01"][0] > 500  # most continuing contracts, every January
    assert 1.05 <= by_month["01"][1] <= 1.08
    # Outside January only the rare plan upgrade raises a unit price.
    assert all(n < by_month["01"][0] / 10 for cal, (n, _) in by_month.items() if cal != "01")


def test_heavy_tail(db: duckdb.DuckDBPyConnection) -> None:
    ratio = scalar(
        db,
        "SELECT max(r) FROM (SELECT month, max(mrr) / median(mrr) AS r FROM cm GROUP BY month)",
    )
    assert ratio > 20


def test_annual_retention_in_plausible_band(db: duckdb.DuckDBPyConnection) -> None:
    grr, nrr = db.sql(
        """
        WITH a AS (SELECT customer_id, mrr FROM cm WHERE month = '2024-12'),
             b AS (SELECT customer_id, mrr FROM cm WHERE month = '2025-12')
        SELECT sum(least(a.mrr, coalesce(b.mrr, 0))) / sum(a.mrr),
               sum(coalesce(b.mrr, 0)) / sum(a.mrr)
        FROM a LEFT JOIN b USING (customer_id)
        """
    ).fetchone() or (None, None)
    assert 0.80 <= grr <= 0.92
    assert 0.95 <= nrr <= 1.15


def test_small_and_other_start() -> None:
    table = generate_demo(customers=1, months=1, start="2024-11")
    assert table.num_rows >= 1
    assert table.column("month").to_pylist()[0] == "2024-11"
    months = generate_demo(customers=50, months=4, start="2024-11").column("month")
    assert set(months.to_pylist()) <= {"2024-11", "2024-12", "2025-01", "2025-02"}


@pytest.mark.parametrize(
    "kwargs",
    [{"customers": 0}, {"months": 0}, {"start": "2024-13"}, {"start": "2024/01"}],
)
def test_invalid_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        generate_demo(**kwargs)


def test_write_demo_csv_round_trip(tmp_path: Path) -> None:
    kwargs: dict[str, Any] = {"customers": 200, "months": 12, "seed": 11}
    expected = generate_demo(**kwargs)
    out = write_demo_csv(tmp_path / "demo.csv", **kwargs)
    assert out == tmp_path / "demo.csv"
    lines = out.read_text().splitlines()
    assert lines[0] == ",".join(expected.column_names)
    assert len(lines) == expected.num_rows + 1

    as_text = pa_csv.read_csv(
        out,
        convert_options=pa_csv.ConvertOptions(
            column_types={"unit_price": pa.string(), "mrr": pa.string(), "month": pa.string()}
        ),
    )
    assert as_text.num_rows == expected.num_rows
    assert as_text.column_names == expected.column_names
    mrr_text = as_text.column("mrr").to_pylist()
    assert all(re.fullmatch(r"\d+\.\d\d", v) for v in mrr_text)
    assert (
        mrr_text == expected.column("mrr").cast(pa.decimal128(38, 2)).cast(pa.string()).to_pylist()
    )

    as_decimal = pa_csv.read_csv(
        out,
        convert_options=pa_csv.ConvertOptions(
            column_types={
                "customer_id": pa.string(),
                "month": pa.string(),
                "quantity": pa.int64(),
                "unit_price": MONEY,
                "mrr": MONEY,
            }
        ),
    )
    assert as_decimal.equals(expected)
