"""Shared building blocks of metric expressions: paying rows, month spines (rates: ``spec``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.canonical import Dataset
from revenue_retention.errors import OptionError
from revenue_retention.periods import MonthRange, month_start

__all__ = ["month_spine", "month_start_of", "paying", "resolve"]


def resolve(data: Dataset | ir.Table, months: MonthRange | None) -> tuple[ir.Table, MonthRange]:
    """Accept a loaded ``Dataset`` (its own month range) or a canonical table plus months."""
    if isinstance(data, Dataset):
        return data.table, months or data.months
    if months is None:
        raise OptionError("months", None, "must be given with a bare table")
    return data, months


def paying(table: ir.Table, keep: Sequence[str] = ()) -> ir.Table:
    """Customer-months with MRR > 0: a missing or zero month is the same thing (§1).

    Defines: a month with no row means MRR 0 (METRICS.md §1).

    ``keep`` names attribute columns to carry along (names absent from the table, such
    as the derived ``size_band``, are skipped).
    """
    extra = [name for name in keep if name in table.columns]
    return table.filter(table.mrr > 0).select("customer_id", "month_index", "mrr", *extra)


def month_start_of(month_index: ir.IntegerValue) -> ir.DateValue:
    """Engine expression: the first day of the month with this index."""
    year = (month_index // 12).cast("int32")
    month = (month_index % 12 + 1).cast("int32")
    return ibis.date(year, month, 1)


def month_spine(months: Iterable[int], extra: dict[str, Sequence[int]] | None = None) -> ir.Table:
    """A small table of the months a result must have a row for, even with no activity."""
    indexes = list(months)
    columns: dict[str, pa.Array] = {
        "month_index": pa.array(indexes, pa.int64()),
        "period": pa.array([month_start(m) for m in indexes], pa.date32()),
    }
    for name, values in (extra or {}).items():
        columns[name] = pa.array(list(values), pa.int64())
    return ibis.memtable(pa.table(columns))
