"""What a file really holds, whatever its name says: its format and, for text, its encoding.

A file's first bytes name most binary formats (``PAR1``, ``PK``, ``%PDF``); text is told
apart by its byte-order mark, its NUL bytes (UTF-16) or whether it decodes as UTF-8.
Text in another encoding than UTF-8 is converted once, in chunks, into a UTF-8 copy that
the engine scans; the original is never loaded whole.
"""

from __future__ import annotations

import atexit
import codecs
import difflib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from revenue_retention.errors import SourceError

__all__ = [
    "TextFile",
    "content_kind",
    "describe_kind",
    "missing_file_hint",
    "open_text",
    "scratch_folder",
]

#: Leading bytes of the formats a user may hand over by mistake, and what each is.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "parquet"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"%PDF", "pdf"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"(\xb5/\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!", "rar"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
)
_DESCRIPTIONS = {
    "parquet": "a Parquet file",
    "zip": "a zip archive (an Excel .xlsx workbook is one)",
    "xls": "an old-format Excel .xls workbook",
    "pdf": "a PDF document",
    "gzip": "a gzip-compressed file",
    "bzip2": "a bzip2-compressed file",
    "xz": "an xz-compressed file",
    "zstd": "a zstd-compressed file",
    "7z": "a 7-Zip archive",
    "rar": "a RAR archive",
    "sqlite": "a SQLite database",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "html": "an HTML page",
    "json": "JSON",
    "binary": "binary data (it holds NUL bytes)",
    "text": "text",
}
#: What to do about each, when it is not what was expected.
_HINTS = {
    "parquet": "rename it to .parquet",
    "zip": "rename it to .xlsx if it is a workbook, or extract the file it holds",
    "xls": "open it in a spreadsheet and save it as .xlsx or CSV",
    "gzip": "decompress it first (gunzip)",
    "bzip2": "decompress it first",
    "xz": "decompress it first",
    "zstd": "decompress it first",
    "7z": "extract the file it holds",
    "rar": "extract the file it holds",
    "sqlite": "read a table of it with sqlite:///PATH --table NAME",
    "html": "some 'export to Excel' buttons write an HTML table: open it in a spreadsheet "
    "and save it as CSV",
    "json": "convert it to CSV",
    "text": "rename it to .csv",
}
_SAMPLE = 1 << 16


def _head(path: Path, size: int = _SAMPLE) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as error:
        raise SourceError(str(path), f"cannot be read ({error.strerror})") from None


def content_kind(path: Path) -> str:
    """What the file holds, from its first bytes: a format name, ``"text"`` or ``"binary"``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes(b"%PDF-1.7 ..."); content_kind(p)
    'pdf'
    """
    head = _head(path, 4096)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return "text"
    if b"\x00" in head and _utf16_order(head) is None:
        return "binary"
    start = head.lstrip(b" \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "html"
    if start.startswith((b"{", b"[{", b"[\n", b"[\r")):
        return "json"
    return "text"


def describe_kind(kind: str) -> str:
    """The kind in words, and what to do when it is not what the adapter reads.

    >>> describe_kind("gzip")
    'a gzip-compressed file; decompress it first (gunzip)'
    """
    hint = _HINTS.get(kind)
    return f"{_DESCRIPTIONS[kind]}; {hint}" if hint else _DESCRIPTIONS[kind]


def missing_file_hint(path: Path) -> str:
    """``"; did you mean 'x.csv'?"`` for a close name in the same folder, else ``""``."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    except OSError:
        return ""
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.75)
    if not close:
        lowered = {name.lower(): name for name in names}
        close = [lowered[path.name.lower()]] if path.name.lower() in lowered else []
    return f"; did you mean {str(folder / close[0])!r}?" if close else ""


@dataclass(frozen=True)
class TextFile:
    """A text file as the engine scans it: UTF-8, either the file itself or a converted copy."""

    #: The file the engine reads.
    path: Path
    #: The file's own encoding (``utf-8``, ``utf-16-le``, ``cp1252`` ...).
    encoding: str
    #: A sentence for the report when the file was converted, else None.
    note: str | None = None


def _utf16_order(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when NUL bytes alternate as in UTF-16 text, else None."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) // 2)
    odd_nul = sample[1::2].count(0) / (len(sample) // 2)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether ``data`` is valid in ``encoding``, allowing a character cut at the end."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _encoding_of(path: Path) -> str:
    """The encoding of a text file, from samples of its start and its end."""
    head = _head(path)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    order = _utf16_order(head)
    if order is not None:
        return order
    tail = b""
    size = path.stat().st_size
    if size > 2 * _SAMPLE:
        with path.open("rb") as handle:
            handle.seek(size - _SAMPLE)
            tail = handle.read(_SAMPLE)
            # Start at a line so that no character is cut in two at the front.
            tail = tail[tail.find(b"\n") + 1 :]
    if _decodes(head, "utf-8") and _decodes(tail, "utf-8"):
        return "utf-8"
    # Valid multi-byte UTF-8 beside invalid bytes: a UTF-8 file with a few bad lines,
    # which the reader rejects one by one, rather than a file in another encoding.
    if any(_has_utf8_sequences(part) for part in (head, tail)):
        return "utf-8"
    return "cp1252" if _decodes(head + tail, "cp1252") else "latin-1"


def _has_utf8_sequences(data: bytes) -> bool:
    import re

    return re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data) is not None


_NAMES = {
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 (little-endian, no byte-order mark)",
    "utf-16-be": "UTF-16 (big-endian, no byte-order mark)",
    "cp1252": "Windows-1252 (Western European, as Excel saves CSV on Windows)",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
_copies: list[Path] = []


def _remove_copies() -> None:
    for folder in _copies:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(_remove_copies)


def scratch_folder() -> Path:
    """A new temporary folder for copies of an input, removed when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="retention-"))
    _copies.append(folder)
    return folder


def open_text(path: Path) -> TextFile:
    """The file as UTF-8 text for the engine: itself, or a UTF-8 copy of another encoding.

    The copy is written in chunks (memory stays small whatever the size) into a temporary
    folder removed when the process ends.
    """
    encoding = _encoding_of(path)
    if encoding == "utf-8":
        return TextFile(path, encoding)
    copy = scratch_folder() / f"{path.stem}.utf8{path.suffix or '.csv'}"
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    try:
        with path.open("rb") as source, copy.open("w", encoding="utf-8", newline="") as target:
            while chunk := source.read(1 << 20):
                target.write(decoder.decode(chunk))
                offset += len(chunk)
            target.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as error:
        raise SourceError(
            str(path),
            f"is read as {_NAMES[encoding]} from its first bytes, but byte "
            f"{offset + error.start:,} is not text in that encoding; save the file as UTF-8",
        ) from None
    note = f"the file is {_NAMES[encoding]}, not UTF-8: it was read as such" + (
        "" if encoding.startswith("utf-16") else " (check that accented names look right)"
    )
    return TextFile(copy, encoding, note)
