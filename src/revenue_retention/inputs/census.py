"""The physical lines of a text file, counted from its bytes, independently of any CSV reader.

A CSV reader can lose lines without a word: DuckDB's drops a line longer than its buffer
(32 MB), and a quote that never closes swallows the lines after it, up to the end of a
thread's share of the file (8 MB), resuming on the next share as if nothing happened.
What the file holds is therefore counted here, in one pass over its bytes in chunks
(numpy arrays of where each line ends, at memory speed; never a Python loop over lines):

- the lines (a line ends at ``\\n``; a last line without one counts too) and the blank ones;
- the lines longer than ``MAX_LINE_BYTES``, with where they start, which no reader is given;
- whether any line holds an odd number of quote characters: only such a line can open a
  quoted value that runs onto the next lines, so without one every line outside the
  header and the blank lines starts a record of its own.

``blank_out`` writes a copy of the file with chosen lines emptied (their line breaks kept,
so every other line keeps its number): the reader skips an empty line, and the lines it
must not read are then reported by the caller, one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from revenue_retention.errors import SourceError

__all__ = ["MAX_LINE_BYTES", "Census", "LongLine", "blank_out", "line_start", "take_census"]

#: The longest line read, in bytes. No row of a billing table comes near; DuckDB's own
#: limit is 2,000,000 bytes per record (its line break included), and it loses lines
#: longer than its 32 MB buffer without a word.
MAX_LINE_BYTES = 1_000_000
_CHUNK = 1 << 22
_BREAK, _CR, _QUOTE = ord("\n"), ord("\r"), ord('"')


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


def take_census(path: Path) -> Census:
    """Count the lines of ``path``, its blank, long and odd-quoted ones (module docstring).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
    >>> _ = p.write_bytes(b'id,note\\r\\na,"x\\r\\n\\r\\ny"\\nb,z')
    >>> take_census(p)
    Census(lines=5, blank=1, long_lines=(), odd_quote_lines=2)
    """
    count = _Count()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                count.add(chunk)
    except OSError as error:
        raise SourceError(str(path), f"cannot be read ({error.strerror})") from None
    return count.finish()


class _Count:
    """The running count of ``take_census``, one chunk of bytes at a time (numpy arrays:
    where each line ends, and the lengths and quotes of the lines between)."""

    def __init__(self) -> None:
        self.lines = self.blank = self.odd = 0
        self.long_lines: list[LongLine] = []
        self.offset = 0  # of the chunk in the file
        self.run = 0  # bytes of the unfinished line so far
        self.last = -1  # its last byte
        self.quotes = 0  # its quotes so far

    def add(self, chunk: bytes) -> None:
        data = np.frombuffer(chunk, np.uint8)
        ends = np.flatnonzero(data == _BREAK)
        quoted = b'"' in chunk
        if not len(ends):
            self.run += len(chunk)
            self.last = chunk[-1]
            self.quotes += chunk.count(b'"') if quoted else 0
            self.offset += len(chunk)
            return
        # The line the previous chunks left unfinished ends at the first break.
        first = int(ends[0])
        length = self.run + first
        before = chunk[first - 1] if first else self.last
        self._line(length, before == _CR, self.offset - self.run)
        # The lines wholly inside this chunk.
        starts = ends[:-1] + 1
        lengths = ends[1:] - starts
        if self.lines:  # a blank line follows a line break: never the first line
            cr = lengths == 1
            cr[cr] = data[starts[cr]] == _CR
            self.blank += int(np.count_nonzero((lengths == 0) | cr))
        for i in np.flatnonzero(lengths > MAX_LINE_BYTES):
            self.long_lines.append(
                LongLine(self.lines + 1 + int(i), self.offset + int(starts[i]), int(lengths[i]))
            )
        if quoted or self.quotes:
            quotes = np.flatnonzero(data == _QUOTE)
            before_end = np.searchsorted(quotes, ends)  # quotes before each line break
            per_line = np.diff(before_end, prepend=0)
            per_line[0] += self.quotes
            self.odd += int(np.count_nonzero(per_line % 2))
            self.quotes = len(quotes) - int(before_end[-1])
        self.lines += len(ends) - 1
        last = int(ends[-1])
        self.run = len(chunk) - last - 1
        self.last = chunk[-1]
        self.offset += len(chunk)

    def _line(self, length: int, after_cr: bool, start: int) -> None:
        """Count a line that crossed chunks (``length`` bytes, its line break excluded)."""
        if self.lines and (length == 0 or (length == 1 and after_cr)):
            self.blank += 1
        self.lines += 1
        if length > MAX_LINE_BYTES:
            self.long_lines.append(LongLine(self.lines, start, length))

    def finish(self) -> Census:
        if self.run:  # a last line without a line break
            self.lines += 1
            self.odd += self.quotes % 2
            if self.run > MAX_LINE_BYTES:
                self.long_lines.append(LongLine(self.lines, self.offset - self.run, self.run))
        return Census(self.lines, self.blank, tuple(self.long_lines), self.odd)


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
