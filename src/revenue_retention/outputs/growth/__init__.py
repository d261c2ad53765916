"""The ``growth`` document: ARR, growth, churn rates by definition, ARPA, LTV, seat retention."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

from decimal import Decimal
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from revenue_retention.analyses.growth import (
    MONTH_COLUMNS,
    QUANTITY_COLUMNS,
    WINDOW_COLUMNS,
    GrowthResult,
)
from revenue_retention.money import display_money, format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import document_html
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs.labels import reader_text
from revenue_retention.outputs.registry import no_chart, register
from revenue_retention.outputs.units import unit_name
from revenue_retention.periods import month_label

__all__ = [
    "CHURN_DEFINITIONS",
    "growth_document",
    "growth_fields",
    "growth_records",
    "growth_report",
    "quantity_records",
    "render_growth",
]

_TREND_MONTHS = 12
#: Each churn rate: its label, its JSON stem, and the cohort rate of the same window it is
#: the complement of (METRICS.md §3).
CHURN_DEFINITIONS = (
    ("customer (logo)", "customer_churn_rate", "logos", "logo_retention"),
    ("gross MRR", "gross_mrr_churn_rate", "GRR", "grr"),
    ("net MRR", "net_mrr_churn_rate", "NRR", "nrr"),
)
_CENT = Decimal("0.01")


def growth_fields(columns: tuple[str, ...], unit: str) -> tuple[str, ...]:
    """The record fields of a table's columns: labels for indexes, names in ``unit``."""
    labelled = tuple(c for c in columns if c not in ("month_index", "as_of_index"))
    if unit == "arr":  # closing_arr is the ARR already
        labelled = tuple(c for c in labelled if c != "arr")
    return tuple(unit_name(c, unit) for c in labelled)


def growth_records(table_rows: list[dict[str, Any]], unit: str) -> list[dict[str, Any]]:
    """Rows as records: months ``YYYY-MM``, money exact strings, rates and counts as numbers."""
    records = []
    for row in table_rows:
        record: dict[str, Any] = {}
        for name, value in row.items():
            if name in ("month_index", "as_of_index", "period", "as_of"):
                if name in ("period", "as_of"):
                    record[name] = month_label(row.get("month_index", row.get("as_of_index", 0)))
                continue
            if unit == "arr" and name == "arr":
                continue
            record[unit_name(name, unit)] = (
                format_money(value) if isinstance(value, Decimal) else value
            )
        records.append(record)
    return records


def quantity_records(result: GrowthResult) -> list[dict[str, Any]]:
    """Seat retention per product (the null product: all units summed), quantities exact."""
    if result.quantity is None:
        return []
    return [
        {
            name: (f"{value.normalize():f}" if isinstance(value, Decimal) else value)
            for name, value in row.items()
        }
        for row in result.quantity.to_pylist()
    ]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _money(value: Decimal | None) -> str:
    return "-" if value is None else display_money(value)


def _cents(value: Decimal | None) -> str:
    """A quotient (ARPA, LTV) to the cent for the screen; the JSON keeps its 6 places."""
    return "-" if value is None else display_money(value.quantize(_CENT))


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _month_cells(r: dict[str, Any]) -> list[str]:
    """A month's row as shown: month, MRR, net new, growth, quick ratio, the three churn
    rates, ARPA (the terminal and the report show the same)."""
    return [
        month_label(r["month_index"]),
        _money(r["closing_mrr"]),
        _money(r["net_new_mrr"]),
        _pct(r["mrr_growth_rate"]),
        _ratio(r["quick_ratio"]),
        _pct(r["customer_churn_rate"]),
        _pct(r["gross_mrr_churn_rate"]),
        _pct(r["net_mrr_churn_rate"]),
        _cents(r["arpa"]),
    ]


def _quantity_cells(r: dict[str, Any]) -> list[str]:
    """A seat-retention record as shown: product, customers, units, gross and net."""
    return [
        r["product"] if r["product"] is not None else "all products (units summed)",
        f"{r['customers']:,}",
        r["quantity_start"],
        r["quantity_end"],
        _pct(r["gross_quantity_retention"]),
        _pct(r["net_quantity_retention"]),
    ]


def _churn_cells(row: dict[str, Any]) -> list[list[str]]:
    """Each churn rate of a window: monthly, annualised, the cohort's, and its complement."""
    return [
        [
            label,
            _pct(row[stem]),
            _pct(row[f"{stem}_annualised"]),
            _pct(row[f"cohort_{stem}"]),
            f"1 - {rate_label} ({_pct(row[rate])})",
        ]
        for label, stem, rate_label, rate in CHURN_DEFINITIONS
    ]


