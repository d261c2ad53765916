"""Validation as named stages: every row typed and, when bad, its first failing column and why.

Each stage is one check (or one step of reading values) that takes the ``Frame`` built so
far and returns it with its own columns or reasons added; ``validated`` folds ``STAGES``
over the shaped rows. The stages that add columns each add one projection that names
them, so the engine evaluates each pattern once per row instead of once per use.

A row is rejected for the first failing column in ``CHECK_ORDER`` (METRICS.md §1:
negative, unparseable or unknown-currency rows are rejected with a reason).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from revenue_retention.canonical import billing, fx
from revenue_retention.canonical.columns import ColumnMap, id_columns
from revenue_retention.canonical.grouped import ID
from revenue_retention.canonical.layouts import Layout, layout_of
from revenue_retention.canonical.layouts.base import amount_role
from revenue_retention.canonical.observed import observed_date
from revenue_retention.canonical.parse import (
    MAX_INTEGER_DIGITS,
    PARSED,
    amount_syntax_reason,
    amount_value,
    date_reason,
    date_text,
    date_value,
    display_amount,
    is_blank,
    negative_reason,
    text_of,
    typed_amount,
    typed_date,
    typed_date_reason,
)
from revenue_retention.canonical.readings import Readings
from revenue_retention.engine import LINE_COLUMN
from revenue_retention.errors import RejectReason
from revenue_retention.money import MONEY

__all__ = [
    "AMOUNTS",
    "CHECK_ORDER",
    "DATES",
    "ID_PREFIX",
    "STAGES",
    "Frame",
    "amount_column",
    "amount_role",
    "validated",
]

DATES = ("month", "start_date", "end_date", "invoice_date", "trial_end", "cancelled_at")
AMOUNTS = ("mrr", "quantity", "unit_price")
#: The order in which failures are reported: the first one of a row is its reason.
CHECK_ORDER = (
    "customer_id",
    "month",
    "invoice_date",
    "start_date",
    "end_date",
    "mrr",
    "quantity",
    "unit_price",
    "amount_off",
    "percent_off",
    "discount_amount",
    "interval",
    "trial_end",
    "cancelled_at",
    "currency",
)
#: Prefix of the id columns a row carries for the repeated-rows check only.
ID_PREFIX = "_rr_id_"

_PRODUCT = dt.Decimal(38, 12)
_NO_TEXT = ibis.null("string")


@dataclass(frozen=True)
class Frame:
    """The rows being validated and what the stages so far have found.

    ``table`` is the source (``source``) with the stages' named columns; ``reasons`` the
    reason expression of each role, in reporting order, once the values are checked
    (``checked``); ``amount`` the row's amount, ``recurring`` the part of it that is
    recurring revenue and ``excluded`` why a valid row carries none (billing rules).
    """

    source: ir.Table
    cmap: ColumnMap
    read: Readings
    layout: Layout
    table: ir.Table
    typed_dates: Mapping[str, ir.DateValue] = field(default_factory=dict)
    typed_amounts: Mapping[str, tuple[ir.DecimalValue, ir.StringValue]] = field(
        default_factory=dict
    )
    codes: Mapping[str, ir.Value] = field(default_factory=dict)
    reasons: Mapping[str, ir.Value] = field(default_factory=dict)
    amount: ir.Value | None = None
    recurring: ir.Value | None = None
    excluded: ir.Value = _NO_TEXT
    rules: billing.Billing | None = None
    interval: billing.Interval | None = None

    @classmethod
    def start(cls, t: ir.Table, cmap: ColumnMap, read: Readings) -> Frame:
        """The frame before any stage: the shaped rows as they are."""
        return cls(source=t, cmap=cmap, read=read, layout=layout_of(cmap.layout), table=t)

    @property
    def col(self) -> dict[str, ir.Column]:
        """Each role's source column."""
        return {role: self.source[name] for role, name in self.cmap.roles.items()}

    @property
    def dates(self) -> list[str]:
        return [r for r in DATES if r in self.cmap.roles]

    @property
    def amounts(self) -> list[str]:
        return [r for r in AMOUNTS if r in self.cmap.roles]

    @property
    def date_values(self) -> dict[str, ir.Value]:
        """Each date role's read value (``_v_``), once ``parsed`` has run."""
        return {r: self.table[f"_v_{r}"] for r in self.dates}

    @property
    def as_text(self) -> list[str]:
        """The date and amount roles read from text (the others are typed as they are)."""
        typed = {*self.typed_dates, *self.typed_amounts}
        return [r for r in (*self.dates, *self.amounts) if r not in typed]

    @property
    def text_dates(self) -> list[str]:
        return [r for r in self.dates if r not in self.typed_dates]

    @property
    def text_amounts(self) -> list[str]:
        return [r for r in self.amounts if r not in self.typed_amounts]


