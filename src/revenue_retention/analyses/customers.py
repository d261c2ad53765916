"""Every customer's own story: its MRR and movement each month, and the movement log (§2).

The movement of a customer in a month is the bridge's own rule (METRICS.md §2), taken
from ``metrics.bridge`` split by customer (``_customer_bridge``, the one place it is
used here), so the log adds up to the bridge by construction and stays one rule when
the bridge changes.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.analyses._result import Result
from revenue_retention.analyses.explain import WINDOW_MOVEMENTS, window_class
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.engine import materialize
from revenue_retention.errors import OptionError
from revenue_retention.metrics import DEFAULT_WINDOWS, MOVEMENTS, bridge, cohort_pairs
from revenue_retention.metrics._common import month_start_of
from revenue_retention.money import MONEY, zero
from revenue_retention.periods import MonthRange

__all__ = [
    "CUSTOMER_MONTH_FIELDS",
    "LOG_FIELDS",
    "NO_MOVEMENT",
    "WINDOW_CLASSES",
    "CustomerStory",
    "customer_months",
    "customer_story",
    "customer_tables",
    "in_log_order",
    "log_totals",
    "movement_log",
]

#: The movement of a month with no change (b = a > 0), and of the data's first month.
NO_MOVEMENT = "none"
#: Columns of ``customer_months`` before the customer's attribute columns.
CUSTOMER_MONTH_FIELDS = (
    "customer_id",
    "month_index",
    "period",
    "previous_mrr",
    "mrr",
    "movement",
    "amount",
)
#: Columns of ``movement_log``.
LOG_FIELDS = ("month_index", "period", "customer_id", "movement", "amount", "previous_mrr", "mrr")
#: Class of a cohort customer over a window (§3), as ``explain`` names them.
WINDOW_CLASSES = WINDOW_MOVEMENTS

#: The bridge's group column that stands for the customer (a name no input can hold:
#: attribute columns are the input's own names, and this one is added here).
_KEY = "_rr_customer_key"
#: How many customer ids an error message suggests at most.
_SHOWN_IDS = 5


def _customer_bridge(data: Dataset, table: ir.Table) -> ir.Table:
    """The bridge split by customer: each row one customer's movements of one month.

    With the customer as the group, no MRR moves between groups (a customer is always
    in its own), so the columns are the §2 movements of that customer alone, each month
    after the first in which it paid then or the month before.
    """
    keyed = table.mutate(**{_KEY: table.customer_id})
    per_customer = bridge(keyed, data.months, by=[_KEY])
    return per_customer.filter((per_customer.opening_mrr > 0) | (per_customer.closing_mrr > 0))


def customer_months(data: Dataset) -> ir.Table:
    """One row per customer and month it paid in, or churned in (METRICS.md §2).

    For customer c and month M with a = mrr(c, M - 1), b = mrr(c, M): ``previous_mrr`` a,
    ``mrr`` b, ``movement`` (``new``, ``reactivation``, ``expansion``, ``contraction``,
    ``churn`` or ``none``) and its ``amount`` (b for new and reactivation, b - a, a - b,
    a for churn, 0 for none), then the customer's attributes at the time: of M, or of
    M - 1 for a churn. A churn is the row of the month after the last paying month,
    with ``mrr`` 0. The data's first month is the opening balance: its rows have
    ``previous_mrr`` null and movement ``none`` (its customers are not new). Months in
    which the customer neither paid nor churned have no row.

    Parameters
    ----------
    data
        A loaded dataset.

    Returns
    -------
    ibis.expr.types.Table
        ``customer_id, month_index, period, previous_mrr, mrr, movement, amount`` and the
        attribute columns, ordered by customer and month.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from revenue_retention.canonical import load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mrr.csv"
    >>> _ = path.write_text("customer_id,month,mrr\\na,2024-01,100\\na,2024-02,150\\n"
    ...                     "b,2024-02,40\\n")
    >>> rows = customer_months(load(path)).to_pyarrow().to_pylist()
    >>> [(r["customer_id"], r["movement"], str(r["amount"])) for r in rows]
    [('a', 'none', '0.000000'), ('a', 'expansion', '50.000000'), ('b', 'new', '40.000000')]
    """
    return _customer_months(data).order_by("customer_id", "month_index")


def _customer_months(data: Dataset, customer_id: str | None = None) -> ir.Table:
    """The rows of ``customer_months``, in no order (stored as they are by ``customer_tables``)."""
    table = data.table
    if customer_id is not None:
        # A customer's movements depend on its own history alone (§2): one customer's
        # rows are the whole input of its months.
        table = table.filter(table.customer_id == customer_id)
    moves = _customer_bridge(data, table)
    amount = sum((moves[name] for name in MOVEMENTS[1:]), moves[MOVEMENTS[0]])
    movement = ibis.cases(
        *((moves[name] > 0, name) for name in MOVEMENTS), else_=ibis.literal(NO_MOVEMENT)
    )
    later = moves.select(
        customer_id=moves[_KEY],
        month_index=moves.month_index,
        previous_mrr=moves.opening_mrr,
        mrr=moves.closing_mrr,
        movement=movement,
        amount=amount.cast(MONEY),
    )
    first = table.filter((table.month_index == data.months.first) & (table.mrr > 0))
    opening = first.select(
        customer_id=first.customer_id,
        month_index=first.month_index,
        previous_mrr=ibis.null(MONEY),
        mrr=first.mrr.cast(MONEY),
        movement=ibis.literal(NO_MOVEMENT),
        amount=zero(),
    )
    rows = ibis.union(opening, later)
    # The attributes of the month the customer paid in: M, or M - 1 for a churn.
    rows = rows.mutate(_at=ibis.ifelse(rows.mrr > 0, rows.month_index, rows.month_index - 1))
    attributes = table.select(
        _c=table.customer_id, _m=table.month_index, **{n: table[n] for n in data.attributes}
    )
    joined = rows.left_join(
        attributes, (rows.customer_id == attributes._c) & (rows._at == attributes._m)
    )
    return joined.select(
        "customer_id",
        "month_index",
        period=month_start_of(joined.month_index),
        previous_mrr=joined.previous_mrr,
        mrr=joined.mrr,
        movement=joined.movement,
        amount=joined.amount,
        **{name: joined[name] for name in data.attributes},
    )


def movement_log(data: Dataset) -> ir.Table:
    """One row per movement: bridge month, customer, type and amount (METRICS.md §2).

    The rows of ``customer_months`` with a movement. Summed by month and movement they
    equal the bridge's columns exactly.

    Parameters
    ----------
    data
        A loaded dataset.

    Returns
    -------
    ibis.expr.types.Table
        ``month_index, period, customer_id, movement, amount, previous_mrr, mrr``, ordered
        by month, movement (in the bridge's order) and customer.
    """
    return _log_of(_customer_months(data))


def _log_of(months: ir.Table) -> ir.Table:
    moved = months.filter(months.movement != NO_MOVEMENT)
    return in_log_order(moved.select(*LOG_FIELDS))


def in_log_order(log: ir.Table) -> ir.Table:
    """The movement log's order: by month, movement (in the bridge's order), customer."""
    order = ibis.cases(*((log.movement == name, i) for i, name in enumerate(MOVEMENTS)))
    return log.order_by(log.month_index, order, log.customer_id)


def customer_tables(data: Dataset) -> tuple[ir.Table, ir.Table]:
    """``customer_months`` and ``movement_log`` of ``data``, the customer-months computed
    once and stored in the engine (``engine.materialize``): writing both files and summing
    the log then read the stored rows instead of recomputing the bridge three times."""
    stored = materialize(data.con, _customer_months(data), "customer_months")
    return stored.order_by("customer_id", "month_index"), _log_of(stored)


@dataclass(frozen=True, repr=False)
class CustomerStory(Result):
    """One customer's timeline: each month's MRR and movement, and the windows it counted in.

    ``months`` holds the ``customer_months`` rows of the customer. ``windows`` holds, per
    window length k and each month M with a full window, whether the customer was in the
    cohort (paying at M - k, §3) and, when it was, its start and end MRR and its class.
    """

    input: InputReport
    customer_id: str
    months: pa.Table
    #: ``window_months, as_of_index, in_cohort, start_mrr, end_mrr, change, class``.
    windows: pa.Table
    window_lengths: tuple[int, ...]
    data_months: MonthRange

    @property
    def movements(self) -> list[dict[str, Any]]:
        """The months with a movement, as records."""
        return [r for r in self.months.to_pylist() if r["movement"] != NO_MOVEMENT]


def _check_customer(data: Dataset, customer_id: str) -> None:
    table = data.table
    found = data.con.to_pyarrow((table.customer_id == customer_id).sum().name("found")).as_py()
    if found:
        return
    ids = table.select("customer_id").distinct()
    # A case or spacing slip is the likeliest typo; look for it in the engine.
    folded = ids.filter(ids.customer_id.lower().strip() == customer_id.lower().strip())
    close = data.con.to_pyarrow(folded.limit(_SHOWN_IDS)).column(0).to_pylist()
    if not close:
        sample = data.con.to_pyarrow(
            ids.filter(ids.customer_id.startswith(customer_id[:1])).limit(1000)
        )
        close = difflib.get_close_matches(customer_id, sample.column(0).to_pylist(), n=3)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise OptionError(
        "customer_id",
        customer_id,
        f"is not a customer_id of the input in the months analysed ({data.months}).{hint}",
    )


def customer_story(
    data: Dataset, customer_id: str, windows: Sequence[int] = DEFAULT_WINDOWS
) -> CustomerStory:
    """One customer's months, movements and retention windows (METRICS.md §2-3).

    Parameters
    ----------
    data
        A loaded dataset.
    customer_id
        The customer, as the input spells it.
    windows
        Window lengths in months whose cohorts are listed.

    Returns
    -------
    CustomerStory

    Raises
    ------
    OptionError
        No row of the input has this ``customer_id`` (the message suggests close ones).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from revenue_retention.canonical import load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mrr.csv"
    >>> _ = path.write_text("customer_id,month,mrr\\na,2024-01,100\\na,2024-02,150\\n"
    ...                     "b,2024-02,40\\n")
    >>> story = customer_story(load(path), "a", windows=[1])
    >>> [(r["movement"], str(r["amount"])) for r in story.movements]
    [('expansion', '50.000000')]
    >>> [(r["as_of_index"] % 12 + 1, r["class"]) for r in story.windows.to_pylist()]
    [(2, 'expansion')]
    """
    _check_customer(data, customer_id)
    mine = data.con.to_pyarrow(_customer_months(data, customer_id).order_by("month_index"))
    table = data.table
    own = table.filter(table.customer_id == customer_id)
    pairs = cohort_pairs(own, data.months, windows)
    a, b = pairs.a, pairs.b
    in_cohort = pairs.select(
        window_months=pairs.window_months,
        as_of_index=pairs.as_of,
        start_mrr=a,
        end_mrr=b,
        change=(b - a).cast(MONEY),
        **{"class": window_class(a, b)},
    )
    found = {
        (r["window_months"], r["as_of_index"]): r
        for r in data.con.to_pyarrow(in_cohort).to_pylist()
    }
    rows: list[dict[str, Any]] = []
    for k in windows:
        for month in range(data.months.first + k, data.months.last + 1):
            row = found.get((k, month))
            rows.append(
                {
                    "window_months": k,
                    "as_of_index": month,
                    "in_cohort": row is not None,
                    "start_mrr": None if row is None else row["start_mrr"],
                    "end_mrr": None if row is None else row["end_mrr"],
                    "change": None if row is None else row["change"],
                    "class": None if row is None else row["class"],
                }
            )
    money = pa.decimal128(38, 6)
    schema = pa.schema(
        [
            ("window_months", pa.int64()),
            ("as_of_index", pa.int64()),
            ("in_cohort", pa.bool_()),
            ("start_mrr", money),
            ("end_mrr", money),
            ("change", money),
            ("class", pa.string()),
        ]
    )
    return CustomerStory(
        input=data.report,
        customer_id=customer_id,
        months=mine,
        windows=pa.Table.from_pylist(rows, schema),
        window_lengths=tuple(windows),
        data_months=data.months,
    )


def log_totals(data: Dataset, months: ir.Table | None = None) -> dict[str, Any]:
    """The movement log summed by movement beside the bridge's sums: they must be equal.

    Returns ``customer_months`` and ``customers`` (counts of ``customer_months``) and
    ``movements``: per movement of §2, its log ``rows``, log ``amount`` and the bridge's
    ``bridge_amount`` over the same months. ``months``: the ``customer_months`` of
    ``data`` when already computed (``customer_tables``).
    """
    months = _customer_months(data) if months is None else months
    counts = data.con.to_pyarrow(
        months.aggregate(rows=months.count(), customers=months.customer_id.nunique())
    ).to_pylist()[0]
    moved = months.filter(months.movement != NO_MOVEMENT)
    by_type = moved.group_by("movement").agg(
        rows=moved.count(), amount=moved.amount.sum().cast(MONEY)
    )
    found = {r["movement"]: r for r in data.con.to_pyarrow(by_type).to_pylist()}
    moves = bridge(data)
    bridged = data.con.to_pyarrow(
        moves.aggregate(**{name: moves[name].sum().cast(MONEY) for name in MOVEMENTS})
    ).to_pylist()[0]
    nothing = Decimal(0)
    return {
        "customer_months": int(counts["rows"]),
        "customers": int(counts["customers"] or 0),
        "movements": [
            {
                "movement": name,
                "rows": int(found[name]["rows"]) if name in found else 0,
                "amount": found[name]["amount"] if name in found else nothing,
                "bridge_amount": bridged[name] if bridged[name] is not None else nothing,
            }
            for name in MOVEMENTS
        ],
    }


#: Customers the report's searchable table holds at most (by latest MRR, then peak MRR).
DIRECTORY_LIMIT = 2000


@dataclass(frozen=True)
class CustomerDirectory:
    """The customers of the report's searchable table and each one's months.

    ``customers``: ``customer_id, mrr`` (at the data's last month, 0 if not paying),
    ``peak_mrr``, ``first_month`` (index of its first paying month), ``last_movement``,
    ``last_movement_month`` (null when it never moved after its first month) and the
    attribute columns at its latest row; the ``limit`` largest by ``mrr`` then
    ``peak_mrr``, then id. ``months``: the ``customer_months`` rows of those customers,
    ordered by customer and month. ``total``: customers in the data.
    """

    customers: pa.Table
    months: pa.Table
    total: int
    limit: int


def customer_directory(data: Dataset, limit: int = DIRECTORY_LIMIT) -> CustomerDirectory:
    """The largest ``limit`` customers and their timelines, in three queries on the engine."""
    months = materialize(data.con, _customer_months(data), "customer_directory")
    last = data.months.last
    latest = ibis.window(group_by="customer_id", order_by=ibis.desc("month_index"))
    ranked = months.mutate(_latest_row=ibis.row_number().over(latest))
    moved = months.filter(months.movement != NO_MOVEMENT)
    last_moves = moved.mutate(_n=ibis.row_number().over(latest)).filter(lambda t: t._n == 0)
    per_customer = months.group_by("customer_id").agg(
        mrr=months.mrr.sum(where=months.month_index == last).fill_null(0).cast(MONEY),
        peak_mrr=months.mrr.max().cast(MONEY),
        first_month=months.month_index.min(where=months.mrr > 0),
    )
    attributes = ranked.filter(ranked._latest_row == 0).select(
        _c=ranked.customer_id, **{n: ranked[n] for n in data.attributes}
    )
    moves_of = last_moves.select(
        _m=last_moves.customer_id,
        last_movement=last_moves.movement,
        last_movement_month=last_moves.month_index,
    )
    joined = per_customer.left_join(moves_of, per_customer.customer_id == moves_of._m)
    joined = joined.left_join(attributes, joined.customer_id == attributes._c)
    top = (
        joined.select(
            "customer_id",
            "mrr",
            "peak_mrr",
            "first_month",
            "last_movement",
            "last_movement_month",
            *data.attributes,
        )
        .order_by(ibis.desc("mrr"), ibis.desc("peak_mrr"), "customer_id")
        .limit(limit)
    )
    chosen = data.con.to_pyarrow(top)
    wanted = ibis.memtable(chosen.select(["customer_id"]))
    rows = months.semi_join(wanted, months.customer_id == wanted.customer_id)
    timeline = data.con.to_pyarrow(
        rows.select("customer_id", "month_index", "mrr", "movement", "amount").order_by(
            "customer_id", "month_index"
        )
    )
    total = int(data.con.to_pyarrow(months.customer_id.nunique()).as_py())
    return CustomerDirectory(customers=chosen, months=timeline, total=total, limit=limit)
