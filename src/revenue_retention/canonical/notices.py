"""What the input holds that is valid but worth a second look: warnings, never changes.

Every finding here leaves the numbers as METRICS.md §1 defines them (ids are kept as
written, line items and overlapping subscriptions add up) and says so, with examples
named by their values, so the same input gives the same words whatever its row order.
"""

from __future__ import annotations

import re
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical.columns import (
    ColumnMap,
    inferred_roles,
    names_monthly,
    names_not_monthly,
)
from revenue_retention.money import format_money
from revenue_retention.periods import month_label

__all__ = [
    "amount_name",
    "duplicate_rows",
    "id_twins",
    "ids_may_clash",
    "interval_values",
    "overlapping_periods",
    "recurring_payments",
    "roles_read",
]

_SHOWN = 3


def ids_may_clash(column: ir.Column) -> bool:
    """Whether two ids of a column fold to the same one: a cheap test on distinct ids.

    The distinct ids are few next to the rows, so this costs far less than grouping every
    row by its folded id; only when it finds something are the accepted ids examined.
    Integers have no case or spaces: they never clash.
    """
    if column.type().is_integer():
        return False
    ids = column.cast("string").name("customer_id").as_table().distinct()
    folded = ids.customer_id.strip().lower().nunique()
    found = ids.aggregate(ids=ids.count(), folded=folded).to_pyarrow().to_pylist()[0]
    return bool(found["ids"] != found["folded"])


def id_twins(table: ir.Table) -> list[str]:
    """Ids that differ only by letter case or surrounding spaces: kept apart, but said."""
    folded = table.mutate(_folded=table.customer_id.strip().lower())
    groups = folded.group_by("_folded").agg(ids=folded.customer_id.nunique())
    clashes = groups.filter(groups.ids > 1)
    found = clashes.aggregate(groups=clashes.count(), ids=clashes.ids.sum()).to_pyarrow()
    row = found.to_pylist()[0]
    if not row["groups"]:
        return []
    sample = (
        # The first three in order, so that every engine names the same examples.
        folded.semi_join(clashes.order_by("_folded").limit(_SHOWN), "_folded")
        .select("_folded", "customer_id")
        .distinct()
        .order_by(["_folded", "customer_id"])
        .to_pyarrow()
        .to_pylist()
    )
    shown = ", ".join(repr(r["customer_id"]) for r in sample)
    return [
        f"{row['ids']} customer ids differ from another only by letter case or surrounding "
        f"spaces (e.g. {shown}); they are counted as different customers. Clean the ids "
        "if they are the same account."
    ]


def duplicate_rows(rows: ir.Table, columns: list[str]) -> list[str]:
    """Accepted rows identical in every value to another: kept and added up, but said.

    ``rows``: the accepted rows with their values read (``100`` and ``100.00`` are the same
    amount); ``columns``: the values that make a row (every column the source gave).
    """
    groups = rows.group_by(columns).agg(_n=rows.count())
    repeated = groups.filter(groups._n > 1)
    found = repeated.aggregate(rows=repeated._n.sum(), groups=repeated.count())
    total = found.to_pyarrow().to_pylist()[0]
    if not total["groups"]:
        return []
    key = [c for c in ("customer_id", "month", "start_date") if c in columns]
    sample = repeated.order_by([*key, *[c for c in columns if c not in key]]).limit(_SHOWN)
    shown = "; ".join(
        "(" + ", ".join(_shown(r[c]) for c in columns) + f") x{r['_n']}"
        for r in sample.to_pyarrow().to_pylist()
    )
    copies = total["rows"] - total["groups"]
    return [
        f"{copies:,} row(s) repeat another row exactly, value for value (e.g. {shown}): each "
        "is kept and their amounts add up, as line items of one month do. If the export "
        "wrote them twice, remove the copies."
    ]


def _shown(value: object) -> str:
    if value is None:
        return "empty"
    return str(format_money(value)) if isinstance(value, Decimal) else str(value)