Stage = Callable[[Frame], Frame]


def typed_columns(f: Frame) -> Frame:
    """Typed columns (dates, integers, decimals) are validated as they are; others as text.

    A cube's display-format cells and an export's rules are read as text.
    """
    if not f.layout.reads_typed or f.cmap.rules:
        return f
    col = f.col
    return replace(
        f,
        typed_dates={r: v for r in f.dates if (v := typed_date(col[r])) is not None},
        typed_amounts={r: v for r in f.amounts if (v := typed_amount(col[r])) is not None},
    )


def texts(f: Frame) -> Frame:
    """The text of each value read as text (``_t_``), display amounts read (``_amb_``)."""
    col = f.col
    found = {f"_t_{r}": text_of(col[r]) for r in f.as_text}
    if f.cmap.rules == billing.SUBSCRIPTIONS and "quantity" in col:
        found["_t_quantity"] = ibis.coalesce(found["_t_quantity"], ibis.literal("1"))
    ambiguous: dict[str, ir.Value] = {}
    if f.read.display:
        # Amounts in a spreadsheet's display format ($1,234.50), as a cube's cells are.
        for r in f.text_amounts:
            found[f"_t_{r}"], ambiguous[f"_amb_{r}"] = display_amount(
                found[f"_t_{r}"], f.read.style
            )
    return replace(f, table=f.table.mutate(**found).mutate(**ambiguous))


def date_texts(f: Frame) -> Frame:
    """Each text date in a form ``date_value`` reads (``_d_``)."""
    t = f.table
    return replace(f, table=t.mutate(**{f"_d_{r}": date_text(t[f"_t_{r}"]) for r in f.text_dates}))


def parsed(f: Frame) -> Frame:
    """Text dates read (``_v_``), amount syntax checked (``_r_``), typed values kept."""
    t, read = f.table, f.read
    syntax = {r: amount_syntax_reason(t[f"_t_{r}"]) for r in f.text_amounts}
    for r in (a for a in f.text_amounts if f"_amb_{a}" in t.columns):
        syntax[r] = ibis.ifelse(
            t[f"_amb_{r}"].fill_null(False), RejectReason.AMBIGUOUS_AMOUNT.value, syntax[r]
        )
    table = t.mutate(
        **{
            f"_v_{r}": date_value(t[f"_d_{r}"], read.order, other_forms=read.other_dates)
            for r in f.text_dates
        },
        **{f"_r_{r}": reason for r, reason in syntax.items()},
        **{f"_v_{r}": value for r, value in f.typed_dates.items()},
        **{f"_v_{r}": value for r, (value, _) in f.typed_amounts.items()},
        **{f"_r_{r}": reason for r, (_, reason) in f.typed_amounts.items()},
    )
    return replace(f, table=table)


def valued(f: Frame) -> Frame:
    """Text amounts read (``_v_``); dates checked (``_r_``); a customer id is required."""
    t, read = f.table, f.read
    table = t.mutate(
        **{f"_v_{r}": amount_value(t[f"_t_{r}"], t[f"_r_{r}"]) for r in f.text_amounts},
        **{
            f"_r_{r}": date_reason(
                t[f"_d_{r}"],
                t[f"_v_{r}"],
                required=f.layout.date_required(r),
                order=read.order,
                other_forms=read.other_dates,
            )
            for r in f.text_dates
        },
        **{
            f"_r_{r}": typed_date_reason(t[f"_v_{r}"], required=f.layout.date_required(r))
            for r in f.typed_dates
        },
        _r_customer_id=ibis.ifelse(
            is_blank(f.col["customer_id"]), RejectReason.MISSING_CUSTOMER_ID.value, _NO_TEXT
        ),
    )
    return replace(f, table=table)


def currency(f: Frame) -> Frame:
    """Each row's currency code (``_v_currency``): a three-letter code, required when named.

    From the currency column, or without one from what each amount names
    (``canonical.currency``); neither: no currency column at all.
    """
    col = f.col
    if "currency" in col:
        code = fx.currency_text(col["currency"])
        reason = ibis.cases(
            (code.isnull(), RejectReason.MISSING_CURRENCY.value),
            (~code.re_search(r"^[A-Z]{3}$"), RejectReason.INVALID_CURRENCY.value),
            else_=_NO_TEXT,
        )
    elif f.read.currency is not None:
        code = f.read.currency.row_code(col[amount_role(f.cmap)])
        reason = ibis.ifelse(code.isnull(), RejectReason.MISSING_CURRENCY.value, _NO_TEXT)
    else:
        return f
    return replace(f, codes={"_v_currency": code, "_r_currency": reason})


