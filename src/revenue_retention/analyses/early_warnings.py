"""Early warnings: the diagnostics that watch retention move, run by ``diagnose`` (§7).

GRR falling over several quarters (a trend and its sign test, not one point); one
segment's GRR dropping while the total held; new cohorts keeping less early on than
earlier cohorts did at the same age; expansion resting on customers who are already
contracting; and what followed price increases. Each is a ``Diagnostic`` with its
inputs and threshold, like the rules of ``diagnostics``; their thresholds are fields of
``Thresholds`` too.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from math import comb
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from revenue_retention.analyses.cohorts import cohort_label, compute_cohorts
from revenue_retention.analyses.decompose import compute_decomposition
from revenue_retention.analyses.diagnostics import Diagnostic, Rule, Thresholds, pct
from revenue_retention.canonical import Dataset
from revenue_retention.errors import InputError
from revenue_retention.metrics import cohort_pairs, retention
from revenue_retention.periods import month_label, month_start

__all__ = ["EARLY_WARNINGS", "sign_test", "slope"]


def slope(values: list[float]) -> float:
    """Least-squares slope of ``values`` against 0, 1, 2 ... (per step).

    >>> slope([0.9, 0.88, 0.86, 0.84])
    -0.020000000000000018
    """
    n = len(values)
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


def sign_test(declines: int, steps: int) -> float:
    """One-sided sign test: P(at least ``declines`` falls in ``steps`` coin flips).

    >>> sign_test(5, 5), sign_test(4, 5)
    (0.03125, 0.1875)
    """
    return sum(comb(steps, k) for k in range(declines, steps + 1)) / float(1 << steps)


def _grr_trend(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """Quarterly (3-month) GRR at the last quarter ends: its slope and a sign test.

    The quarters do not overlap, so their rates are separate readings; the trend warns
    when GRR falls by at least ``trend_slope_at_most`` points a quarter and the falls
    between consecutive quarters are too many for chance (sign test p <= ``trend_max_p``).
    """
    as_of, n = facts["as_of"], t.trend_quarters
    threshold = {
        "quarters": n,
        "slope_per_quarter_at_most": t.trend_slope_at_most,
        "sign_test_p_at_most": t.trend_max_p,
        "rule": (
            f"3-month GRR over the last {n} quarter ends falls at least "
            f"{-t.trend_slope_at_most * 100:g} points a quarter (least squares) and the "
            f"quarter-on-quarter falls give a one-sided sign test p <= {t.trend_max_p:g}"
        ),
    }
    ends = [as_of - 3 * i for i in range(n - 1, -1, -1)]
    rows = retention(data, data.months.capped(as_of), [3])
    found = data.con.to_pyarrow(rows.filter(rows.as_of_index.isin(ends))).to_pylist()
    points = [(r["as_of_index"], r["grr"]) for r in found if r["grr"] is not None]
    points.sort()
    if len(points) < 4:
        return Diagnostic(
            "grr_trend",
            "GRR trend",
            None,
            f"Not run: {len(points)} quarter ends with a 3-month GRR; a trend needs 4.",
            {"quarters": [month_label(m) for m, _ in points]},
            threshold,
        )
    values = [v for _, v in points]
    per_quarter = slope(values)
    steps = len(values) - 1
    declines = sum(b < a for a, b in pairwise(values))
    p = sign_test(declines, steps)
    hit = per_quarter <= t.trend_slope_at_most and p <= t.trend_max_p
    message = (
        f"Quarterly GRR went {' -> '.join(pct(v, 1) for v in values)} "
        f"({month_label(points[0][0])} to {month_label(points[-1][0])}): "
        f"{per_quarter * 100:+.1f} points a quarter, {declines} falls in {steps} "
        f"(sign test p = {p:.2f})"
        + (": GRR is declining; act before it shows in the annual figure." if hit else ".")
    )
    return Diagnostic(
        "grr_trend",
        "GRR trend",
        hit,
        message,
        {
            "quarters": [month_label(m) for m, _ in points],
            "grr": values,
            "slope_per_quarter": per_quarter,
            "declines": declines,
            "steps": steps,
            "sign_test_p": p,
        },
        threshold,
    )


def _segment_drop(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """A group of an attribute whose GRR fell while the total's held (§3 groups, at start)."""
    as_of, window, over = facts["as_of"], facts["window_months"], t.segment_over_months
    threshold = {
        "over_months": over,
        "group_drop_points_at_least": t.segment_drop_points,
        "total_drop_points_below": t.segment_total_held_points,
        "min_share_of_starting_mrr": t.segment_min_share,
    }
    before = as_of - over
    if not data.attributes:
        return Diagnostic(
            "segment_drop",
            "Segment drop",
            None,
            "Not run: the data has no attribute (segment, plan ...) to break GRR down by.",
            {},
            threshold,
        )
    if before < data.months.first + window:
        return Diagnostic(
            "segment_drop",
            "Segment drop",
            None,
            f"Not run: no {window}-month window ends at {month_label(before)}, "
            f"{over} months before {month_label(as_of)}.",
            {},
            threshold,
        )
    months = data.months.capped(as_of)
    total_rows = retention(data, months, [window])
    total = {
        r["as_of_index"]: r["grr"]
        for r in data.con.to_pyarrow(
            total_rows.filter(total_rows.as_of_index.isin([before, as_of]))
        ).to_pylist()
    }
    total_before, total_now = total.get(before), total.get(as_of)
    if total_before is None or total_now is None:
        return Diagnostic("segment_drop", "Segment drop", None, _EMPTY, {}, threshold)
    total_change = (total_now - total_before) * 100
    dropped = []
    for attribute in data.attributes:
        rows = retention(data, months, [window], by=[attribute])
        found = data.con.to_pyarrow(rows.filter(rows.as_of_index.isin([before, as_of])))
        now = {r[attribute]: r for r in found.to_pylist() if r["as_of_index"] == as_of}
        was = {r[attribute]: r["grr"] for r in found.to_pylist() if r["as_of_index"] == before}
        start = sum((r["starting_mrr"] for r in now.values()), Decimal(0))
        for group, row in now.items():
            share = float(row["starting_mrr"] / start) if start else 0.0
            if row["grr"] is None or was.get(group) is None or share < t.segment_min_share:
                continue
            change = (row["grr"] - was[group]) * 100
            if -change >= t.segment_drop_points:
                dropped.append(
                    {
                        "attribute": attribute,
                        "group": group,
                        "grr_before": was[group],
                        "grr": row["grr"],
                        "change_points": change,
                        "share_of_starting_mrr": share,
                    }
                )
    dropped.sort(key=lambda d: d["change_points"])
    held = -total_change < t.segment_total_held_points
    hit = held and bool(dropped)
    period = f"{window}-month GRR from {month_label(before)} to {month_label(as_of)}"
    if hit:
        worst = dropped[0]
        message = (
            f"{worst['attribute']} {worst['group']}: {period} fell "
            f"{pct(worst['grr_before'], 1)} -> {pct(worst['grr'], 1)} "
            f"({worst['change_points']:+.1f} points) while the total moved "
            f"{total_change:+.1f}: the total hides a segment in trouble."
        )
        if len(dropped) > 1:
            message += f" {len(dropped) - 1} more group(s) fell as far."
    elif dropped:
        message = (
            f"{len(dropped)} group(s) fell {t.segment_drop_points:g}+ points in {period}, "
            f"but so did the total ({total_change:+.1f} points): a broad decline, not one "
            "segment's."
        )
    else:
        message = (
            f"No group worth {pct(t.segment_min_share)} or more of starting MRR saw its "
            f"{period} fall {t.segment_drop_points:g} points or more (total: "
            f"{total_change:+.1f})."
        )
    return Diagnostic(
        "segment_drop",
        "Segment drop",
        hit,
        message,
        {
            "total_grr_before": total_before,
            "total_grr": total_now,
            "total_change_points": total_change,
            "groups": dropped,
        },
        threshold,
    )


