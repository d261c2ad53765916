"""``MetricsResult`` on every channel: the ``metrics`` document, its notebook tables, its charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.errors import OptionError
from revenue_retention.outputs._document import Document
from revenue_retention.outputs._html import arrow_html, para
from revenue_retention.outputs.metrics.document import method_metrics_document
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.analyses.benchmarks import Benchmarks
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = ["MetricsPresenter", "metrics_chart"]


def _html(r: MetricsResult) -> str:
    first, last = r.input.months.first, r.input.months.last
    parts = [
        para(
            f"{r.method} method, windows {', '.join(map(str, r.windows))} months; data "
            f"{month_label(first)} to {month_label(last)}. plot(kind='trend'|'bridge'"
            + ("|'segments'" if r.by else "")
            + ") draws it."
        ),
        arrow_html(r.bridge, "MRR bridge", months=("month_index",), drop=("period",)),
        arrow_html(r.retention, "Retention", months=("as_of_index",), drop=("as_of",)),
    ]
    if r.retention_by is not None:
        parts.append(
            arrow_html(
                r.retention_by,
                f"Retention by {', '.join(r.by)}",
                months=("as_of_index",),
                drop=("as_of",),
            )
        )
    return "".join(parts)


def metrics_chart(
    result: MetricsResult,
    kind: str = "trend",
    window: int | None = None,
    months: int = 1,
    by: str | None = None,
    benchmarks: Benchmarks | None = None,
) -> Chart:
    """The chart of ``result.plot(kind=...)``: ``trend``, ``bridge``, ``movements``, ``segments``.

    Raises
    ------
    OptionError
        ``kind`` is none of those, or ``segments`` of a result computed without ``by``.
    """
    # Imported here: Plotly is loaded for a chart only, not for every command.
    from revenue_retention.analyses.benchmarks import load_benchmarks
    from revenue_retention.outputs.metrics.bridge import bridge_waterfall
    from revenue_retention.outputs.metrics.movements import mrr_movements
    from revenue_retention.outputs.metrics.trends import retention_trend, segment_multiples

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


@register(MetricsResult)
class MetricsPresenter:
    """``MetricsResult`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: MetricsResult, **options: Any) -> Document:
        return method_metrics_document(result)

    def html(self, result: MetricsResult) -> str:
        return _html(result)

    def chart(self, result: MetricsResult, **options: Any) -> Chart:
        return metrics_chart(result, **options)

    def sheets(self, result: MetricsResult) -> Sequence[Sheet]:
        return ()
