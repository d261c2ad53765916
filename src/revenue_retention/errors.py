"""The project's exception tree: every error a user can cause, with the fields that explain it.

::

    RetentionError                      base of everything this package raises on purpose
    ├── InputError (ValueError)         the input cannot be read as asked
    │   ├── SourceError                 a path that does not exist, a folder, an unreadable file
    │   ├── MissingColumnError          a required column is absent (lists what was found)
    │   ├── BadRowsError                rows failed validation (first few, then a count)
    │   └── NoValidRowsError            every row was rejected (carries the rejected rows)
    ├── OptionError (ValueError)        a parameter is malformed or out of range
    ├── OutputError (OSError)           an output cannot be written (the old file is kept)
    └── EngineNotSupported (NotImplementedError)
                                        the chosen engine lacks an operation the metric needs

Each error builds its message from its fields, so the CLI can print ``str(error)`` as is;
an ``OptionError`` names the Python parameter, and the CLI its flag (``message``).
A value from the data is shown as ``repr`` shows it, so a control character in it (an
escape sequence that would retitle or clear a terminal) is printed as ``\\x1b``, never
sent; ``visible`` does the same without the quotes, for text beside the messages.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "BadRow",
    "BadRowsError",
    "DataWarning",
    "EngineNotSupported",
    "InputError",
    "MissingColumnError",
    "NoValidRowsError",
    "OptionError",
    "OutputError",
    "RejectReason",
    "RetentionError",
    "RetentionWarning",
    "SourceError",
    "visible",
]


class RetentionError(Exception):
    """Base class of every error the package raises on purpose."""


class RetentionWarning(UserWarning):
    """Base class of every warning the package emits."""


class DataWarning(RetentionWarning):
    """Something in the data worth knowing that did not stop the run (a date read one of
    two ways, a default as-of that leaves scheduled months out). ``load`` warns each of
    ``InputReport.warnings``, in order; silence them with ``warnings.simplefilter("ignore",
    DataWarning)``."""


class InputError(RetentionError, ValueError):
    """The input cannot be read as asked."""


#: ``{as_of}`` in a reason: another parameter, named as the reader knows it (``message``).
#: Only these names: a value from the data shown in a reason may hold braces of its own.
_PARAMETER = re.compile(
    r"\{(as_of|window_months|currency|reporting_currency|fx_rates|fixed_rates|columns)\}"
)


class OptionError(RetentionError, ValueError):
    """A parameter given by the user is malformed or out of range.

    ``parameter`` is its Python name (``window_months``); ``str()`` reads
    ``window_months: 500 must be ...``. The command line shows the flag instead
    (``--window: 500 ...``) through ``message``. A reason that names another parameter
    writes it ``{as_of}``, so that it reads right in both.
    """

    def __init__(self, parameter: str, value: object, reason: str) -> None:
        self.parameter = parameter
        self.value = value
        self.reason = reason
        super().__init__(self.message())

    @property
    def option(self) -> str:
        """``parameter`` by its name of version 0.1 (kept for one release)."""
        return self.parameter

    def message(self, name_of: Callable[[str], str] = str) -> str:
        """The message, each parameter named by ``name_of`` (default: its Python name).

        >>> error = OptionError("period", "2024-03", "takes no {as_of} or {window_months}")
        >>> error.message()
        "period: '2024-03' takes no as_of or window_months"
        >>> error.message(lambda name: "--" + name)
        "--period: '2024-03' takes no --as_of or --window_months"
        """
        head = name_of(self.parameter)
        reason = _PARAMETER.sub(lambda match: name_of(match.group(1)), self.reason)
        # A parameter that was not given ("reporting_currency is needed") has no value to show.
        return f"{head}: {self.value!r} {reason}" if self.value is not None else f"{head} {reason}"

    @classmethod
    def check_whole(cls, parameter: str, value: object, low: int, high: int, unit: str = "") -> int:
        """``value`` if it is a whole number from ``low`` to ``high``, else this error.

        The bounds are what the computation can hold (an engine's 64-bit integers, an
        array's length), so that no number typed on the command line reaches it unchecked.

        >>> OptionError.check_whole("limit", 10**20, 1, 10**9)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        revenue_retention.errors.OptionError: limit: 100000000000000000000 must be a whole ...
        """
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise cls(parameter, value, f"must be a whole number from {low:,} to {high:,}{unit}")
        return value

    @classmethod
    def check_finite(cls, parameter: str, value: object, reason: str) -> float:
        """``value`` if it is a finite number (not ``inf``, ``1e400`` or ``nan``), else this
        error, saying ``reason``."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise cls(parameter, value, reason)
        return float(value)


class OutputError(RetentionError, OSError):
    """An output file cannot be written: the OS said why, and the previous file is intact."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot write {visible(self.path)}: {reason}")


def visible(text: str) -> str:
    r"""``text`` with every non-printable character escaped as ``repr`` escapes it, line
    breaks excepted: what a terminal shows of a value from the data, never a control code.

    >>> visible("acme\x1b]0;owned\x07 ltd")
    'acme\\x1b]0;owned\\x07 ltd'
    >>> print(visible("two\nlines, a\ttab"))
    two
    lines, a\ttab
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


class EngineNotSupported(RetentionError, NotImplementedError):  # noqa: N818 (name from STYLE.md)
    """The engine cannot run an operation a metric needs."""

    def __init__(self, engine: str, operation: str, hint: str = "") -> None:
        self.engine = engine
        self.operation = operation
        message = f"engine {engine!r} does not support {operation}"
        super().__init__(f"{message}; {hint}" if hint else message)


class SourceError(InputError):
    """The source itself cannot be opened or parsed (not a row problem)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


#: Column names a message lists, at most.
_LISTED = 40


class MissingColumnError(InputError):
    """A required column is absent from the header, or ``--column`` names one it lacks.

    ``suggestion`` is the header's column nearest to what was wanted (``Custmer ID`` for
    ``customer_id``), offered, never taken. ``named`` is the column ``--column`` asked for.
    """

    _SHOWN = 8  # accepted names listed before "... (N in all)"

    def __init__(
        self,
        path: str,
        role: str,
        accepted: Sequence[str],
        found: Sequence[str],
        option: str,
        *,
        suggestion: str | None = None,
        named: str | None = None,
    ) -> None:
        self.path = path
        self.role = role
        self.accepted = tuple(accepted)
        self.found = tuple(found)
        self.suggestion = suggestion
        self.named = named
        columns = ", ".join(self.found[:_LISTED]) or "(none)"
        if len(self.found) > _LISTED:
            columns += f", ... ({len(self.found):,} in all)"
        hint = f" Did you mean {suggestion!r}?" if suggestion else ""
        use = f"{role}={_quoted(suggestion)}" if suggestion else f"{role}=COLUMN"
        if named is not None:
            super().__init__(
                f"{path}: {option} {role}={named} names no column of the file.{hint} "
                f"Columns found: {columns}. Name one of them: {option} {use}."
            )
            return
        shown = ", ".join(self.accepted[: self._SHOWN])
        if len(self.accepted) > self._SHOWN:
            shown += f", ... ({len(self.accepted)} in all)"
        super().__init__(
            f"{path}: no column for {role!r}.{hint} Columns found: {columns}. "
            f"Names accepted: {shown}. Name it explicitly with {option} {use}."
        )


def _quoted(column: str) -> str:
    """A column name as a shell takes it in ``--column ROLE=NAME``."""
    return f'"{column}"' if any(c in column for c in " ()$&;'|<>*?!#`") else column


class RejectReason(enum.StrEnum):
    """Why a row was rejected; stable identifiers used in messages and rejects files."""

    MISSING_CUSTOMER_ID = "missing_customer_id"
    MISSING_DATE = "missing_date"
    INVALID_DATE = "invalid_date"
    MISSING_AMOUNT = "missing_amount"
    INVALID_AMOUNT = "invalid_amount"
    TOO_MANY_DECIMALS = "too_many_decimals"
    AMOUNT_TOO_LARGE = "amount_too_large"
    NEGATIVE_AMOUNT = "negative_amount"
    END_BEFORE_START = "end_before_start"
    AMBIGUOUS_AMOUNT = "ambiguous_amount"
    MISSING_CURRENCY = "missing_currency"
    INVALID_CURRENCY = "invalid_currency"
    MISSING_FX_RATE = "missing_fx_rate"
    INVALID_INTERVAL = "invalid_interval"
    IMPOSSIBLE_DATE = "impossible_date"
    AMBIGUOUS_DATE = "ambiguous_date"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    SPREADSHEET_ERROR = "spreadsheet_error"
    NOT_A_NUMBER = "not_a_number"
    EXPONENT = "exponent"
    WRONG_COLUMN_COUNT = "wrong_column_count"
    UNCLOSED_QUOTE = "unclosed_quote"
    INVALID_ENCODING = "invalid_encoding"
    LINE_TOO_LONG = "line_too_long"

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]


_EXPLANATIONS = {
    RejectReason.MISSING_CUSTOMER_ID: "the customer id is empty",
    RejectReason.MISSING_DATE: "the date is empty",
    RejectReason.INVALID_DATE: (
        "not a date in a form read here: YYYY-MM-DD, YYYY-MM, 2024/01/31, 31 Jan 2024, "
        "Jan 2024, or DD/MM/YYYY and MM/DD/YYYY when the column shows which"
    ),
    RejectReason.MISSING_AMOUNT: "the amount is empty",
    RejectReason.INVALID_AMOUNT: "not a plain decimal number such as 1200.50",
    RejectReason.TOO_MANY_DECIMALS: "more than 6 decimal places; it would have to be rounded",
    RejectReason.AMOUNT_TOO_LARGE: "more than 12 digits before the decimal point",
    RejectReason.NEGATIVE_AMOUNT: "recurring revenue cannot be negative",
    RejectReason.END_BEFORE_START: "the end date is before the start date",
    RejectReason.AMBIGUOUS_AMOUNT: (
        "the separators can be read two ways (1,234 is 1234 or 1.234); "
        "say which with --decimal-separator"
    ),
    RejectReason.MISSING_CURRENCY: (
        "the currency is empty, or the amount names none where others name different ones"
    ),
    RejectReason.INVALID_CURRENCY: "not a three-letter currency code such as EUR",
    RejectReason.MISSING_FX_RATE: (
        "no exchange rate for this currency on or before this month; add one to the rates"
    ),
    RejectReason.INVALID_INTERVAL: (
        "not a billing interval: day, week, month or year, with a whole interval count >= 1"
    ),
    RejectReason.IMPOSSIBLE_DATE: "no such day in the calendar (month 13, February 30)",
    RejectReason.AMBIGUOUS_DATE: (
        "day and month can be read either way (03/04/2024) and no value of the column shows "
        "which comes first; write YYYY-MM-DD or say which with --date-order"
    ),
    RejectReason.DATE_OUT_OF_RANGE: (
        "outside the years 1980 to 2099: a placeholder such as 1900-01-01 or 2999-12-31? "
        "Leave the end of a subscription that has not ended empty"
    ),
    RejectReason.SPREADSHEET_ERROR: (
        "a spreadsheet error value (#REF!, #N/A, #VALUE!): the formula behind it failed"
    ),
    RejectReason.NOT_A_NUMBER: "NaN or infinity is not an amount: a calculation failed upstream",
    RejectReason.EXPONENT: (
        "written with an exponent (1e3, 1.2E+06), as spreadsheets show numbers they round; "
        "export the full digits"
    ),
    RejectReason.WRONG_COLUMN_COUNT: (
        "the row has more or fewer values than the header has columns (an unquoted "
        "delimiter inside a value, or a cut line?)"
    ),
    RejectReason.UNCLOSED_QUOTE: "a quoted value is not closed, or text follows its closing quote",
    RejectReason.INVALID_ENCODING: (
        "bytes that are not text in the file's encoding (UTF-8): save the file as UTF-8"
    ),
    RejectReason.LINE_TOO_LONG: (
        "a line longer than 1,000,000 bytes (or a record longer than 2,000,000): not a row "
        "of a billing table"
    ),
}


#: The characters of a bad value an error message shows.
_SHOWN = 200


@dataclass(frozen=True)
class BadRow:
    """One rejected row: where it is, which value, and why."""

    path: str
    line: int
    #: None when the row could not be split into columns (its value is then the whole line).
    column: str | None
    value: str | None
    reason: RejectReason
    #: The spreadsheet cell (``Sheet1!C5``) when the source is a workbook.
    cell: str | None = None

    def __str__(self) -> str:
        shown = "(empty)" if self.value is None or self.value == "" else repr(self.value)
        if self.value is not None and len(self.value) > _SHOWN:
            # A line set aside whole can be long; the rejects file holds all of it.
            shown = f"{self.value[:_SHOWN]!r} … ({len(self.value):,} characters)"
        if self.cell:
            where = f"cell {self.cell} (column {self.column!r})"
        elif self.column is None:
            where = f"line {self.line}"
        else:
            where = f"line {self.line}, column {self.column!r}"
        return f"{self.path}, {where}: {shown}: {self.reason.explanation} [{self.reason.value}]"


class NoValidRowsError(InputError):
    """Every row was rejected: nothing to compute, but the rejects can still be written."""

    def __init__(self, message: str, rejects: object = None, rejected: int = 0) -> None:
        #: The rejected rows as an engine table (``Dataset.rejects`` shape), when known,
        #: and how many rows were rejected (all of them).
        self.rejects = rejects
        self.rejected = rejected
        super().__init__(message)


class BadRowsError(InputError):
    """Some rows failed validation; the run stopped before computing anything."""

    def __init__(
        self, path: str, examples: Iterable[BadRow], rejected: int, rows_read: int
    ) -> None:
        self.path = path
        self.examples = tuple(examples)
        self.rejected = rejected
        self.rows_read = rows_read
        lines = [f"{path}: {rejected} of {rows_read} rows are invalid."]
        lines += [f"  {row}" for row in self.examples]
        if rejected > len(self.examples):
            lines.append(f"  ... and {rejected - len(self.examples)} more.")
        lines.append(
            "Fix them, or pass --rejects PATH to write every bad row with its reason "
            "and compute on the rest."
        )
        super().__init__("\n".join(lines))
