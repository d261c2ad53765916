"""The MRR bridge as a waterfall: opening, each movement, closing (METRICS.md §2)."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from revenue_retention.analyses.bridge_span import bridge_span
from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.outputs._charts import (
    OKABE_ITO,
    Chart,
    coordinate,
    exact,
    figure,
    money_cell,
    money_label,
    rows_of,
)
from revenue_retention.outputs.labels import currency_code, money_title
from revenue_retention.periods import month_label

__all__ = ["BRIDGE_STEPS", "bridge_waterfall", "steps_of"]

#: The bars in order: (bridge field, label, sign). Contraction and churn are drawn down.
BRIDGE_STEPS: tuple[tuple[str, str, int], ...] = (
    ("opening_mrr", "Opening MRR", 1),
    ("new", "New", 1),
    ("reactivation", "Reactivation", 1),
    ("expansion", "Expansion", 1),
    ("contraction", "Contraction", -1),
    ("churn", "Churn", -1),
    ("closing_mrr", "Closing MRR", 1),
)
#: Across currencies the bridge has one more step before closing (docs/metrics.md 1.10).
_FX_STEP = ("fx", "Exchange rates", 1)


def steps_of(metrics: MetricsResult) -> tuple[tuple[str, str, int], ...]:
    """The bars of this result's bridge: with several currencies, the ``fx`` step too."""
    if "fx" not in metrics.bridge.column_names:
        return BRIDGE_STEPS
    return (*BRIDGE_STEPS[:-1], _FX_STEP, BRIDGE_STEPS[-1])


def _zoomed(levels: list[Decimal]) -> tuple[float, float]:
    """The MRR range the bars span, padded: the axis zooms on the movements, not on zero."""
    opening = levels[0]
    low, high = float(min(levels)), float(max(levels))
    pad = max((high - low) * 0.18, abs(float(opening)) * 0.002, 1.0)
    return low - pad, high + pad * 1.4  # a little more room above for the value labels


def _signed_text(amount: Decimal) -> str:
    shown = money_label(abs(amount))
    return f"+{shown}" if amount > 0 else f"\u2212{shown}" if amount < 0 else shown


