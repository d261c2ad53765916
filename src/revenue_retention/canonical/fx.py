"""Several currencies: exchange rates by month, and amounts converted to the reporting currency.

Rates come from a file (``date, currency, rate_to_reporting``: one unit of the currency
is worth ``rate`` units of the reporting currency) or are fixed (``EUR=1.08``). The rate
of a month is the latest one dated on or before the month's last day (a fixed rate holds
for every month; the reporting currency's rate is 1). A row whose currency has no rate
on or before its first month is rejected (``missing_fx_rate``), never converted at 0 or 1.

Converted amounts are rounded once, to the money scale (6 places, half away from zero),
per customer, month and currency. See docs/metrics.md ("Several currencies") for the
constant-currency rule the metrics apply on top of these tables.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from revenue_retention.canonical.parse import date_value, text_of
from revenue_retention.canonical.rejected import Locator
from revenue_retention.engine import LINE_COLUMN, materialize
from revenue_retention.errors import OptionError, RejectReason, SourceError
from revenue_retention.inputs import read_source
from revenue_retention.money import MONEY, positive_decimal
from revenue_retention.periods import month_start

__all__ = [
    "RATE",
    "Fx",
    "convert",
    "currency_text",
    "parse_fx_rates",
    "rate_starts",
    "read_rates",
    "resolve_reporting",
    "spine_rates",
]

#: Exchange rates are exact decimals with up to 12 places.
RATE = dt.Decimal(38, 12)
_CODE = re.compile(r"^[A-Za-z]{3}$")
_RATE_TEXT = r"^[0-9]{1,12}(\.[0-9]{0,12})?$"
_ALIASES = {
    "date": ("date", "rate_date", "effective_date", "as_of", "day", "month", "period"),
    "currency": ("currency", "currency_code", "ccy", "code", "from_currency", "source_currency"),
    "rate": (
        "rate_to_reporting",
        "rate",
        "fx_rate",
        "exchange_rate",
        "rate_to_usd",
        "rate_to_eur",
        "to_reporting",
    ),
}
_EARLIEST = "0001-01-01"


def parse_fx_rates(options: Iterable[str]) -> dict[str, Decimal]:
    """Fixed rates from ``CUR=RATE`` options (``--fx-rate EUR=1.08``).

    >>> parse_fx_rates(["eur=1.08", "GBP = 1.27"])
    {'EUR': Decimal('1.08'), 'GBP': Decimal('1.27')}
    """
    rates: dict[str, Decimal] = {}
    for option in options:
        code, sep, value = option.partition("=")
        code = code.strip().upper()
        if not sep or not _CODE.match(code):
            raise OptionError("fixed_rates", option, "must look like CUR=RATE, e.g. EUR=1.08")
        rates[code] = positive_decimal(
            "fixed_rates", value, "EUR=1.08", places=RATE.scale, shown=option
        )
    return rates


def currency_text(column: ir.Value) -> ir.StringValue:
    """A currency code as written, trimmed and in capitals; null when empty."""
    return text_of(column).upper()


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_rates(path: str | Path, con: BaseBackend) -> ir.Table:
    """The rates file as ``currency, date, rate`` rows; a bad line stops with its reason.

    The file is configuration, not data: it is either right or refused, naming the line.
    """
    raw = read_source(path, con)
    found = {}
    by_norm = {_normalise(c): c for c in raw.columns}
    for role, names in _ALIASES.items():
        column = next((by_norm[n] for n in names if n in by_norm), None)
        if column is None:
            raise SourceError(
                raw.path,
                f"no {role} column in the rates file; columns found: {', '.join(raw.columns)}; "
                f"expected date, currency, rate_to_reporting",
            )
        found[role] = column
    t = raw.table
    code = currency_text(t[found["currency"]])
    date_text = text_of(t[found["date"]])
    rate_text = text_of(t[found["rate"]])
    checked = t.select(
        line=t[LINE_COLUMN],
        currency=code,
        date=date_value(date_text),
        rate=rate_text.try_cast(RATE),
        _date=date_text,
        _rate=rate_text,
        _code=code,
    )
    why = ibis.cases(
        (checked._code.isnull() | ~checked._code.re_search(r"^[A-Z]{3}$"), "not a currency code"),
        (checked.date.isnull(), "not a date (YYYY-MM-DD or YYYY-MM)"),
        (
            ~checked._rate.fill_null("").re_search(_RATE_TEXT) | (checked.rate <= 0),
            "not a positive decimal rate",
        ),
        else_=ibis.null("string"),
    )
    verdict = checked.mutate(_why=why)
    # Scanning the file for its bad rates also records the lines the reader set aside.
    bad_rows = materialize(
        con, verdict.filter(verdict._why.notnull()).order_by("line").limit(3), "bad_rates"
    )
    locator = Locator(raw, con)
    _refuse_set_aside(locator)
    bad = locator.records(bad_rows, "line").order_by("line").to_pyarrow().to_pylist()
    if bad:
        shown = [
            f"line {r['line']}: {' '.join(str(r[k] or '') for k in ('_code', '_date', '_rate'))}"
            f": {r['_why']}"
            for r in bad
        ]
        lines = "; ".join(shown)
        raise SourceError(raw.path, f"bad exchange rates ({lines})")
    rates = verdict.select("currency", "date", "rate")
    dupes = rates.group_by("currency", "date").agg(n=rates.count(), rates=rates.rate.nunique())
    clash = dupes.filter(dupes.rates > 1).limit(1).to_pyarrow().to_pylist()
    if clash:
        c = clash[0]
        raise SourceError(raw.path, f"two different rates for {c['currency']} on {c['date']}")
    return rates.distinct()


def _refuse_set_aside(locator: Locator) -> None:
    """Stop on a record the reader could not split (a ragged line), naming its line."""
    aside = locator.placed_set_aside()
    if aside is None:
        return
    found = aside.order_by("line").limit(3).to_pyarrow().to_pylist()
    shown = "; ".join(
        f"line {r['line']}: {r['text']}: {RejectReason(r['reason']).explanation}" for r in found
    )
    raise SourceError(locator.raw.path, f"bad exchange rates ({shown})")


def resolve_reporting(given: str | None, currencies: Sequence[str], has_rates: bool) -> str:
    """The reporting currency: the one given, else the data's only currency."""
    if given is not None:
        if not _CODE.match(given.strip()):
            raise OptionError("reporting_currency", given, "is not a currency code such as USD")
        return given.strip().upper()
    if len(currencies) == 1 and not has_rates:
        return currencies[0]
    if not currencies:  # no valid row: the bad rows are what to report
        return ""
    shown = ", ".join(currencies) or "none"
    raise OptionError(
        "reporting_currency",
        None,
        f"is needed: the data has currencies {shown}; name the one to report in "
        "(and give rates with {fx_rates} FILE or {fixed_rates} CUR=RATE)",
    )


