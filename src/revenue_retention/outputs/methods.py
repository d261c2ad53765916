"""The ``methods`` comparison document, and ``metrics`` by a method other than cohort."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from revenue_retention.analyses import MetricsResult
from revenue_retention.analyses.methods import MethodsResult
from revenue_retention.metrics.methods import METHOD_LABELS
from revenue_retention.money import format_money
from revenue_retention.outputs.document import Document, Section
from revenue_retention.outputs.records import retention_records
from revenue_retention.outputs.tabular import metrics_document
from revenue_retention.periods import month_label

__all__ = ["METHODS_FIELDS", "method_metrics_document", "methods_document", "methods_records"]

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
_TREND_MONTHS = 12


def _money(text: str | None) -> str:
    return "-" if text is None else f"{Decimal(text):,.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f} pts"


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


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
        table = Table(title=title, title_justify="left")
        for name in ("method", "customers", "starting", "GRR", "NRR", "logos", "GRR vs cohort"):
            table.add_column(name, justify="left" if name == "method" else "right")
        table.add_column("NRR vs cohort", justify="right")
        for r in records:
            table.add_row(
                r["method"],
                _count(r["customers"]),
                _money(r["starting_mrr"]),
                _pct(r["grr"]),
                _pct(r["nrr"]),
                _pct(r["logo_retention"]),
                "" if r["method"] == "cohort" else _points(r["grr_vs_cohort"]),
                "" if r["method"] == "cohort" else _points(r["nrr_vs_cohort"]),
            )
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


def _render_by_method(result: MetricsResult, console: Console) -> None:
    """The terminal view of ``metrics --method``: latest row per window, then the trend."""
    records = retention_records(result)
    label = METHOD_LABELS.get(result.method, result.method)
    latest = Table(
        title=f"Retention, method: {label} (latest month with a row)", title_justify="left"
    )
    for name in ("window", "as of", "customers", "starting", "churn", "contraction"):
        latest.add_column(name, justify="left" if name in ("window", "as of") else "right")
    for name in ("expansion", "ending", "GRR", "NRR", "logos"):
        latest.add_column(name, justify="right")
    for k in result.windows:
        mine = [r for r in records if r["window_months"] == k]
        if not mine:
            latest.add_row(f"{k} mo", "-", "not enough months of data")
            continue
        r = mine[-1]
        latest.add_row(
            f"{k} mo",
            r["as_of"],
            _count(r["customers"]),
            *(_money(r[name]) for name in _MONEY),
            _pct(r["grr"]),
            _pct(r["nrr"]),
            _pct(r["logo_retention"]),
        )
    trend = Table(title=f"Trend, last {_TREND_MONTHS} months", title_justify="left")
    trend.add_column("as of")
    for k in result.windows:
        for name in ("GRR", "NRR", "logos"):
            trend.add_column(f"{name} {k}mo", justify="right")
    by_key = {(r["as_of"], r["window_months"]): r for r in records}
    for month in sorted({r["as_of"] for r in records})[-_TREND_MONTHS:]:
        cells = [month]
        for k in result.windows:
            row = by_key.get((month, k))
            cells += [_pct(row[m]) if row else "" for m in ("grr", "nrr", "logo_retention")]
        trend.add_row(*cells)
    source = Text(f"{result.input.path}  months {result.input.months}", style="dim")
    note = Text(
        f"method: {result.method}, {label}; '-' marks a figure this method does not define. "
        "Compare all methods with: retention methods INPUT",
        style="dim",
    )
    console.print(Group(source, latest, trend, note))


def method_metrics_document(result: MetricsResult) -> Document:
    """The ``metrics`` document of a result by any method: the same JSON and CSV contract.

    For the cohort method this is ``metrics_document`` itself; for the others only the
    terminal view differs (a method's label, no figures it does not define).
    """
    document = metrics_document(result)
    if result.method == "cohort":
        return document

    def render(console: Console) -> None:
        _render_by_method(result, console)

    return dataclasses.replace(document, render=render)
