"""Charts of the report and of ``result.plot()``: Plotly figures built from executed results.

Every chart is a ``Chart``: an id, a title, a one-line caption, the ``go.Figure`` and its
key figures as a table (the text alternative). Figures are built from the small Arrow
tables of the results (a few hundred rows at most), never from raw data. Their traces carry
machine-readable values, so a test (or a reader's script) can check a chart against the
JSON of the ``retention`` commands: ``x`` as ``YYYY-MM`` labels or categories, ``y`` as
float rates or amounts, exact money as strings in ``customdata``, stable trace ``name``s.
Each function's docstring says which trace holds what. Colours are the Okabe-Ito palette.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from revenue_retention.analyses.benchmarks import Benchmarks, load_benchmarks
from revenue_retention.analyses.cohorts import CohortResult
from revenue_retention.analyses.concentration import ConcentrationResult
from revenue_retention.analyses.decompose import DecomposeResult
from revenue_retention.analyses.diagnostics import Diagnosis
from revenue_retention.analyses.explain import ExplainResult
from revenue_retention.analyses.methods import MethodsResult
from revenue_retention.analyses.overview import Overview
from revenue_retention.analyses.seasonality import SeasonalityResult
from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.analyses.uncertainty import UncertaintyResult
from revenue_retention.errors import OptionError
from revenue_retention.outputs.charts._common import OKABE_ITO, PALETTE, Chart
from revenue_retention.outputs.charts.breakdowns import concentration_pareto, expansion_split
from revenue_retention.outputs.charts.bridge import bridge_waterfall
from revenue_retention.outputs.charts.cohorts import cohort_heatmap
from revenue_retention.outputs.charts.comparisons import methods_compare, seasonality_quarters
from revenue_retention.outputs.charts.extras import (
    benchmark_placement,
    explain_movements,
    interval_ranges,
)
from revenue_retention.outputs.charts.movements import mrr_movements
from revenue_retention.outputs.charts.trends import retention_trend, segment_multiples

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "REPORT_CHARTS",
    "Chart",
    "benchmark_placement",
    "bridge_waterfall",
    "chart",
    "cohort_heatmap",
    "concentration_pareto",
    "expansion_split",
    "explain_movements",
    "interval_ranges",
    "methods_compare",
    "mrr_movements",
    "overview_chart",
    "report_charts",
    "retention_trend",
    "seasonality_quarters",
    "segment_multiples",
]

#: The report's charts by id, in report order: the first on the first screen, the others
#: in the analyst appendix.
REPORT_CHARTS = (
    "mrr-movements",
    "bridge-month",
    "bridge-ttm",
    "retention-trend",
    "cohort-heatmap",
    "segments",
    "concentration",
    "expansion-split",
    "seasonality",
    "methods",
)


#: The analysis (a key of ``Overview.skipped``) each optional chart is drawn from.
_ANALYSES = {
    "concentration": "concentration",
    "expansion-split": "decomposition",
    "methods": "methods",
}


def _builders(ov: Overview) -> dict[str, Callable[[], Chart] | None]:
    """How to build each report chart from ``ov``; None when its analysis is missing."""
    concentration, decomposition, methods = ov.concentration, ov.decomposition, ov.methods
    return {
        "mrr-movements": lambda: mrr_movements(ov.metrics),
        "bridge-month": lambda: bridge_waterfall(ov.metrics, 1),
        # Over the headline window: twelve months, or fewer when the data is shorter.
        "bridge-ttm": lambda: bridge_waterfall(ov.metrics, ov.window),
        "retention-trend": lambda: retention_trend(ov.metrics, ov.window, ov.benchmarks),
        "cohort-heatmap": lambda: cohort_heatmap(ov.cohorts_nrr, ov.cohorts_logo),
        "segments": lambda: segment_multiples(ov.segments, ov.segment_by, ov.window),
        "concentration": (
            (lambda: concentration_pareto(concentration)) if concentration is not None else None
        ),
        "expansion-split": (
            (lambda: expansion_split(decomposition)) if decomposition is not None else None
        ),
        "seasonality": lambda: seasonality_quarters(ov.seasonality),
        "methods": (lambda: methods_compare(methods)) if methods is not None else None,
    }


def report_charts(ov: Overview, left_out: dict[str, str] | None = None) -> list[Chart]:
    """Every chart of the report in order, leaving out those the data cannot support.

    A chart is left out when its analysis is missing (``ov.skipped`` says why) or the data
    is too short for it; the latter's reason is put in ``left_out`` under the chart's id,
    when given.
    """
    charts = []
    for id, build in _builders(ov).items():
        if build is None:
            continue
        try:
            charts.append(build())
        except OptionError as error:
            if left_out is not None:
                left_out[id] = str(error)
    return charts


def overview_chart(ov: Overview, id: str = "retention-trend") -> Chart:
    """One chart of the report by its id (``REPORT_CHARTS``).

    Raises
    ------
    OptionError
        ``id`` is not a report chart, or its analysis is missing from ``ov``.
    """
    builders = _builders(ov)
    if id not in builders:
        raise OptionError("id", id, f"is not a chart of the report; one of {', '.join(builders)}")
    build = builders[id]
    if build is None:
        reason = ov.skipped.get(_ANALYSES.get(id, id), "its analysis is missing")
        raise OptionError("id", id, f"cannot be drawn: {reason}")
    return build()


def _metrics_chart(
    result: MetricsResult,
    kind: str = "trend",
    window: int | None = None,
    months: int = 1,
    by: str | None = None,
    benchmarks: Benchmarks | None = None,
) -> Chart:
    if window is None:
        # 12 months when the data reaches that far, else the longest window it has rows of.
        present = set(result.retention.column("window_months").to_pylist()) or set(result.windows)
        window = 12 if 12 in present else max(present)
    if kind == "trend":
        return retention_trend(result, window, benchmarks or load_benchmarks())
    if kind == "bridge":
        return bridge_waterfall(result, months)
    if kind == "movements":
        return mrr_movements(result)
    if kind == "segments":
        if not result.by:
            raise OptionError("kind", kind, "needs a result computed with by=[...]")
        return segment_multiples(result, by or result.by[0], window)
    raise OptionError("kind", kind, "must be one of trend, bridge, movements, segments")


_CHARTS: dict[type, Callable[..., Chart]] = {
    MetricsResult: _metrics_chart,
    CohortResult: cohort_heatmap,
    ConcentrationResult: concentration_pareto,
    DecomposeResult: expansion_split,
    SeasonalityResult: seasonality_quarters,
    MethodsResult: methods_compare,
    Diagnosis: benchmark_placement,
    ExplainResult: explain_movements,
    UncertaintyResult: interval_ranges,
    Overview: overview_chart,
}


def chart(result: object, **kwargs: Any) -> Chart:
    """The chart of a result, as ``result.plot(**kwargs)`` shows it.

    ``MetricsResult`` takes ``kind`` (``"trend"``, ``"bridge"``, ``"movements"`` or
    ``"segments"``),
    ``window``, ``months`` (of the bridge), ``by`` and ``benchmarks``; ``CohortResult``
    takes ``logo`` (a logo-retention ``CohortResult`` for the toggle); ``Overview`` takes
    ``id`` (one of ``REPORT_CHARTS``); the others take nothing.

    Raises
    ------
    TypeError
        ``result`` is not a result this package draws.
    OptionError
        An option does not fit the result.
    """
    build = _CHARTS.get(type(result))
    if build is None:
        raise TypeError(f"no chart for {type(result).__name__}")
    return build(result, **kwargs)
