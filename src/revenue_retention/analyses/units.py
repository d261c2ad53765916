"""The ARR view of a result: every amount of recurring revenue x 12, exact (``--unit arr``).

ARR is MRR x 12 (docs/metrics.md, "ARR"): the bridge, the windows' money and the growth
figures are scaled as they are, so that every identity still holds to the cent
(closing = opening + new + reactivation + expansion - contraction - churn, x 12 on both
sides) and every rate is unchanged. Amounts that are not a monthly flow keep their value:
LTV is a lifetime's money whatever the unit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from decimal import Decimal
from typing import TypeVar

import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.errors import OptionError
from revenue_retention.money import MONEY

__all__ = [
    "ARR_FACTOR",
    "METRICS_TABLES",
    "NOT_MONTHLY",
    "UNITS",
    "check_unit",
    "in_arr",
    "scale_money",
    "scale_result",
    "scale_rows",
]

#: The units every money figure can be shown in; ``mrr`` is the default.
UNITS = ("mrr", "arr")
#: ARR = MRR x 12.
ARR_FACTOR = Decimal(12)

#: The money tables of a ``MetricsResult``.
METRICS_TABLES = (
    "bridge",
    "retention",
    "bridge_by",
    "retention_by",
    "retention_spot",
    "churn_reasons",
)

_R = TypeVar("_R")


def check_unit(unit: str) -> str:
    """``mrr`` or ``arr`` (any case); an ``OptionError`` naming both otherwise."""
    found = unit.strip().lower()
    if found not in UNITS:
        raise OptionError("unit", unit, f"must be one of {', '.join(UNITS)}")
    return found


def scale_money(
    table: pa.Table | None, factor: Decimal = ARR_FACTOR, keep: Collection[str] = ()
) -> pa.Table | None:
    """Every decimal column (money) of ``table`` times ``factor``, types kept, except ``keep``.

    >>> t = pa.table({"month": [1], "mrr": pa.array([Decimal("83.333333")], pa.decimal128(38, 6))})
    >>> scale_money(t).column("mrr").to_pylist()
    [Decimal('999.999996')]
    """
    if table is None:
        return None
    for i, field in enumerate(table.schema):
        if not pa.types.is_decimal(field.type) or field.name in keep:
            continue
        # One row per month or window: a small result, not the data's rows.
        values = [None if v is None else v * factor for v in table.column(i).to_pylist()]
        # x 12 may need a digit more than the column had (a sum typed DECIMAL(18, 6)).
        typed = pa.decimal128(38, field.type.scale) if field.type.precision < 38 else field.type
        table = table.set_column(i, field.with_type(typed), pa.array(values, typed))
    return table


def in_arr(result: _R, tables: Collection[str], keep: Collection[str] = ()) -> _R:
    """A result (``MetricsResult``, ``GrowthResult``) with its money tables x 12, ``unit`` arr.

    ``tables`` names the fields holding money tables (a table of quantities is not
    money); ``keep`` names decimal columns that are not monthly amounts (LTV).
    """
    assert dataclasses.is_dataclass(result) and not isinstance(result, type)
    changes: dict[str, object] = {"unit": "arr"}
    for name in tables:
        changes[name] = scale_money(getattr(result, name), keep=keep)
    return dataclasses.replace(result, **changes)


#: Parts of the names of decimal columns and fields that are not monthly amounts: they keep
#: their value in ARR (a seat count, a lifetime's value); ``q0`` and ``q1`` are the
#: quantities of METRICS.md §6 (its prices ``p0``, ``p1`` are monthly and are scaled), ``grr``
#: and ``nrr`` rates kept exact (a forecast's).
NOT_MONTHLY = ("quantity", "seats", "ltv")
_NOT_AMOUNTS = ("q0", "q1", "grr", "nrr")


def _monthly(name: str) -> bool:
    lowered = name.lower()
    return lowered not in _NOT_AMOUNTS and not any(part in lowered for part in NOT_MONTHLY)


def scale_result(result: _R, factor: Decimal = ARR_FACTOR) -> _R:
    """Any result in ARR: every money table and amount x ``factor``, exact; rates kept.

    Walks the result's fields: decimal columns of Arrow tables and ``Decimal`` fields are
    scaled (but for ``NOT_MONTHLY`` names), nested records too (a method's figures, the
    totals of a decomposition); the input report (money read, accepted, rejected: what the
    file holds) is kept as it is.
    """
    assert dataclasses.is_dataclass(result) and not isinstance(result, type)
    changes: dict[str, object] = {}
    for field in dataclasses.fields(result):
        if field.name == "input" or not _monthly(field.name):
            continue
        changes[field.name] = _scaled(getattr(result, field.name), factor)
    return dataclasses.replace(result, **changes)


def _scaled(value: object, factor: Decimal) -> object:
    if isinstance(value, pa.Table):
        return scale_money(value, factor, keep=[c for c in value.column_names if not _monthly(c)])
    if isinstance(value, Decimal):
        return value * factor
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return scale_result(value, factor)
    if isinstance(value, tuple):
        # Records (a method's figures) and plain rows (a forecast's path: month, amount,
        # low, high): their amounts scaled, their months and counts kept.
        return tuple(_scaled(v, factor) for v in value)
    return value


def scale_rows(table: ir.Table, rename: bool = False) -> ir.Table:
    """Rows of any size in ARR, in the engine: each monthly decimal column x 12, exact.

    With ``rename``, ``mrr`` columns are named ``arr`` (``previous_mrr`` is
    ``previous_arr``), as a file of ARR says.
    """
    columns = {}
    for name, kind in table.schema().items():
        value = table[name]
        if kind.is_decimal() and _monthly(name):
            value = (value * ARR_FACTOR).cast(MONEY)
        new = ("arr" if name == "mrr" else name.replace("_mrr", "_arr")) if rename else name
        columns[new] = value
    return table.select(**columns)
