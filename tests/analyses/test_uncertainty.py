"""Bootstrap intervals of GRR, NRR and logo retention (METRICS.md §7, small base).

Hand-computed cases, the ideal bootstrap enumerated exactly by ``tests/oracle_uncertainty.py``,
the engine's cohorts against the oracle's, and a cheap coverage check.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.engine_run import rates_match, write_long_csv
from tests.oracle import Row, month_range, oracle_retention, period_label
from tests.oracle_uncertainty import (
    cohort_members,
    ideal_bootstrap,
    kurtosis,
    quantile,
    standard_deviation,
)
from tests.strategies import Dataset as RowsDataset
from tests.strategies import mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses.uncertainty import (
    CI_METHOD,
    CohortIntervals,
    RateInterval,
    UncertaintyResult,
    bootstrap_cohort,
    compute_intervals,
    excludes,
    small_base_notes,
)
from revenue_retention.errors import OptionError
from revenue_retention.periods import month_index, month_label

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JAN, FEB = datetime.date(2024, 1, 1), datetime.date(2024, 2, 1)
TINY = 1e-12


def load_rows(rows: list[Row], folder: Path) -> rr.Dataset:
    return rr.load(write_long_csv(rows, folder / "mrr.csv"))


def index_of(month: datetime.date) -> int:
    return month_index(month.year, month.month)


# --- hand-computed cases -------------------------------------------------------------------


def test_two_customers_one_churned_spans_zero_to_one() -> None:
    # a = (100, 100), b = (0, 100). A resample holds the churned customer twice (p = 1/4,
    # GRR = NRR = logos = 0), each once (p = 1/2, 0.5) or the retained one twice (p = 1/4, 1).
    # The 5% and 95% quantiles are 0 and 1; the ideal standard deviation is
    # sqrt(1/4 * 0.5^2 + 1/4 * 0.5^2) = sqrt(0.125) = 0.35355.
    for interval in bootstrap_cohort([100, 100], [0, 100], level=0.9, resamples=2000, seed=1):
        assert interval.point == 0.5
        assert (interval.low, interval.high) == (0.0, 1.0)
        assert interval.standard_error == pytest.approx(0.125**0.5, abs=0.02)


def test_identical_customers_give_a_zero_width_interval() -> None:
    # Every customer went 100 -> 80: each resample is k copies of one customer, so
    # GRR* = NRR* = 80k / 100k = 0.8 and logos* = 1 whatever the draws.
    grr, nrr, logos = bootstrap_cohort([100] * 7, [80] * 7, resamples=500)
    for interval, value in ((grr, 0.8), (nrr, 0.8), (logos, 1.0)):
        assert interval.point == pytest.approx(value, abs=TINY)
        assert interval.low == pytest.approx(value, abs=TINY)
        assert interval.high == pytest.approx(value, abs=TINY)
        assert interval.standard_error == pytest.approx(0, abs=TINY)


def test_one_customer_gives_its_own_rates_with_no_spread() -> None:
    # n = 1: every resample is that customer: GRR = 60/100, NRR = 60/100, logos = 1.
    grr, nrr, logos = bootstrap_cohort([100], [60], resamples=100)
    assert (grr.point, grr.low, grr.high) == (0.6, 0.6, 0.6)
    assert grr.standard_error == pytest.approx(0, abs=TINY)  # the mean of 0.6s, rounded
    assert (nrr.point, nrr.low, nrr.high) == (0.6, 0.6, 0.6)
    assert (logos.point, logos.low, logos.high) == (1.0, 1.0, 1.0)


def test_an_empty_cohort_has_no_interval() -> None:
    for interval in bootstrap_cohort([], []):
        assert interval == RateInterval(None, None, None, None)


def test_the_same_seed_gives_the_same_intervals_and_another_seed_other_ones() -> None:
    rng = np.random.default_rng(7)
    a = rng.integers(1, 1000, 60).astype(float)
    b = a * rng.choice([0, 0.5, 1, 1.4], 60)
    first = bootstrap_cohort(a, b, seed=3)
    assert bootstrap_cohort(a, b, seed=3) == first
    assert bootstrap_cohort(a, b, seed=[3]) == first  # an int seed is a one-int entropy
    assert bootstrap_cohort(a, b, seed=4) != first


def test_batches_of_resamples_change_nothing_but_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 30 resamples (as for a huge cohort) consume the generator differently,
    # so the draws differ; the result must stay deterministic and a bootstrap of the same
    # cohort: same point, a standard error within Monte Carlo noise.
    import revenue_retention.analyses.uncertainty as uncertainty

    a = np.arange(1, 41, dtype=float)
    b = np.where(np.arange(40) % 4 == 0, 0.0, a * 1.1)
    whole = bootstrap_cohort(a, b, resamples=3000)
    monkeypatch.setattr(uncertainty, "MEMORY_BYTES", 30 * 32 * 40)
    batched = bootstrap_cohort(a, b, resamples=3000)
    assert bootstrap_cohort(a, b, resamples=3000) == batched  # still deterministic
    for one, other in zip(whole, batched, strict=True):
        assert one.point == other.point
        assert one.standard_error == pytest.approx(other.standard_error, rel=0.1)


# --- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, True])
def test_a_level_outside_zero_one_is_refused(level: float) -> None:
    with pytest.raises(OptionError, match="level"):
        bootstrap_cohort([100], [100], level=level)


@pytest.mark.parametrize(
    ("resamples", "seed", "option"),
    [(99, 0, "resamples"), (2.5, 0, "resamples"), (100, -1, "seed"), (100, 1.5, "seed")],
)
def test_bad_resamples_or_seed_are_refused(resamples: int, seed: int, option: str) -> None:
    with pytest.raises(OptionError, match=option):
        bootstrap_cohort([100], [100], resamples=resamples, seed=seed)


# --- against the ideal bootstrap ---------------------------------------------------------------

cents = st.integers(1, 1_000_000).map(lambda c: Decimal(c).scaleb(-2))
end_cents = st.one_of(st.just(Decimal("0.00")), cents)


@SETTINGS
@given(st.lists(st.tuples(cents, end_cents), min_size=1, max_size=5))
def test_monte_carlo_intervals_sample_the_ideal_bootstrap(pairs: list[tuple[Decimal, ...]]) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    ideal = ideal_bootstrap(a, b)
    computed = bootstrap_cohort(
        [float(x) for x in a], [float(y) for y in b], level=0.9, resamples=4000, seed=11
    )
    for interval, name in zip(computed, ("grr", "nrr", "logo_retention"), strict=True):
        dist = ideal[name]
        assert interval.low is not None and interval.high is not None
        # Float rounding, relative: NRR reaches 10,000 when 0.01 grows to 100.
        tol = TINY * max(1.0, float(dist[-1][0]))
        # 4,000 draws put the empirical 5% / 95% quantiles within ~0.4% of them; 2% is safe.
        assert float(quantile(dist, Fraction(3, 100))) - tol <= interval.low
        assert interval.low <= float(quantile(dist, Fraction(7, 100))) + tol
        assert float(quantile(dist, Fraction(93, 100))) - tol <= interval.high
        assert interval.high <= float(quantile(dist, Fraction(97, 100))) + tol
        # A sample standard deviation of R draws is off by about
        # sd * sqrt((kurtosis - 1) / 4R); skewed rates (one small account holding all the
        # retention) have a large kurtosis, so the bound scales with it. 5 of those, or 1%.
        sd = standard_deviation(dist)
        assert interval.standard_error is not None
        noise = sd * ((kurtosis(dist) - 1) / (4 * 4000)) ** 0.5
        assert abs(interval.standard_error - sd) <= 5 * noise + 0.01 * sd + tol


@SETTINGS
@given(st.lists(st.tuples(cents, end_cents), min_size=1, max_size=40), st.integers(0, 10**6))
def test_intervals_hold_the_point_and_keep_the_order_of_the_rates(
    pairs: list[tuple[Decimal, ...]], seed: int
) -> None:
    a = [float(x) for x, _ in pairs]
    b = [float(y) for _, y in pairs]
    grr, nrr, logos = bootstrap_cohort(a, b, resamples=200, seed=seed)
    for interval in (grr, nrr, logos):
        assert interval.low is not None and interval.high is not None
        assert interval.point is not None and interval.standard_error is not None
        tol = TINY * max(1.0, interval.high)  # float rounding, relative
        assert interval.low - tol <= interval.point <= interval.high + tol
        assert interval.standard_error >= 0
    assert grr.low is not None and grr.high is not None
    assert nrr.low is not None and nrr.high is not None
    # GRR* <= NRR* and GRR* <= 1 in every resample, so their quantiles keep that order.
    assert 0 <= grr.low <= grr.high <= 1 + TINY
    assert grr.low <= nrr.low * (1 + TINY) and grr.high <= nrr.high * (1 + TINY)


def test_coverage_is_close_to_the_level_on_a_synthetic_population() -> None:
    # A population of 4,000 customers with known rates; 300 samples of 80 customers each.
    # The 90% interval should contain the population rate in roughly 90% of samples
    # (the percentile bootstrap runs a little under at this n; 300 samples give +-1.7%).
    rng = np.random.default_rng(2024)
    size = 4000
    a = np.round(rng.lognormal(6, 0.8, size), 2)
    fate = rng.choice(4, size, p=[0.12, 0.13, 0.55, 0.20])  # churn, contract, keep, expand
    b = np.choose(fate, [0 * a, np.round(a * 0.7, 2), a, np.round(a * 1.3, 2)])
    truth = (np.minimum(a, b).sum() / a.sum(), b.sum() / a.sum(), (b > 0).mean())
    covered = np.zeros(3)
    samples = 300
    for i in range(samples):
        pick = rng.integers(0, size, 80)
        intervals = bootstrap_cohort(a[pick], b[pick], level=0.9, resamples=300, seed=i)
        for j, interval in enumerate(intervals):
            assert interval.low is not None and interval.high is not None
            covered[j] += interval.low <= truth[j] <= interval.high
    coverage = covered / samples
    assert np.all(coverage >= 0.82), coverage
    assert np.all(coverage <= 0.96), coverage


# --- through the engine ------------------------------------------------------------------------


def test_engine_cohorts_hand_computed(tmp_path: Path) -> None:
    # Jan: a 100, b 100, c 50. Feb: a 120 (expansion), b 0 (churn), c 50; d 999 is new.
    # One-month cohort at Feb: {a, b, c}; GRR = (100 + 0 + 50) / 250 = 0.6,
    # NRR = (120 + 0 + 50) / 250 = 0.68, logos = 2/3.
    rows = [
        ("a", JAN, Decimal("100")),
        ("b", JAN, Decimal("100")),
        ("c", JAN, Decimal("50")),
        ("a", FEB, Decimal("120")),
        ("c", FEB, Decimal("50")),
        ("d", FEB, Decimal("999")),
    ]
    result = compute_intervals(load_rows(rows, tmp_path), window_months=(1,), resamples=500)
    assert (result.level, result.resamples, result.seed, result.windows) == (0.9, 500, 0, (1,))
    assert result.method == CI_METHOD
    (cohort,) = result.cohorts
    assert (cohort.as_of, cohort.window_months, cohort.customers) == (index_of(FEB), 1, 3)
    assert cohort.grr.point == pytest.approx(0.6)
    assert cohort.nrr.point == pytest.approx(0.68)
    assert cohort.logo_retention.point == pytest.approx(2 / 3)
    # Same customers in id order (a, b, c), same seed entropy: the numpy core's numbers.
    expected = bootstrap_cohort(
        [100, 100, 50], [120, 0, 50], resamples=500, seed=[0, 1, index_of(FEB)]
    )
    for mine, core in zip((cohort.grr, cohort.nrr, cohort.logo_retention), expected, strict=True):
        assert (mine.low, mine.high, mine.standard_error) == (
            core.low,
            core.high,
            core.standard_error,
        )
    assert result.get(index_of(FEB), 1) == cohort
    assert result.get(index_of(JAN), 1) is None


def test_latest_month_is_the_same_alone_or_among_all_months(tmp_path: Path) -> None:
    months = month_range(datetime.date(2024, 1, 1), datetime.date(2024, 6, 1))
    rows = [
        (c, m, Decimal(10 * (i + 1) + j))
        for i, c in enumerate("abcdefgh")
        for j, m in enumerate(months)
        if (i + j) % 5
    ]
    data = load_rows(rows, tmp_path)
    alone = compute_intervals(data, window_months=(1, 3), resamples=200)
    every = compute_intervals(data, window_months=(1, 3), resamples=200, all_months=True)
    assert [(c.as_of, c.window_months) for c in alone.cohorts] == [
        (data.months.last, 1),
        (data.months.last, 3),
    ]
    assert len(every.cohorts) == 5 + 3  # as-of Feb..Jun for 1 month, Apr..Jun for 3
    for cohort in alone.cohorts:
        assert every.get(cohort.as_of, cohort.window_months) == cohort
    earlier = compute_intervals(
        data, as_of=month_label(data.months.last - 1), window_months=(1,), resamples=200
    )
    assert earlier.cohorts == (every.get(data.months.last - 1, 1),)


def test_an_empty_cohort_gets_a_row_without_interval(tmp_path: Path) -> None:
    # Nobody pays in January: the one-month cohort at February is empty.
    rows = [("a", JAN, Decimal("0")), ("a", FEB, Decimal("10"))]
    (cohort,) = compute_intervals(load_rows(rows, tmp_path), window_months=(1,)).cohorts
    assert cohort.customers == 0
    assert cohort.grr == RateInterval(None, None, None, None)
    assert cohort.logo_retention == RateInterval(None, None, None, None)


def test_a_window_longer_than_the_data_gives_no_row(tmp_path: Path) -> None:
    rows = [("a", JAN, Decimal("10")), ("a", FEB, Decimal("10"))]
    assert compute_intervals(load_rows(rows, tmp_path), window_months=(12,)).cohorts == ()


def test_an_as_of_before_the_data_is_refused(tmp_path: Path) -> None:
    rows = [("a", JAN, Decimal("10")), ("a", FEB, Decimal("10"))]
    with pytest.raises(OptionError, match="as_of"):
        compute_intervals(load_rows(rows, tmp_path), as_of=month_label(index_of(JAN) - 1))


@SETTINGS
@given(mrr_rows(max_customers=8, max_months=8))
def test_engine_cohorts_match_the_oracle(data: RowsDataset) -> None:
    assume(data.rows)
    # The loader's month range is the data's own: first to last month with any row.
    first = min(month for _, month, _ in data.rows)
    last = max(month for _, month, _ in data.rows)
    result = compute_intervals(
        dataset_of(data.rows), window_months=(1, 3), resamples=100, seed=5, all_months=True
    )
    oracle = {
        (row["as_of"], row["window_months"]): row
        for row in oracle_retention(data.rows, first, last, (1, 3))
    }
    assert {(period_label_of(c.as_of), c.window_months) for c in result.cohorts} == set(oracle)
    for cohort in result.cohorts:
        as_of = datetime.date(cohort.as_of // 12, cohort.as_of % 12 + 1, 1)
        expected = oracle[(period_label(as_of), cohort.window_months)]
        assert cohort.customers == expected["customers"]
        for name in ("grr", "nrr", "logo_retention"):
            assert rates_match(cohort.rate(name).point, expected[name])
        members = cohort_members(data.rows, first, last, cohort.window_months, as_of)
        core = bootstrap_cohort(
            [float(a) for _, a, _ in members],
            [float(b) for _, _, b in members],
            resamples=100,
            seed=[5, cohort.window_months, cohort.as_of],
        )
        for mine, theirs in zip((cohort.grr, cohort.nrr, cohort.logo_retention), core, strict=True):
            assert (mine.low, mine.high, mine.standard_error) == (
                theirs.low,
                theirs.high,
                theirs.standard_error,
            )


def period_label_of(index: int) -> str:
    return period_label(datetime.date(index // 12, index % 12 + 1, 1))


# --- excludes and small-base notes -------------------------------------------------------------


def test_excludes_only_when_the_benchmark_is_outside() -> None:
    interval = RateInterval(0.86, 0.78, 0.94, 0.05)
    assert not excludes(interval, 0.91)
    assert not excludes(interval, 0.78)  # an end of the interval is inside it
    assert not excludes(interval, 0.94)
    assert excludes(interval, 0.77)
    assert excludes(interval, 0.95)
    assert not excludes(RateInterval(None, None, None, None), 0.5)


def _result(*cohorts: CohortIntervals, level: float = 0.9) -> UncertaintyResult:
    return UncertaintyResult(level, 2000, 0, (12,), CI_METHOD, cohorts)


def _cohort(
    grr: tuple[float, float], customers: int = 40, window_months: int = 12
) -> CohortIntervals:
    return CohortIntervals(
        as_of=month_index(2025, 12),
        window_months=window_months,
        customers=customers,
        grr=RateInterval(sum(grr) / 2, grr[0], grr[1], 0.05),
        nrr=RateInterval(1.2, 1.1, 1.3, 0.05),
        logo_retention=RateInterval(None, None, None, None),
    )


def test_small_base_note_says_the_interval_includes_the_benchmark() -> None:
    notes = small_base_notes(
        _result(_cohort((0.78, 0.94))), {"grr": 0.91, "nrr": 1.02}, label="median"
    )
    # NRR 110%-130% excludes 102%: no note for it.
    (note,) = notes
    assert note.text == (
        "With 40 customers, the 90% interval of 12-month GRR (78%-94%) includes the 91% "
        "median: the base is too small to tell."
    )
    assert str(note) == note.text
    assert (note.id, note.metric, note.customers, note.low, note.high, note.benchmark) == (
        "small_base.grr",
        "grr",
        40,
        0.78,
        0.94,
        0.91,
    )


def test_no_note_when_the_interval_excludes_the_benchmark() -> None:
    assert small_base_notes(_result(_cohort((0.84, 0.88), customers=900)), {"grr": 0.91}) == []


def test_a_narrow_interval_is_shown_with_a_decimal() -> None:
    # 90.6%-91.4% would read "91%-91%" in whole percents.
    (note,) = small_base_notes(_result(_cohort((0.906, 0.914))), {"grr": 0.91})
    assert "(90.6%-91.4%) includes the 91% benchmark" in note.text


def test_notes_are_for_annual_windows_unless_asked() -> None:
    result = _result(_cohort((0.5, 0.99), window_months=3))
    assert small_base_notes(result, {"grr": 0.91}) == []
    (note,) = small_base_notes(result, {"grr": 0.91}, window_months=None)
    assert "3-month GRR" in note.text


def test_unknown_benchmark_names_are_refused() -> None:
    with pytest.raises(OptionError, match="benchmarks"):
        small_base_notes(_result(), {"churn": 0.1})


def test_demo_sized_cohort_is_fast_enough_and_reports_a_seeded_interval(tmp_path: Path) -> None:
    # 36 months x 40 customers: the default (latest month, 12-month window) is one cohort.
    months = month_range(datetime.date(2023, 1, 1), datetime.date(2025, 12, 1))
    rows = [
        (f"c{i:02d}", m, Decimal(100 + i))
        for i in range(40)
        for j, m in enumerate(months)
        if not (i % 7 == 0 and j > 30)  # every seventh customer churns in month 32
    ]
    result = compute_intervals(load_rows(rows, tmp_path))
    (cohort,) = result.cohorts
    assert cohort.as_of == month_index(2025, 12)
    assert cohort.customers == 40
    assert period_label_of(cohort.as_of) == "2025-12"
    # 6 of 40 churned (i = 0, 7, ..., 35): logos = 34/40 = 0.85.
    assert cohort.logo_retention.point == pytest.approx(0.85)
    assert cohort.logo_retention.low is not None and cohort.logo_retention.high is not None
    assert cohort.logo_retention.low < 0.85 < cohort.logo_retention.high
