"""What the figures are made of: concentration of the base (§5) and the expansion split (§6)."""

from __future__ import annotations

import plotly.graph_objects as go

from revenue_retention.analyses.concentration import ConcentrationResult
from revenue_retention.outputs._charts import (
    NEUTRAL,
    OKABE_ITO,
    Chart,
    exact,
    figure,
    money_cell,
    rate_cell,
    rows_of,
)
from revenue_retention.outputs.labels import currency_code, money_title
from revenue_retention.periods import month_label

__all__ = ["concentration_pareto"]

#: Where the top-k labels of the Pareto chart sit (data coordinates): a column under the
#: diagonal, so they never overlap the curve or each other at any width.
_LABEL_X = 0.30
_LABEL_TOP = 0.22
_LABEL_STEP = 0.09


def concentration_pareto(result: ConcentrationResult) -> Chart:
    """Cumulative share of starting MRR against share of customers, largest first (§5).

    Traces: ``"Cumulative share of starting MRR"`` with ``x`` = share of customers and
    ``y`` = share of S held by them (the result's ``pareto`` points: every customer up to
    1,000, else about 200 quantiles) and ``customdata[i]`` = ``[rank, cumulative MRR]``
    (exact string); ``"Top customers"``, one marker per top k (1, 5, 10) with ``x`` =
    k / |C|, ``y`` = their share of S and ``customdata[i]`` = ``[k, their MRR]``;
    ``"Equal shares"``, the diagonal every customer paying the same would give.
    """
    points = result.pareto.to_pylist()
    shares = result.shares.to_pylist()
    customers = max(result.customers, 1)
    fig = figure(height=420)
    fig.add_trace(
        go.Scatter(
            name="Equal shares",
            x=[0.0, 1.0],
            y=[0.0, 1.0],
            mode="lines",
            line={"color": OKABE_ITO["black"], "width": 1, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            name="Cumulative share of starting MRR",
            x=[p["customer_share"] for p in points],
            y=[p["mrr_share"] for p in points],
            mode="lines",
            line={"color": OKABE_ITO["blue"], "width": 2},
            customdata=[[p["rank"], exact(p["cumulative_mrr"])] for p in points],
            hovertemplate=(
                "top %{customdata[0]:,} customers (%{x:.1%}) hold %{y:.1%} of starting MRR: "
                "%{customdata[1]}<extra></extra>"
            ),
        )
    )
    fig.add_trace(
        go.Scatter(
            name="Top customers",
            x=[min(s["top"], customers) / customers for s in shares],
            y=[s["share_of_starting_mrr"] for s in shares],
            mode="markers",
            text=[f"top {s['top']}" for s in shares],
            marker={"color": OKABE_ITO["vermillion"], "size": 9, "symbol": "diamond"},
            customdata=[[s["top"], exact(s["mrr"])] for s in shares],
            hovertemplate=(
                "top %{customdata[0]}: %{y:.1%} of starting MRR, %{customdata[1]}<extra></extra>"
            ),
        )
    )
    # The top 1, 5 and 10 sit within a percent of customers of each other: their labels go
    # in a column in the empty corner under the diagonal, each with an arrow to its point.
    for i, s in enumerate(sorted(shares, key=lambda s: -s["top"])):
        fig.add_annotation(
            x=min(s["top"], customers) / customers,
            y=s["share_of_starting_mrr"],
            xref="x",
            yref="y",
            ax=_LABEL_X,
            ay=_LABEL_TOP - i * _LABEL_STEP,
            axref="x",
            ayref="y",
            text=f"top {s['top']}: {rate_cell(s['share_of_starting_mrr'])} of starting MRR",
            showarrow=True,
            arrowhead=0,
            arrowwidth=1,
            arrowcolor=OKABE_ITO["vermillion"],
            xanchor="left",
            font={"size": 11},
            bgcolor=NEUTRAL["white"],
        )
    fig.update_xaxes(
        title_text="share of customers, largest first", tickformat=".0%", range=[-0.01, 1.0]
    )
    fig.update_yaxes(title_text="share of starting MRR", tickformat=".0%", range=[0, 1.02])
    start, end = month_label(result.start), month_label(result.as_of)
    rows = rows_of(
        *(
            [
                f"Top {s['top']}",
                f"{s['customers']:,}",
                money_cell(s["mrr"]),
                rate_cell(s["share_of_starting_mrr"]),
                money_cell(s["expansion"]),
                rate_cell(s["share_of_expansion"]),
            ]
            for s in shares
        )
    )
    hhi = "-" if result.herfindahl is None else f"{result.herfindahl:.4f}"
    return Chart(
        "concentration",
        f"Concentration of the {result.customers:,} customers paying at {start}",
        "The further the curve bows above the diagonal, the more of the starting MRR a few "
        f"customers hold; the table adds their share of the expansion to {end} "
        f"(Herfindahl index {hhi}).",
        fig,
        (
            "Top",
            "Customers",
            money_title("Starting MRR", currency_code(result.input)),
            "Share of starting MRR",
            money_title("Expansion of the top expanders", currency_code(result.input)),
            "Share of expansion",
        ),
        rows,
    )
