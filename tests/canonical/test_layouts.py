"""Tests of canonical.layouts: one module per input layout behind one protocol."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from revenue_retention.canonical.columns import map_columns
from revenue_retention.canonical.layouts import LAYOUTS, Layout, layout_of
from revenue_retention.periods import MonthRange, month_index

CANONICAL = Path(__file__).parents[2] / "src" / "revenue_retention" / "canonical"


def test_every_layout_implements_the_protocol() -> None:
    assert set(LAYOUTS) == {"long", "wide", "periods", "invoices"}
    for name, layout in LAYOUTS.items():
        assert isinstance(layout, Layout)
        assert layout.name == name
        assert layout_of(name) is layout


@pytest.mark.parametrize(
    ("header", "name"),
    [
        (["customer_id", "month", "mrr"], "long"),
        (["customer_id", "2024-01", "2024-02"], "wide"),
        (["customer_id", "start_date", "end_date", "mrr"], "periods"),
        (["customer_id", "service_start", "service_end", "amount"], "invoices"),
    ],
)
def test_layout_of_a_header(header: list[str], name: str) -> None:
    assert layout_of(map_columns(header, "x.csv").layout).name == name


def test_only_a_long_table_is_summed_in_one_scan_and_only_a_cube_is_read_as_text() -> None:
    assert [n for n, x in LAYOUTS.items() if x.sums_in_one_scan] == ["long"]
    assert [n for n, x in LAYOUTS.items() if not x.reads_typed] == ["wide"]
    assert sorted(n for n, x in LAYOUTS.items() if x.dated) == ["invoices", "periods"]


def test_an_invoice_line_needs_its_end_a_subscription_does_not() -> None:
    assert LAYOUTS["invoices"].date_required("end_date")
    assert not LAYOUTS["periods"].date_required("end_date")
    assert all(x.date_required("start_date") for x in LAYOUTS.values())


def _dated(start: list[dt.date], end: list[dt.date | None]) -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {"start_date": start, "end_date": end},
            schema=pa.schema([("start_date", pa.date32()), ("end_date", pa.date32())]),
        )
    )


def _spans(name: str, rows: ibis.Table) -> list[tuple[int, int]]:
    first, last = LAYOUTS[name].span(rows, "last")
    return [(r["f"], r["l"]) for r in rows.select(f=first, l=last).to_pyarrow().to_pylist()]


def test_span_of_a_subscription_and_of_an_invoice_line() -> None:
    # 2024-01-15 to 2024-04-15: the last days of January, February and March fall inside.
    jan, mar = month_index(2024, 1), month_index(2024, 3)
    # A subscription's last month is the one its end shows as churn (April); an open
    # one spans its first month.
    subscriptions = _dated([dt.date(2024, 1, 15)] * 2, [dt.date(2024, 4, 15), None])
    assert _spans("periods", subscriptions) == [(jan, mar + 1), (jan, jan)]
    # An invoice line covers January to March; 2024-01-01 to 2024-12-31 is a whole year.
    lines = _dated(
        [dt.date(2024, 1, 15), dt.date(2024, 1, 1)], [dt.date(2024, 4, 15), dt.date(2024, 12, 31)]
    )
    assert _spans("invoices", lines) == [(jan, mar), (jan, month_index(2024, 12))]


def test_monthly_expands_a_period_to_its_months() -> None:
    rows = _dated([dt.date(2024, 1, 15)], [dt.date(2024, 4, 15)])
    months = MonthRange(month_index(2024, 1), month_index(2024, 12))
    out = LAYOUTS["periods"].monthly(rows, months, "last").to_pyarrow().to_pylist()
    assert sorted(r["month_index"] for r in out) == [month_index(2024, m) for m in (1, 2, 3)]


def test_a_cube_names_its_month_columns() -> None:
    cmap = map_columns(["customer", "2024-01", "2024-02", "2024-03"], "cube.csv")
    wide = layout_of(cmap.layout)
    assert wide.columns_read(cmap) == {
        "customer_id": "customer",
        "months": "2024-01 .. 2024-03 (3 columns)",
    }
    assert wide.amount_column(cmap) == "the month columns"
    assert not wide.id_columns()


def test_no_branch_on_the_layout_name_outside_layouts() -> None:
    # columns.py decides the layout; notices.py and readings.py still word two notes and
    # a cube's readings by its name (left for later).
    branch = re.compile(r"cmap\.layout\s*(==|!=|in\b|not in\b)")
    found = [
        f"{path.relative_to(CANONICAL)}:{n}"
        for path in CANONICAL.glob("*.py")
        if path.name not in ("columns.py", "notices.py", "readings.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if branch.search(line)
    ]
    assert found == []
