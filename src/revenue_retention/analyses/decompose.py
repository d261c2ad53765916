"""Price, volume and cross-sell: what a retention window's MRR change is made of (METRICS.md §6)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.analyses._result import Result
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.defaults import WINDOW_MONTHS
from revenue_retention.engine import materialize
from revenue_retention.errors import InputError, OptionError
from revenue_retention.metrics import cohort_pairs
from revenue_retention.metrics.price_volume import (
    COMPONENTS,
    CUSTOMER_CLASSES,
    EFFECT,
    EFFECT_FIELDS,
    ITEM_CLASSES,
    component_sums,
    customer_effects,
    decomposition_totals,
    line_item_effects,
)
from revenue_retention.money import MONEY, format_money, zero
from revenue_retention.periods import (
    MonthRange,
    as_of_month,
    check_window,
    month_index_of,
    month_label,
    parse_month,
)

__all__ = [
    "CUSTOMER_CLASSES",
    "DEFAULT_WINDOW_MONTHS",
    "EFFECT",
    "ITEM_CLASSES",
    "LINE_ITEM_COLUMNS",
    "DecomposeResult",
    "DecomposeTotals",
    "compute_decomposition",
]

#: The columns a decomposition needs besides ``customer_id`` and ``month``.
LINE_ITEM_COLUMNS = ("product", "quantity", "unit_price")
DEFAULT_WINDOW_MONTHS = WINDOW_MONTHS
#: A line's quantity x unit price: two 6-place decimals multiply exactly at 12 places.
_LINE = dt.Decimal(precision=38, scale=12)
_EXAMPLES = 3


@dataclass(frozen=True)
class DecomposeTotals:
    """The window's totals: §3 figures and their §6 components (all money exact).

    The §3 movements are per-customer nets (a customer whose MRR rose counts its whole
    rise as ``expansion``); the §6 components are per product, before netting inside a
    customer. Both describe the same change of MRR::

        E - S = expansion - contraction - churn                              (§3)
              = volume_expansion + price_increase + cross_sell
                - volume_contraction - price_decrease - product_churn - churn   (§6)

    so ``gross_expansion - gross_contraction = expansion - contraction``; each gross
    figure exceeds its §3 counterpart by the offsets inside customers (a customer adding
    a product while cutting seats). ``churn`` is the same in both.
    """

    customers: int
    retained_customers: int
    starting_mrr: Decimal
    ending_mrr: Decimal
    expansion: Decimal
    contraction: Decimal
    churn: Decimal
    volume_expansion: Decimal
    price_increase: Decimal
    cross_sell: Decimal
    volume_contraction: Decimal
    price_decrease: Decimal
    product_churn: Decimal
    grr: float | None
    nrr: float | None
    nrr_excluding_price: float | None
    price_share_of_expansion: float | None

    @property
    def gross_expansion(self) -> Decimal:
        """Volume expansion + price increase + cross-sell (§6)."""
        return self.volume_expansion + self.price_increase + self.cross_sell

    @property
    def gross_contraction(self) -> Decimal:
        """Volume contraction + price decrease + product churn (churn apart)."""
        return self.volume_contraction + self.price_decrease + self.product_churn

    @property
    def net_change(self) -> Decimal:
        """E - S."""
        return self.ending_mrr - self.starting_mrr


@dataclass(frozen=True, repr=False)
class DecomposeResult(Result):
    """A decomposition, executed: totals and small Arrow tables of exact decimals.

    ``items`` has one row per cohort customer and product held at the start or the end;
    ``customers`` one row per cohort customer; ``products`` one per product;
    ``movements`` one per customer class of §3, splitting each §3 movement into its
    components.
    """

    input: InputReport
    as_of: int
    window_months: int
    method: str
    totals: DecomposeTotals
    movements: pa.Table
    products: pa.Table
    customers: pa.Table
    items: pa.Table

    @property
    def start(self) -> int:
        """The month whose paying customers form the cohort: as-of minus the window."""
        return self.as_of - self.window_months


def compute_decomposition(
    data: Dataset,
    *,
    as_of: str | datetime.date | None = None,
    window_months: int = DEFAULT_WINDOW_MONTHS,
) -> DecomposeResult:
    """Split the MRR change of a retention window into volume, price, cross-sell and churn.

    The cohort is every customer paying at ``as_of - window_months`` (cohort method,
    METRICS.md §3). For each cohort customer and product with quantity q and unit price
    p at the start (0) and the end (1) (§6):

    - held at both ends: volume effect = (q1 - q0) * (p0 + p1) / 2 and price effect =
      (p1 - p0) * (q0 + q1) / 2, so volume + price = q1 p1 - q0 p0 exactly;
    - held only at the end: cross-sell = q1 p1;
    - held only at the start: q0 p0 is product churn (a contraction), or churn when the
      customer pays nothing at the end.

    A product is *held* in a month when its MRR there is > 0 (as a customer is *paying*,
    §1): lines with a zero quantity or price carry nothing. Lines of one product in one
    customer-month are summed, and must share one unit price: an average price would
    not be exact, and seats bought at two prices are two price points, not a price
    change. Positive effects are ``volume_expansion`` and ``price_increase``, negative
    ones ``volume_contraction`` and ``price_decrease`` (reported as amounts >= 0).
    NRR excluding price increases = (E - price_increase) / S (§6), never above NRR.

    Parameters
    ----------
    data
        A dataset loaded from a long-layout line-item file: ``customer_id, month,
        product, quantity, unit_price`` (an ``mrr`` column, if any, must equal quantity x
        unit price on every line used).
    as_of
        Last month of the window, ``"YYYY-MM"`` or a date; default the data's last month
        analysed.
    window_months
        Length of the window in months (default 12).

    Returns
    -------
    DecomposeResult

    Raises
    ------
    InputError
        No product, quantity or unit price columns; subscription periods; a line whose
        MRR is not quantity x unit price; a line with MRR but no product; several unit
        prices for one customer, month and product.
    OptionError
        A window outside 1-120 months, or an as-of month outside the data or too early
        for the window.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from revenue_retention.canonical import load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lines.csv"
    >>> _ = path.write_text("customer_id,month,product,quantity,unit_price\\n"
    ...                     "a,2024-01,seats,10,20\\na,2025-01,seats,12,21\\n"
    ...                     "a,2025-01,support,1,50\\n")
    >>> result = compute_decomposition(load(path), window_months=12)
    >>> t = result.totals
    >>> str(t.volume_expansion), str(t.price_increase), str(t.cross_sell)
    ('41.0000000000000', '11.0000000000000', '50.000000')
    >>> t.nrr, t.nrr_excluding_price
    (1.51, 1.455)
    """
    _require_line_items(data)
    months = _window(data, window_months, as_of_month(as_of))
    start, end = months.first, months.last
    con = data.con
    pairs_all = cohort_pairs(data.table, months, windows=[window_months])
    pairs = materialize(
        con,
        pairs_all.filter(pairs_all.as_of == end).select("customer_id", "a", "b"),
        "decompose_cohort",
    )
    lines = materialize(con, _cohort_lines(data, pairs, start, end), "decompose_lines")
    _check_lines(lines, data.report.path)
    items = materialize(con, line_item_effects(lines, pairs, start, end), "decompose_items")
    customers = materialize(con, customer_effects(items, pairs), "decompose_customers")

    totals = _totals(customers)
    _check_identities(totals)
    return DecomposeResult(
        input=data.report,
        as_of=end,
        window_months=window_months,
        method="cohort",
        totals=totals,
        movements=_movements(customers),
        products=con.to_pyarrow(_products(items)),
        customers=con.to_pyarrow(customers.drop("inexact_items").order_by("customer_id")),
        items=con.to_pyarrow(items.order_by("customer_id", "product")),
    )


def _require_line_items(data: Dataset) -> None:
    report = data.report
    if report.layout != "long":
        raise InputError(
            f"{report.path}: decompose needs line items in the long layout (customer_id, "
            f"month, product, quantity, unit_price), not {report.layout}"
        )
    missing = [role for role in LINE_ITEM_COLUMNS if role not in report.columns]
    if missing:
        raise InputError(
            f"{report.path}: decompose needs line items with the columns product, quantity "
            f"and unit_price (MRR of a line = quantity x unit_price); no column for "
            f"{', '.join(missing)}. Columns read: {', '.join(report.columns.values())}. "
            f"Name them with --column ROLE=COLUMN, e.g. --column unit_price=list_price."
        )


def _window(data: Dataset, window_months: int, as_of: str | int | None) -> MonthRange:
    """The window's first (cohort) month and last (as-of) month, checked against the data."""
    check_window(window_months)
    end = data.months.last if as_of is None else as_of
    if isinstance(end, str):
        end = parse_month(end)
    if not data.months.first <= end <= data.months.last:
        raise OptionError("as_of", month_label(end), f"is outside the data ({data.months})")
    start = end - window_months
    if start < data.months.first:
        raise OptionError(
            "window_months",
            window_months,
            f"needs data from {month_label(start)} to end at {month_label(end)}; the data "
            f"starts at {month_label(data.months.first)}: pick a shorter window or a later "
            "{as_of}",
        )
    return MonthRange(start, end)


