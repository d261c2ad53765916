"""The source's rows in the shape validation reads, and how the file writes its values.

``Shaped`` holds what a load learns about the file as it goes: the readings of its dates
and amounts (decided again when rejected values show them, ``reread``), the currency its
amounts name (``settle_currency``) and the rates they are converted with (``fx``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.canonical import currency, readings
from revenue_retention.canonical.columns import ColumnMap, map_columns, preset_columns
from revenue_retention.canonical.fx_setup import FxSetup
from revenue_retention.canonical.layouts import layout_of
from revenue_retention.canonical.options import LoadOptions
from revenue_retention.canonical.validate import amount_role, validated
from revenue_retention.engine import capability, materialize
from revenue_retention.errors import OptionError
from revenue_retention.inputs import Raw

__all__ = ["Shaped", "column_map"]


class Shaped:
    """The source's rows in the shape validation reads: a cube unpivoted, others as they are."""

    def __init__(self, raw: Raw, cmap: ColumnMap, options: LoadOptions) -> None:
        self.raw = raw
        self.cmap = cmap
        self.layout = layout_of(cmap.layout)
        self.snapshot = options.snapshot
        self.fx: FxSetup | None = None
        #: The currency read from the header, values or --currency (no currency column).
        self.currency: currency.Currency | None = None
        separator = options.decimal_separator
        style = self.layout.decimal_style(self.rows(fast=True), separator)
        self.readings = readings.initial(cmap, separator, options.date_order, style)

    def reread(self, rows: ir.Table) -> bool:
        """Decide how the file writes its amounts and dates, when rejected values show it.

        ``rows``: the rows validated with the current readings. True when the readings
        changed, and the file must be validated again.
        """
        table = self.rows(fast=True)
        names = (*readings.DATE_ROLES, *readings.AMOUNT_ROLES)
        roles = [self.cmap.roles[r] for r in names if r in self.cmap.roles]
        if not any(c in table.columns and table[c].type().is_string() for c in roles):
            return False  # typed columns (Parquet, a database) are read as they are
        bad = rows.filter(rows._rr_reason.notnull())
        found = bad.group_by("_rr_reason").agg(n=bad.count()).to_pyarrow().to_pylist()
        by_reason = {r["_rr_reason"]: r["n"] for r in found}
        decided = readings.decide(table, self.cmap, self.readings, by_reason)
        if decided is None:
            return False
        self.readings = decided
        return True

    def settle_currency(self, given: str | None, converting: bool, reporting: str | None) -> bool:
        """Read the amounts' currency when no column names it; True when rows must carry it.

        Rows carry their currency (and are validated again) when their amounts name
        different ones, or when the amounts are to be converted to another currency.
        """
        cmap = self.cmap
        if "currency" in cmap.roles:
            if given is not None:
                raise OptionError(
                    "currency",
                    given,
                    f"is for amounts without a currency column; {self.raw.path} names each "
                    f"row's currency in column {cmap.roles['currency']!r} ({{reporting_currency}} "
                    "chooses the one reported)",
                )
            return False
        role = amount_role(cmap)
        named = self.layout.names_amount_column
        headers = [cmap.roles[role]] if named and not cmap.rules else []
        values: list[dict[str, Any]] = []
        table = self.rows(fast=True)
        column = cmap.roles[role]
        if self.readings.display and table[column].type().is_string():
            values = currency.value_marks(table, column)
        found = currency.infer(
            given, headers, values, self.layout.amount_column(cmap) if named else None
        )
        self.currency = found
        if found is None:
            return False
        if found.per_row and reporting is None:
            raise OptionError(
                "reporting_currency",
                None,
                f"is needed: {found.evidence} are in different currencies; name the one to "
                "report in and give rates ({fx_rates} FILE or {fixed_rates} CUR=RATE), or split "
                "the file by currency",
            )
        carried = found.per_row or converting or reporting not in (None, *found.codes)
        if carried:
            self.readings = replace(self.readings, currency=found)
        return carried

    def rows(self, fast: bool) -> ir.Table:
        """The source's rows in the layout's shape; ``fast``: scanned in parallel, unnumbered."""
        return self.layout.rows(self.raw.fast if fast else self.raw.table, self.cmap)

    def validated(self, fast: bool = False) -> ir.Table:
        rows = validated(self.rows(fast), self.cmap, self.readings)
        return rows if self.fx is None or fast else self.fx_checked(rows)

    def fx_checked(self, rows: ir.Table) -> ir.Table:
        """Rows whose currency has no rate by their first month, rejected as such."""
        assert self.fx is not None
        first = self.layout.span(rows, self.snapshot)[0]
        column = self.cmap.roles.get("currency") or self.layout.amount_column(self.cmap)
        return self.fx.checked(rows, first, column)

    @property
    def one_scan(self) -> bool:
        """Whether the rows are customer-months as they are (line items of a long export)."""
        cmap = self.cmap
        return self.layout.sums_in_one_scan and not cmap.rules and "currency" not in cmap.roles

    def validated_rows(self, con: BaseBackend, options: LoadOptions) -> ir.Table:
        """The rows parsed and validated once, with their currency checked against the rates.

        The counts, the canonical table and the examples of bad rows all read this table
        instead of parsing the file again. A typed long source the engine scans cheaply is not
        copied: the one scan that sums it into customer-months validates it on the way.
        """
        lazy = self.raw.rescan and capability(con, "rescan") == "lazy" and self.one_scan
        rows = _stored(con, self.validated(fast=True), lazy)
        # A row is rejected for its first bad column only: once its dates are read the file's
        # way, its amounts may show theirs. Each pass settles dates or amounts for good
        # (``readings.decide``), so this ends after at most two rereads.
        while self.reread(rows):
            rows = _stored(con, self.validated(fast=True), lazy)
        given = options.currency, options.converting, options.reporting_currency
        if self.settle_currency(*given):
            # The amounts name their currencies (or are to be converted): each row now carries
            # its currency, as it would from a currency column.
            rows = _stored(con, self.validated(fast=True), False)
        if options.converting and "currency" not in rows.columns:
            fx_rates, fixed = options.fx_rates, options.fixed
            raise OptionError(
                "fx_rates" if fx_rates is not None else "fixed_rates",
                str(fx_rates) if fx_rates is not None else ",".join(fixed),
                f"needs a currency column in {self.raw.path}, or amounts that name their "
                "currency (Amount (EUR), EUR 90), or {currency} CODE",
            )
        if "currency" in rows.columns:
            fixed, reporting = options.fixed, options.reporting_currency
            self.fx = FxSetup.build(con, rows, options.fx_rates, fixed, reporting)
            rows = materialize(con, self.fx_checked(rows), "validated_fx")
        return rows


def _stored(con: BaseBackend, validated: ir.Table, lazy: bool) -> ir.Table:
    return validated if lazy else materialize(con, validated, "validated")


def column_map(raw: Raw, columns: Mapping[str, str] | None) -> ColumnMap:
    """The roles of the source's columns: an adapter's own, or read from the header."""
    if raw.roles is not None and raw.layout is not None:
        given = dict(columns or {})
        return preset_columns(raw.columns, raw.path, raw.roles, raw.layout, raw.adapter, given)
    return map_columns(raw.columns, raw.path, columns)
