"""The ``seasonality`` document: quarter-end rates, quarter and month-of-year patterns, the flag."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from revenue_retention.analyses.seasonality import SWING_ID, SeasonalityResult
from revenue_retention.metrics import MOVEMENTS
from revenue_retention.money import format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import arrow_html, html_table
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs._terminal import pct as _pct
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = [
    "MONTH_OF_YEAR_FIELDS",
    "QUARTERS_FIELDS",
    "QUARTER_OF_YEAR_FIELDS",
    "SWING_FIELDS",
    "month_of_year_records",
    "quarter_of_year_records",
    "quarters_records",
    "render_seasonality",
    "seasonality_document",
    "swing_records",
]

QUARTERS_FIELDS = (
    "as_of",
    "year",
    "quarter",
    "customers",
    "starting_mrr",
    "grr",
    "nrr",
    "annual_customers",
    "annual_starting_mrr",
    "annual_grr",
    "annual_nrr",
)
_STATS = tuple(
    f"{prefix}{rate}_{stat}"
    for prefix in ("", "annual_")
    for rate in ("grr", "nrr")
    for stat in ("mean", "min", "max")
)
QUARTER_OF_YEAR_FIELDS = ("quarter", "quarters", *_STATS[:6], "annual_figures", *_STATS[6:])
MONTH_OF_YEAR_FIELDS = ("month", "month_name", "months", *MOVEMENTS)
SWING_FIELDS = (
    "id",
    "rate",
    "flagged",
    "quarterly_spread",
    "highest_quarter",
    "lowest_quarter",
    "annual_spread",
    "annual_figures",
    "swing_ratio",
    "min_swing_pp",
    "threshold",
    "reason",
)


def _quarter(number: int | None) -> str | None:
    return None if number is None else f"Q{number}"


def quarters_records(result: SeasonalityResult) -> list[dict[str, Any]]:
    """One record per quarter end: the quarterly (k = 3) and annual (k = 12) rates."""
    return [
        {
            "as_of": month_label(row["as_of_index"]),
            "year": row["year"],
            "quarter": _quarter(row["quarter"]),
            "customers": row["customers"],
            "starting_mrr": format_money(row["starting_mrr"]),
            "grr": row["grr"],
            "nrr": row["nrr"],
            "annual_customers": row["annual_customers"],
            "annual_starting_mrr": format_money(row["annual_starting_mrr"]),
            "annual_grr": row["annual_grr"],
            "annual_nrr": row["annual_nrr"],
        }
        for row in result.quarters.to_pylist()
    ]


def quarter_of_year_records(result: SeasonalityResult) -> list[dict[str, Any]]:
    """One record per quarter of year Q1..Q4: mean, min and max across years."""
    return [
        {name: row[name] for name in QUARTER_OF_YEAR_FIELDS} | {"quarter": _quarter(row["quarter"])}
        for row in result.by_quarter.to_pylist()
    ]


def month_of_year_records(result: SeasonalityResult) -> list[dict[str, Any]]:
    """One record per calendar month: the mean share of opening MRR of each movement."""
    return [
        {"month": row["month"], "month_name": calendar.month_abbr[row["month"]]}
        | {name: row[name] for name in ("months", *MOVEMENTS)}
        for row in result.by_month.to_pylist()
    ]


def swing_records(result: SeasonalityResult) -> list[dict[str, Any]]:
    """One record per rate checked (GRR, NRR): the ``seasonal_swing`` rule's inputs and verdict."""
    return [
        {
            "id": SWING_ID,
            "rate": check.rate,
            "flagged": check.flagged,
            "quarterly_spread": check.quarterly_spread,
            "highest_quarter": _quarter(check.highest_quarter),
            "lowest_quarter": _quarter(check.lowest_quarter),
            "annual_spread": check.annual_spread,
            "annual_figures": check.annual_figures,
            "swing_ratio": check.swing_ratio,
            "min_swing_pp": check.min_swing_pp,
            "threshold": check.threshold,
            "reason": check.reason,
        }
        for check in result.swings
    ]


def _range(record: dict[str, Any], prefix: str) -> str:
    if record[f"{prefix}_min"] is None:
        return "-"
    return f"{_pct(record[f'{prefix}_min'])} .. {_pct(record[f'{prefix}_max'])}"


