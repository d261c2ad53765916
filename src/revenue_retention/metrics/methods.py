"""Retention by the other methods of METRICS.md §4, each labelled, in the cohort method's row shape.

Every function here returns the columns of ``retention()`` (``as_of_index, as_of,
window_months, customers, retained_customers, starting_mrr, churn, contraction, expansion,
ending_mrr, grr, nrr, logo_retention``) so that a method is a label on the same rows, never
a different contract. A field the method does not define is null (e.g. the money of a
compounded rate). Each method is generalised from the annual window of §4 to any window of
k months so that, on a one-month window, every method gives the cohort figure:

=================  ==========================================================  =============
method             window of k months ending at M                              needs months
=================  ==========================================================  =============
cohort             §3: customers paying at M - k, judged at M                  k + 1
movement           (S - monthly churn and contraction over the k bridge        k + 1
                   months) / S, S = MRR at M - k
compounded         monthly cohort rate at M raised to the power k (k = 12:     2
                   "GRR_monthly ^ 12"): an approximation
compounded_chain   product of the k monthly cohort rates M-k+1 .. M:           k + 1
                   an approximation
trailing           revenue over M-k+1 .. M / revenue over M-2k+1 .. M-k of     2k
                   the customers with revenue in the prior k months
averaged           mean of the k cohort rates of window k ending at            2k
                   M-k+1 .. M (k = 12: the 12 monthly-ending annual rates)
=================  ==========================================================  =============
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.canonical import Dataset
from revenue_retention.errors import OptionError
from revenue_retention.metrics._common import month_spine, paying, resolve
from revenue_retention.metrics.bridge import bridge
from revenue_retention.metrics.retention import DEFAULT_WINDOWS, retention
from revenue_retention.metrics.spec import (
    RETENTION_COUNTS,
    RETENTION_MONEY,
    RETENTION_RATES,
    grr,
    nrr,
    retention_shape,
    window_spine,
)
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "METHOD_LABELS",
    "averaged_retention",
    "chained_retention",
    "compounded_retention",
    "method_retention",
    "months_needed",
    "movement_retention",
    "parse_method",
    "trailing_retention",
]

#: Every method ``method_retention`` computes, the default first (METRICS.md §3-4).
METHODS = ("cohort", "movement", "compounded", "compounded_chain", "trailing", "averaged")
DEFAULT_METHOD = "cohort"

#: How each method is named wherever its figures are shown: never mixed silently (§4).
METHOD_LABELS = {
    "cohort": "cohort (point-in-time)",
    "movement": "movement (sum of the monthly bridge)",
    "compounded": "compounded monthly (approximation)",
    "compounded_chain": "chained monthly (approximation)",
    "trailing": "trailing revenue (revenue proxy)",
    "averaged": "averaged (mean of monthly-ending rates)",
}


def parse_method(method: str) -> str:
    """Check a method name; raise ``OptionError`` naming the choices otherwise.

    >>> parse_method("movement")
    'movement'
    """
    if method in METHODS:
        return method
    close = difflib.get_close_matches(str(method), METHODS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise OptionError("method", method, f"is not a method; choose from {', '.join(METHODS)}{hint}")


def months_needed(method: str, window_months: int) -> int:
    """Months of data (the first one included) a method needs for one row of a k-month window.

    >>> months_needed("cohort", 12), months_needed("trailing", 12), months_needed("compounded", 12)
    (13, 24, 2)
    """
    k = window_months
    return {
        "cohort": k + 1,
        "movement": k + 1,
        "compounded": 2,
        "compounded_chain": k + 1,
        "trailing": 2 * k,
        "averaged": 2 * k,
    }[parse_method(method)]


def _spine(months: MonthRange, windows: Sequence[int], method: str) -> ir.Table:
    """The (as-of month, window) pairs a method has a row for, as a ``month_spine``."""
    as_of, window = window_spine(months, windows, lambda k: months_needed(method, k))
    return month_spine(as_of, {"window_months": window})


def _nulls(names: Sequence[str], type_: str | dt.DataType) -> dict[str, ir.Value]:
    return {name: ibis.null(type_) for name in names}


def movement_retention(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    windows: Sequence[int] = DEFAULT_WINDOWS,
) -> ir.Table:
    """Movement-method GRR and NRR: the monthly bridge summed over the window (METRICS.md §4).

    Defines: movement method (METRICS.md §4).

    For a window of k months ending at M, S = MRR at M - k (the cohort method's starting
    MRR) and churn, contraction and expansion are the sums of the k bridge months
    M-k+1 .. M::

        GRR_movement = (S - churn - contraction) / S
        NRR_movement = (S - churn - contraction + expansion) / S
                     = (closing MRR at M - new - reactivation inside the window) / S

    It counts the losses of customers acquired inside the window and every intermediate
    loss of a customer that later regrew or came back, so GRR_movement <= cohort GRR, and
    it can fall below 0 when new customers churn a lot inside the window. Reactivations
    are not credited to NRR: a customer's return is not retention of the starting base,
    and crediting it would make the one-month figure differ from the cohort's (where
    reactivated customers are not in the cohort). ``ending_mrr`` is
    S - churn - contraction + expansion; logo counts are null (not defined by §4).

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table together with ``months``.
    months
        The months analysed (default: the dataset's).
    windows
        Window lengths in months.

    Returns
    -------
    ibis.expr.types.Table
        The columns of ``retention()``, one row per (as-of month, window) with M - k >= the
        first month; ``customers`` counts the customers paying at M - k.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan = month_index(2024, 1)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "a", "a", "b", "b"],
    ...                             "month_index": [jan, jan + 1, jan + 2, jan + 1, jan + 2],
    ...                             "mrr": [100, 60, 100, 50, 0]})).cast({"mrr": "decimal(38, 6)"})
    >>> row = movement_retention(t, MonthRange(jan, jan + 2), [2]).to_pyarrow().to_pylist()[0]
    >>> row["grr"], row["nrr"]  # (100 - 40 - 50) / 100, (100 - 40 - 50 + 40) / 100
    (0.1, 0.5)
    """
    table, months = resolve(data, months)
    moves = bridge(table, months)
    moves = moves.select(
        move_month=moves.month_index,
        move_churn=moves.churn,
        move_contraction=moves.contraction,
        move_expansion=moves.expansion,
    )
    spine = _spine(months, windows, "movement")
    inside = spine.join(
        moves,
        (moves.move_month > spine.month_index - spine.window_months)
        & (moves.move_month <= spine.month_index),
    )
    sums = inside.group_by("month_index", "window_months").agg(
        churn=inside.move_churn.sum().cast(MONEY),
        contraction=inside.move_contraction.sum().cast(MONEY),
        expansion=inside.move_expansion.sum().cast(MONEY),
    )
    rows = paying(table)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    opening = rows.group_by("month_index").agg(
        customers=rows.customer_id.nunique(), starting_mrr=rows.mrr.sum().cast(MONEY)
    )
    opening = opening.select(
        start_month=opening.month_index,
        start_customers=opening.customers,
        start_mrr=opening.starting_mrr,
    )
    joined = spine.left_join(
        sums,
        (spine.month_index == sums.month_index) & (spine.window_months == sums.window_months),
    ).left_join(opening, spine.month_index - spine.window_months == opening.start_month)
    starting = joined.start_mrr.fill_null(zero())
    churn, contraction = joined.churn.fill_null(zero()), joined.contraction.fill_null(zero())
    expansion = joined.expansion.fill_null(zero())
    ending = (starting - churn - contraction + expansion).cast(MONEY)
    return retention_shape(
        joined.select(
            as_of_index=joined.month_index,
            as_of=joined.period,
            window_months=joined.window_months,
            customers=joined.start_customers.fill_null(0),
            retained_customers=ibis.null("int64"),
            starting_mrr=starting,
            churn=churn,
            contraction=contraction,
            expansion=expansion,
            ending_mrr=ending,
            grr=grr(starting, churn, contraction),
            nrr=nrr(ending, starting),
            logo_retention=ibis.null("float64"),
        )
    )


def compounded_retention(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    windows: Sequence[int] = DEFAULT_WINDOWS,
) -> ir.Table:
    """Compounded monthly rates: the monthly cohort rate at M raised to the power k (§4).

    Defines: compounded monthly, GRR_monthly ^ 12 (METRICS.md §4).

    With k = 12 this is METRICS.md's "GRR_monthly ^ 12" (NRR and logo retention likewise):
    an annualised **approximation** that assumes every month of the year loses as month M
    did; it is never the annual GRR. Money and counts are null (the figure has no cohort).

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table together with ``months``.
    months
        The months analysed (default: the dataset's).
    windows
        Window lengths in months: the powers.

    Returns
    -------
    ibis.expr.types.Table
        The columns of ``retention()``, one row per (as-of month, window) for every month
        with a monthly rate (from the second month of data on).

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan = month_index(2024, 1)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "b", "a"],
    ...                             "month_index": [jan, jan, jan + 1],
    ...                             "mrr": [90, 10, 90]})).cast({"mrr": "decimal(38, 6)"})
    >>> grr = compounded_retention(t, MonthRange(jan, jan + 1), [12]).to_pyarrow()["grr"][0]
    >>> round(grr.as_py(), 6)  # 0.9 ** 12
    0.28243
    """
    table, months = resolve(data, months)
    monthly = retention(table, months, (1,))
    monthly = monthly.select(
        monthly_as_of=monthly.as_of_index,
        monthly_grr=monthly.grr,
        monthly_nrr=monthly.nrr,
        monthly_logo=monthly.logo_retention,
    )
    spine = _spine(months, windows, "compounded")
    joined = spine.left_join(monthly, spine.month_index == monthly.monthly_as_of)
    power = joined.window_months.cast("float64")
    return retention_shape(
        joined.select(
            as_of_index=joined.month_index,
            as_of=joined.period,
            window_months=joined.window_months,
            **_nulls(RETENTION_COUNTS, "int64"),
            **_nulls(RETENTION_MONEY, MONEY),
            grr=joined.monthly_grr.pow(power),
            nrr=joined.monthly_nrr.pow(power),
            logo_retention=joined.monthly_logo.pow(power),
        )
    )


def _product(values: ir.FloatingColumn) -> dict[str, ir.Value]:
    """Aggregates from which ``_product_of`` rebuilds the product of k rates (no PRODUCT in SQL)."""
    name = values.get_name()
    return {
        f"{name}_known": values.count(),
        f"{name}_zeros": (values == 0).sum(),
        # ln of a non-positive or unknown rate is never taken: they are counted instead.
        f"{name}_logs": ibis.ifelse(values > 0, values, 1.0).ln().sum(),
    }


def _product_of(table: ir.Table, name: str) -> ir.FloatingValue:
    """The product of the k rates: null if any is unknown, 0 if any is 0, else exp(sum ln)."""
    return ibis.ifelse(
        table[f"{name}_known"] < table.window_months,
        ibis.null("float64"),
        ibis.ifelse(table[f"{name}_zeros"] > 0, 0.0, table[f"{name}_logs"].exp()),
    )


def chained_retention(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    windows: Sequence[int] = DEFAULT_WINDOWS,
) -> ir.Table:
    """Chained monthly rates: the product of the k monthly cohort rates M-k+1 .. M (§4).

    The "compounded monthly" figure built from the months that actually happened rather
    than from month M alone; an **approximation**: each month re-bases on the customers
    paying that month, so customers acquired inside the window count, and a customer lost
    and regained inside it counts as lost. Money and counts are null.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table together with ``months``.
    months
        The months analysed (default: the dataset's).
    windows
        Window lengths in months: how many monthly rates are multiplied.

    Returns
    -------
    ibis.expr.types.Table
        The columns of ``retention()``, one row per (as-of month, window) with M - k >= the
        first month; a rate is null when one of its monthly rates is.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan = month_index(2024, 1)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "b", "a", "a"],
    ...                             "month_index": [jan, jan, jan + 1, jan + 2],
    ...                             "mrr": [50, 50, 50, 25]})).cast({"mrr": "decimal(38, 6)"})
    >>> round(chained_retention(t, MonthRange(jan, jan + 2), [2]).to_pyarrow()["grr"][0].as_py(), 9)
    0.25
    """
    table, months = resolve(data, months)
    monthly = retention(table, months, (1,))
    monthly = monthly.select(
        monthly_as_of=monthly.as_of_index,
        grr=monthly.grr,
        nrr=monthly.nrr,
        logo_retention=monthly.logo_retention,
    )
    spine = _spine(months, windows, "compounded_chain")
    inside = spine.join(
        monthly,
        (monthly.monthly_as_of > spine.month_index - spine.window_months)
        & (monthly.monthly_as_of <= spine.month_index),
    )
    parts = inside.group_by("month_index", "period", "window_months").agg(
        **_product(inside.grr),
        **_product(inside.nrr),
        **_product(inside.logo_retention),
    )
    return retention_shape(
        parts.select(
            as_of_index=parts.month_index,
            as_of=parts.period,
            window_months=parts.window_months,
            **_nulls(RETENTION_COUNTS, "int64"),
            **_nulls(RETENTION_MONEY, MONEY),
            **{name: _product_of(parts, name) for name in RETENTION_RATES},
        )
    )


def trailing_retention(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    windows: Sequence[int] = DEFAULT_WINDOWS,
) -> ir.Table:
    """Trailing-revenue rates: last k months of revenue against the prior k months (§4).

    Defines: trailing revenue (METRICS.md §4).

    The cohort C is every customer with revenue > 0 in the prior k months M-2k+1 .. M-k.
    With p = its revenue over those months and l = its revenue over M-k+1 .. M::

        NRR_trailing = sum l / sum p          GRR_trailing = sum min(l, p) / sum p
        logo retention = |{c in C : l > 0}| / |C|

    This is the cohort method of §3 applied to k-month revenue instead of the MRR at one
    month, so churn, contraction, expansion and the money columns are sums of k months of
    MRR: with MRR input, a **revenue proxy**; the method is meant for usage or consumption
    revenue where a point-in-time MRR does not exist. A customer acquired or lost part-way
    through a period counts with its partial revenue.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table together with ``months``.
    months
        The months analysed (default: the dataset's).
    windows
        Window lengths in months (k = 12 is §4's "last 12 months / prior 12 months").

    Returns
    -------
    ibis.expr.types.Table
        The columns of ``retention()``, one row per (as-of month, window) with 2k months of
        data up to M; money columns hold k-month revenue.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan = month_index(2024, 1)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "a", "a", "a", "b"],
    ...                             "month_index": [jan, jan + 1, jan + 2, jan + 3, jan + 1],
    ...                             "mrr": [10, 10, 30, 0, 20]})).cast({"mrr": "decimal(38, 6)"})
    >>> row = trailing_retention(t, MonthRange(jan, jan + 3), [2]).to_pyarrow().to_pylist()[0]
    >>> row["starting_mrr"], row["ending_mrr"], row["grr"], row["nrr"]  # a: 20 -> 30, b: 20 -> 0
    (Decimal('40.000000'), Decimal('30.000000'), 0.5, 0.75)
    """
    table, months = resolve(data, months)
    rows = paying(table)
    rows = rows.filter(rows.month_index.between(months.first, months.last))
    parts = []
    for k in windows:
        first = months.first + k - 1  # the first month whose k-month revenue is complete
        if first > months.last:
            continue
        # k-month revenue ending at each month: every paying row counted in the k months
        # from its own, by a join with k offsets (a hash aggregation, no self-join of rows).
        shifts = ibis.memtable(pa.table({"shift": pa.array(range(k), pa.int64())}))
        spread = rows.cross_join(shifts)
        spread = spread.select(
            customer_id=spread.customer_id,
            month_index=spread.month_index + spread.shift,
            mrr=spread.mrr,
        )
        revenue = spread.group_by("customer_id", "month_index").agg(
            mrr=spread.mrr.sum().cast(MONEY)
        )
        parts.append(retention(revenue, MonthRange(first, months.last), (k,)))
    if not parts:  # no window fits: the right columns, no rows
        return retention_shape(retention(table, months, (1,))).filter(ibis.literal(False))
    return retention_shape(ibis.union(*parts))


def averaged_retention(
    data: Dataset | ir.Table,
    months: MonthRange | None = None,
    windows: Sequence[int] = DEFAULT_WINDOWS,
) -> ir.Table:
    """Averaged rates: the mean of the k cohort rates of window k ending at M-k+1 .. M (§4).

    Defines: averaged (METRICS.md §4).

    With k = 12 this is "the mean of the 12 monthly-ending annual NRRs of a year" as some
    public companies report it (GRR and logo retention likewise). It smooths the rate and
    lags a trend. A mean is null when one of its k rates is (an empty cohort); money and
    counts are null.

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table together with ``months``.
    months
        The months analysed (default: the dataset's).
    windows
        Window lengths in months: both the window of each rate and how many are averaged.

    Returns
    -------
    ibis.expr.types.Table
        The columns of ``retention()``, one row per (as-of month, window) with 2k months of
        data up to M.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan = month_index(2024, 1)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "a", "a", "a"],
    ...                             "month_index": [jan, jan + 1, jan + 2, jan + 3],
    ...                             "mrr": [100, 100, 120, 60]})).cast({"mrr": "decimal(38, 6)"})
    >>> nrr = averaged_retention(t, MonthRange(jan, jan + 3), [2]).to_pyarrow()["nrr"][0].as_py()
    >>> round(nrr, 12)  # NRR at 2024-03 = 120 / 100, at 2024-04 = 60 / 100; (1.2 + 0.6) / 2
    0.9
    """
    table, months = resolve(data, months)
    cohort = retention(table, months, windows)
    cohort = cohort.select(
        rate_as_of=cohort.as_of_index,
        rate_window=cohort.window_months,
        grr=cohort.grr,
        nrr=cohort.nrr,
        logo_retention=cohort.logo_retention,
    )
    spine = _spine(months, windows, "averaged")
    inside = spine.join(
        cohort,
        (cohort.rate_window == spine.window_months)
        & (cohort.rate_as_of > spine.month_index - spine.window_months)
        & (cohort.rate_as_of <= spine.month_index),
    )
    means = inside.group_by("month_index", "period", "window_months").agg(
        **{f"{name}_known": inside[name].count() for name in RETENTION_RATES},
        **{f"{name}_mean": inside[name].mean() for name in RETENTION_RATES},
    )
    return retention_shape(
        means.select(
            as_of_index=means.month_index,
            as_of=means.period,
            window_months=means.window_months,
            **_nulls(RETENTION_COUNTS, "int64"),
            **_nulls(RETENTION_MONEY, MONEY),
            **{
                name: ibis.ifelse(
                    means[f"{name}_known"] == means.window_months,
                    means[f"{name}_mean"],
                    ibis.null("float64"),
                )
                for name in RETENTION_RATES
            },
        )
    )


_BY_METHOD: dict[
    str, Callable[[Dataset | ir.Table, MonthRange | None, Sequence[int]], ir.Table]
] = {
    "cohort": retention,
    "movement": movement_retention,
    "compounded": compounded_retention,
    "compounded_chain": chained_retention,
    "trailing": trailing_retention,
    "averaged": averaged_retention,
}


def method_retention(
    data: Dataset | ir.Table,
    method: str = DEFAULT_METHOD,
    months: MonthRange | None = None,
    windows: Sequence[int] = DEFAULT_WINDOWS,
) -> ir.Table:
    """Retention rows by the named method (METRICS.md §3 for ``cohort``, §4 for the others).

    Parameters
    ----------
    data
        A loaded ``Dataset``, or a canonical customer-month table together with ``months``.
    method
        One of ``METHODS``; ``cohort`` is ``retention()`` itself.
    months
        The months analysed (default: the dataset's).
    windows
        Window lengths in months.

    Returns
    -------
    ibis.expr.types.Table
        The columns of ``retention()``; fields the method does not define are null.

    Raises
    ------
    OptionError
        The method is unknown.

    Examples
    --------
    >>> import ibis, pyarrow as pa
    >>> from revenue_retention.periods import MonthRange, month_index
    >>> jan = month_index(2024, 1)
    >>> t = ibis.memtable(pa.table({"customer_id": ["a", "a"], "month_index": [jan, jan + 1],
    ...                             "mrr": [100, 80]})).cast({"mrr": "decimal(38, 6)"})
    >>> [method_retention(t, m, MonthRange(jan, jan + 1), [1]).to_pyarrow()["grr"][0].as_py()
    ...  for m in METHODS]
    [0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    """
    return _BY_METHOD[parse_method(method)](data, months, windows)
