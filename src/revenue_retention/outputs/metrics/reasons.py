"""Churn by reason, month by month: the report's chart when the input says why customers left.

Stacked bars of each month's churn split into voluntary, involuntary (failed payments),
paused and unexplained (docs/metrics.md 4.16); the four add up to the bridge's churn.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.errors import OptionError
from revenue_retention.outputs._charts import (
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

__all__ = ["REASON_BARS", "churn_reasons_chart"]

#: (field, trace name, colour), stacked in this order.
REASON_BARS: tuple[tuple[str, str, str], ...] = (
    ("churn_voluntary", "Voluntary", "vermillion"),
    ("churn_involuntary", "Involuntary (payment failed)", "orange"),
    ("churn_paused", "Paused", "sky_blue"),
    ("churn_unexplained", "Unexplained", "black"),
)
_MONTHS = 24


def churn_reasons_chart(metrics: MetricsResult, months: int = _MONTHS) -> Chart:
    """The churn of the last ``months`` bridge months by reason.

    One ``go.Bar`` per reason of ``REASON_BARS`` (stacked): ``x`` = months ``YYYY-MM``,
    ``y`` = the amount as a float, ``customdata[i]`` = ``[exact amount]``, ``meta`` =
    ``{"field": <churn_reasons field>}``.

    Raises
    ------
    OptionError
        The input has no reason column, or no bridge month.
    """
    if metrics.churn_reasons is None:
        raise OptionError("churn_reason", None, "the input has no status or reason column")
    rows: list[dict[str, Any]] = metrics.churn_reasons.to_pylist()[-months:]
    if not rows:
        raise OptionError("months", months, "needs at least one bridge month (two months of data)")
    currency = currency_code(metrics.input)
    unit = metrics.unit.upper()
    x = [month_label(r["month_index"]) for r in rows]
    fig = figure(height=320, barmode="stack")
    for field, name, colour in REASON_BARS:
        fig.add_trace(
            go.Bar(
                name=name,
                x=x,
                y=[coordinate(r[field]) for r in rows],
                marker={"color": OKABE_ITO[colour], "line": {"width": 0}},
                customdata=[[exact(r[field])] for r in rows],
                hovertemplate=f"{name} %{{customdata[0]}}<extra></extra>",
                meta={"field": field},
            )
        )
    fig.update_yaxes(title_text=money_title(f"Churned {unit}", currency), tickformat="~s")
    fig.update_xaxes(type="date", tickformat="%b %Y", hoverformat="%Y-%m", dtick="M3")
    table = rows_of(
        *(
            [
                label,
                money_cell(r["churn"]),
                *(money_cell(r[f]) for f, _, _ in REASON_BARS),
                money_cell(r["reactivation_resumed"]),
            ]
            for label, r in zip(x, rows, strict=True)
        )
    )
    return Chart(
        "churn-reasons",
        f"Why customers left, {x[0]} to {x[-1]} (column {metrics.churn_reason_column!r})",
        "Each month's churn split by the reason the input gives: the value in the month a "
        "customer left (a row with no revenue), else in its last paying month. Paused "
        "customers count as churn until they resume (the last column: revenue back from a "
        "pause).",
        fig,
        (
            "Month",
            money_title(f"Churn ({unit})", currency),
            *(name for _, name, _ in REASON_BARS),
            "Resumed",
        ),
        table,
    )
