"""The HTML report: one self-contained file a reader opens from disk, with the network off.

Every figure comes from an ``Overview``; the page is a Jinja2 template with Plotly's
JavaScript inlined once, the charts' data as JSON, and a few lines of glue (sortable tables).

The first screen is for someone with a minute: the answer in one sentence, the three rates
with their last twelve months, MRR and what moved it, and the data notes that qualify them.
Everything else is the analyst appendix below it. The page speaks to a reader who has
neither the command line nor the project's METRICS.md: definitions are on the page, input
notes lose their command-line hints, benchmarks are cited by publisher and year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import plotly.io as pio
import pyarrow as pa
import pyarrow.compute as pc
from plotly.offline import get_plotlyjs

from revenue_retention import __version__
from revenue_retention.analyses.overview import Overview
from revenue_retention.analyses.uncertainty import small_base_notes
from revenue_retention.money import display_money, format_money
from revenue_retention.outputs.files import write_text
from revenue_retention.outputs.growth import growth_report
from revenue_retention.outputs.labels import currency_code, reader_text
from revenue_retention.outputs.metrics.records import money_by_currency, retention_records
from revenue_retention.outputs.metrics.trends import BENCHMARK_WINDOW
from revenue_retention.outputs.overview.charts import Chart, report_charts
from revenue_retention.outputs.overview.definitions import DEFINITIONS
from revenue_retention.outputs.overview.directory import directory_payload
from revenue_retention.outputs.overview.outlook import outlook
from revenue_retention.outputs.overview.sparkline import SPARK_MONTHS, Sparkline, sparkline
from revenue_retention.outputs.units import unit_label
from revenue_retention.periods import month_label

__all__ = [
    "APPENDIX_MOVEMENTS",
    "FIRST_SCREEN_CHART",
    "Headline",
    "data_notes",
    "headlines",
    "render_report",
    "summary_sentence",
    "window_note",
    "write_report",
]

#: The window movements whose customers the appendix lists, and how many of each.
APPENDIX_MOVEMENTS = ("churn", "contraction", "expansion")
APPENDIX_ROWS = 25
#: The movements whose customers' MRR went down: their change is minus their amount.
_LOSSES = frozenset({"churn", "contraction"})
#: The chart of the first screen; the others are in the analyst appendix.
FIRST_SCREEN_CHART = "mrr-movements"

_RATES = (
    ("grr", "Gross revenue retention", "GRR"),
    ("nrr", "Net revenue retention", "NRR"),
    ("logo_retention", "Logo retention", "Logos"),
)
#: Plotly's options for every chart: no logo link, no editing, SVG download of the chart.
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {}}


@dataclass(frozen=True)
class Headline:
    """One headline rate with what a reader needs to judge it."""

    metric: str
    title: str
    short: str
    value: float | None
    #: The same window a year earlier (None when the data is too short).
    year_earlier: float | None
    year_earlier_month: str
    band: str | None
    band_range: str | None
    band_meaning: str | None
    median: float | None
    low: float | None
    high: float | None
    level: float | None
    #: Whether the interval includes the benchmark median (METRICS.md §7 small base).
    small_base: bool
    #: The rate over the last twelve as-of months of the headline window.
    spark: Sparkline
    #: Where the band and the median come from: ``Anish Patel (2025)``.
    band_source: str | None = None
    median_source: str | None = None

    @property
    def change_points(self) -> float | None:
        if self.value is None or self.year_earlier is None:
            return None
        return (self.value - self.year_earlier) * 100

    @property
    def arrow(self) -> str:
        change = self.change_points
        if change is None:
            return ""
        return "▲" if change > 0.05 else "▼" if change < -0.05 else "▶"


def _window_row(ov: Overview, as_of: int) -> dict[str, Any] | None:
    wanted = month_label(as_of)
    return next(
        (
            r
            for r in retention_records(ov.metrics, groups=False)
            if r["as_of"] == wanted and r["window_months"] == ov.window
        ),
        None,
    )


def _recent(ov: Overview) -> list[dict[str, Any]]:
    """The headline window's rows of the last ``SPARK_MONTHS`` as-of months, oldest first."""
    rows = [
        r
        for r in retention_records(ov.metrics, groups=False)
        if r["window_months"] == ov.window and r["as_of"] <= ov.as_of_label
    ]
    return sorted(rows, key=lambda r: str(r["as_of"]))[-SPARK_MONTHS:]


