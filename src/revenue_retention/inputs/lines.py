"""The line of each CSV record in its file, when records and lines do not match one to one.

The reader numbers the records it reads. A record sits lower in the file than its
number says for every blank line the reader skipped, every line break inside a quoted
value, and every record it set aside (too many values, an unclosed quote) before it.
Those few lines are marked by the file's census (``inputs.census``, from its bytes) and
chained in the engine:

- a line that holds no quote character leaves the reader inside or outside a quoted
  value as it was; a marked line with quotes is matched against the CSV grammar twice
  (as if it started outside a quoted value, and inside one) to know how it leaves the
  reader;
- chaining those few lines in order says which lines start inside a quoted value
  (continuations of the record above), and which blank lines are outside any value;
- the lines that start no record (the header, continuations, blank lines, set-aside
  records) become sorted intervals, and the k-th record is on the k-th line outside
  them: an as-of join of each record number on the intervals before it.

The reader's own numbering of the records it set aside counts blank lines but not
continuations, and is turned into lines the same way.

A stray quote (``"c6,2024-07,100`` with no closing quote) would open a value that runs
over the lines after it, each of them a whole record of its own: the reader would swallow
them (DuckDB's, up to the end of a thread's 8 MB share of the file, silently). Such a
quote is found here before the file is read (``layout``): a line that opens a value
whose following lines, up to the line that would close it, include lines that look like
whole records on their own. That line is set aside alone, and the lines after it are
read one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.errors import RejectReason, SourceError
from revenue_retention.inputs.census import Census

__all__ = [
    "SHOWN_CHARACTERS",
    "Layout",
    "LineAccount",
    "LineMap",
    "SetAside",
    "Stray",
    "layout",
    "line_map",
    "plain_layout",
]

#: A quoted value, its doubled quotes included.
_QUOTED = r'"(?:[^"]|"")*"'


def _patterns(delimiter: str) -> tuple[str, str, str, str]:
    """Regular expressions: a line leaves a value open, starting outside / inside one; a
    line is a well-formed record on its own."""
    d = re.escape(delimiter)
    inner = r'(?:[^"]|"")*'
    field = rf'(?:"{inner}"|[^"{d}][^{d}]*|)'
    open_from_out = rf'^(?:{field}{d})*"{inner}$'
    still_open = rf"^{inner}$"
    reopened = rf'^{inner}"(?:{d}{field})*{d}"{inner}$'
    whole = rf"^{field}(?:{d}{field})*$"
    return open_from_out, still_open, reopened, whole


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


def _delimiters(text: ir.StringValue, delimiter: str) -> ir.IntegerValue:
    return text.length() - text.replace(delimiter, "").length()


def _marked_lines(
    census: Census, delimiter: str, columns: int, store: Callable[[ir.Table, str], ir.Table]
) -> ir.Table:
    """The marked lines of the census (``n``, ``blank``), stored, with how each leaves the
    reader started outside a quoted value (``out_open``) and inside one (``in_open``), and
    whether it is a well-quoted record of the header's width on its own (``whole``).

    Every other line either holds no quote and is a record of the header's width (it
    leaves the reader as it found it), or closes a value no line left open.
    """
    open_from_out, still_open, reopened, whole = _patterns(delimiter)
    marked = ibis.memtable(census.marked)
    text = marked.text
    in_open = ibis.cases(
        (marked.blank | marked.ragged, True),
        (marked.odd, False),
        (marked.paired, True),
        (marked.may_reopen, text.re_search(still_open) | text.re_search(reopened)),
        else_=False,
    )
    return store(
        marked.select(
            "n",
            "blank",
            "text",
            in_open=in_open,
            out_open=(marked.odd & text.re_search(open_from_out)).fill_null(False),
            whole=(
                text.notnull()
                & text.re_search(whole)
                & (_delimiters(text.re_replace(_QUOTED, ""), delimiter) == columns - 1)
            ).fill_null(False),
        ),
        "quoted_lines",
    )


@dataclass(frozen=True)
class Stray:
    """A line whose quote would swallow the lines after it, records of their own."""

    line: int
    #: The line's text, and the column its quote opens (0-based, when it can be told).
    text: str
    column: int | None
    #: The line that would close the value (None: the end of the file), the lines the
    #: value would take in, and how many of those look like whole records.
    closed_by: int | None
    swallowed: int
    whole: int


@dataclass(frozen=True)
class Layout:
    """Which lines of a CSV file start a record, and which do not (and why)."""

    #: Lines in the file.
    lines: int
    #: Blank lines outside quoted values, and lines inside them (after the first line of
    #: the value): neither starts a record.
    blank: int
    continued: int
    #: Lines set aside alone for a quote that would swallow the lines after them.
    strays: tuple[Stray, ...]
    #: The header, continuations, blank lines and strays, as intervals ``a, b`` (small
    #: Arrow tables, computed once, for any engine to read).
    parts: pa.Table
    #: Continuation lines only, as intervals.
    continuation: pa.Table
    #: The census's long lines that fall inside a quoted value.
    long_inside: tuple[int, ...]

    @property
    def records(self) -> int:
        """The records a reader that skips the strays finds: every other line's."""
        return self.lines - 1 - self.blank - self.continued - len(self.strays)


