"""Rich tables for people: the input, the latest bridge months and retention with its trend."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from revenue_retention.analyses import MetricsResult
from revenue_retention.analyses.uncertainty import UncertaintyResult
from revenue_retention.money import display_money
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs._terminal import count as _count
from revenue_retention.outputs._terminal import pct as _pct
from revenue_retention.outputs.metrics.records import (
    BRIDGE_FIELDS,
    bridge_records,
    churn_reason_records,
    interval_records,
    money_by_currency,
    retention_records,
    spot_retention_records,
)

__all__ = ["answer_line", "answer_window", "latest_table", "render_metrics", "trend_table"]

_TREND_MONTHS = 12
_BARS = "▁▂▃▄▅▆▇█"


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
        text.append("\ncurrency: not named (no currency column; --currency CODE names it)")
    elif not report.currency["converted"]:
        text.append(f"\ncurrency: {report.currency['reporting_currency']}")
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


def answer_window(result: MetricsResult) -> int | None:
    """The window the one-line answer is about: 12 months if computed, else the longest."""
    present = set(result.retention.column("window_months").to_pylist())
    if not present:
        return None
    return 12 if 12 in present else max(present)


def answer_line(result: MetricsResult, window: int | None = None) -> Text | None:
    """The answer in one line: ``12 months to 2025-12: GRR 86.0% · NRR 103.8% · ...``.

    The latest as-of month of ``window`` (default ``answer_window``); None without one.
    """
    window = answer_window(result) if window is None else window
    rows = [r for r in retention_records(result, groups=False) if r["window_months"] == window]
    if not rows:
        return None
    r = max(rows, key=lambda r: str(r["as_of"]))
    method = "" if result.method == "cohort" else f" ({result.method} method)"
    text = Text()
    text.append(f"{window} months to {r['as_of']}{method}: ", style="bold")
    # A rate the method does not define (logos by the movement method) is left out.
    parts = [(name, field) for name, field in _RATES if r[field] is not None]
    for i, (name, field) in enumerate(parts):
        text.append(" \u00b7 " if i else "")
        text.append(f"{name} ")
        text.append(_pct(r[field]), style="bold")
    text.append(f" \u00b7 {r['customers']:,} customers")
    return text


def _bridge_table(
    console: Console, rows: list[dict[str, Any]], unit: str = "MRR"
) -> RenderableType:
    """The bridge by month, signs as in the JSON: every movement a positive amount."""
    fx = bool(rows) and "fx" in rows[0]
    title = f"{unit} bridge, last {len(rows)} months"
    identity = "closing = opening + new + reactivation + expansion - contraction - churn"
    if fx:
        title += " (movements at the opening month's rates)"
        identity += " + fx (exchange-rate effect)"
    # The movements always stay; closing goes last (amounts with six places, from spread
    # invoice lines, leave no room for it at 80 columns), never a figure folded.
    columns = [
        Column("period", "left"),
        Column("opening", drop=4),
        Column("new"),
        Column("reactivation", drop=3),
        Column("expansion"),
        Column("contraction"),
        Column("churn"),
        *([Column("fx", drop=2)] if fx else []),
        Column("closing", drop=1),
    ]
    cells = [
        [
            row["period"],
            *(display_money(row[name]) for name in _BRIDGE_MONEY[:-1]),
            *([display_money(row["fx"])] if fx else []),
            display_money(row["closing_mrr"]),
        ]
        for row in rows
    ]
    return fit_table(console, title, columns, cells, caption=identity, caption_justify="left")


#: The bridge's amounts, in the JSON's order: opening, the movements, closing.
_BRIDGE_MONEY = BRIDGE_FIELDS[1:]
_RATES = (("GRR", "grr"), ("NRR", "nrr"), ("logos", "logo_retention"))
_WINDOW_MONEY = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")


def latest_table(
    console: Console,
    records: list[dict[str, Any]],
    windows: tuple[int, ...],
    title: str,
    unit: str = "MRR",
) -> RenderableType:
    """The latest as-of month of each window: its cohort, what it lost and gained, rates.

    When narrow, the losses go first, then the expansion and the amounts; the as-of month
    goes first of all when every window ends in the same month (the title then says it).
    """
    ends = {mine[-1]["as_of"] for k in windows if (mine := _of_window(records, k))}
    if len(ends) == 1:
        title = f"{title}, windows ending {next(iter(ends))}"
    else:
        title = f"{title} (each window's latest month)"
    columns = [
        Column("window", "left"),
        Column("as of", "left", drop=9 if len(ends) == 1 else 2),
        Column("customers", drop=1),
        Column(f"starting {unit}", drop=3),
        Column("churn", drop=6),
        Column("contraction", drop=7),
        Column("expansion", drop=5),
        Column(f"ending {unit}", drop=4),
        Column("GRR"),
        Column("NRR"),
        Column("logos"),
    ]
    rows = []
    missing = []
    for k in windows:
        mine = _of_window(records, k)
        if not mine:
            missing.append(f"{k} mo")
            rows.append([f"{k} mo", *["-"] * (len(columns) - 1)])
            continue
        r = mine[-1]
        rows.append(
            [
                f"{k} mo",
                r["as_of"],
                _count(r["customers"]),
                *(display_money(r[name]) if r[name] is not None else "-" for name in _WINDOW_MONEY),
                _rate(r, "grr"),
                _rate(r, "nrr"),
                _rate(r, "logo_retention"),
            ]
        )
    table = fit_table(console, title, columns, rows)
    if not missing:
        return table
    return Group(table, Text(f"{', '.join(missing)}: not enough months of data", style="dim"))


def _of_window(records: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    return [r for r in records if r["window_months"] == k]


def trend_table(
    console: Console, records: list[dict[str, Any]], windows: tuple[int, ...], spark: bool = True
) -> RenderableType:
    """The rates of each window over the last twelve as-of months, the longest window first
    kept when the terminal is narrow, and a sparkline row."""
    longer = {k: sum(1 for w in windows if w > k) for k in windows}
    columns = [Column("as of", "left")]
    keys = []
    for k in windows:
        for i, (name, field) in enumerate(_RATES):
            # The longest window always stays; a shorter one goes before a longer one,
            # and its logos before its NRR before its GRR.
            drop = 0 if longer[k] == 0 else 3 * longer[k] + i + 1
            columns.append(Column(f"{name} {k}mo", drop=drop))
            keys.append((k, field))
    months = sorted({r["as_of"] for r in records})[-_TREND_MONTHS:]
    by_key = {(r["as_of"], r["window_months"]): r for r in records}
    rows: list[list[str]] = []
    for month in months:
        rows.append(
            [month] + [_pct(by_key[(month, k)][f]) if (month, k) in by_key else "" for k, f in keys]
        )
    styles: list[str | None] = [None] * len(rows)
    if spark:
        rows.append(
            ["trend"]
            + [
                _spark([by_key[(mo, k)][f] if (mo, k) in by_key else None for mo in months])
                for k, f in keys
            ]
        )
        styles.append("cyan")
    return fit_table(
        console, f"Trend, last {_TREND_MONTHS} months", columns, rows, row_styles=styles
    )


def render_metrics(
    result: MetricsResult, console: Console, intervals: UncertaintyResult | None = None
) -> None:
    """Print the summary of a ``metrics`` run, with bootstrap intervals when given.

    The answer in one line first, then what was read, the windows' latest figures, their
    trend and the bridge; every table fits the console's width.
    """
    bridge = bridge_records(result, groups=False)[-_TREND_MONTHS:]
    retention = retention_records(result, groups=False)
    if intervals is not None:
        retention = interval_records(retention, intervals)
    parts: list[Any] = []
    unit = result.unit.upper()
    answer = answer_line(result)
    if answer is not None:
        parts.append(answer)
    parts.append(_input_panel(result))
    if result.retention_spot is not None and result.currency is not None:
        code = result.currency["reporting_currency"]
        parts.append(
            latest_table(
                console,
                retention,
                result.windows,
                f"Retention, {result.method} method, constant currency ({code})",
                unit,
            )
        )
        parts.append(
            latest_table(
                console,
                spot_retention_records(result),
                result.windows,
                f"Retention, {result.method} method, at spot rates",
                unit,
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
        parts.append(
            latest_table(
                console, retention, result.windows, f"Retention, {result.method} method", unit
            )
        )
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
        parts.append(trend_table(console, retention, result.windows))
    if bridge:
        parts.append(_bridge_table(console, bridge, unit))
    if result.churn_reasons is not None and result.churn_reason_column is not None:
        reasons = churn_reason_records(result)[-_TREND_MONTHS:]
        if reasons:
            parts.append(_reasons_table(console, reasons, result.churn_reason_column, unit))
    if result.by:
        parts.append(_groups_table(console, result))
    if result.unit == "arr":
        parts.append(Text("unit: ARR = MRR x 12, every amount; rates unchanged", style="dim"))
    console.print(Group(*parts))


def _reasons_table(
    console: Console, rows: list[dict[str, Any]], column: str, unit: str
) -> RenderableType:
    """Each month's churn by reason, and the reactivation that ended a pause."""
    columns = [
        Column("period", "left"),
        Column("churn"),
        Column("voluntary"),
        Column("involuntary"),
        Column("paused"),
        Column("unexplained", drop=1),
        Column("resumed", drop=2),
    ]
    cells = [
        [
            row["period"],
            *(
                display_money(row[name])
                for name in (
                    "churn",
                    "churn_voluntary",
                    "churn_involuntary",
                    "churn_paused",
                    "churn_unexplained",
                    "reactivation_resumed",
                )
            ),
        ]
        for row in rows
    ]
    table = fit_table(
        console,
        f"{unit} churn by reason (column {column!r}), last {len(rows)} months",
        columns,
        cells,
    )
    note = Text(
        "reason: the row of the month the customer left (MRR 0), else of its last paying "
        "month; paused counts as churn and its end as reactivation (METRICS.md), shown apart",
        style="dim",
    )
    return Group(table, note)


def _groups_table(console: Console, result: MetricsResult) -> RenderableType:
    """The latest month of each window, per group (a customer's group at the window start)."""
    records = [r for r in retention_records(result) if result.by[0] in r]
    columns = [
        Column("window", "left"),
        Column("as of", "left", drop=3),
        *(Column(name, "left") for name in result.by),
        Column("customers", drop=1),
        Column(f"starting {result.unit.upper()}", drop=2),
        Column("GRR"),
        Column("NRR"),
        Column("logos"),
    ]
    rows = []
    for k in result.windows:
        mine = [r for r in records if r["window_months"] == k]
        if not mine:
            continue
        latest = max(r["as_of"] for r in mine)
        for r in (r for r in mine if r["as_of"] == latest):
            rows.append(
                [
                    f"{k} mo",
                    latest,
                    *[str(r[name]) for name in result.by],
                    f"{r['customers']:,}",
                    display_money(r["starting_mrr"]),
                    _pct(r["grr"]),
                    _pct(r["nrr"]),
                    _pct(r["logo_retention"]),
                ]
            )
    return fit_table(
        console,
        f"Retention by {', '.join(result.by)} (group at the start of the window)",
        columns,
        rows,
    )