def checked(f: Frame) -> Frame:
    """Negative amounts rejected; the reasons so far gathered in reporting order."""
    t = f.table
    table = t.mutate(
        **{f"_r_{r}": negative_reason(t[f"_v_{r}"], t[f"_r_{r}"]) for r in f.amounts},
        **f.codes,
    )
    reasons = {r: table[f"_r_{r}"] for r in CHECK_ORDER if f"_r_{r}" in table.columns}
    amount = table["_v_mrr"] if "mrr" in f.cmap.roles else None
    return replace(f, table=table, reasons=reasons, amount=amount, recurring=amount)


def product_amount(f: Frame) -> Frame:
    """Line items without an amount: quantity x unit price, exact and not too large.

    Six-place factors multiply at scale 12 (up to 10^24, inside 38 digits); the product
    must be exact at the money scale and as small as any other amount. One factor at 18
    digits keeps the product's type within 38 digits at scale 12 on every engine (Spark
    would otherwise round it to scale 6 to fit).
    """
    if f.amount is not None:
        return f
    t = f.table
    product = (t._v_quantity * t._v_unit_price.cast(PARSED)).cast(_PRODUCT)
    amount = product.cast(MONEY)
    exact = (amount.cast(_PRODUCT) == product).fill_null(True)
    small = (product < 10**MAX_INTEGER_DIGITS).fill_null(True)
    reason = ibis.cases(
        (~small, RejectReason.AMOUNT_TOO_LARGE.value),
        (~exact, RejectReason.TOO_MANY_DECIMALS.value),
        else_=_NO_TEXT,
    )
    reasons = dict(f.reasons)
    reasons["unit_price"] = ibis.coalesce(reasons["unit_price"], reason)
    return replace(f, reasons=reasons, amount=amount, recurring=amount)


def layout_reasons(f: Frame) -> Frame:
    """The layout's own checks (``Layout.extra_reasons``: a period ending before its start)."""
    extra = f.layout.extra_reasons(f.table, f.cmap)
    if not extra:
        return f
    reasons = dict(f.reasons)
    for role, reason in extra.items():
        reasons[role] = ibis.coalesce(reasons[role], reason) if role in reasons else reason
    return replace(f, reasons=reasons)


def billing_rules(f: Frame) -> Frame:
    """An export's billing rules: their own reasons, rows excluded, the recurring amount."""
    if not f.cmap.rules:
        return f
    rules = billing.Billing(f.cmap.rules, f.col, f.date_values, _renewal(f))
    extra = rules.extra_reasons()
    reasons: dict[str, Any] = {
        r: extra.get(r, f.reasons.get(r)) for r in CHECK_ORDER if r in f.reasons or r in extra
    }
    excluded = rules.excluded()
    # A credit line (a proration, a refund of a one-off fee) is negative and excluded
    # anyway: only recurring revenue must not be negative.
    negative = RejectReason.NEGATIVE_AMOUNT.value
    for role in ("mrr", "unit_price"):
        if role in reasons:
            reasons[role] = ibis.ifelse(
                excluded.notnull() & (reasons[role] == negative).fill_null(False),
                _NO_TEXT,
                reasons[role],
            )
    zero = ibis.literal(Decimal(0), type=MONEY)
    assert f.amount is not None
    recurring = ibis.ifelse(excluded.notnull(), zero, rules.recurring(f.amount))
    return replace(f, reasons=reasons, excluded=excluded, recurring=recurring, rules=rules)


def billing_interval(f: Frame) -> Frame:
    """A billing interval column: read, and an amount per interval made monthly."""
    if f.cmap.interval_use not in ("monthly", "spread"):
        return f
    interval = billing.Interval(f.col)
    reasons = dict(f.reasons)
    reasons["interval"] = interval.reason()
    recurring = f.recurring
    if f.cmap.interval_use == "monthly":  # a subscription's amount per interval
        recurring = interval.monthly(f.amount)
    return replace(f, reasons=reasons, recurring=recurring, interval=interval)


def verdict(f: Frame) -> Frame:
    """The amount, the recurring amount, why excluded, and each role's reason, named."""
    table = f.table.mutate(
        _amount=f.amount,
        _recurring=f.recurring,
        _excluded=f.excluded,
        **{f"_why_{r}": reason for r, reason in f.reasons.items()},
    )
    return replace(f, table=table)


#: The stages in order; ``validated`` folds them, ``selected`` gives the result.
STAGES: tuple[Stage, ...] = (
    typed_columns,
    texts,
    date_texts,
    parsed,
    valued,
    currency,
    checked,
    product_amount,
    layout_reasons,
    billing_rules,
    billing_interval,
    verdict,
)