def layout(
    census: Census, delimiter: str, columns: int, store: Callable[[ir.Table, str], ir.Table]
) -> Layout:
    """The layout of a CSV file with ``columns`` columns, from its census, strays found.

    The census's long lines are blank to the reader (``census.blank_out``);
    ``long_inside`` says which of them fall inside a quoted value.

    A line that opens a quoted value (from outside one) is a stray when the lines up to
    the one that would close it (or to the end of the file) include a line that looks
    like a whole record: a record of the header's width, well quoted, or with no quote.
    Whether a line opens a value does not depend on the lines before it, nor does what it
    would swallow, so strays are found for every line at once; the chain of states then
    treats a stray as a line that leaves the reader outside, and only a stray met outside
    a value is set aside.
    """
    total = census.lines
    long_lines = [found.line for found in census.long_lines]
    marked = _marked_lines(census, delimiter, columns, store)
    every = ibis.window()
    indexed = marked.mutate(
        idx=ibis.row_number().over(ibis.window(order_by="n")),
        wholes=marked.whole.cast("int64").sum().over(ibis.cumulative_window(order_by="n")),
        marked_total=marked.count().over(every),
        wholes_total=marked.whole.cast("int64").sum().over(every),
    )
    after = ibis.window(order_by="n", rows=(1, None))
    closes = ~indexed.in_open
    no_int = ibis.null("int64")
    ahead = indexed.mutate(
        closer=ibis.ifelse(closes, indexed.n, no_int).min().over(after),
        closer_idx=ibis.ifelse(closes, indexed.idx, no_int).min().over(after),
        closer_wholes=ibis.ifelse(closes, indexed.wholes, no_int).min().over(after),
    )
    ends = ahead.closer.notnull()
    # Lines strictly between this one and its closer (or after it) that are not marked:
    # each of them is a whole record; plus the marked ones that are.
    plain = ibis.ifelse(
        ends,
        (ahead.closer - ahead.n - 1) - (ahead.closer_idx - ahead.idx - 1),
        (total - ahead.n) - (ahead.marked_total - ahead.idx - 1),
    )
    marked_whole = ibis.ifelse(
        ends, ahead.closer_wholes - ahead.wholes, ahead.wholes_total - ahead.wholes
    )
    whole_after = plain + marked_whole
    judged = ahead.mutate(
        swallowed=ahead.closer.fill_null(total) - ahead.n,
        whole_after=whole_after,
        stray=ahead.out_open & (whole_after > 0) & (ahead.n > 1),
    )
    chained = _chain(judged.mutate(out_open=judged.out_open & ~judged.stray))
    chained = store(chained, "line_states")
    # The lines after one that leaves a value open, down to the next marked line, start
    # inside it; lines without quotes change nothing, so the state holds until then.
    continuation = chained.filter(chained.inside == 1).select(
        a=(chained.n + 1).cast("int64"), b=chained.next_n.fill_null(total).cast("int64")
    )
    outside = chained.inside_before == 0
    blank = chained.filter(chained.blank & outside).select(
        a=chained.n.cast("int64"), b=chained.n.cast("int64")
    )
    found = chained.filter(chained.stray & outside)
    strays = found.select(a=found.n.cast("int64"), b=found.n.cast("int64"))
    parts = ibis.union(continuation, blank, strays).to_pyarrow()
    sizes = (
        ibis.union(
            continuation.select(
                kind=ibis.literal("continued"), size=continuation.b - continuation.a + 1
            ),
            blank.select(kind=ibis.literal("blank"), size=ibis.literal(1, "int64")),
        )
        .group_by("kind")
        .agg(size=lambda t: t.size.sum())
        .to_pyarrow()
        .to_pylist()
    )
    size = {r["kind"]: int(r["size"]) for r in sizes}
    inside = chained.filter(chained.n.isin(list(long_lines)) & (chained.inside_before == 1))
    long_inside = tuple(sorted(inside.n.to_pyarrow().to_pylist())) if long_lines else ()
    return Layout(
        lines=total,
        blank=size.get("blank", 0),
        continued=size.get("continued", 0),
        strays=_strays(found, delimiter),
        parts=pa.concat_tables([_HEADER, parts.cast(_HEADER.schema)]),
        continuation=continuation.to_pyarrow().cast(_HEADER.schema),
        long_inside=long_inside,
    )


def _chain(marked: ir.Table) -> ir.Table:
    """Each marked line with ``inside`` (after it) and ``inside_before``, 0 or 1, and the
    next marked line ``next_n``."""
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
    return after.mutate(
        inside_before=after.inside.lag().over(order).fill_null(0),
        next_n=after.n.lead().over(order),
    )


