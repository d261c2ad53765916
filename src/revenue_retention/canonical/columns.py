"""Column roles, their accepted header names, and how a header is mapped onto them.

Two layouts are recognised from the header (METRICS.md §1):

- ``long``: one row per customer, month and (optionally) line item: ``customer_id, month, mrr``;
- ``periods``: subscription periods: ``customer_id, start_date, end_date, mrr``;
- ``invoices``: invoice lines with service periods: ``customer_id, service_start,
  service_end, amount [, invoice_date]``, each amount spread over the months it covers;
- ``wide``: a revenue cube, one row per customer and one column per month
  (``customer_id, 2024-01, 2024-02, ...``), unpivoted by ``canonical.wide``.

Any other column is kept as a customer attribute (segment, plan, region ...), except the
line-item columns ``product``, ``quantity`` and ``unit_price``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from revenue_retention.canonical.headers import candidates, closest, normalise, suggest_column
from revenue_retention.errors import MissingColumnError, OptionError, SourceError

__all__ = [
    "ALIASES",
    "LINE_ITEM_ROLES",
    "RESERVED",
    "ColumnMap",
    "IntervalUse",
    "Layout",
    "id_columns",
    "inferred_roles",
    "map_columns",
    "names_an_event",
    "names_monthly",
    "names_not_monthly",
    "parse_column_options",
    "preset_columns",
]

Layout = Literal["long", "periods", "wide", "invoices"]

_SERVICE_START = (
    "service_start",
    "service_start_date",
    "service_period_start",
    "service_from",
    "billing_period_start",
    "line_item_date_from",
    "date_from",
)
#: End-date names that record an event (the subscription ended, was cancelled), as
#: opposed to ``end_date`` or ``service_end``, which may be scheduled.
_EVENT_END_NAMES = (
    "ended_at",
    "ended_on",
    "canceled_at",
    "cancelled_at",
    "canceled_on",
    "cancelled_on",
    "cancel_date",
    "cancellation_date",
    "churn_date",
    "churned_at",
)
_SERVICE_END = (
    "service_end",
    "service_end_date",
    "service_period_end",
    "service_to",
    "billing_period_end",
    "line_item_date_to",
    "date_to",
)

#: Accepted header names per role, compared after normalising case, spaces, punctuation and
#: camelCase (``headers.normalise``); a currency beside a name (``Amount (USD)``) is ignored.
#: Besides the generic names, the columns of real exports, as their documentation names them:
#: Xero's invoice CSV (ContactName, InvoiceDate, LineAmount, UnitAmount), Zuora's data
#: sources (Account Number, Account Name, Service Start Date, Amount Without Tax), Recurly's
#: exports (account_code, plan_code, activated_at, expires_at), Chargebee's (Customer Id,
#: Plan Quantity, Activated At, Canceled On, Line Item Date From/To), QuickBooks reports
#: (Customer, Date, Transaction Date, Amount), NetSuite saved searches (Customer, Date,
#: Amount), Salesforce and HubSpot reports (Account Name, Company Name, Amount Currency),
#: and Stripe's (Customer ID, Amount, Currency; its own adapter reads its exports whole).
ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id",
        "customer",
        "customerid",
        "customer_key",
        "customer_number",
        "customer_name",
        "account_id",
        "account",
        "accountid",
        "account_name",
        "client_id",
        "client",
        "cust_id",
        "subscriber_id",
        "company_id",
        "company",
        "organization_id",
        "org_id",
        "user_id",
        "customer_code",
        "customer_ref",
        "client_name",
        "contact_name",
        "company_name",
        "organization",
        "organisation",
        "account_code",
        "account_number",
        "billing_account",
        "billing_account_id",
        "subscriber",
        "tenant_id",
    ),
    "month": (
        "month",
        "period",
        "month_start",
        "date",
        "snapshot_month",
        "billing_month",
        "revenue_month",
        "invoice_month",
        "mrr_month",
        "billing_period",
        "month_date",
        "snapshot_date",
        "usage_date",
        "usage_month",
        "charge_date",
        "transaction_date",
        "txn_date",
        "posting_date",
        "payment_date",
        "accounting_period",
        "revenue_date",
    ),
    "mrr": (
        "mrr",
        "monthly_amount",
        "amount",
        "monthly_recurring_revenue",
        "recurring_revenue",
        "revenue",
        "monthly_revenue",
        "value",
        "mrr_amount",
        "mrr_usd",
        "monthly_value",
        "subscription_amount",
        "plan_amount",
        "monthly_fee",
        "monthly_price",
        "usage_amount",
        "charge_amount",
        "line_amount",
        "net_amount",
        "amount_excluding_tax",
        "amount_excl_tax",
        "amount_without_tax",
        "subtotal",
        "sub_total",
        "invoice_amount",
        "billed_amount",
        "sales_amount",
        "sale_amount",
    ),
    "start_date": (
        "start_date",
        "start",
        "started_at",
        "start_at",
        "starts_at",
        "period_start",
        "subscription_start",
        "subscription_start_date",
        "date_start",
        "begin_date",
        "activation_date",
        "activated_at",
        "started_on",
        "contract_start",
        "contract_start_date",
        "term_start",
        "term_start_date",
        *_SERVICE_START,
    ),
    "end_date": (
        "end_date",
        "end",
        "end_at",
        "ends_at",
        "period_end",
        "subscription_end",
        "subscription_end_date",
        "date_end",
        *_EVENT_END_NAMES,
        "expires_at",
        "expiration_date",
        "contract_end",
        "contract_end_date",
        "term_end",
        "term_end_date",
        *_SERVICE_END,
    ),
    "invoice_date": (
        "invoice_date",
        "invoice_created",
        "invoice_created_at",
        "invoiced_at",
        "invoice_issue_date",
        "issue_date",
        "billed_at",
        "billing_date",
        "date_issued",
        "invoice_issued_at",
    ),
    "subscription_id": ("subscription_id", "subscription", "sub_id"),
    "interval": (
        "interval",
        "billing_interval",
        "billing_frequency",
        "billing_cycle",
        "plan_interval",
        "price_interval",
        "payment_frequency",
        "recurring_interval",
        "interval_unit",
    ),
    "interval_count": (
        "interval_count",
        "billing_interval_count",
        "plan_interval_count",
        "price_interval_count",
    ),
    "currency": (
        "currency",
        "currency_code",
        "ccy",
        "curr",
        "iso_currency",
        "currency_iso_code",
        "amount_currency",
        "invoice_currency",
        "transaction_currency",
    ),
    "product": (
        "product",
        "product_id",
        "product_name",
        "sku",
        "item",
        "item_name",
        "item_code",
        "plan_code",
        "item_price_id",
    ),
    "quantity": ("quantity", "qty", "seats", "units", "plan_quantity", "seat_count"),
    "unit_price": ("unit_price", "price", "unit_amount", "price_per_unit"),
}

#: Line-item roles: read per row, never treated as customer attributes.
LINE_ITEM_ROLES = ("product", "quantity", "unit_price")
_OPTION = "--column"  # in MissingColumnError texts, which describe a command-line fix
_PARAMETER = "columns"


def _normalise(name: str) -> str:
    return normalise(name)


def _plain(name: str) -> str:
    """A column name normalised without an export's ``(UTC)`` suffix."""
    return _normalise(re.sub(r"\(utc\)", "", name, flags=re.IGNORECASE))


