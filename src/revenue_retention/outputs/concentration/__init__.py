"""The ``concentration`` document: shares of the top accounts, Herfindahl, NRR without them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from revenue_retention.analyses.concentration import ConcentrationResult
from revenue_retention.money import format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import arrow_html, html_table
from revenue_retention.outputs._terminal import money as _money
from revenue_retention.outputs._terminal import pct as _pct
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = [
    "NRR_WITHOUT_TOP_FIELDS",
    "PARETO_FIELDS",
    "SHARES_FIELDS",
    "SUMMARY_FIELDS",
    "TOP_CUSTOMERS_FIELDS",
    "TOP_EXPANDERS_FIELDS",
    "concentration_document",
]

SUMMARY_FIELDS = (
    "as_of",
    "window_months",
    "start",
    "method",
    "customers",
    "expanders",
    "starting_mrr",
    "expansion",
    "ending_mrr",
    "nrr",
    "herfindahl",
)
SHARES_FIELDS = (
    "top",
    "customers",
    "mrr",
    "share_of_starting_mrr",
    "expanders",
    "expansion",
    "share_of_expansion",
)
NRR_WITHOUT_TOP_FIELDS = ("top", "expansion_removed", "ending_mrr", "nrr")
TOP_CUSTOMERS_FIELDS = (
    "rank",
    "customer_id",
    "start_mrr",
    "end_mrr",
    "change",
    "share_of_starting_mrr",
)
TOP_EXPANDERS_FIELDS = (
    "rank",
    "customer_id",
    "start_mrr",
    "end_mrr",
    "expansion",
    "share_of_expansion",
)
PARETO_FIELDS = ("rank", "customer_share", "cumulative_mrr", "mrr_share")

#: The retention method the cohort comes from (METRICS.md §3).
_METHOD = "cohort"


def _records(table: pa.Table, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows in field order, Decimal money as exact strings."""
    return [
        {
            f: format_money(v) if isinstance(v, Decimal) else v
            for f, v in zip(fields, row, strict=True)
        }
        for row in zip(*(table.column(f).to_pylist() for f in fields), strict=True)
    ]


def _summary(result: ConcentrationResult) -> dict[str, Any]:
    return {
        "as_of": month_label(result.as_of),
        "window_months": result.window_months,
        "start": month_label(result.start),
        "method": _METHOD,
        "customers": result.customers,
        "expanders": result.expanders,
        "starting_mrr": format_money(result.starting_mrr),
        "expansion": format_money(result.expansion),
        "ending_mrr": format_money(result.ending_mrr),
        "nrr": result.nrr,
        "herfindahl": result.herfindahl,
    }


def _render(result: ConcentrationResult, console: Console) -> None:
    summary = _summary(result)
    head = Text()
    head.append("Concentration", style="bold")
    head.append(
        f" of the cohort paying at {summary['start']}, over the {result.window_months}-month "
        f"window to {summary['as_of']} (cohort method, METRICS.md §5)\n"
    )
    head.append(
        f"customers {result.customers:,}   starting MRR {_money(summary['starting_mrr'])}   "
        f"expansion {_money(summary['expansion'])} from {result.expanders:,} expanders   "
        f"ending MRR {_money(summary['ending_mrr'])}   NRR {_pct(result.nrr)}   "
        f"Herfindahl {'-' if result.herfindahl is None else f'{result.herfindahl:.4f}'}"
    )
    parts: list[Any] = [head]

    shares = Table(title="Held by the top k", title_justify="left")
    for name in ("top", "starting MRR", "share of S", "expansion", "share of expansion"):
        shares.add_column(name, justify="right")
    for r in _records(result.shares, SHARES_FIELDS):
        shares.add_row(
            str(r["top"]),
            _money(r["mrr"]),
            _pct(r["share_of_starting_mrr"]),
            _money(r["expansion"]),
            _pct(r["share_of_expansion"]),
        )
    parts.append(shares)

    without = Table(title="NRR without the top expanders", title_justify="left")
    for name in ("without top", "expansion removed", "ending MRR", "NRR"):
        without.add_column(name, justify="right")
    without.add_row("(none)", _money("0"), _money(summary["ending_mrr"]), _pct(result.nrr))
    for r in _records(result.nrr_without_top, NRR_WITHOUT_TOP_FIELDS):
        without.add_row(
            str(r["top"]), _money(r["expansion_removed"]), _money(r["ending_mrr"]), _pct(r["nrr"])
        )
    parts.append(without)

    for title, table, fields, amount in (
        ("Largest customers at the start", result.top_customers, TOP_CUSTOMERS_FIELDS, "change"),
        ("Largest expanders", result.top_expanders, TOP_EXPANDERS_FIELDS, "expansion"),
    ):
        if table.num_rows == 0:
            continue
        share = fields[-1]
        label = "share of S" if share == "share_of_starting_mrr" else "share of expansion"
        listing = Table(title=title, title_justify="left")
        for name in ("rank", "customer", "start MRR", "end MRR", amount, label):
            listing.add_column(name, justify="left" if name == "customer" else "right")
        for r in _records(table, fields):
            listing.add_row(
                str(r["rank"]),
                str(r["customer_id"]),
                _money(r["start_mrr"]),
                _money(r["end_mrr"]),
                _money(r[amount]),
                _pct(r[share]),
            )
        parts.append(listing)
    console.print(Group(*parts))


