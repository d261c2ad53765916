"""MRR and ARR ahead from the trailing year's GRR and NRR, with intervals and a backtest.

The articles behind METRICS.md call GRR the floor a forecast stands on and NRR the growth
of the base by itself. With M0 the MRR at ``as_of`` (every customer paying then: the base),
g and n the cohort-method 12-month GRR and NRR ending at ``as_of`` (§3), X the MRR at
``as_of`` of customers who were not paying 12 months before (the trailing year's new
business, net of its own churn and expansion), and h the months ahead::

    floor(h)              = M0 * g ** (h / 12)     the base keeps what it kept, no expansion
    base(h)               = M0 * n ** (h / 12)     the base grows or shrinks as it did
    with_new_business(h)  = base(h) + X * h / 12   plus new business at its trailing rate

At h = 12 these are M0 x GRR (the revenue floor), M0 x NRR (base-only growth) and that
plus X. Between the year's ends the annual rate is spread evenly over the months
(compounded), which assumes losses and gains arrive evenly through the year. Amounts are
exact decimals, rounded to the cent once, at the end; ARR is 12 x MRR.

Each scenario's interval is the scenario at the ends of the rate's bootstrap interval
(``uncertainty.compute_intervals``: the base's customers resampled); X is taken as
known. The backtest makes the same projection 12 months before ``as_of``, from the rates
of then, and sets each month of it beside what happened: the floor beside what the base
kept (sum of min(a, b)), the NRR path beside the base's MRR, the new-business scenario
beside the total MRR.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from revenue_retention.analyses._result import Result
from revenue_retention.analyses.uncertainty import UncertaintyResult, compute_intervals
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.defaults import DEFAULT_RESAMPLES
from revenue_retention.errors import OptionError
from revenue_retention.metrics import retention
from revenue_retention.periods import MonthRange, as_of_month, month_label, month_start

__all__ = [
    "BASE_MONTHS",
    "SCENARIOS",
    "Backtest",
    "BacktestScenario",
    "ForecastResult",
    "Projection",
    "Rates",
    "compute_forecast",
    "project",
]

#: The window of the rates a projection runs on: the trailing year, as benchmarks are.
BASE_MONTHS = 12
#: The most months ahead: past three years the trailing year says little.
MAX_MONTHS = 36
_CENT = Decimal("0.01")
_TWELVE = Decimal(12)
#: Scenario id: (label, what it assumes).
SCENARIOS = {
    "floor": (
        "Existing base, GRR floor",
        "MRR x GRR^(h/12): the base loses what it lost in the trailing year, and no "
        "customer expands",
    ),
    "base": (
        "Existing base, NRR path",
        "MRR x NRR^(h/12): the base shrinks or grows as it did in the trailing year, "
        "no new customers",
    ),
    "with_new_business": (
        "Base plus new business",
        "MRR x NRR^(h/12) + X x h/12: the base on its NRR path, plus the trailing year's "
        "new business X (MRR now of customers not paying 12 months ago) at the same pace",
    ),
}


def _power(rate: Decimal, months: int) -> Decimal:
    """``rate ** (months / 12)`` to 34 digits (exact for whole years)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 34
        if months % 12 == 0:
            return rate ** (months // 12)
        if rate == 0:
            return Decimal(0)
        return rate ** (Decimal(months) / _TWELVE)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=decimal.ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Rates:
    """What a projection starts from, at month ``as_of`` (exact money, rates as decimals).

    ``starting_mrr`` is M0, the MRR at ``as_of``; ``grr`` and ``nrr`` the 12-month rates
    ending there (``None`` when nobody paid 12 months before); ``new_business`` is X.
    """

    as_of: int
    starting_mrr: Decimal
    base_customers: int
    grr: Decimal | None
    nrr: Decimal | None
    new_business: Decimal


def project(rates: Rates, scenario: str, months: int, *, rate: Decimal | None = None) -> Decimal:
    """One scenario's MRR ``months`` after ``rates.as_of`` (unrounded), by the module's formulas.

    ``rate`` replaces the scenario's own rate (an end of its interval).

    >>> r = Rates(0, Decimal(1000), 10, Decimal("0.9"), Decimal("1.1"), Decimal(120))
    >>> [project(r, s, 12) for s in ("floor", "base", "with_new_business")]
    [Decimal('900.0'), Decimal('1100.0'), Decimal('1220.0')]
    >>> _cents(project(r, "floor", 6))
    Decimal('948.68')
    """
    if scenario not in SCENARIOS:
        raise OptionError("scenario", scenario, f"is not one of {', '.join(SCENARIOS)}")
    own = rates.grr if scenario == "floor" else rates.nrr
    used = own if rate is None else rate
    if used is None:
        raise OptionError("scenario", scenario, "has no rate: no customer paid a year earlier")
    projected = rates.starting_mrr * _power(used, months)
    if scenario == "with_new_business":
        projected += rates.new_business * months / _TWELVE
    return projected


@dataclass(frozen=True)
class Projection:
    """One scenario: its MRR month by month ahead, each with its interval (cents)."""

    id: str
    label: str
    assumption: str
    #: The annual rate the scenario runs on (GRR for the floor, NRR otherwise).
    rate: float | None
    rate_low: float | None
    rate_high: float | None
    #: ``(month index, mrr, low, high)`` for h = 1 .. months ahead.
    path: tuple[tuple[int, Decimal, Decimal | None, Decimal | None], ...]

    @property
    def ending_mrr(self) -> Decimal:
        """MRR at the horizon."""
        return self.path[-1][1]


@dataclass(frozen=True)
class BacktestScenario:
    """A scenario projected from 12 months earlier, beside what happened, month by month.

    ``error`` is projected - actual at the horizon (positive: the projection was too
    high); ``error_rate`` is that over the actual; ``within_interval`` whether the actual
    fell inside the projection's interval.
    """

    id: str
    label: str
    compared_with: str
    #: ``(month index, projected, actual)`` for h = 1 .. 12.
    path: tuple[tuple[int, Decimal, Decimal], ...]
    low: Decimal | None
    high: Decimal | None

    @property
    def projected(self) -> Decimal:
        """The projected MRR at the horizon."""
        return self.path[-1][1]

    @property
    def actual(self) -> Decimal:
        """What happened at the horizon."""
        return self.path[-1][2]

    @property
    def error(self) -> Decimal:
        """projected - actual at the horizon."""
        return self.projected - self.actual

    @property
    def error_rate(self) -> float | None:
        """The error as a share of what happened (``None`` when that is 0)."""
        return float(self.error / self.actual) if self.actual else None

    @property
    def within_interval(self) -> bool | None:
        """Whether the actual lies in the projection's interval (``None`` without one)."""
        if self.low is None or self.high is None:
            return None
        return self.low <= self.actual <= self.high


@dataclass(frozen=True)
class Backtest:
    """The projection made at ``rates.as_of`` (12 months before the forecast's), checked."""

    rates: Rates
    scenarios: tuple[BacktestScenario, ...]


@dataclass(frozen=True, repr=False)
class ForecastResult(Result):
    """Scenarios of MRR ahead from ``rates``, their intervals, and the backtest.

    ``backtest`` is ``None`` when the data has no full year before the backtest's start;
    ``backtest_note`` then says why.
    """

    input: InputReport
    months: int
    rates: Rates
    level: float
    resamples: int
    seed: int
    scenarios: tuple[Projection, ...]
    backtest: Backtest | None
    backtest_note: str | None

    def scenario(self, id: str) -> Projection:
        """The scenario named ``id`` (one of ``SCENARIOS``)."""
        for found in self.scenarios:
            if found.id == id:
                return found
        raise OptionError("scenario", id, f"is not one of {', '.join(SCENARIOS)}")

    def headline(self) -> dict[str, Any]:
        """The revenue floor and base-only growth 12 months ahead (M0 x GRR, M0 x NRR)."""
        r = self.rates
        return {
            "as_of": month_label(r.as_of),
            "starting_mrr": r.starting_mrr,
            "revenue_floor": _cents(r.starting_mrr * r.grr) if r.grr is not None else None,
            "base_only": _cents(r.starting_mrr * r.nrr) if r.nrr is not None else None,
            "grr": float(r.grr) if r.grr is not None else None,
            "nrr": float(r.nrr) if r.nrr is not None else None,
        }


def _rates_at(
    as_of: int, totals: dict[int, Decimal], annual: dict[str, Any] | None, customers: int
) -> Rates:
    if annual is None or annual["customers"] == 0:
        grr = nrr = None
        ending = Decimal(0)
    else:
        start = annual["starting_mrr"]
        grr = (start - annual["churn"] - annual["contraction"]) / start
        nrr = annual["ending_mrr"] / start
        ending = annual["ending_mrr"]
    total = totals.get(as_of, Decimal(0))
    return Rates(as_of, total, customers, grr, nrr, total - ending)


def _interval(
    rates: Rates, scenario: str, months: int, low: float | None, high: float | None
) -> tuple[Decimal | None, Decimal | None]:
    if low is None or high is None:
        return None, None
    # The bootstrap's ends are floats; as decimals they bound a projection, not money.
    ends = [project(rates, scenario, months, rate=Decimal(repr(x))) for x in (low, high)]
    return _cents(min(ends)), _cents(max(ends))


def _projection(
    rates: Rates, scenario: str, months: int, low: float | None, high: float | None
) -> Projection:
    label, assumption = SCENARIOS[scenario]
    own = rates.grr if scenario == "floor" else rates.nrr
    path = tuple(
        (
            rates.as_of + h,
            _cents(project(rates, scenario, h)),
            *_interval(rates, scenario, h, low, high),
        )
        for h in range(1, months + 1)
    )
    return Projection(
        scenario, label, assumption, float(own) if own is not None else None, low, high, path
    )


_COMPARED = {
    "floor": "what the base kept: sum of min(start, end) MRR over its customers",
    "base": "the base's MRR: its customers' MRR then, expansion included",
    "with_new_business": "the total MRR",
}


def compute_forecast(
    data: Dataset,
    *,
    horizon_months: int = 12,
    as_of: str | dt.date | None = None,
    level: float = 0.9,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    intervals: UncertaintyResult | None = None,
) -> ForecastResult:
    """Project MRR ``horizon_months`` ahead of ``as_of`` in three scenarios, with a backtest.

    See the module docstring for the formulas (and docs/metrics.md for a worked example).

    Parameters
    ----------
    data
        A dataset from ``load``.
    horizon_months
        Months ahead, 1 to 36.
    as_of
        The month the projection starts from, ``"YYYY-MM"`` or a date (default: the data's
        last month). It needs 12 months of data before it; the backtest needs 24.
    level, resamples, seed
        The bootstrap of the rates' intervals (``compute_intervals``).
    intervals
        Intervals already computed (the report's), used when they hold the 12-month
        window at ``as_of`` with this level, number of resamples and seed.

    Returns
    -------
    ForecastResult

    Raises
    ------
    OptionError
        For ``horizon_months`` out of range, or an ``as_of`` without a year of data before it.

    Examples
    --------
    >>> import revenue_retention as rr
    >>> result = rr.compute_forecast(rr.load("mrr.csv"), horizon_months=12)  # doctest: +SKIP
    >>> result.scenario("floor").ending_mrr  # doctest: +SKIP
    Decimal('1043210.55')
    """
    OptionError.check_whole("horizon_months", horizon_months, 1, MAX_MONTHS)
    months = horizon_months
    start = as_of_month(as_of, "as_of")
    return _forecast(
        data,
        months,
        data.months.last if start is None else start,
        level,
        resamples,
        seed,
        intervals,
    )


def _forecast(
    data: Dataset,
    months: int,
    as_of: int,
    level: float,
    resamples: int,
    seed: int,
    intervals: UncertaintyResult | None,
) -> ForecastResult:
    """``compute_forecast`` from the month index ``as_of``, its arguments checked."""
    if not data.months.first + BASE_MONTHS <= as_of <= data.months.last:
        raise OptionError(
            "as_of",
            month_label(as_of),
            f"needs {BASE_MONTHS} months of data before it to project from (data: {data.months})",
        )
    origin = as_of - BASE_MONTHS
    has_backtest = origin - BASE_MONTHS >= data.months.first
    # Only the two years the rates and the backtest read: 12 windows over every month of
    # a long history would be twelve retention tables for nothing.
    months_range = MonthRange(max(data.months.first, origin - BASE_MONTHS), as_of)
    rows = retention(data, months_range, list(range(1, BASE_MONTHS + 1)))
    wanted = (rows.window_months == BASE_MONTHS) & rows.as_of_index.isin([as_of, origin])
    wanted |= rows.as_of_index - rows.window_months == origin
    found = data.con.to_pyarrow(rows.filter(wanted)).to_pylist()
    by_key = {(r["as_of_index"], r["window_months"]): r for r in found}

    table = data.table
    table = table.filter(table.month_index.between(origin, as_of))
    # One row per customer and month: a row with MRR 0 is a customer not paying.
    per_month = table.group_by("month_index").agg(
        mrr=table.mrr.sum(), customers=(table.mrr > 0).sum()
    )
    month_rows = data.con.to_pyarrow(per_month).to_pylist()
    totals = {r["month_index"]: Decimal(r["mrr"]) for r in month_rows}
    paying = {r["month_index"]: int(r["customers"]) for r in month_rows}
    rates = _rates_at(as_of, totals, by_key.get((as_of, BASE_MONTHS)), paying.get(as_of, 0))

    fits = (
        intervals is not None
        and (intervals.level, intervals.resamples, intervals.seed) == (level, resamples, seed)
        and intervals.get(as_of, BASE_MONTHS) is not None
    )
    if not fits or intervals is None:
        intervals = compute_intervals(
            data,
            as_of=month_start(as_of),
            window_months=BASE_MONTHS,
            level=level,
            resamples=resamples,
            seed=seed,
        )
    now = intervals.get(as_of, BASE_MONTHS)
    scenarios = tuple(
        _projection(rates, s, months, *_ends(now, s)) for s in SCENARIOS if _has(rates, s)
    )

    backtest, note = None, None
    if not has_backtest:
        note = (
            f"No backtest: a projection made at {month_label(origin)} needs a full year of "
            f"data before it (data: {data.months})."
        )
    else:
        then = _rates_at(origin, totals, by_key.get((origin, BASE_MONTHS)), paying.get(origin, 0))
        then_intervals = compute_intervals(
            data,
            as_of=month_start(origin),
            window_months=BASE_MONTHS,
            level=level,
            resamples=resamples,
            seed=seed,
        ).get(origin, BASE_MONTHS)
        backtest = _backtest(then, by_key, totals, then_intervals)
        if backtest is None:
            note = f"No backtest: no customer paid 12 months before {month_label(origin)}."
    return ForecastResult(
        input=data.report,
        months=months,
        rates=rates,
        level=float(level),
        resamples=resamples,
        seed=seed,
        scenarios=scenarios,
        backtest=backtest,
        backtest_note=note,
    )


def _has(rates: Rates, scenario: str) -> bool:
    return (rates.grr if scenario == "floor" else rates.nrr) is not None


def _ends(intervals: Any, scenario: str) -> tuple[float | None, float | None]:
    if intervals is None:
        return None, None
    rate = intervals.grr if scenario == "floor" else intervals.nrr
    return rate.low, rate.high


def _backtest(
    then: Rates,
    by_key: dict[tuple[int, int], dict[str, Any]],
    totals: dict[int, Decimal],
    intervals: Any,
) -> Backtest | None:
    if then.grr is None or then.nrr is None:
        return None
    scenarios = []
    for scenario in SCENARIOS:
        path = []
        for h in range(1, BASE_MONTHS + 1):
            month = then.as_of + h
            row = by_key[(month, h)]
            if scenario == "floor":
                actual = row["starting_mrr"] - row["churn"] - row["contraction"]
            elif scenario == "base":
                actual = row["ending_mrr"]
            else:
                actual = totals.get(month, Decimal(0))
            path.append((month, _cents(project(then, scenario, h)), Decimal(actual)))
        low, high = _interval(then, scenario, BASE_MONTHS, *_ends(intervals, scenario))
        scenarios.append(
            BacktestScenario(
                scenario, SCENARIOS[scenario][0], _COMPARED[scenario], tuple(path), low, high
            )
        )
    return Backtest(then, tuple(scenarios))
