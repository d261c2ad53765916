"""The ``diagnose`` document: rates in their benchmark bands and each diagnostic in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from revenue_retention.analyses.diagnostics import Diagnosis, pct
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import html_table
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = ["BENCHMARK_FIELDS", "DIAGNOSTIC_FIELDS", "diagnose_document"]

BENCHMARK_FIELDS = ("metric", "value", "band", "band_range", "meaning", "median", "source", "year")
DIAGNOSTIC_FIELDS = ("id", "title", "status", "triggered", "message", "inputs", "threshold")
_MARK = {True: ("!", "bold yellow"), False: ("ok", "green"), None: ("--", "dim")}


def _benchmark_records(result: Diagnosis) -> list[dict[str, Any]]:
    return [
        {
            "metric": p.metric,
            "value": p.value,
            "band": p.band.label if p.band else None,
            "band_range": p.band.describe() if p.band else None,
            "meaning": p.band.meaning if p.band else None,
            "median": p.median,
            "source": p.band.source if p.band else p.median_source,
            "year": p.band.year if p.band else None,
        }
        for p in result.placements
    ]


def _diagnostic_records(result: Diagnosis) -> list[dict[str, Any]]:
    return [
        {
            "id": d.id,
            "title": d.title,
            "status": d.status,
            "triggered": d.triggered,
            "message": d.message,
            "inputs": d.inputs,
            "threshold": d.threshold,
        }
        for d in result.diagnostics
    ]


def diagnose_document(result: Diagnosis) -> Document:
    """Header (input, as_of, window, rates), ``benchmarks`` and ``diagnostics`` sections."""

    def render(console: Console) -> None:
        title = Text(
            f"Retention diagnosis, {result.window_months}-month window to "
            f"{month_label(result.as_of)} ({result.customers:,} customers)",
            style="bold",
        )
        bands = Table(title="Benchmarks", title_justify="left")
        for name in ("rate", "value", "band", "range", "median"):
            bands.add_column(name, justify="right" if name in ("value", "median") else "left")
        for p in result.placements:
            bands.add_row(
                p.metric.upper().replace("_", " "),
                pct(p.value, 1),
                p.band.label if p.band else "no benchmark",
                p.band.describe() if p.band else "",
                pct(p.median, 0) if p.median is not None else "",
            )
        lines = Text()
        for d in result.diagnostics:
            mark, style = _MARK[d.triggered]
            lines.append(f"[{mark:>2}] ", style=style)
            lines.append(f"{d.title}: ", style="bold")
            lines.append(f"{d.message}\n")
        first = Text()
        if result.advice is not None:
            first.append("What to do first: ", style="bold")
            first.append(result.advice.text)
        console.print(Group(title, first, bands, Text("Diagnostics", style="italic"), lines))

    return Document(
        header={
            "input": result.input.to_dict(),
            "as_of": month_label(result.as_of),
            "window_months": result.window_months,
            "method": "cohort",
            "customers": result.customers,
            "rates": dict(result.rates),
            "benchmarks_file": result.benchmarks_path,
            "what_to_do_first": result.advice.to_dict() if result.advice else None,
        },
        sections=(
            Section("benchmarks", BENCHMARK_FIELDS, _benchmark_records(result)),
            Section("diagnostics", DIAGNOSTIC_FIELDS, _diagnostic_records(result)),
        ),
        render=render,
    )


def _html(r: Diagnosis) -> str:
    placements = html_table(
        ["rate", "value", "band", "range", "median"],
        [
            [
                p.metric,
                p.value,
                p.band.label if p.band else None,
                p.band.describe() if p.band else None,
                p.median,
            ]
            for p in r.placements
        ],
        f"{r.window_months}-month window to {month_label(r.as_of)}, {r.customers:,} customers",
    )
    found = html_table(
        ["diagnostic", "status", "finding"],
        [[d.title, d.status, d.message] for d in r.diagnostics],
    )
    return placements + found


@register(Diagnosis)
class DiagnosisPresenter:
    """``Diagnosis`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: Diagnosis, **options: Any) -> Document:
        return diagnose_document(result)

    def html(self, result: Diagnosis) -> str:
        return _html(result)

    def chart(self, result: Diagnosis, **options: Any) -> Chart:
        # Imported here: Plotly is loaded for a chart only, not for every command.
        from revenue_retention.outputs.diagnose.chart import benchmark_placement

        return benchmark_placement(result, **options)

    def sheets(self, result: Diagnosis) -> Sequence[Sheet]:
        return ()
