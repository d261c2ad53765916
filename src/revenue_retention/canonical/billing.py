"""Billing rules of known exports (Stripe): what is recurring revenue, normalised to a month.

METRICS.md §1: annual, quarterly, weekly plans are normalised to a monthly amount,
discounts reduce MRR, tax and one-off fees are not recurring revenue. Here those rules
are engine expressions over the typed rows of ``canonical.load``:

Stripe subscriptions export (one row per subscription):

- billed per interval = ``Amount`` x ``Quantity`` (blank quantity: 1), less the coupon's
  ``Amount Off`` (never below 0), less its ``Percent Off``;
- MRR = billed x months per interval: month / count, year / (12 count),
  week x 52 / (12 count), day x 365 / (12 count), rounded half up to 6 places;
- counted from ``Start`` (or ``Created``) to ``Ended At`` (a canceled subscription without
  one: ``Canceled At``); a trial is not revenue: counted from ``Trial End`` when later;
- status ``incomplete``, ``incomplete_expired`` (never paid): excluded; ``paused``: counted
  to its ``Current Period Start`` when that is after its start (Stripe pauses a subscription
  after a failed renewal: the periods before were paid), else excluded (its trial ended
  without a payment method: it never paid);
- tax is not added (``Tax Percent`` is not read).

Stripe invoice line items export (one row per invoice line):

- the line's ``Amount Excluding Tax`` (else ``Amount``) less its ``Discount Amount``,
  spread over its service period ``Period Start`` .. ``Period End`` (``canonical.load``);
- excluded: prorations, one-off invoice items (``Type`` other than ``subscription``)
  and lines of ``void`` or ``draft`` invoices.

An excluded row is read and accepted (its money is in the report) but carries no MRR;
the report counts excluded rows and money by reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical.parse import amount_syntax_reason, amount_value, text_of
from revenue_retention.errors import RejectReason
from revenue_retention.money import MONEY

__all__ = ["INVOICE_LINES", "SUBSCRIPTIONS", "Billing", "Interval", "interval_factor", "normalised"]

SUBSCRIPTIONS = "stripe-subscriptions"
INVOICE_LINES = "stripe-invoice-lines"

_NO_TEXT = ibis.null("string")
#: Months per interval as a fraction numerator / denominator (before the interval count).
_INTERVALS = {
    "day": (365, 12),
    "week": (52, 12),
    "month": (1, 1),
    "quarter": (1, 3),
    "year": (1, 12),
}
_SPELLINGS = {
    "daily": "day",
    "days": "day",
    "weekly": "week",
    "weeks": "week",
    "monthly": "month",
    "months": "month",
    "quarterly": "quarter",
    "quarters": "quarter",
    "yearly": "year",
    "years": "year",
    "annual": "year",
    "annually": "year",
}


def interval_factor(interval: str, count: int = 1) -> tuple[int, int]:
    """Months per billing interval as (numerator, denominator): MRR = billed x n / d.

    Defines: annual, quarterly, weekly plans normalised to monthly (METRICS.md §1).

    >>> interval_factor("year"), interval_factor("week"), interval_factor("month", 3)
    ((1, 12), (52, 12), (1, 3))
    """
    num, den = _INTERVALS[_SPELLINGS.get(interval, interval)]
    return num, den * count


def _optional_amount(column: ir.Value) -> tuple[ir.DecimalValue, ir.StringValue]:
    """An amount that may be blank (0): its value and why it is bad, if it is."""
    text = text_of(column)
    reason = ibis.ifelse(text.isnull(), _NO_TEXT, amount_syntax_reason(text))
    value = ibis.ifelse(
        text.isnull(), ibis.literal(Decimal(0), type=MONEY), amount_value(text, reason)
    )
    return value, reason


def _truthy(column: ir.Value) -> ir.BooleanValue:
    return text_of(column).lower().isin(["true", "yes", "1", "t", "y"]).fill_null(False)


def normalised(billed: ir.DecimalValue, num: ir.IntegerValue, den: ir.IntegerValue) -> ir.Value:
    """``billed x num / den`` exactly, rounded half up to 6 places, in integer arithmetic.

    Engines divide decimals in floating point, so the division is done on whole
    millionths: q = m // d, r = m % d, result = q n + round(r n / d).
    """
    micro = (billed * 1_000_000).round(0).cast("int64")
    q = micro // den
    r = micro % den
    rest = (2 * r * num + den) // (2 * den)
    units = q.cast(MONEY) * num.cast(MONEY) + rest.cast(MONEY)
    return (units * ibis.literal(Decimal("0.000001"), type=MONEY)).cast(MONEY)


class Interval:
    """A billing interval column (and its count): how many months one billed amount pays for.

    ``col``: the typed rows' columns by role, with ``interval`` (``month``, ``year``,
    ``quarterly``, ``annual`` ...) and optionally ``interval_count`` (blank: 1).
    """

    def __init__(self, col: dict[str, ir.Value]) -> None:
        self.col = col

    def _name(self) -> ir.StringValue:
        text = text_of(self.col["interval"]).lower()
        return ibis.cases(*[(text == k, v) for k, v in _SPELLINGS.items()], else_=text)

    def _num(self) -> ir.IntegerValue:
        interval = self._name()
        return ibis.cases(
            *[(interval == name, num) for name, (num, _) in _INTERVALS.items()],
            else_=ibis.null("int64"),
        )

    def _count(self) -> ir.IntegerValue:
        if "interval_count" not in self.col:
            return ibis.literal(1, "int64")
        text = text_of(self.col["interval_count"])
        count = text.try_cast("int64")
        return ibis.cases(
            (text.isnull(), 1),
            (~text.re_search(r"^[0-9]+$") | (count < 1), ibis.null("int64")),
            else_=count,
        )

    def _den(self) -> ir.IntegerValue:
        interval = self._name()
        den = ibis.cases(
            *[(interval == name, den) for name, (_, den) in _INTERVALS.items()],
            else_=ibis.null("int64"),
        )
        return den * self._count()

    def reason(self) -> ir.StringValue:
        """``invalid_interval`` for an interval or count that cannot be read, else null."""
        bad = self._num().isnull() | self._count().isnull()
        return ibis.ifelse(bad, RejectReason.INVALID_INTERVAL.value, _NO_TEXT)

    def monthly(self, billed: ir.DecimalValue) -> ir.DecimalValue:
        """The monthly amount of ``billed`` per interval (METRICS.md §1: annual / 12 ...)."""
        return normalised(billed.cast(MONEY), self._num(), self._den())

    def period_end(self, start: ir.DateValue) -> ir.DateValue:
        """The end (exclusive) of the period one amount billed on ``start`` pays for.

        A month, quarter or year (times the count) later; a week or day interval is a
        number of days, too short to span a month end, so its amount counts in its month.
        """
        interval = self._name()
        count = self._count()
        months = ibis.cases(
            (interval == "month", count),
            (interval == "quarter", 3 * count),
            (interval == "year", 12 * count),
            else_=ibis.null("int64"),
        )
        days = ibis.cases(
            (interval == "week", 7 * count),
            (interval == "day", count),
            else_=ibis.null("int64"),
        )
        by_months = start + months.as_interval("M")
        by_days = start + days.as_interval("D")
        return ibis.ifelse(months.notnull(), by_months, by_days).cast("date")


def _after_trial(start: ir.DateValue, dates: Mapping[str, ir.Value]) -> ir.DateValue:
    """A subscription's revenue start: its start, or its trial's end when later."""
    if "trial_end" not in dates:
        return start
    trial = dates["trial_end"]
    return ibis.ifelse(trial.notnull() & (trial > start), trial, start)


class Billing:
    """The rule expressions of one export over the typed rows ``rows`` (columns by role)."""

    def __init__(
        self,
        rules: str,
        col: dict[str, ir.Value],
        dates: Mapping[str, ir.DateValue] | None = None,
        renewal: ir.DateValue | None = None,
    ) -> None:
        """``dates``: the row's typed dates by role; ``renewal``: its latest renewal
        (Stripe's ``Current Period Start``), when the export has one."""
        self.rules = rules
        self.col = col
        self.dates = dict(dates or {})
        self.renewal = renewal
        self.interval = Interval(col) if "interval" in col else None

    def _paused(self) -> ir.BooleanValue:
        if "status" not in self.col:
            return ibis.literal(False)
        return (text_of(self.col["status"]).lower() == "paused").fill_null(False)

    def _billed_before_pause(self, start: ir.DateValue) -> ir.BooleanValue:
        """A paused subscription renewed after ``start``, its revenue's start: it paid
        until that renewal's invoice failed (Stripe's pause after a failed payment)."""
        if self.renewal is None:
            return ibis.literal(False)
        return self._paused() & (self.renewal > start).fill_null(False)

    def extra_reasons(self) -> dict[str, ir.StringValue]:
        """Reasons for the rule columns themselves (a bad interval, a bad discount)."""
        reasons: dict[str, ir.StringValue] = {}
        for role in ("amount_off", "percent_off", "discount_amount"):
            if role in self.col:
                reasons[role] = _optional_amount(self.col[role])[1]
        if self.interval is not None:
            reasons["interval"] = self.interval.reason()
        return reasons

    def recurring(self, billed: ir.DecimalValue) -> ir.DecimalValue:
        """The monthly recurring amount of a row whose billed amount is ``billed``."""
        if self.rules == SUBSCRIPTIONS:
            after = billed
            if "amount_off" in self.col:
                after = ibis.greatest(after - _optional_amount(self.col["amount_off"])[0], 0)
            if "percent_off" in self.col:
                off = _optional_amount(self.col["percent_off"])[0]
                after = after * (100 - off) * ibis.literal(Decimal("0.01"), type=MONEY)
            assert self.interval is not None  # the export's interval column is required
            return self.interval.monthly(after)
        after = billed
        if "discount_amount" in self.col:
            # Stripe writes a line's discounts as a positive amount taken off the line.
            after = after - _optional_amount(self.col["discount_amount"])[0].abs()
        return ibis.greatest(after, 0).cast(MONEY)

    def excluded(self) -> ir.StringValue:
        """Why a valid row carries no recurring revenue (null when it does)."""
        if self.rules == SUBSCRIPTIONS:
            status = text_of(self.col["status"]).lower() if "status" in self.col else None
            if status is None:
                return _NO_TEXT
            billed = (
                self._billed_before_pause(_after_trial(self.dates["start_date"], self.dates))
                if "start_date" in self.dates
                else ibis.literal(False)
            )
            return ibis.cases(
                (status.isin(["incomplete", "incomplete_expired"]), "never paid (status)"),
                ((status == "paused") & ~billed, "paused"),
                else_=_NO_TEXT,
            )
        cases = []
        if "proration" in self.col:
            cases.append((_truthy(self.col["proration"]), "proration"))
        if "line_type" in self.col:
            kind = text_of(self.col["line_type"]).lower()
            cases.append((kind.notnull() & (kind != "subscription"), "one-off invoice item"))
        if "invoice_status" in self.col:
            status = text_of(self.col["invoice_status"]).lower()
            cases.append(
                (
                    status.isin(["void", "draft", "deleted"]).fill_null(False),
                    "void or draft invoice",
                )
            )
        return ibis.cases(*cases, else_=_NO_TEXT) if cases else _NO_TEXT

    def period(
        self, start: ir.DateValue, end: ir.DateValue, values: dict[str, ir.Value]
    ) -> tuple[ir.DateValue, ir.DateValue]:
        """A subscription's revenue period: after its trial, to its end or cancellation."""
        if self.rules != SUBSCRIPTIONS:
            return start, end
        start = _after_trial(start, values)
        # Paused after a failed renewal: paid until that renewal, not after.
        end = ibis.ifelse(self._billed_before_pause(start), ibis.coalesce(end, self.renewal), end)
        if "cancelled_at" in values and "status" in self.col:
            canceled = text_of(self.col["status"]).lower() == "canceled"
            end = ibis.coalesce(
                end,
                ibis.ifelse(canceled.fill_null(False), values["cancelled_at"], ibis.null("date")),
            )
        return start, end
