"""How ``load`` reads a source: one options object, shared by the Python API and the CLI.

``load(source, **options)`` takes exactly the fields of ``LoadOptions`` as keywords
(documented there, on ``load``), and the CLI's input options build one
(``cli.options.InputOptions.load_options``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from ibis.backends import BaseBackend

from revenue_retention.canonical.dataset import Snapshot
from revenue_retention.errors import OptionError
from revenue_retention.periods import parse_month

__all__ = ["LoadOptions", "OnBadRows"]

OnBadRows = Literal["raise", "reject"]


@dataclass(frozen=True)
class LoadOptions:
    """The keywords of ``load`` (see its docstring for each), in its order."""

    table: str | None = None
    columns: Mapping[str, str] | None = None
    as_of: str | int | None = None
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
            raise OptionError("--snapshot", self.snapshot, "must be 'last' or 'first'")
        if self.on_bad_rows not in ("raise", "reject"):
            raise OptionError("on_bad_rows", self.on_bad_rows, "must be 'raise' or 'reject'")

    @property
    def as_of_index(self) -> int | None:
        """The as-of month's index (``periods.month_index``), None for the data's own."""
        return parse_month(self.as_of) if isinstance(self.as_of, str) else self.as_of

    @property
    def fixed(self) -> dict[str, Decimal]:
        return dict(self.fixed_rates or {})

    @property
    def converting(self) -> bool:
        """Whether rates to convert amounts with are given."""
        return self.fx_rates is not None or bool(self.fixed_rates)
