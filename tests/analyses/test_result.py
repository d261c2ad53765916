"""The result base class: every result's tables as Arrow, pandas and Polars, money exact.

The case is the worked example of docs/metrics.md §2-3 (METRICS.md §2-3), whose bridge is
worked by hand:

| customer | Jan 2024 | Feb 2024 | Mar 2024 | Apr 2024 |
| -------- | -------: | -------: | -------: | -------: |
| A        |      100 |      100 |      120 |      150 |
| B        |      200 |      200 |      150 |      150 |
| C        |       50 |       50 |        0 |        0 |
| D        |       80 |        0 |        0 |       70 |
| E        |        0 |       60 |       60 |       60 |

February: D churns 80, E is new with 60. March: A expands 20, B contracts 50, C churns 50.
April: A expands 30, D comes back with 70 (reactivation). January is the opening balance.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest
from tests.outputs.conftest import FIVE_CUSTOMERS_CSV

import revenue_retention as rr
from revenue_retention.analyses._result import Result
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.errors import OptionError

MONTHS = [dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)]
#: The hand-worked bridge, February to April.
BRIDGE = {
    "opening_mrr": [430, 410, 330],
    "new": [60, 0, 0],
    "reactivation": [0, 0, 70],
    "expansion": [0, 20, 30],
    "contraction": [0, 50, 0],
    "churn": [80, 50, 0],
    "closing_mrr": [410, 330, 430],
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> rr.Dataset:
    path = tmp_path_factory.mktemp("result") / "five_customers.csv"
    path.write_text(FIVE_CUSTOMERS_CSV, encoding="utf-8")
    return rr.load(path)


@pytest.fixture(scope="module")
def small(data: rr.Dataset) -> Overview:
    # A 3-month headline window fits the four months of the worked example.
    return compute_overview(data, window_months=3, resamples=100)


def _results(ov: Overview) -> list[Result]:
    parts = [getattr(ov, name) for name in ("metrics", "segments", "diagnosis", "intervals")]
    parts += [ov.cohorts_nrr, ov.concentration, ov.seasonality, ov.methods, ov.explain, ov]
    return [p for p in parts if p is not None]


def test_bridge_as_arrow_has_dates_and_exact_money(data: rr.Dataset) -> None:
    result = rr.compute_metrics(data)
    assert result.tables()[:2] == ("bridge", "retention")
    bridge = result.to_arrow()  # the first table by default
    assert bridge.column_names == ["period", *BRIDGE]
    assert bridge.column("period").to_pylist() == MONTHS
    for name, expected in BRIDGE.items():
        assert pa.types.is_decimal(bridge.schema.field(name).type)
        assert bridge.column(name).to_pylist() == [Decimal(v) for v in expected]
    retention = result.to_arrow("retention")
    assert "as_of_index" not in retention.column_names
    assert retention.column("as_of").type == pa.date32()


def test_to_pandas_money_as_decimal_or_float(data: rr.Dataset) -> None:
    result = rr.compute_metrics(data)
    exact = result.to_pandas("bridge")
    assert list(exact["churn"]) == [Decimal(80), Decimal(50), Decimal(0)]
    assert all(isinstance(v, Decimal) for v in exact["opening_mrr"])
    approximate = result.to_pandas("bridge", money="float")
    assert approximate["churn"].dtype == "float64"
    assert list(approximate["closing_mrr"]) == [410.0, 330.0, 430.0]
    # Rates are floats either way; counts stay integers.
    rates = result.to_pandas("retention", money="float")
    assert rates["grr"].dtype == "float64" and rates["customers"].dtype == "int64"
    assert isinstance(exact, pd.DataFrame)
    with pytest.raises(OptionError, match='"decimal" or "float"'):
        result.to_pandas(money="cents")  # type: ignore[arg-type]


def test_to_polars_money_as_decimal_or_float(data: rr.Dataset) -> None:
    pl = pytest.importorskip("polars", reason="polars is an optional extra")
    result = rr.compute_metrics(data)
    exact = result.to_polars("bridge")
    assert isinstance(exact.schema["churn"], pl.Decimal)
    assert exact["churn"].to_list() == [Decimal(80), Decimal(50), Decimal(0)]
    assert exact["period"].to_list() == MONTHS
    approximate = result.to_polars("bridge", money="float")
    assert approximate.schema["churn"] == pl.Float64
    assert approximate["new"].to_list() == [60.0, 0.0, 0.0]


def test_to_polars_without_polars_names_the_install(
    data: rr.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)  # import polars now raises ImportError
    with pytest.raises(OptionError, match="pip install polars"):
        rr.compute_metrics(data).to_polars()


def test_cohort_index_becomes_the_cohort_month(data: rr.Dataset) -> None:
    cohorts = rr.compute_cohorts(data).to_arrow("cohorts")
    assert "cohort_index" not in cohorts.column_names
    # A, B, C and D first paid in January; E in February.
    assert sorted(set(cohorts.column("cohort").to_pylist())) == [
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
    ]


def test_records_are_tables_too(data: rr.Dataset) -> None:
    methods = rr.compute_methods(data, window_months=3)
    table = methods.to_arrow("methods")
    assert table.column("method").to_pylist() == list(rr.METHODS)
    # The cohort method's starting MRR is January's paying customers: 430.
    assert table.column("starting_mrr").to_pylist()[0] == Decimal(430)


def test_no_index_column_in_any_table(small: Overview) -> None:
    seen = 0
    for result in _results(small):
        for name in result.tables():
            table = result.to_arrow(name)
            assert not [c for c in table.column_names if c.endswith("_index")], (
                type(result).__name__,
                name,
            )
            seen += 1
    assert seen >= 20


def test_unknown_table_is_named(data: rr.Dataset) -> None:
    with pytest.raises(OptionError, match="must be one of bridge, retention"):
        rr.compute_metrics(data).to_arrow("cohorts")


def test_repr_is_one_short_line(small: Overview) -> None:
    for result in _results(small):
        shown = repr(result)
        assert "\n" not in shown and len(shown) < 300, shown
        assert shown.startswith(f"<{type(result).__name__} ")


def test_every_result_inherits_the_base(small: Overview) -> None:
    classes = {type(r) for r in _results(small)}
    assert len(classes) == 9  # all but DecomposeResult, which needs line items
    assert all(issubclass(c, Result) for c in classes)
    assert issubclass(rr.DecomposeResult, Result)
    # One definition: no result class carries its own copy of the display methods.
    for cls in (*classes, rr.DecomposeResult):
        assert "_repr_html_" not in vars(cls) and "plot" not in vars(cls)
