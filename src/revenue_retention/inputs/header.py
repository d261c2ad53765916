"""Checks of a source's column names that every adapter shares: width and repeats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from revenue_retention.errors import SourceError

__all__ = ["MAX_COLUMNS", "check_header", "check_width"]

#: The widest source read. A billing table is far narrower (a revenue cube of 80 years of
#: months has 960 columns, a Stripe export about a hundred); the engine pays for every
#: column in every scan (10,000 text columns exhausted 18 GB of memory).
MAX_COLUMNS = 1_000
#: Names listed in a message, at most.
_LISTED = 10


def check_width(shown: str, width: int) -> None:
    """Refuse a source wider than ``MAX_COLUMNS``.

    >>> check_width("x.csv", 1_500)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    revenue_retention.errors.SourceError: x.csv: the header has 1,500 columns, more than ...
    """
    if width > MAX_COLUMNS:
        raise SourceError(
            shown,
            f"the header has {width:,} columns, more than the {MAX_COLUMNS:,} read: not a "
            "billing table (a file whose delimiter is not the one between its columns?)",
        )


def check_header(shown: str, names: Sequence[str], hint: str = "") -> None:
    """Refuse a header too wide, or repeating a name (in any letter case: engines compare
    names without regard to case, so Segment and segment repeat), counted in one pass."""
    check_width(shown, len(names))
    counts = Counter(name.lower() for name in names)
    repeated = sorted({name for name in names if counts[name.lower()] > 1})
    if repeated:
        listed = ", ".join(map(repr, repeated[:_LISTED]))
        more = f" and {len(repeated) - _LISTED:,} more" if len(repeated) > _LISTED else ""
        raise SourceError(shown, f"the header repeats the column name(s) {listed}{more}{hint}")