def rate_starts(rates: ir.Table | None, fixed: Mapping[str, Decimal], reporting: str) -> ir.Table:
    """Per currency, the first date it has a rate: ``currency, rate_from`` (a small table)."""
    always = {reporting, *fixed}
    rows = pa.table(
        {
            "currency": pa.array(sorted(always), pa.string()),
            "rate_from": pa.array([_EARLIEST] * len(always), pa.string()),
        }
    )
    known = ibis.memtable(rows).mutate(rate_from=ibis._.rate_from.cast("date"))
    if rates is None:
        return known
    dated = rates.filter(~rates.currency.isin(list(always)))
    dated = dated.group_by("currency").agg(rate_from=dated.date.min())
    return ibis.union(known, dated)


def spine_rates(
    rates: ir.Table | None,
    fixed: Mapping[str, Decimal],
    reporting: str,
    currencies: Sequence[str],
    months: range,
) -> ir.Table:
    """The rate of every currency in every month: ``currency, month_index, rate``.

    The latest rate dated on or before the month's last day (an as-of join in the
    engine); fixed rates and the reporting currency's 1 hold in every month.
    """
    spine = pa.table(
        {
            "currency": pa.array([c for c in currencies for _ in months], pa.string()),
            "month_index": pa.array([m for _ in currencies for m in months], pa.int64()),
            "month_end": pa.array([_month_end(m) for _ in currencies for m in months], pa.date32()),
        }
    )
    grid = ibis.memtable(spine)
    constant = {reporting: Decimal(1), **fixed}
    fixed_rate = ibis.cases(
        *[(grid.currency == c, ibis.literal(r, type=RATE)) for c, r in constant.items()],
        else_=ibis.null(RATE),
    )
    grid = grid.mutate(fixed_rate=fixed_rate)
    if rates is None:
        return grid.select("currency", "month_index", rate=grid.fixed_rate)
    dated = rates.select(r_currency=rates.currency, r_date=rates.date, r_rate=rates.rate)
    joined = grid.asof_join(
        dated, grid.month_end >= dated.r_date, predicates=[grid.currency == dated.r_currency]
    )
    return joined.select(
        "currency", "month_index", rate=ibis.coalesce(joined.fixed_rate, joined.r_rate)
    )


def _month_end(index: int) -> datetime.date:
    return month_start(index + 1) - datetime.timedelta(days=1)


def convert(local: ir.DecimalValue, rate: ir.DecimalValue) -> ir.DecimalValue:
    """``local x rate`` rounded to the money scale: the one rounding of a conversion."""
    return (local.cast(RATE) * rate.cast(RATE)).cast(MONEY)


@dataclass(frozen=True)
class Fx:
    """What several currencies add to a dataset: local amounts and the rates of each month.

    ``lines`` has ``customer_id, month_index, currency, local`` (the amounts in their own
    currency, summed per customer, month and currency); ``rates`` has ``currency,
    month_index, rate`` for every currency and month analysed. The dataset's ``mrr`` is
    the spot figure: each month's local amounts at that month's rates.
    """

    reporting: str
    currencies: tuple[str, ...]
    lines: ir.Table
    rates: ir.Table
    #: Where the rates came from, for the report.
    source: str

    @property
    def active(self) -> bool:
        """Whether any amount is converted: otherwise figures are single-currency."""
        return any(c != self.reporting for c in self.currencies)

    def describe(self) -> dict[str, object]:
        return {
            "reporting_currency": self.reporting,
            "currencies": list(self.currencies),
            "rates": self.source,
        }
