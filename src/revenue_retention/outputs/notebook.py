"""Results in a notebook: HTML tables for ``_repr_html_`` and the report's figures for ``plot()``.

Every value from the data (customer ids, group names) is escaped; money is shown exact with
thousands separators, rates to a tenth of a point. The result classes import this module
inside their methods only, so the analyses never load outputs at import time.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import pyarrow as pa

from revenue_retention.analyses.cohorts import CohortResult
from revenue_retention.analyses.concentration import ConcentrationResult
from revenue_retention.analyses.decompose import DecomposeResult
from revenue_retention.analyses.diagnostics import Diagnosis
from revenue_retention.analyses.explain import ExplainResult
from revenue_retention.analyses.methods import MethodsResult
from revenue_retention.analyses.overview import Overview
from revenue_retention.analyses.seasonality import SeasonalityResult
from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.analyses.uncertainty import METRICS, UncertaintyResult
from revenue_retention.money import display_money
from revenue_retention.outputs.charts import REPORT_CHARTS, chart
from revenue_retention.periods import month_label

__all__ = ["MAX_ROWS", "html_table", "plot", "repr_html"]

#: Rows a table shows at most; the note under it says how many more the result holds.
MAX_ROWS = 100
_RIGHT = ' style="text-align: right"'
#: Height added on top of a figure for its title in a notebook.
_TITLE_PX = 36


def _cell(value: Any) -> tuple[str, bool]:
    """A value as display text, and whether it is a number (aligned right)."""
    if value is None:
        return "-", True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, Decimal):
        return display_money(value), True
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        return f"{value:.1%}", True
    return str(value), False


def html_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    caption: str | None = None,
    limit: int = MAX_ROWS,
    total: int | None = None,
) -> str:
    """An escaped HTML table; ``Decimal`` cells are money (exact), floats rates (``86.0%``).

    At most ``limit`` rows are shown, then a note on how many of ``total`` (default: the
    rows given) are left out.

    >>> html_table(["customer_id", "mrr"], [["<b>", Decimal("1200")]]).split("<tbody>")[1]
    '<tr><td>&lt;b&gt;</td><td style="text-align: right">1,200.00</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for row in rows[:limit]:
        cells = (_cell(v) for v in row)
        body.append(
            "<tr>"
            + "".join(
                f"<td{_RIGHT if right else ''}>{html.escape(text)}</td>" for text, right in cells
            )
            + "</tr>"
        )
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    more = (len(rows) if total is None else total) - min(len(rows), limit)
    note = f"<p>... and {more:,} more rows.</p>" if more > 0 else ""
    return (
        f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>" + note
    )


def _arrow(
    table: pa.Table,
    caption: str,
    months: Sequence[str] = (),
    drop: Sequence[str] = (),
    limit: int = MAX_ROWS,
) -> str:
    """A result table as HTML: month-index columns as ``YYYY-MM``, ``drop`` left out."""
    names = [n for n in table.column_names if n not in drop]
    rows = table.slice(0, limit).select(names).to_pylist()
    shown = [
        [month_label(r[n]) if n in months and r[n] is not None else r[n] for n in names]
        for r in rows
    ]
    labels = [n.removesuffix("_index") if n in months else n for n in names]
    return html_table(labels, shown, caption, limit, total=table.num_rows)


