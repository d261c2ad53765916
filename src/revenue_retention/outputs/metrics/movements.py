"""MRR over time with its monthly movements: the report's first chart (METRICS.md §2).

The line is each month's closing MRR; under it, one stacked bar per month of what moved:
new, expansion and reactivation up, contraction and churn down, and the net change as a
dot, the way subscription analytics tools (ChartMogul's "MRR movements") open.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.errors import OptionError
from revenue_retention.outputs._charts import (
    LEGEND,
    NEUTRAL,
    OKABE_ITO,
    Chart,
    coordinate,
    exact,
    figure,
    money_cell,
    rows_of,
)
from revenue_retention.outputs.labels import currency_code, money_title
from revenue_retention.periods import month_label

__all__ = ["MOVEMENT_BARS", "MOVEMENT_MONTHS", "mrr_movements"]

#: Months drawn: the last two years, enough to see a trend and a year-on-year change.
MOVEMENT_MONTHS = 24
#: The bars: (bridge field, trace name, sign, colour). Gains stack up, losses down.
MOVEMENT_BARS: tuple[tuple[str, str, int, str], ...] = (
    ("new", "New", 1, "bluish_green"),
    ("expansion", "Expansion", 1, "sky_blue"),
    ("reactivation", "Reactivation", 1, "reddish_purple"),
    ("contraction", "Contraction", -1, "orange"),
    ("churn", "Churn", -1, "vermillion"),
)
_FX_BAR = ("fx", "Exchange rates", 1, "yellow")


def _signed(amount: Decimal, sign: int) -> Decimal:
    # Zero stays 0.00, not -0.00, when a falling step has no amount.
    return -amount if sign < 0 and amount else amount


def mrr_movements(metrics: MetricsResult, months: int = MOVEMENT_MONTHS) -> Chart:
    """Closing MRR of the last ``months`` bridge months, and each month's movements.

    Two panels share the month axis. The top one has the trace ``"MRR"``: ``x`` = months
    ``YYYY-MM``, ``y`` = closing MRR as floats, ``customdata[i]`` = ``[exact closing]``.
    The bottom one has one ``go.Bar`` per movement of ``MOVEMENT_BARS`` (``"New"``,
    ``"Expansion"``, ``"Reactivation"``, ``"Contraction"``, ``"Churn"``; ``"Exchange
    rates"`` too with several currencies), stacked relative to zero: ``y`` = the amount,
    negative for contraction and churn, ``customdata[i]`` = ``[signed exact amount]``,
    ``meta`` = ``{"field": <bridge field>}``; and ``"Net change"``, a dot per month at
    closing minus opening MRR.

    Raises
    ------
    OptionError
        The data has no bridge month (a single month of data).
    """
    rows: list[dict[str, Any]] = metrics.bridge.to_pylist()[-months:]
    if not rows:
        raise OptionError("months", months, "needs at least one bridge month (two months of data)")
    currency = currency_code(metrics.input)
    bars = (*MOVEMENT_BARS, _FX_BAR) if "fx" in metrics.bridge.column_names else MOVEMENT_BARS
    x = [month_label(r["month_index"]) for r in rows]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.05)
    fig.update_layout(figure(height=350).layout)
    fig.update_layout(
        barmode="relative",
        bargap=0.25,
        margin={"l": 10, "r": 10, "t": 34, "b": 10},
        legend=LEGEND | {"font": {"size": 12}},
        hovermode="x unified",
    )
    # Row heights by hand: make_subplots' row_heights conflicts with the shared layout.
    fig.update_yaxes(domain=[0.6, 1.0], row=1, col=1)
    fig.update_yaxes(domain=[0.0, 0.54], row=2, col=1)
    fig.add_trace(
        go.Scatter(
            name="MRR",
            x=x,
            y=[coordinate(r["closing_mrr"]) for r in rows],
            mode="lines+markers",
            line={"color": OKABE_ITO["blue"], "width": 2.5},
            marker={"size": 4},
            customdata=[[exact(r["closing_mrr"])] for r in rows],
            hovertemplate="MRR %{customdata[0]}<extra></extra>",
            meta={"field": "closing_mrr"},
        ),
        row=1,
        col=1,
    )
    for field, name, sign, colour in bars:
        amounts = [_signed(r[field], sign) for r in rows]
        fig.add_trace(
            go.Bar(
                name=name,
                x=x,
                y=[coordinate(a) for a in amounts],
                marker={"color": OKABE_ITO[colour], "line": {"width": 0}},
                customdata=[[exact(a)] for a in amounts],
                hovertemplate=f"{name} %{{customdata[0]}}<extra></extra>",
                meta={"field": field},
            ),
            row=2,
            col=1,
        )
    net = [r["closing_mrr"] - r["opening_mrr"] for r in rows]
    fig.add_trace(
        go.Scatter(
            name="Net change",
            x=x,
            y=[coordinate(n) for n in net],
            mode="markers",
            marker={
                "color": OKABE_ITO["black"],
                "size": 6,
                "symbol": "diamond",
                "line": {"color": NEUTRAL["white"], "width": 1},
            },
            customdata=[[exact(n)] for n in net],
            hovertemplate="Net change %{customdata[0]}<extra></extra>",
            meta={"field": "net_change"},
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text=money_title("MRR", currency), tickformat="~s", row=1, col=1)
    fig.update_yaxes(
        title_text=money_title("Movements", currency),
        tickformat="~s",
        zeroline=True,
        zerolinecolor=OKABE_ITO["black"],
        zerolinewidth=1,
        row=2,
        col=1,
    )
    fig.update_xaxes(type="date", tickformat="%b %Y", hoverformat="%Y-%m", dtick="M6")
    first, last = x[0], x[-1]
    table = rows_of(
        *(
            [
                label,
                money_cell(r["opening_mrr"]),
                *(money_cell(_signed(r[field], sign)) for field, _, sign, _ in bars),
                money_cell(n),
                money_cell(r["closing_mrr"]),
            ]
            for label, r, n in zip(x, rows, net, strict=True)
        )
    )
    return Chart(
        "mrr-movements",
        f"MRR and what moved it, {first} to {last}",
        "The line is MRR at the end of each month; the bars below it are what moved it that "
        "month: new customers, expansion and returning customers up, contraction and churn "
        "down; the diamond is the net change.",
        fig,
        (
            "Month",
            money_title("Opening MRR", currency),
            *(name for _, name, _, _ in bars),
            "Net change",
            money_title("Closing MRR", currency),
        ),
        table,
    )
