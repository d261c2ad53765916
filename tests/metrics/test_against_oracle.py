"""The engine's bridge and retention equal the slow Decimal oracle on generated data (in memory)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from tests.engine_run import comparable, rates_match
from tests.oracle import oracle_bridge, oracle_retention
from tests.strategies import Dataset, mrr_rows
from tests.tables import metrics_of

WINDOWS = (1, 2, 3, 12)
RATES = ("grr", "nrr", "logo_retention")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _data_range(data: Dataset) -> tuple[Any, Any]:
    # The loader's month range is the data's own: first to last month with any row.
    months = [month for _, month, _ in data.rows]
    return min(months), max(months)


@SETTINGS
@given(mrr_rows(max_customers=8, max_months=16))
def test_bridge_equals_oracle(data: Dataset) -> None:
    assume(data.rows)
    first, last = _data_range(data)
    expected = oracle_bridge(data.rows, first, last)
    assert comparable(metrics_of(data.rows, WINDOWS)["bridge"]) == expected


@SETTINGS
@given(mrr_rows(max_customers=8, max_months=16))
def test_retention_equals_oracle(data: Dataset) -> None:
    assume(data.rows)
    first, last = _data_range(data)
    expected = oracle_retention(data.rows, first, last, WINDOWS)
    actual = comparable(metrics_of(data.rows, WINDOWS)["retention"])
    assert [(r["as_of"], r["window_months"]) for r in actual] == [
        (r["as_of"], r["window_months"]) for r in expected
    ]
    for got, want in zip(actual, expected, strict=True):
        money_and_counts = {k: v for k, v in want.items() if k not in RATES}
        assert {k: got[k] for k in money_and_counts} == money_and_counts
        for rate in RATES:
            assert rates_match(got[rate], want[rate]), (rate, got, want)
