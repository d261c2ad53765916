"""The acquisition cohort heatmap: cohort x age, NRR and logo retention behind a toggle."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from revenue_retention.analyses.cohort_groups import CohortGroups
from revenue_retention.analyses.cohorts import CohortResult
from revenue_retention.errors import OptionError
from revenue_retention.outputs._charts import (
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
from revenue_retention.outputs.labels import currency_code, money_title

__all__ = [
    "HEATMAP_NAMES",
    "MAX_AGE_COLUMNS",
    "MIN_COHORT_CUSTOMERS",
    "RATE_COLOR_RANGE",
    "SMALL_COHORT_NAME",
    "TABLE_AGES",
    "age_step",
    "cohort_heatmap",
]

#: Trace name of each cohort metric, stable: programs find a view by it.
HEATMAP_NAMES = {"nrr": "NRR", "grr": "GRR", "logo": "Logo retention", "mrr": "MRR"}
#: Ages (months since the first payment) whose figures the table lists.
TABLE_AGES = (3, 6, 12)
#: Cohorts of fewer customers are greyed out: one customer's move swings their rate by
#: ten points or more, so their colour would say more than they do.
MIN_COHORT_CUSTOMERS = 10
#: The name added to a view's trace of the greyed-out cohorts.
SMALL_COHORT_NAME = f"cohorts under {MIN_COHORT_CUSTOMERS} customers"
#: NRR and GRR colours stop here (centred on 100%); a cell beyond shows the end colour
#: and its own number.
RATE_COLOR_RANGE = (0.5, 1.5)
#: At most this many age columns: every month, else every 3rd, 6th or 12th month of age.
MAX_AGE_COLUMNS = 37
#: Greyed-out cells: the grid's grey, with the text colour for their numbers.
_GREY = NEUTRAL["grid"]
#: Below 100% vermillion, above it blue, white at 100% (NRR and GRR are centred there).
_DIVERGING = [[0.0, OKABE_ITO["vermillion"]], [0.5, NEUTRAL["white"]], [1.0, OKABE_ITO["blue"]]]
#: One hue for shares and amounts: white at none, blue at the most.
_SEQUENTIAL = [[0.0, NEUTRAL["white"]], [1.0, OKABE_ITO["blue"]]]


def _grid(result: CohortResult) -> tuple[list[str], list[int], dict[tuple[int, int], Any]]:
    """Cohort labels (oldest first), ages shown, and the row of each (cohort, age) cell."""
    rows = result.cohorts.to_pylist()
    cohorts = sorted({r["cohort_index"] for r in rows})
    ages = _ages_shown(sorted({r["age_months"] for r in rows}))
    cells = {(r["cohort_index"], r["age_months"]): r for r in rows}
    return (
        [result.label(c) for c in cohorts],
        ages,
        {(cohorts.index(c), a): cell for (c, a), cell in cells.items()},
    )


def age_step(ages: list[int]) -> int:
    """Every month of age up to ``MAX_AGE_COLUMNS`` columns, else every quarter or year."""
    top = max(ages, default=0)
    return next((s for s in (1, 3, 6, 12) if top // s < MAX_AGE_COLUMNS), 24)


def _ages_shown(ages: list[int]) -> list[int]:
    step = age_step(ages)
    return [a for a in ages if a % step == 0]


def _sizes(result: CohortResult) -> list[int]:
    """Customers of each cohort, in the order of ``_grid``'s labels."""
    sizes = {r["cohort_index"]: r["customers"] for r in result.sizes.to_pylist()}
    cohorts = sorted({r["cohort_index"] for r in result.cohorts.to_pylist()})
    return [sizes.get(c, 0) for c in cohorts]


