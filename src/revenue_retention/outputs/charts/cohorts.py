"""The acquisition cohort heatmap: cohort x age, NRR and logo retention behind a toggle."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from revenue_retention.analyses.cohorts import CohortResult
from revenue_retention.errors import OptionError
from revenue_retention.outputs.charts._common import (
    NEUTRAL,
    OKABE_ITO,
    Chart,
    coordinate,
    exact,
    figure,
    money_cell,
    rate_cell,
    rows_of,
)

__all__ = ["HEATMAP_NAMES", "TABLE_AGES", "cohort_heatmap"]

#: Trace name of each cohort metric, stable: programs find a view by it.
HEATMAP_NAMES = {"nrr": "NRR", "grr": "GRR", "logo": "Logo retention", "mrr": "MRR"}
#: Ages (months since the first payment) whose figures the table lists.
TABLE_AGES = (3, 6, 12)
#: Below 100% vermillion, above it blue, white at 100% (NRR and GRR are centred there).
_DIVERGING = [[0.0, OKABE_ITO["vermillion"]], [0.5, NEUTRAL["white"]], [1.0, OKABE_ITO["blue"]]]
#: One hue for shares and amounts: white at none, blue at the most.
_SEQUENTIAL = [[0.0, NEUTRAL["white"]], [1.0, OKABE_ITO["blue"]]]


def _grid(result: CohortResult) -> tuple[list[str], list[int], dict[tuple[int, int], Any]]:
    """Cohort labels (oldest first), ages, and the row of each (cohort, age) cell."""
    rows = result.cohorts.to_pylist()
    cohorts = sorted({r["cohort_index"] for r in rows})
    ages = sorted({r["age_months"] for r in rows})
    cells = {(r["cohort_index"], r["age_months"]): r for r in rows}
    return (
        [result.label(c) for c in cohorts],
        ages,
        {(cohorts.index(c), a): cell for (c, a), cell in cells.items()},
    )


def _heatmap(result: CohortResult, visible: bool) -> go.Heatmap:
    labels, ages, cells = _grid(result)
    name = HEATMAP_NAMES[result.metric]
    money = result.metric == "mrr"

    def cell(i: int, age: int) -> dict[str, Any] | None:
        found: dict[str, Any] | None = cells.get((i, age))
        return found

    z = [
        [coordinate(c["value"]) if (c := cell(i, a)) else None for a in ages]
        for i in range(len(labels))
    ]
    customdata = [
        [
            [
                exact(c["mrr"]),
                exact(c["base_mrr"]),
                c["active_customers"],
                c["cohort_customers"],
                exact(c["value"]) if money else None,
            ]
            if (c := cell(i, a))
            else None
            for a in ages
        ]
        for i in range(len(labels))
    ]
    shown = "%{customdata[4]}" if money else f"{name} %{{z:.1%}}"
    centred = result.metric in ("nrr", "grr")
    return go.Heatmap(
        name=name,
        x=ages,
        y=labels,
        z=z,
        customdata=customdata,
        visible=visible,
        colorscale=_DIVERGING if centred else _SEQUENTIAL,
        zmid=1.0 if centred else None,
        zmin=0.0 if result.metric == "logo" else None,
        zmax=1.0 if result.metric == "logo" else None,
        colorbar={"tickformat": ",.0f" if money else ".0%", "thickness": 12, "len": 0.8},
        hoverongaps=False,
        xgap=1,
        ygap=1,
        hovertemplate=(
            f"cohort %{{y}}, month %{{x}}: {shown}<br>MRR %{{customdata[0]}} of "
            "%{customdata[1]} at the start<br>%{customdata[2]:,} of %{customdata[3]:,} "
            "customers paying<extra></extra>"
        ),
        meta={"metric": result.metric, "grain": result.grain, "relative_to": result.relative_to},
    )


def _table(nrr: CohortResult, logo: CohortResult | None) -> tuple[tuple[str, ...], Any]:
    """Per cohort: size, and the first view's figure (and logo retention) at a few ages."""
    sizes = {r["cohort_index"]: r for r in nrr.sizes.to_pylist()}
    values = {(r["cohort_index"], r["age_months"]): r for r in nrr.cohorts.to_pylist()}
    logos = (
        {(r["cohort_index"], r["age_months"]): r for r in logo.cohorts.to_pylist()}
        if logo is not None
        else {}
    )
    name = HEATMAP_NAMES[nrr.metric]
    ages = [a for a in TABLE_AGES if any(age == a for _, age in values)]

    def shown(cell: dict[str, Any] | None, money: bool) -> str:
        if cell is None:
            return "-"
        return money_cell(cell["value"]) if money else rate_cell(cell["value"])

    columns: tuple[str, ...] = ("Cohort", "Customers", "Starting MRR")
    columns += tuple(f"{name} month {a}" for a in ages)
    if logo is not None:
        columns += tuple(f"Logo retention month {a}" for a in ages)
    rows = []
    for index, size in sorted(sizes.items()):
        row = [nrr.label(index), f"{size['customers']:,}", money_cell(size["starting_mrr"])]
        row += [shown(values.get((index, a)), nrr.metric == "mrr") for a in ages]
        if logo is not None:
            row += [shown(logos.get((index, a)), False) for a in ages]
        rows.append(row)
    return columns, rows_of(*rows)


