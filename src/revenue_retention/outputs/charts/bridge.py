"""The MRR bridge as a waterfall: opening, each movement, closing (METRICS.md §2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.errors import OptionError
from revenue_retention.outputs.charts._common import (
    OKABE_ITO,
    Chart,
    coordinate,
    exact,
    figure,
    money_cell,
    rows_of,
)
from revenue_retention.periods import month_label

__all__ = ["BRIDGE_STEPS", "bridge_steps", "bridge_waterfall", "steps_of"]

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


def bridge_steps(metrics: MetricsResult, months: int = 1) -> tuple[int, int, dict[str, Decimal]]:
    """The bridge of the last ``months`` months as one: first and last month index, amounts.

    The opening is the first month's opening MRR, each movement the exact ``Decimal`` sum
    over the months, the closing the last month's closing MRR; the identity of §2 then
    holds for the span as it does for each month.

    Raises
    ------
    OptionError
        The data has fewer than ``months`` bridge months (the first month has none).
    """
    rows: list[dict[str, Any]] = metrics.bridge.to_pylist()
    if months < 1 or len(rows) < months:
        raise OptionError(
            "months",
            months,
            f"needs {months} bridge months; the data has {len(rows)} (the first month is "
            "the opening balance and has no bridge row)",
        )
    span = rows[-months:]
    steps = steps_of(metrics)
    amounts = {"opening_mrr": span[0]["opening_mrr"]}
    amounts |= {name: sum((r[name] for r in span), Decimal(0)) for name, _, _ in steps[1:-1]}
    amounts["closing_mrr"] = span[-1]["closing_mrr"]
    moved = sum((sign * amounts[name] for name, _, sign in steps[1:-1]), Decimal(0))
    if amounts["opening_mrr"] + moved != amounts["closing_mrr"]:
        # Each month closes exactly (§2) and chains into the next: a bug if this fails.
        raise AssertionError(f"bridge does not close over {months} months: {amounts}")
    return span[0]["month_index"], span[-1]["month_index"], amounts


def bridge_waterfall(metrics: MetricsResult, months: int = 1) -> Chart:
    """The MRR bridge of the latest month (``months=1``) or the trailing twelve (``12``).

    The figure has one ``go.Waterfall`` trace named ``"MRR bridge"``. Its ``x`` are the
    labels of ``BRIDGE_STEPS``; ``y`` the amounts as floats with contraction and churn
    negative (the closing bar is a total: Plotly draws it from the bars before it);
    ``customdata[i]`` is ``[signed exact amount, bridge field]``, e.g.
    ``["-77329.97", "contraction"]``, where the amount is the JSON's exact string (negated
    for contraction and churn). ``meta`` holds ``{"first": "YYYY-MM", "last": "YYYY-MM"}``.

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
    ('bridge-month', ['100.00', '0.00', '0.00', '0.00', '-10.00', '0.00', '90.00'])
    """
    first_index, last_index, amounts = bridge_steps(metrics, months)
    first, last = month_label(first_index), month_label(last_index)
    # Zero stays 0.00, not -0.00, when a falling step has no amount.
    steps = steps_of(metrics)
    signed = [
        (field, name, -amounts[field] if sign < 0 and amounts[field] else amounts[field])
        for field, name, sign in steps
    ]
    fig = figure(height=400, showlegend=False)
    fig.add_trace(
        go.Waterfall(
            name="MRR bridge",
            x=[name for _, name, _ in signed],
            y=[coordinate(amount) for _, _, amount in signed],
            measure=["absolute", *["relative"] * (len(steps) - 2), "total"],
            customdata=[[exact(amount), field] for field, _, amount in signed],
            hovertemplate="%{x}: %{customdata[0]}<extra></extra>",
            meta={"first": first, "last": last},
            increasing={"marker": {"color": OKABE_ITO["bluish_green"]}},
            decreasing={"marker": {"color": OKABE_ITO["vermillion"]}},
            totals={"marker": {"color": OKABE_ITO["blue"]}},
            connector={"line": {"color": OKABE_ITO["black"], "width": 1, "dash": "dot"}},
        )
    )
    fig.update_yaxes(title_text="MRR", tickformat=",.0f")
    if months == 1:
        chart_id, title = "bridge-month", f"MRR bridge, {last}"
        caption = (
            f"How MRR moved from the end of {month_label(first_index - 1)} to the end of {last}: "
            "bars rising add to it, bars falling take from it; the last bar is the closing MRR."
        )
    else:
        chart_id = "bridge-ttm" if months == 12 else f"bridge-{months}-months"
        title = f"MRR bridge, {months} months to {last}"
        caption = (
            f"The {months} monthly bridges {first} to {last} added up: opening MRR of "
            f"{first}, every movement summed, closing MRR of {last}."
        )
    rows = rows_of(*([name, money_cell(amount)] for _, name, amount in signed))
    return Chart(chart_id, title, caption, fig, ("Step", "MRR"), rows)