#: Names of columns that identify a row of the source itself (``id``, ``Invoice ID``,
#: ``line_item_id``, ``invoice_number``): two rows that differ in one are not repeats.
_ID_NAME = re.compile(r"(^|_)(id|ids|uuid|key|number|no)$")


def id_columns(header: Sequence[str], cmap: ColumnMap) -> tuple[str, ...]:
    """Columns naming a subscription, invoice or line that the canonical rows do not carry.

    The subscription id (a role), and in an export read by its known roles (Stripe),
    every other column whose name is an id. A generic file keeps its other columns as
    attributes, which the canonical rows carry already.

    >>> m = map_columns(["subscription_id", "account_id", "start_date", "mrr"], "x.csv")
    >>> id_columns(["subscription_id", "account_id", "start_date", "mrr"], m)
    ('subscription_id',)
    """
    role = cmap.roles.get("subscription_id")
    kept = set(cmap.roles.values()) | {cmap.source_of(a) for a in cmap.attributes}
    found = [role] if role is not None else []
    found += [h for h in header if h not in kept and _ID_NAME.search(_normalise(h))]
    return tuple(found)


def names_an_event(column: str) -> bool:
    """Whether an end-date column's name says the end happened (``Ended At``, ``churn_date``).

    >>> names_an_event("Ended At (UTC)"), names_an_event("service_end")
    (True, False)
    """
    return _plain(column) in _EVENT_END_NAMES