def headlines(ov: Overview) -> list[Headline]:
    """GRR, NRR and logo retention of the headline window, against a year earlier.

    Benchmark bands and medians are for 12-month windows: a headline of another window
    is not placed in them.
    """
    now = _window_row(ov, ov.as_of)
    before = _window_row(ov, ov.as_of - 12)
    recent = _recent(ov)
    benchmarked = ov.window == BENCHMARK_WINDOW and ov.diagnosis is not None
    placements = (
        {p.metric: p for p in ov.diagnosis.placements}
        if benchmarked and ov.diagnosis is not None
        else {}
    )
    medians = ov.benchmarks.medians
    cohort = ov.intervals.get(ov.as_of, ov.window) if ov.intervals else None
    small = _small_base_metrics(ov)
    out = []
    for metric, title, short in _RATES:
        placement = placements.get(metric)
        band = placement.band if placement else None
        interval = cohort.rate(metric) if cohort else None
        out.append(
            Headline(
                metric=metric,
                title=title,
                short=short,
                value=now[metric] if now else None,
                year_earlier=before[metric] if before else None,
                year_earlier_month=month_label(ov.as_of - 12),
                band=band.label if band else None,
                band_range=band.describe() if band else None,
                band_meaning=band.meaning if band else None,
                median=placement.median if placement else None,
                low=interval.low if interval else None,
                high=interval.high if interval else None,
                level=ov.intervals.level if ov.intervals else None,
                small_base=metric in small,
                spark=sparkline([r["as_of"] for r in recent], [r[metric] for r in recent]),
                band_source=band.cite if band else None,
                median_source=(
                    medians[metric].cite
                    if placement and placement.median is not None and metric in medians
                    else None
                ),
            )
        )
    return out


def _small_base_metrics(ov: Overview) -> set[str]:
    """The rates whose interval includes their benchmark median (too few customers to tell).

    The rule is the analysis's (``small_base_notes``, METRICS.md §7); the report only asks
    which headline rates it flagged.
    """
    if ov.intervals is None or ov.window != BENCHMARK_WINDOW:
        return set()  # the medians are of 12-month rates
    rates = {m for m, _, _ in _RATES}
    # A benchmark of a rate the bootstrap does not cover gets no note.
    medians = {m: x.value for m, x in ov.benchmarks.medians.items() if m in rates}
    notes = small_base_notes(ov.intervals, medians, window_months=ov.window)
    return {n.metric for n in notes if n.as_of == ov.as_of}


