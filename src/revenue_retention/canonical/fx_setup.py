"""The exchange rates a dataset with several currencies is converted with (``canonical.fx``).

Set up once the rows are validated, before their months are known: which currencies the
valid rows are in, the reporting currency, and the rates given (a file, fixed rates).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.canonical import fx
from revenue_retention.engine import describe_error, engine_errors, materialize
from revenue_retention.errors import RejectReason, SourceError
from revenue_retention.periods import month_start_of_index

__all__ = ["FxSetup"]


class FxSetup:
    """The rates a dataset with a currency column is converted with, before its months are known."""

    def __init__(
        self,
        reporting: str,
        currencies: tuple[str, ...],
        rates: ir.Table | None,
        fixed: dict[str, Decimal],
        source: str,
    ) -> None:
        self.reporting = reporting
        self.currencies = currencies
        self.rates = rates
        self.fixed = fixed
        self.source = source
        self.starts = fx.rate_starts(rates, fixed, reporting)

    @classmethod
    def build(
        cls,
        con: BaseBackend,
        rows: ir.Table,
        path: str | Path | None,
        fixed: dict[str, Decimal],
        reporting: str | None,
    ) -> FxSetup:
        rates = None
        if path:
            try:
                rates = materialize(con, fx.read_rates(path, con), "rates")
            except engine_errors() as error:
                raise SourceError(str(path), f"cannot be read: {describe_error(error)}") from None
        valid = rows.filter(rows._rr_reason.isnull())
        found = valid.select("currency").distinct().order_by("currency").to_pyarrow()
        currencies = tuple(c for c in found["currency"].to_pylist() if c)
        code = fx.resolve_reporting(reporting, currencies, rates is not None or bool(fixed))
        sources = ([f"file {path}"] if path else []) + (
            [", ".join(f"{c}={r}" for c, r in sorted(fixed.items()))] if fixed else []
        )
        return cls(code, currencies, rates, fixed, "; ".join(sources) or "none needed")

    @property
    def active(self) -> bool:
        return any(c != self.reporting for c in self.currencies)

    def checked(self, rows: ir.Table, first: ir.IntegerValue, column: str) -> ir.Table:
        """Rows whose currency has no rate by their ``first`` month, rejected as such.

        ``column``: the column a failure is named by (the currency's, or the amount's).
        """
        month_end = month_start_of_index(first + 1) - ibis.interval(days=1)
        starts = self.starts.select(_s_currency="currency", _s_from="rate_from")
        joined = rows.left_join(starts, rows.currency == starts._s_currency)
        missing = joined._rr_reason.isnull() & (
            joined._s_from.isnull() | (month_end.cast("date") < joined._s_from)
        ).fill_null(True)
        return joined.mutate(
            _rr_reason=ibis.ifelse(missing, RejectReason.MISSING_FX_RATE.value, joined._rr_reason),
            _rr_bad_column=ibis.ifelse(missing, column, joined._rr_bad_column),
            _rr_bad_value=ibis.ifelse(missing, joined.currency, joined._rr_bad_value),
        ).drop("_s_currency", "_s_from")
