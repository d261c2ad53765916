"""The bridge of several months as one (METRICS.md §2), on the worked example of
docs/metrics.md (the five customers; each month worked by hand in tests/analyses/test_result.py):

February: new 60 (E), churn 80 (D). March: expansion 20 (A), contraction 50 (B), churn 50 (C).
April: reactivation 70 (D), expansion 30 (A). Opening of February 430, closing of April 430.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from tests.outputs.conftest import FIVE_CUSTOMERS_CSV

import revenue_retention as rr
from revenue_retention.analyses.bridge_span import bridge_span
from revenue_retention.errors import OptionError
from revenue_retention.periods import month_index


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> rr.MetricsResult:
    path = tmp_path_factory.mktemp("span") / "five.csv"
    path.write_text(FIVE_CUSTOMERS_CSV, encoding="utf-8")
    return rr.compute_metrics(rr.load(Path(path)))


def test_three_months_added_up(metrics: rr.MetricsResult) -> None:
    span = bridge_span(metrics, 3)
    assert (span.first, span.last) == (month_index(2024, 2), month_index(2024, 4))
    assert span.amounts == {
        "opening_mrr": Decimal(430),
        "new": Decimal(60),
        "reactivation": Decimal(70),
        "expansion": Decimal(50),
        "contraction": Decimal(50),
        "churn": Decimal(130),
        "closing_mrr": Decimal(430),
    }
    assert span.signed == {
        "new": Decimal(60),
        "reactivation": Decimal(70),
        "expansion": Decimal(50),
        "contraction": Decimal(-50),
        "churn": Decimal(-130),
    }
    assert span.net_change == 0
    assert span.levels == [Decimal(v) for v in (430, 490, 560, 610, 560, 430)]


def test_one_month_has_no_negative_zero(metrics: rr.MetricsResult) -> None:
    span = bridge_span(metrics, 1)
    assert (span.opening, span.closing, span.net_change) == (330, 430, 100)
    # April has no contraction: 0, not -0 (a "-0.00" on a chart label).
    assert not span.signed["contraction"].is_signed()


def test_more_months_than_the_bridge_has(metrics: rr.MetricsResult) -> None:
    with pytest.raises(OptionError, match="needs 4 bridge months; the data has 3"):
        bridge_span(metrics, 4)
