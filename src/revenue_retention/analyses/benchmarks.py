"""Benchmark bands and medians for retention rates, read from a data file (METRICS.md §7).

Each band and median names its publisher and year (``cite``), the way outputs show it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from revenue_retention.errors import InputError

__all__ = ["Band", "Benchmarks", "Median", "load_benchmarks"]

_BOUNDS = ("at_least", "above", "below", "at_most")


@dataclass(frozen=True)
class Band:
    """A named range of a rate, with where the band comes from."""

    metric: str
    label: str
    meaning: str
    source: str
    year: int
    at_least: float | None = None
    above: float | None = None
    below: float | None = None
    at_most: float | None = None

    def holds(self, value: float) -> bool:
        """Whether ``value`` lies in this band.

        >>> Band("grr", "weak", "", "", 2025, below=0.85).holds(0.84)
        True
        """
        return (
            (self.at_least is None or value >= self.at_least)
            and (self.above is None or value > self.above)
            and (self.below is None or value < self.below)
            and (self.at_most is None or value <= self.at_most)
        )

    def describe(self) -> str:
        """The band's range in words, e.g. ``85% to 90%``."""
        low = self.at_least if self.at_least is not None else self.above
        high = self.below if self.below is not None else self.at_most
        if low is None and high is not None:
            return f"below {high:.0%}"
        if high is None and low is not None:
            return f"{low:.0%} or more"
        return f"{low:.0%} to {high:.0%}"

    @property
    def cite(self) -> str:
        """Where the band comes from, as every output cites it: ``Stripe (2025)``."""
        return f"{self.source} ({self.year})"


@dataclass(frozen=True)
class Median:
    """A published median of a rate."""

    metric: str
    value: float
    source: str
    year: int

    @property
    def cite(self) -> str:
        """Where the median comes from, as every output cites it: ``SaaS Capital (2023)``."""
        return f"{self.source} ({self.year})"


@dataclass(frozen=True)
class Benchmarks:
    """Bands per metric, in the order they are tried, and published medians."""

    bands: tuple[Band, ...]
    medians: dict[str, Median]
    path: str

    def place(self, metric: str, value: float | None) -> Band | None:
        """The first band of ``metric`` that holds ``value`` (None without value or band).

        Defines: GRR bands (METRICS.md §7).
        Defines: NRR bands (METRICS.md §7).
        """
        if value is None:
            return None
        return next((b for b in self.bands if b.metric == metric and b.holds(value)), None)


def _number(entry: dict[str, Any], key: str, path: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float):
        raise InputError(f"{path}: {key} of band {entry.get('label')!r} must be a number")
    return float(value)


def load_benchmarks(path: str | Path | None = None) -> Benchmarks:
    """Read benchmark bands from ``path``, or the ones shipped with the package.

    Defines: medians, SaaS Capital 2023 (METRICS.md §7).

    Raises
    ------
    InputError
        The file cannot be read or lacks a field.

    Examples
    --------
    >>> bench = load_benchmarks()
    >>> bench.place("grr", 0.78).label, bench.medians["nrr"].value
    ('weak', 1.02)
    """
    if path is None:
        text = files("revenue_retention.analyses").joinpath("data/benchmarks.toml").read_text()
        where = "built-in benchmarks"
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"{where}: cannot be read ({error.strerror})") from None
    try:
        raw = tomllib.loads(text)
        bands = tuple(
            Band(
                metric=str(b["metric"]),
                label=str(b["label"]),
                meaning=str(b.get("meaning", "")),
                source=str(b["source"]),
                year=int(b["year"]),
                **{key: _number(b, key, where) for key in _BOUNDS},
            )
            for b in raw.get("bands", [])
        )
        medians = {
            metric: Median(metric, float(m["value"]), str(m["source"]), int(m["year"]))
            for metric, m in raw.get("medians", {}).items()
        }
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{where}: not valid TOML ({error})") from None
    except KeyError as error:
        raise InputError(f"{where}: a band or median lacks the field {error}") from None
    return Benchmarks(bands=bands, medians=medians, path=where)
