"""The decomposition's chart: what the expansion of a window is made of (METRICS.md §6)."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from revenue_retention.analyses.decompose import DecomposeResult
from revenue_retention.outputs._charts import (
    OKABE_ITO,
    Chart,
    coordinate,
    exact,
    figure,
    money_cell,
    rate_cell,
    rows_of,
)
from revenue_retention.outputs.labels import currency_code, money_title
from revenue_retention.periods import month_label

__all__ = ["COMPONENTS", "expansion_split"]


#: The components of §6: (field of ``DecomposeTotals``, trace name, bar, colour).
COMPONENTS: tuple[tuple[str, str, str, str], ...] = (
    ("volume_expansion", "Volume expansion", "Increases", "bluish_green"),
    ("price_increase", "Price increase", "Increases", "orange"),
    ("cross_sell", "Cross-sell", "Increases", "sky_blue"),
    ("volume_contraction", "Volume contraction", "Decreases", "vermillion"),
    ("price_decrease", "Price decrease", "Decreases", "yellow"),
    ("product_churn", "Product churn", "Decreases", "reddish_purple"),
    ("churn", "Churn", "Decreases", "black"),
)


def expansion_split(result: DecomposeResult) -> Chart:
    """The window's MRR change split into volume, price, cross-sell and their losses (§6).

    Two stacked bars, ``x`` = ``"Increases"`` and ``"Decreases"``; one ``go.Bar`` trace
    per component of ``COMPONENTS``, named ``"Volume expansion"``, ``"Price increase"``,
    ``"Cross-sell"``, ``"Volume contraction"``, ``"Price decrease"``, ``"Product churn"``,
    ``"Churn"``, with ``y`` = [the amount as a float] (every amount >= 0, decreases drawn
    up like increases) and ``customdata`` = ``[[exact amount, share of starting MRR]]``;
    ``meta`` = ``{"field": <DecomposeTotals field>}``.
    """
    t = result.totals
    start = t.starting_mrr

    def share(amount: Decimal) -> float | None:
        # Shares are ratios (floats); the amounts stay exact in customdata.
        return float(amount / start) if start else None

    fig = figure(height=420, barmode="stack", legend_traceorder="normal")
    for field, name, bar, colour in COMPONENTS:
        amount: Decimal = getattr(t, field)
        fig.add_trace(
            go.Bar(
                name=name,
                x=[bar],
                y=[coordinate(amount)],
                marker={"color": OKABE_ITO[colour]},
                customdata=[[exact(amount), share(amount)]],
                hovertemplate=(
                    f"{name}: %{{customdata[0]}} (%{{customdata[1]:.1%}} of starting MRR)"
                    "<extra></extra>"
                ),
                meta={"field": field},
            )
        )
    currency = currency_code(result.input)
    fig.update_yaxes(title_text=money_title("MRR", currency), tickformat=",.0f")
    rows = [
        [name, money_cell(getattr(t, field)), rate_cell(share(getattr(t, field)))]
        for field, name, _, _ in COMPONENTS
    ]
    rows.append(
        [
            "Net change (ending - starting MRR)",
            money_cell(t.net_change),
            rate_cell(share(t.net_change)),
        ]
    )
    start_label, end = month_label(result.start), month_label(result.as_of)
    return Chart(
        "expansion-split",
        f"What the expansion is made of, {start_label} to {end}",
        f"Left, what the {t.customers:,} customers paying at {start_label} added (more units, "
        f"higher prices, new products); right, what they lost. NRR {rate_cell(t.nrr)}, "
        f"{rate_cell(t.nrr_excluding_price)} without price increases.",
        fig,
        ("Component", money_title("MRR", currency), "Share of starting MRR"),
        rows_of(*rows),
    )
