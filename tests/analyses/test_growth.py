"""Growth, churn rates, ARPA, LTV and seat retention: the worked example of docs/metrics.md.

Every expected number below is computed by hand from the five customers of
``five_customers_four_months`` (the same table as the docs' worked example), written as
the fraction it is; none was copied from the code's output.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from math import sqrt
from pathlib import Path
from statistics import NormalDist
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from tests.oracle import customer_months, month_range, oracle_bridge
from tests.strategies import Dataset, mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses.growth import (
    MONTH_COLUMNS,
    WINDOW_COLUMNS,
    GrowthResult,
    compute_growth,
    parse_gross_margin,
    wilson_interval,
)
from revenue_retention.datasets import write_demo_csv
from revenue_retention.errors import OptionError
from revenue_retention.metrics import DEFAULT_WINDOWS
from revenue_retention.periods import month_start

# customer -> (seats, unit price) per month, Jan..Apr 2024; None: not paying.
SEATS = {
    "A": [(10, 10), (10, 10), (12, 10), (12, 10)],
    "B": [(20, 10), (15, 10), (15, 10), None],
    "C": [(5, 10), None, None, (6, 10)],
    "D": [None, (8, 10), (8, 10), (8, 10)],
    "E": [None, None, None, (4, 10)],
}
MONTHS = ("2024-01", "2024-02", "2024-03", "2024-04")
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def five_customers_four_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MRR: A 100,100,120,120; B 200,150,150,0; C 50,0,0,60; D 0,80,80,80; E 0,0,0,40."""
    path = tmp_path_factory.mktemp("growth") / "mrr.csv"
    lines = ["customer_id,month,product,quantity,unit_price,mrr"]
    for customer, held in SEATS.items():
        for month, line in zip(MONTHS, held, strict=True):
            if line is not None:
                seats, price = line
                lines.append(f"{customer},{month},seats,{seats},{price},{seats * price}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def growth(five_customers_four_months: Path) -> GrowthResult:
    return compute_growth(rr.load(five_customers_four_months), window_months=3, gross_margin="0.8")


def _month(result: GrowthResult, label: str) -> dict[str, Any]:
    return next(r for r in result.months.to_pylist() if r["period"].isoformat()[:7] == label)


def test_bridge_months_and_their_figures(growth: GrowthResult) -> None:
    feb, mar, apr = (_month(growth, m) for m in MONTHS[1:])
    # Feb: 350 -> 330: D new 80, B contracts 50, C churns 50.
    assert (feb["opening_mrr"], feb["closing_mrr"]) == (Decimal(350), Decimal(330))
    assert feb["arr"] == Decimal(3960)
    assert feb["net_new_mrr"] == Decimal(-20)
    assert feb["mrr_growth_rate"] == pytest.approx(-20 / 350)
    assert feb["quick_ratio"] == pytest.approx(80 / 100)
    assert (feb["customers_at_start"], feb["churned_customers"]) == (3, 1)
    assert feb["customer_churn_rate"] == pytest.approx(1 / 3)
    assert feb["gross_mrr_churn_rate"] == pytest.approx(100 / 350)
    assert feb["net_mrr_churn_rate"] == pytest.approx(100 / 350)
    assert feb["customer_churn_rate_annualised"] == pytest.approx(1 - (2 / 3) ** 12)
    assert feb["arpa"] == Decimal(110)
    assert feb["average_new_customer_mrr"] == Decimal(80)
    # Mar: A expands 20, nothing lost: no quick ratio, a negative net churn.
    assert mar["quick_ratio"] is None
    assert mar["customer_churn_rate"] == 0
    assert mar["net_mrr_churn_rate"] == pytest.approx(-20 / 330)
    assert mar["arpa"] == Decimal("116.666667")  # 350 / 3, half up at 6 places
    assert mar["average_new_customer_mrr"] is None  # no new customer
    # Apr: 350 -> 300: E new 40, C reactivates 60, B churns 150.
    assert (apr["new_customers"], apr["reactivated_customers"]) == (1, 1)
    assert apr["quick_ratio"] == pytest.approx(100 / 150)
    assert apr["gross_mrr_churn_rate"] == pytest.approx(150 / 350)
    assert apr["arpa"] == Decimal(75)


def test_trailing_window_pools_its_months(growth: GrowthResult) -> None:
    window = growth.latest()
    assert window is not None and window["window_months"] == 3
    assert (window["starting_mrr"], window["ending_mrr"]) == (Decimal(350), Decimal(300))
    assert window["net_new_mrr"] == Decimal(-50)
    assert window["mrr_growth_rate"] == pytest.approx(-50 / 350)
    assert window["compound_monthly_growth_rate"] == pytest.approx((300 / 350) ** (1 / 3) - 1)
    # new 120 + expansion 20 + reactivation 60 over churn 200 + contraction 50.
    assert window["quick_ratio"] == pytest.approx(200 / 250)
    assert (window["customer_months_at_risk"], window["churned_customers"]) == (9, 2)
    assert window["customer_churn_rate"] == pytest.approx(2 / 9)
    assert window["customer_churn_rate_annualised"] == pytest.approx(1 - (7 / 9) ** 12)
    assert window["gross_mrr_churn_rate"] == pytest.approx(250 / 1030)
    assert window["net_mrr_churn_rate"] == pytest.approx(230 / 1030)
    assert window["arpa"] == Decimal(75)
    assert window["average_new_customer_mrr"] == Decimal(60)


def test_cohort_rates_of_the_same_window(growth: GrowthResult) -> None:
    """Jan's payers A 100, B 200, C 50 at Apr: A 120, B 0, C 60 (left and came back)."""
    window = growth.latest()
    assert window is not None
    assert window["grr"] == pytest.approx(150 / 350)
    assert window["nrr"] == pytest.approx(180 / 350)
    assert window["cohort_gross_mrr_churn_rate"] == pytest.approx(200 / 350)
    assert window["cohort_net_mrr_churn_rate"] == pytest.approx(170 / 350)
    assert window["cohort_customer_churn_rate"] == pytest.approx(1 / 3)


def test_ltv_and_its_interval(growth: GrowthResult) -> None:
    """LTV = 75 x 0.8 / (2 / 9) = 270; the interval from the Wilson bounds of 2 / 9."""
    window = growth.latest()
    assert window is not None
    assert window["ltv"] == Decimal(270)
    z = NormalDist().inv_cdf(0.95)
    n, p = 9, 2 / 9
    centre, spread = p + z * z / (2 * n), z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)
    assert window["customer_churn_rate_low"] == pytest.approx(low)
    assert window["customer_churn_rate_high"] == pytest.approx(high)
    assert float(window["ltv_low"]) == pytest.approx(60 / high, abs=1e-6)
    assert float(window["ltv_high"]) == pytest.approx(60 / low, abs=1e-6)


