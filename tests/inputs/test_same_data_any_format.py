"""Property: the same data as long CSV, wide CSV, wide XLSX and Parquet gives the same metrics."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, assume, given, settings
from tests.oracle import add_months
from tests.strategies import Dataset, mrr_rows

from revenue_retention import compute_metrics, load, to_json


def write_all(folder: Path, dataset: Dataset) -> list[Path]:
    """The dataset in four files: long CSV, wide CSV (display format), XLSX and Parquet."""
    long_csv = folder / "long.csv"
    long_csv.write_text(
        "customer_id,month,mrr\n" + "".join(f"{c},{m:%Y-%m},{mrr}\n" for c, m, mrr in dataset.rows)
    )
    totals: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for customer, month, mrr in dataset.rows:
        cell = totals[customer]
        cell[f"{month:%Y-%m}"] = cell.get(f"{month:%Y-%m}", Decimal(0)) + mrr
    first = min(m for _, m, _ in dataset.rows)
    last = max(m for _, m, _ in dataset.rows)
    months, month = [], first
    while month <= last:
        months.append(f"{month:%Y-%m}")
        month = add_months(month, 1)
    wide_csv = folder / "wide.csv"
    lines = ["Customer," + ",".join(f"{m[5:]}/{m[:4]}" for m in months)]  # 01/2024 headers
    for customer, cells in totals.items():
        # display format with thousands separators; a month without rows stays blank
        shown = [f'"${cells[m]:,.2f}"' if m in cells else "" for m in months]
        lines.append(f"{customer}," + ",".join(shown))
    wide_csv.write_text("\n".join(lines) + "\n")
    book = openpyxl.Workbook()
    book.active.append(["Customer", *months])
    for customer, cells in totals.items():
        book.active.append([customer, *(float(cells[m]) if m in cells else None for m in months)])
    wide_xlsx = folder / "wide.xlsx"
    book.save(wide_xlsx)
    parquet = folder / "long.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": [c for c, _, _ in dataset.rows],
                "month": pa.array([m for _, m, _ in dataset.rows], pa.date32()),
                "mrr": pa.array([mrr for _, _, mrr in dataset.rows], pa.decimal128(12, 2)),
            }
        ),
        parquet,
    )
    return [long_csv, wide_csv, wide_xlsx, parquet]


def metrics_json(path: Path) -> dict[str, object]:
    document = json.loads(to_json(compute_metrics(load(path), window_months=[1, 3])))
    del document["input"]  # which file was read, in which layout: the rest must agree
    return document


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dataset=mrr_rows(max_customers=5, max_months=8))
def test_every_format_gives_identical_metrics(
    tmp_path_factory: pytest.TempPathFactory, dataset: Dataset
) -> None:
    assume(dataset.rows)
    folder = tmp_path_factory.mktemp("formats")
    documents = [metrics_json(path) for path in write_all(folder, dataset)]
    assert documents[1] == documents[0]
    assert documents[2] == documents[0]
    assert documents[3] == documents[0]
