"""The Summary sheet: the headline rates, every window to the as-of month, what was read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from revenue_retention import __version__
from revenue_retention.analyses.overview import Overview
from revenue_retention.money import format_money
from revenue_retention.outputs._workbook._model import (
    Block,
    Sheet,
    item_block,
    section,
    section_block,
    skipped,
)
from revenue_retention.outputs.diagnose import DIAGNOSTIC_FIELDS, diagnose_document
from revenue_retention.outputs.labels import currency_code, reader_text
from revenue_retention.outputs.metrics.records import RETENTION_FIELDS, retention_records
from revenue_retention.outputs.overview.definitions import DEFINITIONS
from revenue_retention.outputs.overview.outlook_sheet import outlook_block
from revenue_retention.outputs.overview.report import data_notes
from revenue_retention.periods import month_label

__all__ = ["summary_sheet"]


def _headline(ov: Overview, retention: list[dict[str, Any]]) -> Block:
    """GRR, NRR and logo retention of the headline window, a year earlier and the interval."""
    rows = {(r["as_of"], r["window_months"]): r for r in retention}
    now = rows.get((ov.as_of_label, ov.window))
    earlier_label = month_label(ov.as_of - 12)
    before = rows.get((earlier_label, ov.window))
    cohort = ov.intervals.get(ov.as_of, ov.window) if ov.intervals else None
    records = []
    for metric in ("grr", "nrr", "logo_retention"):
        value = now[metric] if now else None
        earlier = before[metric] if before else None
        interval = cohort.rate(metric) if cohort else None
        records.append(
            {
                "metric": metric,
                "as_of": ov.as_of_label,
                "window_months": ov.window,
                "value": value,
                "year_earlier_as_of": earlier_label,
                "year_earlier": earlier,
                "change_vs_year_earlier": (
                    None if value is None or earlier is None else value - earlier
                ),
                "ci_low": interval.low if interval else None,
                "ci_high": interval.high if interval else None,
                "ci_level": ov.intervals.level if ov.intervals and interval else None,
            }
        )
    return Block(
        "headline",
        f"GRR, NRR and logo retention: {ov.window}-month window to {ov.as_of_label}",
        tuple(records[0]),
        records,
        notes=(
            "Cohort method (see Definitions below); against the same window a year earlier; "
            "Interval low and high: bootstrap interval, the cohort's customers resampled.",
        ),
    )


def _about(ov: Overview, cut: Sequence[str]) -> dict[str, Any]:
    """What was read and how it was computed, one line each."""
    r = ov.input
    about: dict[str, Any] = {
        "file": r.path,
        "adapter": r.adapter,
        "layout": r.layout,
        "snapshot": f"{r.snapshot} day of month",
        "rows_read": r.rows_read,
        "rows_accepted": r.rows_accepted,
        "rows_rejected": r.rows_rejected,
    }
    about |= {f"rejected: {k}": n for k, n in sorted(r.rejected_by_reason.items())}
    if r.currency is not None and r.currency["converted"]:
        # Several currencies are never added up as one: each is read and reconciled alone.
        for code, money in r.currency["money_by_currency"].items():
            about |= {f"money_{k} {code}": money[k] for k in ("read", "accepted", "rejected")}
        about[f"money_accepted in {r.currency['reporting_currency']}"] = r.currency.get(
            "money_accepted_converted"
        )
        about["converted_at"] = r.currency.get("converted_at")
    else:
        about |= {
            "money_read": format_money(r.money_read),
            "money_accepted": format_money(r.money_accepted),
            "money_rejected": format_money(r.money_rejected),
        }
    if r.money_spread_residual is not None:
        about["money_spread_residual"] = format_money(r.money_spread_residual)
    about |= {
        "rows_without_amount": r.rows_without_amount,
        "first_month": month_label(r.months.first),
        "last_month": month_label(r.months.last),
        "as_of": ov.as_of_label,
        "window_months": ov.window,
        "method": "cohort (see Definitions below); other methods on the Methods sheet",
        "segments_by": ov.segment_by,
        "attributes": ", ".join(r.attributes),
        "currency": currency_code(r) or "not stated by the input",
        "benchmarks": "; ".join(
            sorted(
                {b.cite for b in ov.benchmarks.bands}
                | {m.cite for m in ov.benchmarks.medians.values()}
            )
        ),
    }
    about |= {f"note {i}": note for i, note in enumerate(data_notes(ov), 1)}
    about |= {f"not computed: {k}": reader_text(why) for k, why in sorted(ov.skipped.items())}
    about |= {f"not all shown {i}": line for i, line in enumerate(cut, 1)}
    return about | {"written_by": f"revenue-retention {__version__}"}


def summary_sheet(ov: Overview, title: str | None = None, cut: Sequence[str] = ()) -> Sheet:
    """The headline rates, every window to the as-of month, benchmarks, what was read.

    ``title`` (a company's name) heads the sheet. ``cut``: a line per table of the other
    sheets cut to fit a sheet (``fit_rows``).
    """
    retention = retention_records(ov.metrics, groups=False)
    blocks = [
        _headline(ov, retention),
        Block(
            "latest",
            f"Every window to {ov.as_of_label}",
            RETENTION_FIELDS,
            [r for r in retention if r["as_of"] == ov.as_of_label],
        ),
    ]
    blocks.append(outlook_block(ov))
    if ov.diagnosis is not None:
        doc = diagnose_document(ov.diagnosis)
        blocks.append(section_block(doc, "benchmarks", "Benchmark bands"))
        # Up to the message (in words for a reader): inputs and threshold are dicts, left
        # to the JSON.
        diagnostics = [
            r | {"message": reader_text(r["message"])} for r in section(doc, "diagnostics").records
        ]
        blocks.append(Block("diagnostics", "Diagnostics", DIAGNOSTIC_FIELDS[:5], diagnostics))
    else:
        blocks.append(skipped(ov, "diagnostics", "Benchmarks and diagnostics"))
    blocks.append(item_block("about", "About these figures", _about(ov, cut)))
    definitions = [{"term": d.term, "text": d.text} for d in DEFINITIONS]
    blocks.append(Block("definitions", "Definitions", ("term", "text"), definitions))
    heading = f"Revenue retention to {ov.as_of_label}"
    if title and title.strip():
        heading = f"{title.strip()}: revenue retention to {ov.as_of_label}"
    return Sheet(
        "Summary",
        heading,
        f"{Path(ov.input.path).name}: the report's figures; the other sheets hold the tables "
        "behind them, one under the other. Money is exact; rates are fractions shown as "
        "percentages; months are dates shown as yyyy-mm.",
        tuple(blocks),
        main=None,
    )
