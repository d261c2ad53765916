"""Bootstrap confidence intervals of GRR, NRR and logo retention, resampling the cohort's customers.

METRICS.md §7 "Small base": with few customers a rate is uncertain, so an interval is shown
beside it. The cohort of a window (§3) is resampled with replacement, customer by customer:
a customer's start MRR ``a`` and end MRR ``b`` travel together, so one large account that
churned is either in a resample with its whole weight or not. The engine computes the
per-customer ``a`` and ``b`` (``metrics.cohort_pairs``); only those per-cohort numbers come
to numpy, as float64 resampling inputs for rates (money stays exact in the engine, and the
point estimates reported are the engine's).

Each resample is a vector of multinomial counts ``w`` over the n customers (n draws with
replacement), so for a whole batch of resamples at once::

    S* = w . a    retained* = w . min(a, b)    E* = w . b    logos* = w . [b > 0]    n* = sum w
    GRR* = retained* / S*    NRR* = E* / S*    logo* = logos* / n*

The interval is the percentile interval of these at ``level``; the standard error is their
standard deviation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from revenue_retention.analyses._result import Result
from revenue_retention.canonical import Dataset
from revenue_retention.defaults import DEFAULT_RESAMPLES
from revenue_retention.errors import OptionError
from revenue_retention.metrics import cohort_pairs, retention
from revenue_retention.metrics.spec import RETENTION_RATES, interval_includes
from revenue_retention.periods import as_of_month, month_label, parse_windows

__all__ = [
    "CI_METHOD",
    "DEFAULT_RESAMPLES",
    "MEMORY_BYTES",
    "METRICS",
    "CohortIntervals",
    "RateInterval",
    "SmallBaseNote",
    "UncertaintyResult",
    "bootstrap_cohort",
    "compute_intervals",
    "excludes",
    "small_base_notes",
]

#: How the intervals are made, as reported next to them.
CI_METHOD = "percentile bootstrap, customers of the cohort resampled with replacement"
#: The most resamples: fifty times the default, past any gain in precision.
MAX_RESAMPLES = 100_000
#: The rates that get an interval, by their names in METRICS.md §3 and the JSON contract.
METRICS = RETENTION_RATES
#: Working memory of one batch of resamples: the draws, their counts and the float weights
#: take about 32 bytes per (resample, customer), so a batch has ``MEMORY_BYTES // (32 n)``
#: resamples (at least one; a cohort of 6 million customers or more then needs ~32 n bytes).
MEMORY_BYTES = 200_000_000
_BYTES_PER_DRAW = 32
_NAMES = {"grr": "GRR", "nrr": "NRR", "logo_retention": "logo retention"}
_FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RateInterval:
    """One rate with its bootstrap interval; all ``None`` when the cohort is empty.

    ``point`` is the rate itself; ``low`` and ``high`` the percentile interval at the
    result's level; ``standard_error`` the standard deviation of the resampled rates.
    """

    point: float | None
    low: float | None
    high: float | None
    standard_error: float | None


@dataclass(frozen=True)
class CohortIntervals:
    """The intervals of one cohort: a window of ``window_months`` ending at month ``as_of``."""

    as_of: int
    window_months: int
    customers: int
    grr: RateInterval
    nrr: RateInterval
    logo_retention: RateInterval

    def rate(self, metric: str) -> RateInterval:
        """The interval of ``metric`` (one of ``METRICS``)."""
        if metric not in METRICS:
            raise OptionError("metric", metric, f"is not one of {', '.join(METRICS)}")
        interval: RateInterval = getattr(self, metric)
        return interval


@dataclass(frozen=True, repr=False)
class UncertaintyResult(Result):
    """Bootstrap intervals per (as-of month, window), with what is needed to reproduce them."""

    level: float
    resamples: int
    seed: int
    windows: tuple[int, ...]
    method: str
    cohorts: tuple[CohortIntervals, ...]

    def get(self, as_of: int, window_months: int) -> CohortIntervals | None:
        """The intervals of the window of ``window_months`` ending at ``as_of``, if computed."""
        for cohort in self.cohorts:
            if cohort.as_of == as_of and cohort.window_months == window_months:
                return cohort
        return None


@dataclass(frozen=True)
class SmallBaseNote:
    """A rate whose interval includes its benchmark: the base is too small to tell (§7)."""

    id: str
    as_of: int
    window_months: int
    metric: str
    customers: int
    level: float
    low: float
    high: float
    benchmark: float
    text: str

    def __str__(self) -> str:
        return self.text


def _check_parameters(level: float, resamples: int, seed: int | Sequence[int]) -> None:
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise OptionError("level", level, "must be a level strictly between 0 and 1, e.g. 0.9")
    OptionError.check_whole("resamples", resamples, 100, MAX_RESAMPLES)
    parts = list(seed) if isinstance(seed, Sequence) else [seed]
    if not parts:
        raise OptionError("seed", seed, "must be a whole number >= 0")
    for part in parts:
        OptionError.check_whole("seed", part, 0, 2**63 - 1)


def _resampled_sums(values: _FloatArray, resamples: int, rng: np.random.Generator) -> _FloatArray:
    """``resamples x k`` sums ``w . values`` for multinomial counts ``w`` of n draws.

    The draws are made in batches of resamples so that a batch stays within
    ``MEMORY_BYTES``; the batch size depends only on n, so results are reproducible.
    """
    n = values.shape[0]
    batch = max(1, min(resamples, MEMORY_BYTES // (_BYTES_PER_DRAW * n)))
    out = np.empty((resamples, values.shape[1]))
    columns = np.ascontiguousarray(values.T)
    for start in range(0, resamples, batch):
        rows = min(batch, resamples - start)
        # Counting draws with one bincount (offset per resample) is the multinomial with
        # equal probabilities, far faster than Generator.multinomial's binomial chain.
        # 32-bit draws halve the cost of the largest array; the offsets must still fit.
        dtype = np.int32 if rows * n < 2**31 else np.int64
        draws = rng.integers(0, n, size=(rows, n), dtype=dtype)
        draws += (np.arange(rows, dtype=dtype) * n)[:, None]
        counts = np.bincount(draws.ravel(), minlength=rows * n).reshape(rows, n)
        # einsum, not ``@``: a multi-threaded BLAS call per batch costs more than it saves
        # on these thin products (its idle threads spin and compete for the cores).
        out[start : start + rows] = np.einsum("rn,kn->rk", counts, columns)
    return out


def _percentile_intervals(
    rates: _FloatArray, points: Sequence[float | None], level: float
) -> tuple[RateInterval, ...]:
    """Per column of ``rates`` (one per resample and metric), its interval at ``level``."""
    tail = (1 - level) / 2
    low, high = np.quantile(rates, [tail, 1 - tail], axis=0)
    spread = np.std(rates, axis=0, ddof=1)
    return tuple(
        RateInterval(
            None if point is None else float(point),
            float(low[i]),
            float(high[i]),
            float(spread[i]),
        )
        for i, point in enumerate(points)
    )


def bootstrap_cohort(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    level: float = 0.9,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | Sequence[int] = 0,
) -> tuple[RateInterval, RateInterval, RateInterval]:
    """Bootstrap intervals of GRR, NRR and logo retention of one cohort (METRICS.md §3, §7).

    Defines: small-base bootstrap confidence interval, resampling customers (METRICS.md §7).

    Parameters
    ----------
    a, b
        Start and end MRR of each customer of the cohort (every ``a > 0``), in a fixed
        order: the draws index customers by position.
    level
        Coverage of the percentile interval, strictly between 0 and 1.
    resamples
        Number of resamples, at least 100.
    seed
        Seed of ``numpy.random.SeedSequence`` (an int or a sequence of ints >= 0); the
        generator is ``Generator(PCG64(SeedSequence(seed)))``.

    Returns
    -------
    tuple of RateInterval
        GRR, NRR, logo retention; ``point`` is the plug-in rate of ``a`` and ``b`` in float.
        An empty cohort gives all ``None``.

    Raises
    ------
    OptionError
        When ``level``, ``resamples`` or ``seed`` is out of range, or ``a`` has a value <= 0.

    Examples
    --------
    Two customers of 100, one churned: a resample holds the churned one twice (GRR 0,
    probability 1/4), each once (50%, 1/2) or the retained one twice (100%, 1/4).

    >>> grr, nrr, logos = bootstrap_cohort([100, 100], [0, 100])
    >>> grr.point, grr.low, grr.high
    (0.5, 0.0, 1.0)
    """
    _check_parameters(level, resamples, seed)
    start = np.asarray(a, dtype=np.float64)
    end = np.asarray(b, dtype=np.float64)
    if start.shape != end.shape or start.ndim != 1:
        raise OptionError("a, b", (start.shape, end.shape), "must be two vectors of one length")
    n = start.shape[0]
    if n == 0:
        empty = RateInterval(None, None, None, None)
        return empty, empty, empty
    if np.any(start <= 0):
        raise OptionError("a", "a value <= 0", "a cohort only holds customers paying at its start")
    values = np.column_stack([start, np.minimum(start, end), end, (end > 0).astype(np.float64)])
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    sums = _resampled_sums(values, resamples, rng)
    starting, retained, ending, logos = sums.T
    # spec.grr, spec.nrr and spec.logo_retention in vector form (S* > 0: every a > 0).
    # n* = sum w = n in every resample: each is n draws from the cohort.
    rates = np.column_stack([retained / starting, ending / starting, logos / n])
    total = values.sum(axis=0)
    grr, nrr, logo = _percentile_intervals(
        rates, [total[1] / total[0], total[2] / total[0], total[3] / n], level
    )
    return grr, nrr, logo


def _with_point(interval: RateInterval, point: float | None) -> RateInterval:
    return RateInterval(point, interval.low, interval.high, interval.standard_error)


def compute_intervals(
    data: Dataset,
    *,
    as_of: str | dt.date | None = None,
    window_months: int | Sequence[int] = 12,
    level: float = 0.9,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    all_months: bool = False,
) -> UncertaintyResult:
    """Bootstrap intervals of cohort-method GRR, NRR and logo retention (METRICS.md §3, §7).

    For each window of k months ending at ``as_of``, the cohort's customers are resampled
    with replacement (see the module docstring); the per-customer start and end MRR come
    from the engine, the resampling is vectorised in numpy. Each cohort has its own
    generator, ``Generator(PCG64(SeedSequence([seed, k, as_of])))``, so a cohort's interval
    is the same whether it is computed alone or with ``all_months``.

    Parameters
    ----------
    data
        A dataset from ``load``.
    as_of
        The window's end, ``"YYYY-MM"`` or a date (default: the data's last month; later
        months are capped to it).
    window_months
        Window length in months, or several.
    level
        Coverage of the percentile interval, strictly between 0 and 1 (0.9 for 90%).
    resamples
        Resamples per cohort, at least 100.
    seed
        Seed, a whole number >= 0.
    all_months
        Compute for every as-of month up to ``as_of`` that has a full window, not just
        ``as_of``. Every cohort's customers then come to numpy: on a large dataset that is
        months x windows x customers numbers.

    Returns
    -------
    UncertaintyResult
        One ``CohortIntervals`` per (as-of month, window with M - k >= the first month),
        ordered by as-of then window; ``point`` is the engine's rate, ``None`` (and no
        interval) when the cohort is empty.

    Raises
    ------
    OptionError
        For a level, number of resamples, seed or window out of range, or an ``as_of``
        before the data's first month.

    Examples
    --------
    >>> import revenue_retention as rr
    >>> result = rr.compute_intervals(rr.load("demo.csv"), level=0.9)  # doctest: +SKIP
    >>> result.cohorts[-1].grr  # doctest: +SKIP
    RateInterval(point=0.88..., low=0.86..., high=0.90..., standard_error=0.01...)
    """
    _check_parameters(level, resamples, seed)
    window_list = parse_windows(window_months)
    end = as_of_month(as_of)
    months = data.months.capped(end)
    if end is not None and end < data.months.first:
        raise OptionError(
            "as_of", month_label(end), f"is before the data's first month {data.months}"
        )
    wanted = list(months.months) if all_months else [months.last]

    rates = retention(data, months, window_list)
    rates = rates.filter(rates.as_of_index.isin(wanted))
    points = data.con.to_pyarrow(
        rates.select("as_of_index", "window_months", "customers", *METRICS)
    ).to_pylist()

    pairs = cohort_pairs(data, months, window_list)
    pairs = pairs.filter(pairs.as_of.isin(wanted))
    # Sorted by customer so that a seed always draws the same customers.
    ordered = pairs.order_by("window_months", "as_of", "customer_id")
    per_customer = data.con.to_pyarrow(
        ordered.select(
            "window_months", "as_of", a=ordered.a.cast("float64"), b=ordered.b.cast("float64")
        )
    )
    cohorts = _split_cohorts(per_customer)

    rows = []
    for point in points:
        key = (point["window_months"], point["as_of_index"])
        a, b = cohorts.get(key, (np.empty(0), np.empty(0)))
        if len(a) != point["customers"]:  # the two engine queries must describe one cohort
            raise AssertionError(f"cohort {key}: {len(a)} customers, retention says {point}")
        computed = bootstrap_cohort(
            a, b, level=level, resamples=resamples, seed=[seed, key[0], key[1]]
        )
        grr, nrr, logo = (
            _with_point(interval, point[name])
            for interval, name in zip(computed, METRICS, strict=True)
        )
        rows.append(
            CohortIntervals(
                as_of=point["as_of_index"],
                window_months=point["window_months"],
                customers=point["customers"],
                grr=grr,
                nrr=nrr,
                logo_retention=logo,
            )
        )
    rows.sort(key=lambda row: (row.as_of, row.window_months))
    return UncertaintyResult(
        level=float(level),
        resamples=resamples,
        seed=seed,
        windows=window_list,
        method=CI_METHOD,
        cohorts=tuple(rows),
    )


def _split_cohorts(table: pa.Table) -> dict[tuple[int, int], tuple[_FloatArray, _FloatArray]]:
    """Per (window, as-of) cohort, its ``a`` and ``b`` arrays (rows arrive sorted by cohort)."""
    window = table.column("window_months").to_numpy()
    month = table.column("as_of").to_numpy()
    a = table.column("a").to_numpy()
    b = table.column("b").to_numpy()
    if len(window) == 0:
        return {}
    starts = np.flatnonzero((np.diff(window) != 0) | (np.diff(month) != 0)) + 1
    bounds = [0, *starts.tolist(), len(window)]
    return {(int(window[lo]), int(month[lo])): (a[lo:hi], b[lo:hi]) for lo, hi in pairwise(bounds)}


def excludes(interval: RateInterval, benchmark: float) -> bool:
    """Whether the interval lies entirely above or below ``benchmark``.

    An interval that was not computed (empty cohort) excludes nothing.

    >>> excludes(RateInterval(0.86, 0.78, 0.94, 0.05), 0.91)
    False
    >>> excludes(RateInterval(0.86, 0.84, 0.88, 0.01), 0.91)
    True
    """
    if interval.low is None or interval.high is None:
        return False
    return not interval_includes(interval.low, interval.high, benchmark)


def _percent(value: float, digits: int) -> str:
    return f"{value * 100:.{digits}f}%"


def _digits(low: float, high: float, benchmark: float) -> int:
    """Whole percents unless rounding would blur the interval or its ends into the benchmark."""
    ends = round(low * 100), round(high * 100)
    blurred = ends[1] - ends[0] < 2 or round(benchmark * 100, 4) in ends
    return 1 if blurred else 0


def _benchmark_percent(value: float) -> str:
    return f"{round(value * 100, 4):g}%"


def small_base_notes(
    result: UncertaintyResult,
    benchmarks: dict[str, float],
    *,
    label: str = "benchmark",
    window_months: int | None = 12,
) -> list[SmallBaseNote]:
    """Notes for the rates whose interval includes their benchmark (METRICS.md §7, small base).

    Parameters
    ----------
    result
        Intervals from ``compute_intervals``.
    benchmarks
        Benchmark per metric name (``"grr"``, ``"nrr"``, ``"logo_retention"``), e.g. the
        SaaS Capital 2023 medians ``{"grr": 0.91, "nrr": 1.02}``; other metrics get no note.
    label
        What the benchmark is, in the text ("median", "benchmark").
    window_months
        Only cohorts of this window: published benchmarks are annual (12-month) rates.
        ``None`` for every window of the result.

    Returns
    -------
    list of SmallBaseNote
        One per (cohort, metric) whose interval includes the benchmark, in the result's
        order; its ``text`` says so in plain language. A rate whose interval excludes the
        benchmark, or that has no interval, gets no note.

    Examples
    --------
    >>> cohort = CohortIntervals(
    ...     as_of=24299, window_months=12, customers=40,
    ...     grr=RateInterval(0.86, 0.78, 0.94, 0.05),
    ...     nrr=RateInterval(0.99, 0.90, 1.10, 0.06),
    ...     logo_retention=RateInterval(0.9, 0.8, 0.975, 0.05))
    >>> result = UncertaintyResult(0.9, 2000, 0, (12,), CI_METHOD, (cohort,))
    >>> print(small_base_notes(result, {"grr": 0.91}, label="median")[0])
    With 40 customers, the 90% interval of 12-month GRR (78%-94%) includes the 91% median: \
