"""The physical lines of a text file, counted from its bytes, independently of any CSV reader.

A CSV reader can lose lines without a word: DuckDB's drops a line longer than its buffer
(32 MB), and a quote that never closes swallows the lines after it, up to the end of a
thread's share of the file (8 MB), resuming on the next share as if nothing happened.
What the file holds is therefore counted here, in one pass over its bytes in chunks of
whole lines (numpy arrays of where each line ends and where its quotes and delimiters
are, at memory speed; never a Python loop over lines):

- the lines (a line ends at ``\\n``; a last line without one counts too) and the blank ones;
- the lines longer than ``MAX_LINE_BYTES``, with where they start, which no reader is given;
- the few lines that can change whether the reader is inside a quoted value, for
  ``inputs.lines`` to chain (``Census.marked``): a line with an odd number of quotes is
  the only kind that opens a value from outside one; a line whose quotes all pair up
  (``""``) continues a value; a line whose first unpaired quote is followed by the
  delimiter may close one value and open another; any other line with quotes closes a
  value, and only the first such line after each odd one is needed. Blank lines and
  lines without quotes of another width than the header are marked too.

``blank_out`` writes a copy of the file with chosen lines emptied (their line breaks kept,
so every other line keeps its number): the reader skips an empty line, and the lines it
must not read are then reported by the caller, one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from revenue_retention.errors import SourceError

__all__ = ["MAX_LINE_BYTES", "Census", "LongLine", "blank_out", "line_start", "take_census"]

#: The longest line read, in bytes. No row of a billing table comes near; DuckDB's own
#: limit is 2,000,000 bytes per record (its line break included), and it loses lines
#: longer than its 32 MB buffer without a word.
MAX_LINE_BYTES = 1_000_000
_CHUNK = 1 << 22
_BREAK, _CR, _QUOTE = ord("\n"), ord("\r"), ord('"')
_MARKED_SCHEMA = pa.schema(
    [
        ("n", pa.int64()),
        ("blank", pa.bool_()),
        ("ragged", pa.bool_()),
        ("odd", pa.bool_()),
        ("paired", pa.bool_()),
        ("may_reopen", pa.bool_()),
        ("text", pa.string()),
    ]
)


@dataclass(frozen=True)
class LongLine:
    """A line longer than ``MAX_LINE_BYTES``: its number, first byte and length in bytes."""

    line: int
    offset: int
    size: int


@dataclass(frozen=True)
class Census:
    """What a text file's bytes say about its lines."""

    #: Physical lines, the header included.
    lines: int
    #: Lines with nothing on them (a quoted value's blank line included).
    blank: int
    long_lines: tuple[LongLine, ...]
    #: Lines with an odd number of ``"``: the only ones that can leave a value open.
    odd_quote_lines: int
    #: The marked lines (module docstring): ``n``, ``blank`` (a long line too: the reader
    #: is given it blank), ``ragged`` (no quote, another width than the header), ``odd``,
    #: ``paired`` (quotes all in pairs), ``may_reopen``, and the ``text`` of the quoted ones.
    marked: pa.Table = field(repr=False)


def take_census(path: Path, delimiter: str = ",", columns: int = 0) -> Census:
    """Count the lines of ``path``, and mark those the layout needs (module docstring).

    ``columns``: the header's width (0: no line is ragged).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
    >>> _ = p.write_bytes(b'id,note\\r\\na,"x\\r\\n\\r\\ny"\\nb,z')
    >>> census = take_census(p, ",", 2)
    >>> census
    Census(lines=5, blank=1, long_lines=(), odd_quote_lines=2)
    >>> census.marked.select(["n", "odd", "text"]).to_pylist()[0]
    {'n': 2, 'odd': True, 'text': 'a,"x'}
    """
    count = _Count(ord(delimiter), columns)
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                count.add(chunk)
    except OSError as error:
        raise SourceError(str(path), f"cannot be read ({error.strerror})") from None
    return count.finish()


