"""The chart of bootstrap intervals: each rate with its interval, per as-of month and window."""

from __future__ import annotations

import plotly.graph_objects as go

from revenue_retention.analyses.uncertainty import METRICS, UncertaintyResult
from revenue_retention.outputs._charts import (
    RATE_COLORS,
    Chart,
    figure,
    rate_cell,
    rows_of,
)
from revenue_retention.outputs.metrics.trends import RATE_NAMES
from revenue_retention.periods import month_label

__all__ = ["interval_ranges"]


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
