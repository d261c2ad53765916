"""The vocabulary of METRICS.md §2, §3 and §7: movements, window classes, rates, columns.

Each term is written here once, as an engine expression (or, for figures already in
Python, a plain function); every plan that computes the bridge or retention sums these
parts, so a rule changes in one place. Nothing here runs a query: the functions build
expressions for the caller's table. A function's docstring names the term it defines
(``Defines: <term> (METRICS.md §N)``); ``tests/test_spec_terms.py`` checks that every
METRICS.md term has exactly one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

import ibis
import ibis.expr.types as ir

from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = [
    "BRIDGE_COLUMNS",
    "MOVEMENTS",
    "MOVEMENT_SIGNS",
    "RETENTION_COLUMNS",
    "RETENTION_COUNTS",
    "RETENTION_MONEY",
    "RETENTION_RATES",
    "TRANSFERS",
    "WINDOW_CLASSES",
    "Part",
    "bridge_closes",
    "grr",
    "interval_includes",
    "logo_retention",
    "nrr",
    "rate",
    "ratio",
    "retention_shape",
    "step_class",
    "step_parts",
    "window_class",
    "window_parts",
    "window_spine",
    "window_totals",
    "with_rates",
]

#: The movements of the bridge, in the order they are reported (§2).
MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churn")
#: Moves of MRR between groups, in a bridge split by an attribute (docs/metrics.md 4.1).
TRANSFERS = ("transfer_in", "transfer_out")
#: The sign of each movement in closing = opening + new + reactivation + expansion
#: - contraction - churn (+ transfer_in - transfer_out in a split bridge).
MOVEMENT_SIGNS: Mapping[str, int] = {
    "new": 1,
    "reactivation": 1,
    "expansion": 1,
    "contraction": -1,
    "churn": -1,
    "transfer_in": 1,
    "transfer_out": -1,
}
#: The money columns of a bridge row, in order (§2).
BRIDGE_COLUMNS = ("opening_mrr", *MOVEMENTS, "closing_mrr")

#: Classes of a cohort customer over a window: b = 0, 0 < b < a, b > a, b = a (§3).
WINDOW_CLASSES = ("churn", "contraction", "expansion", "flat")

#: The figures of a retention row (§3), in the order every result reports them.
RETENTION_COUNTS = ("customers", "retained_customers")
RETENTION_MONEY = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")
RETENTION_RATES = ("grr", "nrr", "logo_retention")
RETENTION_COLUMNS = (*RETENTION_COUNTS, *RETENTION_MONEY, *RETENTION_RATES)


class Part(NamedTuple):
    """One movement of one row: the rows it applies to, and its amount (>= 0) there."""

    when: ir.BooleanValue
    amount: ir.NumericValue


def step_parts(
    a: ir.NumericValue, b: ir.NumericValue, *, first: ir.BooleanValue
) -> dict[str, Part]:
    """Defines: the movement rule new / reactivation / expansion / contraction / churn
    (METRICS.md §2).
    Defines: new = never paid before, otherwise reactivation (METRICS.md §2).

    For a customer with a = mrr(M - 1) and b = mrr(M) (0 when it has no row), and
    ``first`` true when it never had MRR > 0 before M:

    ============  ==========================================  =========
    movement      when                                        amount
    ============  ==========================================  =========
    new           a = 0, b > 0, never paid before             b
    reactivation  a = 0, b > 0, paid in a month before M - 1  b
    expansion     a > 0, b > a                                b - a
    contraction   a > 0, 0 < b < a                            a - b
    churn         a > 0, b = 0                                a
    ============  ==========================================  =========

    At most one applies; none does when b = a. A bridge sums each amount over the rows
    where its condition holds.
    """
    started, ended = a == 0, b == 0
    return {
        "new": Part(started & (b > 0) & first, b),
        "reactivation": Part(started & (b > 0) & ~first, b),
        "expansion": Part((a > 0) & (b > a), b - a),
        "contraction": Part((a > 0) & (b > 0) & (b < a), a - b),
        "churn": Part((a > 0) & ended, a),
    }


def step_class(parts: Mapping[str, Part], otherwise: str = "flat") -> ir.StringValue:
    """The name of the movement of each row from ``step_parts`` (``otherwise`` if none)."""
    return ibis.cases(*((part.when, name) for name, part in parts.items()), else_=otherwise)


def window_parts(a: ir.NumericValue, b: ir.NumericValue) -> dict[str, Part]:
    """Defines: churn, contraction, expansion of a cohort customer (METRICS.md §3).

    For a customer of the cohort C (a = mrr(M - k) > 0, b = mrr(M), 0 when it has no row):
    churn is a where b = 0, contraction a - b where 0 < b < a, expansion b - a where b > a.
    S sums a and E sums b over C (``window_totals``); E = S - churn - contraction + expansion.
    """
    return {
        "churn": Part(b == 0, a),
        "contraction": Part((b > 0) & (b < a), a - b),
        "expansion": Part(b > a, b - a),
    }


def window_class(a: ir.NumericValue, b: ir.NumericValue) -> ir.StringValue:
    """Defines: a customer's class over a window, churn / contraction / expansion / flat
    (METRICS.md §3).

    The ``window_parts`` movement the customer has, or ``flat`` when b = a.
    """
    parts = window_parts(a, b)
    return ibis.cases(*((part.when, name) for name, part in parts.items()), else_="flat")


def window_totals(table: ir.Table, a: ir.NumericValue, b: ir.NumericValue) -> dict[str, ir.Value]:
    """Defines: S (starting MRR) and E (ending MRR) of a cohort (METRICS.md §3).

    ``table`` holds one row per customer of C (a = mrr(M - k) > 0, b = mrr(M) or 0):
    |C| (``customers``), |{b > 0}| (``retained_customers``), S = sum a, the movements of
    ``window_parts`` and E = sum b, as aggregations (money not yet cast: the caller does).
    """
    parts = window_parts(a, b)
    return {
        "customers": table.count(),
        "retained_customers": (b > 0).sum(),
        "starting_mrr": a.sum(),
        **{name: part.amount.sum(where=part.when) for name, part in parts.items()},
        "ending_mrr": b.sum(),
    }


def rate(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """Defines: S = 0 gives no rate (null), never a division error (METRICS.md §3).

    ``numerator / denominator`` as a float, null when the denominator is 0. Money stays
    exact up to here: only the final ratio is a float.
    """
    return ibis.ifelse(
        denominator > 0,
        numerator.cast("float64") / denominator.cast("float64"),
        ibis.null("float64"),
    )


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> float | None:
    """``rate`` for figures already in Python: exact division, then a float; None on 0."""
    if not denominator:
        return None
    return float(numerator / denominator)


def grr(
    starting: ir.NumericValue, churn: ir.NumericValue, contraction: ir.NumericValue
) -> ir.FloatingValue:
    """Defines: GRR = (S - churn - contraction) / S (METRICS.md §3)."""
    return rate(starting - churn - contraction, starting)


def nrr(ending: ir.NumericValue, starting: ir.NumericValue) -> ir.FloatingValue:
    """Defines: NRR = E / S = (S - churn - contraction + expansion) / S (METRICS.md §3)."""
    return rate(ending, starting)


def logo_retention(retained: ir.NumericValue, customers: ir.NumericValue) -> ir.FloatingValue:
    """Defines: logo retention = |{c in C : b > 0}| / |C| (METRICS.md §3)."""
    return rate(retained, customers)


def with_rates(totals: ir.Table) -> ir.Table:
    """``totals`` (the ``window_totals`` columns, null for an empty cohort) with zeros for
    nulls and the three rates of §3 added."""
    money = {name: totals[name].fill_null(zero()) for name in RETENTION_MONEY}
    customers = totals.customers.fill_null(0)
    retained = totals.retained_customers.fill_null(0)
    return totals.mutate(
        customers=customers,
        retained_customers=retained,
        **money,
        grr=grr(money["starting_mrr"], money["churn"], money["contraction"]),
        nrr=nrr(money["ending_mrr"], money["starting_mrr"]),
        logo_retention=logo_retention(retained, customers),
    )


def retention_shape(table: ir.Table) -> ir.Table:
    """The row shape of ``retention()``, typed the same, ordered by as-of then window."""
    columns: dict[str, ir.Value] = {
        "as_of_index": table.as_of_index.cast("int64"),
        "as_of": table.as_of.cast("date"),
        "window_months": table.window_months.cast("int64"),
    }
    columns |= {name: table[name].cast("int64") for name in RETENTION_COUNTS}
    columns |= {name: table[name].cast(MONEY) for name in RETENTION_MONEY}
    columns |= {name: table[name].cast("float64") for name in RETENTION_RATES}
    return table.select(**columns).order_by("as_of_index", "window_months")


def window_spine(
    months: MonthRange,
    windows: Sequence[int],
    needed: Callable[[int], int] = lambda k: k + 1,
) -> tuple[list[int], list[int]]:
    """The (as-of month, window) pairs that get a retention row, as two parallel lists.

    A window of k months ending at M needs ``needed(k)`` months of data ending at M
    (k + 1 for the cohort method: M - k is the data's first month at the earliest).
    """
    as_of, window = [], []
    for k in windows:
        for m in range(months.first + needed(k) - 1, months.last + 1):
            as_of.append(m)
            window.append(k)
    return as_of, window


def bridge_closes(row: Mapping[str, Decimal]) -> bool:
    """Defines: the bridge identity closing = opening + new + reactivation + expansion
    - contraction - churn (METRICS.md §2).

    Exact, on one bridge row.

    A row of a split bridge also carries ``transfer_in - transfer_out``, and a bridge at
    constant currency its ``fx`` line (+); other fields (month, groups) are ignored.
    """
    moved = sum(
        (sign * row[name] for name, sign in MOVEMENT_SIGNS.items() if name in row),
        Decimal(0),
    )
    return bool(row["opening_mrr"] + moved + row.get("fx", Decimal(0)) == row["closing_mrr"])


def interval_includes(low: float, high: float, value: float) -> bool:
    """Defines: small base, the interval includes the benchmark (METRICS.md §7).

    Whether ``value`` (a benchmark) lies inside [low, high] (a confidence interval): the
    rate cannot be told apart from it.
    """
    return low <= value <= high
