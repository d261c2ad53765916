"""Acquisition cohorts: retention of each cohort of new customers by age (METRICS.md §3).

A customer's cohort is its first month with MRR > 0; its age, months since then. These
are engine expressions; ``analyses/cohorts.py`` runs them into a ``CohortResult``.
"""

from __future__ import annotations

from typing import Literal, get_args

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.canonical import Dataset
from revenue_retention.errors import OptionError
from revenue_retention.metrics._common import paying, resolve
from revenue_retention.metrics.spec import grr, logo_retention, nrr
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = [
    "BASE_AGE",
    "GRAIN_MONTHS",
    "Grain",
    "RelativeTo",
    "check_choice",
    "cohort_retention",
    "cohort_sizes",
]

Grain = Literal["month", "quarter", "year"]
RelativeTo = Literal["first", "month1"]

#: Months in one cohort of each grain; a cohort starts at a month index divisible by it.
GRAIN_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
#: The age whose MRR is the base of the ratios: the first paying month, or the month after.
BASE_AGE: dict[str, int] = {"first": 0, "month1": 1}


def check_choice(value: str, allowed: tuple[str, ...], option: str) -> None:
    """Raise ``OptionError`` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise OptionError(option, value, f"must be one of {', '.join(allowed)}")


def _members(rows: ir.Table, grain: Grain, base_age: int) -> ir.Table:
    """Per customer: first paying month, cohort, and the MRR at the base age (base members only).

    The first month is a group minimum over paying rows; the base MRR is found by joining
    the customer's paying rows on ``month_index = first_month + base_age``.
    """
    size = GRAIN_MONTHS[grain]
    firsts = rows.group_by("customer_id").agg(first_month=rows.month_index.min())
    firsts = firsts.mutate(cohort_index=firsts.first_month - firsts.first_month % size)
    base_rows = rows.select(b_customer=rows.customer_id, b_month=rows.month_index, base=rows.mrr)
    joined = firsts.inner_join(
        base_rows,
        (firsts.customer_id == base_rows.b_customer)
        & (base_rows.b_month == firsts.first_month + base_age),
    )
    return joined.select("customer_id", "first_month", "cohort_index", base_mrr=joined.base)


def cohort_retention(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    grain: Grain = "month",
    relative_to: RelativeTo = "first",
) -> ir.Table:
    """Retention of each acquisition cohort at each age in months, as an engine expression.

    Defines: acquisition cohorts, by first month with MRR > 0 (METRICS.md §3).

    A customer's cohort is its first month with MRR > 0 (METRICS.md §3, last paragraph),
    grouped by ``grain``. Age is counted per customer: months since *its own* first paying
    month, so a quarter or year cohort at age 3 puts each member three months after its own
    start (not three months after the quarter began). The base B of a cohort is its members
    paying at the base age: age 0 (``relative_to="first"``, B = every member) or age 1
    (``"month1"``: customers gone after their first month are left out, with any later
    return of theirs). For member c of B, a = mrr(c, base age), b = mrr(c, age); then, over
    the members of B observed at that age, exactly as the cohort method of §3:

        GRR = sum min(a, b) / sum a     NRR = sum b / sum a     logo = |{b > 0}| / |B|

    A member is observed at an age when its first month + age is within the data; for a
    month cohort that is all members or none, for quarter and year cohorts the oldest ages
    of each cohort hold only its earliest members (``complete`` is false there).

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical table together with ``months``.
    months
        The months analysed (default: the dataset's). A customer already paying in the
        first month falls in the first cohort, whatever its true start was.
    grain
        ``"month"``, ``"quarter"`` or ``"year"``.
    relative_to
        ``"first"`` (base at age 0) or ``"month1"`` (base at age 1).

    Returns
    -------
    ibis.expr.types.Table
        ``cohort_index, age_months, cohort_customers, active_customers, base_mrr, mrr,
        retained_mrr, grr, nrr, logo_retention, complete``, one row per cohort and age from
        the base age to the oldest observed age, ordered by cohort then age.

    Raises
    ------
    OptionError
        An unknown ``grain`` or ``relative_to``.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan, feb = month_index(2024, 1), month_index(2024, 2)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "b", "a"], "month_index": [jan, jan, feb],
    ...                             "mrr": [100, 50, 120]})).cast({"mrr": "decimal(38, 6)"})
    >>> rows = cohort_retention(t, MonthRange(jan, feb)).to_pyarrow().to_pylist()
    >>> [(r["age_months"], r["active_customers"], round(r["nrr"], 4)) for r in rows]
    [(0, 2, 1.0), (1, 1, 0.8)]
    """
    check_choice(grain, get_args(Grain), "grain")
    check_choice(relative_to, get_args(RelativeTo), "relative_to")
    table, months = resolve(data, months)
    base_age = BASE_AGE[relative_to]
    rows = paying(table)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    members = _members(rows, grain, base_age)

    # Denominators: base members observed at each age. Aggregated per first month before
    # meeting the age spine, so the spine join is (cohort x first month) x ages, not customers.
    starts = members.group_by("cohort_index", "first_month").agg(
        n=members.count(), s=members.base_mrr.sum().cast(MONEY)
    )
    ages = ibis.memtable(
        pa.table({"age_months": pa.array(range(base_age, len(months.months)), pa.int64())})
    )
    observed = starts.cross_join(ages)
    observed = observed.filter(observed.first_month + observed.age_months <= months.last)
    bases = observed.group_by("cohort_index", "age_months").agg(
        cohort_customers=observed.n.sum(), base_mrr=observed.s.sum().cast(MONEY)
    )
    totals = starts.group_by(t_cohort="cohort_index").agg(t_customers=starts.n.sum())

    # Numerators: every paying month of a base member, at its age.
    paid = rows.select(p_customer=rows.customer_id, p_month=rows.month_index, b=rows.mrr)
    at_age = members.inner_join(paid, members.customer_id == paid.p_customer)
    at_age = at_age.select(
        "cohort_index",
        age_months=at_age.p_month - at_age.first_month,
        a=at_age.base_mrr,
        b=at_age.b,
    )
    at_age = at_age.filter(at_age.age_months >= base_age)
    active = at_age.group_by(n_cohort="cohort_index", n_age="age_months").agg(
        active_customers=at_age.count(),
        mrr=at_age.b.sum().cast(MONEY),
        retained_mrr=ibis.least(at_age.a, at_age.b).sum().cast(MONEY),
    )

    joined = bases.left_join(
        active,
        (bases.cohort_index == active.n_cohort) & (bases.age_months == active.n_age),
    ).inner_join(totals, bases.cohort_index == totals.t_cohort)
    mrr = joined.mrr.fill_null(zero())
    retained = joined.retained_mrr.fill_null(zero())
    active_customers = joined.active_customers.fill_null(0)
    result = joined.select(
        cohort_index=joined.cohort_index,
        age_months=joined.age_months,
        cohort_customers=joined.cohort_customers,
        active_customers=active_customers,
        base_mrr=joined.base_mrr,
        mrr=mrr,
        retained_mrr=retained,
        # What the base did not keep (sum a - min(a, b)) is its churn plus contraction.
        grr=grr(joined.base_mrr, joined.base_mrr - retained, zero()),
        nrr=nrr(mrr, joined.base_mrr),
        logo_retention=logo_retention(active_customers, joined.cohort_customers),
        complete=joined.cohort_customers == joined.t_customers,
    )
    return result.order_by("cohort_index", "age_months")


def cohort_sizes(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    grain: Grain = "month",
) -> ir.Table:
    """Each acquisition cohort's size: customers and their MRR in their first paying month.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical table together with ``months``.
    months
        The months analysed (default: the dataset's).
    grain
        ``"month"``, ``"quarter"`` or ``"year"``.

    Returns
    -------
    ibis.expr.types.Table
        ``cohort_index, customers, starting_mrr, first_month, last_first_month`` (the
        earliest and latest first paying month of its members), ``includes_opening_balance``
        (the cohort holds the customers already paying in the first month analysed, whose
        real start is unknown), ordered by cohort.

    Raises
    ------
    OptionError
        An unknown ``grain``.
    """
    check_choice(grain, get_args(Grain), "grain")
    table, months = resolve(data, months)
    rows = paying(table)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    members = _members(rows, grain, 0)
    sizes = members.group_by("cohort_index").agg(
        customers=members.count(),
        starting_mrr=members.base_mrr.sum().cast(MONEY),
        first_month=members.first_month.min(),
        last_first_month=members.first_month.max(),
    )
    # Customers paying in the first month analysed may have started long before it.
    sizes = sizes.mutate(includes_opening_balance=sizes.first_month == months.first)
    return sizes.order_by("cohort_index")
