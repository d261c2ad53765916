"""The chart of ``explain``: the MRR each kind of movement added or took away."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from revenue_retention.analyses.explain import ExplainResult
from revenue_retention.outputs._charts import (
    OKABE_ITO,
    Chart,
    coordinate,
    exact,
    figure,
    money_cell,
    rows_of,
)
from revenue_retention.periods import month_label

__all__ = ["explain_movements"]


#: Movements that take MRR away: drawn below zero.
_LOSSES = frozenset({"churn", "contraction"})


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
