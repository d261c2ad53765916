"""The last month dated data observed: the default as-of of subscription periods and invoices.

A file of subscription periods or invoice lines is an extract taken at some date the file
does not state. It records events that had happened by then (a subscription or service
period starting, an invoice issued, a cancellation) and dates that may still lie ahead (a
fixed term's scheduled end, a service period paid in advance). Months reached only by
scheduled ends would show every customer not yet renewed as churned, so the analysis
ends by default at the last month whose snapshot day lies on or before the latest
recorded event:

- events: start dates (before any trial), invoice dates, renewals (a Stripe
  subscription's current period start), cancellation dates, and end dates whose column
  name says they happened (``ended_at``, ``canceled_at``, ``churn_date`` ...);
- the end dates of a subscriptions file in which some subscription has no end: such a
  file leaves running subscriptions open and writes an end once one has ended, so its
  ends are events too. Where every row has an end (fixed terms, service periods paid in
  advance), an ``end_date`` or ``service_end`` may be scheduled and does not count;
- the month: where ends may be scheduled, the last month whose snapshot day is on or
  before the latest event (with the last-day snapshot, the event's month when the event
  is on its last day, else the month before), since a scheduled end later that month
  would show a customer not yet renewed as churned; where ends are events, nothing is
  known to change after the latest event, and its month counts as it stands then (an
  open subscription was running when the data was taken: the data reaches that month).

``--as-of`` chooses another month; one after the observed month is warned about.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical.columns import ColumnMap, names_an_event
from revenue_retention.periods import month_index, month_label

__all__ = ["observed_date", "observed_month", "observed_warnings"]

#: Roles whose dates record something that happened by the time of the extract.
_EVENT_ROLES = ("invoice_date", "cancelled_at")


def observed_date(
    rows: ir.Table, cmap: ColumnMap, start: ir.DateValue, *others: ir.DateValue
) -> ir.DateValue:
    """Engine expression: the latest date of a row that records an event (see above).

    ``rows``: the typed rows (``_v_<role>`` columns); ``start``: the row's start date as
    the source wrote it, before a trial moves it; ``others``: more event dates (a Stripe
    subscription's current period start: its latest renewal).
    """
    parts = [rows[f"_v_{role}"] for role in _EVENT_ROLES if f"_v_{role}" in rows.columns]
    parts += others
    end = cmap.roles.get("end_date")
    if end is not None and "_v_end_date" in rows.columns and names_an_event(end):
        parts.append(rows._v_end_date)
    if not parts:
        return start
    return ibis.greatest(start, *[ibis.coalesce(p, start) for p in parts])


def observed_month(latest: dt.date | None, snapshot: str, first: int, whole: bool) -> int | None:
    """The last month the data observed at ``latest`` (never before ``first``).

    ``whole``: the month must be observed up to its snapshot day, because later dates may
    be scheduled ends (then with the last-day snapshot, ``latest``'s month only when it is
    that month's last day). Otherwise nothing is known to change after ``latest``, and its
    month counts as it stands then.

    >>> observed_month(dt.date(2016, 6, 13), "last", 0, whole=True) == month_index(2016, 5)
    True
    >>> observed_month(dt.date(2016, 6, 13), "last", 0, whole=False) == month_index(2016, 6)
    True
    >>> observed_month(dt.date(2020, 1, 1), "first", 0, whole=True) == month_index(2020, 1)
    True
    """
    if latest is None:
        return None
    index = month_index(latest.year, latest.month)
    month_end = (latest + dt.timedelta(days=1)).day == 1
    if whole and snapshot == "last" and not month_end:
        index -= 1
    return max(index, first)


def observed_warnings(
    latest: dt.date | None, observed: int | None, last: int, as_of: int | None, snapshot: str
) -> list[str]:
    """What the default as-of left out, or an ``--as-of`` past what the data observed."""
    if latest is None or observed is None or observed >= last:
        return []
    day = f"{snapshot} day"
    if as_of is None:
        return [
            f"the data runs to {month_label(last)}, but the latest date it records as having "
            f"happened (a start, a renewal, an invoice or a cancellation) is "
            f"{latest.isoformat()}: the analysis ends at {month_label(observed)}, the last "
            f"month whose {day} the data observed. Later months hold end dates that may be "
            "scheduled, and customers not yet renewed would show as churned; --as-of "
            f"{month_label(last)} analyses them."
        ]
    if as_of > observed:
        return [
            f"--as-of {month_label(as_of)} is after {month_label(observed)}, the last month "
            f"whose {day} the data observed (its latest start, renewal, invoice or cancellation "
            f"is {latest.isoformat()}): later months hold only end dates that may be scheduled, "
            "and every customer not yet renewed shows as churned."
        ]
    return []
