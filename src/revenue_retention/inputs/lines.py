"""The line of each CSV record in its file, when records and lines do not match one to one.

The reader numbers the records it reads. A record sits lower in the file than its
number says for every blank line the reader skipped, every line break inside a quoted
value, and every record it set aside (too many values, an unclosed quote) before it.
Those few lines are found in one scan of the file's physical lines, in the engine:

- a line that holds no quote character leaves the reader inside or outside a quoted
  value as it was; a line with quotes is matched against the CSV grammar twice (as if
  it started outside a quoted value, and inside one) to know how it leaves the reader;
- chaining those few lines in order says which lines start inside a quoted value
  (continuations of the record above), and which blank lines are outside any value;
- the lines that start no record (the header, continuations, blank lines, set-aside
  records) become sorted intervals, and the k-th record is on the k-th line outside
  them: an as-of join of each record number on the intervals before it.

The reader's own numbering of the records it set aside counts blank lines but not
continuations, and is turned into lines the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from revenue_retention.engine import CsvLines

__all__ = ["LineMap", "line_map"]

#: The end of a file for an interval that runs to it (a quote never closed).
_END = 2**62


def _patterns(delimiter: str) -> tuple[str, str, str]:
    """Regular expressions: a line leaves a value open, starting outside / inside one."""
    d = re.escape(delimiter)
    inner = r'(?:[^"]|"")*'
    field = rf'(?:"{inner}"|[^"{d}][^{d}]*|)'
    open_from_out = rf'^(?:{field}{d})*"{inner}$'
    still_open = rf"^{inner}$"
    reopened = rf'^{inner}"(?:{d}{field})*{d}"{inner}$'
    return open_from_out, still_open, reopened


def _merged(intervals: ir.Table) -> ir.Table:
    """Intervals ``[a, b]`` of skipped lines, adjacent ones merged, with the as-of key.

    ``key``: the number of the first record after the interval's start once the lines
    before it are discounted, so that record k lies after every interval whose key is
    at most k; ``through``: the lines skipped up to the interval's end.
    """
    order = ibis.window(order_by=["a", "b"])
    ordered = intervals.mutate(previous_end=intervals.b.lag().over(order))
    starts = ordered.mutate(
        new=(ordered.previous_end.isnull() | (ordered.a > ordered.previous_end + 1)).cast("int64")
    )
    islands = starts.mutate(island=starts.new.sum().over(ibis.cumulative_window(order_by="a")))
    merged = islands.group_by("island").agg(a=islands.a.min(), b=islands.b.max())
    sized = merged.mutate(size=merged.b - merged.a + 1)
    before = ibis.window(order_by="a", rows=(None, -1))
    skipped = sized.mutate(before=sized.size.sum().over(before).fill_null(0))
    return skipped.select(key=skipped.a - skipped.before, through=skipped.before + skipped.size)


def _located(table: ir.Table, column: str, intervals: ir.Table) -> ir.Table:
    """``table`` with ``column`` (a 1-based rank among unskipped lines) turned into a line."""
    keyed = table.mutate(_rr_rank=table[column])
    joined = keyed.asof_join(intervals, on=keyed._rr_rank >= intervals.key)
    line = joined._rr_rank + joined.through.fill_null(0)
    return joined.mutate(**{column: line.cast("int64")}).drop("_rr_rank", "key", "through")


@dataclass(frozen=True)
class LineMap:
    """Record numbers and the reader's line numbers turned into the file's lines."""

    #: Lines that start no record, merged: continuations, blank lines, the header, and
    #: the records set aside; with the as-of key of ``_merged``.
    skipped: ir.Table
    #: Continuation lines only: what the reader's own line numbers do not count.
    continuations: ir.Table
    #: Whether every record is on the line its number says (a plain file).
    trivial: bool

    def records(self, table: ir.Table, column: str) -> ir.Table:
        """``column`` holds ``n + 1`` for the n-th record read; make it the record's line."""
        if self.trivial:
            return table
        ranked = table.mutate(**{column: table[column] - 1})
        return _located(ranked, column, self.skipped)

    def reader_lines(self, table: ir.Table, column: str) -> ir.Table:
        """``column`` holds the reader's line number of a set-aside record; make it the line."""
        return _located(table, column, self.continuations)