def _headline(result: GrowthResult, row: dict[str, Any], console: Console) -> RenderableType:
    unit = result.unit.upper()
    k = result.window_months
    margin = result.gross_margin
    ltv = "-" if row["ltv"] is None else _cents(row["ltv"])
    if row["ltv"] is not None:
        high = "unbounded" if row["ltv_high"] is None else _cents(row["ltv_high"])
        ltv += f" ({result.level:.0%}: {_cents(row['ltv_low'])} to {high})"
    cmgr = row["compound_monthly_growth_rate"]
    new = row["new_customers"]
    rows = [
        [f"{unit} at {month_label(row['as_of_index'])}", _money(row["ending_mrr"])],
        *([["ARR (MRR x 12)", _money(row["arr"])]] if result.unit == "mrr" else []),
        [f"net new {unit}", _money(row["net_new_mrr"])],
        [f"{unit} growth (compounded per month)", f"{_pct(row['mrr_growth_rate'])} ({_pct(cmgr)})"],
        ["quick ratio", _ratio(row["quick_ratio"])],
        [f"ARPA ({unit} per paying customer)", _cents(row["arpa"])],
        [f"average new-customer {unit} ({new:,} new)", _cents(row["average_new_customer_mrr"])],
        [
            f"LTV at gross margin {margin}" if margin else "LTV",
            ltv if margin else "needs --gross-margin",
        ],
    ]
    columns = [Column("figure", "left"), Column("value")]
    title = f"Growth, {k} months to {month_label(row['as_of_index'])}"
    return fit_table(console, title, columns, rows)


def _churn_table(result: GrowthResult, row: dict[str, Any], console: Console) -> RenderableType:
    k = result.window_months
    columns = [
        Column("churn rate", "left"),
        Column("monthly"),
        Column("annualised"),
        Column(f"{k}-month cohort"),
        Column("= 1 - cohort rate", "left", drop=1),
    ]
    rows = _churn_cells(row)
    table = fit_table(
        console,
        f"Churn rates by definition, {k} months to {month_label(row['as_of_index'])}",
        columns,
        rows,
    )
    how = Text(
        f"monthly: the {k} months pooled (lost / at risk at each month's start); annualised: "
        f"1 - (1 - monthly)^12; cohort: the customers paying {k} months earlier, judged at "
        "the end (customers acquired inside the window are not in it)",
        style="dim",
    )
    return Group(table, how)


def _months_table(result: GrowthResult, console: Console) -> RenderableType:
    unit = result.unit.upper()
    rows = result.months.to_pylist()[-_TREND_MONTHS:]
    columns = [
        Column("month", "left"),
        Column(unit, drop=2),
        Column("net new"),
        Column("growth"),
        Column("quick", drop=3),
        Column("logo churn"),
        Column("gross churn"),
        Column("net churn", drop=4),
        Column("ARPA", drop=1),
    ]
    cells = [_month_cells(r) for r in rows]
    return fit_table(console, f"By month, last {len(rows)} months", columns, cells)


def _quantity_table(result: GrowthResult, console: Console) -> RenderableType:
    columns = [
        Column("product", "left"),
        Column("customers", drop=2),
        Column("units at start"),
        Column("units at end", drop=1),
        Column("gross"),
        Column("net"),
    ]
    cells = [_quantity_cells(r) for r in quantity_records(result)]
    k = result.window_months
    title = f"Seat (quantity) retention, {k} months to {month_label(result.as_of)}"
    return fit_table(console, title, columns, cells)


def render_growth(result: GrowthResult, console: Console) -> None:
    """The terminal view: the headline figures, churn by definition, the months, the notes."""
    parts: list[RenderableType] = [
        Text(f"{result.input.path}  months {result.input.months}", style="dim")
    ]
    row = result.latest()
    if row is None:
        parts.append(
            Text(
                f"The data is shorter than the {result.window_months}-month window: only the "
                "monthly figures are shown.",
                style="yellow",
            )
        )
    else:
        parts += [_headline(result, row, console), _churn_table(result, row, console)]
    if result.months.num_rows:
        parts.append(_months_table(result, console))
    if result.quantity is not None:
        parts.append(_quantity_table(result, console))
    if result.unit == "arr":
        parts.append(Text("unit: ARR = MRR x 12 (LTV and rates unchanged)", style="dim"))
    for name, note in result.notes.items():
        parts.append(Text(f"{name.replace('_', ' ')}: {note}", style="dim"))
    # The table is the only output: the input's warnings go with it (JSON has them in input).
    for warning in result.input.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    console.print(Group(*parts))


