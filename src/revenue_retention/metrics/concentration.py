"""Concentration of a cohort's starting MRR and expansion (METRICS.md §5).

Expressions over one window's cohort (``cohort_pairs`` of one as-of month): the cohort
ranked by a and by expansion, then aggregations to run in one query. Nothing here runs it;
``analyses/concentration.py`` does, and builds the result tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from revenue_retention.metrics.spec import nrr, rate, window_parts
from revenue_retention.money import MONEY, zero

__all__ = [
    "DEFAULT_TOPS",
    "DEFAULT_WITHOUT_TOPS",
    "PARETO_ALL_POINTS",
    "PARETO_POINTS",
    "cohort_figures",
    "herfindahl",
    "nrr_without_top",
    "pareto_ranks",
    "ranked_cohort",
    "top_shares",
]

#: Top-k sizes of the shares of S and of expansion (METRICS.md §5).
DEFAULT_TOPS = (1, 5, 10)
#: Numbers of top expanders whose expansion is removed from NRR (METRICS.md §5).
DEFAULT_WITHOUT_TOPS = (1, 3)
#: Up to this many customers the Pareto curve has a point per customer ...
PARETO_ALL_POINTS = 1000
#: ... beyond it, about this many evenly spaced quantile points keep it small.
PARETO_POINTS = 200


def ranked_cohort(pairs: ir.Table) -> ir.Table:
    """The cohort with each customer's rank by a and by expansion, and the running sum of a.

    ``pairs`` holds one row per cohort customer (``customer_id, a, b``). The columns are
    ``customer_id, start_mrr, end_mrr, expansion`` (its §3 expansion, b - a when b > a,
    else 0), ``rank`` and ``expansion_rank`` (1-based, ties broken by ``customer_id``) and
    ``cumulative_mrr`` (a summed down the ranks). Non-expanders rank after every
    expander, so "the top k expanders" may include them only when fewer than k customers
    expanded; they add nothing.
    """
    grew = window_parts(pairs.a, pairs.b)["expansion"]
    by_mrr = [pairs.a.desc(), pairs.customer_id.asc()]
    ranked = pairs.select(
        "customer_id",
        start_mrr=pairs.a,
        end_mrr=pairs.b,
        expansion=ibis.ifelse(grew.when, grew.amount, zero()).cast(MONEY),
        # row_number is 0-based in Ibis; ranks are 1-based.
        rank=ibis.row_number().over(ibis.window(order_by=by_mrr)) + 1,
        cumulative_mrr=pairs.a.sum().over(ibis.window(order_by=by_mrr, rows=(None, 0))),
    )
    by_expansion = [ranked.expansion.desc(), ranked.customer_id.asc()]
    return ranked.mutate(
        expansion_rank=ibis.row_number().over(ibis.window(order_by=by_expansion)) + 1
    )


def cohort_figures(ranked: ir.Table) -> dict[str, ir.Value]:
    """S, E, expansion, |C|, expanders, NRR and the Herfindahl index, as aggregations.

    Sums over an empty cohort are null in SQL: an empty cohort has S = E = 0 (§3).
    """
    starting = ranked.start_mrr.sum().cast(MONEY).fill_null(zero())
    ending = ranked.end_mrr.sum().cast(MONEY).fill_null(zero())
    return {
        "customers": ranked.count(),
        "expanders": (ranked.expansion > 0).sum(),
        "starting_mrr": starting,
        "ending_mrr": ending,
        "expansion": ranked.expansion.sum().cast(MONEY).fill_null(zero()),
        "herfindahl": herfindahl(ranked.start_mrr, starting),
        "nrr": nrr(ending, starting),
    }


def herfindahl(a: ir.NumericColumn, starting: ir.NumericValue) -> ir.FloatingValue:
    """Defines: Herfindahl index of S (METRICS.md §5).

    sum over the cohort of (a / S)^2: 1 / |C| when all are equal, 1 for a single customer,
    null when S = 0. A float index, not money: the squares of DECIMAL(38,6) amounts would
    overflow it.
    """
    return ibis.ifelse(
        starting > 0,
        (a.cast("float64") * a.cast("float64")).sum()
        / (starting.cast("float64") * starting.cast("float64")),
        ibis.null("float64"),
    )


def top_shares(
    ranked: ir.Table,
    tops: Sequence[int],
    starting: ir.NumericValue,
    expansion: ir.NumericValue,
) -> dict[str, ir.Value]:
    """Defines: share of S held by the top 1 / 5 / 10 customers (METRICS.md §5).
    Defines: share of expansion from the top 1 / 5 / 10 expanders (METRICS.md §5).

    Per k of ``tops``, as aggregations over ``ranked_cohort``: ``mrr_k`` (a of the top k
    by a), ``customers_k``, ``share_k`` (``mrr_k`` / S), ``expansion_k`` (expansion of the
    top k expanders), ``expanders_k`` (how many of them expanded) and
    ``expansion_share_k`` (``expansion_k`` / expansion); shares are null on a zero base.
    """
    a, growth = ranked.start_mrr, ranked.expansion
    figures: dict[str, ir.Value] = {}
    for k in tops:
        top_mrr = a.sum(where=ranked.rank <= k).cast(MONEY)
        top_expansion = growth.sum(where=ranked.expansion_rank <= k).cast(MONEY)
        figures |= {
            f"mrr_{k}": top_mrr.fill_null(zero()),
            f"customers_{k}": (ranked.rank <= k).sum(),
            f"share_{k}": rate(top_mrr, starting),
            f"expansion_{k}": top_expansion.fill_null(zero()),
            f"expanders_{k}": ((ranked.expansion_rank <= k) & (growth > 0)).sum(),
            f"expansion_share_{k}": rate(top_expansion, expansion),
        }
    return figures


def nrr_without_top(
    ranked: ir.Table,
    without_tops: Sequence[int],
    ending: ir.NumericValue,
    starting: ir.NumericValue,
) -> dict[str, ir.Value]:
    """Defines: NRR without the top k expanders' expansion (METRICS.md §5).

    (E - expansion of the k customers with the largest expansion) / S, never above NRR.
    Per k, as aggregations over ``ranked_cohort``: ``removed_k`` (that expansion),
    ``without_k`` (E minus it) and ``nrr_without_k``.
    """
    growth = ranked.expansion
    figures: dict[str, ir.Value] = {}
    for k in without_tops:
        removed = growth.sum(where=ranked.expansion_rank <= k).cast(MONEY).fill_null(zero())
        without = (ending - removed).cast(MONEY)
        figures |= {
            f"removed_{k}": removed,
            f"without_{k}": without,
            f"nrr_without_{k}": nrr(without, starting),
        }
    return figures


def pareto_ranks(customers: int) -> list[int]:
    """Ranks of the Pareto points: all of them, or the top customer and evenly spaced
    quantiles ending at |C|.

    >>> pareto_ranks(3), len(pareto_ranks(100_000)), pareto_ranks(100_000)[:3]
    ([1, 2, 3], 201, [1, 500, 1000])
    """
    if customers <= PARETO_ALL_POINTS:
        return list(range(1, customers + 1))
    steps = range(1, PARETO_POINTS + 1)
    return sorted({1} | {math.ceil(customers * i / PARETO_POINTS) for i in steps})