#: How a billing interval column is used (``ColumnMap.interval_use``):
#: ``monthly``: subscription amounts per interval are normalised to a month (annual / 12);
#: ``spread``: each dated amount pays for one interval from its date, spread over its months;
#: ``ignored``: the amount is already monthly by its name, or service periods say what it covers.
IntervalUse = Literal["monthly", "spread", "ignored"]

#: An amount column whose name says it is monthly (``mrr``, ``mrr_amount``, ``monthly_fee``).
_MONTHLY_NAME = re.compile(r"(^|_)(mrr|monthly)(_|$)")
#: An amount column whose name says it is not (``arr``, ``annual_amount``, ``acv``).
_NOT_MONTHLY_NAME = re.compile(
    r"(^|_)(arr|acv|tcv|annual|annually|yearly|year|quarterly|weekly|contract_value)(_|$)"
)


def names_monthly(column: str) -> bool:
    """Whether an amount column's name says it is monthly: then no interval divides it.

    >>> names_monthly("mrr_amount"), names_monthly("Monthly Fee"), names_monthly("amount")
    (True, True, False)
    """
    return bool(_MONTHLY_NAME.search(_normalise(column)))


def names_not_monthly(column: str) -> bool:
    """Whether an amount column's name says it is annual, quarterly or weekly.

    >>> names_not_monthly("arr_amount"), names_not_monthly("ACV"), names_not_monthly("amount")
    (True, True, False)
    """
    return bool(_NOT_MONTHLY_NAME.search(_normalise(column)))


@dataclass(frozen=True)
class ColumnMap:
    """Which source column plays which role, and which columns are attributes."""

    layout: Layout
    roles: Mapping[str, str]
    #: Attribute names as the canonical table carries them.
    attributes: tuple[str, ...]
    #: Source column of each attribute (differs when a name had to be changed).
    attribute_sources: Mapping[str, str] = field(default_factory=dict)
    #: Wide layout: each month column and the month index it names.
    months: Mapping[str, int] = field(default_factory=dict)
    #: The billing rules of a known export (``stripe-subscriptions``), applied by
    #: ``canonical.billing``; None for plain MRR tables.
    rules: str | None = None
    #: Columns deliberately not read (a cube's total column), reported as a warning.
    ignored: tuple[str, ...] = ()
    #: With an ``interval`` column in a generic file: how it is used (``IntervalUse``).
    interval_use: IntervalUse | None = None
    #: Roles the user named a column for (``--column``): not inferred, so not reported.
    given: tuple[str, ...] = ()

    def source_of(self, attribute: str) -> str:
        return self.attribute_sources.get(attribute, attribute)

    @property
    def renamed(self) -> dict[str, str]:
        """Source column -> attribute name, for attributes whose name had to change."""
        return {src: name for name, src in self.attribute_sources.items() if src != name}

    def get(self, role: str) -> str | None:
        return self.roles.get(role)


def parse_column_options(options: Sequence[str]) -> dict[str, str]:
    """Parse ``ROLE=COLUMN`` overrides (``--column mrr=net_amount``).

    >>> parse_column_options(["mrr=net amount"])
    {'mrr': 'net amount'}
    """
    overrides: dict[str, str] = {}
    for option in options:
        role, sep, column = option.partition("=")
        role = role.strip()
        if not sep or not column.strip():
            raise OptionError(_PARAMETER, option, "must look like ROLE=COLUMN, e.g. mrr=net_amount")
        if role not in ALIASES:
            raise _unknown_role(option, role)
        overrides[role] = column.strip()
    return overrides


def _unknown_role(option: str, role: str) -> OptionError:
    """``--column mnth=...`` or ``--column revenue=...``: the role meant, when it shows."""
    meant = next((r for r, names in ALIASES.items() if normalise(role) in names), None)
    meant = meant or closest(role, list(ALIASES))
    hint = f"did you mean {meant!r}? " if meant else ""
    return OptionError(_PARAMETER, option, f"names no role; {hint}roles are {', '.join(ALIASES)}")


def _find(role: str, header: Sequence[str], overrides: Mapping[str, str], path: str) -> str | None:
    if role in overrides:
        return _named(role, overrides[role], header, path)
    normalised = {_normalise(h): h for h in reversed(header)}
    for alias in ALIASES[role]:
        if alias in normalised:
            return normalised[alias]
    # Then the names beside a currency: "Amount (USD)" is an amount.
    bare = {c: h for h in reversed(header) for c in candidates(h)[1:]}
    return next((bare[alias] for alias in ALIASES[role] if alias in bare), None)


