"""Charts of the report and of ``result.plot()``: Plotly figures built from executed results.

Which chart ``plot()`` draws for a result is its presenter's choice (``outputs.registry``).

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

from revenue_retention.analyses.overview import Overview
from revenue_retention.errors import OptionError
from revenue_retention.outputs._charts import OKABE_ITO, PALETTE, Chart
from revenue_retention.outputs.cohorts.chart import cohort_group_heatmaps, cohort_heatmap
from revenue_retention.outputs.concentration.chart import concentration_pareto
from revenue_retention.outputs.decompose.chart import expansion_split
from revenue_retention.outputs.diagnose.chart import (
    benchmark_placement,
)
from revenue_retention.outputs.explain.chart import explain_movements
from revenue_retention.outputs.methods.chart import methods_compare
from revenue_retention.outputs.metrics.bridge import bridge_waterfall
from revenue_retention.outputs.metrics.movements import mrr_movements
from revenue_retention.outputs.metrics.reasons import churn_reasons_chart
from revenue_retention.outputs.metrics.trends import retention_trend, segment_multiples
from revenue_retention.outputs.seasonality.chart import seasonality_quarters
from revenue_retention.outputs.uncertainty.chart import interval_ranges
from revenue_retention.outputs.units import chart_in_unit

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "REPORT_CHARTS",
    "Chart",
    "benchmark_placement",
    "bridge_waterfall",
    "churn_reasons_chart",
    "cohort_group_heatmaps",
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
    "churn-reasons",
    "retention-trend",
    "cohort-heatmap",
    "cohort-groups",
    "segments",
    "concentration",
    "expansion-split",
    "seasonality",
    "methods",
)


#: The analysis (a key of ``Overview.skipped``) each optional chart is drawn from.
_ANALYSES = {
    "churn-reasons": "churn_reasons",
    "cohort-groups": "cohorts by segment",
    "concentration": "concentration",
    "expansion-split": "decomposition",
    "methods": "methods",
}


def _builders(ov: Overview) -> dict[str, Callable[[], Chart] | None]:
    """How to build each report chart from ``ov``; None when its analysis is missing."""
    concentration, decomposition, methods = ov.concentration, ov.decomposition, ov.methods
    by_group = ov.cohort_groups
    return {
        "mrr-movements": lambda: mrr_movements(ov.metrics),
        "bridge-month": lambda: bridge_waterfall(ov.metrics, 1),
        # Over the headline window: twelve months, or fewer when the data is shorter.
        "bridge-ttm": lambda: bridge_waterfall(ov.metrics, ov.window),
        # Only when the input says why customers left (a status or reason column).
        "churn-reasons": (
            (lambda: churn_reasons_chart(ov.metrics))
            if ov.metrics.churn_reasons is not None
            else None
        ),
        "retention-trend": lambda: retention_trend(ov.metrics, ov.window, ov.benchmarks),
        "cohort-heatmap": lambda: cohort_heatmap(ov.cohorts_nrr, ov.cohorts_logo),
        "cohort-groups": (
            (lambda: cohort_group_heatmaps(by_group)) if by_group is not None else None
        ),
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
            charts.append(chart_in_unit(build(), ov.unit))
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
    return chart_in_unit(build(), ov.unit)
