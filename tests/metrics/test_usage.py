"""Usage-based revenue: dated charges read as monthly revenue, retention by trailing revenue."""

from __future__ import annotations

from decimal import Decimal

from revenue_retention import compute_metrics, load
from revenue_retention.datasets import example_path
from revenue_retention.periods import month_label


def test_dated_charges_are_summed_per_customer_and_month() -> None:
    data = load(example_path("usage_charges.csv"))
    rows = data.table.to_pyarrow().to_pylist()
    revenue = {(r["customer_id"], month_label(r["month_index"])): r["mrr"] for r in rows}
    # alpha is charged 40% on the 5th and 60% on the 18th of 300 + 7 m (m = months since
    # January 2023): February 2023 is 120 + 7 = 307.
    assert revenue[("alpha", "2023-02")] == Decimal(307)
    assert data.report.rows_read == 172


def test_trailing_revenue_retention_by_hand() -> None:
    # As of February 2025 (m = 25): the prior 12 months are m = 2..13, the last 12 m = 14..25.
    #   alpha:   prior 12 x 300 + 7 x 90 = 4230,      last 3600 + 7 x 234 = 5238
    #   bravo:   prior 11 x 120 + (120 - 26) = 1414,  last 12 x 120 - 2 x 234 = 972
    #   charlie: prior 12 x 800 = 9600,               last 4 x 800 = 3200 (stops after m = 17)
    #   delta:   prior m = 10..13: 4 x 50 + 3 x 46 = 338, last 12 x 50 + 3 x 234 = 1302
    # S = 15582, E = 10712, sum of min(prior, last) = 4230 + 972 + 3200 + 338 = 8740.
    result = compute_metrics(
        load(example_path("usage_charges.csv")), window_months=[12], method="trailing"
    )
    row = result.retention.to_pylist()[-1]
    assert month_label(row["as_of_index"]) == "2025-02"
    assert (row["starting_mrr"], row["ending_mrr"]) == (Decimal(15582), Decimal(10712))
    assert row["customers"] == 4 and row["retained_customers"] == 4
    assert row["nrr"] == 10712 / 15582
    assert row["grr"] == 8740 / 15582
    assert result.method == "trailing"