def _heatmaps(result: CohortResult, visible: bool) -> list[go.Heatmap]:
    """The view's cells: one trace for cohorts large enough, a grey one for the others."""
    labels, ages, cells = _grid(result)
    sizes = _sizes(result)
    name = HEATMAP_NAMES[result.metric]
    money = result.metric == "mrr"
    small = [n < MIN_COHORT_CUSTOMERS for n in sizes]

    def cell(i: int, age: int) -> dict[str, Any] | None:
        found: dict[str, Any] | None = cells.get((i, age))
        return found

    def z(keep_small: bool) -> list[list[float | None]]:
        return [
            [
                coordinate(c["value"]) if (c := cell(i, a)) and small[i] == keep_small else None
                for a in ages
            ]
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
    common: dict[str, Any] = {
        "x": ages,
        "y": labels,
        "customdata": customdata,
        "visible": visible,
        "hoverongaps": False,
        "xgap": 1,
        "ygap": 1,
        "texttemplate": "%{z:.3~s}" if money else "%{z:.0%}",
        "textfont": {"size": 9},
        "hovertemplate": (
            f"cohort %{{y}}, month %{{x}}: {shown}<br>MRR %{{customdata[0]}} of "
            "%{customdata[1]} at the start<br>%{customdata[2]:,} of %{customdata[3]:,} "
            "customers paying<extra></extra>"
        ),
        "meta": {
            "metric": result.metric,
            "grain": result.grain,
            "relative_to": result.relative_to,
        },
    }
    if money:
        scale: dict[str, Any] = {"colorscale": _SEQUENTIAL, "zmin": 0.0}
        bar: dict[str, Any] = {"tickformat": ",.0f"}
    elif result.metric == "logo":
        scale = {"colorscale": _SEQUENTIAL, "zmin": 0.0, "zmax": 1.0}
        bar = {"tickformat": ".0%"}
    else:
        # Clamped around 100%: one customer at 1,400% would otherwise stretch the scale
        # so far that every other cell is white. The number in each cell stays exact.
        low, high = RATE_COLOR_RANGE
        scale = {"colorscale": _DIVERGING, "zmin": low, "zmax": high}
        ticks = [low, (low + 1) / 2, 1.0, (high + 1) / 2, high]
        bar = {
            "tickvals": ticks,
            "ticktext": [
                f"\u2264{low:.0%}",
                *(f"{t:.0%}" for t in ticks[1:-1]),
                f"\u2265{high:.0%}",
            ],
        }
    main = go.Heatmap(
        name=name,
        z=z(False),
        colorbar={"thickness": 12, "len": 0.8, **bar},
        **scale,
        **common,
    )
    grey = go.Heatmap(
        name=f"{name}, {SMALL_COHORT_NAME}",
        z=z(True),
        colorscale=[[0.0, _GREY], [1.0, _GREY]],
        showscale=False,
        **{**common, "textfont": {"size": 9, "color": NEUTRAL["text"]}},
    )
    return [main, grey]


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

    columns: tuple[str, ...] = (
        "Cohort",
        "Customers",
        money_title("Starting MRR", currency_code(nrr.input)),
    )
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

    Two ``go.Heatmap`` traces per view: one named from ``HEATMAP_NAMES`` (``"NRR"``, and
    ``"Logo retention"`` when ``logo`` is given, hidden until its button is pressed:
    Plotly ``updatemenus`` buttons switch the views, no script of ours) with the cohorts
    of at least ``MIN_COHORT_CUSTOMERS`` customers, and one named ``"<name>, cohorts under
    10 customers"`` with the others, in grey. Each has ``y`` = cohort labels as in the
    JSON (``2024-01``, ``2024-Q1``; the axis adds each cohort's customers), ``x`` = ages in
    months (every month up to ``MAX_AGE_COLUMNS`` columns, else every ``age_step``-th),
    ``z[i][j]`` = the value (a fraction; exact money as a float for ``mrr``), null where
    the cohort has not reached the age or belongs to the other trace, its value printed in
    the cell (``texttemplate``), and ``customdata[i][j]`` = ``[mrr, base_mrr,
    active_customers, cohort_customers, value]`` (money as exact strings, ``value`` only for
    ``mrr``). NRR and GRR colours are clamped to ``RATE_COLOR_RANGE`` around 100%; logo
    retention runs 0 to 100%. ``meta`` = ``{"metric", "grain", "relative_to"}``.

    Raises
    ------
    OptionError
        ``logo`` is not a logo-retention result of the same cohorts.
    """
    if logo is not None and (logo.metric != "logo" or logo.grain != nrr.grain):
        raise OptionError("logo", logo.metric, "must be a logo-retention result of the same grain")
    views = [nrr] if logo is None else [nrr, logo]
    labels, ages, _ = _grid(nrr)
    sizes = _sizes(nrr)
    fig = figure(height=max(360, 150 + 19 * len(labels)), showlegend=False)
    for i, view in enumerate(views):
        for trace in _heatmaps(view, visible=i == 0):
            fig.add_trace(trace)
    fig.update_yaxes(
        type="category",
        autorange="reversed",
        title_text="cohort \u00b7 customers",
        tickvals=labels,
        ticktext=[f"{name} \u00b7 {n:,}" for name, n in zip(labels, sizes, strict=True)],
        tickfont={"size": 11},
    )
    step = age_step(ages)
    fig.update_xaxes(
        title_text="months since first payment",
        dtick=6 if step == 1 else step * 2,
        side="top",
    )
    if logo is not None:
        fig.update_layout(
            margin={"t": 90},
            updatemenus=_buttons(
                [
                    {
                        "label": HEATMAP_NAMES[view.metric],
                        "method": "restyle",
                        # Two traces per view: its cohorts and its greyed-out ones.
                        "args": [{"visible": [j // 2 == i for j in range(2 * len(views))]}],
                    }
                    for i, view in enumerate(views)
                ]
            ),
        )
    names = " or ".join(_lower(HEATMAP_NAMES[v.metric]) for v in views)
    columns, rows = _table(nrr, logo)
    first = nrr.label(nrr.months.first)
    every = "" if step == 1 else f" (every {step} months of age shown)"
    return Chart(
        "cohort-heatmap",
        f"Acquisition cohorts: {names} by month since first payment",
        f"Each row is the customers who first paid in that {nrr.grain} (their number beside "
        f"it), each cell what they kept that many months later{every} ({_legend(views)}); "
        f"cohorts of fewer than {MIN_COHORT_CUSTOMERS} customers are grey, as one customer "
        f"moves them by ten points or more. Cohort {first} also holds everyone already paying "
        "when the data starts.",
        fig,
        columns,
        rows,
        min_width=120 + 26 * len(ages),
    )


def _buttons(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A row of buttons above a heatmap's age axis (drawn at the top): one per view."""
    return [
        {
            "type": "buttons",
            "direction": "right",
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yanchor": "bottom",
            "pad": {"b": 46},
            "showactive": True,
            "buttons": buttons,
        }
    ]


def _lower(name: str) -> str:
    """A view's name inside a sentence: ``Logo retention`` becomes ``logo retention``."""
    return name if name.isupper() else name.lower()


def _legend(views: list[CohortResult]) -> str:
    """How the colours read, for the views shown (the first decides the wording)."""
    low, high = RATE_COLOR_RANGE
    parts = []
    for view in views:
        name = _lower(HEATMAP_NAMES[view.metric])
        if view.metric in ("nrr", "grr"):
            parts.append(
                f"{name}: blue above 100%, vermillion below, the colours stopping at "
                f"{low:.0%} and {high:.0%}"
            )
        else:
            parts.append(f"{name}: the darker the blue, the more kept")
    return "; ".join(parts)


#: Groups drawn by ``cohort_group_heatmaps``, the largest first; the JSON has every group.
MAX_GROUP_HEATMAPS = 8


def cohort_group_heatmaps(split: CohortGroups, max_groups: int = MAX_GROUP_HEATMAPS) -> Chart:
    """One cohort heatmap per group of ``split`` (``cohorts --by``), a button per group.

    The ``max_groups`` groups with most customers are drawn, largest first (the others
    are named in the caption). Each group has the two traces of ``cohort_heatmap`` (its
    cohorts, and its cohorts under ``MIN_COHORT_CUSTOMERS`` customers in grey), named
    ``"<group>: <view>"``, with ``meta`` = ``{"group": <value>, ...}``; only the first
    group's are visible, and each button shows one group's traces and its cohort sizes.
    """
    sizes_by = {
        value: sum(r["customers"] for r in split.group(value).sizes.to_pylist())
        for value in split.groups
    }
    shown = sorted(split.groups, key=lambda v: (-sizes_by[v], str(v)))[:max_groups]
    left = [v for v in split.groups if v not in shown]
    if not shown:
        raise OptionError("by", split.by, "has no group with a paying customer")
    fig = figure(height=380, showlegend=False)
    labels_of: dict[str | None, tuple[list[str], list[int]]] = {}
    for i, value in enumerate(shown):
        view = split.group(value)
        labels, _, _ = _grid(view)
        labels_of[value] = (labels, _sizes(view))
        for trace in _heatmaps(view, visible=i == 0):
            trace.name = f"{_group_name(value)}: {trace.name}"
            trace.meta = {"group": value, **(trace.meta or {})}
            fig.add_trace(trace)
    per_group = len(fig.data) // len(shown)

    def axis(value: str | None) -> dict[str, Any]:
        labels, sizes = labels_of[value]
        return {
            "yaxis.categoryarray": labels,
            "yaxis.tickvals": labels,
            "yaxis.ticktext": [f"{n} \u00b7 {s:,}" for n, s in zip(labels, sizes, strict=True)],
        }

    rows = max(len(labels) for labels, _ in labels_of.values())
    fig.update_layout(height=max(380, 170 + 19 * rows), margin={"t": 90})
    fig.update_yaxes(
        type="category",
        autorange="reversed",
        categoryorder="array",
        title_text="cohort \u00b7 customers",
        tickfont={"size": 11},
        **{k.split(".")[1]: v for k, v in axis(shown[0]).items()},
    )
    fig.update_xaxes(title_text="months since first payment", side="top")
    fig.update_layout(
        updatemenus=_buttons(
            [
                {
                    "label": _group_name(value),
                    "method": "update",
                    "args": [
                        {"visible": [j // per_group == i for j in range(len(fig.data))]},
                        axis(value),
                    ],
                }
                for i, value in enumerate(shown)
            ]
        )
    )
    name = _lower(HEATMAP_NAMES[split.overall.metric])
    columns = ("Group", "Customers", "Cohorts")
    table = tuple((_group_name(v), f"{sizes_by[v]:,}", str(len(labels_of[v][0]))) for v in shown)
    rest = f"; not drawn: {', '.join(_group_name(v) for v in left)}" if left else ""
    return Chart(
        "cohort-groups",
        f"Acquisition cohorts by {split.by}: {name} by month since first payment",
        f"One heatmap per {split.by} (a customer's value in its first paying month), the "
        f"buttons switch between them, largest first ({_legend([split.overall])}){rest}.",
        fig,
        columns,
        table,
    )


def _group_name(value: str | None) -> str:
    return "(none)" if value is None else str(value)