the base is too small to tell.
    """
    unknown = sorted(set(benchmarks) - set(METRICS))
    if unknown:
        raise OptionError("benchmarks", unknown, f"are not among {', '.join(METRICS)}")
    notes = []
    for cohort in result.cohorts:
        if window_months is not None and cohort.window_months != window_months:
            continue
        for metric in METRICS:
            if metric not in benchmarks:
                continue
            interval = cohort.rate(metric)
            benchmark = benchmarks[metric]
            if interval.low is None or interval.high is None or excludes(interval, benchmark):
                continue
            digits = _digits(interval.low, interval.high, benchmark)
            text = (
                f"With {cohort.customers:,} customers, the {_benchmark_percent(result.level)} "
                f"interval of {cohort.window_months}-month {_NAMES[metric]} "
                f"({_percent(interval.low, digits)}-{_percent(interval.high, digits)}) "
                f"includes the {_benchmark_percent(benchmark)} {label}: "
                "the base is too small to tell."
            )
            notes.append(
                SmallBaseNote(
                    id=f"small_base.{metric}",
                    as_of=cohort.as_of,
                    window_months=cohort.window_months,
                    metric=metric,
                    customers=cohort.customers,
                    level=result.level,
                    low=interval.low,
                    high=interval.high,
                    benchmark=benchmark,
                    text=text,
                )
            )
    return notes