def test_no_gross_margin_no_ltv(five_customers_four_months: Path) -> None:
    result = compute_growth(rr.load(five_customers_four_months), window_months=3)
    window = result.latest()
    assert window is not None and window["ltv"] is None and window["arpa"] == Decimal(75)
    assert "--gross-margin" in result.notes["ltv"]


def test_seat_retention(growth: GrowthResult) -> None:
    """Jan seats A 10, B 20, C 5 = 35; Apr A 12, B 0, C 6 = 18; kept min: 10 + 0 + 5."""
    assert growth.quantity is not None
    rows = growth.quantity.to_pylist()
    assert [r["product"] for r in rows] == ["seats", None]
    for row in rows:
        assert (row["quantity_start"], row["quantity_retained"], row["quantity_end"]) == (
            Decimal(35),
            Decimal(15),
            Decimal(18),
        )
        assert row["gross_quantity_retention"] == pytest.approx(15 / 35)
        assert row["net_quantity_retention"] == pytest.approx(18 / 35)


def test_churn_reasons_are_said_absent(growth: GrowthResult) -> None:
    """The seats file has no status or reason column: the note says so, not that the
    tool could never split churn (it does where the input says why)."""
    assert growth.notes["churn_reasons"].endswith("this input has none")


def test_arr_view_scales_money_not_rates_or_ltv(growth: GrowthResult) -> None:
    arr = growth.in_arr()
    assert arr.unit == "arr"
    feb, feb_arr = _month(growth, "2024-02"), _month(arr, "2024-02")
    assert feb_arr["closing_mrr"] == feb["closing_mrr"] * 12 == feb_arr["arr"]
    assert feb_arr["quick_ratio"] == feb["quick_ratio"]
    assert arr.latest()["ltv"] == Decimal(270)  # type: ignore[index]
    assert arr.latest()["arpa"] == Decimal(900)  # type: ignore[index]


