"""An input larger than the engine's memory still gives the right result (it spills to disk).

Three million customer-month rows take about 87 MiB as Arrow (more inside DuckDB, with
38-digit decimals); DuckDB is capped at 64 MB, 32 MB per thread (below the 64 MiB per
thread where the loader switches to its tight-memory plan). At 40 MB the Parquet
decoding buffers of two threads, which DuckDB cannot spill, now and then met the cap
together (about one run in fifteen on a busy machine): the run then ends with a clear
"ran out of memory" error, tested in tests/cli/test_environment_errors.py.

The figures must equal those of the hand-written SQL of the benchmark (an independent
implementation) run without a cap, and the checks of the input run under the cap too (the
annual payments one groups 150,920 customers), saying what the oracle says.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from benchmarks.competitors import floor_sql, money
from benchmarks.generate import customers_for, generate
from tests.oracle import recurring_warning_start

import revenue_retention as rr
from revenue_retention.engine import connect

WINDOWS = [1, 3, 12]


def month_number(label: str) -> int:
    year, month = label.split("-")[:2]
    return int(year) * 12 + int(month) - 1


def paying_months(table: pa.Table) -> dict[str, list[int]]:
    """Each customer's months as numbers (the generated rows are one per paying month)."""
    month = table["month"]
    months = pc.add(pc.multiply(pc.year(month), 12), pc.subtract(pc.month(month), 1))
    by_customer = pa.table({"customer_id": table["customer_id"], "m": months})
    lists = by_customer.group_by("customer_id").aggregate([("m", "list")]).to_pydict()
    return dict(zip(lists["customer_id"], lists["m_list"], strict=True))


def test_metrics_are_right_with_memory_capped_well_below_the_data(tmp_path: Path) -> None:
    table = generate(customers_for(3_000_000))
    assert table.nbytes > 80 * 2**20  # the data, even as compact Arrow, is above the cap
    path = tmp_path / "mrr.parquet"
    pq.write_table(table, path)
    spill = tmp_path / "spill"
    con = connect("duckdb", memory_limit="64MB", temp_directory=str(spill), threads=2)

    data = rr.load(path, engine=con)
    document = json.loads(rr.to_json(rr.compute_metrics(data, window_months=WINDOWS)))

    expected = floor_sql(path, WINDOWS)
    bridge = [
        {
            "month": month_number(r["period"]),
            **{k: money(Decimal(r[k])) for k in r if k != "period"},
        }
        for r in document["bridge"]
    ]
    assert bridge == expected["bridge"]
    names = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")
    retention = sorted(
        (
            {
                "as_of": month_number(r["as_of"]),
                "window_months": r["window_months"],
                "customers": r["customers"],
                "retained_customers": r["retained_customers"],
                **{k: money(Decimal(r[k])) for k in names},
            }
            for r in document["retention"]
        ),
        key=lambda r: (r["as_of"], r["window_months"]),
    )
    assert retention == sorted(
        expected["retention"], key=lambda r: (r["as_of"], r["window_months"])
    )
    assert document["input"]["rows_read"] == table.num_rows
    expected_warning = recurring_warning_start(paying_months(table))
    assert expected_warning is not None  # the generated churn and comebacks make a few
    assert [w for w in data.report.warnings if w.startswith(expected_warning)]
