"""The ``methods`` comparison: its document, notebook tables and chart (METRICS.md §3-4)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.text import Text

from revenue_retention.analyses.methods import MethodsResult
from revenue_retention.money import format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import html_table
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs._terminal import count as _count
from revenue_retention.outputs._terminal import money as _money
from revenue_retention.outputs._terminal import pct as _pct
from revenue_retention.outputs._terminal import points as _points
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = ["METHODS_FIELDS", "methods_document", "methods_records"]

METHODS_FIELDS = (
    "method",
    "label",
    "as_of",
    "window_months",
    "months_needed",
    "customers",
    "starting_mrr",
    "churn",
    "contraction",
    "expansion",
    "ending_mrr",
    "grr",
    "nrr",
    "logo_retention",
    "grr_vs_cohort",
    "nrr_vs_cohort",
    "why",
)
_MONEY = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")


def methods_records(result: MethodsResult) -> list[dict[str, Any]]:
    """One record per method, cohort first: money as exact strings, rates as numbers."""
    records = []
    for figures in result.methods:
        values = dataclasses.asdict(figures) | {
            "as_of": month_label(result.as_of),
            "window_months": result.window_months,
        }
        values |= {name: format_money(values[name]) for name in _MONEY}
        records.append({name: values[name] for name in METHODS_FIELDS})
    return records


def methods_document(result: MethodsResult) -> Document:
    """The ``methods`` output: ``input``, ``as_of``, ``window_months``, then ``methods``."""
    records = methods_records(result)

    def render(console: Console) -> None:
        k = result.window_months
        title = (
            f"Retention of the {k}-month window ending {month_label(result.as_of)}, "
            "by method (METRICS.md §3-4)"
        )
        columns = [
            Column("method", "left"),
            Column("customers", drop=3),
            Column("starting", drop=4),
            Column("GRR"),
            Column("NRR"),
            Column("logos", drop=2),
            Column("GRR vs cohort", drop=1),
            Column("NRR vs cohort", drop=1),
        ]
        rows = [
            [
                r["method"],
                _count(r["customers"]),
                _money(r["starting_mrr"]),
                _pct(r["grr"]),
                _pct(r["nrr"]),
                _pct(r["logo_retention"]),
                "" if r["method"] == "cohort" else _points(r["grr_vs_cohort"]),
                "" if r["method"] == "cohort" else _points(r["nrr_vs_cohort"]),
            ]
            for r in records
        ]
        table = fit_table(console, title, columns, rows)
        why = Text()
        for r in records:
            why.append(f"\n{r['method']}", style="bold")
            why.append(f": {r['why']}")
        source = Text(f"{result.input.path}  months {result.input.months}", style="dim")
        console.print(Group(source, table, why))

    return Document(
        header={
            "input": result.input.to_dict(),
            "as_of": month_label(result.as_of),
            "window_months": result.window_months,
            "months_of_data": result.months_of_data,
        },
        sections=(Section("methods", METHODS_FIELDS, records),),
        render=render,
    )


def _html(r: MethodsResult) -> str:
    return html_table(
        ["method", "grr", "nrr", "logo_retention", "starting_mrr", "why"],
        [[m.label, m.grr, m.nrr, m.logo_retention, m.starting_mrr, m.why] for m in r.methods],
        f"{r.window_months}-month window to {month_label(r.as_of)}",
    )


@register(MethodsResult)
class MethodsPresenter:
    """``MethodsResult`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: MethodsResult, **options: Any) -> Document:
        return methods_document(result)

    def html(self, result: MethodsResult) -> str:
        return _html(result)

    def chart(self, result: MethodsResult, **options: Any) -> Chart:
        # Imported here: Plotly is loaded for a chart only, not for every command.
        from revenue_retention.outputs.methods.chart import methods_compare

        return methods_compare(result, **options)

    def sheets(self, result: MethodsResult) -> Sequence[Sheet]:
        return ()
