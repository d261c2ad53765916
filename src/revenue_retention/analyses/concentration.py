"""Concentration: how much of the base and of the expansion a few accounts carry (METRICS.md §5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa

from revenue_retention.analyses._result import Result
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.errors import OptionError
from revenue_retention.metrics import cohort_pairs
from revenue_retention.metrics import concentration as terms
from revenue_retention.metrics.concentration import (
    DEFAULT_TOPS,
    DEFAULT_WITHOUT_TOPS,
    PARETO_ALL_POINTS,
    PARETO_POINTS,
    cohort_figures,
    pareto_ranks,
    ranked_cohort,
    top_shares,
)
from revenue_retention.metrics.spec import rate
from revenue_retention.money import MONEY
from revenue_retention.periods import (
    MonthRange,
    as_of_month,
    check_window,
    month_label,
    parse_month,
)

__all__ = [
    "DEFAULT_TOPS",
    "DEFAULT_WITHOUT_TOPS",
    "PARETO_ALL_POINTS",
    "PARETO_POINTS",
    "ConcentrationResult",
    "cohort_window",
    "compute_concentration",
]


def cohort_window(data: Dataset, as_of: int | str | None, window_months: int) -> int:
    """Check that a window of ``window_months`` ending at ``as_of`` lies inside the data.

    Parameters
    ----------
    data
        A loaded dataset.
    as_of
        Last month of the window: a month index, ``"YYYY-MM"``, or ``None`` for the
        data's last month.
    window_months
        Length k of the window; its cohort is the customers paying at ``as_of - k`` (§3).

    Returns
    -------
    int
        The month index of ``as_of``.

    Raises
    ------
    OptionError
        ``as_of`` is outside the data's months, or the window starts before its first month.
    """
    check_window(window_months)
    month = data.months.last if as_of is None else as_of
    if isinstance(month, str):
        month = parse_month(month)
    if not data.months.first <= month <= data.months.last:
        raise OptionError(
            "as_of", month_label(month), f"is outside the data's months ({data.months})"
        )
    if month - window_months < data.months.first:
        raise OptionError(
            "window_months",
            window_months,
            f"starts at {month_label(month - window_months)}, before the data's first month "
            f"{month_label(data.months.first)}; choose a shorter window or a later {{as_of}} "
            f"(the earliest is {month_label(data.months.first + window_months)})",
        )
    return month


@dataclass(frozen=True, repr=False)
class ConcentrationResult(Result):
    """Concentration of one cohort's starting MRR and expansion (METRICS.md §5).

    Money is ``Decimal`` (Arrow ``decimal128(38, 6)`` in the tables), shares and rates are
    floats, null where their denominator is 0. Ranks start at 1; ties in MRR or in
    expansion are broken by ``customer_id``.
    """

    input: InputReport
    #: Month index of the end of the window.
    as_of: int
    window_months: int
    #: |C|: customers paying at ``as_of - window_months``.
    customers: int
    #: Customers of the cohort with b > a.
    expanders: int
    starting_mrr: Decimal
    expansion: Decimal
    ending_mrr: Decimal
    nrr: float | None
    #: Sum over the cohort of (a / S)^2; 1 / |C| when all are equal, 1 for a single customer.
    herfindahl: float | None
    #: Per k: ``top, customers, mrr, share_of_starting_mrr, expanders, expansion,
    #: share_of_expansion`` (top k customers by a; top k expanders by b - a).
    shares: pa.Table
    #: Per k: ``top, expansion_removed, ending_mrr, nrr`` with the k largest expansions removed.
    nrr_without_top: pa.Table
    #: ``rank, customer_share, cumulative_mrr, mrr_share``: customers ranked by a.
    pareto: pa.Table
    #: ``rank, customer_id, start_mrr, end_mrr, change, share_of_starting_mrr``.
    top_customers: pa.Table
    #: ``rank, customer_id, start_mrr, end_mrr, expansion, share_of_expansion``.
    top_expanders: pa.Table

    @property
    def start(self) -> int:
        """Month index of the start of the window (where the cohort is taken)."""
        return self.as_of - self.window_months

    def _lookup(self, table: pa.Table, column: str, k: int) -> float | None:
        for top, value in zip(
            table.column("top").to_pylist(), table.column(column).to_pylist(), strict=True
        ):
            if top == k:
                return float(value) if value is not None else None
        raise KeyError(f"top {k} was not computed; computed: {table.column('top').to_pylist()}")

    def share_of_top(self, k: int) -> float | None:
        """Share of S held by the k customers with the largest a."""
        return self._lookup(self.shares, "share_of_starting_mrr", k)

    def expansion_share_of_top(self, k: int) -> float | None:
        """Share of the expansion coming from the k largest expanders (null without expansion)."""
        return self._lookup(self.shares, "share_of_expansion", k)

    def nrr_without_top_expanders(self, k: int) -> float | None:
        """(E - expansion of the k largest expanders) / S: never above ``nrr``."""
        return self._lookup(self.nrr_without_top, "nrr", k)


def _check_tops(tops: Sequence[int], option: str) -> tuple[int, ...]:
    values = tuple(sorted(set(tops)))
    if not values or any(isinstance(k, bool) or k < 1 for k in values):
        raise OptionError(option, list(tops), "must be whole numbers >= 1")
    return values


def _top_tables(
    row: dict[str, Any], tops: Sequence[int], without_tops: Sequence[int]
) -> tuple[pa.Table, pa.Table]:
    """The ``shares`` and ``nrr_without_top`` tables from the executed figures' row."""
    money = pa.decimal128(38, 6)
    shares = pa.table(
        {
            "top": pa.array(tops, pa.int64()),
            "customers": pa.array([row[f"customers_{k}"] or 0 for k in tops], pa.int64()),
            "mrr": pa.array([row[f"mrr_{k}"] for k in tops], money),
            "share_of_starting_mrr": pa.array([row[f"share_{k}"] for k in tops], pa.float64()),
            "expanders": pa.array([row[f"expanders_{k}"] or 0 for k in tops], pa.int64()),
            "expansion": pa.array([row[f"expansion_{k}"] for k in tops], money),
            "share_of_expansion": pa.array(
                [row[f"expansion_share_{k}"] for k in tops], pa.float64()
            ),
        }
    )
    nrr_without_top = pa.table(
        {
            "top": pa.array(without_tops, pa.int64()),
            "expansion_removed": pa.array([row[f"removed_{k}"] for k in without_tops], money),
            "ending_mrr": pa.array([row[f"without_{k}"] for k in without_tops], money),
            "nrr": pa.array([row[f"nrr_without_{k}"] for k in without_tops], pa.float64()),
        }
    )

    return shares, nrr_without_top


