"""Identities of METRICS.md §2-3 that must hold on any data, checked on generated data."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.strategies import Dataset, line_item_split, mrr_rows
from tests.tables import metrics_of

WINDOWS = (1, 3, 12)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(mrr_rows(max_customers=8, max_months=16))
def test_bridge_identity_holds_every_month(data: Dataset) -> None:
    assume(data.rows)
    bridge = metrics_of(data.rows, WINDOWS)["bridge"]
    previous_closing = None
    for row in bridge:
        m = {k: Decimal(v) for k, v in row.items() if k != "period"}
        assert m["closing_mrr"] == (
            m["opening_mrr"]
            + m["new"]
            + m["reactivation"]
            + m["expansion"]
            - m["contraction"]
            - m["churn"]
        )
        assert all(m[k] >= 0 for k in m)
        if previous_closing is not None:
            assert m["opening_mrr"] == previous_closing
        previous_closing = m["closing_mrr"]


@SETTINGS
@given(mrr_rows(max_customers=8, max_months=16))
def test_rates_are_bounded_and_ordered(data: Dataset) -> None:
    assume(data.rows)
    for row in metrics_of(data.rows, WINDOWS)["retention"]:
        if row["customers"] == 0:
            assert row["grr"] is None and row["nrr"] is None and row["logo_retention"] is None
            continue
        assert 0 <= row["grr"] <= 1
        assert row["grr"] <= row["nrr"]
        assert 0 <= row["logo_retention"] <= 1
        s, e = Decimal(row["starting_mrr"]), Decimal(row["ending_mrr"])
        assert e == s - Decimal(row["churn"]) - Decimal(row["contraction"]) + Decimal(
            row["expansion"]
        )


@SETTINGS
@given(st.data())
def test_line_items_and_row_order_change_nothing(draw: st.DataObject) -> None:
    data = draw.draw(mrr_rows(max_customers=6, max_months=14))
    assume(data.rows)
    resplit = draw.draw(line_item_split(data))
    original, again = metrics_of(data.rows), metrics_of(resplit.rows)
    assert original["bridge"] == again["bridge"]
    assert original["retention"] == again["retention"]


@SETTINGS
@given(mrr_rows(max_customers=6, max_months=14), st.data())
def test_a_customer_with_only_zero_rows_changes_nothing(data: Dataset, draw: st.DataObject) -> None:
    assume(data.rows)
    months = sorted({month for _, month, _ in data.rows})
    zero_months = draw.draw(st.lists(st.sampled_from(months), min_size=1, unique=True))
    padded = data.rows + [("zero-only", month, Decimal("0.00")) for month in zero_months]
    original, padded_result = metrics_of(data.rows), metrics_of(padded)
    assert original["bridge"] == padded_result["bridge"]
    assert original["retention"] == padded_result["retention"]
