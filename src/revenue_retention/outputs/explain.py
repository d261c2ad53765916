"""The ``explain`` document: the customers behind a window or a bridge month, with totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from revenue_retention.analyses.explain import (
    CUSTOMER_FIELDS,
    PERIOD_TOTALS,
    WINDOW_TOTALS,
    ExplainResult,
)
from revenue_retention.money import format_money
from revenue_retention.outputs.document import Document, Section
from revenue_retention.periods import month_label

__all__ = ["MOVEMENTS_FIELDS", "TERMINAL_ROWS", "explain_document", "totals_fields"]

MOVEMENTS_FIELDS = ("movement", "customers", "amount")
_RATES = ("grr", "nrr", "logo_retention")
#: The terminal shows this many customers when no ``--limit`` was given; JSON and CSV, all.
TERMINAL_ROWS = 50
_METHOD = "cohort"


def totals_fields(result: ExplainResult) -> tuple[str, ...]:
    """Field order of the ``totals`` record, as in the ``metrics`` row it reconciles to."""
    if result.mode == "window":
        return ("as_of", "window_months", "method", *WINDOW_TOTALS, *_RATES)
    return ("period", "customers", *PERIOD_TOTALS)


def _plain(value: Any) -> Any:
    return format_money(value) if isinstance(value, Decimal) else value


def _totals(result: ExplainResult) -> dict[str, Any]:
    row = {name: _plain(value) for name, value in result.totals_row.items()}
    if result.mode == "window":
        head = {
            "as_of": month_label(result.as_of),
            "window_months": result.window_months,
            "method": _METHOD,
        }
    else:
        head = {"period": month_label(result.as_of)}
    return {name: (head | row)[name] for name in totals_fields(result)}


def _records(result: ExplainResult, table_name: str) -> list[dict[str, Any]]:
    table = getattr(result, table_name)
    return [{name: _plain(value) for name, value in row.items()} for row in table.to_pylist()]


def _money(text: str | None, signed: bool = False) -> str:
    if text is None:
        return "-"
    return f"{Decimal(text):+,.2f}" if signed else f"{Decimal(text):,.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _title(result: ExplainResult) -> Text:
    text = Text()
    text.append("Explain", style="bold")
    if result.mode == "window":
        text.append(
            f" the {result.window_months}-month window to {month_label(result.as_of)}: every "
            f"customer paying at {month_label(result.start)} (cohort method, METRICS.md §3)"
        )
    else:
        text.append(
            f" the bridge month {month_label(result.as_of)}: every customer with a movement "
            f"from {month_label(result.start)} (METRICS.md §2)"
        )
    if result.by is not None:
        when = (
            f"at the start ({month_label(result.start)})"
            if result.mode == "window"
            else f"in {month_label(result.start)} (in {month_label(result.as_of)} for new "
            "and reactivated customers)"
        )
        text.append(f"\nonly customers with {result.by[0]} = {result.by[1]!r} {when}")
    return text


def _totals_table(result: ExplainResult, totals: dict[str, Any]) -> Table:
    table = Table(title="Totals (equal to the metrics row)", title_justify="left")
    names: tuple[str, ...]
    if result.mode == "window":
        money = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")
        names = ("customers", "starting MRR", "churn", "contraction", "expansion", "ending MRR")
        names += ("GRR", "NRR", "logos")
        cells = [
            f"{totals['customers']:,}",
            *(_money(totals[f]) for f in money),
            *(_pct(totals[f]) for f in _RATES),
        ]
    else:
        names = ("customers moving", "opening", *PERIOD_TOTALS[1:-1], "closing")
        cells = [f"{totals['customers']:,}", *(_money(totals[f]) for f in PERIOD_TOTALS)]
    for name in names:
        table.add_column(name, justify="right")
    table.add_row(*cells)
    return table


def _movements_table(result: ExplainResult) -> Table:
    table = Table(title="By movement", title_justify="left")
    for name in ("movement", "customers", "amount"):
        table.add_column(name, justify="left" if name == "movement" else "right")
    for r in _records(result, "movements"):
        table.add_row(r["movement"], f"{r['customers']:,}", _money(r["amount"]))
    return table


def _customers_table(result: ExplainResult, rows: list[dict[str, Any]]) -> Table:
    attributes = [c for c in result.customers.column_names if c not in CUSTOMER_FIELDS]
    table = Table(title="Customers by impact", title_justify="left")
    for name in ("customer", "start MRR", "end MRR", "change", "movement", *attributes):
        table.add_column(name, justify="right" if "MRR" in name or name == "change" else "left")
    for r in rows:
        table.add_row(
            str(r["customer_id"]),
            _money(r["start_mrr"]),
            _money(r["end_mrr"]),
            _money(r["change"], signed=True),
            r["movement"],
            *("" if r[a] is None else str(r[a]) for a in attributes),
        )
    return table


def _render(result: ExplainResult, console: Console) -> None:
    totals = _totals(result)
    customers = _records(result, "customers")
    shown = customers if result.limit is not None else customers[:TERMINAL_ROWS]
    parts: list[Any] = [
        _title(result),
        _totals_table(result, totals),
        _movements_table(result),
    ]
    if shown:
        parts.append(_customers_table(result, shown))
    if len(shown) < result.listed:
        parts.append(
            Text(
                f"{len(shown):,} of {result.listed:,} customers shown; "
                "--format csv or json lists them all.",
                style="yellow",
            )
        )
    console.print(Group(*parts))


def explain_document(result: ExplainResult) -> Document:
    """The ``explain`` output: ``input``, ``mode``, months, ``by``, ``limit``, ``listed``,
    then the sections ``totals`` (one record, equal to the ``metrics`` row), ``movements``
    and ``customers`` (sorted by impact, attribute columns last).
    """

    def render(console: Console) -> None:
        _render(result, console)

    header: dict[str, Any] = {"input": result.input.to_dict(), "analysis": "explain"}
    header |= {
        "mode": result.mode,
        "as_of" if result.mode == "window" else "period": month_label(result.as_of),
        "window_months": result.window_months,
        "start": month_label(result.start),
        "by": None if result.by is None else {"column": result.by[0], "value": result.by[1]},
        "limit": result.limit,
        "listed": result.listed,
    }
    return Document(
        header=header,
        sections=(
            Section("totals", totals_fields(result), [_totals(result)]),
            Section("movements", MOVEMENTS_FIELDS, _records(result, "movements")),
            Section(
                "customers",
                tuple(result.customers.column_names),
                _records(result, "customers"),
            ),
        ),
        render=render,
    )
