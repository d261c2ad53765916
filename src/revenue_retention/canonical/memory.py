"""A Dataset from a table that is already canonical (METRICS.md §1), without reading a file.

For callers that hold customer-month MRR already typed and valid: the metric properties
(tests) run on it, so that each generated example costs the metrics and not a CSV parse
and the loader's validation. Nothing is rejected here: a column of the wrong type is an
error, not a row set aside, and the loader keeps the job of validating raw input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from revenue_retention.canonical.dataset import Dataset, InputReport
from revenue_retention.engine import connect, materialize
from revenue_retention.errors import InputError
from revenue_retention.money import MONEY
from revenue_retention.periods import MonthRange, month_index_of

__all__ = ["from_canonical"]

_PATH = "<in-memory table>"
_LINE_ROLES = ("product", "quantity", "unit_price")


def from_canonical(
    table: pa.Table | ir.Table,
    *,
    con: BaseBackend | None = None,
    attributes: Sequence[str] = (),
    line_items: pa.Table | ir.Table | None = None,
) -> Dataset:
    """The Dataset of a canonical table: ``customer_id``, ``month`` or ``month_index``, ``mrr``.

    Parameters
    ----------
    table
        An Arrow table, or an Ibis table on ``con``: ``customer_id`` (string), ``month``
        (date, any day of the month) or ``month_index`` (integer, see ``periods``), ``mrr``
        (decimal), and the ``attributes`` columns. A customer may have several rows in a
        month (line items): they are summed, and an attribute takes its smallest value,
        as the loader does.
    con
        The engine to compute in (a fresh in-memory DuckDB by default).
    attributes
        Columns of ``table`` kept as segment attributes.
    line_items
        The rows as billed, for ``decompose``: ``customer_id``, ``month`` (date),
        ``product``, ``quantity``, ``unit_price``, ``mrr``.

    Returns
    -------
    Dataset
        With an input report of everything accepted and nothing rejected.

    Examples
    --------
    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> t = pa.table({"customer_id": ["a", "a", "b"],
    ...               "month": [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1)],
    ...               "mrr": [Decimal("10.00"), Decimal("5.00"), Decimal("7.50")]})
    >>> data = from_canonical(t)
    >>> str(data.months), str(data.report.money_accepted)
    ('2024-01 to 2024-02', '22.500000')
    """
    con = connect("duckdb") if con is None else con
    rows = _on(con, table, "memory_rows")
    _check_types(rows, attributes)
    if "month_index" not in rows.columns:
        rows = rows.mutate(month_index=month_index_of(rows.month))
    grouped = rows.group_by("customer_id", "month_index").agg(
        mrr=rows.mrr.sum().cast(MONEY), **{name: rows[name].min() for name in attributes}
    )
    year = (grouped.month_index // 12).cast("int32")
    month = (grouped.month_index % 12 + 1).cast("int32")
    canonical = materialize(
        con,
        grouped.select(
            "customer_id",
            "month_index",
            period=ibis.date(year, month, 1),
            mrr=grouped.mrr,
            **{name: grouped[name] for name in attributes},
        ),
        "canonical",
    )
    first, last, money, count = _summary(rows, canonical)
    if first is None or last is None:
        raise InputError(f"{_PATH}: has no rows")
    months = MonthRange(first, last)
    roles = {"customer_id": "customer_id", "month": "month", "mrr": "mrr"}
    items = rows.select("customer_id", "month_index", "mrr")
    if line_items is not None:
        items = _on(con, line_items, "memory_lines")
        roles |= {role: role for role in _LINE_ROLES}
    report = InputReport(
        path=_PATH,
        adapter="memory",
        layout="long",
        columns=roles | {name: name for name in attributes},
        attributes=tuple(attributes),
        snapshot="last",
        rows_read=count,
        rows_accepted=count,
        rows_rejected=0,
        rejected_by_reason={},
        money_read=money,
        money_accepted=money,
        money_rejected=Decimal(0),
        rows_without_amount=0,
        data_months=months,
        months=months,
    )
    return Dataset(
        con=con,
        _table=canonical,
        months=months,
        attributes=tuple(attributes),
        report=report,
        rejects=_no_rejects(),
        line_items=items,
    )


def _on(con: BaseBackend, table: pa.Table | ir.Table, prefix: str) -> ir.Table:
    """The table stored on ``con`` (an Arrow table is copied in once)."""
    if isinstance(table, pa.Table):
        return materialize(con, ibis.memtable(table), prefix)
    return table


def _check_types(rows: ir.Table, attributes: Sequence[str]) -> None:
    """Canonical columns of the canonical types: what the loader would have produced."""
    schema = rows.schema()
    month = "month_index" if "month_index" in schema else "month"
    expected: dict[str, Callable[[dt.DataType], bool]] = {
        "customer_id": lambda t: t.is_string(),
        month: (lambda t: t.is_integer()) if month == "month_index" else (lambda t: t.is_date()),
        "mrr": lambda t: t.is_decimal(),
    }
    for name in [*expected, *attributes]:
        if name not in schema:
            raise InputError(f"{_PATH}: has no column {name!r} (columns: {', '.join(schema)})")
    for name, fits in expected.items():
        if not fits(schema[name]):
            raise InputError(f"{_PATH}: column {name!r} is {schema[name]}, not canonical")


def _summary(rows: ir.Table, canonical: ir.Table) -> tuple[int | None, int | None, Decimal, int]:
    """First and last month, money and rows read (line items before they are summed)."""
    found = (
        canonical.agg(
            first=canonical.month_index.min(),
            last=canonical.month_index.max(),
            money=canonical.mrr.sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    count: int = rows.count().to_pyarrow().as_py()
    return found["first"], found["last"], found["money"] or Decimal(0), count


def _no_rejects() -> ir.Table:
    """The rejects of a table that had none to reject, in the shape of a rejects table."""
    schema = {"file": "string", "line": "int64", "column": "string", "value": "string"}
    return ibis.memtable([], schema=schema | {"reason": "string"})
