"""``metrics --compare``: the headline figures of two months side by side, keys added only."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.text import Text

from revenue_retention.analyses.compare import Comparison
from revenue_retention.money import display_money, format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.periods import month_label

__all__ = ["COMPARISON_FIELDS", "comparison_records", "with_comparison"]

COMPARISON_FIELDS = (
    "table",
    "window_months",
    "figure",
    "as_of_value",
    "compared_value",
    "change",
)
_NAMES = {
    "grr": "GRR",
    "nrr": "NRR",
    "logo_retention": "logos",
    "customers": "customers",
    "starting_mrr": "starting MRR",
    "churn": "churn",
    "contraction": "contraction",
    "expansion": "expansion",
    "ending_mrr": "ending MRR",
    "opening_mrr": "opening MRR",
    "new": "new",
    "reactivation": "reactivation",
    "closing_mrr": "closing MRR",
}
_VALUES = ("as_of_value", "compared_value", "change")


def _plain(value: Any) -> Any:
    return format_money(value) if isinstance(value, Decimal) else value


def comparison_records(comparison: Comparison) -> list[dict[str, Any]]:
    """One record per figure: money as exact strings, rates and counts as numbers."""
    return [{name: _plain(f[name]) for name in COMPARISON_FIELDS} for f in comparison.figures]


def _shown(value: Any, rate: bool, change: bool = False) -> str:
    if value is None:
        return "-"
    if rate:
        return f"{value * 100:+.1f} pts" if change else f"{value * 100:.1f}%"
    if isinstance(value, int):
        return f"{value:+,}" if change else f"{value:,}"
    text = display_money(value)
    return f"+{text}" if change and not text.startswith("-") else text


def _table(comparison: Comparison, console: Console) -> Any:
    now, then = month_label(comparison.as_of), month_label(comparison.compared)
    columns = [Column("figure", "left"), Column(now), Column(then), Column("change")]
    rows = []
    for f in comparison.figures:
        rate = f["figure"] in ("grr", "nrr", "logo_retention")
        where = f"{f['window_months']} mo" if f["window_months"] is not None else "month"
        rows.append(
            [
                f"{_NAMES[f['figure']]} ({where})",
                _shown(f["as_of_value"], rate),
                _shown(f["compared_value"], rate),
                _shown(f["change"], rate, change=True),
            ]
        )
    return fit_table(
        console,
        f"{now} compared with {then}: each window ending in that month, and its bridge month",
        columns,
        rows,
    )


def with_comparison(document: Document, comparison: Comparison) -> Document:
    """The ``metrics`` document with ``compare`` (the two months) in its header and a
    ``comparison`` section added; the terminal shows the figures side by side after the
    usual view. Nothing of the document is changed."""

    def render(console: Console) -> None:
        document.render(console)
        console.print(_table(comparison, console))
        console.print(
            Text(
                "change = as-of minus compared: amounts exact, rates in percentage points; "
                "- where a window does not fit the data",
                style="dim",
            )
        )

    header = dict(document.header) | {
        "compare": {
            "as_of": month_label(comparison.as_of),
            "compared": month_label(comparison.compared),
        }
    }
    sections = (
        *document.sections,
        Section("comparison", COMPARISON_FIELDS, comparison_records(comparison)),
    )
    return dataclasses.replace(document, header=header, sections=sections, render=render)
