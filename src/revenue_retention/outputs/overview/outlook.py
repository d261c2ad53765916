"""The report's and workbook's outlook: the next 12 months and what to do first, in words."""

from __future__ import annotations

from dataclasses import dataclass

from revenue_retention.analyses.forecast import BASE_MONTHS, ForecastResult
from revenue_retention.analyses.overview import Overview
from revenue_retention.money import display_money
from revenue_retention.outputs.units import unit_label
from revenue_retention.periods import month_label

__all__ = ["Outlook", "outlook"]


@dataclass(frozen=True)
class Outlook:
    """Sentences for a reader; each figure also in the ``forecast`` JSON."""

    #: Revenue floor and base-only growth 12 months ahead, with the new-business scenario.
    projection: str | None
    #: The backtest of the same projection made 12 months earlier (or why there is none).
    backtest: str | None
    #: The "what to do first" line.
    first: str | None
    #: Floor, base-only and with-new-business MRR (ARR in that unit) 12 months ahead.
    figures: dict[str, str | None]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _projection(result: ForecastResult, unit: str) -> tuple[str, dict[str, str | None]]:
    r = result.rates
    word = unit_label(unit)
    at = month_label(r.as_of + BASE_MONTHS)
    ends = {s.id: s.path[BASE_MONTHS - 1] for s in result.scenarios if len(s.path) >= BASE_MONTHS}
    figures: dict[str, str | None] = {k: display_money(v[1]) for k, v in ends.items()}
    parts = [
        f"From {display_money(r.starting_mrr)} {word} at {month_label(r.as_of)}, the existing base "
        f"alone is projected at {at} to"
    ]
    if "floor" in ends:
        _, mrr, low, high = ends["floor"]
        parts.append(
            f" {display_money(mrr)} at its revenue floor ({word} x GRR {_pct(float(r.grr or 0))}; "
            f"{result.level * 100:g}% interval {display_money(low)} to {display_money(high)})"
        )
    if "base" in ends:
        _, mrr, low, high = ends["base"]
        parts.append(
            f" and {display_money(mrr)} on its own growth ({word} x NRR {_pct(float(r.nrr or 0))}; "
            f"{display_money(low)} to {display_money(high)})"
        )
    text = "".join(parts) + "."
    if "with_new_business" in ends:
        text += (
            f" With new business at its trailing rate ({display_money(r.new_business)} {word} "
            f"a year): {display_money(ends['with_new_business'][1])}."
        )
    return text, figures


def _backtest(result: ForecastResult) -> str | None:
    if result.backtest is None:
        return result.backtest_note
    made = month_label(result.backtest.rates.as_of)
    parts = []
    for s in result.backtest.scenarios:
        rate = f"{s.error_rate * 100:+.1f}%" if s.error_rate is not None else "n/a"
        parts.append(f"{_SHORT[s.id]} {rate}")
    return (
        f"Backtest: the same projection made at {made} was off at "
        f"{month_label(result.rates.as_of)} by " + ", ".join(parts) + " (positive: too high)."
    )


_SHORT = {"floor": "GRR floor", "base": "NRR path", "with_new_business": "with new business"}


def outlook(ov: Overview) -> Outlook:
    """The outlook of an overview; parts it cannot state are ``None``."""
    first = ov.diagnosis.advice.text if ov.diagnosis and ov.diagnosis.advice else None
    if ov.forecast is None:
        return Outlook(None, None, first, {})
    projection, figures = _projection(ov.forecast, ov.unit)
    return Outlook(projection, _backtest(ov.forecast), first, figures)
