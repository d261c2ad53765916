"""Churn split by why it happened, where the input says why (docs/metrics.md, "Churn by reason").

A status or cancellation-reason column of the input (``status``, ``cancellation_reason``
...) is kept on the canonical table like any attribute: its value for each customer and
month. A customer who churns at month m (paid at m - 1, nothing at m) churned for the
reason of its row at m when there is one (a month with MRR 0 that says ``past_due``,
``canceled`` or ``paused``), else for the reason of its last paying month (a subscription
row that ended with its cancellation reason). Each reason is one of:

- involuntary: the payment failed (``past_due``, ``unpaid``, ``payment_failed`` ...);
- paused: the input marks the months as paused;
- voluntary: any other stated reason (``canceled``, ``cancellation_requested``,
  ``too_expensive`` ...);
- unexplained: no reason, or a status that is not one (``active``, ``trialing``).

The four add up to the bridge's churn of the month, to the cent: METRICS.md §2 counts a
pause as churn (MRR goes to 0) and its end as a reactivation; this split shows how much
of each was a pause, so that a reader can take pauses out (``churn_excluding_paused``,
``reactivation_excluding_resumed``). GRR and NRR are unchanged (a paused customer's
revenue was not received).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical import Dataset
from revenue_retention.errors import OptionError
from revenue_retention.money import MONEY

__all__ = [
    "INVOLUNTARY_WORDS",
    "KINDS",
    "PAUSED_WORDS",
    "REASON_COLUMNS",
    "STATUS_COLUMNS",
    "UNEXPLAINED_WORDS",
    "churn_by_reason",
    "reason_column",
    "reason_kind",
    "status_column",
]

#: Column names read as the churn reason when no column is named (normalised: lower case,
#: spaces and punctuation as ``_``), first match wins.
REASON_COLUMNS = (
    "churn_reason",
    "cancellation_reason",
    "cancel_reason",
    "cancellation_details_reason",
    "cancellation_details",
    "subscription_status",
    "status",
)
#: Of those, the columns that hold a subscription's status rather than a reason.
STATUS_COLUMNS = ("subscription_status", "status")
#: Parts of a value that mean the payment failed.
INVOLUNTARY_WORDS = (
    "past_due",
    "unpaid",
    "payment_fail",
    "failed_payment",
    "payment_disputed",
    "disputed",
    "incomplete_expired",
    "involuntary",
    "dunning",
    "declined",
    "delinquent",
    "non_payment",
    "nonpayment",
    "card_expired",
)
#: Values that mean the subscription is paused.
PAUSED_WORDS = ("paused", "pause", "on_hold")
#: Values that state no reason (the status of a customer still paying).
UNEXPLAINED_WORDS = ("", "active", "trialing", "trial", "none", "null", "n_a", "na", "unknown")
#: The reasons, in the order of every output.
KINDS = ("voluntary", "involuntary", "paused", "unexplained")


def _normalised(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.strip().lower()).strip("_")


def reason_column(data: Dataset, column: str | None = None) -> str | None:
    """The attribute read as the churn reason: ``column``, else the first of ``REASON_COLUMNS``.

    Raises ``OptionError`` (parameter ``churn_reason``) when ``column`` is not one of the
    data's attributes, naming them.
    """
    if column is not None:
        if column in data.attributes:
            return column
        found = ", ".join(data.attributes) or "none"
        raise OptionError(
            "churn_reason", column, f"is not a column of the data's attributes (found: {found})"
        )
    by_name = {_normalised(a): a for a in data.attributes}
    return next((by_name[n] for n in REASON_COLUMNS if n in by_name), None)


def status_column(data: Dataset, column: str) -> str | None:
    """A status column besides the reason ``column``: a row's reason where its own is blank.

    Stripe's subscriptions export gives a ``Cancellation Reason`` only to cancelled
    subscriptions; a paused or past-due one says so by its ``Status``.
    """
    if _normalised(column) in STATUS_COLUMNS:
        return None
    by_name = {_normalised(a): a for a in data.attributes if a != column}
    return next((by_name[n] for n in STATUS_COLUMNS if n in by_name), None)


def reason_kind(value: ir.Value) -> ir.StringValue:
    """``voluntary``, ``involuntary``, ``paused`` or ``unexplained`` for a reason value.

    Compared in lower case with spaces and dashes as ``_`` (``Past Due`` is ``past_due``).
    """
    text = value.cast("string").strip().lower().re_replace(r"[^a-z0-9]+", "_")
    involuntary = ibis.or_(*(text.contains(word) for word in INVOLUNTARY_WORDS))
    return ibis.cases(
        (text.isnull() | text.isin(UNEXPLAINED_WORDS), "unexplained"),
        (text.isin(PAUSED_WORDS), "paused"),
        (involuntary, "involuntary"),
        else_="voluntary",
    )


def churn_by_reason(data: Dataset, column: str, months: Sequence[int] | None = None) -> ir.Table:
    """Per bridge month, the churn by reason and the reactivation that ends a pause.

    Columns: ``month_index, churn, churn_voluntary, churn_involuntary, churn_paused,
    churn_unexplained, churned_customers, customers_voluntary, customers_involuntary,
    customers_paused, customers_unexplained, reactivation, reactivation_resumed,
    churn_excluding_paused, reactivation_excluding_resumed``; one row per month after the
    first of ``data.months`` (the bridge's months), zeros where nothing happened.
    """
    first, last = data.months.first, data.months.last
    table = data.table
    reason = table[column].cast("string")
    if (status := status_column(data, column)) is not None:
        reason = ibis.ifelse(
            reason.isnull() | (reason.strip() == ""), table[status].cast("string"), reason
        )
    rows = table.select("customer_id", "month_index", "mrr", _reason=reason)
    # The bridge's months only, as the bridge reads them (METRICS.md §2): a customer
    # paying before the first analysed month is new in it, not reactivated.
    paying = rows.filter((rows.mrr > 0) & rows.month_index.between(first, last))
    order = ibis.window(group_by="customer_id", order_by="month_index")
    steps = paying.mutate(
        _next=paying.month_index.lead().over(order), _prev=paying.month_index.lag().over(order)
    )
    # Churn of month m: a customer paying at m - 1 and not at m (METRICS.md §2).
    leaving = steps.filter(
        (steps._next.isnull() | (steps._next != steps.month_index + 1))
        & (steps.month_index + 1 <= last)
    )
    leaving = leaving.select(
        "customer_id", month=leaving.month_index + 1, amount=leaving.mrr, _before=leaving._reason
    )
    # A reactivation of month m: paid before, not at m - 1.
    back = steps.filter(
        steps._prev.notnull() & (steps._prev < steps.month_index - 1) & (steps.month_index > first)
    )
    back = back.select("customer_id", month=back.month_index, amount=back.mrr)
    # The unpaid rows (MRR 0) that state why: the month a customer left, or was paused.
    unpaid = rows.filter(rows.mrr == 0).select(
        "customer_id", _month=rows.month_index, _kind=reason_kind(rows._reason)
    )
    left = leaving.left_join(
        unpaid,
        (leaving.customer_id == unpaid.customer_id) & (leaving.month == unpaid._month),
    )
    stated = left._kind.nullif("unexplained")
    kind = ibis.coalesce(stated, reason_kind(left._before))
    churned = left.select(month=left.month, amount=left.amount, kind=kind)
    resumed = back.left_join(
        unpaid,
        (back.customer_id == unpaid.customer_id) & (back.month - 1 == unpaid._month),
    )
    resumed = resumed.select(
        month=resumed.month,
        amount=resumed.amount,
        paused=(resumed._kind == "paused").fill_null(False),
    )
    zero = ibis.literal(0).cast(MONEY)
    churn = churned.group_by("month").agg(
        churn=churned.amount.sum(),
        churned_customers=churned.count(),
        **{f"churn_{k}": churned.amount.sum(where=churned.kind == k) for k in KINDS},
        **{f"customers_{k}": (churned.kind == k).sum() for k in KINDS},
    )
    resumes = resumed.group_by("month").agg(
        reactivation=resumed.amount.sum(),
        reactivation_resumed=resumed.amount.sum(where=resumed.paused),
    )
    spine = ibis.memtable({"month_index": list(range(first + 1, last + 1))})
    joined = spine.left_join(churn, spine.month_index == churn.month).left_join(
        resumes, spine.month_index == resumes.month
    )
    money = ["churn", *(f"churn_{k}" for k in KINDS), "reactivation", "reactivation_resumed"]
    counts = ["churned_customers", *(f"customers_{k}" for k in KINDS)]
    filled = joined.select(
        joined.month_index.cast("int64").name("month_index"),
        **{name: joined[name].cast(MONEY).fill_null(zero) for name in money},
        **{name: joined[name].cast("int64").fill_null(0) for name in counts},
    )
    return filled.mutate(
        churn_excluding_paused=filled.churn - filled.churn_paused,
        reactivation_excluding_resumed=filled.reactivation - filled.reactivation_resumed,
    ).order_by("month_index")
