"""Groups for breakdowns: attribute columns as they are, and size bands of MRR (§3)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise

import ibis
import ibis.expr.types as ir

from revenue_retention.errors import OptionError
from revenue_retention.money import money_literal, positive_decimal

__all__ = [
    "DEFAULT_SIZE_BANDS",
    "SIZE_BAND",
    "band_labels",
    "check_groups",
    "parse_size_bands",
    "with_groups",
]

#: The derived group: the band of a customer's MRR (at the start of a window for retention).
SIZE_BAND = "size_band"
#: Lower edges of the MRR bands (the first band starts at 0).
DEFAULT_SIZE_BANDS = (Decimal(100), Decimal(1000), Decimal(10000))


def _short(edge: Decimal) -> str:
    for size, suffix in ((Decimal(10**6), "M"), (Decimal(1000), "k")):
        if edge >= size and edge % size == 0:
            return f"{edge // size}{suffix}"
    return f"{edge.normalize():f}"


def band_labels(edges: Sequence[Decimal]) -> list[str]:
    """Labels of the bands cut at ``edges``, sortable as text.

    >>> band_labels([Decimal(100), Decimal(1000)])
    ['1: < 100', '2: 100 - < 1k', '3: >= 1k']
    """
    if not edges:
        return ["1: all"]
    labels = [f"1: < {_short(edges[0])}"]
    labels += [
        f"{i + 2}: {_short(lo)} - < {_short(hi)}" for i, (lo, hi) in enumerate(pairwise(edges))
    ]
    labels.append(f"{len(edges) + 1}: >= {_short(edges[-1])}")
    return labels


def _size_band(mrr: ir.NumericValue, edges: Sequence[Decimal]) -> ir.StringValue:
    labels = band_labels(edges)
    branches = [
        (mrr < money_literal(edge), label) for edge, label in zip(edges, labels, strict=False)
    ]
    if not branches:
        return ibis.literal(labels[0])
    return ibis.cases(*branches, else_=labels[-1])


def with_groups(rows: ir.Table, by: Sequence[str], edges: Sequence[Decimal]) -> ir.Table:
    """Paying rows with the ``size_band`` group derived from their MRR when it is asked for.

    A ``size_band`` column present in the input wins over the derived one.
    """
    if SIZE_BAND in by and SIZE_BAND not in rows.columns:
        return rows.mutate(**{SIZE_BAND: _size_band(rows.mrr, sorted(edges))})
    return rows


def parse_size_bands(text: str) -> tuple[Decimal, ...]:
    """Band edges from ``"100,1000,10000"``: positive, increasing.

    >>> parse_size_bands("1000, 100")
    (Decimal('100'), Decimal('1000'))
    """
    parts = [part for part in text.split(",") if part.strip()]
    if not parts:
        raise OptionError("size_bands", text, "must be amounts like 100,1000,10000")
    edges = {positive_decimal("size_bands", part, "100,1000,10000") for part in parts}
    return tuple(sorted(edges))


def check_groups(by: Sequence[str], attributes: Sequence[str]) -> tuple[str, ...]:
    """Validate ``--by`` names against the dataset's attributes (plus ``size_band``)."""
    known = [*attributes, SIZE_BAND]
    for name in by:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise OptionError(
                "by", name, f"is not an attribute of the input (known: {', '.join(known)}){hint}"
            )
    if len(set(by)) != len(by):
        raise OptionError("by", ",".join(by), "names a column twice")
    return tuple(by)
