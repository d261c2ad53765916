"""A rate's last twelve months as a small inline SVG line, for the report's headline cards.

Drawn by us, not by Plotly: a card holds a 120 x 32 path, not a chart with axes and a
toolbar. The points are the figures themselves (``values``), so a test or a reader's
script checks the line against the JSON, as it does for the charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SPARK_HEIGHT", "SPARK_MONTHS", "SPARK_WIDTH", "Sparkline", "sparkline"]

SPARK_MONTHS = 12
SPARK_WIDTH = 120
SPARK_HEIGHT = 32
#: Room around the line so that the end dot is not cut by the box.
_PAD = 3.0


@dataclass(frozen=True)
class Sparkline:
    """The months, their values (null where the rate is undefined) and the SVG to draw."""

    months: tuple[str, ...]
    values: tuple[float | None, ...]
    #: SVG path data: ``M x y L x y ...``, a new ``M`` after a gap.
    path: str
    #: Where the last known value is drawn (the dot), or None when there is none.
    last: tuple[float, float] | None
    low: float | None
    high: float | None

    @property
    def summary(self) -> str:
        """The line in words, for screen readers: ``from 87.9% (2025-01) to 86.0% (2025-12)``."""
        known = [(m, v) for m, v in zip(self.months, self.values, strict=True) if v is not None]
        if not known:
            return "no figure in these months"
        (m0, v0), (m1, v1) = known[0], known[-1]
        return (
            f"from {v0:.1%} ({m0}) to {v1:.1%} ({m1}), between {self.low:.1%} and {self.high:.1%}"
        )


def sparkline(months: Sequence[str], values: Sequence[float | None]) -> Sparkline:
    """The line of ``values`` over ``months``, scaled to its own lowest and highest value.

    >>> s = sparkline(["2025-01", "2025-02", "2025-03"], [0.9, None, 0.8])
    >>> s.path, s.last
    ('M3.0 3.0 M117.0 29.0', (117.0, 29.0))
    """
    known = [v for v in values if v is not None]
    if not known:
        return Sparkline(tuple(months), tuple(values), "", None, None, None)
    low, high = min(known), max(known)
    span = high - low
    count = max(len(values) - 1, 1)
    parts: list[str] = []
    last: tuple[float, float] | None = None
    drawing = False
    for i, v in enumerate(values):
        if v is None:
            drawing = False
            continue
        x = round(_PAD + i * (SPARK_WIDTH - 2 * _PAD) / count, 1)
        level = 0.5 if span == 0 else (v - low) / span
        y = round(SPARK_HEIGHT - _PAD - level * (SPARK_HEIGHT - 2 * _PAD), 1)
        parts.append(f"{'L' if drawing else 'M'}{x} {y}")
        drawing = True
        last = (x, y)
    return Sparkline(tuple(months), tuple(values), " ".join(parts), last, low, high)
