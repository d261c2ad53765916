"""Two months side by side: every headline figure at the as-of month and at another (§2-3).

Read from a ``MetricsResult``, which already holds every month's bridge row and every
as-of month's retention row: nothing is recomputed, so the two columns are the very
figures ``metrics`` reports for each month.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.errors import OptionError
from revenue_retention.metrics import MOVEMENTS
from revenue_retention.metrics.spec import RETENTION_MONEY
from revenue_retention.periods import month_label, parse_month

__all__ = ["BRIDGE_FIGURES", "WINDOW_FIGURES", "Comparison", "compare_months"]

#: Figures of each window's retention row, compared (METRICS.md §3).
WINDOW_FIGURES = ("grr", "nrr", "logo_retention", "customers", *RETENTION_MONEY)
#: Figures of the month's bridge row, compared (METRICS.md §2).
BRIDGE_FIGURES = ("opening_mrr", *MOVEMENTS, "closing_mrr")


@dataclass(frozen=True)
class Comparison:
    """Each headline figure at ``as_of`` and at ``compared``, with the change.

    ``figures``: one dict per figure, ``table`` (``retention`` or ``bridge``),
    ``window_months`` (None for the bridge), ``figure``, ``as_of_value``,
    ``compared_value`` and ``change`` (as-of minus compared; exact for money and counts,
    a difference of rates for rates; None when either is missing: a window that does not
    fit before the compared month, an empty cohort).
    """

    as_of: int
    compared: int
    figures: list[dict[str, Any]]


def _change(now: Any, then: Any) -> Any:
    if now is None or then is None:
        return None
    if isinstance(now, float) or isinstance(then, float):
        return float(now) - float(then)
    return now - then


def compare_months(result: MetricsResult, compared: int | str) -> Comparison:
    """The headline figures of ``result`` at its as-of month and at ``compared``.

    Parameters
    ----------
    result
        A ``compute_metrics`` result.
    compared
        The other month (index or ``"YYYY-MM"``), inside the analysed months and before
        the as-of month.

    Returns
    -------
    Comparison

    Raises
    ------
    OptionError
        ``compared`` is not a month, is the as-of month or later, or is before the data.
    """
    month = parse_month(compared, "compared") if isinstance(compared, str) else compared
    months = result.input.months
    as_of = months.last
    if not months.first <= month < as_of:
        raise OptionError(
            "compared",
            month_label(month),
            f"must be a month from {month_label(months.first)} to "
            f"{month_label(as_of - 1)}: before the as-of month {month_label(as_of)}, "
            "within the data",
        )
    retention = {(r["as_of_index"], r["window_months"]): r for r in result.retention.to_pylist()}
    bridge = {r["month_index"]: r for r in result.bridge.to_pylist()}
    figures: list[dict[str, Any]] = []
    for k in sorted(result.windows, reverse=True):
        now, then = retention.get((as_of, k)), retention.get((month, k))
        for name in WINDOW_FIGURES:
            a = None if now is None else now[name]
            b = None if then is None else then[name]
            figures.append(_figure("retention", k, name, a, b))
    now_row, then_row = bridge.get(as_of), bridge.get(month)
    for name in BRIDGE_FIGURES:
        a = None if now_row is None else now_row[name]
        b = None if then_row is None else then_row[name]
        figures.append(_figure("bridge", None, name, a, b))
    return Comparison(as_of=as_of, compared=month, figures=figures)


def _figure(table: str, window: int | None, name: str, now: Any, then: Any) -> dict[str, Any]:
    return {
        "table": table,
        "window_months": window,
        "figure": name,
        "as_of_value": now,
        "compared_value": then,
        "change": _change(now, then),
    }