_EMPTY = "Not run: no customers paying at the window's start, so no cohort to judge."


def _early_retention(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """Each of the latest monthly cohorts against all earlier ones at the same early age."""
    age, recent_n, as_of = t.early_age_months, t.early_recent_cohorts, facts["as_of"]
    threshold = {
        "age_months": age,
        "recent_cohorts": recent_n,
        "gap_points_at_least": t.early_gap_points,
        "rule": (
            f"a cohort among the {recent_n} latest monthly ones keeps (GRR: sum min(a, b) "
            f"/ sum a) at least {t.early_gap_points:g} points less at month {age} than all "
            "earlier cohorts together did at that age"
        ),
    }
    cohorts = compute_cohorts(data, metric="grr", grain="month").cohorts
    first = cohorts["cohort_index"][0].as_py() if cohorts.num_rows else None
    at_age = cohorts.filter(
        pc.and_(
            pc.and_(pc.equal(cohorts["age_months"], age), cohorts["complete"]),
            pc.less_equal(pc.add(cohorts["cohort_index"], age), as_of),
        )
    ).sort_by("cohort_index")
    # The first cohort holds everyone already paying when the data starts: not a vintage.
    rows = [r for r in at_age.to_pylist() if r["cohort_index"] != first and r["base_mrr"] > 0]
    if len(rows) < recent_n + 1:
        return Diagnostic(
            "early_retention",
            "Early retention",
            None,
            f"Not run: {len(rows)} monthly cohorts have reached month {age}; comparing "
            f"the {recent_n} latest with earlier ones needs {recent_n + 1}.",
            {"cohorts_at_age": len(rows)},
            threshold,
        )
    recent, older = rows[-recent_n:], rows[:-recent_n]
    base = sum((r["base_mrr"] for r in older), Decimal(0))
    older_grr = float(sum((r["retained_mrr"] for r in older), Decimal(0)) / base)
    found = [
        {
            "cohort": cohort_label(r["cohort_index"], "month"),
            "customers": r["cohort_customers"],
            "grr": r["grr"],
            "gap_points": (older_grr - r["grr"]) * 100,
        }
        for r in recent
    ]
    worse = [f for f in found if f["gap_points"] >= t.early_gap_points]
    hit = bool(worse)
    listed = ", ".join(f"{f['cohort']} {pct(f['grr'], 1)}" for f in found)
    message = (
        f"At month {age}, the latest cohorts keep {listed} of their starting MRR, against "
        f"{pct(older_grr, 1)} for the {len(older)} earlier cohorts at that age"
        + (
            f": {', '.join(f['cohort'] for f in worse)} retain worse early on; look at how "
            "they were sold and onboarded."
            if hit
            else "."
        )
    )
    return Diagnostic(
        "early_retention",
        "Early retention",
        hit,
        message,
        {"older_cohorts": len(older), "older_grr": older_grr, "recent": found},
        threshold,
    )


def _expansion_at_risk(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """The share of the window's expansion from expanders who contracted lately."""
    as_of, window, recent = facts["as_of"], facts["window_months"], t.risk_recent_months
    threshold = {
        "recent_months": recent,
        "share_at_least": t.risk_share_at_least,
        "rule": (
            f"customers whose MRR fell month on month (a contraction) in the last {recent} "
            f"months bring at least {pct(t.risk_share_at_least)} of the window's expansion"
        ),
    }
    months = data.months.capped(as_of)
    pairs = cohort_pairs(data, months, [window])
    expanders = pairs.filter((pairs.as_of == as_of) & (pairs.b > pairs.a))
    table = data.table
    rows = table.filter(table.month_index.between(as_of - recent, as_of)).select(
        "customer_id", "month_index", "mrr"
    )
    previous = rows.select("customer_id", month_index=rows.month_index + 1, previous_mrr=rows.mrr)
    pairs_of_months = rows.join(previous, ["customer_id", "month_index"])
    contracted = (
        pairs_of_months.filter(
            (pairs_of_months.mrr > 0) & (pairs_of_months.mrr < pairs_of_months.previous_mrr)
        )
        .select("customer_id")
        .distinct()
        .mutate(at_risk=True)
    )
    joined = expanders.left_join(contracted, "customer_id")
    risky = joined.at_risk.fill_null(False)
    gained = joined.b - joined.a
    summary = data.con.to_pyarrow(
        joined.aggregate(
            expanders=joined.count(),
            expansion=gained.sum(),
            risky_expanders=risky.sum(),
            risky_expansion=gained.sum(where=risky),
        )
    ).to_pylist()[0]
    expansion = summary["expansion"] or Decimal(0)
    risky_expansion = summary["risky_expansion"] or Decimal(0)
    inputs = {
        "expanders": summary["expanders"],
        "expansion": str(expansion),
        "expanders_contracting": int(summary["risky_expanders"] or 0),
        "expansion_from_contracting": str(risky_expansion),
        "share": float(risky_expansion / expansion) if expansion else None,
    }
    if not expansion:
        return Diagnostic(
            "expansion_at_risk",
            "Expansion at risk",
            None,
            "Not run: no customer expanded in the window.",
            inputs,
            threshold,
        )
    share = inputs["share"]
    hit = share >= t.risk_share_at_least
    message = (
        f"{inputs['expanders_contracting']:,} of {summary['expanders']:,} expanders have "
        f"contracted in the last {recent} months; they bring {pct(share)} of the "
        f"{window}-month expansion" + (": much of the expansion may not last." if hit else ".")
    )
    return Diagnostic("expansion_at_risk", "Expansion at risk", hit, message, inputs, threshold)


def _price_increase_followup(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """Churn and contraction after a price increase, against customers with none (§6)."""
    as_of, later, window = facts["as_of"], t.price_followup_months, facts["window_months"]
    origin = as_of - later
    threshold = {
        "followup_months": later,
        "gap_points_at_least": t.price_followup_gap_points,
        "min_customers": t.price_followup_min_customers,
        "rule": (
            f"customers with a price increase in the {window} months to "
            f"{month_label(origin)} churned or contracted in the {later} months after at a "
            f"rate at least {t.price_followup_gap_points:g} points above customers with none"
        ),
    }
    if origin - window < data.months.first:
        return Diagnostic(
            "price_increase_followup",
            "After price increases",
            None,
            f"Not run: a {window}-month window ending {later} months before "
            f"{month_label(as_of)} starts before the data.",
            {},
            threshold,
        )
    try:
        customers = compute_decomposition(
            data, as_of=month_start(origin), window_months=window
        ).customers
    except InputError as error:
        return Diagnostic(
            "price_increase_followup",
            "After price increases",
            None,
            f"Not run: cannot tell which expansion was price: {error}",
            {},
            threshold,
        )
    paying = customers.filter(pc.greater(customers["ending_mrr"], 0)).select(
        ["customer_id", "ending_mrr", "price_increase"]
    )
    table = data.table
    now = data.con.to_pyarrow(
        table.filter((table.month_index == as_of) & (table.mrr > 0)).select(
            "customer_id", later_mrr="mrr"
        )
    )
    joined = paying.join(now, "customer_id", join_type="left outer")
    later_mrr = pc.fill_null(joined["later_mrr"], pa.scalar(Decimal(0), joined["later_mrr"].type))
    lost = pc.less(later_mrr, joined["ending_mrr"])
    raised = pc.greater(joined["price_increase"], 0)
    groups: dict[str, dict[str, Any]] = {}
    for name, mask in (("price_increase", raised), ("no_price_increase", pc.invert(raised))):
        members = pc.sum(mask.cast(pa.int64())).as_py() or 0
        lost_members = pc.sum(pc.and_(mask, lost).cast(pa.int64())).as_py() or 0
        churned = (
            pc.sum(
                pc.and_(mask, pc.equal(later_mrr, pa.scalar(Decimal(0), later_mrr.type))).cast(
                    pa.int64()
                )
            ).as_py()
            or 0
        )
        groups[name] = {
            "customers": members,
            "churned": churned,
            "contracted": lost_members - churned,
            "churned_or_contracted_rate": lost_members / members if members else None,
        }
    inputs: dict[str, Any] = {"as_of_price_window": month_label(origin), **groups}
    raised_rate = groups["price_increase"]["churned_or_contracted_rate"]
    other_rate = groups["no_price_increase"]["churned_or_contracted_rate"]
    if (
        raised_rate is None
        or other_rate is None
        or groups["price_increase"]["customers"] < t.price_followup_min_customers
    ):
        return Diagnostic(
            "price_increase_followup",
            "After price increases",
            None,
            f"Not run: {groups['price_increase']['customers']} customers had a price increase "
            f"in the {window} months to {month_label(origin)}; at least "
            f"{t.price_followup_min_customers} are needed to compare.",
            inputs,
            threshold,
        )
    gap = (raised_rate - other_rate) * 100
    inputs["gap_points"] = gap
    hit = gap >= t.price_followup_gap_points
    g = groups["price_increase"]
    message = (
        f"Of {g['customers']:,} customers with a price increase in the {window} months to "
        f"{month_label(origin)}, {pct(raised_rate, 1)} churned or contracted in the next "
        f"{later} months ({g['churned']} churned, {g['contracted']} contracted), against "
        f"{pct(other_rate, 1)} of the {groups['no_price_increase']['customers']:,} with none"
        + (": price increases are costing customers." if hit else ".")
    )
    return Diagnostic(
        "price_increase_followup", "After price increases", hit, message, inputs, threshold
    )


#: The early warnings, in the order they are reported (after the rules of ``diagnostics``).
EARLY_WARNINGS: list[Rule] = [
    _grr_trend,
    _segment_drop,
    _early_retention,
    _expansion_at_risk,
    _price_increase_followup,
]
