"""Rejected rows, where they are in their file, and the examples an error message shows.

Two kinds of rows are rejected: rows the validation turned down (a reason per value),
and records the reader could not even split into the header's columns (too many or too
few values, an unclosed quote, bytes that are not UTF-8), which it sets aside whole.
Both are named by their line in the file: the reader counts records, which
``inputs.lines`` turns into lines when blank lines, line breaks inside quoted values
or set-aside records come before them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.engine import LINE_COLUMN, capability, csv_scan_errors, materialize
from revenue_retention.errors import BadRow, RejectReason
from revenue_retention.inputs import Raw
from revenue_retention.inputs.lines import LineMap, line_map

__all__ = ["Locator", "examples", "rejects_table"]

EXAMPLES = 5
_NO_TEXT = ibis.null("string")
#: DuckDB keeps this many bytes of a record it cannot split, and cuts the rest silently.
_READER_KEEPS = 10_000
_READER_CUT = " … [cut: the CSV reader keeps the first 10,000 bytes of a record it cannot split]"

#: The reader's error types, and the reason each becomes.
_READER_REASONS = {
    "TOO MANY COLUMNS": RejectReason.WRONG_COLUMN_COUNT,
    "MISSING COLUMNS": RejectReason.WRONG_COLUMN_COUNT,
    "UNQUOTED VALUE": RejectReason.UNCLOSED_QUOTE,
    "INVALID STATE": RejectReason.UNCLOSED_QUOTE,
    "INVALID ENCODING": RejectReason.INVALID_ENCODING,
    "LINE SIZE OVER MAXIMUM": RejectReason.LINE_TOO_LONG,
}


@dataclass
class Locator:
    """The records the reader set aside, and the map from record numbers to lines.

    Both are looked up once, and only when something is rejected: a clean file costs
    no extra scan.
    """

    raw: Raw
    con: BaseBackend
    #: False for a file with nothing rejected: nothing is looked up.
    active: bool = True
    _set_aside: ir.Table | None = field(default=None, init=False)
    _looked: bool = field(default=False, init=False)
    _map: LineMap | None = field(default=None, init=False)
    _mapped: bool = field(default=False, init=False)

    def set_aside(self) -> ir.Table | None:
        """Records the reader left out: ``line`` (the reader's), ``reason``, ``column``, ``text``.

        None when there are none (or the engine keeps no record of them).
        """
        if not self._looked and self.active:
            self._looked = True
            found = (
                csv_scan_errors(self.con, self.raw.scan_errors)
                if self.raw.scan_errors is not None
                else None
            )
            if found is not None and found.count().to_pyarrow().as_py():
                reason = ibis.cases(
                    *[(found.error == kind, why.value) for kind, why in _READER_REASONS.items()],
                    else_=RejectReason.UNCLOSED_QUOTE.value,
                )
                # The reader's copy of the record may begin with the blank lines it
                # skipped before it, and end with its line break; it keeps 10,000 bytes
                # of it at most, and says nothing of the rest: it is said here.
                text = found.text.re_replace(r"^[\r\n]+|[\r\n]+$", "")
                text = ibis.ifelse(
                    found.bytes >= _READER_KEEPS,
                    text + _READER_CUT,
                    text,
                )
                self._set_aside = materialize(
                    self.con,
                    found.select("line", reason=reason, column=found.column, text=text),
                    "set_aside",
                )
        return self._set_aside

    def _before_reading(self) -> ir.Table | None:
        """The lines set aside before the reader ran (too long, stray quotes), placed."""
        account = self.raw.account
        if account is None or not account.set_aside:
            return None
        rows = [
            {"line": s.line, "reason": s.reason.value, "column": s.column, "text": s.text}
            for s in account.set_aside
        ]
        schema = {"line": "int64", "reason": "string", "column": "string", "text": "string"}
        return ibis.memtable(rows, schema=schema)

    def counts(self) -> dict[str, int]:
        """Set-aside records by reason (those of the reader and those set aside before)."""
        found = self.set_aside()
        counted: dict[str, int] = {}
        if found is not None:
            rows = found.group_by("reason").agg(n=found.count()).to_pyarrow().to_pylist()
            counted = {r["reason"]: r["n"] for r in rows}
        account = self.raw.account
        for line in account.set_aside if account is not None else ():
            counted[line.reason.value] = counted.get(line.reason.value, 0) + 1
        return counted

    def lines(self) -> LineMap | None:
        """The map from record numbers to lines (None: numbers are lines, as in a workbook)."""
        if not self._mapped and self.active:
            self._mapped = True
            account = self.raw.account
            # Spark numbers the records it reads as lines: a record it cannot split stops it.
            if account is not None and capability(self.con, "files") == "duckdb":
                self._map = line_map(account.reader_layout(), self.set_aside(), self._store)
        return self._map

    def _store(self, expr: ir.Table, prefix: str) -> ir.Table:
        return materialize(self.con, expr, prefix)

    def records(self, table: ir.Table, column: str) -> ir.Table:
        """``column`` (record numbers) as lines."""
        found = self.lines()
        return table if found is None else found.records(table, column)

    def placed_set_aside(self) -> ir.Table | None:
        """The set-aside records with their lines in the file."""
        found = self.set_aside()
        before = self._before_reading() if self.active else None
        if found is not None:
            mapped = self.lines()
            found = found if mapped is None else mapped.reader_lines(found, "line")
        if found is None or before is None:
            return found if found is not None else before
        columns = ["line", "reason", "column", "text"]
        return found.select(*columns).cast({"line": "int64"}).union(before.select(*columns))


def examples(rows: ir.Table, locator: Locator) -> list[BadRow]:
    """The first rejected rows of the file, in line order, for an error message."""
    raw = locator.raw
    bad = rows.filter(rows._rr_reason.notnull()).order_by("_rr_line").limit(EXAMPLES)
    bad = locator.records(
        bad.select("_rr_line", "_rr_bad_column", "_rr_bad_value", "_rr_reason"), "_rr_line"
    )
    found: list[dict[str, Any]] = bad.to_pyarrow().to_pylist()
    aside = locator.placed_set_aside()
    if aside is not None:
        first = aside.order_by("line").limit(EXAMPLES).to_pyarrow().to_pylist()
        found += [
            {
                "_rr_line": r["line"],
                "_rr_bad_column": r["column"],
                "_rr_bad_value": r["text"],
                "_rr_reason": r["reason"],
            }
            for r in first
        ]
    found.sort(key=lambda r: r["_rr_line"])
    return [
        BadRow(
            raw.path,
            r["_rr_line"],
            r["_rr_bad_column"],
            r["_rr_bad_value"],
            RejectReason(r["_rr_reason"]),
            cell=raw.cell(r["_rr_bad_column"], r["_rr_line"]),
        )
        for r in found[:EXAMPLES]
    ]


def rejects_table(rows: ir.Table, locator: Locator) -> ir.Table:
    """Rejected rows verbatim (every source column as text) behind their location and reason.

    A source column named like one of the leading columns gets `` (input)`` appended. A
    record the reader set aside has its whole text as its value and no source columns.
    """
    raw = locator.raw
    bad = rows.filter(rows._rr_reason.notnull()).select(
        "_rr_line", "_rr_bad_column", "_rr_bad_value", "_rr_reason"
    )
    source = raw.table.select(
        _rr_key=raw.table[LINE_COLUMN],
        **{f"_rr_src_{i}": raw.table[name].cast("string") for i, name in enumerate(raw.columns)},
    )
    joined = bad.join(source, bad._rr_line == source._rr_key)
    leading: tuple[str, ...] = ("file", "line", "column", "value", "reason")
    where: dict[str, ir.Value] = {}
    if raw.sheet is not None and raw.column_letters:
        # A workbook's bad value is named by its cell too: Sheet1!C5.
        letter = ibis.cases(
            *[(joined._rr_bad_column == name, ltr) for name, ltr in raw.column_letters.items()],
            else_=_NO_TEXT,
        )
        where["cell"] = ibis.literal(f"{raw.sheet}!") + letter + joined._rr_line.cast("string")
        leading += ("cell",)
    names = {
        f"_rr_src_{i}": (f"{name} (input)" if name in leading else name)
        for i, name in enumerate(raw.columns)
    }
    table = joined.select(
        file=ibis.literal(raw.path),
        line=joined._rr_line,
        column=joined._rr_bad_column,
        value=joined._rr_bad_value,
        reason=joined._rr_reason,
        **where,
        **{name: joined[src] for src, name in names.items()},
    )
    table = locator.records(table, "line")
    aside = locator.placed_set_aside()
    if aside is not None:
        whole = aside.select(
            file=ibis.literal(raw.path),
            line=aside.line.cast("int64"),
            column=aside.column,
            value=aside.text,
            reason=aside.reason,
            **dict.fromkeys(where, _NO_TEXT),
            **dict.fromkeys(names.values(), _NO_TEXT),
        )
        table = table.cast({"line": "int64"}).union(whole)
    return table.order_by("line")
