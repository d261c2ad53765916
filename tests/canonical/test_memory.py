"""from_canonical: an in-memory canonical table gives the Dataset the loader gives its CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from tests.engine_run import write_long_csv
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.canonical.memory import from_canonical
from revenue_retention.errors import InputError

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
# a pays 60 + 40 (two line items) then 120; b pays 30 in January only.
ROWS = [
    ("a", JAN, Decimal("60.00")),
    ("a", JAN, Decimal("40.00")),
    ("b", JAN, Decimal("30.00")),
    ("a", FEB, Decimal("120.00")),
    ("a", MAR, Decimal("120.00")),
]


def test_line_items_are_summed_and_the_report_accepts_everything() -> None:
    data = dataset_of(ROWS)
    table = data.table.order_by("customer_id", "month_index").to_pyarrow().to_pylist()
    assert [(r["customer_id"], r["period"], r["mrr"]) for r in table] == [
        ("a", JAN, Decimal("100")),
        ("a", FEB, Decimal("120")),
        ("a", MAR, Decimal("120")),
        ("b", JAN, Decimal("30")),
    ]
    report = data.report
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (5, 5, 0)
    assert report.money_accepted == Decimal("370") and report.money_rejected == 0
    assert str(data.months) == "2024-01 to 2024-03"
    assert data.rejects.count().to_pyarrow().as_py() == 0


def test_same_bridge_and_retention_as_the_loader(tmp_path: Path) -> None:
    loaded = rr.load(write_long_csv(ROWS, tmp_path / "mrr.csv"))
    from_file = rr.compute_metrics(loaded, window_months=[1, 2])
    in_memory = rr.compute_metrics(dataset_of(ROWS), window_months=[1, 2])
    assert in_memory.bridge.equals(from_file.bridge)
    assert in_memory.retention.equals(from_file.retention)
    # By hand: February opens at 130, a expands by 20, b churns 30, closes at 120.
    (february,) = [r for r in in_memory.bridge.to_pylist() if r["period"] == FEB]
    assert (february["expansion"], february["churn"], february["closing_mrr"]) == (20, 30, 120)


def test_a_column_of_the_wrong_type_is_an_input_error() -> None:
    table = pa.table({"customer_id": ["a"], "month": [JAN], "mrr": [1.5]})
    with pytest.raises(InputError, match="column 'mrr' is float64, not canonical"):
        from_canonical(table)
    with pytest.raises(InputError, match="has no column 'mrr'"):
        from_canonical(table.drop_columns(["mrr"]))
