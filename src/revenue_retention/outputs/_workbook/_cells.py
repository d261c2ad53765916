"""Record values as cells: the type and number format of each kind, money as exact digits."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from revenue_retention.errors import visible
from revenue_retention.outputs._workbook._kinds import Kind
from revenue_retention.outputs._workbook._model import Typed
from revenue_retention.outputs.formulas import TRIGGERS

__all__ = ["MAX_WIDTH", "CellWriter", "shown_width", "xml_text"]

_FORMATS = {
    Kind.MONTH: "yyyy-mm",
    Kind.MONEY: "#,##0.00",
    Kind.RATE: "0.0%",
    Kind.POINTS: "+0.0%;-0.0%;0.0%",
    Kind.COUNT: "#,##0",
    Kind.INDEX: "0.0000",
}
_LABEL = re.compile(r"(\d{4})-(\d{2})")
#: The widest a column gets; longer text wraps.
MAX_WIDTH = 60


#: Characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE): tab, line feed and
#: carriage return are allowed.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(value: str) -> str:
    r"""``value`` fit for the workbook's XML: a control character XML cannot hold is written
    as error messages write it (``errors.visible``), instead of failing the whole file.

    >>> xml_text("acme\x1b[2J"), xml_text("tab\tkept")
    ('acme\\x1b[2J', 'tab\tkept')
    """
    return _NOT_XML.sub(lambda found: visible(found.group()), value)


def _value(value: Any, kind: Kind | None) -> tuple[Any, Kind | None]:
    """The cell value of a record value, and the kind that formats it."""
    if isinstance(value, Typed):
        return _value(value.value, value.kind)
    if value is None:
        return None, None
    if kind is Kind.MONTH and isinstance(value, str):
        match = _LABEL.fullmatch(value)
        return (date(int(match[1]), int(match[2]), 1), kind) if match else (value, Kind.TEXT)
    if kind in (Kind.MONEY, Kind.DECIMAL) and isinstance(value, str | Decimal):
        return Decimal(value), kind
    if isinstance(value, bool):
        return value, None
    if isinstance(value, dict | list):
        return json.dumps(value), Kind.TEXT
    if isinstance(value, int) and kind is None:
        return value, Kind.COUNT
    if isinstance(value, str):
        return value, Kind.TEXT
    return value, kind


def shown_width(value: Any, kind: Kind | None) -> int:
    """Characters the value takes as shown in its number format."""
    shown, kind = _value(value, kind)
    if shown is None:
        return 0
    if kind is Kind.MONEY:
        return len(f"{shown:,.2f}")
    if kind in (Kind.RATE, Kind.POINTS):
        return 7
    if kind is Kind.MONTH:
        return 8
    if kind is Kind.COUNT:
        return len(f"{shown:,}")
    return len(str(shown))


class CellWriter:
    """Turns record values into the cells of one write-only sheet, formatted by kind."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ERROR_CODES
        from openpyxl.styles import Alignment, Font

        self.ws = ws
        self._cell = WriteOnlyCell
        self._errors = frozenset(ERROR_CODES)
        self._title = Font(bold=True, size=14)
        self._bold = Font(bold=True)
        self._note = Font(italic=True, color="555555")
        self._wrap = Alignment(wrap_text=True, vertical="top")

    def _text(self, value: str, styled: bool = True) -> Any:
        """``value`` as a cell that holds it as text, whatever it looks like.

        openpyxl stores a string that starts with ``=`` as a formula and ``#N/A`` as an
        error; here text from the data (an id ``=cmd|' /C calc'!A0``, a segment
        ``=HYPERLINK(...)``, a column name) is always an inline string. A text Excel
        would turn into a formula when the cell is edited also gets the quote prefix (the
        ``'`` Excel shows in the formula bar); control characters are escaped (``xml_text``).
        Unless ``styled``, a text openpyxl stores as an inline string anyway (printable,
        neither formula-like nor an error code) is returned as it is: most of them, and a
        cell object each would cost a quarter of the workbook's time.
        """
        plain = value.isprintable() and not value.startswith(TRIGGERS)
        if not styled and plain and value not in self._errors:
            return value
        cell = self._cell(self.ws, xml_text(value))
        cell.data_type = "s"
        if value.startswith(TRIGGERS):
            cell.quotePrefix = True
        return cell

    def text(self, value: str, style: str = "") -> Any:
        cell = self._text(value)
        if style == "title":
            cell.font = self._title
        elif style == "bold":
            cell.font = self._bold
        elif style == "note":
            cell.font = self._note
        return cell

    def value(self, raw: Any, column_kind: Kind | None) -> Any:
        value, kind = _value(raw, column_kind)
        partial = isinstance(raw, Typed) and raw.partial
        wrap = kind is Kind.TEXT and len(value) > MAX_WIDTH
        if isinstance(value, str):
            cell = self._text(value, styled=partial or wrap)
            if isinstance(cell, str):
                return cell
        elif kind not in _FORMATS and not partial:
            return value  # a flag or nothing: no cell object of ours needed
        else:
            cell = self._cell(self.ws, value)
        if kind in _FORMATS:
            cell.number_format = _FORMATS[kind]
        if kind in (Kind.MONEY, Kind.DECIMAL):
            # openpyxl writes numbers through "%.16g" of a float, which rounds a decimal
            # of more than 16 digits; the XML gets the exact digits instead (a reader may
            # still round them to 15, as Excel does).
            cell._value = f"{value:f}"
        if wrap:
            cell.alignment = self._wrap
        if partial:
            cell.font = self._note
        return cell
