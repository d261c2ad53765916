"""``Overview`` on every channel: each analysis's document, the headline, the report's charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console

from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs._document import Document
from revenue_retention.outputs._html import html_table, para
from revenue_retention.outputs.registry import document as document_of
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = ["ANALYSES", "OverviewPresenter", "overview_document"]

#: The analyses of an overview, in the order of its document.
ANALYSES = (
    "metrics",
    "segments",
    "diagnosis",
    "intervals",
    "cohorts_nrr",
    "cohorts_logo",
    "concentration",
    "decomposition",
    "seasonality",
    "methods",
    "explain",
)


def overview_document(ov: Overview) -> Document:
    """Every analysis of the overview, each as its own command's JSON, under its field name.

    An analysis the data could not support is ``null``, with its reason in ``skipped``.
    """
    parts = {name: getattr(ov, name) for name in ANALYSES}
    documents = {name: document_of(r) for name, r in parts.items() if r is not None}

    def render(console: Console) -> None:
        documents["metrics"].render(console)

    return Document(
        header={
            "input": ov.input.to_dict(),
            "as_of": ov.as_of_label,
            "window_months": ov.window,
            "requested_window_months": ov.requested_window,
            "segment_by": ov.segment_by,
            "skipped": dict(sorted(ov.skipped.items())),
        }
        | {
            name: None if name not in documents else _without_input(documents[name].to_dict())
            for name in ANALYSES
        },
        sections=(),
        render=render,
    )


def _without_input(document: dict[str, Any]) -> dict[str, Any]:
    """A part's JSON without its ``input`` report: the overview's header has it once."""
    return {k: v for k, v in document.items() if k != "input"}


def _html(r: Overview) -> str:
    # Imported here: the chart ids come with the chart modules (and Plotly).
    from revenue_retention.outputs.overview.charts import REPORT_CHARTS

    now = [
        row
        for row in r.metrics.retention.to_pylist()
        if row["as_of_index"] == r.as_of and row["window_months"] == r.window
    ]
    headline = html_table(
        ["as_of", "window_months", "customers", "starting_mrr", "grr", "nrr", "logo_retention"],
        [
            [
                month_label(row["as_of_index"]),
                row["window_months"],
                row["customers"],
                row["starting_mrr"],
                row["grr"],
                row["nrr"],
                row["logo_retention"],
            ]
            for row in now
        ],
        f"Headline, segments by {r.segment_by}",
    )
    skipped = html_table(["analysis", "why it is missing"], sorted(r.skipped.items()))
    return (
        headline
        + (skipped if r.skipped else "")
        + para(f"plot(id=...) draws one chart of the report: {', '.join(REPORT_CHARTS)}.")
    )


@register(Overview)
class OverviewPresenter:
    """``Overview`` on every channel: JSON, notebook, ``plot(id=...)``, the workbook."""

    def document(self, result: Overview, **options: Any) -> Document:
        return overview_document(result)

    def html(self, result: Overview) -> str:
        return _html(result)

    def chart(self, result: Overview, **options: Any) -> Chart:
        from revenue_retention.outputs.overview.charts import overview_chart

        return overview_chart(result, **options)

    def sheets(self, result: Overview) -> Sequence[Sheet]:
        from revenue_retention.outputs.overview.workbook import sheets

        return sheets(result)