def _strays(found: ir.Table, delimiter: str) -> tuple[Stray, ...]:
    """The strays (few lines), with the column their quote opens."""
    rows = found.select("n", "text", "closer", "swallowed", "whole_after").order_by("n")
    d = re.escape(delimiter)
    opening = re.compile(rf'^(?:(?:{_QUOTED}|[^"{d}]*){d})*"')
    strays = []
    for r in rows.to_pyarrow().to_pylist():
        text = r["text"] or ""
        found_open = opening.match(text)
        column = None
        if found_open is not None:
            column = re.sub(_QUOTED, "", text[: found_open.end() - 1]).count(delimiter)
        strays.append(
            Stray(r["n"], text, column, r["closer"], int(r["swallowed"]), int(r["whole_after"]))
        )
    return tuple(strays)


def plain_layout(census: Census) -> Layout:
    """The layout of a file in which no line holds an odd number of quotes: no value runs
    onto another line, so every line but the header and the blank ones (to the reader: a
    long line too) starts a record."""
    marked = census.marked
    blank = marked.filter(marked["blank"])["n"]
    return Layout(
        lines=census.lines,
        blank=census.blank + len(census.long_lines),
        continued=0,
        strays=(),
        parts=pa.concat_tables([_HEADER, pa.table({"a": blank, "b": blank})]),
        continuation=_HEADER.schema.empty_table(),
        long_inside=(),
    )


def line_map(
    found: Layout, set_aside: ir.Table | None, store: Callable[[ir.Table, str], ir.Table]
) -> LineMap:
    """The line map of a CSV file from its layout.

    ``set_aside``: the reader's line numbers (column ``line``) of the records it left
    out. ``store(expr, prefix)`` keeps a small intermediate result in the engine.
    """
    continuations = store(_merged(ibis.memtable(found.continuation)), "continuations")
    parts = [ibis.memtable(found.parts)]
    if set_aside is not None:
        placed = LineMap(continuations, continuations, False).reader_lines(
            set_aside.select("line"), "line"
        )
        parts.append(placed.select(a=placed.line, b=placed.line))
    skipped = store(_merged(ibis.union(*parts)), "skipped_lines")
    first = skipped.order_by("key").limit(2).to_pyarrow().to_pylist()
    return LineMap(skipped, continuations, trivial=first == [{"key": 1, "through": 1}])


#: The header line, as an interval of lines that start no record.
_HEADER = pa.table({"a": pa.array([1], pa.int64()), "b": pa.array([1], pa.int64())})


#: The most characters of a value the rejects file holds for a line set aside because it
#: is too long; what is cut is said after it.
SHOWN_CHARACTERS = 10_000


@dataclass(frozen=True)
class SetAside:
    """A line set aside alone before the file is read: too long, or a stray quote."""

    line: int
    reason: RejectReason
    #: The column its quote opens (None: the whole line), and its text.
    column: str | None
    text: str


@dataclass(frozen=True)
class LineAccount:
    """The physical lines of a text file, accounted for independently of the CSV reader.

    Every line is the header, a blank line, a line inside a quoted value (after the one
    the value starts on), or the first line of a row: ``lines = 1 + blank + continued +
    rows``. ``rows`` is what the reader must return, plus the lines set aside before it
    reads; a run whose reader returns another number stops (``check``).
    """

    path: str
    census: Census
    #: None when no line holds an odd number of quotes (``plain_layout`` then applies).
    layout: Layout | None
    set_aside: tuple[SetAside, ...]

    @property
    def lines(self) -> int:
        return self.census.lines

    @property
    def blank(self) -> int:
        """Blank lines outside quoted values (the long lines the reader sees blank aside)."""
        if self.layout is None:
            return self.census.blank
        return self.layout.blank - len(self.census.long_lines)

    @property
    def continued(self) -> int:
        return 0 if self.layout is None else self.layout.continued

    @property
    def rows(self) -> int:
        """Lines that start a row: the rows read, those set aside here included."""
        return self.lines - 1 - self.blank - self.continued

    def reader_layout(self) -> Layout:
        """The layout of the file the reader reads (long lines and strays blank)."""
        return self.layout if self.layout is not None else plain_layout(self.census)

    def check(self, rows: int) -> None:
        """Stop unless ``rows`` (read by the reader, or set aside here) is every row."""
        if rows == self.rows:
            return
        inside = f", {self.continued:,} inside quoted values" if self.continued else ""
        raise SourceError(
            self.path,
            f"the CSV reader returned {rows:,} rows, but the file's {self.lines:,} lines hold "
            f"{self.rows:,} (the header, {self.blank:,} blank{inside}): rows would be lost "
            "without a word, so nothing is computed. Check the quoting of the file: a "
            "quoted value that runs over many lines, or a line break the reader misreads",
        )

    def to_dict(self) -> dict[str, int]:
        return {
            "in_file": self.lines,
            "header": 1,
            "blank": self.blank,
            "inside_quoted_values": self.continued,
            "starting_rows": self.rows,
        }
