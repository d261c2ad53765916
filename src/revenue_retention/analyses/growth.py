"""Growth, churn rates, ARPA and LTV: the figures quoted beside NRR, read off the MRR bridge.

Every figure here is a ratio of totals the bridge already has (METRICS.md §2) or of the
cohort retention of the same window (§3): no movement is classified a second time. The
engine computes one row per month (``metrics.flows.month_flows`` with its movement
counts, then ``bridge_from_flows``) and, per trailing window, sums over those rows; only
quotients of exact money by a count (ARPA, LTV) are taken in Python, as ``Decimal``,
rounded half up to the money scale. Definitions and worked examples: docs/metrics.md,
"Growth, churn rates, ARPA and LTV".

Per month M (the bridge month from M - 1 to M):

- ``arr`` = MRR x 12; ``net_new_mrr`` = closing - opening
  = new + reactivation + expansion - contraction - churn; ``mrr_growth_rate`` =
  net new MRR / opening MRR;
- ``quick_ratio`` = (new + expansion + reactivation) / (churn + contraction), null when
  nothing was lost;
- ``customer_churn_rate`` = customers paying at M - 1 and not at M / customers paying at
  M - 1 = 1 - logo retention of the one-month window;
- ``gross_mrr_churn_rate`` = (churn + contraction) / opening MRR = 1 - GRR (one month);
- ``net_mrr_churn_rate`` = (churn + contraction - expansion) / opening MRR = 1 - NRR
  (one month): reactivation is not netted (it is not revenue of the month's cohort);
- each annualised as 1 - (1 - m) ^ 12;
- ``arpa`` = MRR / paying customers; ``average_new_customer_mrr`` = new MRR / new
  customers.

Per trailing window of k months ending at M: the sums of the k bridge months, the pooled
monthly rates (churned customers / customer-months at risk, lost MRR / opening MRR summed
over the months), their annualisation, the cohort rates of the same window (1 - GRR,
1 - NRR, 1 - logo retention) beside them, ARPA at M and LTV = ARPA x gross margin /
pooled monthly customer churn rate, with a Wilson score interval of that churn rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from statistics import NormalDist
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from revenue_retention.analyses._result import Result
from revenue_retention.analyses.churn_reasons import reason_column
from revenue_retention.analyses.units import in_arr
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.canonical.layouts.periods import period_months
from revenue_retention.defaults import WINDOW_MONTHS
from revenue_retention.errors import OptionError
from revenue_retention.metrics.flows import (
    bridge_from_flows,
    month_flows,
    paying_rows,
    retention_from_flows,
)
from revenue_retention.metrics.spec import rate
from revenue_retention.money import MONEY, MONEY_SCALE, money_literal
from revenue_retention.periods import check_window, month_index_of

__all__ = [
    "DEFAULT_LEVEL",
    "MONTH_COLUMNS",
    "QUANTITY_COLUMNS",
    "WINDOW_COLUMNS",
    "GrowthResult",
    "compute_growth",
    "parse_gross_margin",
    "seat_retention",
    "wilson_interval",
]

#: Decimal columns that are not a month's amount: left alone by the ARR view.
_NOT_MONTHLY = ("arr", "ltv", "ltv_low", "ltv_high")
#: The level of the LTV interval unless one is asked for.
DEFAULT_LEVEL = 0.9
_PLACES = Decimal(1).scaleb(-MONEY_SCALE)
_MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churn")
_CHURN_STEMS = ("customer_churn_rate", "gross_mrr_churn_rate", "net_mrr_churn_rate")
#: Each churn rate, monthly then annualised (the same names per month and per window).
_CHURN_RATES = (*_CHURN_STEMS, *(f"{stem}_annualised" for stem in _CHURN_STEMS))

#: The columns of ``GrowthResult.months``, in order.
MONTH_COLUMNS = (
    "month_index",
    "period",
    "opening_mrr",
    *_MOVEMENTS,
    "closing_mrr",
    "arr",
    "customers",
    "customers_at_start",
    "new_customers",
    "reactivated_customers",
    "churned_customers",
    "net_new_mrr",
    "mrr_growth_rate",
    "quick_ratio",
    *_CHURN_RATES,
    "arpa",
    "average_new_customer_mrr",
)
#: The columns of ``GrowthResult.windows``, in order.
WINDOW_COLUMNS = (
    "as_of_index",
    "as_of",
    "window_months",
    "starting_mrr",
    "ending_mrr",
    "arr",
    *_MOVEMENTS,
    "net_new_mrr",
    "mrr_growth_rate",
    "compound_monthly_growth_rate",
    "quick_ratio",
    "customer_months_at_risk",
    "churned_customers",
    "new_customers",
    *_CHURN_RATES,
    "cohort_customer_churn_rate",
    "cohort_gross_mrr_churn_rate",
    "cohort_net_mrr_churn_rate",
    "grr",
    "nrr",
    "logo_retention",
    "customers",
    "arpa",
    "average_new_customer_mrr",
    "ltv",
    "ltv_low",
    "ltv_high",
    "customer_churn_rate_low",
    "customer_churn_rate_high",
)


@dataclass(frozen=True, repr=False)
class GrowthResult(Result):
    """Growth and churn figures of a dataset, executed: two small Arrow tables.

    ``months`` has one row per bridge month (``MONTH_COLUMNS``); ``windows`` one row per
    as-of month with a full trailing window of ``window_months`` (``WINDOW_COLUMNS``).
    Money is exact ``Decimal``; rates are floats, null where their denominator is 0.
    ``ltv`` is null in every row without ``gross_margin``; ``notes`` says why, and why
    seat retention and voluntary / involuntary churn are absent when they are.
    """

    input: InputReport
    window_months: int
    gross_margin: Decimal | None
    level: float
    months: pa.Table
    windows: pa.Table
    #: Seat (quantity) retention of the window ending at the last month, or None.
    quantity: pa.Table | None
    #: Figure -> why it is absent or how it is qualified.
    notes: dict[str, str]
    #: With several currencies: every figure at spot rates (each month at its own rates).
    currency_basis: str | None = None
    #: ``mrr``, or ``arr`` for the ARR view (``in_arr``): amounts x 12, LTV and rates kept.
    unit: str = "mrr"

    def in_arr(self) -> GrowthResult:
        """The ARR view: every monthly amount x 12; ``arr``, LTV and the rates unchanged."""
        if self.unit == "arr":
            return self
        return in_arr(self, ("months", "windows"), keep=_NOT_MONTHLY)

    @property
    def as_of(self) -> int:
        """The last month of the data: the end of the headline window."""
        return self.input.months.last

    def latest(self) -> dict[str, Any] | None:
        """The window ending at the last month, or None when the data is shorter."""
        rows: list[dict[str, Any]] = self.windows.to_pylist()
        return rows[-1] if rows and rows[-1]["as_of_index"] == self.as_of else None


def parse_gross_margin(value: str | float | Decimal | None) -> Decimal | None:
    """A gross margin as a fraction (``0.8``) or a percentage (``80%``), checked.

    >>> parse_gross_margin("80%"), parse_gross_margin("0.75"), parse_gross_margin(None)
    (Decimal('0.8'), Decimal('0.75'), None)
    """
    if value is None:
        return None
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        margin = Decimal(text.rstrip("%").strip())
    except ArithmeticError:
        margin = Decimal("NaN")
    if percent and margin.is_finite():
        margin = margin / 100
    if not margin.is_finite() or not 0 < margin <= 1:
        raise OptionError(
            "gross_margin",
            text,
            "must be a fraction above 0 and at most 1 (0.8) or a percentage (80%)",
        )
    return margin


def _quotient(money: Decimal | None, count: int | Decimal | None) -> Decimal | None:
    """Money divided by a count, to the money scale (half up); None when the count is 0."""
    if money is None or count is None or count == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(money) / Decimal(count)).quantize(_PLACES, ROUND_HALF_UP)


def _annualised(monthly: ir.FloatingValue) -> ir.FloatingValue:
    """A monthly rate compounded over twelve months: 1 - (1 - m) ^ 12."""
    return 1 - (1 - monthly) ** 12


def _month_rows(flows: ir.Table, bridge: ir.Table) -> ir.Table:
    """One row per bridge month: the bridge, the movement counts and the monthly ratios."""
    by_month = ibis.window(order_by="month_index")
    counts = flows.select(
        "month_index",
        customers=flows.customers,
        customers_at_start=flows.customers.lag().over(by_month),
        new_customers=flows.customers_new,
        reactivated_customers=flows.customers_reactivated,
        churned_customers=(flows.customers - flows.staying).lag().over(by_month),
    )
    j = bridge.inner_join(counts, "month_index")
    opening, lost = j.opening_mrr, j.churn + j.contraction
    monthly = {
        "customer_churn_rate": rate(j.churned_customers, j.customers_at_start),
        "gross_mrr_churn_rate": rate(lost, opening),
        "net_mrr_churn_rate": rate(lost - j.expansion, opening),
    }
    return j.select(
        *bridge.columns,
        arr=(j.closing_mrr * money_literal(12)).cast(MONEY),
        customers=j.customers,
        customers_at_start=j.customers_at_start,
        new_customers=j.new_customers,
        reactivated_customers=j.reactivated_customers,
        churned_customers=j.churned_customers,
        net_new_mrr=(j.closing_mrr - opening).cast(MONEY),
        mrr_growth_rate=rate(j.closing_mrr - opening, opening),
        quick_ratio=rate(j.new + j.expansion + j.reactivation, lost),
        **monthly,
        **{f"{name}_annualised": _annualised(value) for name, value in monthly.items()},
    ).order_by("month_index")


def _window_rows(months: ir.Table, cohort: ir.Table, k: int) -> ir.Table:
    """One row per as-of month with a full window of ``k`` months: sums and pooled rates."""
    trailing = ibis.window(order_by="month_index", rows=(-(k - 1), 0))
    sums = months.select(
        "month_index",
        closing_mrr=months.closing_mrr,
        customers=months.customers,
        months_in=months.month_index.count().over(trailing),
        starting_mrr=months.opening_mrr.first().over(trailing),
        opening_sum=months.opening_mrr.sum().over(trailing),
        customer_months_at_risk=months.customers_at_start.sum().over(trailing),
        churned_customers=months.churned_customers.sum().over(trailing),
        new_customers=months.new_customers.sum().over(trailing),
        **{name: months[name].sum().over(trailing).cast(MONEY) for name in _MOVEMENTS},
    )
    s = sums.filter(sums.months_in == k)
    c = cohort.filter(cohort.window_months == k)
    c = c.select("as_of_index", "as_of", "window_months", "grr", "nrr", "logo_retention")
    j = s.inner_join(c, s.month_index == c.as_of_index)
    lost = j.churn + j.contraction
    pooled = {
        "customer_churn_rate": rate(j.churned_customers, j.customer_months_at_risk),
        "gross_mrr_churn_rate": rate(lost, j.opening_sum),
        "net_mrr_churn_rate": rate(lost - j.expansion, j.opening_sum),
    }
    return j.select(
        as_of_index=j.month_index,
        as_of=j.as_of,
        window_months=j.window_months,
        starting_mrr=j.starting_mrr,
        ending_mrr=j.closing_mrr,
        arr=(j.closing_mrr * money_literal(12)).cast(MONEY),
        **{name: j[name] for name in _MOVEMENTS},
        net_new_mrr=(j.closing_mrr - j.starting_mrr).cast(MONEY),
        mrr_growth_rate=rate(j.closing_mrr - j.starting_mrr, j.starting_mrr),
        compound_monthly_growth_rate=rate(j.closing_mrr, j.starting_mrr) ** (1 / k) - 1,
        quick_ratio=rate(j.new + j.expansion + j.reactivation, lost),
        customer_months_at_risk=j.customer_months_at_risk,
        churned_customers=j.churned_customers,
        new_customers=j.new_customers,
        **pooled,
        **{f"{name}_annualised": _annualised(value) for name, value in pooled.items()},
        cohort_customer_churn_rate=1 - j.logo_retention,
        cohort_gross_mrr_churn_rate=1 - j.grr,
        cohort_net_mrr_churn_rate=1 - j.nrr,
        grr=j.grr,
        nrr=j.nrr,
        logo_retention=j.logo_retention,
        customers=j.customers,
    ).order_by("as_of_index")


def wilson_interval(events: int, trials: int, level: float) -> tuple[Decimal, Decimal] | None:
    """The Wilson score interval of the proportion ``events / trials`` at ``level``.

    >>> low, high = wilson_interval(2, 100, 0.9)
    >>> f"{low:.4f} {high:.4f}"
    '0.0066 0.0586'
    >>> wilson_interval(0, 100, 0.9)[0]
    Decimal('0')
    """
    if trials <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        z = Decimal(repr(NormalDist().inv_cdf(0.5 + level / 2)))
        n, p = Decimal(trials), Decimal(events) / Decimal(trials)
        centre = p + z * z / (2 * n)
        spread = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt()
        denominator = 1 + z * z / n
        # At the ends the bound is exact: rounding would leave a speck (1e-41) whose
        # reciprocal no money type holds.
        low = Decimal(0) if events == 0 else (centre - spread) / denominator
        high = Decimal(1) if events == trials else (centre + spread) / denominator
        return low, high


def _ltv(
    row: dict[str, Any], margin: Decimal | None, level: float
) -> dict[str, Decimal | float | None]:
    """LTV = ARPA x gross margin / pooled monthly customer churn, with its interval."""
    churned, at_risk = row["churned_customers"], row["customer_months_at_risk"]
    interval = wilson_interval(churned, at_risk, level)
    found: dict[str, Decimal | float | None] = {
        "customer_churn_rate_low": float(interval[0]) if interval else None,
        "customer_churn_rate_high": float(interval[1]) if interval else None,
        "ltv": None,
        "ltv_low": None,
        "ltv_high": None,
    }
    arpa = row["arpa"]
    if margin is None or arpa is None or interval is None:
        return found
    value = arpa * margin
    # churn = churned / at_risk exactly, so LTV = ARPA x margin x at_risk / churned.
    found["ltv"] = _quotient(value * at_risk, churned)
    low, high = interval
    found["ltv_low"] = _quotient(value, high)
    found["ltv_high"] = _quotient(value, low) if low > 0 else None
    return found


def _with_quotients(table: pa.Table, extra: list[dict[str, Any]], names: list[str]) -> pa.Table:
    """``table`` with the columns ``names`` of ``extra`` (one dict per row) appended."""
    for name in names:
        values = [row[name] for row in extra]
        kind = pa.float64() if name.startswith("customer_churn_rate") else MONEY.to_pyarrow()
        table = table.append_column(name, pa.array(values, kind))
    return table


def compute_growth(
    data: Dataset,
    *,
    window_months: int = WINDOW_MONTHS,
    gross_margin: str | float | Decimal | None = None,
    level: float = DEFAULT_LEVEL,
) -> GrowthResult:
    """ARR, growth, churn rates by definition, ARPA and LTV, every month and every window.

    Parameters
    ----------
    data
        A dataset from ``load``.
    window_months
        The trailing window (12: the annual figures).
    gross_margin
        The gross margin for LTV, a fraction (``0.8``) or a percentage (``"80%"``). No
        default: without it LTV is null and ``notes["ltv"]`` says why.
    level
        The level of the interval of the churn rate under LTV (Wilson score interval).

    Returns
    -------
    GrowthResult

    Raises
    ------
    OptionError
        A window out of range, a gross margin outside (0, 1], a level outside (0, 1).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from decimal import Decimal
    >>> from revenue_retention.canonical.memory import from_canonical
    >>> from revenue_retention.periods import month_index
    >>> jan, feb = month_index(2024, 1), month_index(2024, 2)
    >>> t = pa.table({"customer_id": ["a", "b", "a", "c"], "month_index": [jan, jan, feb, feb],
    ...               "mrr": [Decimal(100), Decimal(50), Decimal(120), Decimal(30)]})
    >>> m = compute_growth(from_canonical(t), window_months=1).months.to_pylist()[0]
    >>> m["net_new_mrr"], m["quick_ratio"], m["customer_churn_rate"], m["arpa"]
    (Decimal('0.000000'), 1.0, 0.5, Decimal('75.000000'))
    """
    k = check_window(window_months)
    margin = parse_gross_margin(gross_margin)
    if not 0 < level < 1:
        raise OptionError("level", str(level), "must be between 0 and 1, e.g. 0.9")
    months = data.months
    run = data.con.to_pyarrow
    windows = sorted({1, k})
    flows = ibis.memtable(run(month_flows(paying_rows(data), months, windows, counts=True)))
    monthly = run(_month_rows(flows, bridge_from_flows(flows, months)))
    rows = monthly.to_pylist()
    monthly = _with_quotients(
        monthly,
        [
            {
                "arpa": _quotient(r["closing_mrr"], r["customers"]),
                "average_new_customer_mrr": _quotient(r["new"], r["new_customers"]),
            }
            for r in rows
        ],
        ["arpa", "average_new_customer_mrr"],
    )
    cohort = retention_from_flows(flows, months, windows)
    trailing = run(_window_rows(ibis.memtable(monthly.drop_columns(["period"])), cohort, k))
    quotients = []
    for r in trailing.to_pylist():
        figures: dict[str, Any] = {
            "arpa": _quotient(r["ending_mrr"], r["customers"]),
            "average_new_customer_mrr": _quotient(r["new"], r["new_customers"]),
        }
        quotients.append(figures | _ltv(r | figures, margin, level))
    names = [c for c in WINDOW_COLUMNS if c not in trailing.column_names]
    trailing = _with_quotients(trailing, quotients, names)
    notes = _notes(data, margin, level)
    quantity = seat_retention(data, k)
    if isinstance(quantity, str):
        notes["quantity"], quantity = quantity, None
    return GrowthResult(
        input=data.report,
        window_months=k,
        gross_margin=margin,
        level=level,
        months=monthly.select(list(MONTH_COLUMNS)),
        windows=trailing.select(list(WINDOW_COLUMNS)),
        quantity=quantity,
        notes=notes,
        currency_basis="spot" if data.fx is not None and data.fx.active else None,
    )


#: The columns of ``GrowthResult.quantity``, in order.
QUANTITY_COLUMNS = (
    "product",
    "customers",
    "quantity_start",
    "quantity_retained",
    "quantity_end",
    "gross_quantity_retention",
    "net_quantity_retention",
)


def seat_retention(data: Dataset, window_months: int) -> pa.Table | str:
    """Quantity (seat) retention of the window ending at the data's last month, per product.

    The cohort is §3's: the customers paying at the window's start. For each cohort
    customer and product, with q0 and q1 its quantity (lines with MRR > 0) at the start
    and the end: gross = sum min(q0, q1) / sum q0, net = sum q1 / sum q0. The row with a
    null product sums every product's units. Returns why not, when the input carries no
    quantity per month.
    """
    report, li = data.report, data.line_items
    if "quantity" not in report.columns:
        return "no quantity (seats) column in the input: seat retention is not computed"
    end = data.months.last
    start = end - window_months
    if start < data.months.first:
        return f"the data is shorter than the {window_months}-month window"
    if "month" in li.columns:
        month = month_index_of(li.month)

        def held_at(m: int) -> ir.BooleanValue:
            return month == m
    elif report.layout == "periods" and not report.adapter.startswith("stripe"):
        first, stop = period_months(li, report.snapshot)

        def held_at(m: int) -> ir.BooleanValue:
            return (first <= m) & (stop.isnull() | (stop > m))
    else:
        return (
            f"the {report.layout} layout ({report.adapter}) keeps no quantity per month in the "
            "canonical table: seat retention is not computed"
        )
    lines = li.filter(li.mrr > 0)
    product = lines.product if "product" in lines.columns else ibis.null("string")
    quantity = lines.quantity.cast(MONEY)
    none = money_literal(0)
    rows = lines.select(
        "customer_id",
        product=product,
        q0=ibis.ifelse(held_at(start), quantity, none),
        q1=ibis.ifelse(held_at(end), quantity, none),
    )
    table = data.table
    cohort = table.filter((table.month_index == start) & (table.mrr > 0)).select("customer_id")
    rows = rows.semi_join(cohort, "customer_id")
    per = rows.group_by("customer_id", "product").agg(q0=rows.q0.sum(), q1=rows.q1.sum())
    per = per.filter((per.q0 > 0) | (per.q1 > 0))

    def summed(t: ir.Table, keys: list[str]) -> ir.Table:
        grouped = t.group_by(keys) if keys else t
        return grouped.agg(
            customers=t.customer_id.nunique(where=t.q0 > 0),
            quantity_start=t.q0.sum().cast(MONEY),
            quantity_retained=ibis.least(t.q0, t.q1).sum().cast(MONEY),
            quantity_end=t.q1.sum().cast(MONEY),
        )

    both = summed(per, []).mutate(product=ibis.null("string")).select(*QUANTITY_COLUMNS[:5])
    if "product" in lines.columns:
        both = ibis.union(summed(per, ["product"]).select(*QUANTITY_COLUMNS[:5]), both)
    result = both.mutate(
        gross_quantity_retention=rate(both.quantity_retained, both.quantity_start),
        net_quantity_retention=rate(both.quantity_end, both.quantity_start),
    )
    ordered = result.order_by(result.product.isnull(), "product")
    return data.con.to_pyarrow(ordered)


def _reasons_note(data: Dataset) -> str:
    column = reason_column(data)
    if column is None:
        return (
            "churn is split into voluntary, involuntary (failed payments), paused and "
            "unexplained only when the input says why customers left, in a status or "
            "cancellation-reason column: this input has none"
        )
    return (
        f"churn is split by the reason in the column {column} (voluntary, involuntary, "
        "paused, unexplained) beside the bridge, month by month"
    )


def _notes(data: Dataset, margin: Decimal | None, level: float) -> dict[str, str]:
    notes = {
        "ltv": (
            f"LTV = ARPA x gross margin ({margin}) / monthly customer churn rate of the "
            f"window (churned customers / customer-months at risk); the interval is the "
            f"{level:.0%} Wilson score interval of that churn rate, which treats each "
            "customer-month as an independent trial: with few churned customers it is wide"
            if margin is not None
            else "LTV needs the gross margin, which billing data does not carry: pass "
            "--gross-margin (e.g. 0.8); no default is assumed"
        ),
        "churn_reasons": _reasons_note(data),
    }
    return notes
