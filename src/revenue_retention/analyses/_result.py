"""The one base class of every analysis result: display, JSON and tables in one place.

A result is a frozen dataclass of executed, small values (Arrow tables of exact decimals,
numbers, tuples of records). How it looks on each channel is its presenter's business
(``outputs.registry``); this class only forwards to it. The forwarding imports outputs
inside each method: analyses sit below outputs, so they must not load them on import (the
import-linter contract allows exactly this one upward import).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

from revenue_retention.errors import OptionError
from revenue_retention.periods import month_start

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    import polars as pl

__all__ = ["Money", "Result"]

#: How money comes out of ``to_pandas``/``to_polars``: exact ``Decimal`` or ``float``.
Money = Literal["decimal", "float"]
_INDEX = "_index"
#: The date column an engine index column stands for, when not its name without ``_index``.
_DATE_OF = {"month_index": "period"}


def _is_records(value: object) -> bool:
    """Whether ``value`` is a non-empty tuple of records (dataclass instances)."""
    return (
        isinstance(value, tuple)
        and bool(value)
        and all(dataclasses.is_dataclass(v) and not isinstance(v, type) for v in value)
    )


def _plain(value: object) -> object:
    """A nested value Arrow cannot type consistently across records, as JSON text."""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=str, sort_keys=True)
    return value


def _records_table(records: tuple[Any, ...]) -> pa.Table:
    """Records as a table; nested dicts become structs when every record agrees on their
    shape, else JSON text (a diagnostic's free-form facts)."""
    rows = [dataclasses.asdict(r) for r in records]
    try:
        return pa.Table.from_pylist(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.Table.from_pylist([{k: _plain(v) for k, v in row.items()} for row in rows])


def _month_dates(column: pa.ChunkedArray) -> pa.Array:
    """Month indexes as the first day of each month (``date32``); a few hundred values."""
    return pa.array(
        [None if i is None else month_start(i) for i in column.to_pylist()], pa.date32()
    )


def _public(table: pa.Table) -> pa.Table:
    """``table`` without the engine's ``*_index`` month columns.

    An index beside its date (``month_index`` with ``period``, ``as_of_index`` with
    ``as_of``) is dropped; one without (``cohort_index``) becomes that date (``cohort``).
    """
    for name in [n for n in table.column_names if n.endswith(_INDEX)]:
        position = table.column_names.index(name)
        date = _DATE_OF.get(name, name.removesuffix(_INDEX))
        dates = _month_dates(table.column(name))
        table = table.remove_column(position)
        if date not in table.column_names:
            table = table.add_column(position, date, dates)
    return table


def _is_scalar(value: object) -> bool:
    """A field worth showing in a one-line repr: a number, a word, a tuple of them."""
    if isinstance(value, tuple):
        return len(value) <= 6 and all(isinstance(v, int | str) for v in value)
    return isinstance(value, int | float | str)


def _rows(value: pa.Table | tuple[Any, ...]) -> int:
    return value.num_rows if isinstance(value, pa.Table) else len(value)


@dataclasses.dataclass(frozen=True, repr=False)
class Result:
    """What every result shares: ``_repr_html_``, ``plot``, ``to_json`` and its tables.

    Tables are the result's Arrow table fields and its tuples of records, in field order
    (``tables()``); ``to_arrow``, ``to_pandas`` and ``to_polars`` hand one over by name,
    the first by default.
    """

    def __repr__(self) -> str:
        """One line: the type, its scalar fields, and each table's row count."""
        scalars = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in dataclasses.fields(self)
            if _is_scalar(getattr(self, f.name))
        ]
        tables = [f"{name} ({_rows(value):,} rows)" for name, value in self._tables()]
        parts = ", ".join(scalars[:6])
        return f"<{type(self).__name__} {parts}; tables: {', '.join(tables) or 'none'}>"

    def _repr_html_(self) -> str:
        """Its tables as HTML, for notebooks (every value escaped)."""
        from revenue_retention.outputs.registry import html

        return html(self)

    def plot(self, **options: Any) -> go.Figure:
        """The report's chart of this result, titled (``Overview`` takes ``id=``, see below).

        ``MetricsResult`` takes ``kind`` (``"trend"``, ``"bridge"``, ``"movements"``,
        ``"segments"``), ``window``, ``months``, ``by`` and ``benchmarks``;
        ``CohortResult`` takes ``logo`` (a logo-retention ``CohortResult`` for a toggle);
        ``Overview`` takes ``id`` (a chart of the report); the others take nothing.
        """
        from revenue_retention.outputs.registry import figure

        return figure(self, **options)

    def to_json(self) -> str:
        """The JSON the ``retention`` command of this analysis writes for this result."""
        from revenue_retention.outputs.registry import document

        return document(self).to_json()

    def to_dict(self) -> dict[str, Any]:
        """``to_json()`` as Python values (money as exact decimal strings)."""
        from revenue_retention.outputs.registry import document

        return document(self).to_dict()

    def to_csv(self, *, raw: bool = False) -> str:
        """Every record table as CSV under a ``# name`` line (formula-like text neutralised
        unless ``raw``), as the command's ``--format csv`` writes them."""
        from revenue_retention.outputs.registry import document

        return document(self).to_csv(raw)

    def _tables(self) -> Iterator[tuple[str, pa.Table | tuple[Any, ...]]]:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pa.Table) or _is_records(value):
                yield f.name, value

    def tables(self) -> tuple[str, ...]:
        """The names ``to_arrow`` takes, the default first."""
        return tuple(name for name, _ in self._tables())

    def to_arrow(self, table: str | None = None) -> pa.Table:
        """One of the result's tables (``tables()``; the first by default) as Arrow.

        Money stays ``decimal128``; months are dates: the engine's ``*_index`` columns are
        left out (or turned into the date they index, when the table has no such date).

        Raises
        ------
        OptionError
            ``table`` is not one of ``tables()``.
        """
        found = dict(self._tables())
        if not found:
            raise OptionError("table", table, f"{type(self).__name__} holds no tables")
        name = next(iter(found)) if table is None else table
        if name not in found:
            raise OptionError("table", table, f"must be one of {', '.join(found)}")
        value = found[name]
        return _public(value if isinstance(value, pa.Table) else _records_table(value))

    def to_pandas(self, table: str | None = None, *, money: Money = "decimal") -> pd.DataFrame:
        """``to_arrow(table)`` as a pandas DataFrame: money as exact ``Decimal`` objects, or
        ``float64`` with ``money="float"`` (rounded to the nearest double: for charts, not sums).
        """
        frame: pd.DataFrame = _with_money(self.to_arrow(table), money).to_pandas()
        return frame

    def to_polars(self, table: str | None = None, *, money: Money = "decimal") -> pl.DataFrame:
        """``to_arrow(table)`` as a Polars DataFrame: money as ``Decimal`` or ``Float64``.

        Raises
        ------
        OptionError
            Polars is not installed (``pip install polars``).
        """
        try:
            import polars as pl
        except ImportError as error:
            raise OptionError(
                "to_polars", "polars", "needs Polars installed: pip install polars"
            ) from error
        frame = pl.from_arrow(_with_money(self.to_arrow(table), money))
        assert isinstance(frame, pl.DataFrame)
        return frame


def _with_money(table: pa.Table, money: Money) -> pa.Table:
    """``table`` with its decimal columns cast to ``float64`` when ``money`` is ``"float"``."""
    if money not in ("decimal", "float"):
        raise OptionError("money", money, 'must be "decimal" or "float"')
    if money == "decimal":
        return table
    schema = pa.schema(
        [f.with_type(pa.float64()) if pa.types.is_decimal(f.type) else f for f in table.schema]
    )
    return table.cast(schema)
