"""``UncertaintyResult`` on every channel: bootstrap intervals as records, tables and a chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console

from revenue_retention.analyses.uncertainty import METRICS, UncertaintyResult
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import html_table, para
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs._terminal import pct as _pct
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = ["INTERVAL_FIELDS", "UncertaintyPresenter", "interval_document"]

#: One record per (as-of month, window): each rate with its interval.
INTERVAL_FIELDS = (
    "as_of",
    "window_months",
    "customers",
    *(f"{m}{s}" for m in METRICS for s in ("", "_low", "_high")),
)


def _rows(r: UncertaintyResult) -> list[list[Any]]:
    return [
        [month_label(c.as_of), c.window_months, c.customers]
        + [x for m in METRICS for x in (c.rate(m).point, c.rate(m).low, c.rate(m).high)]
        for c in r.cohorts
    ]


def _interval(record: dict[str, Any], metric: str) -> str:
    low, high = record[f"{metric}_low"], record[f"{metric}_high"]
    return f"{_pct(record[metric])} ({_pct(low)} to {_pct(high)})"


def interval_document(result: UncertaintyResult) -> Document:
    """The intervals as a document: ``level``, ``resamples``, ``seed``, ``method``, ``intervals``.

    Rates are numbers (``null`` for an empty cohort), as in the ``metrics --ci`` JSON.
    """
    records = [dict(zip(INTERVAL_FIELDS, row, strict=True)) for row in _rows(result)]

    def render(console: Console) -> None:
        columns = [Column("as of", "left"), Column("window"), Column("customers", drop=1)]
        columns += [Column(m.replace("_", " ")) for m in METRICS]
        rows = [
            [
                r["as_of"],
                str(r["window_months"]),
                f"{r['customers']:,}",
                *(
                    f"{_pct(r[m])} ({_pct(r[m + '_low'])} to {_pct(r[m + '_high'])})"
                    for m in METRICS
                ),
            ]
            for r in records
        ]
        title = f"{result.level:.0%} intervals, {result.resamples:,} resamples"
        console.print(fit_table(console, title, columns, rows))

    return Document(
        header={
            "level": result.level,
            "resamples": result.resamples,
            "seed": result.seed,
            "method": result.method,
            "windows": list(result.windows),
        },
        sections=(Section("intervals", INTERVAL_FIELDS, records),),
        render=render,
    )


def _html(r: UncertaintyResult) -> str:
    return para(f"{r.level:.0%} intervals, {r.method}, {r.resamples:,} resamples.") + (
        html_table(list(INTERVAL_FIELDS), _rows(r))
    )


@register(UncertaintyResult)
class UncertaintyPresenter:
    """``UncertaintyResult`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: UncertaintyResult, **options: Any) -> Document:
        return interval_document(result)

    def html(self, result: UncertaintyResult) -> str:
        return _html(result)

    def chart(self, result: UncertaintyResult, **options: Any) -> Chart:
        # Imported here: Plotly is loaded for a chart only, not for every command.
        from revenue_retention.outputs.uncertainty.chart import interval_ranges

        return interval_ranges(result, **options)

    def sheets(self, result: UncertaintyResult) -> Sequence[Sheet]:
        return ()
