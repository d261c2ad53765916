"""Charts for notebooks beyond the report's: benchmark placement, movements, intervals."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from revenue_retention.analyses.diagnostics import Diagnosis
from revenue_retention.analyses.explain import ExplainResult
from revenue_retention.analyses.uncertainty import METRICS, UncertaintyResult
from revenue_retention.outputs._charts import (
    OKABE_ITO,
    RATE_COLORS,
    Chart,
    coordinate,
    exact,
    figure,
    money_cell,
    rate_cell,
    rows_of,
)
from revenue_retention.outputs.metrics.trends import RATE_NAMES
from revenue_retention.periods import month_label

__all__ = ["benchmark_placement", "explain_movements", "interval_ranges"]

#: Movements that take MRR away: drawn below zero.
_LOSSES = frozenset({"churn", "contraction"})


def benchmark_placement(result: Diagnosis) -> Chart:
    """The window's GRR, NRR and logo retention beside the published medians.

    Traces ``"This window"`` (``y`` = ``"GRR"``, ``"NRR"``, ``"Logo retention"``, ``x`` = the
    rate, ``customdata[i]`` = ``[band label, band range]``) and ``"Published median"``
    (``x`` = the median, null for a rate without one).
    """
    placements = result.placements
    names = [RATE_NAMES.get(p.metric, p.metric) for p in placements]
    fig = figure(height=300)
    fig.add_trace(
        go.Bar(
            name="This window",
            orientation="h",
            y=names,
            x=[p.value for p in placements],
            marker={"color": [RATE_COLORS.get(p.metric, OKABE_ITO["blue"]) for p in placements]},
            customdata=[
                [p.band.label if p.band else "no band", p.band.describe() if p.band else ""]
                for p in placements
            ],
            hovertemplate="%{y} %{x:.1%}: %{customdata[0]} %{customdata[1]}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            name="Published median",
            mode="markers",
            y=names,
            x=[p.median for p in placements],
            marker={"color": OKABE_ITO["black"], "symbol": "diamond", "size": 11},
            hovertemplate="%{y} median %{x:.1%}<extra></extra>",
        )
    )
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(tickformat=".0%")
    rows = rows_of(
        *(
            [
                name,
                rate_cell(p.value),
                p.band.label if p.band else "-",
                p.band.describe() if p.band else "-",
                rate_cell(p.median),
            ]
            for name, p in zip(names, placements, strict=True)
        )
    )
    return Chart(
        "benchmarks",
        f"{result.window_months}-month rates to {month_label(result.as_of)} against benchmarks",
        "Bars are this data's rates, diamonds the published medians; the table names the "
        "benchmark band each rate falls in.",
        fig,
        ("Rate", "Value", "Band", "Band range", "Median"),
        rows,
    )


def explain_movements(result: ExplainResult) -> Chart:
    """MRR moved by each movement class of the explained window or bridge month.

    One ``go.Bar`` trace ``"Movements"``: ``x`` = the movement names, ``y`` = the amount as
    a float, negative for churn and contraction, ``customdata[i]`` = ``[signed exact
    amount, customers]``.
    """
    rows = result.movements.to_pylist()
    signed = [
        (r, -r["amount"] if r["movement"] in _LOSSES and r["amount"] else r["amount"]) for r in rows
    ]
    fig = figure(height=360, showlegend=False)
    fig.add_trace(
        go.Bar(
            name="Movements",
            x=[r["movement"] for r, _ in signed],
            y=[coordinate(amount) for _, amount in signed],
            marker={
                "color": [
                    OKABE_ITO["vermillion"] if amount < 0 else OKABE_ITO["bluish_green"]
                    for _, amount in signed
                ]
            },
            customdata=[[exact(amount), r["customers"]] for r, amount in signed],
            hovertemplate=(
                "%{x}: %{customdata[0]} from %{customdata[1]:,} customers<extra></extra>"
            ),
        )
    )
    fig.update_yaxes(title_text="MRR", tickformat=",.0f")
    what = (
        f"the {result.window_months}-month window to {month_label(result.as_of)}"
        if result.mode == "window"
        else f"the bridge month {month_label(result.as_of)}"
    )
    total = sum((amount for _, amount in signed), Decimal(0))
    table = [[r["movement"], f"{r['customers']:,}", money_cell(amount)] for r, amount in signed]
    table.append(["Net change", "", money_cell(total)])
    return Chart(
        "explain",
        f"Customers behind {what}",
        "Each bar is the MRR one kind of movement added (up) or took away (down).",
        fig,
        ("Movement", "Customers", "MRR"),
        rows_of(*table),
    )


def interval_ranges(result: UncertaintyResult) -> Chart:
    """Each rate with its bootstrap interval, per as-of month and window.

    One trace per rate and window, named ``"GRR"``, ``"NRR"``, ``"Logo retention"`` (with
    ``", k months"`` appended when several windows are present): ``x`` = as-of months,
    ``y`` = the rate, whiskers to the interval, ``customdata[i]`` = ``[low, high,
    customers]``.
    """
    several = len(result.windows) > 1
    fig = figure(height=380)
    table = []
    for window in result.windows:
        cohorts = sorted(
            (c for c in result.cohorts if c.window_months == window), key=lambda c: c.as_of
        )
        for metric in METRICS:
            rates = [c.rate(metric) for c in cohorts]
            name = RATE_NAMES[metric] + (f", {window} months" if several else "")
            fig.add_trace(
                go.Scatter(
                    name=name,
                    mode="markers+lines" if len(cohorts) > 1 else "markers",
                    x=[month_label(c.as_of) for c in cohorts],
                    y=[r.point for r in rates],
                    marker={"color": RATE_COLORS[metric], "size": 8},
                    line={"color": RATE_COLORS[metric], "width": 1},
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": [_gap(r.high, r.point) for r in rates],
                        "arrayminus": [_gap(r.point, r.low) for r in rates],
                        "color": RATE_COLORS[metric],
                    },
                    customdata=[
                        [r.low, r.high, c.customers] for r, c in zip(rates, cohorts, strict=True)
                    ],
                    hovertemplate=(
                        f"%{{x}}: {RATE_NAMES[metric]} %{{y:.1%}}, {result.level:.0%} interval "
                        "%{customdata[0]:.1%} to %{customdata[1]:.1%} "
                        "(%{customdata[2]:,} customers)<extra></extra>"
                    ),
                    meta={"field": metric, "window_months": window},
                )
            )
        for c in cohorts:
            table.append(
                [month_label(c.as_of), str(window), f"{c.customers:,}"]
                + [
                    f"{rate_cell(r.point)} ({rate_cell(r.low)} to {rate_cell(r.high)})"
                    for r in (c.rate(m) for m in METRICS)
                ]
            )
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(type="category")
    return Chart(
        "intervals",
        f"Retention with {result.level:.0%} bootstrap intervals",
        "Whiskers show the range the rate could take with other customers of the same kind: "
        "the fewer the customers, the longer they are.",
        fig,
        ("As of", "Window (months)", "Customers", "GRR", "NRR", "Logo retention"),
        rows_of(*table),
    )


def _gap(high: float | None, low: float | None) -> float | None:
    return None if high is None or low is None else high - low
