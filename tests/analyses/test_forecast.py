"""Projections and their backtest on hand-built tables whose futures are known."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from tests.oracle import Row

import revenue_retention as rr
from revenue_retention.analyses.forecast import Rates, compute_forecast, project
from revenue_retention.errors import OptionError
from revenue_retention.periods import month_index

Load = Callable[[list[Row]], rr.Dataset]


@pytest.fixture
def dataset_of(tmp_path: Path) -> Load:
    """Rows loaded through a CSV file, as a user's data arrives."""

    def load(rows: list[Row]) -> rr.Dataset:
        path = tmp_path / f"rows{len(list(tmp_path.iterdir()))}.csv"
        lines = [f"{c},{m:%Y-%m},{v}\n" for c, m, v in rows]
        path.write_text("customer_id,month,mrr\n" + "".join(lines), encoding="utf-8")
        return rr.load(path)

    return load


def months(first: dt.date, count: int) -> list[dt.date]:
    index = month_index(first.year, first.month)
    return [dt.date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


SPAN = months(dt.date(2023, 1, 1), 25)  # 2023-01 .. 2025-01


def constant_grr_base() -> list[Row]:
    # 1000 at 2023-01; "one" (100) leaves at 2024-01, "two" (90) at 2025-01, "rest" (810)
    # stays: each year the base keeps 90% of its revenue (900/1000, then 810/900).
    rows: list[Row] = []
    for m in SPAN:
        rows.append(("rest", m, Decimal(810)))
        if m < dt.date(2024, 1, 1):
            rows.append(("one", m, Decimal(100)))
        if m < dt.date(2025, 1, 1):
            rows.append(("two", m, Decimal(90)))
    return rows


def test_a_constant_grr_base_is_projected_exactly(dataset_of: Load) -> None:
    result = compute_forecast(dataset_of(constant_grr_base()))
    rates = result.rates
    assert rates.as_of == month_index(2025, 1)
    assert (rates.starting_mrr, rates.grr, rates.nrr) == (810, Decimal("0.9"), Decimal("0.9"))
    assert rates.base_customers == 1 and rates.new_business == 0
    # 810 x 0.9 = 729 in every scenario: no expansion, no new business.
    assert [s.ending_mrr for s in result.scenarios] == [Decimal("729.00")] * 3
    assert result.headline()["revenue_floor"] == Decimal("729.00")
    assert result.headline()["base_only"] == Decimal("729.00")
    # Half a year: 810 x 0.9 ** 0.5 = 768.4335...
    assert compute_forecast(dataset_of(constant_grr_base()), horizon_months=6).scenario(
        "floor"
    ).ending_mrr == (Decimal("768.43"))
    # Made at 2024-01 from 900 at 90%: 810 at 2025-01, which is what happened.
    assert result.backtest is not None
    assert result.backtest.rates.starting_mrr == 900
    for scenario in result.backtest.scenarios:
        assert (scenario.projected, scenario.actual, scenario.error) == (810, 810, 0)
        assert scenario.error_rate == 0.0


def test_new_business_at_its_trailing_rate_is_projected_exactly(dataset_of: Load) -> None:
    # A base of 500 that keeps its revenue, and one new customer of 10 every month from
    # 2023-02 on, who stays: NRR 100%, X = 12 x 10 = 120 a year, so the total grows by
    # exactly 10 a month; the backtest matches every month of its year.
    rows: list[Row] = [("base", m, Decimal(500)) for m in SPAN]
    for i, start in enumerate(SPAN[1:]):
        rows += [(f"new{i}", m, Decimal(10)) for m in SPAN if m >= start]
    result = compute_forecast(dataset_of(rows), horizon_months=6)
    assert result.rates.starting_mrr == 500 + 24 * 10
    assert result.rates.nrr == 1 and result.rates.new_business == 120
    path = result.scenario("with_new_business").path
    assert [mrr for _, mrr, _, _ in path] == [Decimal(740 + 10 * h) for h in range(1, 7)]
    assert result.scenario("base").ending_mrr == 740
    assert result.backtest is not None
    grown = next(s for s in result.backtest.scenarios if s.id == "with_new_business")
    assert [(p, a) for _, p, a in grown.path] == [
        (620 + 10 * h, 620 + 10 * h) for h in range(1, 13)
    ]
    assert grown.error == 0


def test_a_part_year_compounds_the_annual_rate() -> None:
    # GRR 81% over a year is 90% over half of it (0.81 ** 0.5), exactly.
    rates = Rates(0, Decimal(1000), 4, Decimal("0.81"), Decimal("1.21"), Decimal(240))
    assert project(rates, "floor", 6) == Decimal(900)
    assert project(rates, "base", 6) == Decimal(1100)
    assert project(rates, "with_new_business", 6) == Decimal(1100 + 120)
    assert project(rates, "base", 24) == Decimal("1464.1")


def test_the_interval_is_the_scenario_at_the_ends_of_the_bootstrap_interval(
    dataset_of: Load,
) -> None:
    # Two customers of 100 at 2023-01; one has left by 2024-01. A resample holds the
    # one who left twice (GRR 0), each once (50%) or the one who stayed twice (100%), so
    # the 90% interval of GRR is 0% - 100% and the floor's is 0 - 100 around 50.
    rows: list[Row] = []
    for m in SPAN[:13]:
        rows.append(("stays", m, Decimal(100)))
        if m < dt.date(2024, 1, 1):
            rows.append(("leaves", m, Decimal(100)))
    result = compute_forecast(dataset_of(rows))
    floor = result.scenario("floor")
    assert (floor.rate, floor.rate_low, floor.rate_high) == (0.5, 0.0, 1.0)
    assert floor.path[-1][1:] == (Decimal("50.00"), Decimal("0.00"), Decimal("100.00"))
    assert result.backtest is None
    assert result.backtest_note is not None and "full year" in result.backtest_note


def test_the_backtest_says_whether_what_happened_fell_in_its_interval(dataset_of: Load) -> None:
    # The backtest's base (2023-01: 100, 90, 810) keeps 90%; what happened (810) is the
    # projection itself, inside any interval around it.
    result = compute_forecast(dataset_of(constant_grr_base()))
    assert result.backtest is not None
    for scenario in result.backtest.scenarios:
        assert scenario.low is not None and scenario.high is not None
        assert scenario.low <= 810 <= scenario.high
        assert scenario.within_interval is True


def test_bad_horizons_and_as_of_are_option_errors(dataset_of: Load) -> None:
    data = dataset_of(constant_grr_base())
    with pytest.raises(OptionError, match="horizon_months"):
        compute_forecast(data, horizon_months=0)
    with pytest.raises(OptionError, match="horizon_months"):
        compute_forecast(data, horizon_months=37)
    with pytest.raises(OptionError, match="12 months of data before it"):
        compute_forecast(data, as_of="2023-06")


def test_forecast_is_exported_from_the_package_root(dataset_of: Load) -> None:
    assert rr.compute_forecast is compute_forecast
    result = rr.compute_forecast(dataset_of(constant_grr_base()), horizon_months=3, as_of="2024-06")
    assert result.months == 3 and len(result.scenario("floor").path) == 3
    assert result.backtest is None


def test_as_of_is_a_month_string_or_a_date_never_an_index(dataset_of: Load) -> None:
    data = dataset_of(constant_grr_base())
    by_text = compute_forecast(data, horizon_months=3, as_of="2025-01")
    by_date = compute_forecast(data, horizon_months=3, as_of=dt.date(2025, 1, 31))
    assert by_text.rates == by_date.rates and by_text.rates.as_of == month_index(2025, 1)
    with pytest.raises(OptionError, match='pass "YYYY-MM"') as error:
        compute_forecast(data, as_of=month_index(2025, 1))  # type: ignore[arg-type]
    assert error.value.parameter == "as_of" and "'2025-01'" in str(error.value)
