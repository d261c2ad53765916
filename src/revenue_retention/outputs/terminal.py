"""Rich tables for people: the input, the latest bridge months and retention with its trend."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from revenue_retention.analyses import MetricsResult
from revenue_retention.analyses.uncertainty import UncertaintyResult
from revenue_retention.money import display_money
from revenue_retention.outputs.records import (
    bridge_records,
    interval_records,
    money_by_currency,
    retention_records,
    spot_retention_records,
)

__all__ = ["render_metrics"]

_TREND_MONTHS = 12
_BARS = "▁▂▃▄▅▆▇█"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _rate(record: dict[str, Any], metric: str) -> str:
    """The rate, with its bootstrap interval when the record has one (``--ci``)."""
    low, high = record.get(f"{metric}_low"), record.get(f"{metric}_high")
    if low is None or high is None:
        return _pct(record[metric])
    return f"{_pct(record[metric])} ({low * 100:.1f}-{high * 100:.1f})"


def _spark(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    return "".join(
        " " if v is None else _BARS[round((v - low) / span * (len(_BARS) - 1))] for v in values
    )


def _input_panel(result: MetricsResult) -> Text:
    report = result.input
    text = Text()
    text.append(f"{report.path}", style="bold")
    text.append(f"  ({report.layout} layout, {report.adapter})\n")
    text.append(
        f"rows read {report.rows_read:,} = accepted {report.rows_accepted:,} "
        f"+ rejected {report.rows_rejected:,}   months {report.months}"
    )
    if report.layout == "periods":
        text.append(f"   snapshot: {report.snapshot} day of month")
    by_currency = money_by_currency(report)
    if by_currency is None:
        text.append(
            f"\nmoney read {display_money(report.money_read)} = accepted "
            f"{display_money(report.money_accepted)} + rejected "
            f"{display_money(report.money_rejected)}"
        )
    else:
        lines, total = by_currency
        shown = "; ".join(
            f"{m['currency']} {m['read']} = accepted {m['accepted']} + rejected {m['rejected']}"
            for m in lines
        )
        text.append(f"\nmoney read, by currency: {shown}\nmoney {total}")

    if report.rows_without_amount:
        text.append(f" ({report.rows_without_amount:,} rejected row(s) without a readable amount)")
    if report.currency is None:
        text.append("   currency: not named (no currency column; --currency CODE names it)")
    elif not report.currency["converted"]:
        text.append(f"   currency: {report.currency['reporting_currency']}")
        text.append(_currency_source(report.currency))
    if report.money_spread_residual:
        text.append(
            "\nspread over the months they cover: each line's monthly share is rounded to "
            f"6 places, leaving a residual of {display_money(report.money_spread_residual)}"
        )
    if report.rejected_by_reason:
        reasons = sorted(report.rejected_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
        text.append("\nrejected: " + ", ".join(f"{why} {n:,}" for why, n in reasons))
    if report.currency is not None and report.currency["converted"]:
        c = report.currency
        text.append(
            f"\ncurrencies {', '.join(c['currencies'])} reported in {c['reporting_currency']}"
            f" (rates: {c['rates']})"
        )
        text.append(_currency_source(c))
    if report.excluded:
        shown = ", ".join(
            f"{why} {e['rows']:,} ({display_money(e['money'])})"
            for why, e in report.excluded.items()
        )
        text.append(f"\nread but not recurring revenue: {shown}")
    for warning in report.warnings:
        text.append(f"\nwarning: {warning}", style="yellow")
    return text


def _currency_source(currency: dict[str, Any]) -> str:
    """Where the currency was read (``input.currency.evidence`` has the detail)."""
    return {
        "column": f" (column {currency.get('evidence', '')[len('column ') :]})",
        "header": " (from the amount's header)",
        "values": " (from the amounts' signs and codes)",
        "option": " (--currency)",
    }.get(currency.get("source", ""), "")


def _bridge_table(rows: list[dict[str, Any]]) -> Table:
    fx = bool(rows) and "fx" in rows[0]
    title = f"MRR bridge, last {len(rows)} months"
    if fx:
        title += " (movements at the opening month's rates; fx: exchange-rate effect)"
    table = Table(title=title, title_justify="left")
    names = ["period", "opening", "new", "reactivation", "expansion", "contraction", "churn"]
    for name in (*names, *(["fx"] if fx else []), "closing"):
        table.add_column(name, justify="left" if name == "period" else "right")
    for row in rows:
        table.add_row(
            row["period"],
            display_money(row["opening_mrr"]),
            display_money(row["new"]),
            display_money(row["reactivation"]),
            display_money(row["expansion"]),
            "-" + display_money(row["contraction"]) if Decimal(row["contraction"]) else "0.00",
            "-" + display_money(row["churn"]) if Decimal(row["churn"]) else "0.00",
            *([display_money(row["fx"])] if fx else []),
            display_money(row["closing_mrr"]),
        )
    return table


def _latest_table(
    records: list[dict[str, Any]],
    windows: tuple[int, ...],
    method: str = "cohort",
    basis: str = "",
) -> Table:
    table = Table(
        title=f"Retention, {method} method{basis} (latest month with a full window)",
        title_justify="left",
    )
    for name in (
        "window",
        "as of",
        "customers",
        "starting MRR",
        "churn",
        "contraction",
        "expansion",
        "ending MRR",
        "GRR",
        "NRR",
        "logos",
    ):
        table.add_column(name, justify="left" if name in ("window", "as of") else "right")
    for k in windows:
        mine = [r for r in records if r["window_months"] == k]
        if not mine:
            table.add_row(f"{k} mo", "-", "not enough months of data")
            continue
        r = mine[-1]
        table.add_row(
            f"{k} mo",
            r["as_of"],
            f"{r['customers']:,}",
            display_money(r["starting_mrr"]),
            display_money(r["churn"]),
            display_money(r["contraction"]),
            display_money(r["expansion"]),
            display_money(r["ending_mrr"]),
            _rate(r, "grr"),
            _rate(r, "nrr"),
            _rate(r, "logo_retention"),
        )
    return table


def _trend_table(records: list[dict[str, Any]], windows: tuple[int, ...]) -> Table:
    table = Table(title=f"Trend, last {_TREND_MONTHS} months", title_justify="left")
    table.add_column("as of")
    for k in windows:
        for metric in ("GRR", "NRR", "logos"):
            table.add_column(f"{metric} {k}mo", justify="right")
    months = sorted({r["as_of"] for r in records})[-_TREND_MONTHS:]
    by_key = {(r["as_of"], r["window_months"]): r for r in records}
    for month in months:
        cells = [month]
        for k in windows:
            r = by_key.get((month, k))
            cells += [_pct(r[m]) if r else "" for m in ("grr", "nrr", "logo_retention")]
        table.add_row(*cells)
    sparks = ["trend"]
    for k in windows:
        for m in ("grr", "nrr", "logo_retention"):
            sparks.append(
                _spark([by_key[(mo, k)][m] if (mo, k) in by_key else None for mo in months])
            )
    table.add_row(*sparks, style="cyan")
    return table


def render_metrics(
    result: MetricsResult, console: Console, intervals: UncertaintyResult | None = None
) -> None:
    """Print the summary of a ``metrics`` run, with bootstrap intervals when given."""
    bridge = bridge_records(result, groups=False)[-_TREND_MONTHS:]
    retention = retention_records(result, groups=False)
    if intervals is not None:
        retention = interval_records(retention, intervals)
    parts: list[Any] = [_input_panel(result)]
    if bridge:
        parts.append(_bridge_table(bridge))
    if result.retention_spot is not None and result.currency is not None:
        code = result.currency["reporting_currency"]
        parts.append(
            _latest_table(retention, result.windows, result.method, f", constant currency ({code})")
        )
        parts.append(
            _latest_table(
                spot_retention_records(result), result.windows, result.method, ", at spot rates"
            )
        )
        parts.append(
            Text(
                "constant currency: both ends of a window at the rates of its first month; "
                "at spot rates the exchange-rate effect shows as expansion or contraction.",
                style="dim",
            )
        )
    else:
        parts.append(_latest_table(retention, result.windows, result.method))
    if intervals is not None:
        level = f"{round(intervals.level * 100, 4):g}%"
        parts.append(
            Text(
                f"(low-high): {level} bootstrap interval, customers of the cohort resampled "
                f"{intervals.resamples:,} times, seed {intervals.seed}",
                style="dim",
            )
        )
    if retention:
        parts.append(_trend_table(retention, result.windows))
    if result.by:
        parts.append(_groups_table(result))
    console.print(Group(*parts))


def _groups_table(result: MetricsResult) -> Table:
    """The latest month of each window, per group (a customer's group at the window start)."""
    records = [r for r in retention_records(result) if result.by[0] in r]
    table = Table(
        title=f"Retention by {', '.join(result.by)} (group at the start of the window)",
        title_justify="left",
    )
    for name in ("window", "as of", *result.by, "customers", "starting MRR", "GRR", "NRR", "logos"):
        table.add_column(
            name,
            justify="right"
            if name in ("customers", "starting MRR", "GRR", "NRR", "logos")
            else "left",
        )
    for k in result.windows:
        mine = [r for r in records if r["window_months"] == k]
        if not mine:
            continue
        latest = max(r["as_of"] for r in mine)
        for r in (r for r in mine if r["as_of"] == latest):
            table.add_row(
                f"{k} mo",
                latest,
                *[str(r[name]) for name in result.by],
                f"{r['customers']:,}",
                display_money(r["starting_mrr"]),
                _pct(r["grr"]),
                _pct(r["nrr"]),
                _pct(r["logo_retention"]),
            )
    return table