def test_agrees_with_metrics_on_the_demo(tmp_path: Path) -> None:
    """The monthly churn rates are 1 - the one-month cohort rates; the window's cohort rates
    are the metrics' own, for every month; the months' net new MRR adds up to the window's."""
    data = rr.load(write_demo_csv(tmp_path / "demo.csv"))
    growth = compute_growth(data, window_months=12)
    metrics = rr.compute_metrics(data, window_months=DEFAULT_WINDOWS)
    cohort = {(r["as_of_index"], r["window_months"]): r for r in metrics.retention.to_pylist()}
    months = growth.months.to_pylist()
    for month in months:
        one = cohort[(month["month_index"], 1)]
        assert month["gross_mrr_churn_rate"] == pytest.approx(1 - one["grr"])
        assert month["net_mrr_churn_rate"] == pytest.approx(1 - one["nrr"])
        assert month["customer_churn_rate"] == pytest.approx(1 - one["logo_retention"])
    assert growth.windows.num_rows == len(months) - 11
    for window in growth.windows.to_pylist():
        twelve = cohort[(window["as_of_index"], 12)]
        assert window["grr"] == twelve["grr"] and window["nrr"] == twelve["nrr"]
        inside = [m for m in months if 0 <= window["as_of_index"] - m["month_index"] < 12]
        assert window["net_new_mrr"] == sum(m["net_new_mrr"] for m in inside)


def test_columns_are_the_documented_ones(growth: GrowthResult) -> None:
    assert tuple(growth.months.column_names) == MONTH_COLUMNS
    assert tuple(growth.windows.column_names) == WINDOW_COLUMNS


def test_a_window_longer_than_the_data_leaves_only_months(
    five_customers_four_months: Path,
) -> None:
    result = compute_growth(rr.load(five_customers_four_months), window_months=12)
    assert result.latest() is None and result.windows.num_rows == 0
    assert result.months.num_rows == 3
    assert "shorter" in result.notes["quantity"]


@pytest.mark.parametrize("text", ["0", "1.5", "-0.2", "abc", "120%"])
def test_gross_margin_out_of_range(text: str) -> None:
    with pytest.raises(OptionError, match="gross_margin: "):
        parse_gross_margin(text)


def test_wilson_interval_by_hand() -> None:
    """2 of 100 at 90% (z = 1.6449): centre 0.033528, spread 0.026708, over 1.027055."""
    interval = wilson_interval(2, 100, 0.9)
    assert interval is not None
    assert float(interval[0]) == pytest.approx(0.006640, abs=1e-6)
    assert float(interval[1]) == pytest.approx(0.058649, abs=1e-6)
    assert wilson_interval(0, 0, 0.9) is None


