"""The same ``metrics`` JSON on DuckDB, Spark and PostgreSQL, equal to the oracle.

Each engine reads the data its own way: DuckDB a CSV file (text, parsed) and a Parquet
file (typed columns), Spark the same CSV file with its own reader, PostgreSQL a table
with DATE and NUMERIC columns. Everything after the read is the one Ibis metric code.
Examples are few on purpose: a Spark job costs about a second, whatever its size.
"""

from __future__ import annotations

import datetime
import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from tests.engine_run import comparable, rates_match, write_long_csv
from tests.oracle import Row, oracle_bridge, oracle_retention
from tests.strategies import Dataset, mrr_rows

import revenue_retention as rr
from revenue_retention.datasets import generate_demo

WINDOWS = (1, 3, 12)
RATES = ("grr", "nrr", "logo_retention")
_names = itertools.count()


def segment_of(customer_id: str, month: datetime.date) -> str:
    """An attribute that changes over time for some customers (moves between groups)."""
    if customer_id.lower().startswith("a"):
        return "Enterprise" if month.month % 4 else "SMB"
    return "SMB" if customer_id.islower() else "Mid-Market"


def arrow_rows(rows: list[Row]) -> pa.Table:
    """Typed columns, as a database or a Parquet file holds them."""
    return pa.table(
        {
            "customer_id": pa.array([r[0] for r in rows], pa.string()),
            "month": pa.array([r[1] for r in rows], pa.date32()),
            "mrr": pa.array([r[2] for r in rows], pa.decimal128(12, 2)),
            "segment": pa.array([segment_of(r[0], r[1]) for r in rows], pa.string()),
        }
    )


def write_csv_with_segment(rows: list[Row], path: Path) -> Path:
    write_long_csv(rows, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",segment"]
    out += [f"{line},{segment_of(r[0], r[1])}" for line, r in zip(lines[1:], rows, strict=True)]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def documents(data: rr.Dataset, by: tuple[str, ...] = ()) -> str:
    """The metrics JSON without the lines that name the source (file, table, reader) or
    count a text file's lines (a table has none)."""
    document = json.loads(
        rr.to_json(rr.compute_metrics(data, window_months=list(WINDOWS), by=list(by)))
    )
    for key in ("files", "adapter"):
        document["input"].pop(key)
    document["input"].pop("lines", None)
    return json.dumps(document, indent=1, sort_keys=True)


def postgres_table(url: str, table: pa.Table) -> str:
    name = f"mrr_{next(_names)}"
    con = ibis.connect(url)
    con.create_table(name, ibis.memtable(table))
    con.disconnect()
    return name


def every_engine(rows: list[Row], folder: Path, spark: Any, postgres_url: str) -> dict:
    csv = write_csv_with_segment(rows, folder / "mrr.csv")
    parquet = folder / "mrr.parquet"
    pq.write_table(arrow_rows(rows), parquet)
    table = postgres_table(postgres_url, arrow_rows(rows))
    return {
        "duckdb csv": rr.load(csv),
        "duckdb parquet": rr.load(parquet),
        "spark csv": rr.load(csv, engine=spark),
        "postgres table": rr.load(postgres_url, table=table),
    }


def assert_equals_oracle(document: dict, rows: list[Row]) -> None:
    months = [month for _, month, _ in rows]
    first, last = min(months), max(months)
    assert comparable(document["bridge"]) == oracle_bridge(rows, first, last)
    expected = oracle_retention(rows, first, last, WINDOWS)
    actual = comparable(document["retention"])
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert {k: got[k] for k in want if k not in RATES} == {
            k: v for k, v in want.items() if k not in RATES
        }
        for rate in RATES:
            assert rates_match(got[rate], want[rate]), (rate, got, want)