def cohort_heatmap(nrr: CohortResult, logo: CohortResult | None = None) -> Chart:
    """Acquisition cohorts (rows, oldest on top) by age in months (columns).

    One ``go.Heatmap`` per view, named from ``HEATMAP_NAMES`` (``"NRR"``, and
    ``"Logo retention"`` when ``logo`` is given, hidden until its button is pressed:
    Plotly ``updatemenus`` buttons switch the views, no script of ours). Each has ``y`` =
    cohort labels as in the JSON (``2024-01``, ``2024-Q1``), ``x`` = ages in months,
    ``z[i][j]`` = the value (a fraction; exact money as a float for ``mrr``), null where the
    cohort has not reached the age, and ``customdata[i][j]`` = ``[mrr, base_mrr,
    active_customers, cohort_customers, value]`` (money as exact strings, ``value`` only
    for ``mrr``). ``meta`` = ``{"metric", "grain", "relative_to"}``.

    Raises
    ------
    OptionError
        ``logo`` is not a logo-retention result of the same cohorts.
    """
    if logo is not None and (logo.metric != "logo" or logo.grain != nrr.grain):
        raise OptionError("logo", logo.metric, "must be a logo-retention result of the same grain")
    views = [nrr] if logo is None else [nrr, logo]
    labels, _, _ = _grid(nrr)
    fig = figure(height=max(360, 130 + 16 * len(labels)), showlegend=False)
    for i, view in enumerate(views):
        fig.add_trace(_heatmap(view, visible=i == 0))
    fig.update_yaxes(type="category", autorange="reversed", title_text="cohort")
    fig.update_xaxes(title_text="months since first payment", dtick=6)
    if logo is not None:
        fig.update_layout(
            margin={"t": 50},
            updatemenus=[
                {
                    "type": "buttons",
                    "direction": "right",
                    "x": 0,
                    "xanchor": "left",
                    "y": 1,
                    "yanchor": "bottom",
                    "pad": {"b": 6},
                    "showactive": True,
                    "buttons": [
                        {
                            "label": HEATMAP_NAMES[view.metric],
                            "method": "restyle",
                            "args": [{"visible": [j == i for j in range(len(views))]}],
                        }
                        for i, view in enumerate(views)
                    ],
                }
            ],
        )
    names = " or ".join(_lower(HEATMAP_NAMES[v.metric]) for v in views)
    columns, rows = _table(nrr, logo)
    first = nrr.label(nrr.months.first)
    return Chart(
        "cohort-heatmap",
        f"Acquisition cohorts: {names} by month since first payment",
        f"Each row is the customers who first paid in that {nrr.grain}, each cell what they "
        f"kept that many months later ({_legend(views)}); cohort {first} also holds everyone "
        "already paying when the data starts.",
        fig,
        columns,
        rows,
    )


def _lower(name: str) -> str:
    """A view's name inside a sentence: ``Logo retention`` becomes ``logo retention``."""
    return name if name.isupper() else name.lower()


def _legend(views: list[CohortResult]) -> str:
    """How the colours read, for the views shown (the first decides the wording)."""
    parts = []
    for view in views:
        name = _lower(HEATMAP_NAMES[view.metric])
        if view.metric in ("nrr", "grr"):
            parts.append(f"{name}: blue above 100%, vermillion below")
        else:
            parts.append(f"{name}: the darker the blue, the more kept")
    return "; ".join(parts)
