"""Retention over time: the headline trend with benchmark bands, and one panel per segment."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from revenue_retention.analyses.benchmarks import Band, Benchmarks
from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.errors import OptionError
from revenue_retention.outputs._charts import (
    OKABE_ITO,
    RATE_COLORS,
    Chart,
    exact,
    figure,
    label,
    money_cell,
    rate_cell,
    rows_of,
)
from revenue_retention.outputs.labels import attribute_label, currency_code, money_title
from revenue_retention.periods import month_label

__all__ = ["BENCHMARK_WINDOW", "MAX_PANELS", "RATE_NAMES", "retention_trend", "segment_multiples"]

#: Trace names of the rates, stable: programs find a chart's series by them.
RATE_NAMES = {"grr": "GRR", "nrr": "NRR", "logo_retention": "Logo retention"}
#: The benchmark bands are for annual retention, so they are drawn for this window only.
BENCHMARK_WINDOW = 12
#: At most this many segment panels (the largest by starting MRR); the table lists all.
MAX_PANELS = 12
#: Band colours from the weakest band to the strongest.
_BAND_COLORS = ("vermillion", "orange", "yellow", "sky_blue", "bluish_green")
_MARGIN = 0.02
#: The smallest share of a panel's height a band needs for its name to be written in it.
_LABELLED_BAND = 0.1


def _window_rows(table: Any, window: int, what: str) -> list[dict[str, Any]]:
    rows = [r for r in table.to_pylist() if r["window_months"] == window]
    if not rows:
        windows = sorted({r["window_months"] for r in table.to_pylist()})
        raise OptionError("--window", window, f"has no {what} rows; computed windows: {windows}")
    return sorted(rows, key=lambda r: r["as_of_index"])


def _rate_trace(rows: list[dict[str, Any]], field: str, window: int, **extra: Any) -> go.Scatter:
    """One rate over the as-of months; hover and ``customdata`` carry the cohort behind it."""
    name = RATE_NAMES[field]
    return go.Scatter(
        name=name,
        x=[month_label(r["as_of_index"]) for r in rows],
        y=[r[field] for r in rows],
        mode="lines+markers",
        line={"color": RATE_COLORS[field], "width": 2},
        marker={"color": RATE_COLORS[field], "size": 5},
        customdata=[
            [exact(r["starting_mrr"]), r["customers"], exact(r["ending_mrr"])] for r in rows
        ],
        hovertemplate=(
            f"%{{x}}: {name} %{{y:.1%}}<br>%{{customdata[1]:,}} customers paying "
            f"{window} months earlier<br>starting MRR %{{customdata[0]}}, "
            "ending %{customdata[2]}<extra></extra>"
        ),
        meta={"field": field, "window_months": window},
        **extra,
    )


def _bounds(band: Band) -> tuple[float | None, float | None]:
    low = band.at_least if band.at_least is not None else band.above
    high = band.below if band.below is not None else band.at_most
    return low, high


def _shade_bands(fig: go.Figure, bands: list[Band], row: int, span: tuple[float, float]) -> None:
    """Shade each band inside the panel's visible range, weakest first; name the bands
    tall enough to hold their name (a thin one would write over its neighbours')."""
    ordered = sorted(bands, key=lambda b: (_bounds(b)[0] is not None, _bounds(b)[0] or 0.0))
    step = (len(_BAND_COLORS) - 1) / max(len(ordered) - 1, 1)
    for i, band in enumerate(ordered):
        low, high = _bounds(band)
        y0 = max(span[0], low if low is not None else span[0])
        y1 = min(span[1], high if high is not None else span[1])
        if y1 <= y0:
            continue
        named: dict[str, Any] = {}
        if (y1 - y0) / (span[1] - span[0]) >= _LABELLED_BAND:
            # The panel's axis names the rate: the label only needs the band.
            named = {
                "annotation_text": f"{label(band.label)} ({band.describe()})",
                "annotation_position": "right",
                "annotation_font_size": 10,
                "annotation_xanchor": "right",
            }
        fig.add_hrect(
            y0=y0,
            y1=y1,
            row=row,
            col=1,
            fillcolor=OKABE_ITO[_BAND_COLORS[round(i * step)]],
            opacity=0.14,
            line_width=0,
            layer="below",
            **named,
        )


def _span(values: list[float | None], extra: list[float]) -> tuple[float, float]:
    present = [v for v in values if v is not None] + extra
    if not present:
        return 0.0, 1.0
    return min(present) - _MARGIN, max(present) + _MARGIN


def retention_trend(metrics: MetricsResult, window: int, benchmarks: Benchmarks) -> Chart:
    """GRR, NRR and logo retention of every as-of month of one window, with benchmark bands.

    Three panels share the month axis, one per rate: ``"GRR"`` over the GRR bands,
    ``"NRR"`` over the NRR bands (bands and the published medians only for the 12-month
    window they are for), ``"Logo retention"`` on its own (the bands are for revenue, not
    for counts of customers). Each trace has ``x`` = as-of months ``YYYY-MM``, ``y`` = the
    rate (a fraction, null where the cohort is empty), ``customdata[i]`` =
    ``[starting_mrr, customers, ending_mrr]`` with money as the JSON's exact strings, and
    ``meta`` = ``{"field", "window_months"}``.

    Raises
    ------
    OptionError
        ``metrics`` has no rows for ``window``.
    """
    rows = _window_rows(metrics.retention, window, "retention")
    panels = (("grr", "GRR"), ("nrr", "NRR"), ("logo_retention", "Logo retention"))
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.05)
    fig.update_layout(figure(height=640).layout)
    with_bands = window == BENCHMARK_WINDOW
    for row, (field, axis_title) in enumerate(panels, 1):
        fig.add_trace(_rate_trace(rows, field, window), row=row, col=1)
        bands = [b for b in benchmarks.bands if b.metric == field] if with_bands else []
        median = benchmarks.medians.get(field) if with_bands else None
        span = _span([r[field] for r in rows], [median.value] if median else [])
        fig.update_yaxes(range=list(span), tickformat=".0%", title_text=axis_title, row=row, col=1)
        if bands:
            _shade_bands(fig, bands, row, span)
        if median is not None:
            fig.add_hline(
                y=median.value,
                row=row,
                col=1,
                line={"color": OKABE_ITO["black"], "width": 1, "dash": "dash"},
                annotation_text=f"median {median.value:.0%}, {median.cite}",
                annotation_position="top left",
                annotation_font_size=10,
            )
    fig.update_xaxes(type="date", tickformat="%b %Y", hoverformat="%Y-%m")
    caption = (
        f"Each point is the {window}-month retention of the customers paying {window} months "
        "before that month; "
        + (
            "shaded bands are the benchmark ranges for GRR and NRR "
            f"({_bands_source(benchmarks)}), dashed lines the published medians "
            f"({_medians_source(benchmarks)}). Logo retention has no benchmark here."
            if with_bands
            else f"benchmark bands are for 12-month windows, so none are drawn for {window}."
        )
    )
    table = rows_of(
        *(
            [
                month_label(r["as_of_index"]),
                f"{r['customers']:,}",
                money_cell(r["starting_mrr"]),
                rate_cell(r["grr"]),
                rate_cell(r["nrr"]),
                rate_cell(r["logo_retention"]),
            ]
            for r in rows
        )
    )
    return Chart(
        "retention-trend",
        f"GRR, NRR and logo retention over {window}-month windows",
        caption,
        fig,
        (
            "As of",
            "Customers",
            money_title("Starting MRR", currency_code(metrics.input)),
            "GRR",
            "NRR",
            "Logo retention",
        ),
        table,
    )