def concentration_document(result: ConcentrationResult) -> Document:
    """The ``concentration`` output: ``input`` then the sections ``summary``, ``shares``,
    ``nrr_without_top_expanders``, ``top_customers``, ``top_expanders`` and ``pareto``.

    Money is an exact decimal string, shares and rates are numbers (``null`` when their
    denominator is 0), months are ``YYYY-MM``.
    """

    def render(console: Console) -> None:
        _render(result, console)

    return Document(
        header={"input": result.input.to_dict(), "analysis": "concentration"},
        sections=(
            Section("summary", SUMMARY_FIELDS, [_summary(result)]),
            Section("shares", SHARES_FIELDS, _records(result.shares, SHARES_FIELDS)),
            Section(
                "nrr_without_top_expanders",
                NRR_WITHOUT_TOP_FIELDS,
                _records(result.nrr_without_top, NRR_WITHOUT_TOP_FIELDS),
            ),
            Section(
                "top_customers",
                TOP_CUSTOMERS_FIELDS,
                _records(result.top_customers, TOP_CUSTOMERS_FIELDS),
            ),
            Section(
                "top_expanders",
                TOP_EXPANDERS_FIELDS,
                _records(result.top_expanders, TOP_EXPANDERS_FIELDS),
            ),
            Section("pareto", PARETO_FIELDS, _records(result.pareto, PARETO_FIELDS)),
        ),
        render=render,
    )


def _html(r: ConcentrationResult) -> str:
    summary = html_table(
        ["as_of", "window_months", "customers", "starting_mrr", "expansion", "nrr", "herfindahl"],
        [
            [
                month_label(r.as_of),
                r.window_months,
                r.customers,
                r.starting_mrr,
                r.expansion,
                r.nrr,
                "-" if r.herfindahl is None else f"{r.herfindahl:.4f}",
            ]
        ],
    )
    return (
        summary
        + arrow_html(r.shares, "Top customers' shares")
        + arrow_html(r.nrr_without_top, "NRR without the top expanders")
        + arrow_html(r.top_customers, "Largest customers at the start")
        + arrow_html(r.top_expanders, "Largest expanders")
    )


@register(ConcentrationResult)
class ConcentrationPresenter:
    """``ConcentrationResult`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: ConcentrationResult, **options: Any) -> Document:
        return concentration_document(result)

    def html(self, result: ConcentrationResult) -> str:
        return _html(result)

    def chart(self, result: ConcentrationResult, **options: Any) -> Chart:
        # Imported here: Plotly is loaded for a chart only, not for every command.
        from revenue_retention.outputs.concentration.chart import concentration_pareto

        return concentration_pareto(result, **options)

    def sheets(self, result: ConcentrationResult) -> Sequence[Sheet]:
        return ()