def _named(role: str, wanted: str, header: Sequence[str], path: str) -> str:
    """The column ``--column ROLE=NAME`` names, matched like an alias; a typo is suggested."""
    if wanted in header:
        return wanted
    by_norm = {_normalise(h): h for h in header}
    if _normalise(wanted) in by_norm:
        return by_norm[_normalise(wanted)]
    raise MissingColumnError(
        path, role, [wanted], header, _OPTION, suggestion=closest(wanted, header), named=wanted
    )


def map_columns(
    header: Sequence[str], path: str, overrides: Mapping[str, str] | None = None
) -> ColumnMap:
    """Map a header onto roles and decide the layout.

    Parameters
    ----------
    header
        The source's column names, in order.
    path
        The source, for messages.
    overrides
        ``role -> column`` given by the user; they win over aliases.

    Returns
    -------
    ColumnMap

    Raises
    ------
    MissingColumnError
        A required role has no column; the message lists the header and accepted names.

    Examples
    --------
    >>> m = map_columns(["Customer ID", "Month", "MRR", "segment"], "x.csv")
    >>> m.layout, m.roles["customer_id"], m.attributes
    ('long', 'Customer ID', ('segment',))
    """
    overrides = dict(overrides or {})
    for role in overrides:
        if role not in ALIASES:
            raise _unknown_role(role, role)
    found = {role: _find(role, header, overrides, path) for role in ALIASES}
    roles = {role: column for role, column in found.items() if column is not None}

    if "month" not in roles and "start_date" not in roles and "month" not in overrides:
        # Imported here: the layouts read column maps, so they load after this module.
        from revenue_retention.canonical.layouts.wide import month_columns

        months = month_columns(header, path)
        if months:
            return _wide(header, path, roles, months)

    layout, roles = _layout_roles(roles)
    layout, interval_use = _interval_use(layout, roles)
    for role in _required(layout, interval_use, roles):
        if role not in roles:
            _refuse_data_as_header(header, path)
            raise _missing(path, role, header, roles.values())

    _refuse_shared(roles, overrides)
    sources = _attribute_sources(header, roles)
    return ColumnMap(
        layout=layout,
        roles=roles,
        attributes=tuple(sources),
        attribute_sources=sources,
        interval_use=interval_use,
        given=tuple(overrides),
    )


def _layout_roles(roles: dict[str, str]) -> tuple[Layout, dict[str, str]]:
    """The layout the dated roles make, and the roles it reads (the others are dropped)."""
    if "month" not in roles and "start_date" not in roles and "invoice_date" in roles:
        # Invoices without service periods: each counts in the month of its date.
        roles["month"] = roles.pop("invoice_date")

    layout = _dated_layout(roles)
    if layout == "long":
        if "month" not in roles and "invoice_date" in roles:
            # An invoice export without service periods: each invoice counts in its month.
            roles["month"] = roles["invoice_date"]
            roles = {role: roles[role] for role in ALIASES if role in roles}
        roles.pop("start_date", None)
        roles.pop("end_date", None)
        roles.pop("invoice_date", None)
    else:
        roles.pop("month", None)
    if layout == "periods":
        roles.pop("invoice_date", None)
    return layout, roles


def _dated_layout(roles: Mapping[str, str]) -> Layout:
    """Long, periods or invoices, by the dates the roles give."""
    # Start and end dates make subscription periods; a month column with a start date
    # alone (a signup date, say) is a monthly table whose dates are attributes.
    is_periods = "start_date" in roles and ("end_date" in roles or "month" not in roles)
    # Invoice lines: service dates, or period dates beside an invoice date: the amount
    # is billed for the whole period, not per month.
    service = _normalise(roles.get("start_date", "")) in _SERVICE_START
    if is_periods and "end_date" in roles and (service or "invoice_date" in roles):
        return "invoices"
    return "periods" if is_periods else "long"


