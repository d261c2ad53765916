"""The ``decompose`` document: price, volume and cross-sell records and their terminal view."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from revenue_retention.analyses.decompose import DecomposeResult
from revenue_retention.money import format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import arrow_html, html_table
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs._terminal import money as _money
from revenue_retention.outputs._terminal import pct as _pct
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = [
    "CUSTOMER_FIELDS",
    "ITEM_FIELDS",
    "MOVEMENT_FIELDS",
    "PRODUCT_FIELDS",
    "TOTAL_FIELDS",
    "decompose_document",
    "render_decompose",
    "total_record",
]

_COMPONENTS = (
    "volume_expansion",
    "price_increase",
    "cross_sell",
    "volume_contraction",
    "price_decrease",
    "product_churn",
    "churn",
)
_RATES = ("grr", "nrr", "nrr_excluding_price", "price_share_of_expansion")
TOTAL_FIELDS = (
    "as_of",
    "window_months",
    "cohort_month",
    "method",
    "customers",
    "retained_customers",
    "starting_mrr",
    "ending_mrr",
    "net_change",
    "expansion",
    "contraction",
    "churn",
    "grr",
    "nrr",
    "nrr_excluding_price",
    "volume_expansion",
    "price_increase",
    "cross_sell",
    "gross_expansion",
    "volume_contraction",
    "price_decrease",
    "product_churn",
    "gross_contraction",
    "price_share_of_expansion",
)
MOVEMENT_FIELDS = (
    "movement",
    "customers",
    "starting_mrr",
    "ending_mrr",
    "change",
    "volume_effect",
    "price_effect",
    *_COMPONENTS,
)
PRODUCT_FIELDS = (
    "product",
    "customers_start",
    "customers_end",
    "quantity_start",
    "quantity_end",
    "starting_mrr",
    "ending_mrr",
    "change",
    "volume_effect",
    "price_effect",
    *_COMPONENTS,
)
CUSTOMER_FIELDS = (
    "customer_id",
    "class",
    "starting_mrr",
    "ending_mrr",
    "change",
    "products_start",
    "products_end",
    "volume_effect",
    "price_effect",
    *_COMPONENTS,
)
ITEM_FIELDS = (
    "customer_id",
    "product",
    "class",
    "q0",
    "p0",
    "q1",
    "p1",
    "starting_mrr",
    "ending_mrr",
    "change",
    "volume",
    "price",
    "cross_sell",
    "product_churn",
    "churn",
)
_QUANTITIES = frozenset(("q0", "q1", "quantity_start", "quantity_end"))
_COUNTS = frozenset(
    {
        "customers",
        "retained_customers",
        "customers_start",
        "customers_end",
        "products_start",
        "products_end",
        "window_months",
    }
)
_TEXT = frozenset(("customer_id", "product", "movement", "class", "method"))


def _quantity(value: Decimal | None) -> str | None:
    """A quantity without its trailing zeros: ``12``, ``2.5``."""
    return None if value is None else f"{value.normalize():f}"


def _value(name: str, value: Any) -> Any:
    if name in _TEXT or name in _COUNTS or name in _RATES:
        return value
    if name in _QUANTITIES:
        return _quantity(value)
    return format_money(value)


def _records(
    table: pa.Table, fields: tuple[str, ...], renamed: dict[str, str]
) -> list[dict[str, Any]]:
    back = {new: old for old, new in renamed.items()}
    return [
        {name: _value(name, row[back.get(name, name)]) for name in fields}
        for row in table.to_pylist()
    ]


def total_record(result: DecomposeResult) -> dict[str, Any]:
    """The one totals record: §3 figures, their §6 components and the rates."""
    t = result.totals
    values: dict[str, Any] = {
        name: getattr(t, name)
        for name in TOTAL_FIELDS
        if name not in ("as_of", "window_months", "cohort_month", "method")
    }
    return {
        "as_of": month_label(result.as_of),
        "window_months": result.window_months,
        "cohort_month": month_label(result.start),
        "method": result.method,
    } | {name: _value(name, value) for name, value in values.items()}


def decompose_document(result: DecomposeResult) -> Document:
    """The ``decompose`` output: ``input``, the window, then ``totals``, ``movements``,
    ``products``, ``customers`` and ``items`` (one per customer and product)."""

    def render(console: Console) -> None:
        render_decompose(result, console)

    return Document(
        header={
            "input": result.input.to_dict(),
            "method": result.method,
            "as_of": month_label(result.as_of),
            "window_months": result.window_months,
            "cohort_month": month_label(result.start),
        },
        sections=(
            Section("totals", TOTAL_FIELDS, [total_record(result)]),
            Section(
                "movements",
                MOVEMENT_FIELDS,
                _records(result.movements, MOVEMENT_FIELDS, {"customer_class": "movement"}),
            ),
            Section("products", PRODUCT_FIELDS, _records(result.products, PRODUCT_FIELDS, {})),
            Section(
                "customers",
                CUSTOMER_FIELDS,
                _records(result.customers, CUSTOMER_FIELDS, {"customer_class": "class"}),
            ),
            Section(
                "items", ITEM_FIELDS, _records(result.items, ITEM_FIELDS, {"item_class": "class"})
            ),
        ),
        render=render,
    )


def _minus(value: Decimal) -> str:
    """A decrease shown with its sign; nothing lost shows as 0.00, not -0.00."""
    return "-" + _money(value) if value else "0.00"


def _share(part: Decimal, whole: Decimal) -> str:
    return "-" if not whole else f"{part / whole * 100:.1f}%"


def _header(result: DecomposeResult) -> Text:
    t, report = result.totals, result.input
    text = Text()
    text.append(report.path, style="bold")
    text.append(f"  ({report.rows_accepted:,} line items, months {report.months})\n")
    text.append(
        f"Cohort: {t.customers:,} customers paying at {month_label(result.start)}; "
        f"window {result.window_months} months to {month_label(result.as_of)} "
        f"({result.method} method, METRICS.md §3, §6)"
    )
    for warning in report.warnings:
        text.append(f"\nwarning: {warning}", style="yellow")
    return text


def _rates_table(result: DecomposeResult) -> Table:
    t = result.totals
    table = Table(title="Retention", title_justify="left")
    for name in ("starting MRR", "ending MRR", "GRR", "NRR", "NRR excl. price increases"):
        table.add_column(name, justify="right")
    table.add_row(
        _money(t.starting_mrr),
        _money(t.ending_mrr),
        _pct(t.grr),
        _pct(t.nrr),
        _pct(t.nrr_excluding_price),
    )
    return table


def _components_table(result: DecomposeResult) -> Table:
    t = result.totals
    table = Table(title="What the change in MRR is made of (per product, §6)", title_justify="left")
    table.add_column("component")
    table.add_column("amount", justify="right")
    table.add_column("of starting MRR", justify="right")
    table.add_column("of gross expansion", justify="right")
    for label, value in (
        ("volume expansion", t.volume_expansion),
        ("price increase", t.price_increase),
        ("cross-sell", t.cross_sell),
    ):
        table.add_row(
            label, _money(value), _share(value, t.starting_mrr), _share(value, t.gross_expansion)
        )
    table.add_row(
        "gross expansion",
        _money(t.gross_expansion),
        _share(t.gross_expansion, t.starting_mrr),
        "",
        style="bold",
    )
    for label, value in (
        ("volume contraction", t.volume_contraction),
        ("price decrease", t.price_decrease),
        ("product churn", t.product_churn),
        ("churn", t.churn),
    ):
        table.add_row(label, _minus(value), _share(value, t.starting_mrr), "")
    table.add_row(
        "net change (E - S)",
        _money(t.net_change),
        _share(t.net_change, t.starting_mrr),
        "",
        style="bold",
    )
    return table


def _movements_table(result: DecomposeResult, console: Console) -> RenderableType:
    columns = [
        Column("movement", "left"),
        Column("customers", drop=5),
        Column("change"),
        Column("volume"),
        Column("price", drop=1),
        Column("cross-sell", drop=2),
        Column("product churn", drop=3),
        Column("churn", drop=4),
    ]
    rows = [
        [
            row["customer_class"],
            f"{row['customers']:,}",
            _money(row["change"]),
            _money(row["volume_effect"]),
            _money(row["price_effect"]),
            _money(row["cross_sell"]),
            _minus(row["product_churn"]),
            _minus(row["churn"]),
        ]
        for row in result.movements.to_pylist()
    ]
    title = "Customers by their own net change (§3), split into components"
    return fit_table(console, title, columns, rows)


def _products_table(result: DecomposeResult, console: Console) -> RenderableType:
    columns = [
        Column("product", "left"),
        Column("customers", drop=4),
        Column("starting MRR", drop=2),
        Column("ending MRR", drop=3),
        Column("volume"),
        Column("price"),
        Column("cross-sell"),
        Column("product churn", drop=1),
        Column("churn", drop=1),
        Column("change"),
    ]
    rows = [
        [
            str(row["product"]),
            f"{row['customers_start']:,} -> {row['customers_end']:,}",
            _money(row["starting_mrr"]),
            _money(row["ending_mrr"]),
            _money(row["volume_effect"]),
            _money(row["price_effect"]),
            _money(row["cross_sell"]),
            _minus(row["product_churn"]),
            _minus(row["churn"]),
            _money(row["change"]),
        ]
        for row in result.products.to_pylist()
    ]
    return fit_table(console, "By product", columns, rows)


def render_decompose(result: DecomposeResult, console: Console) -> None:
    """Print the summary of a ``decompose`` run for people."""
    t = result.totals
    parts: list[Any] = [_header(result), _rates_table(result)]
    if t.customers:
        parts += [
            _components_table(result),
            _movements_table(result, console),
            _products_table(result, console),
        ]
        parts.append(
            Text(
                f"§3 expansion (net, per customer) {_money(t.expansion)} and contraction "
                f"{_money(t.contraction)}: the gross figures above are larger by what "
                "customers gained and lost on different products or on price and volume. "
                "Rows per customer and product: --format json or csv."
            )
        )
    else:
        parts.append(Text("The cohort is empty: no customer paid in the first month."))
    console.print(Group(*parts))


def _html(r: DecomposeResult) -> str:
    t = r.totals
    fields = (
        "starting_mrr",
        "ending_mrr",
        "expansion",
        "contraction",
        "churn",
        "volume_expansion",
        "price_increase",
        "cross_sell",
        "volume_contraction",
        "price_decrease",
        "product_churn",
    )
    rates = ("grr", "nrr", "nrr_excluding_price", "price_share_of_expansion")
    totals = html_table(
        ["figure", "value"],
        [[f, getattr(t, f)] for f in (*fields, *rates)],
        f"{r.window_months}-month window {month_label(r.start)} to {month_label(r.as_of)}",
    )
    return (
        totals
        + arrow_html(r.movements, "Each movement by component")
        + arrow_html(r.products, "By product")
    )


@register(DecomposeResult)
class DecomposePresenter:
    """``DecomposeResult`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: DecomposeResult, **options: Any) -> Document:
        return decompose_document(result)

    def html(self, result: DecomposeResult) -> str:
        return _html(result)

    def chart(self, result: DecomposeResult, **options: Any) -> Chart:
        # Imported here: Plotly is loaded for a chart only, not for every command.
        from revenue_retention.outputs.decompose.chart import expansion_split

        return expansion_split(result, **options)

    def sheets(self, result: DecomposeResult) -> Sequence[Sheet]:
        return ()
