"""Stripe dashboard exports: the subscriptions export and the invoice line items export.

Both are CSV files as the dashboard writes them (``Customer ID``, ``Created (UTC)``,
amounts in major units such as ``49.00``). This adapter only recognises them and says
which column plays which role; the billing rules (intervals, discounts, tax, one-off
items, trials, service periods) are applied in ``canonical.billing`` and listed in the
README. Header names are compared ignoring case, punctuation and a ``(UTC)`` suffix, so
``Plan Interval Count``, ``plan_interval_count`` and ``Interval Count`` all match.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ibis.backends import BaseBackend

from revenue_retention.errors import SourceError
from revenue_retention.inputs.files import CsvAdapter, header_of
from revenue_retention.inputs.registry import Raw, register
from revenue_retention.inputs.sniff import content_kind

__all__ = [
    "INVOICE_LINE_COLUMNS",
    "SUBSCRIPTION_COLUMNS",
    "StripeInvoiceLinesAdapter",
    "StripeSubscriptionsAdapter",
    "stripe_roles",
]

#: Role -> accepted Stripe column names (normalised), first match wins.
SUBSCRIPTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "customer"),
    "subscription_id": ("id", "subscription_id"),
    "status": ("status",),
    "start_date": ("start_date", "start", "created"),
    "end_date": ("ended_at",),
    "cancelled_at": ("canceled_at", "cancelled_at"),
    "trial_end": ("trial_end",),
    # Read only as an event (a renewal was billed): the latest one dates the export.
    "renewed_at": ("current_period_start",),
    "unit_price": ("plan_amount", "price_amount", "amount", "unit_amount"),
    "quantity": ("quantity",),
    "interval": ("plan_interval", "price_interval", "interval"),
    "interval_count": ("plan_interval_count", "price_interval_count", "interval_count"),
    "currency": ("plan_currency", "price_currency", "currency"),
    "percent_off": ("coupon_percent_off", "percent_off", "discount_percent_off"),
    "amount_off": ("coupon_amount_off", "amount_off", "discount_amount_off"),
    "coupon": ("coupon", "coupon_id", "discount"),
    "product": ("product", "product_name", "plan", "plan_name", "plan_id", "price_id"),
}
INVOICE_LINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "customer"),
    "invoice_date": ("invoice_date", "invoice_created", "date", "created"),
    "start_date": ("period_start", "line_item_period_start", "service_period_start"),
    "end_date": ("period_end", "line_item_period_end", "service_period_end"),
    # Tax-inclusive prices put tax in Amount; the amount excluding tax is then given too.
    "mrr": ("amount_excluding_tax", "amount", "line_item_amount"),
    "unit_price": ("unit_amount", "unit_amount_excluding_tax", "price_unit_amount"),
    "quantity": ("quantity",),
    "currency": ("currency",),
    "discount_amount": ("discount_amount", "discount_amounts", "total_discount_amount"),
    "line_type": ("type", "line_item_type", "source_type"),
    "proration": ("proration",),
    "invoice_status": ("invoice_status", "status"),
    "product": ("product", "product_name", "price_id", "plan_id", "plan", "description"),
}
#: How the exports are told apart from each other and from generic files: Stripe's own
#: column names (a generic invoice file says service_start, not period_start).
_SUBSCRIPTION_MARKS = ("plan_interval", "interval", "price_interval")


def _normalise(name: str) -> str:
    name = re.sub(r"\(utc\)", "", name.strip().lower())
    return re.sub(r"[^a-z0-9]+", "_", name).strip("_")


def stripe_roles(header: Sequence[str], columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Role -> the header's column for each role the export has.

    >>> stripe_roles(["Customer ID", "Plan Amount", "Created (UTC)"], SUBSCRIPTION_COLUMNS)
    {'customer_id': 'Customer ID', 'start_date': 'Created (UTC)', 'unit_price': 'Plan Amount'}
    """
    by_norm: dict[str, str] = {}
    for name in header:
        by_norm.setdefault(_normalise(name), name)
    roles: dict[str, str] = {}
    for role, names in columns.items():
        found = next((by_norm[n] for n in names if n in by_norm), None)
        if found is not None and found not in roles.values():
            roles[role] = found
    return roles


def _kind(header: Sequence[str]) -> str | None:
    names = {_normalise(h) for h in header}
    if "customer_id" not in names and "customer" not in names:
        return None
    amount = {"amount", "unit_amount", "amount_excluding_tax"} & names
    if {"period_start", "period_end"} <= names and amount:
        return "stripe-invoice-lines"
    if any(m in names for m in _SUBSCRIPTION_MARKS) and "status" in names:
        return "stripe-subscriptions"
    return None


class _StripeAdapter:
    """A CSV read as it is, with the roles of a Stripe export attached."""

    name = ""
    #: Looked at before the generic CSV adapter.
    specific = True
    columns: Mapping[str, tuple[str, ...]] = {}
    required: tuple[str, ...] = ()

    def detect(self, source: Path) -> bool:
        if source.suffix.lower() not in {".csv", ""} or content_kind(source) != "text":
            return False
        try:
            return _kind(header_of(source)) == self.name
        except SourceError:
            return False

    def read(self, source: Path, con: BaseBackend) -> Raw:
        raw = CsvAdapter().read(source, con)
        roles = stripe_roles(raw.columns, self.columns)
        missing = [r for r in self.required if r not in roles]
        if missing:
            wanted = "; ".join(f"{r}: {', '.join(self.columns[r])}" for r in missing)
            raise SourceError(
                raw.path,
                f"is not a complete {self.name} export: no column for {', '.join(missing)} "
                f"(accepted: {wanted}); columns found: {', '.join(raw.columns)}",
            )
        return dataclasses.replace(
            raw,
            adapter=self.name,
            roles=roles,
            layout="invoices" if self.name == "stripe-invoice-lines" else "periods",
        )


class StripeSubscriptionsAdapter(_StripeAdapter):
    """The dashboard's subscriptions export (Billing > Subscriptions > Export)."""

    name = "stripe-subscriptions"
    columns = SUBSCRIPTION_COLUMNS
    required = ("customer_id", "status", "start_date", "unit_price", "interval")


class StripeInvoiceLinesAdapter(_StripeAdapter):
    """The dashboard's invoice line items export (Billing > Invoices > Export line items)."""

    name = "stripe-invoice-lines"
    columns = INVOICE_LINE_COLUMNS
    required = ("customer_id", "start_date", "end_date", "mrr")


# Registered before the generic CSV adapter sees the file: a Stripe header is a CSV too.
register(StripeSubscriptionsAdapter())
register(StripeInvoiceLinesAdapter())
