"""The ``methods`` chart: the rates of one window by every method of METRICS.md §3-4."""

from __future__ import annotations

import plotly.graph_objects as go

from revenue_retention.analyses.methods import MethodsResult
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

__all__ = ["HEADLINE_METHOD", "METHOD_NAMES", "methods_compare"]


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
