"""Seasonality: quarterly retention by quarter of year, bridge movements by month of year."""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from revenue_retention.analyses._result import Result
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.defaults import DEFAULT_MIN_SWING_PP, DEFAULT_SWING_RATIO
from revenue_retention.errors import OptionError
from revenue_retention.metrics import MOVEMENTS, bridge, retention
from revenue_retention.metrics._common import resolve
from revenue_retention.metrics.spec import rate
from revenue_retention.periods import MonthRange

__all__ = [
    "DEFAULT_MIN_SWING_PP",
    "DEFAULT_SWING_RATIO",
    "SWING_ID",
    "SeasonalityResult",
    "SwingCheck",
    "compute_seasonality",
    "month_of_year",
    "quarter_ends",
    "quarter_of_year",
]

#: Stable identifier of the seasonality diagnostic (METRICS.md §7).
SWING_ID = "seasonal_swing"
QUARTER_MONTHS = 3
ANNUAL_MONTHS = 12
_RATES = ("grr", "nrr")
_EPS = 1e-12


def quarter_ends(data: Dataset | ir.Table, months: MonthRange | None = None) -> ir.Table:
    """Quarterly (k = 3) and annual (k = 12) cohort-method retention at every quarter end.

    The quarterly window ending at March, June, September or December covers exactly
    the calendar quarter (METRICS.md §3); the annual window ending at the same month is
    beside it (null when the data do not reach 12 months back).

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical table together with ``months``.
    months
        The months analysed (default: the dataset's).

    Returns
    -------
    ibis.expr.types.Table
        ``as_of_index, year, quarter, customers, starting_mrr, grr, nrr,
        annual_customers, annual_starting_mrr, annual_grr, annual_nrr``, ordered by month.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> dec, mar = month_index(2023, 12), month_index(2024, 3)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "b", "a"], "month_index": [dec, dec, mar],
    ...                             "mrr": [100, 100, 150]})).cast({"mrr": "decimal(38, 6)"})
    >>> row = quarter_ends(t, MonthRange(dec, mar)).to_pyarrow().to_pylist()[0]
    >>> row["year"], row["quarter"], row["grr"], row["nrr"], row["annual_grr"]
    (2024, 1, 0.5, 0.75, None)
    """
    table, months = resolve(data, months)
    rates = retention(table, months, windows=(QUARTER_MONTHS, ANNUAL_MONTHS))
    # month_index % 3 == 2 is March, June, September, December (month_index % 12 == month - 1).
    at_ends = rates.filter(rates.as_of_index % 3 == 2)
    quarterly = at_ends.filter(at_ends.window_months == QUARTER_MONTHS)
    annual = at_ends.filter(at_ends.window_months == ANNUAL_MONTHS).select(
        y_as_of=at_ends.as_of_index,
        annual_customers=at_ends.customers,
        annual_starting_mrr=at_ends.starting_mrr,
        annual_grr=at_ends.grr,
        annual_nrr=at_ends.nrr,
    )
    joined = quarterly.left_join(annual, quarterly.as_of_index == annual.y_as_of)
    return joined.select(
        as_of_index=joined.as_of_index,
        year=(joined.as_of_index // 12).cast("int64"),
        quarter=(joined.as_of_index % 12 // 3 + 1).cast("int64"),
        customers=joined.customers,
        starting_mrr=joined.starting_mrr,
        grr=joined.grr,
        nrr=joined.nrr,
        annual_customers=joined.annual_customers,
        annual_starting_mrr=joined.annual_starting_mrr,
        annual_grr=joined.annual_grr,
        annual_nrr=joined.annual_nrr,
    ).order_by("as_of_index")


def quarter_of_year(data: Dataset | ir.Table, months: MonthRange | None = None) -> ir.Table:
    """Quarterly GRR and NRR per quarter of year (Q1..Q4) across years, beside the annual ones.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical table together with ``months``.
    months
        The months analysed (default: the dataset's).

    Returns
    -------
    ibis.expr.types.Table
        One row per quarter 1..4 (present even without data): ``quarter, quarters`` (how
        many quarterly figures), ``grr_mean, grr_min, grr_max, nrr_mean, nrr_min, nrr_max``,
        then ``annual_figures`` and the same six statistics of the annual (k = 12) rates
        at the same quarter ends, ``annual_grr_mean`` ... Means are plain (each year
        weighs the same); null rates (no starting MRR) are left out.
    """
    return _per_quarter(quarter_ends(data, months))


def _per_quarter(ends: ir.Table) -> ir.Table:
    """The aggregation of ``quarter_of_year`` over a ``quarter_ends`` table."""
    stats: dict[str, ir.Value] = {
        "quarters": ends.grr.count(),
        "annual_figures": ends.annual_grr.count(),
    }
    for prefix in ("", "annual_"):
        for name in _RATES:
            column = ends[prefix + name]
            stats[f"{prefix}{name}_mean"] = column.mean()
            stats[f"{prefix}{name}_min"] = column.min()
            stats[f"{prefix}{name}_max"] = column.max()
    per_quarter = ends.group_by(q=ends.quarter).agg(**stats)
    spine = ibis.memtable(pa.table({"quarter": pa.array([1, 2, 3, 4], pa.int64())}))
    joined = spine.left_join(per_quarter, spine.quarter == per_quarter.q)
    return joined.select(
        "quarter",
        quarters=joined.quarters.fill_null(0),
        **{name: joined[name] for name in stats if name not in ("quarters", "annual_figures")},
        annual_figures=joined.annual_figures.fill_null(0),
    ).order_by("quarter")


def month_of_year(data: Dataset | ir.Table, months: MonthRange | None = None) -> ir.Table:
    """Each bridge movement as a share of opening MRR, averaged per calendar month.

    For every bridge month (METRICS.md §2) the share is movement / opening MRR; the mean
    over the years of each calendar month shows when new business, reactivation,
    expansion, contraction and churn happen. Months with no opening MRR are left out.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical table together with ``months``.
    months
        The months analysed (default: the dataset's).

    Returns
    -------
    ibis.expr.types.Table
        One row per calendar month 1..12 (present even without data): ``month, months``
        (how many bridge months were averaged), then ``new, reactivation, expansion,
        contraction, churn``: mean shares (null without data).
    """
    moves = bridge(data, months)
    shares = moves.select(
        calendar_month=(moves.month_index % 12 + 1).cast("int64"),
        opening=moves.opening_mrr,
        **{name: rate(moves[name], moves.opening_mrr) for name in MOVEMENTS},
    )
    shares = shares.filter(shares.opening > 0)
    per_month = shares.group_by("calendar_month").agg(
        months=shares.count(), **{name: shares[name].mean() for name in MOVEMENTS}
    )
    spine = ibis.memtable(pa.table({"month": pa.array(range(1, 13), pa.int64())}))
    joined = spine.left_join(per_month, spine.month == per_month.calendar_month)
    return joined.select(
        "month",
        months=joined.months.fill_null(0),
        **{name: joined[name] for name in MOVEMENTS},
    ).order_by("month")


@dataclass(frozen=True)
class SwingCheck:
    """The seasonality diagnostic for one rate, with every input of its rule (METRICS.md §7).

    Rule: flagged when ``quarterly_spread`` (highest minus lowest quarter-of-year mean of
    the quarterly rate) is more than ``swing_ratio`` times ``annual_spread`` (highest minus
    lowest annual rate over the same quarter ends) *and* at least ``min_swing_pp``
    percentage points. ``flagged`` is None, with ``reason``, when the data cannot say:
    a quarter of the year has no quarterly figure, or fewer than two annual figures exist.
    Spreads and ``threshold`` are fractions (0.02 = 2 points) like every rate.
    """

    rate: str
    quarterly_spread: float | None
    highest_quarter: int | None
    lowest_quarter: int | None
    annual_spread: float | None
    annual_figures: int
    swing_ratio: float
    min_swing_pp: float
    threshold: float | None
    flagged: bool | None
    reason: str


@dataclass(frozen=True, repr=False)
class SeasonalityResult(Result):
    """Executed seasonality tables of one dataset and the ``seasonal_swing`` flag.

    ``quarters``: ``quarter_ends``; ``by_quarter``: ``quarter_of_year``; ``by_month``:
    ``month_of_year``; ``swings``: the GRR and NRR checks. ``seasonal_swing`` is True when
    either rate is flagged, False when both were checked and neither is, else None.
    """

    input: InputReport
    months: MonthRange
    swing_ratio: float
    min_swing_pp: float
    quarters: pa.Table
    by_quarter: pa.Table
    by_month: pa.Table
    swings: tuple[SwingCheck, ...]

    @property
    def seasonal_swing(self) -> bool | None:
        flags = [s.flagged for s in self.swings]
        if any(flags):
            return True
        return False if all(f is False for f in flags) else None


def _swing(
    name: str, by_quarter: pa.Table, quarters: pa.Table, swing_ratio: float, min_swing_pp: float
) -> SwingCheck:
    """Apply the rule of ``SwingCheck`` to one rate; the tables hold at most a few dozen rows.

    Defines: seasonality, quarterly rates swing far more than the annual one (METRICS.md §7).
    """
    means = by_quarter.column(f"{name}_mean").to_pylist()
    numbers = by_quarter.column("quarter").to_pylist()
    present = [(mean, q) for q, mean in zip(numbers, means, strict=True) if mean is not None]
    # Annual figures at the quarter ends that have a quarterly figure: the same span.
    same_span = quarters.filter(
        pc.and_(pc.is_valid(quarters.column(name)), pc.is_valid(quarters.column(f"annual_{name}")))
    ).column(f"annual_{name}")
    annual_figures = len(same_span)
    quarterly_spread = highest = lowest = annual_spread = threshold = None
    if len(present) == 4:
        # On a tie the earlier quarter is named.
        high = max(present, key=lambda item: item[0])
        low = min(present, key=lambda item: item[0])
        quarterly_spread, highest, lowest = high[0] - low[0], high[1], low[1]
    if annual_figures >= 2:
        bounds = pc.min_max(same_span).as_py()
        annual_spread = bounds["max"] - bounds["min"]
    flagged: bool | None = None
    if quarterly_spread is None:
        missing = ", ".join(f"Q{q}" for q in range(1, 5) if means[q - 1] is None)
        reason = f"no quarterly {name.upper()} for {missing}: needs a full year of quarters"
    elif annual_spread is None:
        reason = (
            f"{annual_figures} annual {name.upper()} figure(s) at quarter ends; needs two "
            "to measure the annual spread (16 to 18 months of data)"
        )
    else:
        threshold = max(swing_ratio * annual_spread, min_swing_pp / 100)
        # _EPS absorbs float noise, so that equal spreads compare as the rule says.
        flagged = quarterly_spread > swing_ratio * annual_spread + _EPS and (
            quarterly_spread >= min_swing_pp / 100 - _EPS
        )
        reason = (
            f"quarterly {name.upper()} ranges {quarterly_spread * 100:.1f} points across "
            f"quarters of the year (Q{highest} highest, Q{lowest} lowest), annual "
            f"{annual_spread * 100:.1f} points; flagged above {swing_ratio:g} x annual "
            f"and at least {min_swing_pp:g} points"
        )
    return SwingCheck(
        rate=name,
        quarterly_spread=quarterly_spread,
        highest_quarter=highest,
        lowest_quarter=lowest,
        annual_spread=annual_spread,
        annual_figures=annual_figures,
        swing_ratio=swing_ratio,
        min_swing_pp=min_swing_pp,
        threshold=threshold,
        flagged=flagged,
        reason=reason,
    )


def compute_seasonality(
    data: Dataset,
    *,
    swing_ratio: float = DEFAULT_SWING_RATIO,
    min_swing_pp: float = DEFAULT_MIN_SWING_PP,
) -> SeasonalityResult:
    """Run the seasonality analysis of ``data`` on its engine (METRICS.md §3, §7).

    (a) Quarterly GRR and NRR at every quarter end, summarised per quarter of year beside
    the annual rates at the same months; (b) the month-of-year pattern of each bridge
    movement; (c) the ``seasonal_swing`` diagnostic, one ``SwingCheck`` per rate.

    Parameters
    ----------
    data
        A dataset from ``load``.
    swing_ratio
        How many times the annual spread the quarterly spread must exceed (> 0).
    min_swing_pp
        The least quarterly spread flagged, in percentage points (>= 0).

    Returns
    -------
    SeasonalityResult

    Raises
    ------
    OptionError
        ``swing_ratio`` is not positive or ``min_swing_pp`` is negative.
    """
    above = "must be a finite number above 0"
    if not OptionError.check_finite("swing_ratio", swing_ratio, above) > 0:
        raise OptionError("swing_ratio", swing_ratio, above)
    points = "must be a finite number of percentage points, 0 or more"
    if not OptionError.check_finite("min_swing_pp", min_swing_pp, points) >= 0:
        raise OptionError("min_swing_pp", min_swing_pp, points)
    quarters = data.con.to_pyarrow(quarter_ends(data))
    # Summarise the executed quarter ends instead of running the retention a second time.
    by_quarter = data.con.to_pyarrow(_per_quarter(ibis.memtable(quarters)))
    return SeasonalityResult(
        input=data.report,
        months=data.months,
        swing_ratio=swing_ratio,
        min_swing_pp=min_swing_pp,
        quarters=quarters,
        by_quarter=by_quarter,
        by_month=data.con.to_pyarrow(month_of_year(data)),
        swings=tuple(
            _swing(name, by_quarter, quarters, swing_ratio, min_swing_pp) for name in _RATES
        ),
    )