def validated(t: ir.Table, cmap: ColumnMap, read: Readings) -> ir.Table:
    """Every row with its typed values and, when bad, the first failing column and why.

    Defines: negative MRR, unparseable amounts or dates, unknown currencies rejected with a
    reason (METRICS.md §1): each check is one of ``STAGES``, run in order.
    """
    f = Frame.start(t, cmap, read)
    for stage in STAGES:
        f = stage(f)
    return selected(f)


def selected(f: Frame) -> ir.Table:
    """The validated rows: typed values, attributes, and the ``_rr_`` columns of the verdict."""
    v, col = f.table, f.col
    failing = [(v[f"_why_{r}"].notnull(), r) for r in f.reasons]
    source_role = {r: _source_role(f.cmap, r) for r in f.reasons}
    return v.select(
        _rr_line=v[LINE_COLUMN],
        **typed_values(f),
        mrr=v._recurring,
        **_extras(f),
        _rr_reason=ibis.coalesce(*[v[f"_why_{r}"] for r in f.reasons]),
        _rr_bad_column=ibis.cases(
            *[(c, f.layout.column_named(v, f.cmap, source_role[r])) for c, r in failing],
            else_=_NO_TEXT,
        ),
        _rr_bad_value=ibis.cases(
            *[(c, v[f.cmap.roles[source_role[r]]].cast("string")) for c, r in failing],
            else_=_NO_TEXT,
        ),
        _rr_amount=v._amount,
        **({"_rr_excluded": v._excluded} if f.rules is not None else {}),
        **(_id_values(v, f.cmap, f.source.columns) if f.layout.id_columns() else {}),
        **_observed(f),
        # Integer ids as the engine holds them: grouping by them is cheaper than by their
        # text, which the canonical table gets after grouping (the same ids, one to one).
        **({ID: col["customer_id"]} if col["customer_id"].type().is_integer() else {}),
    )


def typed_values(f: Frame) -> dict[str, ir.Value]:
    """The typed customer id, dates and amounts (``mrr`` apart: it is the recurring amount)."""
    v, cmap = f.table, f.cmap
    typed: dict[str, ir.Value] = {
        "customer_id": f.col["customer_id"].cast("string"),
        **{r: v[f"_v_{r}"] for r in (*f.dates, *f.amounts) if r != "mrr"},
    }
    typed.update(f.layout.period_values(v, cmap, f.rules, f.date_values))
    if f.interval is not None and cmap.interval_use == "spread":
        # An amount dated by itself pays for one interval from its date.
        typed["end_date"] = f.interval.period_end(v._v_start_date)
    return typed


def _extras(f: Frame) -> dict[str, ir.Value]:
    """Attributes, the product and the currency, as text."""
    col = f.col
    extras = {name: f.source[f.cmap.source_of(name)].cast("string") for name in f.cmap.attributes}
    if "product" in col:
        extras["product"] = col["product"].cast("string")
    if "_v_currency" in f.table.columns:
        extras["currency"] = f.table._v_currency
    return extras


def _observed(f: Frame) -> dict[str, ir.Value]:
    """Of a dated row, the latest date it records as having happened (``canonical.observed``).

    A renewal date is only an event that dates the export: read when it can be, never a
    reason to reject the row.
    """
    if not f.layout.dated:
        return {}
    renewal = _renewal(f)
    renewals = [renewal] if renewal is not None else []
    return {"_rr_observed": observed_date(f.table, f.cmap, f.table._v_start_date, *renewals)}


def _renewal(f: Frame) -> ir.DateValue | None:
    """The row's latest renewal (Stripe's ``Current Period Start``) where it can be read:
    only an event, never a reason to reject the row."""
    if "renewed_at" not in f.col:
        return None
    text = date_text(text_of(f.col["renewed_at"]))
    return date_value(text, f.read.order, other_forms=f.read.other_dates)


def _id_values(rows: ir.Table, cmap: ColumnMap, header: Sequence[str]) -> dict[str, ir.Value]:
    """The row's subscription, invoice or line ids: rows differing in one are not repeats.

    ``header``: the source's columns (``rows`` holds the validation's own columns too).
    """
    names = id_columns([c for c in header if c != LINE_COLUMN], cmap)
    return {f"{ID_PREFIX}{i}": rows[name].cast("string") for i, name in enumerate(names)}


def amount_column(cmap: ColumnMap) -> str:
    """The amount's column as the file names it (a cube's: its month columns)."""
    return layout_of(cmap.layout).amount_column(cmap)


def _source_role(cmap: ColumnMap, role: str) -> str:
    """The role whose column a failure is named by: a currency no column gives is the amount's."""
    return amount_role(cmap) if role == "currency" and role not in cmap.roles else role