def _quarter_table(result: SeasonalityResult, console: Console) -> RenderableType:
    columns = [
        Column("quarter", "left"),
        Column("quarters", drop=3),
        Column("GRR mean"),
        Column("GRR range", drop=2),
        Column("NRR mean"),
        Column("NRR range", drop=1),
        Column("annual GRR mean"),
        Column("annual NRR mean"),
    ]
    rows = [
        [
            r["quarter"],
            str(r["quarters"]),
            _pct(r["grr_mean"]),
            _range(r, "grr"),
            _pct(r["nrr_mean"]),
            _range(r, "nrr"),
            _pct(r["annual_grr_mean"]),
            _pct(r["annual_nrr_mean"]),
        ]
        for r in quarter_of_year_records(result)
    ]
    title = "Quarterly retention (3-month window) by quarter of year, against annual (12-month)"
    return fit_table(console, title, columns, rows)


def _month_table(result: SeasonalityResult, console: Console) -> RenderableType:
    columns = [
        Column("month", "left"),
        Column("months", drop=1),
        *(Column(name) for name in MOVEMENTS),
    ]
    rows = [
        [r["month_name"], str(r["months"]), *(_pct(r[name], 2) for name in MOVEMENTS)]
        for r in month_of_year_records(result)
    ]
    title = "Bridge movements by month of year (mean share of opening MRR)"
    return fit_table(console, title, columns, rows)


def render_seasonality(result: SeasonalityResult, console: Console) -> None:
    """Print the quarter-of-year and month-of-year tables and the swing verdicts."""
    verdict = Text()
    flag = result.seasonal_swing
    headline = {True: "yes", False: "no", None: "cannot tell"}[flag]
    verdict.append(f"Seasonal swing: {headline}\n", style="bold yellow" if flag else "bold")
    for check in result.swings:
        mark = {True: "FLAGGED", False: "ok", None: "n/a"}[check.flagged]
        verdict.append(f"  {check.rate.upper()} [{mark}] {check.reason}\n")
    verdict.append(f"input {result.input.path}, months {result.months}", style="dim")
    console.print(Group(_quarter_table(result, console), _month_table(result, console), verdict))


def seasonality_document(result: SeasonalityResult) -> Document:
    """The ``seasonality`` output: header ``input, swing_ratio, min_swing_pp, seasonal_swing``;
    sections ``quarters``, ``quarter_of_year``, ``month_of_year`` and ``swing``."""

    def render(console: Console) -> None:
        render_seasonality(result, console)

    return Document(
        header={
            "input": result.input.to_dict(),
            "swing_ratio": result.swing_ratio,
            "min_swing_pp": result.min_swing_pp,
            "seasonal_swing": result.seasonal_swing,
        },
        sections=(
            Section("quarters", QUARTERS_FIELDS, quarters_records(result)),
            Section("quarter_of_year", QUARTER_OF_YEAR_FIELDS, quarter_of_year_records(result)),
            Section("month_of_year", MONTH_OF_YEAR_FIELDS, month_of_year_records(result)),
            Section("swing", SWING_FIELDS, swing_records(result)),
        ),
        render=render,
    )


def _html(r: SeasonalityResult) -> str:
    swings = html_table(
        ["rate", "flagged", "reason"], [[s.rate, s.flagged, s.reason] for s in r.swings]
    )
    return (
        arrow_html(r.by_quarter, "By quarter of the year")
        + arrow_html(r.quarters, "Every quarter end", months=("as_of_index",))
        + swings
    )


@register(SeasonalityResult)
class SeasonalityPresenter:
    """``SeasonalityResult`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: SeasonalityResult, **options: Any) -> Document:
        return seasonality_document(result)

    def html(self, result: SeasonalityResult) -> str:
        return _html(result)

    def chart(self, result: SeasonalityResult, **options: Any) -> Chart:
        # Imported here: Plotly is loaded for a chart only, not for every command.
        from revenue_retention.outputs.seasonality.chart import seasonality_quarters

        return seasonality_quarters(result, **options)

    def sheets(self, result: SeasonalityResult) -> Sequence[Sheet]:
        return ()
