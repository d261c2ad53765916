"""The canonical customer-month MRR table: schema, validation, rejects (METRICS.md §1)."""

from __future__ import annotations

from revenue_retention.canonical.columns import (
    ALIASES,
    ColumnMap,
    map_columns,
    parse_column_options,
)
from revenue_retention.canonical.dataset import Dataset, InputReport, Snapshot
from revenue_retention.canonical.fx import Fx, parse_fx_rates
from revenue_retention.canonical.load import load, read
from revenue_retention.canonical.options import LoadOptions

__all__ = [
    "ALIASES",
    "ColumnMap",
    "Dataset",
    "Fx",
    "InputReport",
    "LoadOptions",
    "Snapshot",
    "load",
    "map_columns",
    "parse_column_options",
    "parse_fx_rates",
    "read",
]
