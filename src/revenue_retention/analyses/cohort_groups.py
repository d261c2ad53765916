"""Acquisition cohorts split by an attribute: each group's cohort x age retention (§3).

A customer's group is its attribute value in its first paying month, as its cohort is
that month: it stays in that group for life, the way §3 keeps a customer in the group it
had at the start. Each group's matrix is ``cohort_retention`` and ``cohort_sizes`` run on
that group's customers alone (the one cohort rule, not a second copy); the groups run as
one union, in one query.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.analyses._result import Result
from revenue_retention.analyses.cohorts import (
    _VALUE_COLUMN,
    CohortResult,
    Grain,
    Metric,
    RelativeTo,
    cohort_retention,
    cohort_sizes,
    compute_cohorts,
)
from revenue_retention.canonical import Dataset
from revenue_retention.errors import OptionError
from revenue_retention.metrics._common import paying

__all__ = ["MAX_GROUPS", "CohortGroups", "cohort_groups"]

#: Groups one split may have: each is a matrix of its own, in the terminal and the query.
MAX_GROUPS = 50


@dataclass(frozen=True, repr=False)
class CohortGroups(Result):
    """The cohort analysis of all customers (``overall``) and of each group of ``by``.

    ``cohorts`` and ``sizes`` have the columns of ``CohortResult.cohorts`` and ``.sizes``
    with ``group`` in front (the attribute value; null for customers without one),
    ordered by group, cohort, age. ``groups`` lists the values, nulls last.
    """

    overall: CohortResult
    by: str
    groups: tuple[str | None, ...]
    cohorts: pa.Table
    sizes: pa.Table

    def group(self, value: str | None) -> CohortResult:
        """The ``CohortResult`` of one group, for the matrix of ``outputs.cohorts``."""
        wanted = [v == value for v in self.cohorts.column("group").to_pylist()]
        sized = [v == value for v in self.sizes.column("group").to_pylist()]
        return CohortResult(
            input=self.overall.input,
            metric=self.overall.metric,
            grain=self.overall.grain,
            relative_to=self.overall.relative_to,
            months=self.overall.months,
            cohorts=self.cohorts.filter(pa.array(wanted)).drop_columns(["group"]),
            sizes=self.sizes.filter(pa.array(sized)).drop_columns(["group"]),
        )


def _check_attribute(data: Dataset, by: str) -> None:
    if by not in data.attributes:
        names = ", ".join(data.attributes) or "(none: the input has no attribute columns)"
        close = difflib.get_close_matches(by, data.attributes, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise OptionError("by", by, f"is not an attribute column; attributes: {names}.{hint}")


def _first_values(data: Dataset, by: str) -> ir.Table:
    """Per customer, its ``by`` value in its first paying month of the analysed months."""
    table = data.table
    rows = paying(table, [by])
    rows = rows.filter(rows.month_index.between(data.months.first, data.months.last))
    firsts = rows.group_by("customer_id").agg(first_month=rows.month_index.min())
    at_first = rows.select(_c=rows.customer_id, _m=rows.month_index, group=rows[by])
    joined = firsts.inner_join(
        at_first, (firsts.customer_id == at_first._c) & (firsts.first_month == at_first._m)
    )
    return joined.select("customer_id", group=joined.group.cast("string"))


def cohort_groups(
    data: Dataset,
    by: str,
    metric: Metric = "nrr",
    grain: Grain = "month",
    relative_to: RelativeTo = "first",
) -> CohortGroups:
    """Acquisition cohorts of ``data``, overall and per value of the attribute ``by``.

    Parameters
    ----------
    data
        A dataset from ``load``.
    by
        An attribute column; a customer's group is its value in its first paying month.
    metric, grain, relative_to
        As for ``compute_cohorts``.

    Returns
    -------
    CohortGroups

    Raises
    ------
    OptionError
        ``by`` is not an attribute, or it has more than ``MAX_GROUPS`` values.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from revenue_retention.canonical import load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mrr.csv"
    >>> _ = path.write_text("customer_id,month,mrr,plan\\na,2024-01,100,pro\\n"
    ...                     "a,2024-02,150,max\\nb,2024-01,50,basic\\n")
    >>> split = cohort_groups(load(path), "plan")
    >>> split.groups
    ('basic', 'pro')
    >>> [(r["group"], r["age_months"], r["nrr"]) for r in split.cohorts.to_pylist()]
    [('basic', 0, 1.0), ('basic', 1, 0.0), ('pro', 0, 1.0), ('pro', 1, 1.5)]
    """
    _check_attribute(data, by)
    overall = compute_cohorts(data, metric=metric, grain=grain, relative_to=relative_to)
    members = _first_values(data, by)
    values = data.con.to_pyarrow(
        members.select("group").distinct().order_by(ibis.asc("group", nulls_first=False))
    )
    groups = tuple(values.column("group").to_pylist())
    if len(groups) > MAX_GROUPS:
        raise OptionError(
            "by",
            by,
            f"has {len(groups):,} values in customers' first months; cohorts split at most "
            f"{MAX_GROUPS} ways (a matrix each): pick a coarser attribute",
        )
    table = data.table
    retention_parts, size_parts = [], []
    for value in groups:
        # The group's customers with their whole history: their cohort and their ages.
        own = members.filter(members.group.identical_to(ibis.literal(value, "string")))
        scope = table.semi_join(own, "customer_id")
        label = ibis.literal(value, "string")
        matrix = cohort_retention(scope, data.months, grain, relative_to)
        retention_parts.append(matrix.select(group=label, **{c: matrix[c] for c in matrix.columns}))
        sizes = cohort_sizes(scope, data.months, grain)
        size_parts.append(sizes.select(group=label, **{c: sizes[c] for c in sizes.columns}))
    if groups:
        cohorts = data.con.to_pyarrow(
            ibis.union(*retention_parts).order_by("group", "cohort_index", "age_months")
        )
        sizes_table = data.con.to_pyarrow(ibis.union(*size_parts).order_by("group", "cohort_index"))
    else:
        cohorts = pa.table(
            {"group": pa.array([], pa.string())}
            | {
                name: overall.cohorts.column(name).slice(0, 0)
                for name in overall.cohorts.column_names
                if name != "value"
            }
        )
        sizes_table = pa.table(
            {"group": pa.array([], pa.string())}
            | {name: overall.sizes.column(name).slice(0, 0) for name in overall.sizes.column_names}
        )
    cohorts = cohorts.append_column("value", cohorts.column(_VALUE_COLUMN[metric]))
    return CohortGroups(overall=overall, by=by, groups=groups, cohorts=cohorts, sizes=sizes_table)