def bridge_waterfall(metrics: MetricsResult, months: int = 1) -> Chart:
    """The MRR bridge of the latest month (``months=1``) or the trailing twelve (``12``).

    The movements are drawn at their own scale: the bars start at the opening MRR (a
    level marked at the left) and the axis spans only what they cover, so a 19,399.03
    contraction of a 3.4M base is a bar, not a sliver; every bar is labelled with its
    signed amount, and the last bar, the net change, ends on the closing MRR (the level
    marked at the right).

    The figure has a ``go.Waterfall`` trace named ``"MRR bridge"`` with ``base`` = the
    opening MRR, between two ``go.Scatter`` levels named ``"Opening MRR"`` and ``"Closing
    MRR"`` (``y`` = the amount, ``text`` = it as shown, ``customdata`` = ``[[exact,
    "YYYY-MM"]]``). Its ``x`` are the labels of ``BRIDGE_STEPS`` between opening and closing
    (``"New"`` ... ``"Churn"``, ``"Exchange rates"`` with several currencies) and ``"Net
    change"``; ``y`` the amounts as floats with contraction and churn negative (the net
    change is a total: Plotly draws it from the bars before it); ``text`` the signed
    amounts shown; ``customdata[i]`` is ``[signed exact amount, bridge field]``, e.g.
    ``["-77329.97", "contraction"]``, the amount the JSON's exact string (negated for
    contraction and churn), the field ``net_change`` for the last bar. ``meta`` holds
    ``{"first": "YYYY-MM", "last": "YYYY-MM", "opening_mrr": exact, "closing_mrr":
    exact}``.

    Raises
    ------
    OptionError
        Fewer than ``months`` bridge months in the data.

    Examples
    --------
    >>> import revenue_retention as rr, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.csv"
    >>> _ = path.write_text("customer_id,month,mrr\\na,2024-01,100\\na,2024-02,90\\n")
    >>> chart = bridge_waterfall(rr.compute_metrics(rr.load(path)))
    >>> chart.id, [c[0] for c in chart.figure.data[0].customdata]
    ('bridge-month', ['0.00', '0.00', '0.00', '-10.00', '0.00', '-10.00'])
    >>> chart.figure.data[0].meta["opening_mrr"], chart.figure.data[0].meta["closing_mrr"]
    ('100.00', '90.00')
    """
    span = bridge_span(metrics, months)
    first, last = month_label(span.first), month_label(span.last)
    currency = currency_code(metrics.input)
    opening, closing, signed = span.opening, span.closing, span.signed
    moves = [(field, name, signed[field]) for field, name, _ in steps_of(metrics)[1:-1]]
    bars = [*moves, ("net_change", "Net change", span.net_change)]
    fig = figure(height=400, showlegend=False, margin={"l": 10, "r": 10, "t": 24, "b": 10})
    fig.add_trace(
        go.Waterfall(
            name="MRR bridge",
            x=[name for _, name, _ in bars],
            y=[coordinate(amount) for _, _, amount in bars],
            base=coordinate(opening),
            measure=[*["relative"] * len(moves), "total"],
            text=[_signed_text(amount) for _, _, amount in bars],
            textposition="outside",
            textfont={"size": 12},
            # Labels keep their size beside a narrow bar instead of shrinking to its width.
            constraintext="none",
            cliponaxis=False,
            customdata=[[exact(amount), field] for field, _, amount in bars],
            hovertemplate="%{x}: %{customdata[0]}<extra></extra>",
            meta={
                "first": first,
                "last": last,
                "opening_mrr": exact(opening),
                "closing_mrr": exact(closing),
            },
            increasing={"marker": {"color": OKABE_ITO["bluish_green"]}},
            decreasing={"marker": {"color": OKABE_ITO["vermillion"]}},
            totals={"marker": {"color": OKABE_ITO["blue"]}},
            connector={"line": {"color": OKABE_ITO["black"], "width": 1, "dash": "dot"}},
        )
    )
    low, high = _zoomed(span.levels)
    before = month_label(span.first - 1)
    for name, value, end in (
        ("Opening MRR", opening, before),
        ("Closing MRR", closing, last),
    ):
        # A level, not a bar: a bar from zero would run off the zoomed axis.
        trace = go.Scatter(
            name=name,
            x=[name],
            y=[coordinate(value)],
            mode="markers+text",
            marker={
                "symbol": "line-ew",
                "size": 44,
                "line": {"color": OKABE_ITO["blue"], "width": 4},
            },
            text=[money_label(value)],
            textposition="top center",
            textfont={"size": 12},
            cliponaxis=False,
            customdata=[[exact(value), end]],
            hovertemplate=f"{name} at the end of %{{customdata[1]}}: %{{text}}<extra></extra>",
        )
        fig.add_trace(trace)
    fig.update_xaxes(
        categoryorder="array",
        categoryarray=["Opening MRR", *(name for _, name, _ in bars), "Closing MRR"],
    )
    fig.update_yaxes(
        title_text=money_title("MRR", currency),
        tickformat=",.0f",
        range=[low, high],
    )
    scale = (
        f"The axis starts at {low:,.0f}, not at zero, so that every movement shows at a "
        "readable size."
    )
    if months == 1:
        chart_id, title = "bridge-month", f"MRR bridge, {last}"
        caption = (
            f"How MRR moved from the end of {before} to the end of {last}: bars rising add to "
            "it, bars falling take from it; the last bar is the net change from the opening "
            f"level to the closing one. {scale}"
        )
    else:
        chart_id = "bridge-ttm" if months == 12 else f"bridge-{months}-months"
        title = f"MRR bridge, {months} months to {last}"
        caption = (
            f"The {months} monthly bridges {first} to {last} added up: opening MRR at the end "
            f"of {before}, every movement summed, closing MRR at the end of {last}. {scale}"
        )
    rows = rows_of(
        [f"Opening MRR (end of {before})", money_cell(opening)],
        *([name, money_cell(amount)] for _, name, amount in bars),
        [f"Closing MRR (end of {last})", money_cell(closing)],
    )
    return Chart(
        chart_id,
        title,
        caption,
        fig,
        ("Step", money_title("MRR", currency)),
        rows,
        # Eight labelled bars: narrower than this, their labels would run into each other.
        min_width=860,
    )
