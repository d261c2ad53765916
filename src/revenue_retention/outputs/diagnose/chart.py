"""Charts for notebooks beyond the report's: benchmark placement, movements, intervals."""

from __future__ import annotations

import plotly.graph_objects as go

from revenue_retention.analyses.diagnostics import Diagnosis
from revenue_retention.outputs._charts import (
    OKABE_ITO,
    RATE_COLORS,
    Chart,
    figure,
    rate_cell,
    rows_of,
)
from revenue_retention.outputs.metrics.trends import RATE_NAMES
from revenue_retention.periods import month_label

__all__ = ["benchmark_placement"]


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
