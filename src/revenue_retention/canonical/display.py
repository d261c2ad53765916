"""How a ``Dataset`` shows itself: one line in a console, a small table in a notebook.

Both read the input report only, so showing a dataset never runs a query.
"""

from __future__ import annotations

import html
from pathlib import PurePath
from typing import TYPE_CHECKING

from revenue_retention.money import format_money

if TYPE_CHECKING:
    from revenue_retention.canonical.dataset import Dataset

__all__ = ["dataset_html", "dataset_repr"]


def _source(path: str) -> str:
    # A file by its name; a database URL is shown as the report names it (no password).
    return path if "://" in path else PurePath(path).name or path


def dataset_repr(data: Dataset) -> str:
    """``<Dataset demo.csv: 65,324 rows (0 rejected), 2023-01 to 2025-12, attributes segment,
    plan; duckdb>``."""
    r = data.report
    attributes = f", attributes {', '.join(data.attributes)}" if data.attributes else ""
    engine = getattr(data.con, "name", type(data.con).__name__)
    return (
        f"<Dataset {_source(r.path)}: {r.rows_accepted:,} rows ({r.rows_rejected:,} rejected), "
        f"{data.months}{attributes}; {engine}>"
    )


def dataset_html(data: Dataset) -> str:
    """The input report as a small HTML table (every value escaped)."""
    r = data.report
    rows = [
        ("source", r.path),
        ("layout", f"{r.layout} ({r.adapter})"),
        ("months", str(data.months)),
        ("rows read", f"{r.rows_read:,}"),
        ("rows accepted", f"{r.rows_accepted:,}"),
        ("rows rejected", f"{r.rows_rejected:,}"),
        ("money read", format_money(r.money_read) or ""),
        ("money accepted", format_money(r.money_accepted) or ""),
        ("money rejected", format_money(r.money_rejected) or ""),
        ("attributes", ", ".join(data.attributes) or "none"),
        *(("warning", text) for text in r.warnings),
    ]
    body = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>"
        for name, value in rows
    )
    return f"<table><caption>Dataset</caption>{body}</table>"