def compute_concentration(
    data: Dataset,
    *,
    as_of: str | dt.date | None = None,
    window_months: int = 12,
    tops: Sequence[int] = DEFAULT_TOPS,
    without_tops: Sequence[int] = DEFAULT_WITHOUT_TOPS,
    list_size: int = 10,
) -> ConcentrationResult:
    """Concentration of the cohort of the window ending at ``as_of`` (METRICS.md §5).

    For the cohort C (customers paying at ``as_of - k``), with a and b their MRR at the
    start and end of the window, S = sum a, E = sum b and expansion = sum (b - a) over
    b > a (§3): the share of S held by the top k customers by a; the Herfindahl index
    sum (a / S)^2; the share of expansion from the top k expanders by b - a; and NRR
    without the top k expanders, (E - their expansion) / S, never above NRR = E / S.

    Parameters
    ----------
    data
        A loaded dataset.
    as_of
        Last month of the window, ``"YYYY-MM"`` or a date; default the data's last month.
    window_months
        Length of the window in months.
    tops
        Sizes k of the top-customer and top-expander shares.
    without_tops
        Numbers of top expanders whose expansion is removed from NRR.
    list_size
        Length of the ``top_customers`` and ``top_expanders`` lists.

    Returns
    -------
    ConcentrationResult

    Raises
    ------
    OptionError
        The window does not fit in the data's months, or a top size is not >= 1.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from revenue_retention.canonical import load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mrr.csv"
    >>> _ = path.write_text("customer_id,month,mrr\\na,2024-01,300\\nb,2024-01,100\\n"
    ...                     "a,2024-02,450\\nb,2024-02,50\\n")
    >>> result = compute_concentration(load(path), window_months=1)
    >>> result.share_of_top(1), result.herfindahl, result.nrr, result.nrr_without_top_expanders(1)
    (0.75, 0.625, 1.25, 0.875)
    """
    month = cohort_window(data, as_of_month(as_of), window_months)
    tops = _check_tops(tops, "tops")
    without_tops = _check_tops(without_tops, "without_tops")
    if isinstance(list_size, bool) or list_size < 0:
        raise OptionError("list_size", list_size, "must be a whole number >= 0")

    pairs = cohort_pairs(data, MonthRange(month - window_months, month), windows=[window_months])
    ranked = ranked_cohort(pairs.filter(pairs.as_of == month))
    figures = cohort_figures(ranked)
    starting, ending = figures["starting_mrr"], figures["ending_mrr"]
    figures |= top_shares(ranked, tops, starting, figures["expansion"])
    figures |= terms.nrr_without_top(ranked, without_tops, ending, starting)
    row = data.con.to_pyarrow(ranked.aggregate(**figures)).to_pylist()[0]
    customers = int(row["customers"])
    starting_mrr: Decimal = row["starting_mrr"]
    shares, nrr_without_top = _top_tables(row, tops, without_tops)

    ranks = pareto_ranks(customers)
    points = ranked.filter(ranked.rank.isin(ranks) if ranks else ibis.literal(False))
    pareto = data.con.to_pyarrow(
        points.select(
            "rank",
            customer_share=points.rank.cast("float64") / max(customers, 1),
            cumulative_mrr=points.cumulative_mrr.cast(MONEY),
            mrr_share=rate(points.cumulative_mrr, ibis.literal(starting_mrr, type=MONEY)),
        ).order_by("rank")
    )
    biggest = ranked.filter(ranked.rank <= list_size)
    top_customers = data.con.to_pyarrow(
        biggest.select(
            "rank",
            "customer_id",
            "start_mrr",
            "end_mrr",
            change=(biggest.end_mrr - biggest.start_mrr).cast(MONEY),
            share_of_starting_mrr=rate(biggest.start_mrr, ibis.literal(starting_mrr, type=MONEY)),
        ).order_by("rank")
    )
    growing = ranked.filter((ranked.expansion_rank <= list_size) & (ranked.expansion > 0))
    top_expanders = data.con.to_pyarrow(
        growing.select(
            rank=growing.expansion_rank,
            customer_id=growing.customer_id,
            start_mrr=growing.start_mrr,
            end_mrr=growing.end_mrr,
            expansion=growing.expansion,
            share_of_expansion=rate(growing.expansion, ibis.literal(row["expansion"], type=MONEY)),
        ).order_by("rank")
    )
    return ConcentrationResult(
        input=data.report,
        as_of=month,
        window_months=window_months,
        customers=customers,
        expanders=int(row["expanders"] or 0),
        starting_mrr=starting_mrr,
        expansion=row["expansion"],
        ending_mrr=row["ending_mrr"],
        nrr=row["nrr"],
        herfindahl=row["herfindahl"],
        shares=shares,
        nrr_without_top=nrr_without_top,
        pareto=pareto,
        top_customers=top_customers,
        top_expanders=top_expanders,
    )
