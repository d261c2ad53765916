"""Acquisition cohorts: retention of each cohort of new customers by age (METRICS.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import pyarrow as pa

from revenue_retention.analyses._result import Result
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.metrics.cohorts import (
    Grain,
    RelativeTo,
    check_choice,
    cohort_retention,
    cohort_sizes,
)
from revenue_retention.periods import MonthRange

__all__ = [
    "CohortResult",
    "Grain",
    "Metric",
    "RelativeTo",
    "cohort_label",
    "cohort_retention",
    "cohort_sizes",
    "compute_cohorts",
]

Metric = Literal["nrr", "grr", "logo", "mrr"]


def cohort_label(cohort_index: int, grain: Grain) -> str:
    """The label of the cohort starting at month index ``cohort_index``.

    >>> from revenue_retention.periods import month_index
    >>> [cohort_label(month_index(2024, 4), g) for g in ("month", "quarter", "year")]
    ['2024-04', '2024-Q2', '2024']
    """
    year, month0 = divmod(cohort_index, 12)
    if grain == "month":
        return f"{year:04d}-{month0 + 1:02d}"
    if grain == "quarter":
        return f"{year:04d}-Q{month0 // 3 + 1}"
    return f"{year:04d}"


@dataclass(frozen=True, repr=False)
class CohortResult(Result):
    """Executed cohort x age retention and cohort sizes of one dataset (METRICS.md §3).

    ``cohorts`` has the columns of ``cohort_retention`` plus ``value`` (the chosen
    ``metric``'s column: a float rate, or the exact MRR for ``"mrr"``); ``sizes`` those of
    ``cohort_sizes``. ``months`` is the analysed range: the cohort of its first month also
    holds every customer already paying then (the opening balance), not only new ones.
    """

    input: InputReport
    metric: Metric
    grain: Grain
    relative_to: RelativeTo
    months: MonthRange
    cohorts: pa.Table
    sizes: pa.Table

    def label(self, cohort_index: int) -> str:
        """The cohort's label at this result's grain (``2024-01``, ``2024-Q1``, ``2024``)."""
        return cohort_label(cohort_index, self.grain)


_VALUE_COLUMN = {"nrr": "nrr", "grr": "grr", "logo": "logo_retention", "mrr": "mrr"}


def compute_cohorts(
    data: Dataset,
    *,
    metric: Metric = "nrr",
    grain: Grain = "month",
    relative_to: RelativeTo = "first",
) -> CohortResult:
    """Run the acquisition cohort analysis of ``data`` on its engine.

    Parameters
    ----------
    data
        A dataset from ``load``.
    metric
        The figure shown per cohort and age (``value``): ``"nrr"``, ``"grr"``, ``"logo"``
        (logo retention) or ``"mrr"``; every figure is computed either way.
    grain
        Cohorts of a ``"month"``, ``"quarter"`` or ``"year"`` of first payment.
    relative_to
        ``"first"``: ratios to the first paying month; ``"month1"``: to the month after,
        ignoring first-month drop-off (see ``cohort_retention``).

    Returns
    -------
    CohortResult

    Raises
    ------
    OptionError
        An unknown ``metric``, ``grain`` or ``relative_to``.
    """
    check_choice(metric, get_args(Metric), "metric")
    cohorts = data.con.to_pyarrow(cohort_retention(data, grain=grain, relative_to=relative_to))
    cohorts = cohorts.append_column("value", cohorts.column(_VALUE_COLUMN[metric]))
    return CohortResult(
        input=data.report,
        metric=metric,
        grain=grain,
        relative_to=relative_to,
        months=data.months,
        cohorts=cohorts,
        sizes=data.con.to_pyarrow(cohort_sizes(data, grain=grain)),
    )