def _para(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _metrics(r: MetricsResult) -> str:
    first, last = r.input.months.first, r.input.months.last
    parts = [
        _para(
            f"{r.method} method, windows {', '.join(map(str, r.windows))} months; data "
            f"{month_label(first)} to {month_label(last)}. plot(kind='trend'|'bridge'"
            + ("|'segments'" if r.by else "")
            + ") draws it."
        ),
        _arrow(r.bridge, "MRR bridge", months=("month_index",), drop=("period",)),
        _arrow(r.retention, "Retention", months=("as_of_index",), drop=("as_of",)),
    ]
    if r.retention_by is not None:
        parts.append(
            _arrow(
                r.retention_by,
                f"Retention by {', '.join(r.by)}",
                months=("as_of_index",),
                drop=("as_of",),
            )
        )
    return "".join(parts)


def _cohorts(r: CohortResult) -> str:
    rows = r.cohorts.to_pylist()
    ages = sorted({row["age_months"] for row in rows})
    cells = {(row["cohort_index"], row["age_months"]): row["value"] for row in rows}
    cohorts = sorted({row["cohort_index"] for row in rows})
    matrix = [[r.label(c), *(cells.get((c, a)) for a in ages)] for c in cohorts]
    return _para(
        f"{r.metric} of each {r.grain} cohort by month since first payment "
        f"(relative to {r.relative_to})."
    ) + html_table(["cohort", *map(str, ages)], matrix)


def _concentration(r: ConcentrationResult) -> str:
    summary = html_table(
        ["as_of", "window_months", "customers", "starting_mrr", "expansion", "nrr", "herfindahl"],
        [
            [
                month_label(r.as_of),
                r.window_months,
                r.customers,
                r.starting_mrr,
                r.expansion,
                r.nrr,
                "-" if r.herfindahl is None else f"{r.herfindahl:.4f}",
            ]
        ],
    )
    return (
        summary
        + _arrow(r.shares, "Top customers' shares")
        + _arrow(r.nrr_without_top, "NRR without the top expanders")
        + _arrow(r.top_customers, "Largest customers at the start")
        + _arrow(r.top_expanders, "Largest expanders")
    )


def _decompose(r: DecomposeResult) -> str:
    t = r.totals
    fields = (
        "starting_mrr",
        "ending_mrr",
        "expansion",
        "contraction",
        "churn",
        "volume_expansion",
        "price_increase",
        "cross_sell",
        "volume_contraction",
        "price_decrease",
        "product_churn",
    )
    rates = ("grr", "nrr", "nrr_excluding_price", "price_share_of_expansion")
    totals = html_table(
        ["figure", "value"],
        [[f, getattr(t, f)] for f in (*fields, *rates)],
        f"{r.window_months}-month window {month_label(r.start)} to {month_label(r.as_of)}",
    )
    return (
        totals
        + _arrow(r.movements, "Each movement by component")
        + _arrow(r.products, "By product")
    )


def _diagnosis(r: Diagnosis) -> str:
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


def _explain(r: ExplainResult) -> str:
    what = (
        f"{r.window_months}-month window to {month_label(r.as_of)}"
        if r.mode == "window"
        else f"bridge month {month_label(r.as_of)}"
    )
    return (
        _arrow(r.totals, f"Totals of the {what}")
        + _arrow(r.movements, "By movement")
        + _arrow(r.customers, f"Customers, largest change first ({r.listed:,} explained)")
    )


def _methods(r: MethodsResult) -> str:
    return html_table(
        ["method", "grr", "nrr", "logo_retention", "starting_mrr", "why"],
        [[m.label, m.grr, m.nrr, m.logo_retention, m.starting_mrr, m.why] for m in r.methods],
        f"{r.window_months}-month window to {month_label(r.as_of)}",
    )


def _seasonality(r: SeasonalityResult) -> str:
    swings = html_table(
        ["rate", "flagged", "reason"], [[s.rate, s.flagged, s.reason] for s in r.swings]
    )
    return (
        _arrow(r.by_quarter, "By quarter of the year")
        + _arrow(r.quarters, "Every quarter end", months=("as_of_index",))
        + swings
    )


def _uncertainty(r: UncertaintyResult) -> str:
    rows = [
        [month_label(c.as_of), c.window_months, c.customers]
        + [x for m in METRICS for x in (c.rate(m).point, c.rate(m).low, c.rate(m).high)]
        for c in r.cohorts
    ]
    columns = ["as_of", "window_months", "customers"]
    columns += [f"{m}{s}" for m in METRICS for s in ("", "_low", "_high")]
    return _para(f"{r.level:.0%} intervals, {r.method}, {r.resamples:,} resamples.") + (
        html_table(columns, rows)
    )


def _overview(r: Overview) -> str:
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
        + _para(f"plot(id=...) draws one chart of the report: {', '.join(REPORT_CHARTS)}.")
    )


_RENDERERS: dict[type, Callable[[Any], str]] = {
    MetricsResult: _metrics,
    CohortResult: _cohorts,
    ConcentrationResult: _concentration,
    DecomposeResult: _decompose,
    Diagnosis: _diagnosis,
    ExplainResult: _explain,
    MethodsResult: _methods,
    SeasonalityResult: _seasonality,
    UncertaintyResult: _uncertainty,
    Overview: _overview,
}


def repr_html(result: object) -> str:
    """The HTML a notebook shows for ``result``: its main tables, escaped.

    Raises
    ------
    TypeError
        ``result`` is not one of the package's results.
    """
    render = _RENDERERS.get(type(result))
    if render is None:
        raise TypeError(f"no HTML view of {type(result).__name__}")
    return f'<div class="revenue-retention">{render(result)}</div>'


def plot(result: object, **kwargs: Any) -> go.Figure:
    """The report's figure of ``result`` (see ``outputs.charts.chart``), titled for a notebook.

    The report gives each chart its title in the page, so its figures have none; here the
    same figure gets the chart's title.
    """
    drawn = chart(result, **kwargs)
    fig = drawn.figure
    height = fig.layout.height or 450
    # The title takes the top of the figure; the legend moves down under it.
    fig.update_layout(
        title={
            "text": html.escape(drawn.title),
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 8, "l": 10},
        },
        height=height + _TITLE_PX,
        legend_y=1 - _TITLE_PX / (height + _TITLE_PX),
        margin_t=(fig.layout.margin.t or 50) + _TITLE_PX,
    )
    return fig