def _quote_states(lines: ir.Table, delimiter: str) -> ir.Table:
    """The lines (``n``, ``text``) blank or holding a quote, with how each leaves the reader."""
    open_from_out, still_open, reopened = _patterns(delimiter)
    marked = lines.filter(lines.text.isnull() | lines.text.contains('"'))
    return marked.select(
        "n",
        blank=marked.text.isnull(),
        # Whether the reader is inside a quoted value after the line, had it started the
        # line outside one / inside one (a blank line leaves it as it was).
        out_open=marked.text.re_search(open_from_out).fill_null(False),
        in_open=(marked.text.re_search(still_open) | marked.text.re_search(reopened)).fill_null(
            True
        ),
    )


def _marked_lines(
    lines: CsvLines, delimiter: str, store: Callable[[ir.Table, str], ir.Table]
) -> ir.Table:
    """The blank and quoted lines of the file, by their line in it, stored.

    The scan numbers the lines that decode among themselves; the few that do not are
    known only once it has run, and then placed between them (the k-th decoded line is
    the k-th line that is not one of them).
    """
    kept = lines.kept.select(n=lines.kept.k, text=lines.kept.text)
    marked = store(_quote_states(kept, delimiter), "quoted_lines")
    undecodable = lines.undecodable()
    if not undecodable.count().to_pyarrow().as_py():
        return marked
    bad = store(undecodable, "undecodable_lines")
    intervals = _merged(bad.select(a=bad.line, b=bad.line))
    placed = _located(marked, "n", intervals)
    return store(ibis.union(placed, _quote_states(bad.rename(n="line"), delimiter)), "quoted")


def line_map(
    lines: CsvLines,
    delimiter: str,
    set_aside: ir.Table | None,
    store: Callable[[ir.Table, str], ir.Table],
) -> LineMap:
    """The line map of a CSV file from its physical lines.

    ``set_aside``: the reader's line numbers (column ``line``) of the records it left
    out. ``store(expr, prefix)`` keeps a small intermediate result in the engine.
    """
    marked = _marked_lines(lines, delimiter, store)
    # Each line is a function of the state it starts in: a constant (the same state
    # after it either way), the identity, or a swap (malformed quoting).
    constant = marked.out_open == marked.in_open
    kinds = marked.mutate(
        constant=constant,
        value=marked.out_open.cast("int64"),
        swap=(marked.out_open & ~marked.in_open).cast("int64"),
    )
    # A constant line fixes the state; after it, only swaps change it.
    segments = kinds.mutate(
        segment=kinds.constant.cast("int64").sum().over(ibis.cumulative_window(order_by="n"))
    )
    in_segment = ibis.window(group_by="segment", order_by="n", rows=(None, 0))
    states = segments.mutate(
        base=ibis.ifelse(segments.constant, segments.value, ibis.null("int64"))
        .max()
        .over(ibis.window(group_by="segment"))
        .fill_null(0),
        swaps=segments.swap.sum().over(in_segment),
    )
    after = states.mutate(inside=(states.base + states.swaps) % 2)
    order = ibis.window(order_by="n")
    chained = after.mutate(
        inside_before=after.inside.lag().over(order).fill_null(0),
        next_n=after.n.lead().over(order),
    )
    # The lines after one that leaves a value open, down to the next marked line, start
    # inside it; lines without quotes change nothing, so the state holds until then.
    continuation = chained.filter(chained.inside == 1).select(
        a=(chained.n + 1).cast("int64"), b=chained.next_n.fill_null(_END).cast("int64")
    )
    blank = chained.filter(chained.blank & (chained.inside_before == 0)).select(
        a=chained.n.cast("int64"), b=chained.n.cast("int64")
    )
    continuations = store(_merged(continuation), "continuations")
    header = ibis.memtable({"a": [1], "b": [1]}).cast({"a": "int64", "b": "int64"})
    parts = [header, continuation, blank]
    if set_aside is not None:
        placed = LineMap(continuations, continuations, False).reader_lines(
            set_aside.select("line"), "line"
        )
        parts.append(placed.select(a=placed.line, b=placed.line))
    skipped = store(_merged(ibis.union(*parts)), "skipped_lines")
    first = skipped.order_by("key").limit(2).to_pyarrow().to_pylist()
    return LineMap(skipped, continuations, trivial=first == [{"key": 1, "through": 1}])