def _cohort_lines(data: Dataset, pairs: ir.Table, start: int, end: int) -> ir.Table:
    """The line items of cohort customers in the window's first and last month."""
    li = data.line_items
    lines = li.select(
        "customer_id",
        month_index=month_index_of(li.month),
        product=li.product,
        quantity=li.quantity.cast(MONEY),
        unit_price=li.unit_price.cast(MONEY),
        mrr=li.mrr.cast(MONEY),
    )
    lines = lines.filter(lines.month_index.isin([start, end]))
    return lines.semi_join(pairs, "customer_id")


def _examples(table: ir.Table, order: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.order_by(order).limit(_EXAMPLES).to_pyarrow().to_pylist()
    return rows


def _where(row: dict[str, Any]) -> str:
    return f"customer {row['customer_id']}, {month_label(row['month_index'])}"


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _check_lines(lines: ir.Table, path: str) -> None:
    """Reject data the decomposition cannot split exactly, naming the first offenders.

    One query counts the three problems; the examples are fetched only when there is one.
    """
    line_mrr = (lines.quantity * lines.unit_price).cast(_LINE)
    flagged = lines.mutate(
        _inconsistent=line_mrr != lines.mrr.cast(_LINE),
        _unnamed=(lines.mrr > 0) & (lines.product.isnull() | (lines.product.strip() == "")),
    )
    per = flagged.group_by("customer_id", "month_index", "product").agg(
        inconsistent=flagged._inconsistent.sum(),
        unnamed=flagged._unnamed.sum(),
        prices=flagged.unit_price.nunique(where=flagged.mrr > 0),
        low=flagged.unit_price.min(where=flagged.mrr > 0),
        high=flagged.unit_price.max(where=flagged.mrr > 0),
    )
    counts = (
        per.aggregate(
            inconsistent=per.inconsistent.sum(),
            unnamed=per.unnamed.sum(),
            several=(per.prices > 1).sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    order = ["customer_id", "month_index", "product"]
    if counts["inconsistent"]:
        shown = "; ".join(
            f"{_where(r)}, product {r['product']}: {_amount(r['quantity'])} x "
            f"{format_money(r['unit_price'])} but mrr {format_money(r['mrr'])}"
            for r in _examples(flagged.filter(flagged._inconsistent), order)
        )
        raise InputError(
            f"{path}: {counts['inconsistent']} line items have an MRR that is not quantity x "
            f"unit_price (e.g. {shown}). decompose splits MRR into quantity and price, so "
            "every line's MRR must equal quantity x unit_price: fix or drop the mrr column."
        )
    if counts["unnamed"]:
        shown = "; ".join(_where(r) for r in _examples(flagged.filter(flagged._unnamed), order))
        raise InputError(
            f"{path}: {counts['unnamed']} line items with MRR have no product (e.g. {shown}); "
            "decompose needs the product of every line."
        )
    if counts["several"]:
        shown = "; ".join(
            f"{_where(r)}, product {r['product']}: {r['prices']} prices from "
            f"{format_money(r['low'])} to {format_money(r['high'])}"
            for r in _examples(per.filter(per.prices > 1), order)
        )
        raise InputError(
            f"{path}: {counts['several']} customer-month-products have several unit prices "
            f"(e.g. {shown}). decompose needs one unit price per customer, month and "
            "product, so that quantity x price stays exact: give each price point its own "
            "product name (e.g. seats@30.00) or bill the product at one price."
        )


def _totals(customers: ir.Table) -> DecomposeTotals:
    row = customers.aggregate(**decomposition_totals(customers)).to_pyarrow().to_pylist()[0]
    if row["inexact_items"] or row["inexact_customers"]:
        raise AssertionError(
            f"decomposition not exact: {row['inexact_items']} customer-products, "
            f"{row['inexact_customers']} customers"
        )
    money = {k: row[k] if row[k] is not None else Decimal(0) for k in row if _is_money(k)}
    if money["churn_s3"] != money["churn"]:  # same customers, same a: a bug if not
        raise AssertionError(f"churn {money['churn']} != §3 churn {money['churn_s3']}")
    return DecomposeTotals(
        customers=row["customers"],
        retained_customers=row["retained_customers"] or 0,
        starting_mrr=money["starting_mrr"],
        ending_mrr=money["ending_mrr"],
        expansion=money["expansion"],
        contraction=money["contraction"],
        churn=money["churn"],
        **{name: money[name] for name in COMPONENTS if name != "churn"},
        grr=row["grr"],
        nrr=row["nrr"],
        nrr_excluding_price=row["nrr_excluding_price"],
        price_share_of_expansion=row["price_share_of_expansion"],
    )


def _is_money(name: str) -> bool:
    return name not in (
        "customers",
        "retained_customers",
        "grr",
        "nrr",
        "nrr_excluding_price",
        "price_share_of_expansion",
        "inexact_items",
        "inexact_customers",
    )


def _check_identities(t: DecomposeTotals) -> None:
    """§3 and §6 describe the same E - S, exactly: a failure is a bug, not a data problem."""
    if t.gross_expansion - t.gross_contraction - t.churn != t.net_change:
        raise AssertionError(f"§6 components do not add up to E - S: {t}")
    if t.expansion - t.contraction - t.churn != t.net_change:
        raise AssertionError(f"§3 movements do not add up to E - S: {t}")


def _movements(customers: ir.Table) -> pa.Table:
    """Each §3 movement (customer class) split into its §6 components, every class present."""
    c = customers
    grouped = c.group_by("customer_class").agg(
        customers=c.count(),
        starting_mrr=c.starting_mrr.sum().cast(MONEY),
        ending_mrr=c.ending_mrr.sum().cast(MONEY),
        **{
            name: c[name].sum().cast(EFFECT if name in EFFECT_FIELDS else MONEY)
            for name in (*COMPONENTS, "volume_effect", "price_effect", "change")
        },
    )
    found = {r["customer_class"]: r for r in grouped.to_pyarrow().to_pylist()}
    columns = [f.name for f in grouped.schema().to_pyarrow()]
    empty = {name: Decimal(0) for name in columns} | {"customers": 0}
    rows = [found.get(k, empty | {"customer_class": k}) for k in CUSTOMER_CLASSES]
    return pa.Table.from_pylist(rows, schema=grouped.schema().to_pyarrow())


def _products(items: ir.Table) -> ir.Table:
    """One row per product: holders, MRR at both ends and the component sums."""
    return (
        items.group_by("product")
        .agg(
            customers_start=items.q0.notnull().sum(),
            customers_end=items.q1.notnull().sum(),
            quantity_start=items.q0.sum().cast(MONEY).fill_null(zero()),
            quantity_end=items.q1.sum().cast(MONEY).fill_null(zero()),
            starting_mrr=items.starting_mrr.sum().cast(MONEY),
            ending_mrr=items.ending_mrr.sum().cast(MONEY),
            **component_sums(items),
        )
        .order_by("product")
    )