def summary_sentence(ov: Overview) -> str:
    """The answer in one sentence, from the headline window's figures."""
    row = _window_row(ov, ov.as_of)
    if row is None or row["grr"] is None:
        return (
            f"No customer was paying at the start of the {ov.window}-month window "
            f"ending {ov.as_of_label}, so retention cannot be measured there."
        )
    currency = currency_code(ov.input)
    # To the cent in the sentence (a spread invoice line leaves MRR with 6 places); the
    # tables keep every place.
    cents = Decimal(row["starting_mrr"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    amount = display_money(cents) + (f" {currency}" if currency else "")
    return (
        f"The {row['customers']:,} customers paying in {month_label(ov.as_of - ov.window)} "
        f"({unit_label(ov.unit)} {amount}) kept {row['grr']:.1%} of that revenue "
        f"by {ov.as_of_label} counting only what they lost (GRR), and "
        f"{row['nrr']:.1%} once their expansion is added (NRR); "
        f"{row['logo_retention']:.1%} of them were still paying (logo retention)."
    )


def window_note(ov: Overview) -> str | None:
    """Why the headline window is shorter than the one asked for, or None when it is not."""
    if not ov.shortened:
        return None
    months = ov.input.months
    span = months.last - months.first + 1
    return (
        f"The data covers {month_label(months.first)} to {month_label(months.last)} "
        f"({span} months), too short for a {ov.requested_window}-month window: the figures are "
        f"for the longest window it supports, {ov.window} months ending {ov.as_of_label}."
        + (
            " Benchmarks are for 12-month rates, so these are not placed against them."
            if ov.window < BENCHMARK_WINDOW
            else ""
        )
    )


def data_notes(ov: Overview) -> list[str]:
    """What qualifies the figures, in words for the report's reader: a shorter window than
    asked for, several currencies (money read per currency, never added up as one), rejected
    rows, the residual of invoice lines spread over their months, and every note of the
    input report (dates or amounts read one way of two, repeated rows, overlapping periods,
    ids that differ only by case).
    """
    r = ov.input
    notes = []
    if ov.unit == "arr":
        notes.append(
            "Amounts are ARR: each month's recurring revenue (MRR) x 12, exact, in every "
            "chart and table; rates are the same in either unit. What the input holds (the "
            "money read, accepted and rejected) is as the input has it."
        )
    if (shortened := window_note(ov)) is not None:
        notes.append(shortened)
    by_currency = money_by_currency(r)
    if by_currency is not None and r.currency is not None:
        lines, total = by_currency
        read = "; ".join(
            f"{m['currency']} {m['read']} (accepted {m['accepted']}, rejected {m['rejected']})"
            for m in lines
        )
        notes.append(
            f"The amounts are in {len(lines)} currencies, converted to "
            f"{r.currency['reporting_currency']} at the rates given with the data for every "
            f"figure. Money read: {read}; "
            f"{total}."
        )
    if r.rows_rejected:
        reasons = ", ".join(
            f"{reason.replace('_', ' ')} {n:,}"
            for reason, n in sorted(r.rejected_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        money = (
            f"{display_money(r.money_rejected)} of the {display_money(r.money_read)} read"
            if by_currency is None
            else "; ".join(
                f"{m['currency']} {m['rejected']} of {m['read']}" for m in by_currency[0]
            )
            + " read"
        )
        notes.append(
            f"{r.rows_rejected:,} of {r.rows_read:,} rows were rejected ({reasons}), carrying "
            f"{money}: they are not in any figure. Where the numbers come from lists why."
        )
    if r.money_spread_residual:
        notes.append(
            "Invoice lines are spread evenly over the months they pay for, each month's "
            "share rounded to 6 decimal places: the lines' amounts less their shares leave "
            f"a rounding residual of {display_money(r.money_spread_residual)} in all, never "
            "counted as a movement."
        )
    # The input's notes start in lower case, as a line of the terminal: a sentence here.
    notes += [text[:1].upper() + text[1:] for text in (reader_text(w) for w in r.warnings)]
    return notes


def _appendix(ov: Overview) -> list[dict[str, Any]]:
    """The customers behind each movement of the headline window, largest first."""
    if ov.explain is None:
        return []
    customers = ov.explain.customers
    attributes = [
        c
        for c in customers.column_names
        if c not in ("customer_id", "start_mrr", "end_mrr", "change", "movement")
    ]
    by_movement = ov.explain.movements.to_pydict()
    amounts = dict(zip(by_movement["movement"], by_movement["amount"], strict=True))
    sections = []
    for movement in APPENDIX_MOVEMENTS:
        chosen: pa.Table = customers.filter(pc.equal(customers["movement"], movement))
        total = chosen.num_rows
        # Already sorted by |change| descending, then customer id (ExplainResult).
        rows = chosen.slice(0, APPENDIX_ROWS).to_pylist()
        # The movement's total change: its amount (the sum of |change|), down for losses.
        amount = amounts[movement]
        change_total = -amount if movement in _LOSSES and amount else amount
        sections.append(
            {
                "movement": movement,
                "total": total,
                "shown": len(rows),
                "change_total": display_money(change_total),
                "attributes": attributes,
                "rows": [
                    {
                        "customer_id": r["customer_id"],
                        "start": display_money(r["start_mrr"]),
                        "start_value": format_money(r["start_mrr"]),
                        "end": display_money(r["end_mrr"]),
                        "end_value": format_money(r["end_mrr"]),
                        "change": display_money(r["change"]),
                        "change_value": format_money(r["change"]),
                        "attributes": [r[a] for a in attributes],
                    }
                    for r in rows
                ],
            }
        )
    return sections


def _chart_html(chart: Chart) -> str:
    return str(
        pio.to_html(
            chart.figure,
            include_plotlyjs=False,
            full_html=False,
            div_id=chart.id,
            config=_PLOTLY_CONFIG,
            validate=False,
        )
    )


def _currency(ov: Overview) -> str:
    """How amounts were converted, in words (the JSON's ``currency`` says it per table)."""
    info = ov.input.currency
    if info is None:
        return "not stated by the input: every amount is taken as one currency, not converted"
    reporting, currencies = info.get("reporting_currency"), info.get("currencies", [])
    text = f"{reporting}; the input has {', '.join(currencies)}"
    if not info.get("converted"):
        return text
    text += f", converted with rates from {info.get('rates')}. "
    if ov.metrics.currency and ov.metrics.retention_spot is not None:
        text += (
            "The headline and the trend are at constant currency (both ends of a window at "
            "the rates of its first month), so exchange-rate moves are not counted as "
            "expansion or contraction; the bridge shows them as its own fx line. "
        )
    return text + "The other analyses convert each month at its own rates (spot)."


def _trust(ov: Overview, left_out: dict[str, str]) -> dict[str, Any]:
    r = ov.input
    return {
        "currency": _currency(ov),
        "path": r.path,
        "adapter": r.adapter,
        "layout": r.layout,
        "snapshot": f"{r.snapshot} day of the month",
        "rows_read": r.rows_read,
        "rows_accepted": r.rows_accepted,
        "rows_rejected": r.rows_rejected,
        "rejected_by_reason": sorted(r.rejected_by_reason.items()),
        "money_by_currency": money_by_currency(r),
        "money_spread_residual": (
            display_money(r.money_spread_residual) if r.money_spread_residual is not None else None
        ),
        "money_read": display_money(r.money_read),
        "money_accepted": display_money(r.money_accepted),
        "money_rejected": display_money(r.money_rejected),
        "rows_without_amount": r.rows_without_amount,
        "first_month": month_label(r.months.first),
        "last_month": month_label(r.months.last),
        "columns": sorted(r.columns.items()),
        "attributes": r.attributes,
        "warnings": [reader_text(w) for w in r.warnings],
        "skipped_diagnostics": reader_text(ov.skipped.get("diagnostics", "not computed")),
        "skipped": sorted((name, reader_text(why)) for name, why in ov.skipped.items())
        + sorted((f"chart {id}", reader_text(why)) for id, why in left_out.items()),
    }


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v, places=1: "n/a" if v is None else f"{v * 100:.{places}f}%"
    env.filters["points"] = lambda v: "" if v is None else f"{v:+.1f} pts"
    return env


def _template_source(name: str) -> str:
    return files("revenue_retention.outputs").joinpath("templates", name).read_text("utf-8")


def render_report(
    ov: Overview, charts: list[Chart] | None = None, *, title: str | None = None
) -> str:
    """The report as one HTML document (a string of a few MB: Plotly is inlined).

    ``title`` (a company's name) heads the page and its browser tab.
    """
    left_out: dict[str, str] = {}
    charts = report_charts(ov, left_out) if charts is None else charts
    env = _environment()
    heads = headlines(ov)
    data = {
        "as_of": ov.as_of_label,
        "window": ov.window,
        "requested_window": ov.requested_window,
        "currency": currency_code(ov.input),
        "unit": ov.unit,
        "headline": {
            h.metric: {
                "value": h.value,
                "year_earlier": h.year_earlier,
                "low": h.low,
                "high": h.high,
                "spark": {"months": list(h.spark.months), "values": list(h.spark.values)},
            }
            for h in heads
        },
    }
    first = [c for c in charts if c.id == FIRST_SCREEN_CHART]
    return env.get_template("report.html.j2").render(
        title=f"Revenue retention to {ov.as_of_label}",
        company=title.strip() if title and title.strip() else None,
        version=__version__,
        ov=ov,
        source=Path(ov.input.path).name,
        currency=currency_code(ov.input),
        unit=unit_label(ov.unit),
        headlines=heads,
        summary=summary_sentence(ov),
        notes=data_notes(ov),
        diagnostics=[
            {
                "id": d.id,
                "title": d.title,
                "triggered": d.triggered,
                "status": d.status,
                "message": reader_text(d.message),
            }
            for d in (ov.diagnosis.diagnostics if ov.diagnosis else ())
        ],
        first=[(c, _chart_html(c)) for c in first],
        charts=[(c, _chart_html(c)) for c in charts if c.id != FIRST_SCREEN_CHART],
        trust=_trust(ov, left_out),
        outlook=outlook(ov),
        definitions=DEFINITIONS,
        appendix=_appendix(ov),
        growth=growth_report(ov.growth) if ov.growth is not None else None,
        directory=(
            directory_payload(ov.customers, ov.input.attributes)
            if ov.customers is not None
            else None
        ),
        css=_template_source("report.css"),
        glue=_template_source("report.js"),
        plotly_js=get_plotlyjs(),
        # The headline's machine-readable figures, for scripts and for the browser tests.
        report_data=data,
    )


def write_report(ov: Overview, path: str | Path, *, title: str | None = None) -> Path:
    """Write the report to ``path`` (parent folders created), replaced whole, never left
    half-written (``outputs.files``); return the path."""
    return write_text(Path(path), render_report(ov, title=title))
