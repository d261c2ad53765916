"""Rates side by side: by quarter of year (seasonality) and by method (METRICS.md §3-4)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from revenue_retention.analyses.seasonality import SeasonalityResult
from revenue_retention.outputs._charts import (
    RATE_COLORS,
    Chart,
    figure,
    rate_cell,
    rows_of,
)
from revenue_retention.outputs.metrics.trends import RATE_NAMES

__all__ = ["QUARTERS", "seasonality_quarters"]

QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def _range_cell(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"{low:.1%} to {high:.1%}"


def seasonality_quarters(result: SeasonalityResult) -> Chart:
    """Quarterly GRR and NRR by quarter of year, beside the annual rates at the same ends.

    ``x`` = ``"Q1"`` ... ``"Q4"`` in every trace. ``"GRR"`` and ``"NRR"``: ``y`` = the mean
    quarterly (3-month) rate of that quarter over the years (``grr_mean``), whiskers to its
    lowest and highest, ``customdata[i]`` = ``[quarters, min, max]``; ``"Annual GRR"`` and
    ``"Annual NRR"``: ``y`` = the mean 12-month rate at the same quarter ends
    (``annual_grr_mean``), ``customdata[i]`` = ``[annual figures, min, max]``. Null where
    the data has no figure for that quarter.
    """
    rows: list[dict[str, Any]] = sorted(result.by_quarter.to_pylist(), key=lambda r: r["quarter"])
    fig = figure(height=400)
    for prefix, count in (("", "quarters"), ("annual_", "annual_figures")):
        for rate in ("grr", "nrr"):
            means = [r[f"{prefix}{rate}_mean"] for r in rows]
            lows = [r[f"{prefix}{rate}_min"] for r in rows]
            highs = [r[f"{prefix}{rate}_max"] for r in rows]
            name = ("Annual " if prefix else "") + RATE_NAMES[rate]
            what = "12-month" if prefix else "quarterly"
            colour = RATE_COLORS[rate]
            fig.add_trace(
                go.Scatter(
                    name=name,
                    x=list(QUARTERS),
                    y=means,
                    mode="lines+markers" if prefix else "markers",
                    line={"color": colour, "width": 1, "dash": "dash"},
                    marker={"color": colour, "size": 6 if prefix else 10},
                    error_y=None
                    if prefix
                    else {
                        "type": "data",
                        "symmetric": False,
                        "array": [
                            None if h is None or m is None else h - m
                            for h, m in zip(highs, means, strict=True)
                        ],
                        "arrayminus": [
                            None if lo is None or m is None else m - lo
                            for lo, m in zip(lows, means, strict=True)
                        ],
                        "color": colour,
                    },
                    customdata=[
                        [r[count], lo, h] for r, lo, h in zip(rows, lows, highs, strict=True)
                    ],
                    hovertemplate=(
                        f"%{{x}}: {what} {RATE_NAMES[rate]} %{{y:.1%}} on average over "
                        "%{customdata[0]} years, from %{customdata[1]:.1%} to "
                        "%{customdata[2]:.1%}<extra></extra>"
                    ),
                    meta={"field": f"{prefix}{rate}_mean"},
                )
            )
    fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(title_text="quarter of the year", type="category")
    table = rows_of(
        *(
            [
                f"Q{r['quarter']}",
                str(r["quarters"]),
                rate_cell(r["grr_mean"]),
                _range_cell(r["grr_min"], r["grr_max"]),
                rate_cell(r["nrr_mean"]),
                _range_cell(r["nrr_min"], r["nrr_max"]),
                rate_cell(r["annual_nrr_mean"]),
            ]
            for r in rows
        )
    )
    flagged = [s.rate.upper() for s in result.swings if s.flagged]
    verdict = (
        f"{' and '.join(flagged)} swing more across quarters than the annual rates do"
        if flagged
        else "neither rate swings across quarters by more than the seasonality rule allows"
        if result.seasonal_swing is False
        else "too few quarters to judge the swing"
    )
    return Chart(
        "seasonality",
        "Retention by quarter of the year",
        "Dots are the mean quarterly (3-month) rate of each quarter of the year, whiskers its "
        f"lowest and highest, dashed lines the 12-month rates at the same quarter ends: "
        f"{verdict}.",
        fig,
        ("Quarter", "Years", "GRR", "GRR range", "NRR", "NRR range", "Annual NRR"),
        table,
    )