class _Count:
    """The running count of ``take_census``: chunks cut at their last line break, the
    unfinished line carried to the next (a line too long is measured, not kept)."""

    def __init__(self, delimiter: int, columns: int) -> None:
        self.delimiter = delimiter
        self.columns = columns
        self.lines = self.blank = self.odd = 0
        self.long_lines: list[LongLine] = []
        self.offset = 0  # of the carried bytes in the file
        self.carry = b""
        self.skipping = 0  # bytes of a long line seen so far, not kept
        self.waiting = np.zeros(0, np.int64)  # odd lines whose closer is still to come
        self.marked: list[pa.RecordBatch] = []

    def add(self, chunk: bytes) -> None:
        if self.skipping:
            end = chunk.find(b"\n")
            if end == -1:
                self.skipping += len(chunk)
                return
            self._long(self.skipping + end)
            chunk = chunk[end + 1 :]
            self.offset += self.skipping + end + 1
            self.skipping = 0
        data = self.carry + chunk if self.carry else chunk
        last = data.rfind(b"\n")
        if last == -1:
            if len(data) > MAX_LINE_BYTES + 1:  # too long, even without a last \r
                self.skipping, self.carry = len(data), b""
            else:
                self.carry = data
            return
        self._lines(data, last + 1)
        self.offset += last + 1
        self.carry = data[last + 1 :]

    def finish(self) -> Census:
        if self.skipping:
            self._long(self.skipping)
        elif self.carry:
            self._lines(self.carry + b"\n", len(self.carry) + 1)
        marked = (
            pa.Table.from_batches(self.marked, _MARKED_SCHEMA)
            if self.marked
            else _MARKED_SCHEMA.empty_table()
        )
        return Census(self.lines, self.blank, tuple(self.long_lines), self.odd, marked)

    def _long(self, size: int) -> None:
        """A line too long to keep, ending after ``size`` bytes: marked blank."""
        self.lines += 1
        self.long_lines.append(LongLine(self.lines, self.offset, size))
        self._mark(np.array([self.lines]), blank=np.array([True]))

    def _lines(self, buffer: bytes, size: int) -> None:
        """The whole lines of the first ``size`` bytes of ``buffer`` (ending at a break).

        Per line, counts come from where its line break falls among the positions of the
        quotes and delimiters (``searchsorted``); the few lines marked are then looked at.
        """
        data = np.frombuffer(buffer, np.uint8, count=size)
        ends = np.flatnonzero(data == _BREAK)
        length = np.diff(ends, prepend=-1) - 1  # the line break excluded
        first = self.lines + 1  # the number of the chunk's first line
        short = np.flatnonzero(length <= 1)  # blank, or holding a \r only
        empty = np.zeros(len(ends), bool)
        empty[short] = (length[short] == 0) | (data[ends[short] - 1] == _CR)
        blank = empty.copy()
        if self.lines == 0:
            blank[0] = False  # the header
        long = length > MAX_LINE_BYTES
        if long.any():
            for i in np.flatnonzero(long):
                if length[i] == MAX_LINE_BYTES + 1 and data[ends[i] - 1] == _CR:
                    long[i] = False
                    continue
                start = self.offset + int(ends[i] - length[i])
                self.long_lines.append(LongLine(first + int(i), start, int(length[i])))
        if buffer.find(b'"', 0, size) != -1:
            quotes = np.flatnonzero(data == _QUOTE)
            per_line = np.diff(np.searchsorted(quotes, ends), prepend=0)
            quoted = (per_line > 0) & ~long
            odd = quoted & (per_line % 2 == 1)
        else:
            quoted = odd = np.zeros(len(ends), bool)
        # Before the first odd line of the file no value is ever open: what continues one
        # (paired quotes, a line of another width) matters only from there on.
        after = np.ones(len(ends), bool)
        if not self.odd:
            after = np.arange(len(ends)) >= (np.argmax(odd) if odd.any() else len(ends))
        if after.any() and quoted.any():
            paired, may_reopen = self._runs(data, quotes, ends, length, quoted, odd)
            paired &= after
            may_reopen &= after
        else:
            paired = may_reopen = np.zeros(len(ends), bool)
        ragged = np.zeros(len(ends), bool)
        if after.any() and self.columns > 0:
            delimiters = np.flatnonzero(data == self.delimiter)
            widths = np.diff(np.searchsorted(delimiters, ends), prepend=0)
            ragged = after & ~quoted & ~empty & ~long & (widths != self.columns - 1)
        if odd.any() or len(self.waiting):
            closers = first + np.flatnonzero(quoted & (odd | (~paired & ~may_reopen)))
            needed = self._closers(first + np.flatnonzero(odd), closers)
            first_closer = np.zeros(len(ends), bool)
            first_closer[needed - first] = True
        else:
            first_closer = np.zeros(len(ends), bool)
        keep = blank | long | ragged | odd | (quoted & (paired | may_reopen)) | first_closer
        positions = np.flatnonzero(keep)
        texts: list[str | None] = []
        for i in positions:
            if quoted[i]:
                stop = int(ends[i]) - (1 if length[i] and data[ends[i] - 1] == _CR else 0)
                text = buffer[int(ends[i] - length[i]) : stop].decode("utf-8", errors="replace")
                texts.append(text)
            else:
                texts.append(None)
        self.lines += len(ends)
        self.blank += int(np.count_nonzero(blank))
        self.odd += int(np.count_nonzero(odd))
        self._mark(
            first + positions,
            blank=(blank | long)[positions],
            ragged=ragged[positions],
            odd=odd[positions],
            paired=(quoted & paired)[positions],
            may_reopen=may_reopen[positions],
            text=texts,
        )

    def _runs(
        self,
        data: np.ndarray,
        quotes: np.ndarray,
        ends: np.ndarray,
        length: np.ndarray,
        quoted: np.ndarray,
        odd: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per line: whether its quotes all pair up, and whether its first unpaired quote
        is followed by the delimiter (with an even count: it may close and reopen).

        Quotes pair up left to right within a run of adjacent quotes, so a quote is left
        unpaired exactly at the end of a run of odd length.
        """
        none = np.zeros(len(ends), bool)
        breaks = np.flatnonzero(np.diff(quotes) != 1) + 1
        run_starts = quotes[np.concatenate(([0], breaks))]
        run_lengths = np.diff(np.concatenate(([0], breaks, [len(quotes)])))
        odd_runs = run_lengths % 2 == 1
        unpaired = run_starts[odd_runs] + run_lengths[odd_runs] - 1  # the unpaired quote
        if not len(unpaired):
            return ~none, none
        starts = ends - length
        first = np.searchsorted(unpaired, starts)
        found = first < len(unpaired)
        position = unpaired[np.minimum(first, len(unpaired) - 1)]
        within = found & (position < ends)
        after = np.minimum(position + 1, len(data) - 1)
        follows = within & (data[after] == self.delimiter)
        return ~within, quoted & ~odd & follows

    def _closers(self, odd_lines: np.ndarray, closers: np.ndarray) -> np.ndarray:
        """The first closer after each odd line still waiting for one, among ``closers``
        (in this chunk); the odd lines without one yet wait for the next chunk."""
        waiting = np.concatenate((self.waiting, odd_lines))
        at = np.searchsorted(closers, waiting, side="right")
        found = at < len(closers)
        self.waiting = waiting[~found]
        return np.unique(closers[at[found]])

    def _mark(self, numbers: np.ndarray, **flags: object) -> None:
        if not len(numbers):
            return
        columns: dict[str, object] = {"n": numbers.astype(np.int64)}
        for name in ("blank", "ragged", "odd", "paired", "may_reopen"):
            columns[name] = flags.get(name, np.zeros(len(numbers), bool))
        columns["text"] = flags.get("text", [None] * len(numbers))
        self.marked.append(pa.RecordBatch.from_pydict(columns, schema=_MARKED_SCHEMA))


def line_start(path: Path, offset: int, size: int) -> str:
    """The start of a long line, at most ``size`` bytes from ``offset``, as text."""
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(size).decode("utf-8", errors="replace")


def blank_out(path: Path, lines: Iterable[int], folder: Path) -> Path:
    """A copy of ``path`` in ``folder`` with the given lines emptied (line breaks kept).

    Chunks without such a line are copied as they are; the few with one are cut at its
    line breaks. A line being emptied is never held whole, however long.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
    >>> _ = p.write_bytes(b"h\\na\\nbb\\r\\nc")
    >>> blank_out(p, [3, 4], p.parent).read_bytes()
    b'h\\na\\n\\n'
    """
    targets = sorted(set(lines))
    copy = folder / f"{path.stem}.read{path.suffix or '.csv'}"
    line = 1  # the line the next byte belongs to
    i = 0  # the next target
    dropping = False
    with path.open("rb") as source, copy.open("wb") as target:
        while chunk := source.read(_CHUNK):
            pos = 0
            while pos < len(chunk):
                if dropping:
                    end = chunk.find(b"\n", pos)
                    if end == -1:
                        pos = len(chunk)
                        break
                    pos = end  # the line break is kept, and ends the line
                    dropping = False
                    i += 1
                breaks = chunk.count(b"\n", pos)
                if i == len(targets) or line + breaks < targets[i]:
                    target.write(chunk[pos:])
                    line += breaks
                    break
                # Copy up to the start of the next target line (after its preceding break).
                end = pos
                while line < targets[i]:
                    found = chunk.find(b"\n", end)
                    if found == -1:
                        break
                    end = found + 1
                    line += 1
                if line < targets[i]:
                    target.write(chunk[pos:])
                    break
                target.write(chunk[pos:end])
                pos = end
                dropping = True
    return copy
