"""The ``explain`` document: the customers behind a window or a bridge month, with totals."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from revenue_retention.analyses.explain import (
    CUSTOMER_FIELDS,
    PERIOD_TOTALS,
    WINDOW_TOTALS,
    ExplainResult,
)
from revenue_retention.money import format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import arrow_html
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs._terminal import money as _money
from revenue_retention.outputs._terminal import pct as _pct
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

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


def _totals_table(
    result: ExplainResult, totals: dict[str, Any], console: Console
) -> RenderableType:
    columns: list[Column]
    if result.mode == "window":
        money = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")
        columns = [
            Column("customers", drop=2),
            Column("starting MRR", drop=1),
            Column("churn", drop=4),
            Column("contraction", drop=5),
            Column("expansion", drop=3),
            Column("ending MRR", drop=1),
            *(Column(name) for name in ("GRR", "NRR", "logos")),
        ]
        cells = [
            f"{totals['customers']:,}",
            *(_money(totals[f]) for f in money),
            *(_pct(totals[f]) for f in _RATES),
        ]
    else:
        names = ("customers moving", "opening", *PERIOD_TOTALS[1:-1], "closing")
        # Opening, closing and the movements first; the count goes first when narrow.
        columns = [Column(name, drop=1 if name == "customers moving" else 0) for name in names]
        cells = [f"{totals['customers']:,}", *(_money(totals[f]) for f in PERIOD_TOTALS)]
    return fit_table(console, "Totals (equal to the metrics row)", columns, [cells])


def _movements_table(result: ExplainResult, console: Console) -> RenderableType:
    columns = [Column("movement", "left"), Column("customers"), Column("amount")]
    rows = [
        [r["movement"], f"{r['customers']:,}", _money(r["amount"])]
        for r in _records(result, "movements")
    ]
    return fit_table(console, "By movement", columns, rows)


def _customers_table(
    result: ExplainResult, rows: list[dict[str, Any]], console: Console
) -> RenderableType:
    attributes = [c for c in result.customers.column_names if c not in CUSTOMER_FIELDS]
    columns = [
        Column("customer", "left"),
        Column("start MRR", drop=1),
        Column("end MRR", drop=2),
        Column("change"),
        Column("movement", "left"),
        # When narrow, the attributes go first (the last one first), then end and start.
        *(Column(a, "left", drop=3 + i) for i, a in enumerate(attributes)),
    ]
    cells = [
        [
            str(r["customer_id"]),
            _money(r["start_mrr"]),
            _money(r["end_mrr"]),
            _money(r["change"], signed=True),
            r["movement"],
            *("" if r[a] is None else str(r[a]) for a in attributes),
        ]
        for r in rows
    ]
    return fit_table(console, "Customers by impact", columns, cells)


def _render(result: ExplainResult, console: Console) -> None:
    totals = _totals(result)
    customers = _records(result, "customers")
    shown = customers if result.limit is not None else customers[:TERMINAL_ROWS]
    parts: list[Any] = [
        _title(result),
        _totals_table(result, totals, console),
        _movements_table(result, console),
    ]
    if shown:
        parts.append(_customers_table(result, shown, console))
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


def _html(r: ExplainResult) -> str:
    what = (
        f"{r.window_months}-month window to {month_label(r.as_of)}"
        if r.mode == "window"
        else f"bridge month {month_label(r.as_of)}"
    )
    return (
        arrow_html(r.totals, f"Totals of the {what}")
        + arrow_html(r.movements, "By movement")
        + arrow_html(r.customers, f"Customers, largest change first ({r.listed:,} explained)")
    )


@register(ExplainResult)
class ExplainPresenter:
    """``ExplainResult`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: ExplainResult, **options: Any) -> Document:
        return explain_document(result)

    def html(self, result: ExplainResult) -> str:
        return _html(result)

    def chart(self, result: ExplainResult, **options: Any) -> Chart:
        # Imported here: Plotly is loaded for a chart only, not for every command.
        from revenue_retention.outputs.explain.chart import explain_movements

        return explain_movements(result, **options)

    def sheets(self, result: ExplainResult) -> Sequence[Sheet]:
        return ()
