"""Everything the report shows, computed once: one frozen bundle of every analysis.

The HTML report, the Excel workbook and their tests all read the same ``Overview``, so a
figure cannot differ between them: each comes from the analysis that owns it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from revenue_retention.analyses._result import Result
from revenue_retention.analyses.benchmarks import Benchmarks, load_benchmarks
from revenue_retention.analyses.cohort_groups import CohortGroups, cohort_groups
from revenue_retention.analyses.cohorts import CohortResult, Grain, compute_cohorts
from revenue_retention.analyses.concentration import ConcentrationResult, compute_concentration
from revenue_retention.analyses.customers import CustomerDirectory, customer_directory
from revenue_retention.analyses.decompose import DecomposeResult, compute_decomposition
from revenue_retention.analyses.diagnostics import Diagnosis, compute_diagnosis
from revenue_retention.analyses.explain import ExplainResult, compute_explain
from revenue_retention.analyses.forecast import ForecastResult, compute_forecast
from revenue_retention.analyses.growth import GrowthResult, compute_growth
from revenue_retention.analyses.methods import MethodsResult, compute_methods
from revenue_retention.analyses.seasonality import SeasonalityResult, compute_seasonality
from revenue_retention.analyses.summary import MetricsResult, compute_metrics
from revenue_retention.analyses.uncertainty import (
    DEFAULT_RESAMPLES,
    UncertaintyResult,
    compute_intervals,
)
from revenue_retention.analyses.units import METRICS_TABLES, check_unit, in_arr, scale_result
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.errors import OptionError, RetentionError
from revenue_retention.metrics import DEFAULT_WINDOWS
from revenue_retention.metrics.groups import SIZE_BAND, check_groups
from revenue_retention.periods import MonthRange, month_label

__all__ = [
    "COHORT_ROWS",
    "SEGMENT_CANDIDATES",
    "STEPS",
    "Overview",
    "Step",
    "cohort_grain",
    "compute_overview",
    "segment_attribute",
]

#: Attributes tried, in order, for the segment breakdown when none is named.
SEGMENT_CANDIDATES = ("segment", "plan", "tier", "region", "country", "industry")

#: Called before each step with its name and the number of steps, for progress displays.
Step = Callable[[str, int], None]

_T = TypeVar("_T")

#: How many analyses ``compute_overview`` runs (each announced to ``step``).
STEPS = 15
#: At most this many acquisition cohorts (rows of the heatmap): months, else quarters, else
#: years of first payment, so that a long history stays a readable grid.
COHORT_ROWS = 40


@dataclass(frozen=True, repr=False)
class Overview(Result):
    """Every analysis of one dataset for one headline window, executed.

    ``metrics`` holds the bridge and cohort retention for windows 1, 3 and ``window``;
    ``segments`` the same broken down by ``segment_by``; each other field is the result
    of the analysis of the same name for the window of ``window`` months ending at
    ``as_of``. An analysis the data cannot support (no product line items for the
    decomposition, too few months) is ``None`` with its reason in ``skipped``.
    ``window`` is ``requested_window`` unless the data is too short for it: then the
    longest window it has (``shortened`` is True).
    """

    input: InputReport
    as_of: int
    window: int
    metrics: MetricsResult
    segment_by: str
    segments: MetricsResult
    diagnosis: Diagnosis | None
    intervals: UncertaintyResult | None
    cohorts_nrr: CohortResult
    cohorts_logo: CohortResult
    concentration: ConcentrationResult | None
    decomposition: DecomposeResult | None
    seasonality: SeasonalityResult
    methods: MethodsResult | None
    explain: ExplainResult | None
    benchmarks: Benchmarks
    #: Analysis name -> why it is missing.
    skipped: dict[str, str]
    #: The window asked for; ``window`` is shorter when the data does not reach that far.
    requested_window: int = 12
    #: MRR 12 months ahead (``analyses.forecast``); ``None`` with less than a year of data.
    forecast: ForecastResult | None = None
    #: Growth, churn rates by definition, ARPA and seat retention of the window (no LTV:
    #: the report is given no gross margin).
    growth: GrowthResult | None = None
    #: Acquisition cohorts split by ``segment_by`` (``cohorts --by``); ``None`` when the
    #: breakdown is by MRR band, which is not a customer's attribute at its first payment.
    cohort_groups: CohortGroups | None = None
    #: The report's searchable customer table: the largest customers and their months.
    customers: CustomerDirectory | None = None
    #: ``mrr``, or ``arr``: every amount of recurring revenue x 12 (``in_arr``).
    unit: str = "mrr"

    def in_arr(self) -> Overview:
        """The ARR view: every amount of recurring revenue x 12, exact; rates unchanged.

        Each analysis is scaled as its own command's ``--unit arr`` scales it, so the
        report's figures are 12 x those of its MRR view to the cent, and equal to
        ``retention metrics --unit arr`` (and the other commands') JSON. What the input
        holds (money read, accepted, rejected), seat counts, LTV and the benchmarks keep
        their values.
        """
        if self.unit == "arr":
            return self
        scaled = {
            name: scale_result(value)
            for name in _MONEY_RESULTS
            if (value := getattr(self, name)) is not None
        }
        return dataclasses.replace(
            self,
            unit="arr",
            metrics=in_arr(self.metrics, METRICS_TABLES),
            segments=in_arr(self.segments, METRICS_TABLES),
            growth=self.growth.in_arr() if self.growth is not None else None,
            **scaled,
        )

    @property
    def as_of_label(self) -> str:
        return month_label(self.as_of)

    @property
    def shortened(self) -> bool:
        """Whether the data was too short for the window asked for (``window`` is less)."""
        return self.window < self.requested_window


#: The fields of an ``Overview`` holding amounts, scaled whole in ARR (``scale_result``); the
#: diagnosis, the intervals and the benchmarks hold rates only.
_MONEY_RESULTS = (
    "cohorts_nrr",
    "cohorts_logo",
    "concentration",
    "decomposition",
    "seasonality",
    "methods",
    "explain",
    "forecast",
    "cohort_groups",
    "customers",
)


def segment_attribute(data: Dataset, by: str | None = None) -> str:
    """The attribute to break figures down by: ``by``, else the first usual one, else size."""
    if by is not None:
        return check_groups([by], data.attributes)[0]
    lowered = {a.lower(): a for a in data.attributes}
    return next((lowered[c] for c in SEGMENT_CANDIDATES if c in lowered), SIZE_BAND)


def cohort_grain(months: MonthRange) -> Grain:
    """Month cohorts, or quarters or years when there would be more than ``COHORT_ROWS``."""
    span = months.last - months.first + 1
    if span <= COHORT_ROWS:
        return "month"
    return "quarter" if span <= 3 * COHORT_ROWS else "year"


def compute_overview(
    data: Dataset,
    *,
    window_months: int = 12,
    by: str | None = None,
    level: float = 0.9,
    resamples: int = DEFAULT_RESAMPLES,
    benchmarks: Benchmarks | None = None,
    step: Step | None = None,
    unit: str = "mrr",
) -> Overview:
    """Compute every analysis the report shows, each once.

    Parameters
    ----------
    data
        A dataset from ``load``.
    window_months
        The headline window in months (12: the annual figures benchmarks are for). When
        the data is shorter, the longest window it supports (``Overview.shortened``).
    by
        The attribute of the segment breakdown (default: ``segment``, ``plan`` ... if
        present, else starting-MRR size bands).
    level, resamples
        The bootstrap interval of the headline rates (METRICS.md §7).
    benchmarks
        Bands and medians (default: the built-in file).
    step
        Called as ``step(name, total)`` before each analysis runs.
    unit
        ``mrr``, or ``arr``: every amount x 12, exact (``Overview.in_arr``).

    Raises
    ------
    OptionError
        The data has a single month (no window at all), ``window_months`` is below 1, or ``by``
        is not an attribute.
    """
    longest = data.months.last - data.months.first
    if window_months < 1:
        raise OptionError("window_months", str(window_months), "must be 1 month or more")
    if longest < 1:
        raise OptionError(
            "window_months",
            str(window_months),
            f"needs at least 2 months of data; the data covers {data.months} only",
        )
    chosen_unit = check_unit(unit)
    requested, window = window_months, min(window_months, longest)
    benchmarks = benchmarks or load_benchmarks()
    segment_by = segment_attribute(data, by)
    as_of = data.months.last
    windows: Sequence[int] = sorted({*DEFAULT_WINDOWS, window})
    skipped: dict[str, str] = {}

    def run(name: str, compute: Callable[[], _T]) -> _T:
        if step is not None:
            step(name, STEPS)
        return compute()

    def optional(name: str, compute: Callable[[], _T]) -> _T | None:
        # A data shape the analysis cannot read (no product lines, too short) is a
        # reason to leave it out of the report, said there, not a failed report.
        try:
            return run(name, compute)
        except RetentionError as error:
            skipped[name] = str(error)
            return None

    metrics = run("bridge and retention", lambda: compute_metrics(data, window_months=windows))
    segments = run("segments", lambda: compute_metrics(data, window_months=window, by=[segment_by]))
    intervals = optional(
        "confidence intervals",
        # as_of: the data's last month, the default.
        lambda: compute_intervals(data, window_months=window, level=level, resamples=resamples),
    )
    grain = cohort_grain(data.months)
    cohorts_nrr = run("cohorts", lambda: compute_cohorts(data, metric="nrr", grain=grain))
    cohorts_logo = run("cohorts (logos)", lambda: compute_cohorts(data, metric="logo", grain=grain))
    by_group = (
        optional("cohorts by segment", lambda: cohort_groups(data, segment_by, grain=grain))
        if segment_by in data.attributes
        else None
    )
    concentration = optional(
        "concentration", lambda: compute_concentration(data, window_months=window)
    )
    decomposition = optional(
        "decomposition", lambda: compute_decomposition(data, window_months=window)
    )
    seasonal = run("seasonality", lambda: compute_seasonality(data))
    methods = optional("methods", lambda: compute_methods(data, window_months=window))
    explain = optional("customers", lambda: compute_explain(data, window_months=window))
    growth = optional("growth", lambda: compute_growth(data, window_months=window))
    directory = optional("customer table", lambda: customer_directory(data))
    # Last, so that it reuses what is already computed instead of computing it again.
    known = {
        "concentration": concentration,
        "decomposition": decomposition,
        "seasonality": seasonal,
        "intervals": intervals,
    }
    diagnosis = optional(
        "diagnostics",
        lambda: compute_diagnosis(data, window_months=window, benchmarks=benchmarks, known=known),
    )
    ahead = optional(
        "forecast",
        lambda: compute_forecast(
            data, horizon_months=12, level=level, resamples=resamples, intervals=intervals
        ),
    )
    result = Overview(
        input=data.report,
        as_of=as_of,
        window=window,
        metrics=metrics,
        segment_by=segment_by,
        segments=segments,
        diagnosis=diagnosis,
        intervals=intervals,
        cohorts_nrr=cohorts_nrr,
        cohorts_logo=cohorts_logo,
        concentration=concentration,
        decomposition=decomposition,
        seasonality=seasonal,
        methods=methods,
        explain=explain,
        benchmarks=benchmarks,
        skipped=skipped,
        requested_window=requested,
        forecast=ahead,
        growth=growth,
        cohort_groups=by_group,
        customers=directory,
    )
    return result.in_arr() if chosen_unit == "arr" else result