def _required(
    layout: Layout, interval_use: IntervalUse | None, roles: Mapping[str, str]
) -> list[str]:
    """The roles a layout cannot do without."""
    # In the periods layout end_date may be absent: every subscription is then still active.
    required = {
        "periods": ["customer_id", "start_date"],
        # An amount dated by itself pays for its interval: no end date to give.
        "invoices": ["customer_id", "start_date"]
        + ([] if interval_use == "spread" else ["end_date"]),
    }.get(layout, ["customer_id", "month"])
    has_line_amount = "quantity" in roles and "unit_price" in roles
    if not has_line_amount:
        required.append("mrr")
    return required


def _attribute_sources(header: Sequence[str], roles: Mapping[str, str]) -> dict[str, str]:
    """Attribute name -> source column: every column no role reads (and a plan's interval)."""
    used = set(roles.values())
    interval = roles.get("interval")
    if interval is not None and _attribute_name(interval) == interval:
        used.discard(interval)  # a plan's interval is a segment too (annual against monthly)
    return {_attribute_name(h): h for h in header if h not in used}


def inferred_roles(cmap: ColumnMap) -> dict[str, str]:
    """Role -> column for each role read from a column not named as the role itself.

    ``seats`` read as the quantity, ``account_id`` as the customer: said, so that a
    reader can check it. Roles named with ``--column`` and a cube's months are not.

    >>> inferred_roles(map_columns(["account_id", "month", "mrr", "seats"], "x.csv"))
    {'customer_id': 'account_id', 'quantity': 'seats'}
    """
    synthetic = ("month", "mrr") if cmap.layout == "wide" else ()
    return {
        role: column
        for role, column in cmap.roles.items()
        if role not in cmap.given and role not in synthetic and _plain(column) != role
    }


def _interval_use(layout: Layout, roles: dict[str, str]) -> tuple[Layout, IntervalUse | None]:
    """How a billing interval column is used, by the layout and the amount column's name.

    A name with ``mrr`` or ``monthly`` in it is a monthly amount: the interval is only
    kept as an attribute. Otherwise subscription amounts are per interval (normalised to
    a month), and a dated amount (an invoice) pays for one interval from its date: the
    file is read as invoice lines whose service period is that interval.
    """
    if "interval" not in roles:
        return layout, None
    amount = roles.get("mrr")
    if layout == "invoices" or (amount is not None and names_monthly(amount)):
        return layout, "ignored"
    if layout == "periods":
        return layout, "monthly"
    if "month" not in roles:
        return layout, None  # no date: the missing month is reported as such
    roles["start_date"] = roles.pop("month")
    return "invoices", "spread"


def _missing(
    path: str, role: str, header: Sequence[str], used: Iterable[str]
) -> MissingColumnError:
    """No column for ``role``: the error, with the free column most like its names."""
    near = suggest_column(ALIASES[role], header, used)
    return MissingColumnError(path, role, ALIASES[role], header, _OPTION, suggestion=near)


def _refuse_shared(roles: Mapping[str, str], overrides: Mapping[str, str]) -> None:
    """Refuse one column in two roles (``--column customer_id=mrr``): every customer
    would be its own amount, and the figures nonsense.

    >>> roles = {"customer_id": "mrr", "month": "m", "mrr": "mrr"}
    >>> _refuse_shared(roles, {"customer_id": "mrr"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    revenue_retention.errors.OptionError: columns: 'customer_id=mrr' makes column 'mrr' both ...
    """
    by_column: dict[str, list[str]] = {}
    for role, column in roles.items():
        by_column.setdefault(column, []).append(role)
    for column, named in by_column.items():
        if len(named) < 2:
            continue
        given = [role for role in named if overrides.get(role) == column]
        others = [role for role in named if role not in given] or named[1:]
        shown = f"{(given or named)[0]}={column}"
        raise OptionError(
            _PARAMETER,
            shown,
            f"makes column {column!r} both the {' and the '.join(named)}; a column plays one "
            f"role: name the {others[0]} column too ({{columns}} {others[0]}=COLUMN)",
        )


#: Names the canonical table and its metrics use for themselves.
RESERVED = frozenset(
    {
        *ALIASES,
        # the canonical table's own columns
        "month_index",
        "period",
        "mrr",
        "line",
        # the columns of results, which a group column is written next to
        "window_months",
        "as_of",
        "as_of_index",
        "method",
        "scope",
        "opening_mrr",
        "new",
        "reactivation",
        "expansion",
        "contraction",
        "churn",
        "transfer_in",
        "transfer_out",
        "closing_mrr",
        "customers",
        "retained_customers",
        "starting_mrr",
        "ending_mrr",
        "grr",
        "nrr",
        "logo_retention",
        "cohort",
        "age_months",
        # names the metric expressions use for their own intermediate columns
        "a",
        "b",
        "prev_mrr",
        "prev_month",
        "next_month",
        "total",
    }
)