def overlapping_periods(
    periods: ir.Table, first: ir.IntegerValue, stop: ir.IntegerValue
) -> list[str]:
    """Customers with subscription periods counting in the same month: summed, and said.

    ``first`` and ``stop``: the first month a period counts in and the first it no longer
    does (null: still active), as the snapshot rule gives them.
    """
    months = periods.select("customer_id", _first=first, _stop=stop.fill_null(2**40))
    earlier = ibis.window(group_by="customer_id", order_by=["_first", "_stop"], rows=(None, -1))
    marked = months.mutate(_until=months._stop.max().over(earlier))
    overlapping = marked.filter((marked._first < marked._until) & (marked._stop > marked._first))
    per_customer = overlapping.group_by("customer_id").agg(
        periods=overlapping.count(), month=overlapping._first.min()
    )
    found = per_customer.aggregate(
        customers=per_customer.count(), periods=per_customer.periods.sum()
    )
    total = found.to_pyarrow().to_pylist()[0]
    if not total["customers"]:
        return []
    sample = per_customer.order_by("customer_id").limit(_SHOWN).to_pyarrow().to_pylist()
    shown = ", ".join(f"{r['customer_id']!r} from {month_label(r['month'])}" for r in sample)
    return [
        f"{total['customers']:,} customer(s) have subscription periods that overlap (e.g. "
        f"{shown}): their MRR is the sum of the periods active in a month. That is right for "
        "several subscriptions of one customer; if a period was written twice, remove the copy."
    ]


def _interval_note(cmap: ColumnMap) -> str:
    amount = cmap.roles.get("mrr", "the amount")
    if cmap.interval_use == "monthly":
        return (
            "amounts per interval normalised to a month: annual / 12, quarterly / 3, "
            "weekly x 52 / 12"
        )
    if cmap.interval_use == "spread":
        return "each amount pays for one interval from its date, spread over the months it covers"
    if cmap.layout == "invoices":
        return "not applied: the service periods say what each amount covers"
    return f"not applied: {amount!r} is monthly by its name"


def roles_read(cmap: ColumnMap) -> list[str]:
    """Which column took which role, when a role was inferred from another name than its own."""
    found = inferred_roles(cmap)
    if cmap.interval_use is not None:  # how the interval is used is always worth saying
        found.setdefault("interval", cmap.roles["interval"])
    if not found:
        return []
    notes = {"interval": f" ({_interval_note(cmap)})"}
    if cmap.layout == "long" and "month" in found and "invoice" in found["month"].lower():
        notes["month"] = " (each invoice counts in the month of its date)"
    shown = ", ".join(
        f"{column!r} as {role}{notes.get(role, '')}" for role, column in found.items()
    )
    return [
        f"columns read by their names: {shown}. --column ROLE=COLUMN reads another column "
        "for a role."
    ]


def amount_name(cmap: ColumnMap) -> list[str]:
    """An amount named as annual (``arr``, ``acv``) that no billing interval normalises."""
    amount = cmap.roles.get("mrr")
    if amount is None or cmap.rules or cmap.interval_use in ("monthly", "spread"):
        return []
    if not names_not_monthly(amount) or names_monthly(amount):
        return []
    return [
        f"{amount!r} is read as a monthly amount, but its name says it is not (annual, "
        "quarterly, weekly?): nothing divides it. Give a billing interval column (interval "
        "= year, quarter, week) or a monthly amount column."
    ]


#: Attribute names that may hold a plan's billing interval.
_BILLING_NAME = re.compile(r"plan|billing|bill|frequency|cycle|term|interval|period|type|cadence")
#: Billing intervals as files write them, and whether each is monthly.
_INTERVAL_WORDS = {
    "month": True,
    "monthly": True,
    "year": False,
    "yearly": False,
    "annual": False,
    "annually": False,
    "quarter": False,
    "quarterly": False,
    "week": False,
    "weekly": False,
}


def interval_values(rows: ir.Table, cmap: ColumnMap) -> list[str]:
    """Attribute columns whose values are billing intervals that nothing applies (one query).

    A ``plan_type`` of ``annual`` and ``monthly`` says some amounts may be annual; unless
    the amount's name says it is monthly, that is worth a word.
    """
    amount = cmap.roles.get("mrr")
    if cmap.rules or cmap.interval_use is not None or amount is None or names_monthly(amount):
        return []
    found = _interval_columns(rows, cmap)
    if not found:
        return []
    column = cmap.source_of(found[0])
    return [
        f"column {column!r} holds billing intervals (such as annual or quarterly), but "
        f"{amount!r} is read as a monthly amount: an annual amount would count twelve times "
        f"over. If amounts are per interval, --column interval={column} normalises them."
    ]