def _medians_source(benchmarks: Benchmarks) -> str:
    sources = sorted({m.cite for m in benchmarks.medians.values()})
    return "; ".join(sources) or "none published"


def _bands_source(benchmarks: Benchmarks) -> str:
    sources = sorted({b.cite for b in benchmarks.bands if b.metric in ("grr", "nrr")})
    return "; ".join(sources) or "none published"


def segment_multiples(segments: MetricsResult, by: str, window: int) -> Chart:
    """Small multiples: one panel per group of ``by`` with its GRR and NRR over time.

    Every panel has two traces named ``"GRR"`` and ``"NRR"`` (one legend entry each, which
    toggles them in all panels); ``meta`` = ``{"group", "field", "window_months"}`` tells
    the panels apart (``group`` is the attribute value as in the JSON, null for customers
    without one). ``x``, ``y`` and ``customdata`` are as in ``retention_trend``. Groups are
    ordered by starting MRR at the last as-of month, largest first; at most ``MAX_PANELS``
    are drawn, the table lists every group and the total.

    Raises
    ------
    OptionError
        ``segments`` is not broken down by ``by``, or has no rows for ``window``.
    """
    if segments.retention_by is None or by not in segments.by:
        raise OptionError("--by", by, f"is not a breakdown of this result (by: {segments.by})")
    rows = _window_rows(segments.retention_by, window, "segment")
    last = rows[-1]["as_of_index"]
    latest = {r[by]: r for r in rows if r["as_of_index"] == last}
    groups = sorted(
        {r[by] for r in rows},
        key=lambda g: (g not in latest, -(latest[g]["starting_mrr"] if g in latest else 0), str(g)),
    )
    shown = groups[:MAX_PANELS]
    cols = 1 if len(shown) == 1 else 2
    nrows = math.ceil(len(shown) / cols)
    fig = make_subplots(
        rows=nrows,
        cols=cols,
        # Every panel keeps its own month labels (a shared axis shows them on the
        # bottom row only) while all panels span the same months and rates.
        shared_yaxes="all",
        vertical_spacing=min(0.12, 0.5 / nrows),
        horizontal_spacing=0.08,
        subplot_titles=[label(g) for g in shown],
    )
    fig.update_layout(figure(height=110 + 230 * nrows).layout)
    # Room under the legend for the first row's panel titles.
    fig.update_layout(margin={"t": 80})
    for i, group in enumerate(shown):
        own = [r for r in rows if r[by] == group]
        for field in ("grr", "nrr"):
            trace = _rate_trace(
                own,
                field,
                window,
                legendgroup=field,
                showlegend=i == 0,
                text=[label(group)] * len(own),
            )
            trace.meta = {"group": group, "field": field, "window_months": window}
            trace.hovertemplate = "%{text}<br>" + trace.hovertemplate
            fig.add_trace(trace, row=i // cols + 1, col=i % cols + 1)
    fig.add_hline(y=1, line={"color": OKABE_ITO["black"], "width": 1, "dash": "dot"})
    fig.update_yaxes(tickformat=".0%")
    # Yearly ticks: a narrow panel still has room for them.
    # Year labels centred on their year, not on its first day: none at a panel's edge to
    # run into the next panel's.
    fig.update_xaxes(
        type="date",
        dtick="M12",
        tickformat="%Y",
        ticklabelmode="period",
        hoverformat="%Y-%m",
        matches="x",
    )
    total = next(
        (
            r
            for r in segments.retention.to_pylist()
            if r["as_of_index"] == last and r["window_months"] == window
        ),
        None,
    )
    listed = [(label_text(g), latest[g]) for g in groups if g in latest]
    if total is not None:
        listed.append(("All customers", total))
    table = rows_of(
        *(
            [
                name,
                f"{r['customers']:,}",
                money_cell(r["starting_mrr"]),
                rate_cell(r["grr"]),
                rate_cell(r["nrr"]),
                rate_cell(r["logo_retention"]),
            ]
            for name, r in listed
        )
    )
    more = f" (the {MAX_PANELS} largest of {len(groups)})" if len(groups) > MAX_PANELS else ""
    return Chart(
        "segments",
        f"Retention by {attribute_label(by)}, {window}-month windows",
        f"One panel per {attribute_label(by)}{more}, a customer counted in the "
        f"{attribute_label(by)} it had at the start of "
        f"each window; the dotted line is 100%. The table is as of {month_label(last)}.",
        fig,
        (
            by,
            "Customers",
            money_title("Starting MRR", currency_code(segments.input)),
            "GRR",
            "NRR",
            "Logo retention",
        ),
        table,
    )


def label_text(value: object) -> str:
    """A group's name for a table cell (the page escapes it): ``(none)`` for a missing one."""
    return "(none)" if value is None else str(value)
