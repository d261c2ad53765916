"""How ``load`` reads a source: one options object, shared by the Python API and the CLI.

``load(source, **options)`` takes exactly the fields of ``LoadOptions`` as keywords
(documented there, on ``load``), and the CLI's input options build one
(``cli.options.InputOptions.load_options``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from ibis.backends import BaseBackend

from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.errors import OptionError
from revenue_retention.periods import as_of_month

__all__ = ["LoadOptions", "OnBadRows"]

OnBadRows = Literal["raise", "reject"]


@dataclass(frozen=True)
class LoadOptions:
    """How ``load`` reads a source: its keywords, in its order, with their defaults.

    Attributes
    ----------
    table
        The table to read (``schema.table`` allowed), for a database URL or an engine.
    columns
        ``role -> column`` overrides when the header uses other names.
    as_of
        Last month analysed (``"YYYY-MM"``); later months are ignored.
    snapshot
        For dated inputs, whether a subscription counts in a month when active on its
        ``"last"`` day (default) or its ``"first"`` day.
    on_bad_rows
        ``"raise"`` stops at any bad row with ``BadRowsError``; ``"reject"`` sets them aside
        in ``Dataset.rejects`` and computes on the rest.
    engine
        ``"duckdb"`` (default), ``"spark"``, an open SparkSession, or an open Ibis backend.
        With a database URL, the computation runs in that database instead.
    input_format
        Name of the input adapter, when its detection should be bypassed.
    sheet
        The worksheet of an Excel workbook (default: the first).
    decimal_separator
        ``"."`` or ``","``: amounts are in a spreadsheet's display format (``1,234.50``,
        ``$1,200``), with this decimal separator. Without it, a revenue cube's amounts are
        read so anyway, and another file's once its values show how (see
        ``canonical.readings``).
    date_order
        ``"dmy"`` or ``"mdy"``: how ``01/02/2024``-style dates are read, when the file's
        own values do not show it.
    fx_rates
        With a ``currency`` column: a CSV of rates (``date, currency, rate_to_reporting``).
    fixed_rates
        With a ``currency`` column: fixed rates to the reporting currency (``{"EUR": 1.08}``).
    reporting_currency
        The currency figures are reported in (default: the data's only currency).
    spark_master
        With ``engine="spark"``: the master of the new session (default ``local[*]``).
    currency
        Without a currency column: the currency of amounts that do not name their own
        (``"EUR"``). Otherwise it is read from the amount's header (``Amount (USD)``) or
        values (``$1,200``) when they show it (see ``canonical.currency``).
    """

    table: str | None = None
    columns: Mapping[str, str] | None = None
    as_of: str | datetime.date | None = None
    snapshot: Snapshot = "last"
    on_bad_rows: OnBadRows = "raise"
    engine: str | BaseBackend | Any = "duckdb"
    input_format: str | None = None
    sheet: str | None = None
    decimal_separator: str | None = None
    date_order: str | None = None
    fx_rates: str | Path | None = None
    fixed_rates: Mapping[str, Decimal] | None = None
    reporting_currency: str | None = None
    spark_master: str | None = None
    currency: str | None = None

    def check(self) -> None:
        """Refuse values no source could be read with."""
        if self.snapshot not in ("last", "first"):
            raise OptionError("snapshot", self.snapshot, "must be 'last' or 'first'")
        if self.on_bad_rows not in ("raise", "reject"):
            raise OptionError("on_bad_rows", self.on_bad_rows, "must be 'raise' or 'reject'")

    @property
    def as_of_index(self) -> int | None:
        """The as-of month's index (``periods.month_index``), None for the data's own."""
        return as_of_month(self.as_of, "as_of")

    @property
    def fixed(self) -> dict[str, Decimal]:
        return dict(self.fixed_rates or {})

    @property
    def converting(self) -> bool:
        """Whether rates to convert amounts with are given."""
        return self.fx_rates is not None or bool(self.fixed_rates)