# No shrinking: each step costs seconds of Spark jobs; a failing example is shown as drawn.
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(data=mrr_rows(max_customers=8, max_months=15))
def test_metrics_json_is_identical_on_every_engine_and_equals_the_oracle(
    data: Dataset, spark: Any, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assume(data.rows)
    loaded = every_engine(data.rows, tmp_path_factory.mktemp("engines"), spark, postgres_url)
    try:
        reference = documents(loaded["duckdb csv"])
        assert_equals_oracle(json.loads(reference), data.rows)
        for name, dataset in loaded.items():
            assert documents(dataset) == reference, name
            assert dataset.report.money_read == sum((r[2] for r in data.rows), Decimal(0))
        # Groups on Spark are covered by the demo company below (a Spark query costs seconds).
        by_segment = {
            n: documents(d, by=("segment",)) for n, d in loaded.items() if "spark" not in n
        }
        assert len(set(by_segment.values())) == 1, by_segment.keys()
    finally:
        loaded["postgres table"].con.disconnect()


def test_demo_company_is_identical_on_every_engine(
    spark: Any, postgres_url: str, tmp_path: Path
) -> None:
    """Line items (quantity x unit_price), reactivations, five attributes, 4,000+ rows."""
    demo = generate_demo(customers=150, months=24)
    items = demo.drop_columns(["mrr"])  # the amount is quantity x unit_price
    parquet = tmp_path / "demo.parquet"
    pq.write_table(items, parquet)
    table = postgres_table(postgres_url, items)
    loaded = {
        "duckdb": rr.load(parquet),
        "spark": rr.load(parquet, engine=spark),
        "postgres": rr.load(postgres_url, table=table),
    }
    try:
        reference = documents(loaded["duckdb"], by=("segment",))
        assert json.loads(reference)["input"]["rows_read"] == demo.num_rows
        for name, dataset in loaded.items():
            assert documents(dataset, by=("segment",)) == reference, name
            assert dataset.report.money_read == pa.compute.sum(demo["mrr"]).as_py()
    finally:
        loaded["postgres"].con.disconnect()


def test_dated_inputs_are_identical_on_every_engine(spark: Any, tmp_path: Path) -> None:
    """Invoice lines spread flat, billing intervals, and the as-of the data observed.

    Each CSV is read by DuckDB and by Spark's own reader: the same JSON, including the
    spread residual, the observed month and the warnings.
    """
    files = {
        # Annual lines that do not divide evenly, a 0.01 line, terms ending after the
        # latest start (2024-06-13): the as-of is 2024-05.
        "invoices.csv": [
            "customer_id,service_start,service_end,amount",
            "a,2023-05-01,2024-04-30,1000.00",
            "a,2024-05-01,2025-04-30,1000.00",
            "b,2023-06-13,2024-06-13,0.01",
            "b,2024-06-13,2025-06-13,200.00",
            "c,2023-07-01,2024-06-30,1234.57",
        ],
        # Amounts per interval normalised to a month, one open subscription.
        "subscriptions.csv": [
            "subscription_id,customer_id,start_date,end_date,amount,interval,interval_count",
            "s1,a,2024-01-10,,1200,year,",
            "s2,b,2024-01-01,2024-05-20,100,week,",
            "s3,c,2024-02-01,,300,month,3",
        ],
        # Invoices dated by themselves, each paying for its interval.
        "dated.csv": [
            "customer_id,invoice_date,amount,interval",
            "a,2023-01-15,24000,year",
            "a,2024-01-15,24000,year",
            "b,2023-03-31,900,quarter",
            "b,2023-06-30,900,quarter",
        ],
    }
    for name, lines in files.items():
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        reference = documents(rr.load(path))
        assert documents(rr.load(path, engine=spark)) == reference, name


def test_periods_of_one_and_two_months_on_every_engine(
    spark: Any, postgres_url: str, tmp_path: Path
) -> None:
    """By hand (the last-day snapshot): a pays January (ends 2024-02-10), b January and
    February (ends 2024-03-15), c January to March; z is open. Ibis's Spark and PostgreSQL
    SQL for a range with a computed start emptied periods of one or two months (c's end
    dates the data: z runs to April); the
    Stripe export's paused and cancelled subscriptions are such periods too."""
    start = datetime.date(2024, 1, 1)
    ends = {"a": datetime.date(2024, 2, 10), "b": datetime.date(2024, 3, 15)}
    ends |= {"c": datetime.date(2024, 4, 1), "z": None}
    table = pa.table(
        {
            "customer_id": list(ends),
            "start_date": pa.array([start] * len(ends), pa.date32()),
            "end_date": pa.array(list(ends.values()), pa.date32()),
            "mrr": pa.array([Decimal(v) for v in (10, 20, 30, 1)], pa.decimal128(12, 2)),
        }
    )
    csv = tmp_path / "periods.csv"
    pa.csv.write_csv(table, csv)
    loaded = {
        "duckdb": rr.load(csv),
        "spark": rr.load(csv, engine=spark),
        "postgres": rr.load(postgres_url, table=postgres_table(postgres_url, table)),
    }
    want = {("a", 24288), ("b", 24288), ("b", 24289), ("c", 24288), ("c", 24289)}
    want |= {("c", 24290), ("z", 24288), ("z", 24289), ("z", 24290), ("z", 24291)}
    for engine, data in loaded.items():
        rows = data.table.to_pyarrow().to_pylist()
        assert {(r["customer_id"], r["month_index"]) for r in rows if r["mrr"]} == want, engine
    reference = documents(loaded["duckdb"])
    assert documents(loaded["spark"]) == reference
    assert documents(loaded["postgres"]) == reference
    loaded["postgres"].con.disconnect()
    stripe = tmp_path / "subscriptions.csv"
    stripe.write_text(
        "id,Customer ID,Status,Created (UTC),Start Date (UTC),Trial End (UTC),"
        "Canceled At (UTC),Ended At (UTC),Quantity,Interval,Interval Count,Amount,Currency,"
        "Percent Off,Amount Off,Current Period Start (UTC),Cancellation Reason\n"
        "sub_z,cus_z,active,2024-01-01,2024-01-01,,,,1,month,1,1.00,usd,,,2024-06-01,\n"
        "sub_a,cus_a,canceled,2024-01-01,2024-01-01,,,2024-03-15,1,month,1,50,usd,,,"
        "2024-03-01,payment_failed\n"
        "sub_b,cus_b,paused,2024-01-01,2024-01-01,,,,1,month,1,30,usd,,,2024-03-01,\n"
        "sub_d,cus_d,paused,2024-01-01,2024-01-01,2024-02-01,,,1,month,1,25,usd,,,"
        "2024-02-01,\n",
        encoding="utf-8",
    )
    on_duckdb, on_spark = rr.load(stripe), rr.load(stripe, engine=spark)
    reference = documents(on_duckdb)
    march = next(r for r in json.loads(reference)["bridge"] if r["period"] == "2024-03")
    assert march["churn"] == "80.00"  # a 50 (payment failed) and b 30 (paused)
    assert documents(on_spark) == reference
    split = [rr.compute_metrics(d, window_months=1).churn_reasons for d in (on_duckdb, on_spark)]
    assert split[0] is not None and split[1] is not None
    assert split[1].to_pylist() == split[0].to_pylist()


def test_payments_every_12_or_3_months_are_said_alike_on_every_engine(
    spark: Any, postgres_url: str, tmp_path: Path
) -> None:
    """The check's residue arithmetic, one Ibis expression, says the same on every engine.

    Three customers pay each March of 2022-2024 (every 12 months), four pay in January,
    April, July and October 2023 (every 3), one pays in January and April 2023 and then
    January 2025 (steps 3 and 21: neither): 4 of 8 pay every 3 months, the more common.
    """
    rows = [
        (f"y{i}", datetime.date(2022 + k, 3, 1), Decimal(100)) for i in range(3) for k in range(3)
    ]
    rows += [
        (f"q{i}", datetime.date(2023, m, 1), Decimal(10)) for i in range(4) for m in (1, 4, 7, 10)
    ]
    rows += [
        ("w", datetime.date(y, m, 1), Decimal(5)) for y, m in ((2023, 1), (2023, 4), (2025, 1))
    ]
    parquet = tmp_path / "mrr.parquet"
    pq.write_table(arrow_rows(rows), parquet)
    loaded = {
        "duckdb": rr.load(parquet),
        "spark": rr.load(parquet, engine=spark),
        "postgres": rr.load(postgres_url, table=postgres_table(postgres_url, arrow_rows(rows))),
    }
    try:
        said = {n: [w for w in d.report.warnings if "once every" in w] for n, d in loaded.items()}
        assert said["duckdb"][0].startswith("4 of 8 customers pay once every 3 months")
        assert said["spark"] == said["postgres"] == said["duckdb"]
    finally:
        loaded["postgres"].con.disconnect()
