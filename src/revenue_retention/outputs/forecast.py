"""The ``forecast`` document: scenarios of MRR and ARR ahead, their intervals, the backtest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

from decimal import Decimal
from typing import Any

from rich.console import Console, Group
from rich.text import Text

from revenue_retention.analyses.diagnostics import pct
from revenue_retention.analyses.forecast import BASE_MONTHS, ForecastResult
from revenue_retention.money import display_money, format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import document_html
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs.registry import no_chart, register
from revenue_retention.periods import month_label

__all__ = [
    "BACKTEST_FIELDS",
    "PROJECTION_FIELDS",
    "SCENARIO_FIELDS",
    "backtest_records",
    "forecast_document",
    "scenario_records",
]

SCENARIO_FIELDS = (
    "scenario",
    "label",
    "assumption",
    "rate",
    "rate_low",
    "rate_high",
    "period",
    "mrr",
    "mrr_low",
    "mrr_high",
    "arr",
    "arr_low",
    "arr_high",
)
PROJECTION_FIELDS = ("scenario", "period", "months_ahead", "mrr", "mrr_low", "mrr_high", "arr")
BACKTEST_FIELDS = (
    "scenario",
    "label",
    "made_at",
    "period",
    "projected",
    "actual",
    "error",
    "error_rate",
    "low",
    "high",
    "within_interval",
    "compared_with",
)


def _arr(value: Decimal | None) -> str | None:
    return format_money(value * 12) if value is not None else None


def scenario_records(result: ForecastResult) -> list[dict[str, Any]]:
    """One record per scenario at the horizon: rate, MRR and ARR with their intervals."""
    records = []
    for s in result.scenarios:
        month, mrr, low, high = s.path[-1]
        records.append(
            {
                "scenario": s.id,
                "label": s.label,
                "assumption": s.assumption,
                "rate": s.rate,
                "rate_low": s.rate_low,
                "rate_high": s.rate_high,
                "period": month_label(month),
                "mrr": format_money(mrr),
                "mrr_low": format_money(low),
                "mrr_high": format_money(high),
                "arr": _arr(mrr),
                "arr_low": _arr(low),
                "arr_high": _arr(high),
            }
        )
    return records


def _projection_records(result: ForecastResult) -> list[dict[str, Any]]:
    return [
        {
            "scenario": s.id,
            "period": month_label(month),
            "months_ahead": month - result.rates.as_of,
            "mrr": format_money(mrr),
            "mrr_low": format_money(low),
            "mrr_high": format_money(high),
            "arr": _arr(mrr),
        }
        for s in result.scenarios
        for month, mrr, low, high in s.path
    ]


def backtest_records(result: ForecastResult) -> list[dict[str, Any]]:
    """One record per scenario: the projection made 12 months earlier and what happened."""
    if result.backtest is None:
        return []
    made_at = month_label(result.backtest.rates.as_of)
    return [
        {
            "scenario": s.id,
            "label": s.label,
            "made_at": made_at,
            "period": month_label(s.path[-1][0]),
            "projected": format_money(s.projected),
            "actual": format_money(s.actual),
            "error": format_money(s.error),
            "error_rate": s.error_rate,
            "low": format_money(s.low),
            "high": format_money(s.high),
            "within_interval": s.within_interval,
            "compared_with": s.compared_with,
        }
        for s in result.backtest.scenarios
    ]


def _header(result: ForecastResult) -> dict[str, Any]:
    r = result.rates
    headline = result.headline()
    return {
        "input": result.input.to_dict(),
        "as_of": month_label(r.as_of),
        "months": result.months,
        "rates_window_months": BASE_MONTHS,
        "method": "cohort",
        "starting_mrr": format_money(r.starting_mrr),
        "starting_arr": _arr(r.starting_mrr),
        "base_customers": r.base_customers,
        "grr": headline["grr"],
        "nrr": headline["nrr"],
        "new_business": format_money(r.new_business),
        "revenue_floor": format_money(headline["revenue_floor"]),
        "base_only": format_money(headline["base_only"]),
        "level": result.level,
        "resamples": result.resamples,
        "seed": result.seed,
        "backtest_note": result.backtest_note,
    }


def _signed_pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f}%"


def forecast_document(result: ForecastResult) -> Document:
    """Header (starting point, rates, headline), ``scenarios``, ``projection``, ``backtest``."""

    def render(console: Console) -> None:
        r = result.rates
        level = f"{result.level * 100:g}%"
        title = Text(
            f"MRR forecast, {result.months} months from {month_label(r.as_of)}: starting MRR "
            f"{display_money(r.starting_mrr)} ({r.base_customers:,} customers); trailing "
            f"12-month GRR {pct(float(r.grr) if r.grr is not None else None, 1)}, NRR "
            f"{pct(float(r.nrr) if r.nrr is not None else None, 1)}, new business "
            f"{display_money(r.new_business)} MRR a year",
            style="bold",
        )
        columns = [
            Column("scenario", "left"),
            Column("rate", drop=3),
            Column(f"MRR {month_label(r.as_of + result.months)}"),
            Column(f"{level} interval", drop=1),
            Column("ARR", drop=2),
        ]
        rows = [
            [
                rec["label"],
                pct(rec["rate"], 1),
                display_money(rec["mrr"]),
                f"{display_money(rec['mrr_low'])} - {display_money(rec['mrr_high'])}"
                if rec["mrr_low"] is not None
                else "-",
                display_money(rec["arr"]),
            ]
            for rec in scenario_records(result)
        ]
        parts: list[Any] = [title, fit_table(console, "Scenarios", columns, rows)]
        if result.backtest is None:
            parts.append(Text(result.backtest_note or "", style="dim"))
        else:
            made = month_label(result.backtest.rates.as_of)
            back_columns = [
                Column("scenario", "left"),
                Column("projected"),
                Column("actual"),
                Column("error"),
                Column("in interval", drop=1),
            ]
            back_rows = [
                [
                    rec["label"],
                    display_money(rec["projected"]),
                    display_money(rec["actual"]),
                    f"{display_money(rec['error'])} ({_signed_pct(rec['error_rate'])})",
                    {True: "yes", False: "no", None: "-"}[rec["within_interval"]],
                ]
                for rec in backtest_records(result)
            ]
            parts.append(
                fit_table(
                    console,
                    f"Backtest: the same projection made at {made}, against "
                    f"{month_label(result.backtest.rates.as_of + BASE_MONTHS)}",
                    back_columns,
                    back_rows,
                )
            )
        notes = Text(style="dim")
        for s in result.scenarios:
            notes.append(f"{s.label}: {s.assumption}.\n")
        notes.append(
            f"Intervals: the rate's {level} bootstrap interval ({result.resamples:,} resamples of "
            "the base's customers, seed "
            f"{result.seed}); new business taken as known. ARR = 12 x MRR."
        )
        parts.append(notes)
        console.print(Group(*parts))

    return Document(
        header=_header(result),
        sections=(
            Section("scenarios", SCENARIO_FIELDS, scenario_records(result)),
            Section("projection", PROJECTION_FIELDS, _projection_records(result)),
            Section("backtest", BACKTEST_FIELDS, backtest_records(result)),
        ),
        render=render,
    )


@register(ForecastResult)
class ForecastResultPresenter:
    """``ForecastResult`` on every channel: terminal, JSON, CSV and notebook tables; no chart."""

    def document(self, result: ForecastResult, **options: Any) -> Document:
        return forecast_document(result)

    def html(self, result: ForecastResult) -> str:
        return document_html(forecast_document(result))

    def chart(self, result: ForecastResult, **options: Any) -> Chart:
        return no_chart(result)

    def sheets(self, result: ForecastResult) -> Sequence[Sheet]:
        return ()
