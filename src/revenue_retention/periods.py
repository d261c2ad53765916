"""Month arithmetic: months as integer indexes, labels, windows and as-of capping.

A month is carried in the engine as ``month_index = year * 12 + (month - 1)``, so that
"the month before" and "k months later" are integer arithmetic on every engine.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from revenue_retention.errors import OptionError

__all__ = [
    "MONTH_NAMES",
    "MonthRange",
    "as_of_month",
    "month_index",
    "month_index_of",
    "month_label",
    "month_of",
    "month_start",
    "month_start_of_index",
    "parse_month",
    "parse_windows",
]

#: English month names and abbreviations, lower case, to their number (1-12).
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def month_index(year: int, month: int) -> int:
    """The integer index of a calendar month.

    >>> month_index(2024, 1) - month_index(2023, 12)
    1
    """
    return year * 12 + month - 1


def month_start(index: int) -> dt.date:
    """The first day of the month with this index.

    >>> month_start(month_index(2024, 2))
    datetime.date(2024, 2, 1)
    """
    return dt.date(index // 12, index % 12 + 1, 1)


def month_label(index: int) -> str:
    """The ``YYYY-MM`` label of a month index.

    >>> month_label(month_index(2024, 2))
    '2024-02'
    """
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_month(text: str, parameter: str = "as_of") -> int:
    """Parse ``YYYY-MM`` into a month index; raise ``OptionError`` otherwise.

    >>> month_label(parse_month("2024-12"))
    '2024-12'
    """
    match = _MONTH_RE.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise OptionError(parameter, text, "is not a month; expected YYYY-MM, e.g. 2024-12")
    return month_index(int(match.group(1)), int(match.group(2)))


def month_of(month: str | dt.date, parameter: str = "as_of") -> int:
    """The month index of a month the public API was given: ``"YYYY-MM"`` or a date (its
    month).

    Month indexes are internal: an ``int`` is refused, with the month it would have been,
    since ``as_of=24299`` or ``as_of=12`` is a mistake, not a month.

    >>> month_label(month_of("2024-12")), month_label(month_of(dt.date(2024, 12, 31)))
    ('2024-12', '2024-12')
    >>> month_of(24299)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    revenue_retention.errors.OptionError: as_of: 24299 is not a month; pass "YYYY-MM", ...
    """
    if isinstance(month, dt.date):
        return month_index(month.year, month.month)
    if isinstance(month, str):
        return parse_month(month, parameter)
    hint = ""
    if isinstance(month, int) and not isinstance(month, bool) and 0 <= month < 12 * 10_000:
        hint = f" (as a month index, {month} is {month_label(month)!r})"
    raise OptionError(
        parameter, month, f'is not a month; pass "YYYY-MM", e.g. "2024-12", or a date{hint}'
    )


def as_of_month(as_of: str | dt.date | None, parameter: str = "as_of") -> int | None:
    """``month_of(as_of)``, or ``None`` for ``None`` (the data's last month, for the caller).

    >>> as_of_month(None) is None, month_label(as_of_month("2024-12"))
    (True, '2024-12')
    """
    return None if as_of is None else month_of(as_of, parameter)


#: The longest window: ten years of months.
MAX_WINDOW_MONTHS = 120


def check_window(window_months: object, parameter: str = "window_months") -> int:
    """A window length in months, from 1 to ``MAX_WINDOW_MONTHS``, or ``OptionError``.

    >>> check_window(12)
    12
    """
    return OptionError.check_whole(parameter, window_months, 1, MAX_WINDOW_MONTHS, " months")


def parse_windows(
    windows: str | int | Iterable[int], parameter: str = "window_months"
) -> tuple[int, ...]:
    """Parse window lengths in months (``"1,3,12"``, 12 or ``[1, 3]``), sorted and
    de-duplicated.

    >>> parse_windows("12,1,3,3"), parse_windows(12)
    ((1, 3, 12), (12,))
    """
    items: list[int] = []
    if isinstance(windows, str):
        raw: list[object] = list(windows.split(","))
    elif isinstance(windows, int):
        raw = [windows]
    else:
        raw = list(windows)
    for item in raw:
        try:
            value = int(str(item).strip())
        except ValueError:
            raise OptionError(parameter, windows, "must be whole numbers of months") from None
        if not 1 <= value <= MAX_WINDOW_MONTHS:
            raise OptionError(
                parameter, windows, f"must be between 1 and {MAX_WINDOW_MONTHS} months"
            )
        items.append(value)
    if not items:
        raise OptionError(parameter, windows, "names no window")
    return tuple(sorted(set(items)))


def month_index_of(date: ir.DateValue | ir.TimestampValue) -> ir.IntegerValue:
    """Engine expression: the month index of a date column (64-bit on every engine)."""
    return date.year().cast("int64") * 12 + date.month().cast("int64") - 1


def month_start_of_index(index: ir.IntegerValue) -> ir.DateValue:
    """Engine expression: the first day of the month with this index."""
    return ibis.date((index // 12).cast("int32"), (index % 12 + 1).cast("int32"), 1)


@dataclass(frozen=True)
class MonthRange:
    """The inclusive range of months analysed; the first is the opening balance."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise OptionError(
                "as_of",
                month_label(self.last),
                f"is before the data's first month {month_label(self.first)}",
            )

    @property
    def months(self) -> range:
        return range(self.first, self.last + 1)

    def capped(self, as_of: int | None) -> MonthRange:
        """The range ending at ``as_of`` when that is earlier than the data's last month."""
        return self if as_of is None else MonthRange(self.first, min(self.last, as_of))

    def __str__(self) -> str:
        return f"{month_label(self.first)} to {month_label(self.last)}"