def _interval_columns(rows: ir.Table, cmap: ColumnMap) -> list[str]:
    """The attributes whose every value is an interval word, some not monthly (one query)."""
    # Only columns named like a plan's billing (plan_type, billing_term, frequency): a
    # scan of every attribute for every file would cost more than the warning is worth.
    names = [a for a in cmap.attributes if a in rows.columns and _BILLING_NAME.search(a.lower())]
    if not names:
        return []
    words = list(_INTERVAL_WORDS)
    others = [w for w, monthly in _INTERVAL_WORDS.items() if not monthly]
    counts = (
        rows.aggregate(
            **{f"n{i}": rows[a].notnull().sum() for i, a in enumerate(names)},
            **{f"w{i}": rows[a].strip().lower().isin(words).sum() for i, a in enumerate(names)},
            **{f"o{i}": rows[a].strip().lower().isin(others).sum() for i, a in enumerate(names)},
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return [
        a
        for i, a in enumerate(names)
        if counts[f"n{i}"] and counts[f"w{i}"] == counts[f"n{i}"] and counts[f"o{i}"]
    ]


def recurring_payments(table: ir.Table) -> list[str]:
    """Customers who pay once every 12 (or 3) months with nothing in between (one query).

    Read month by month, each such payment is one month of MRR, then churn, then a
    reactivation a year later: the sign of annual invoices read without the months
    they pay for. A customer's paying months are one every ``k`` when there are ``n >= 2``
    of them, the last is ``k (n - 1)`` after the first, and all fall on the same month
    modulo ``k``: one grouping, no window over the rows.

    Both residues are read off one number per month, ``r = 12 (m mod 3) + (m mod 12)``:
    ordered by ``m mod 3`` first, so the smallest and largest ``r`` of a customer are equal
    when all its months agree modulo 12, and agree modulo 3 (``r mod 3 = m mod 3``) when
    all its months do. Five aggregates per customer instead of seven: the grouping's hash
    table is what a small memory limit has to hold.
    """
    paying = table.filter(table.mrr > 0)
    month = paying.month_index
    residues = (month % 3) * 12 + month % 12
    per_customer = paying.group_by("customer_id").agg(
        _n=paying.count(),
        _first=month.min(),
        _span=month.max() - month.min(),
        _low=residues.min(),
        _high=residues.max(),
    )
    several = per_customer._n >= 2
    same_12 = per_customer._low == per_customer._high
    same_3 = per_customer._low % 3 == per_customer._high % 3
    yearly = several & same_12 & (per_customer._span == 12 * (per_customer._n - 1))
    quarterly = several & same_3 & (per_customer._span == 3 * (per_customer._n - 1))
    pattern = per_customer.mutate(
        _every=ibis.cases((yearly, 12), (quarterly, 3), else_=ibis.null("int64"))
    )
    counts = pattern.aggregate(
        customers=pattern.count(),
        yearly=(pattern._every == 12).sum(),
        quarterly=(pattern._every == 3).sum(),
    )
    # The first few customers of each kind with the counts beside them: one query, so the
    # grouping over every customer-month runs once (it is most of the check's cost).
    flagged = pattern.filter(pattern._every.notnull())
    rank = ibis.row_number().over(group_by=flagged._every, order_by=flagged.customer_id)
    first = flagged.mutate(_rank=rank).filter(lambda t: t._rank < _SHOWN)
    rows = (
        first.cross_join(counts)
        .select("customer_id", "_first", "_every", "customers", "yearly", "quarterly")
        .order_by("_every", "customer_id")
        .to_pyarrow()
        .to_pylist()
    )
    if not rows:
        return []
    found = rows[0]
    every = 12 if found["yearly"] >= found["quarterly"] else 3
    sample = [r for r in rows if r["_every"] == every]
    shown = ", ".join(f"{r['customer_id']!r} from {month_label(r['_first'])}" for r in sample)
    n = found["yearly"] if every == 12 else found["quarterly"]
    kind = "annual" if every == 12 else "quarterly"
    return [
        f"{n:,} of {found['customers']:,} customers pay once every {every} months with nothing "
        f"in between (e.g. {shown}): read month by month, each payment is one month of MRR "
        f"followed by churn and a reactivation {every} months later. If these are {kind} "
        "invoices, give each its service period (service_start and service_end columns: "
        "the invoices layout) or a billing interval column (interval = "
        f"{'year' if every == 12 else 'quarter'}), and each amount is spread over the months "
        "it pays for."
    ]