def growth_document(result: GrowthResult) -> Document:
    """The ``growth`` output: header ``input, window_months, unit, gross_margin, level,
    notes``; sections ``months``, ``windows`` and ``quantity``."""

    def render(console: Console) -> None:
        render_growth(result, console)

    unit = result.unit
    return Document(
        header={
            "input": result.input.to_dict(),
            "window_months": result.window_months,
            "unit": unit,
            "gross_margin": None if result.gross_margin is None else str(result.gross_margin),
            "level": result.level,
            "currency_basis": result.currency_basis,
            "notes": dict(result.notes),
        },
        sections=(
            Section(
                "months",
                growth_fields(MONTH_COLUMNS, unit),
                growth_records(result.months.to_pylist(), unit),
            ),
            Section(
                "windows",
                growth_fields(WINDOW_COLUMNS, unit),
                growth_records(result.windows.to_pylist(), unit),
            ),
            Section("quantity", QUANTITY_COLUMNS, quantity_records(result)),
        ),
        render=render,
    )


def growth_report(result: GrowthResult) -> dict[str, Any]:
    """The report's growth section: its tables as display text, and its notes.

    ``facts`` and ``churn`` are of the window ending at the last month (empty when the
    data is shorter), ``months`` the last twelve bridge months, ``quantity`` the seat
    retention (empty without quantities); every cell as the terminal shows it.
    """
    unit = result.unit.upper()
    k = result.window_months
    row = result.latest()
    facts: list[tuple[str, str]] = []
    churn: list[list[str]] = []
    if row is not None:
        facts = [
            (f"{unit} at {month_label(row['as_of_index'])}", _money(row["ending_mrr"])),
            *([("ARR (MRR x 12)", _money(row["arr"]))] if result.unit == "mrr" else []),
            (f"Net new {unit} over {k} months", _money(row["net_new_mrr"])),
            (f"{unit} growth over {k} months", _pct(row["mrr_growth_rate"])),
            ("Compounded monthly growth", _pct(row["compound_monthly_growth_rate"])),
            (
                "Quick ratio: (new + expansion + reactivation) / (churn + contraction)",
                _ratio(row["quick_ratio"]),
            ),
            (f"ARPA ({unit} per paying customer)", _cents(row["arpa"])),
            (
                f"Average new-customer {unit} ({row['new_customers']:,} new customers)",
                _cents(row["average_new_customer_mrr"]),
            ),
        ]
        churn = _churn_cells(row)
    months = [_month_cells(r) for r in result.months.to_pylist()[-_TREND_MONTHS:]]
    quantity = [_quantity_cells(r) for r in quantity_records(result)]
    return {
        "window": k,
        "as_of": month_label(result.as_of),
        "facts": facts,
        "churn_columns": ["Churn rate", "Monthly", "Annualised", f"{k}-month cohort", "Cohort"],
        "churn": churn,
        "month_columns": [
            "Month",
            unit,
            f"Net new {unit}",
            "Growth",
            "Quick ratio",
            "Customer churn",
            "Gross MRR churn",
            "Net MRR churn",
            "ARPA",
        ],
        "months": months,
        "quantity_columns": [
            "Product",
            "Customers",
            "Units at start",
            "Units at end",
            "Gross",
            "Net",
        ],
        "quantity": quantity,
        "notes": [
            f"{name.replace('_', ' ').capitalize()}: {reader_text(note)}"
            for name, note in result.notes.items()
            if name != "ltv"  # the report says why in its own words
        ],
    }


@register(GrowthResult)
class GrowthResultPresenter:
    """``GrowthResult`` on every channel: terminal, JSON, CSV and notebook tables; no chart."""

    def document(self, result: GrowthResult, **options: Any) -> Document:
        return growth_document(result)

    def html(self, result: GrowthResult) -> str:
        return document_html(growth_document(result))

    def chart(self, result: GrowthResult, **options: Any) -> Chart:
        return no_chart(result)

    def sheets(self, result: GrowthResult) -> Sequence[Sheet]:
        return ()
