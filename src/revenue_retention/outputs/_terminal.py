"""Terminal tables that fit the terminal: whole cells, the least needed columns left out.

Rich squeezes a table wider than the console by wrapping or cutting its cells, which turns
``3,363,377.42`` into ``3,363,…``. A figure cut is a wrong figure, so a table here never
wraps or cuts a cell: it leaves out columns instead, the one with the highest ``drop``
first, and says below the table which it left out. With every column that may go gone
and still too little room, cells fold onto a second line: no digit is ever cut off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

__all__ = ["Column", "count", "fit_table", "money", "pct", "points"]

_UNBOUNDED = 100_000


@dataclass(frozen=True)
class Column:
    """One column: its header, alignment, and how soon it goes when space runs out."""

    header: str
    justify: Literal["left", "right"] = "right"
    #: 0: always shown; otherwise the higher, the sooner it is left out.
    drop: int = 0


def _build(
    title: str | None,
    columns: Sequence[Column],
    rows: Sequence[Sequence[RenderableType]],
    keep: Sequence[int],
    row_styles: Sequence[str | None],
    options: dict[str, Any],
) -> Table:
    table = Table(title=title, title_justify="left", **options)
    for i in keep:
        c = columns[i]
        # Folded, never cut, if even the columns that must stay do not fit.
        table.add_column(c.header, justify=c.justify, overflow="fold")
    for row, style in zip(rows, row_styles, strict=True):
        table.add_row(*(row[i] for i in keep), style=style)
    return table


def _width(console: Console, table: Table) -> int:
    # Measured unbounded: measuring within the console's width would say it fits.
    return Measurement.get(console, console.options.update_width(_UNBOUNDED), table).maximum


def fit_table(
    console: Console,
    title: str | None,
    columns: Sequence[Column],
    rows: Sequence[Sequence[RenderableType]],
    *,
    row_styles: Sequence[str | None] | None = None,
    **options: Any,
) -> RenderableType:
    """A table of ``rows`` as wide as ``console`` allows, without cutting any cell.

    Columns are left out, highest ``drop`` first (the rightmost of equals first), until
    the table fits; a dim line under it names them. A single record too wide for the
    console is shown down the screen instead, one line per column, all of them.
    ``options`` go to ``rich.table.Table`` (``box``, ``padding`` ...).

    >>> from rich.console import Console
    >>> console = Console(width=30, file=__import__("io").StringIO())
    >>> cols = [Column("month", "left"), Column("opening", drop=2), Column("closing")]
    >>> rows = [["2025-01", "2,306,621.06", "2,483,692.50"], ["2025-02", "2,483,692.50", "1.00"]]
    >>> console.print(fit_table(console, "Bridge", cols, rows))
    >>> print(console.file.getvalue())  # doctest: +NORMALIZE_WHITESPACE
    Bridge
    ┏━━━━━━━━━┳━━━━━━━━━━━━━━┓
    ┃ month   ┃      closing ┃
    ┡━━━━━━━━━╇━━━━━━━━━━━━━━┩
    │ 2025-01 │ 2,483,692.50 │
    │ 2025-02 │         1.00 │
    └─────────┴──────────────┘
    not shown at 30 columns: opening
    """
    styles = list(row_styles) if row_styles is not None else [None] * len(rows)
    keep = list(range(len(columns)))
    left_out: list[int] = []
    table = _build(title, columns, rows, keep, styles, options)
    if len(rows) == 1 and _width(console, table) > console.width:
        # One record: read down a list rather than lose any of it (the title above it,
        # not squeezed to the list's width).
        table = Table(show_header=False, **options)
        table.add_column(justify="left", overflow="fold")
        table.add_column(justify="right", overflow="fold")
        for column, cell in zip(columns, rows[0], strict=True):
            table.add_row(column.header, cell, style=styles[0])
        return table if title is None else Group(Text(title, style="italic"), table)
    while _width(console, table) > console.width:
        droppable = [i for i in keep if columns[i].drop > 0]
        if not droppable:
            break
        gone = max(droppable, key=lambda i: (columns[i].drop, i))
        keep.remove(gone)
        left_out.append(gone)
        table = _build(title, columns, rows, keep, styles, options)
    if not left_out:
        return table
    names = ", ".join(columns[i].header for i in sorted(left_out))
    note = Text(f"not shown at {console.width} columns: {names}", style="dim")
    return Group(table, note)


# The cells of every terminal view: "-" where a figure is missing (an empty cohort).


def pct(value: float | None, places: int = 1) -> str:
    """A rate as a percentage: ``86.0%``."""
    return "-" if value is None else f"{value * 100:.{places}f}%"


def points(value: float | None) -> str:
    """A difference of rates in percentage points: ``+1.2 pts``."""
    return "-" if value is None else f"{value * 100:+.1f} pts"


def money(text: Decimal | str | None, signed: bool = False) -> str:
    """Exact money (a JSON string or a Decimal) with thousands separators: ``1,234.50``."""
    if text is None:
        return "-"
    return f"{Decimal(text):+,.2f}" if signed else f"{Decimal(text):,.2f}"


def count(value: int | None) -> str:
    """A count with thousands separators: ``1,102``."""
    return "-" if value is None else f"{value:,}"
