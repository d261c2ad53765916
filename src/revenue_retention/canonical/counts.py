"""What a load read, accepted and rejected, counted in one pass (METRICS.md §1).

Rows read = rows accepted + rows rejected, and money read = money accepted + money
rejected: ``Counts`` checks both when it is made, so a load that loses a row or a cent
fails as a bug (an ``AssertionError``, exit 70) instead of reporting figures that do
not add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.canonical.grouped import accepted_counts

if TYPE_CHECKING:
    from revenue_retention.canonical.layouts import Layout

__all__ = [
    "Counts",
    "CurrencyMoney",
    "count_rows",
    "count_validated",
    "count_with_groups",
    "merged_by_reason",
]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class CurrencyMoney:
    """Money of one currency, as read: read = accepted + rejected."""

    read: Decimal = _ZERO
    accepted: Decimal = _ZERO
    rejected: Decimal = _ZERO

    def __post_init__(self) -> None:
        if self.read != self.accepted + self.rejected:
            raise AssertionError(f"money of a currency does not reconcile: {self}")

    def plus(self, amount: Decimal, *, rejected: bool) -> CurrencyMoney:
        """This money with ``amount`` more read, accepted or rejected."""
        return CurrencyMoney(
            self.read + amount,
            self.accepted + (_ZERO if rejected else amount),
            self.rejected + (amount if rejected else _ZERO),
        )

    def to_dict(self) -> dict[str, Decimal]:
        return {"read": self.read, "accepted": self.accepted, "rejected": self.rejected}


@dataclass(frozen=True)
class Counts:
    """Rows and money per reason, and the month range of the accepted rows.

    ``first`` and ``last`` are the month indexes of the accepted rows (None: none
    accepted); ``money_in_range`` is the money accepted up to the as-of month;
    ``observed`` the latest date the accepted rows record as having happened and ``open``
    how many subscriptions have no end (dated layouts). ``repeat_suspects`` and
    ``folding_ids`` are known only when the rows were summed in one scan
    (``canonical.grouped``).
    """

    rows_read: int
    rows_accepted: int
    rejected: int
    by_reason: Mapping[str, int]
    money_read: Decimal
    money_accepted: Decimal
    money_rejected: Decimal
    money_in_range: Decimal
    rows_without_amount: int
    first: int | None
    last: int | None
    observed: dt.date | None = None
    open: int = 0
    by_currency: Mapping[str | None, CurrencyMoney] = field(default_factory=dict)
    repeat_suspects: int | None = None
    folding_ids: int | None = None

    def __post_init__(self) -> None:
        """Defines: rows in = rows accepted + rows rejected (METRICS.md §1).

        Money read = accepted + rejected too. Figures that do not add up are a bug, never
        a data problem.
        """
        if self.rows_read != self.rows_accepted + self.rejected:
            raise AssertionError(f"rows do not reconcile: {self}")
        if self.money_read != self.money_accepted + self.money_rejected:
            raise AssertionError(f"money does not reconcile: {self}")
        if sum(self.by_reason.values()) != self.rejected:
            raise AssertionError(f"reject reasons do not add up: {self}")
        if not 0 <= self.rows_without_amount <= self.rejected:
            raise AssertionError(f"rows without an amount are not rejected rows: {self}")
        if self.by_currency and sum(m.read for m in self.by_currency.values()) != self.money_read:
            raise AssertionError(f"money by currency does not add up: {self}")

    def with_set_aside(self, set_aside: Mapping[str, int]) -> Counts:
        """Records the reader set aside are read and rejected, with no amount to read."""
        total = sum(set_aside.values())
        by_reason = dict(self.by_reason)
        for reason, n in set_aside.items():
            by_reason[reason] = by_reason.get(reason, 0) + n
        return replace(
            self,
            rows_read=self.rows_read + total,
            rejected=self.rejected + total,
            rows_without_amount=self.rows_without_amount + total,
            by_reason=by_reason,
        )

    def with_accepted(self, accepted: Mapping[str, Any], rows_read: int) -> Counts:
        """These counts of the rejected rows, completed by the accepted side.

        ``accepted``: ``canonical.grouped.accepted_counts`` of the stored customer-months;
        ``rows_read``: every row read (accepted and rejected).
        """
        money = accepted["money"]
        return replace(
            self,
            rows_read=rows_read,
            rows_accepted=accepted["rows"],
            money_read=money + self.money_rejected,
            money_accepted=money,
            money_in_range=accepted["money_in_range"],
            first=accepted["first"],
            last=accepted["last"],
            repeat_suspects=accepted["repeat_suspects"],
            folding_ids=accepted["folding_ids"],
        )


#: Counts of no rows at all: what a clean file's rejected side is.
NONE = Counts(0, 0, 0, {}, _ZERO, _ZERO, _ZERO, _ZERO, 0, None, None)


def count_rows(
    rows: ir.Table,
    span: tuple[ir.IntegerValue, ir.IntegerValue],
    as_of: int | None,
    extra: Mapping[str, ir.Scalar] | None = None,
) -> Counts:
    """Rows and money per reason, and the month range of accepted rows, in one pass.

    ``span``: each row's first and last month; ``extra``: further aggregates of the
    layout (``open``, ``latest_end``), read by ``latest_event``.
    """
    first, last = span
    in_range = first <= as_of if as_of is not None else ibis.literal(True)
    keys = {"reason": rows._rr_reason}
    if "currency" in rows.columns:
        keys["currency"] = rows.currency
    summary = (
        rows.group_by(**keys)
        .agg(
            n=rows.count(),
            money=rows._rr_amount.sum(),
            money_in_range=rows._rr_amount.sum(where=in_range),
            without_amount=rows._rr_amount.isnull().sum(),
            first=first.min(),
            last=last.max(),
            **({"observed": rows._rr_observed.max()} if "_rr_observed" in rows.columns else {}),
            **(extra or {}),
        )
        .to_pyarrow()
        .to_pylist()
    )
    by_currency = _by_currency(summary) if "currency" in rows.columns else {}
    summary = merged_by_reason(summary) if "currency" in rows.columns else summary
    return _counts_of(summary, by_currency)


def count_validated(
    rows: ir.Table, layout: Layout, as_of: int | None, snapshot: Snapshot
) -> Counts:
    """``count_rows`` of validated rows, each spanning the months its layout says."""
    return count_rows(rows, layout.span(rows, snapshot), as_of, layout.count_extra(rows))


def count_with_groups(
    rows: ir.Table, layout: Layout, groups: ir.Table, as_of: int | None, snapshot: Snapshot
) -> Counts:
    """The counts: the accepted side off the stored groups, the rejected by a scan.

    The rows read are counted without reading them (a file's row count); only when they
    outnumber the accepted rows are the rejected ones scanned, by reason.
    """
    accepted = accepted_counts(groups, as_of)
    read = rows.count().to_pyarrow().as_py()
    rejected = NONE
    if read > accepted["rows"]:
        bad = rows.filter(rows._rr_reason.notnull())
        rejected = count_validated(bad, layout, as_of, snapshot)
    return rejected.with_accepted(accepted, read)


def _by_currency(summary: list[dict[str, Any]]) -> dict[str | None, CurrencyMoney]:
    """Money read, accepted and rejected per currency, from per-(reason, currency) counts."""
    found: dict[str | None, CurrencyMoney] = {}
    for r in summary:
        money = found.get(r["currency"], CurrencyMoney())
        found[r["currency"]] = money.plus(r["money"] or _ZERO, rejected=r["reason"] is not None)
    return found


#: The summary row of the accepted rows when there are none.
_NO_ROWS: dict[str, Any] = {"reason": None, "n": 0, "money": None, "money_in_range": None}


def _counts_of(
    summary: list[dict[str, Any]], by_currency: dict[str | None, CurrencyMoney]
) -> Counts:
    good = next((r for r in summary if r["reason"] is None), _NO_ROWS)
    bad = [r for r in summary if r["reason"] is not None]
    money_accepted = good["money"] or _ZERO
    money_rejected = sum((r["money"] or _ZERO for r in bad), _ZERO)
    return Counts(
        rows_read=sum(r["n"] for r in summary),
        rows_accepted=good["n"],
        rejected=sum(r["n"] for r in bad),
        by_reason={r["reason"]: r["n"] for r in bad},
        money_read=money_accepted + money_rejected,
        money_accepted=money_accepted,
        money_rejected=money_rejected,
        money_in_range=good["money_in_range"] or _ZERO,
        rows_without_amount=sum(r["without_amount"] for r in bad),
        first=good.get("first"),
        last=good.get("last"),
        observed=latest_event(good),
        open=good.get("open", 0),
        by_currency=by_currency,
    )


def latest_event(good: Mapping[str, Any]) -> Any:
    """The latest date the accepted rows record as having happened (``canonical.observed``).

    A subscriptions file that leaves the end of running subscriptions empty writes an end
    date once a subscription has ended: its end dates are events too. Where every row has
    an end (fixed terms), an end may be scheduled, and only starts and the like count.
    """
    observed, latest_end = good.get("observed"), good.get("latest_end")
    if good.get("open") and latest_end is not None and observed is not None:
        return max(observed, latest_end)
    return observed


def merged_by_reason(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-(reason, currency) counts folded back to per reason (a handful of rows)."""
    merged: dict[str | None, dict[str, Any]] = {}
    for r in summary:
        m = merged.get(r["reason"])
        if m is None:
            merged[r["reason"]] = {k: v for k, v in r.items() if k != "currency"}
        else:
            _fold(m, r)
    return list(merged.values())


def _fold(m: dict[str, Any], r: Mapping[str, Any]) -> None:
    """Adds one currency's counts ``r`` to the reason's ``m``."""
    for name in ("n", "without_amount", "open"):
        if name in r:
            m[name] += r[name]
    for name in ("money", "money_in_range"):
        if r[name] is not None:
            m[name] = (m[name] or _ZERO) + r[name]
    for name, pick in (("first", min), ("last", max), ("observed", max), ("latest_end", max)):
        if name in r and r[name] is not None:
            m[name] = r[name] if m.get(name) is None else pick(m[name], r[name])
