"""The adapter registry: which adapter reads a source, chosen by name or by detection."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol, runtime_checkable

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.errors import OptionError, SourceError
from revenue_retention.inputs.lines import LineAccount
from revenue_retention.inputs.sniff import content_kind, describe_kind, missing_file_hint

__all__ = ["Adapter", "Raw", "adapters", "read_source", "register"]


@dataclass(frozen=True)
class Raw:
    """A source read as text: every column a string, plus the engine's line column."""

    path: str
    adapter: str
    table: ir.Table
    columns: tuple[str, ...]
    #: The same rows without line numbers, when the adapter can scan them faster that way
    #: (numbering rows in file order costs parallelism); only their lines are null.
    unnumbered: ir.Table | None = None
    #: Whether scanning the source again costs little (typed columnar data the engine
    #: reads itself), so results may be computed from it on demand instead of stored.
    rescan: bool = False
    #: For spreadsheets: the sheet read and each column's letter, so that a bad value is
    #: named by its cell (``Sheet1!C5``); the line is then the sheet's row number.
    sheet: str | None = None
    column_letters: dict[str, str] | None = None
    #: For exports of a known system (Stripe): the role of each column and the layout,
    #: given by the adapter instead of guessed from the header.
    roles: dict[str, str] | None = None
    layout: str | None = None
    #: What reading the source noticed (a converted encoding, blank column names).
    warnings: tuple[str, ...] = ()
    #: For delimited text: the delimiter, and the name of the table where the scan
    #: records the records it could not split; the line column then counts records,
    #: which ``inputs.lines`` turns into lines.
    delimiter: str | None = None
    scan_errors: str | None = None
    #: For text: its physical lines accounted for before reading, with the lines set
    #: aside then (too long, stray quotes), which the reader is given blank.
    account: LineAccount | None = None

    def cell(self, column: str, line: int | None) -> str | None:
        """The spreadsheet cell of ``column`` on ``line`` (``Sheet1!C5``), if a spreadsheet."""
        if self.sheet is None or self.column_letters is None or line is None:
            return None
        letter = self.column_letters.get(column)
        return f"{self.sheet}!{letter}{line}" if letter else None

    @property
    def fast(self) -> ir.Table:
        """The quickest scan of every row: unnumbered if there is one."""
        return self.unnumbered if self.unnumbered is not None else self.table


@runtime_checkable
class Adapter(Protocol):
    """What an input adapter provides."""

    name: str

    def detect(self, source: Path) -> bool: ...

    def read(self, source: Path, con: BaseBackend) -> Raw: ...


_REGISTRY: dict[str, Adapter] = {}
_entry_points_loaded = False


def register(adapter: Adapter) -> Adapter:
    """Add an adapter to the registry under its ``name`` (a later one replaces it)."""
    _REGISTRY[adapter.name] = adapter
    return adapter


def adapters() -> dict[str, Adapter]:
    """The registered adapters by name, built-in ones first."""
    global _entry_points_loaded
    if not _entry_points_loaded:
        _entry_points_loaded = True
        from revenue_retention.inputs import files, stripe, xlsx  # noqa: F401  (built-ins)

        for point in entry_points(group="revenue_retention.inputs"):
            register(point.load()())
    return dict(_REGISTRY)


def read_source(
    source: str | Path, con: BaseBackend, adapter: str | None = None, *, sheet: str | None = None
) -> Raw:
    """Read ``source`` with the named adapter, or the first that recognises it.

    ``sheet`` names the worksheet of a spreadsheet (default: the first); other adapters
    refuse it.
    """
    path = Path(source)
    if not path.exists():
        raise SourceError(str(path), f"no such file{missing_file_hint(path)}")
    if path.is_dir():
        raise SourceError(str(path), "is a folder, not a file")
    if not path.is_file():
        raise SourceError(str(path), "is not a regular file (a device or a pipe?)")
    known = adapters()
    if adapter is not None:
        if adapter not in known:
            raise OptionError("input_format", adapter, f"is not one of {sorted(known)}")
        return _read(known[adapter], path, con, sheet)
    # Adapters for one system's export (Stripe) look before the generic formats they share.
    ordered = sorted(known.values(), key=lambda a: not getattr(a, "specific", False))
    for candidate in ordered:
        if candidate.detect(path):
            return _read(candidate, path, con, sheet)
    raise SourceError(
        str(path),
        f"unrecognised file type: the file is {describe_kind(content_kind(path))}; "
        f"supported: {', '.join(sorted(known))} (name one with --input-format)",
    )


def _read(adapter: Adapter, path: Path, con: BaseBackend, sheet: str | None) -> Raw:
    if sheet is None:
        return adapter.read(path, con)
    if not getattr(adapter, "sheets", False):
        raise OptionError("sheet", sheet, f"applies to spreadsheets, not {adapter.name} files")
    return adapter.read(path, con, sheet=sheet)  # type: ignore[call-arg]
