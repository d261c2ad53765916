"""Seasonality (METRICS.md §3, §7): hand-computed cases and the Decimal oracle of §2-3."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from tests.engine_run import rates_match, write_long_csv
from tests.oracle import Row, add_months, oracle_bridge, oracle_retention
from tests.strategies import Dataset, mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses.seasonality import SeasonalityResult, compute_seasonality
from revenue_retention.errors import OptionError
from revenue_retention.metrics import MOVEMENTS
from revenue_retention.periods import month_index, month_label

JAN23 = datetime.date(2023, 1, 1)
HUNDRED = Decimal("100.00")
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def paying(customer: str, start: int, stop: int) -> list[Row]:
    """``customer`` pays 100.00 in months ``start`` .. ``stop - 1`` counted from 2023-01."""
    return [(customer, add_months(JAN23, i), HUNDRED) for i in range(start, stop)]


def q4_churn() -> list[Row]:
    """2023-01..2024-12: ten customers; two churn each November; two new ones in 2024-01.

    c01, c02 pay Jan..Oct 2023; c03, c04 Jan 2023..Oct 2024; c05..c10 throughout;
    n1, n2 from Jan 2024.
    """
    rows: list[Row] = []
    for number in range(1, 11):
        stop = 10 if number <= 2 else 22 if number <= 4 else 24
        rows += paying(f"c{number:02d}", 0, stop)
    return rows + paying("n1", 12, 24) + paying("n2", 12, 24)


def flat_churn() -> list[Row]:
    """2023-01..2024-12: twenty customers; one leaves in the middle month of every quarter
    (Feb, May, Aug, Nov) and a new one takes its place the same month, so 20 always pay."""
    rows: list[Row] = []
    churn_months = [1, 4, 7, 10, 13, 16, 19, 22]  # Feb, May, Aug, Nov 2023 and 2024
    for number in range(1, 21):
        stop = churn_months[number - 1] if number <= 8 else 24
        rows += paying(f"c{number:02d}", 0, stop)
    for number, start in enumerate(churn_months, 1):
        rows += paying(f"n{number}", start, 24)
    return rows


def run(
    rows: list[Row], folder: Path, as_of: str | None = None, **options: Any
) -> SeasonalityResult:
    data = rr.load(write_long_csv(rows, folder / "mrr.csv"), as_of=as_of)
    return compute_seasonality(data, **options)


@pytest.fixture(scope="module")
def q4_data(tmp_path_factory: pytest.TempPathFactory) -> rr.Dataset:
    """``q4_churn`` loaded once for the tests that only vary the thresholds."""
    return rr.load(write_long_csv(q4_churn(), tmp_path_factory.mktemp("q4") / "mrr.csv"))


def column(result: SeasonalityResult, table: str, name: str) -> list[Any]:
    return getattr(result, table).column(name).to_pylist()


def test_strong_q4_churn_is_flagged(q4_data: rr.Dataset) -> None:
    result = compute_seasonality(q4_data)
    # Quarterly GRR (cohort paying 3 months before): 2023-12 and 2024-12 lose 2 of 10
    # customers at 100 (800 / 1000); every other quarter keeps its cohort whole.
    assert column(result, "quarters", "as_of_index") == [
        month_index(y, mo) for y, mo in
        [(2023, 6), (2023, 9), (2023, 12), (2024, 3), (2024, 6), (2024, 9), (2024, 12)]
    ]  # fmt: skip
    assert column(result, "quarters", "grr") == pytest.approx([1, 1, 0.8, 1, 1, 1, 0.8])
    assert column(result, "quarters", "nrr") == pytest.approx([1, 1, 0.8, 1, 1, 1, 0.8])
    # Annual: 2024-03/06/09 start from the ten of 2023 and keep 8 (0.8); 2024-12 starts
    # from the 8 of 2023-12 (the new ones are not in it) and keeps 6: 600 / 800 = 0.75.
    assert column(result, "quarters", "annual_grr") == pytest.approx(
        [None, None, None, 0.8, 0.8, 0.8, 0.75]
    )
    assert column(result, "by_quarter", "quarters") == [1, 2, 2, 2]
    assert column(result, "by_quarter", "grr_mean") == pytest.approx([1, 1, 1, 0.8])
    assert column(result, "by_quarter", "annual_grr_mean") == pytest.approx([0.8, 0.8, 0.8, 0.75])
    grr, nrr = result.swings
    # Spread across quarters 1.0 - 0.8 = 20 points; annual 0.80 - 0.75 = 5 points;
    # threshold max(2 x 5, 2) = 10 points: flagged.
    assert grr.rate == "grr" and nrr.rate == "nrr"
    assert grr.quarterly_spread == pytest.approx(0.2)
    assert (grr.highest_quarter, grr.lowest_quarter) == (1, 4)
    assert grr.annual_spread == pytest.approx(0.05) and grr.annual_figures == 4
    assert grr.threshold == pytest.approx(0.1)
    assert grr.flagged is True and nrr.flagged is True
    assert result.seasonal_swing is True


def test_q4_churn_in_the_month_of_year_pattern(q4_data: rr.Dataset) -> None:
    result = compute_seasonality(q4_data)
    by_month = {row["month"]: row for row in result.by_month.to_pylist()}
    # Churn each November: 200 of an opening 1000, both years.
    assert by_month[11]["months"] == 2 and by_month[11]["churn"] == pytest.approx(0.2)
    # 2024-01: 200 new on an opening 800; 2023-01 is the opening balance (no bridge row).
    assert by_month[1]["months"] == 1 and by_month[1]["new"] == pytest.approx(0.25)
    for month in (2, 3, 4, 5, 6, 7, 8, 9, 10, 12):
        assert by_month[month]["churn"] == 0 and by_month[month]["new"] == 0
    assert all(by_month[m]["expansion"] == 0 for m in by_month)


def test_threshold_is_a_parameter(q4_data: rr.Dataset) -> None:
    # 20 points against max(5 x 5, 2) = 25 points: no longer flagged.
    result = compute_seasonality(q4_data, swing_ratio=5)
    assert [s.flagged for s in result.swings] == [False, False]
    assert result.swings[0].threshold == pytest.approx(0.25)
    assert result.seasonal_swing is False
    # The floor in points: with a tiny ratio, 20 points fall short of a 25-point floor.
    result = compute_seasonality(q4_data, swing_ratio=0.1, min_swing_pp=25)
    assert result.swings[0].flagged is False


def test_flat_churn_is_not_flagged(tmp_path: Path) -> None:
    result = run(flat_churn(), tmp_path)
    # Every quarter loses one of the 20 customers it started with: 1900 / 2000 = 0.95;
    # every year four of them: 1600 / 2000 = 0.8.
    assert column(result, "quarters", "grr") == pytest.approx([0.95] * 7)
    assert column(result, "quarters", "annual_grr") == pytest.approx([None] * 3 + [0.8] * 4)
    assert column(result, "by_quarter", "grr_mean") == pytest.approx([0.95] * 4)
    grr, _ = result.swings
    assert grr.quarterly_spread == pytest.approx(0) and grr.annual_spread == pytest.approx(0)
    assert grr.flagged is False
    assert result.seasonal_swing is False
    # The month-of-year pattern: one of 20 leaves (and one arrives) in Feb, May, Aug, Nov.
    by_month = {row["month"]: row for row in result.by_month.to_pylist()}
    for month in (2, 5, 8, 11):
        assert by_month[month]["churn"] == pytest.approx(0.05)
        assert by_month[month]["new"] == pytest.approx(0.05)
    assert by_month[3]["churn"] == 0


def test_less_than_a_year_of_quarters_cannot_tell(tmp_path: Path) -> None:
    result = run(q4_churn(), tmp_path, as_of="2023-12")
    assert column(result, "by_quarter", "quarters") == [0, 1, 1, 1]
    assert [s.flagged for s in result.swings] == [None, None]
    assert "Q1" in result.swings[0].reason
    assert result.seasonal_swing is None


def test_one_annual_figure_cannot_tell(tmp_path: Path) -> None:
    # Through 2024-03: all four quarters, but a single annual figure (2024-03).
    result = run(q4_churn(), tmp_path, as_of="2024-03")
    assert result.swings[0].annual_figures == 1
    assert result.swings[0].flagged is None and result.seasonal_swing is None


@pytest.mark.parametrize(("options", "option"), [
    ({"swing_ratio": 0}, "swing_ratio"), ({"min_swing_pp": -1}, "min_swing_pp")
])  # fmt: skip
def test_bad_thresholds_are_refused(q4_data: rr.Dataset, options: dict, option: str) -> None:
    with pytest.raises(OptionError, match=option):
        compute_seasonality(q4_data, **options)


def _close(got: float | None, want: Fraction | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return abs(Fraction(got) - want) <= Fraction(1, 10**9)


@SETTINGS
@given(mrr_rows(max_customers=6, max_months=28))
def test_seasonality_equals_oracle(data: Dataset) -> None:
    assume(data.rows)
    months = [month for _, month, _ in data.rows]
    first, last = min(months), max(months)
    result = compute_seasonality(dataset_of(data.rows))
    windows = {
        (r["as_of"], r["window_months"]): r
        for r in oracle_retention(data.rows, first, last, (3, 12))
    }
    quarters = result.quarters.to_pylist()
    ends = sorted(label for label, k in windows if k == 3 and label[5:] in ("03", "06", "09", "12"))
    assert [month_label(q["as_of_index"]) for q in quarters] == ends
    for row in quarters:
        label = month_label(row["as_of_index"])
        quarterly, annual = windows[(label, 3)], windows.get((label, 12))
        assert row["starting_mrr"] == quarterly["starting_mrr"]
        assert rates_match(row["grr"], quarterly["grr"]) and rates_match(
            row["nrr"], quarterly["nrr"]
        )
        assert rates_match(row["annual_grr"], annual["grr"] if annual else None)
        assert rates_match(row["annual_nrr"], annual["nrr"] if annual else None)
    # Month of year: the plain mean of movement / opening over the bridge months.
    bridge = [b for b in oracle_bridge(data.rows, first, last) if b["opening_mrr"] > 0]
    for row in result.by_month.to_pylist():
        mine = [b for b in bridge if int(b["period"][5:]) == row["month"]]
        assert row["months"] == len(mine)
        for name in MOVEMENTS:
            want = (
                sum((Fraction(b[name]) / Fraction(b["opening_mrr"]) for b in mine), Fraction(0))
                / len(mine)
                if mine
                else None
            )
            assert _close(row[name], want), (name, row, want)
    # The flag is decided only when every quarter of the year and two annual figures exist.
    for check in result.swings:
        if check.flagged is not None:
            assert check.quarterly_spread is not None and check.annual_figures >= 2
