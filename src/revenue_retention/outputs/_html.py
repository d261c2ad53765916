"""HTML tables for notebooks: the toolkit each result's presenter builds ``_repr_html_`` with.

Every value from the data (customer ids, group names) is escaped; money is shown exact with
thousands separators, rates to a tenth of a point. Which tables a result shows is its
presenter's choice (``outputs/<analysis>.py``, found through ``outputs.registry``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa

from revenue_retention.money import display_money
from revenue_retention.outputs._document import Document
from revenue_retention.periods import month_label

__all__ = ["MAX_ROWS", "arrow_html", "html_table", "para"]

#: Rows a table shows at most; the note under it says how many more the result holds.
MAX_ROWS = 100
_RIGHT = ' style="text-align: right"'


def _cell(value: Any) -> tuple[str, bool]:
    """A value as display text, and whether it is a number (aligned right)."""
    if value is None:
        return "-", True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, Decimal):
        return display_money(value), True
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        return f"{value:.1%}", True
    return str(value), False


def html_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    caption: str | None = None,
    limit: int = MAX_ROWS,
    total: int | None = None,
) -> str:
    """An escaped HTML table; ``Decimal`` cells are money (exact), floats rates (``86.0%``).

    At most ``limit`` rows are shown, then a note on how many of ``total`` (default: the
    rows given) are left out.

    >>> html_table(["customer_id", "mrr"], [["<b>", Decimal("1200")]]).split("<tbody>")[1]
    '<tr><td>&lt;b&gt;</td><td style="text-align: right">1,200.00</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for row in rows[:limit]:
        cells = (_cell(v) for v in row)
        body.append(
            "<tr>"
            + "".join(
                f"<td{_RIGHT if right else ''}>{html.escape(text)}</td>" for text, right in cells
            )
            + "</tr>"
        )
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    more = (len(rows) if total is None else total) - min(len(rows), limit)
    note = f"<p>... and {more:,} more rows.</p>" if more > 0 else ""
    return (
        f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>" + note
    )


def arrow_html(
    table: pa.Table,
    caption: str,
    months: Sequence[str] = (),
    drop: Sequence[str] = (),
    limit: int = MAX_ROWS,
) -> str:
    """A result table as HTML: month-index columns as ``YYYY-MM``, ``drop`` left out."""
    names = [n for n in table.column_names if n not in drop]
    rows = table.slice(0, limit).select(names).to_pylist()
    shown = [
        [month_label(r[n]) if n in months and r[n] is not None else r[n] for n in names]
        for r in rows
    ]
    labels = [n.removesuffix("_index") if n in months else n for n in names]
    return html_table(labels, shown, caption, limit, total=table.num_rows)


def para(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def document_html(document: Document) -> str:
    """Every record section of a command's document as an escaped table, captioned by name."""
    return "".join(
        html_table(
            section.fields,
            [[r.get(f) for f in section.fields] for r in section.records],
            section.name,
        )
        for section in document.sections
    )