def preset_columns(
    header: Sequence[str],
    path: str,
    roles: Mapping[str, str],
    layout: str,
    rules: str,
    overrides: Mapping[str, str] | None = None,
) -> ColumnMap:
    """The column map an adapter gives for a known export; ``--column`` still wins.

    Such exports carry many columns (emails, metadata) that are not customer attributes:
    only the roles are read.
    """
    chosen = dict(roles)
    for role, column in (overrides or {}).items():
        chosen[role] = _named(role, column, header, path)
    _refuse_shared(chosen, overrides or {})
    # Kept besides the roles: why a subscription was cancelled, and its status (paused,
    # past_due, canceled ...), which split churn by reason (analyses.churn_reasons).
    reasons = {
        _attribute_name(h): h
        for h in header
        if _normalise(h) in PRESET_REASON_COLUMNS and h not in chosen.values()
    }
    if "status" in chosen:
        reasons[_attribute_name(chosen["status"])] = chosen["status"]
    return ColumnMap(
        layout=layout,  # type: ignore[arg-type]
        roles=chosen,
        attributes=tuple(reasons),
        attribute_sources=reasons,
        rules=rules,
        given=tuple(overrides or {}),
    )


#: Columns of a known export kept as the churn reason (normalised names): Stripe's
#: subscriptions export writes ``Cancellation Reason`` (``cancellation_details.reason``);
#: its ``Status`` is kept too, the reason of a row that gives none.
PRESET_REASON_COLUMNS = ("cancellation_reason", "cancellation_details_reason")


def _wide(
    header: Sequence[str], path: str, roles: Mapping[str, str], months: dict[str, int]
) -> ColumnMap:
    """A revenue cube: the customer column, the month columns, every other an attribute."""
    if "customer_id" not in roles:
        _refuse_data_as_header(header, path)
        raise _missing(path, "customer_id", header, [*roles.values(), *months])
    customer = roles["customer_id"]
    if customer in months:
        raise OptionError(
            _PARAMETER,
            f"customer_id={customer}",
            f"makes the month column {customer!r} the customer id too; a column plays one "
            "role: name the customer column",
        )
    others = [h for h in header if h != customer and h not in months]
    # A total of the month columns is neither a month nor an attribute of the customer.
    totals = tuple(h for h in others if re.search(r"(^|_)(total|totals|sum)($|_)", _normalise(h)))
    sources = {_attribute_name(h): h for h in others if h not in totals}
    from revenue_retention.canonical.layouts.wide import AMOUNT, MONTH

    return ColumnMap(
        layout="wide",
        roles={"customer_id": customer, "month": MONTH, "mrr": AMOUNT},
        attributes=tuple(sources),
        attribute_sources=sources,
        months=months,
        ignored=totals,
    )


#: An amount as a header name: a number that is not a year (a month column may be "2024").
_NUMBER_NAME = re.compile(r"^[+-]?[$\u20ac\u00a3]?[0-9][0-9.,]*$")
_YEAR_NAME = re.compile(r"^(19|20)[0-9]{2}$")


def _refuse_data_as_header(header: Sequence[str], path: str) -> None:
    """A file without a header: its first line of data was read as the column names.

    >>> try:
    ...     _refuse_data_as_header(["a", "2024-01", "100"], "x.csv")
    ... except SourceError as error:
    ...     print(str(error)[:62])
    x.csv: the first line ('a', '2024-01', '100') looks like a row
    """
    numbers = [h for h in header if _NUMBER_NAME.match(h.strip()) and not _YEAR_NAME.match(h)]
    if numbers:
        shown = ", ".join(repr(h) for h in header[:6]) + (", ..." if len(header) > 6 else "")
        raise SourceError(
            path,
            f"the first line ({shown}) looks like a row of data, not a header: the file "
            "needs a first line naming its columns, such as customer_id,month,mrr",
        )


def _attribute_name(column: str) -> str:
    """An attribute keeps its name unless the tool uses that name itself (``period``)."""
    # Engines compare column names without regard to case: Period clashes with period.
    if column.lower() in RESERVED or column.lower().startswith("_rr_"):
        return f"attr_{column}"
    return column
