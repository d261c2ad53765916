"""Rates side by side: by quarter of year (seasonality) and by method (METRICS.md §3-4)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from revenue_retention.analyses.methods import MethodsResult
from revenue_retention.analyses.seasonality import SeasonalityResult
from revenue_retention.outputs._charts import (
    OKABE_ITO,
    RATE_COLORS,
    Chart,
    figure,
    rate_cell,
    rows_of,
)
from revenue_retention.outputs.labels import reader_text
from revenue_retention.outputs.metrics.trends import RATE_NAMES
from revenue_retention.periods import month_label

__all__ = [
    "HEADLINE_METHOD",
    "METHOD_NAMES",
    "QUARTERS",
    "methods_compare",
    "seasonality_quarters",
]

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
#: The method of the headline figures (METRICS.md §3): the others are labelled beside it.
HEADLINE_METHOD = "cohort"
#: Short names of the methods on the chart's axis (the hover and table give the full label).
METHOD_NAMES = {
    "cohort": "Cohort",
    "movement": "Movement",
    "compounded": "Compounded",
    "compounded_chain": "Chained",
    "trailing": "Trailing",
    "averaged": "Averaged",
}


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


def methods_compare(result: MethodsResult) -> Chart:
    """GRR, NRR and logo retention of one window by every method, side by side (§3-4).

    Horizontal grouped bars: traces ``"GRR"``, ``"NRR"`` and ``"Logo retention"``, each
    with ``y`` = the method names of ``METHODS`` (``cohort``, ``movement``, ...; the axis
    shows ``METHOD_NAMES``, the cohort method marked as the headline), ``x`` = the rate
    (null where the method has none), ``text`` = the rate as shown beside its bar
    (``103.8%``), ``customdata[i]`` = ``[label, rate minus the cohort method's]``. The
    headline's bars are in full colour, the others lighter. The table has each method's
    ``why`` line.
    """
    methods = result.methods
    keys = [m.method for m in methods]
    fig = figure(height=140 + 66 * len(methods), barmode="group", bargroupgap=0.08)
    reference = next((m for m in methods if m.method == HEADLINE_METHOD), None)

    def versus(value: float | None, field: str) -> float | None:
        cohort = None if reference is None else getattr(reference, field)
        return None if value is None or cohort is None else value - cohort

    highest = max(
        (v for m in methods for f in RATE_NAMES if (v := getattr(m, f)) is not None),
        default=1.0,
    )
    for field in ("grr", "nrr", "logo_retention"):
        values = [getattr(m, field) for m in methods]
        fig.add_trace(
            go.Bar(
                name=RATE_NAMES[field],
                orientation="h",
                y=keys,
                x=values,
                text=["n/a" if v is None else rate_cell(v) for v in values],
                textposition="outside",
                textfont={"size": 11},
                cliponaxis=False,
                marker={
                    "color": RATE_COLORS[field],
                    "opacity": [1.0 if k == HEADLINE_METHOD else 0.5 for k in keys],
                },
                customdata=[[m.label, versus(getattr(m, field), field)] for m in methods],
                hovertemplate=(
                    f"%{{customdata[0]}}: {RATE_NAMES[field]} %{{x:.1%}}, "
                    "%{customdata[1]:+.1%} against the cohort method<extra></extra>"
                ),
                meta={"field": field},
            )
        )
    fig.add_vline(x=1, line={"color": OKABE_ITO["black"], "width": 1, "dash": "dot"})
    fig.update_yaxes(
        type="category",
        autorange="reversed",
        tickvals=keys,
        ticktext=[
            f"<b>{METHOD_NAMES[k]}</b><br>(headline)"
            if k == HEADLINE_METHOD
            else METHOD_NAMES.get(k, k)
            for k in keys
        ],
    )
    # Room to the right of the longest bar for its label.
    fig.update_xaxes(tickformat=".0%", range=[0, max(highest, 1.0) * 1.16])
    table = rows_of(
        *(
            [
                f"{m.label} (headline)" if m.method == HEADLINE_METHOD else m.label,
                rate_cell(m.grr),
                rate_cell(m.nrr),
                rate_cell(m.logo_retention),
                reader_text(m.why),
            ]
            for m in methods
        )
    )
    nrrs = [m.nrr for m in methods if m.nrr is not None]
    spread = f" Here the NRRs run from {min(nrrs):.1%} to {max(nrrs):.1%}." if len(nrrs) > 1 else ""
    return Chart(
        "methods",
        f"The {result.window_months}-month rates to {month_label(result.as_of)} by method",
        "The headline (the cohort method, in full colour) follows exactly the customers "
        "paying at the start of the window, so customers won during it neither help nor hurt "
        "its rates; it is how GRR and NRR are benchmarked. The lighter bars answer other "
        f"questions, and the table says in one line why each differs.{spread} The dotted "
        "line is 100%.",
        fig,
        ("Method", "GRR", "NRR", "Logo retention", "Why it differs"),
        table,
    )
