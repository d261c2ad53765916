"""Text a spreadsheet would run as a formula, made inert (OWASP, "CSV Injection").

Excel, LibreOffice and Google Sheets read a CSV cell that starts with ``=``, ``+``, ``-``
or ``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and drop a leading
tab or carriage return before reading on. A customer id, an attribute or a column name
from the data can be one. By default every CSV we write (``--format csv``, the rejects
file) neutralises such a text as OWASP advises: a ``'`` before it, and the field quoted,
so the spreadsheet shows it as text; ``raw`` writes values as they are.

Numbers are never touched: counts and rates are numbers, and money is written as a plain
decimal (``-12.50``), which a spreadsheet can only read as a number. A text that is such a
plain decimal is left alone for the same reason, so an amount copied verbatim into the
rejects file stays machine-readable.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TRIGGERS", "is_formula_like", "neutralise", "neutralise_batch"]

#: First characters that make a spreadsheet read a cell as a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"[+-]?[0-9]+(\.[0-9]+)?"
_NUMBER = re.compile(_PLAIN_NUMBER)
_TRIGGER_CLASS = "[=+@\t\r-]"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula.

    >>> is_formula_like("=1+2"), is_formula_like("-2+3"), is_formula_like("@SUM(A1)")
    (True, True, True)
    >>> is_formula_like("-12.50"), is_formula_like("acme-1"), is_formula_like("")
    (False, False, False)
    """
    return text.startswith(TRIGGERS) and _NUMBER.fullmatch(text) is None


def neutralise(value: Any) -> Any:
    """``value`` as a CSV cell shows it safely: a formula-like text gets a leading ``'``.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-12.50"), neutralise(-12.5), neutralise(None)
    ("'=HYPERLINK(1)", '-12.50', -12.5, None)
    """
    return "'" + value if isinstance(value, str) and is_formula_like(value) else value


def _column(values: pa.Array) -> pa.Array:
    """A string column with its formula-like values neutralised, in Arrow (no row loop)."""
    starts = pc.match_substring_regex(values, f"^{_TRIGGER_CLASS}")
    number = pc.match_substring_regex(values, f"^{_PLAIN_NUMBER}$")
    formula = pc.and_(starts, pc.invert(number))
    quoted = pc.binary_join_element_wise(pa.scalar("'", values.type), values, "")
    return pc.if_else(formula, quoted, values)


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def neutralise_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A batch of rows with every text column, and the column names, neutralised.

    >>> batch = pa.record_batch({"=name": ["=1+2", "-5.00", None], "line": [2, 3, 4]})
    >>> safe = neutralise_batch(batch)
    >>> safe.schema.names, safe.column(0).to_pylist()
    (["'=name", 'line'], ["'=1+2", '-5.00', None])
    """
    columns = [_column(c) if _is_text(c.type) else c for c in batch.columns]
    names = [neutralise(name) for name in batch.schema.names]
    return pa.RecordBatch.from_arrays(columns, names=names)
