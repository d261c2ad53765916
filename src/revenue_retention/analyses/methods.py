"""Every retention method of METRICS.md §3-4 for one window, side by side, with why they differ."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis

from revenue_retention.analyses._result import Result
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.defaults import WINDOW_MONTHS
from revenue_retention.errors import OptionError
from revenue_retention.metrics import retention
from revenue_retention.metrics.methods import (
    METHOD_LABELS,
    METHODS,
    method_retention,
    months_needed,
)
from revenue_retention.metrics.spec import RETENTION_MONEY, RETENTION_RATES
from revenue_retention.money import format_money
from revenue_retention.periods import (
    MonthRange,
    as_of_month,
    check_window,
    month_label,
    parse_month,
)

__all__ = ["DEFAULT_WINDOW_MONTHS", "MethodFigures", "MethodsResult", "compute_methods"]

#: The window compared by default: the annual figure every method of §4 is about.
DEFAULT_WINDOW_MONTHS = WINDOW_MONTHS
_FIGURES = ("customers", *RETENTION_MONEY, *RETENTION_RATES)
#: Below half a tenth of a point, two rates read the same at the one decimal shown.
_SAME = 0.0005


@dataclass(frozen=True)
class MethodFigures:
    """One method's figures for the compared window, with one line on why they differ.

    Money is ``None`` where the method has none (compounded, chained, averaged); every
    figure is ``None`` when the data is too short for the method (``months_needed``).
    """

    method: str
    label: str
    #: Months of data, up to ``as_of``, the method needs for this window.
    months_needed: int
    customers: int | None
    starting_mrr: Decimal | None
    churn: Decimal | None
    contraction: Decimal | None
    expansion: Decimal | None
    ending_mrr: Decimal | None
    grr: float | None
    nrr: float | None
    logo_retention: float | None
    #: This method's rate minus the cohort method's (a difference of rates, not a ratio).
    grr_vs_cohort: float | None
    nrr_vs_cohort: float | None
    why: str


@dataclass(frozen=True, repr=False)
class MethodsResult(Result):
    """All methods for the window of ``window_months`` ending at ``as_of`` (METRICS.md §4)."""

    input: InputReport
    #: Month index of the end of the window.
    as_of: int
    window_months: int
    #: Months of data from the first to ``as_of``, both included.
    months_of_data: int
    #: One entry per method, in the order of ``METHODS`` (cohort, the reference, first).
    methods: tuple[MethodFigures, ...]


def _window_end(data: Dataset, as_of: int | str | None, window_months: int) -> int:
    """The as-of month index, checked against the data and the window (like ``concentration``)."""
    check_window(window_months)
    month = data.months.last if as_of is None else as_of
    if isinstance(month, str):
        month = parse_month(month)
    if not data.months.first <= month <= data.months.last:
        raise OptionError(
            "as_of", month_label(month), f"is outside the data's months ({data.months})"
        )
    # The data's own months, before any --as-of cap: could a later --as-of fit the window?
    full = MonthRange(data.months.first, data.report.data_months.last)
    have = full.last - full.first + 1
    if window_months >= have:
        raise OptionError(
            "window_months",
            window_months,
            f"is too long: the data has {have} months ({full}) and a window of "
            f"{window_months} months needs {window_months + 1}",
        )
    if month - window_months < data.months.first:
        raise OptionError(
            "window_months",
            window_months,
            f"starts at {month_label(month - window_months)}, before the data's first month "
            f"{month_label(data.months.first)}; choose a shorter window or a later {{as_of}} "
            f"(the earliest is {month_label(data.months.first + window_months)})",
        )
    return month


def _points(value: float | None, reference: float | None) -> float | None:
    return None if value is None or reference is None else value - reference


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _versus(grr_diff: float | None, nrr_diff: float | None) -> str:
    """``against the cohort method here: GRR 11.6 points lower, NRR the same``."""
    parts = []
    for name, diff in (("GRR", grr_diff), ("NRR", nrr_diff)):
        if diff is None:
            continue
        if abs(diff) < _SAME:
            parts.append(f"{name} the same")
        else:
            parts.append(f"{name} {abs(diff) * 100:.1f} points {'lower' if diff < 0 else 'higher'}")
    return f"against the cohort method here: {', '.join(parts)}" if parts else ""


def _why(
    method: str,
    row: dict[str, Any],
    cohort: dict[str, Any],
    context: dict[str, Any],
    k: int,
    as_of: int,
) -> str:
    """One line, with the numbers behind it, on how ``method`` differs from the cohort method."""
    start, end = month_label(as_of - k), month_label(as_of)
    first_inside = month_label(as_of - k + 1)
    if method == "cohort":
        return (
            f"the reference, and the headline: the {cohort['customers']:,} customers paying at "
            f"{start}, each judged only by its MRR at {end}; customers acquired inside the "
            "window are left out"
        )
    versus = _versus(row["grr_vs_cohort"], row["nrr_vs_cohort"])
    if k == 1:
        return f"on a one-month window every method is the cohort method; {versus}"
    if method == "movement":
        extra = (row["churn"] + row["contraction"]) - (cohort["churn"] + cohort["contraction"])
        losses = (
            f"{format_money(extra)} more churn and contraction than the cohort method "
            "(losses of customers acquired inside the window, and dips of customers who later "
            "regrew or came back), so GRR reads lower"
            if extra
            else "the same churn and contraction as the cohort method (no loss of a customer "
            "acquired inside the window, no dip that regrew), so the same GRR"
        )
        return (
            f"adds up the {k} monthly bridges {first_inside}..{end}: {losses}; NRR credits "
            f"the expansion of new customers but no reactivation; {versus}"
        )
    if method == "compounded":
        return (
            f"the monthly GRR of {end} ({_pct(context['monthly_grr'])}) to the power {k}, "
            f"as if every month lost as {end} did: an approximation, never the {k}-month GRR; "
            f"{versus}"
        )
    if method == "compounded_chain":
        return (
            f"the product of the {k} monthly GRRs {first_inside}..{end}: each month re-bases "
            "on that month's customers, so customers acquired inside the window count and a "
            f"customer lost and regained counts as lost; an approximation; {versus}"
        )
    if method == "trailing":
        return (
            f"revenue (sum of monthly MRR) over {first_inside}..{end} against "
            f"{month_label(as_of - 2 * k + 1)}..{start} for the {row['customers']:,} customers "
            "with revenue in the prior period: a customer acquired or lost part-way through "
            "counts with part of a period (a first full period after a late start reads as "
            f"expansion); meant for usage revenue, a revenue proxy on MRR; {versus}"
        )
    low, high = context["nrr_low"], context["nrr_high"]
    return (
        f"the mean of the {k} {k}-month cohort rates ending {first_inside}..{end} "
        f"(NRR from {_pct(low)} to {_pct(high)}): smoother, and lags a trend; {versus}"
    )


def compute_methods(
    data: Dataset,
    *,
    as_of: str | dt.date | None = None,
    window_months: int = DEFAULT_WINDOW_MONTHS,
) -> MethodsResult:
    """GRR, NRR and logo retention of one window by every method, each with why it differs.

    The window of k months ends at ``as_of``; the cohort method (METRICS.md §3) is the
    reference and every other method of §4 (see ``metrics.methods``) is computed on the
    same data up to ``as_of`` and labelled. A method the data is too short for has no
    figures and says how many months it needs.

    Parameters
    ----------
    data
        A dataset from ``load``.
    as_of
        Last month of the window: ``"YYYY-MM"``, a date, or ``None`` for the last month.
    window_months
        Length k of the window (12: the annual figures of §4).

    Returns
    -------
    MethodsResult
        One ``MethodFigures`` per method, cohort first.

    Raises
    ------
    OptionError
        ``as_of`` is outside the data, the window is out of range or starts before the data.

    Examples
    --------
    >>> import revenue_retention as rr, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "m.csv").write_text("customer_id,month,mrr\\na,2024-01,100\\na,2024-02,90\\n")
    >>> result = rr.compute_methods(rr.load(folder / "m.csv"), window_months=1)
    >>> [(m.method, m.grr) for m in result.methods][:2]
    [('cohort', 0.9), ('movement', 0.9)]
    """
    k = window_months
    month = _window_end(data, as_of_month(as_of), k)
    months = MonthRange(data.months.first, month)
    parts = []
    for method in METHODS:
        rows = method_retention(data.table, method, months, (k,))
        rows = rows.filter(rows.as_of_index == month)
        parts.append(rows.mutate(method=ibis.literal(method)))
    by_method = {r["method"]: r for r in data.con.to_pyarrow(ibis.union(*parts)).to_pylist()}
    # The rates behind the why-lines: the monthly rate at as_of, the k averaged rates.
    rates = retention(data.table, months, sorted({1, k}))
    rates = rates.filter(rates.as_of_index > month - k)
    recent = data.con.to_pyarrow(rates).to_pylist()
    averaged = [r["nrr"] for r in recent if r["window_months"] == k and r["nrr"] is not None]
    monthly = [r["grr"] for r in recent if r["window_months"] == 1 and r["as_of_index"] == month]
    context = {
        "monthly_grr": monthly[0] if monthly else None,
        "nrr_low": min(averaged, default=None),
        "nrr_high": max(averaged, default=None),
    }

    cohort = by_method["cohort"]
    have = month - data.months.first + 1
    figures = []
    for method in METHODS:
        needed = months_needed(method, k)
        found = by_method.get(method)
        # Too few months for this method: no figures, and how many months it needs.
        row = dict(found) if found else dict.fromkeys(_FIGURES)
        row["grr_vs_cohort"] = _points(row["grr"], cohort["grr"])
        row["nrr_vs_cohort"] = _points(row["nrr"], cohort["nrr"])
        why = (
            _why(method, row, cohort, context, k, month)
            if found
            else f"needs {needed} months of data up to {month_label(month)}; there are {have}"
        )
        figures.append(
            MethodFigures(
                method=method,
                label=METHOD_LABELS[method],
                months_needed=needed,
                **{name: row[name] for name in (*_FIGURES, "grr_vs_cohort", "nrr_vs_cohort")},
                why=why,
            )
        )
    return MethodsResult(
        input=data.report,
        as_of=month,
        window_months=k,
        months_of_data=have,
        methods=tuple(figures),
    )
