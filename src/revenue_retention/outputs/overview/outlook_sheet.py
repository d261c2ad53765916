"""The Summary sheet's outlook: what to do first and MRR 12 months ahead, per scenario."""

from __future__ import annotations

from revenue_retention.analyses.forecast import BASE_MONTHS
from revenue_retention.analyses.overview import Overview
from revenue_retention.money import format_money
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import Block
from revenue_retention.outputs.labels import reader_text
from revenue_retention.outputs.overview.outlook import outlook
from revenue_retention.periods import month_label

__all__ = ["outlook_block"]

_FIELDS = (
    "scenario",
    "as_of",
    "starting_mrr",
    "period",
    "mrr",
    "mrr_low",
    "mrr_high",
    "assumption",
)


def outlook_block(ov: Overview) -> Block:
    """What to do first (a note) and each scenario 12 months ahead with its interval."""
    said = outlook(ov)
    notes = tuple(
        reader_text(line)
        for line in (
            f"What to do first: {said.first}" if said.first else None,
            said.backtest,
        )
        if line
    )
    records = []
    result = ov.forecast
    if result is not None:
        for s in result.scenarios:
            if len(s.path) < BASE_MONTHS:
                continue
            month, mrr, low, high = s.path[BASE_MONTHS - 1]
            records.append(
                {
                    "scenario": s.label,
                    "as_of": month_label(result.rates.as_of),
                    "starting_mrr": format_money(result.rates.starting_mrr),
                    "period": month_label(month),
                    "mrr": format_money(mrr),
                    "mrr_low": format_money(low),
                    "mrr_high": format_money(high),
                    "assumption": s.assumption,
                }
            )
    return Block(
        "outlook",
        "What to do first, and MRR 12 months ahead",
        _FIELDS,
        records,
        kinds={"mrr_low": Kind.MONEY, "mrr_high": Kind.MONEY},
        notes=notes or ("Not computed: no forecast (it needs 12 months of data).",),
    )
