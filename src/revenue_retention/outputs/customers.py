"""The ``customers`` outputs: customer-month and movement-log files, and their summary.

The files are written batch by batch as the engine produces them (a file of millions of
customer-months never sits in memory whole), as CSV (money exact, formula-like text
neutralised unless raw) or Parquet (typed), chosen by the file's suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends import BaseBackend
from rich.console import Console, Group
from rich.text import Text

from revenue_retention.analyses.customers import (
    CUSTOMER_MONTH_FIELDS,
    NO_MOVEMENT,
    WINDOW_CLASSES,
    CustomerStory,
)
from revenue_retention.canonical import InputReport
from revenue_retention.errors import OptionError
from revenue_retention.money import format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import document_html
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs.files import OutputFiles
from revenue_retention.outputs.formulas import neutralise_batch
from revenue_retention.outputs.registry import no_chart, register
from revenue_retention.periods import month_label

__all__ = [
    "FILE_SUFFIXES",
    "MOVEMENT_TOTAL_FIELDS",
    "check_suffix",
    "customers_document",
    "file_columns",
    "story_document",
    "write_tables",
]

#: What a file's suffix says to write.
FILE_SUFFIXES = {".csv": "csv", ".parquet": "parquet"}
#: Per movement: log rows and amount beside the bridge's total of the same movement.
MOVEMENT_TOTAL_FIELDS = ("movement", "rows", "amount", "bridge_amount", "equal")
#: Rows of the customer-month table shown in the terminal when no file is asked for.
PREVIEW_ROWS = 12
#: Amounts as ``format_money`` writes them: trailing zeros beyond two places dropped.
_TRAILING_ZEROS = r"(\.[0-9][0-9][0-9]*?)0+$"


def check_suffix(option: str, path: Path | None) -> None:
    """Refuse a file whose suffix names no format, before any work."""
    if path is not None and path.suffix.lower() not in FILE_SUFFIXES:
        raise OptionError(
            option, str(path), "must end in .csv or .parquet (the suffix says the format)"
        )


def file_columns(table: ir.Table) -> ir.Table:
    """The table as a file holds it: the month as its first day, no internal month index."""
    return table.drop("month_index")


def _money_text(values: pa.Array) -> pa.Array:
    text = pc.cast(values, pa.string())
    return pc.replace_substring_regex(text, _TRAILING_ZEROS, r"\1")


def _csv_batch(batch: pa.RecordBatch, raw: bool) -> pa.RecordBatch:
    """Money as exact text (two places when that is exact), formulas neutralised."""
    columns = [_money_text(c) if pa.types.is_decimal(c.type) else c for c in batch.columns]
    batch = pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
    return batch if raw else neutralise_batch(batch)


def _write(con: BaseBackend, table: ir.Table, path: Path, files: OutputFiles, raw: bool) -> int:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    # Quoted only where needed: amounts stay numbers to a spreadsheet.
    csv_options = pacsv.WriteOptions(quoting_style="needed")

    written = 0
    batches = con.to_pyarrow_batches(table, chunk_size=100_000)
    with batches, files.open_binary(path) as handle:
        if FILE_SUFFIXES[path.suffix.lower()] == "parquet":
            with pq.ParquetWriter(handle, batches.schema) as parquet:
                for batch in batches:
                    parquet.write_batch(batch)
                    written += batch.num_rows
            return written
        writer: pacsv.CSVWriter | None = None
        for batch in batches:
            shaped = _csv_batch(batch, raw)
            if writer is None:
                writer = pacsv.CSVWriter(handle, shaped.schema, write_options=csv_options)
            writer.write_batch(shaped)
            written += batch.num_rows
        if writer is None:  # no rows: the header still says what the file would hold
            empty = pa.RecordBatch.from_pylist([], batches.schema)
            writer = pacsv.CSVWriter(
                handle, _csv_batch(empty, raw).schema, write_options=csv_options
            )
        writer.close()
    return written


def write_tables(
    con: BaseBackend, tables: Sequence[tuple[ir.Table, Path]], *, raw: bool = False
) -> list[int]:
    """Write each table to its file, all or none; return the rows written to each."""
    with OutputFiles() as files:
        return [_write(con, file_columns(table), path, files, raw) for table, path in tables]


def _money(value: Any) -> str:
    return "-" if value is None else f"{Decimal(value):,.2f}"


def customers_document(
    report: InputReport,
    *,
    customer_months: int,
    customers: int,
    movements: list[dict[str, Any]],
    files: dict[str, tuple[str, int]],
    preview: list[dict[str, Any]],
    attributes: Sequence[str],
) -> Document:
    """The ``customers`` summary: rows, files written, and the log reconciled to the bridge.

    ``movements``: per movement, the log's rows and amount and the bridge's amount
    (``MOVEMENT_TOTAL_FIELDS`` but ``equal``, added here). ``files``: ``"customer_months"``
    and ``"movement_log"`` each as (path, rows written), when written. ``preview``: the
    first customer-month records shown when no file was asked for.
    """
    records = [
        {
            "movement": m["movement"],
            "rows": m["rows"],
            "amount": format_money(m["amount"]),
            "bridge_amount": format_money(m["bridge_amount"]),
            "equal": m["amount"] == m["bridge_amount"],
        }
        for m in movements
    ]
    header: dict[str, Any] = {
        "input": report.to_dict(),
        "analysis": "customers",
        "customer_months": customer_months,
        "customers": customers,
        "movement_log_rows": sum(m["rows"] for m in movements),
        "files": {name: {"path": path, "rows": rows} for name, (path, rows) in files.items()},
    }

    def render(console: Console) -> None:
        parts: list[Any] = [
            Text.assemble(
                ("Customers", "bold"),
                f": {customer_months:,} customer-months of {customers:,} customers; "
                f"{header['movement_log_rows']:,} movements (METRICS.md §2)",
            )
        ]
        for name, (path, rows) in files.items():
            label = "customer-months" if name == "customer_months" else "movement log"
            parts.append(Text(f"{label}: {rows:,} rows written to {path}"))
        columns = [
            Column("movement", "left"),
            Column("rows"),
            Column("log amount"),
            Column("bridge amount", drop=1),
            Column("equal", drop=2),
        ]
        cells = [
            [
                r["movement"],
                f"{r['rows']:,}",
                _money(r["amount"]),
                _money(r["bridge_amount"]),
                "yes" if r["equal"] else "NO",
            ]
            for r in records
        ]
        parts.append(fit_table(console, "Movement log by type = the bridge", columns, cells))
        if preview:
            parts.append(_preview_table(console, preview, attributes))
            parts.append(
                Text(
                    "--out FILE.csv or .parquet: every customer-month; --log FILE: the movements.",
                    style="yellow",
                )
            )
        console.print(Group(*parts))

    return Document(
        header=header,
        sections=(Section("movements", MOVEMENT_TOTAL_FIELDS, records),),
        render=render,
    )


def _preview_table(console: Console, rows: list[dict[str, Any]], attributes: Sequence[str]) -> Any:
    columns = [
        Column("customer", "left"),
        Column("month", "left"),
        Column("previous MRR", drop=1),
        Column("MRR"),
        Column("movement", "left"),
        Column("amount"),
        *(Column(a, "left", drop=2 + i) for i, a in enumerate(attributes)),
    ]
    cells = [
        [
            str(r["customer_id"]),
            str(r["period"])[:7],
            _money(r["previous_mrr"]),
            _money(r["mrr"]),
            r["movement"],
            _money(r["amount"]),
            *("" if r[a] is None else str(r[a]) for a in attributes),
        ]
        for r in rows
    ]
    return fit_table(console, f"First {len(rows)} customer-months", columns, cells)


def _label(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_money(value)
    return value


def story_document(story: CustomerStory) -> Document:
    """``explain --customer``: the customer's months, its movements and its windows.

    JSON: ``input``, ``analysis`` (``explain``), ``mode`` (``customer``), ``customer_id``,
    ``windows_months``, then the sections ``months`` (its customer-months), ``movements``
    (those with a movement) and ``windows`` (per window and month: ``in_cohort`` and,
    when in it, start and end MRR, change and class).
    """
    attributes = [c for c in story.months.column_names if c not in CUSTOMER_MONTH_FIELDS]
    month_fields = ("period", "previous_mrr", "mrr", "movement", "amount", *attributes)
    months = [
        {f: month_label(r["month_index"]) if f == "period" else _label(r[f]) for f in month_fields}
        for r in story.months.to_pylist()
    ]
    movements = [r for r in months if r["movement"] != NO_MOVEMENT]
    window_fields = (
        "window_months",
        "as_of",
        "in_cohort",
        "start_mrr",
        "end_mrr",
        "change",
        "class",
    )
    windows = [
        {f: month_label(r["as_of_index"]) if f == "as_of" else _label(r[f]) for f in window_fields}
        for r in story.windows.to_pylist()
    ]
    header: dict[str, Any] = {
        "input": story.input.to_dict(),
        "analysis": "explain",
        "mode": "customer",
        "customer_id": story.customer_id,
        "windows_months": list(story.window_lengths),
    }

    def render(console: Console) -> None:
        _render_story(console, story, months, windows, attributes)

    return Document(
        header=header,
        sections=(
            Section("months", month_fields, months),
            Section("movements", month_fields, movements),
            Section("windows", window_fields, windows),
        ),
        render=render,
    )


def _render_story(
    console: Console,
    story: CustomerStory,
    months: list[dict[str, Any]],
    windows: list[dict[str, Any]],
    attributes: Sequence[str],
) -> None:
    title = Text.assemble(
        ("Customer ", "bold"),
        (story.customer_id, "bold"),
        ": MRR and movement each month (METRICS.md §2); for each window ending that month, "
        "its class if it was in the cohort (paying at the window's start, §3)",
    )
    if not months:
        console.print(Group(title, Text("No paying month in the months analysed.")))
        return
    by_month = {r["period"]: r for r in months}
    classes = {(w["window_months"], w["as_of"]): w["class"] for w in windows if w["in_cohort"]}
    first = months[0]["period"]
    involved = [w["as_of"] for w in windows if w["in_cohort"]] + [months[-1]["period"]]
    last = max(involved)
    shown = [
        month_label(m)
        for m in range(story.data_months.first, story.data_months.last + 1)
        if first <= month_label(m) <= last
    ]
    columns = [
        Column("month", "left"),
        Column("previous MRR", drop=1),
        Column("MRR"),
        Column("movement", "left"),
        Column("amount"),
        *(Column(f"{k}-month", "left") for k in story.window_lengths),
        *(Column(a, "left", drop=2 + i) for i, a in enumerate(attributes)),
    ]
    cells = []
    for month in shown:
        row = by_month.get(month)
        own = (
            [
                _money(row["previous_mrr"]),
                _money(row["mrr"]),
                row["movement"],
                _money(row["amount"]),
            ]
            if row is not None
            else ["", _money("0"), "", ""]
        )
        cells.append(
            [
                month,
                *own,
                *(classes.get((k, month), "") for k in story.window_lengths),
                *("" if row is None or row[a] is None else str(row[a]) for a in attributes),
            ]
        )
    movements = sum(1 for r in months if r["movement"] != NO_MOVEMENT)
    counted = Counter(w["class"] for w in windows if w["in_cohort"])
    summary = Text(
        f"{movements:,} movements; in {sum(counted.values()):,} window cohorts: "
        + ", ".join(f"{name} {counted[name]:,}" for name in WINDOW_CLASSES)
        + ". An empty window cell: not in that cohort (not paying at its start)."
    )
    console.print(Group(title, fit_table(console, None, columns, cells), summary))


@register(CustomerStory)
class CustomerStoryPresenter:
    """``CustomerStory`` on every channel: terminal, JSON, CSV and notebook tables; no chart."""

    def document(self, result: CustomerStory, **options: Any) -> Document:
        return story_document(result)

    def html(self, result: CustomerStory) -> str:
        return document_html(story_document(result))

    def chart(self, result: CustomerStory, **options: Any) -> Chart:
        return no_chart(result)

    def sheets(self, result: CustomerStory) -> Sequence[Sheet]:
        return ()