def _oracle_growth(dataset: Dataset, k: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The monthly and trailing figures the slow, obvious way, from ``tests.oracle``."""
    mrr = customer_months(dataset.rows)
    months = month_range(dataset.first, dataset.last)
    paying = [{c for (c, m), v in mrr.items() if m == month and v > 0} for month in months]
    bridge = oracle_bridge(dataset.rows, dataset.first, dataset.last)
    seen = set(paying[0])
    out = []
    for i, row in enumerate(bridge, start=1):
        before, now = paying[i - 1], paying[i]
        arrived = now - before
        new = {c for c in arrived if c not in seen}
        seen |= now
        lost = row["churn"] + row["contraction"]
        gained = row["new"] + row["expansion"] + row["reactivation"]
        out.append(
            {
                "customers": len(now),
                "customers_at_start": len(before),
                "churned_customers": len(before - now),
                "new_customers": len(new),
                "net_new_mrr": row["closing_mrr"] - row["opening_mrr"],
                "quick_ratio": None if lost == 0 else float(gained) / float(lost),
                "arpa": None
                if not now
                else (row["closing_mrr"] / len(now)).quantize(Decimal("0.000001"), ROUND_HALF_UP),
                "lost": lost,
                "gained": gained,
                "opening": row["opening_mrr"],
            }
        )
    windows = []
    for end in range(k - 1, len(out)):
        inside = out[end - k + 1 : end + 1]
        at_risk = sum(m["customers_at_start"] for m in inside)
        churned = sum(m["churned_customers"] for m in inside)
        lost = sum(m["lost"] for m in inside)
        gained = sum(m["gained"] for m in inside)
        windows.append(
            {
                "customer_months_at_risk": at_risk,
                "churned_customers": churned,
                "customer_churn_rate": None if at_risk == 0 else churned / at_risk,
                "quick_ratio": None if lost == 0 else float(gained) / float(lost),
                "net_new_mrr": sum(m["net_new_mrr"] for m in inside),
            }
        )
    return out, windows


@SETTINGS
@given(dataset=mrr_rows(max_customers=6, max_months=8))
def test_growth_matches_the_oracle(dataset: Dataset) -> None:
    assume(any(mrr > 0 for _, _, mrr in dataset.rows))
    data = dataset_of(dataset.rows)
    # The data's own months: from its first row to its last (the loader's range).
    first, last = (month_start(m) for m in (data.months.first, data.months.last))
    result = compute_growth(data, window_months=2)
    months, windows = _oracle_growth(Dataset(dataset.rows, first, last), 2)
    got = result.months.to_pylist()
    assert len(got) == len(months)
    for row, expected in zip(got, months, strict=True):
        for name in ("customers", "customers_at_start", "churned_customers", "new_customers"):
            assert row[name] == expected[name], name
        assert row["net_new_mrr"] == expected["net_new_mrr"]
        assert row["arpa"] == expected["arpa"]
        assert row["quick_ratio"] == pytest.approx(expected["quick_ratio"])
    trailing = result.windows.to_pylist()
    assert len(trailing) == len(windows)
    for row, expected in zip(trailing, windows, strict=True):
        for name, value in expected.items():
            assert row[name] == pytest.approx(value), name


def test_no_churned_customer_leaves_ltv_unbounded(tmp_path: Path) -> None:
    """Two customers pay 100 for three months: nobody churns, so the churn rate is 0 (LTV
    has no value), its interval starts at exactly 0 (no upper bound) and ends at the Wilson
    bound of 0 of 4: z^2 / (4 + z^2); LTV_low = 100 x 0.5 / that."""
    path = tmp_path / "steady.csv"
    rows = [f"{c},2024-0{m},100" for c in "ab" for m in (1, 2, 3)]
    path.write_text("customer_id,month,mrr\n" + "\n".join(rows) + "\n", encoding="utf-8")
    window = compute_growth(rr.load(path), window_months=2, gross_margin="50%").latest()
    assert window is not None
    assert window["customer_churn_rate"] == 0 and window["ltv"] is None
    assert window["customer_churn_rate_low"] == 0 and window["ltv_high"] is None
    z2 = NormalDist().inv_cdf(0.95) ** 2
    assert window["customer_churn_rate_high"] == pytest.approx(z2 / (4 + z2))
    assert float(window["ltv_low"]) == pytest.approx(50 / (z2 / (4 + z2)), abs=1e-6)


def test_seat_retention_of_subscription_periods(tmp_path: Path) -> None:
    """a: 10 seats from January, 3 more from March; b: 5 seats from January to 15 March (not
    in force on 31 March). Jan -> Mar: start 10 + 5, end 13 + 0, kept min 10 + 0."""
    path = tmp_path / "periods.csv"
    path.write_text(
        "customer_id,start_date,end_date,mrr,seats\n"
        "a,2024-01-01,,100,10\n"
        "b,2024-01-01,2024-03-15,50,5\n"
        "a,2024-03-01,,30,3\n",
        encoding="utf-8",
    )
    result = compute_growth(rr.load(path, as_of="2024-03"), window_months=2)
    assert result.quantity is not None
    (row,) = result.quantity.to_pylist()
    assert row["product"] is None and row["customers"] == 2
    assert (row["quantity_start"], row["quantity_retained"], row["quantity_end"]) == (
        Decimal(15),
        Decimal(10),
        Decimal(13),
    )
    assert row["gross_quantity_retention"] == pytest.approx(10 / 15)
    assert row["net_quantity_retention"] == pytest.approx(13 / 15)
