"""Slow reference for breakdowns by attribute: plain loops over a dict, Decimal only.

Rows carry a group per (customer, month) row; line items of one customer-month share it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from tests.oracle import add_months, month_range, period_label

SegRow = tuple[str, datetime.date, Decimal, str]


def _tables(
    rows: list[SegRow],
) -> tuple[dict[tuple[str, datetime.date], Decimal], dict[tuple[str, datetime.date], str]]:
    mrr: dict[tuple[str, datetime.date], Decimal] = defaultdict(Decimal)
    group: dict[tuple[str, datetime.date], str] = {}
    for customer, month, amount, g in rows:
        mrr[(customer, month)] += amount
        group[(customer, month)] = g
    return dict(mrr), group


def oracle_retention_by(
    rows: list[SegRow], first: datetime.date, last: datetime.date, window: int
) -> dict[tuple[str, str], dict]:
    """(as_of label, group) -> S, E, churn, contraction, expansion, customers, grr, nrr."""
    mrr, group = _tables(rows)
    customers = sorted({c for c, _ in mrr})
    out: dict[tuple[str, str], dict] = {}
    for end in (
        month_range(add_months(first, window), last) if add_months(first, window) <= last else []
    ):
        start = add_months(end, -window)
        for c in customers:
            a = mrr.get((c, start), Decimal(0))
            if a <= 0:
                continue
            b = mrr.get((c, end), Decimal(0))
            key = (period_label(end), group[(c, start)])
            cell = out.setdefault(
                key,
                {
                    "customers": 0,
                    "starting_mrr": Decimal(0),
                    "ending_mrr": Decimal(0),
                    "churn": Decimal(0),
                    "contraction": Decimal(0),
                    "expansion": Decimal(0),
                    "retained": Decimal(0),
                },
            )
            cell["customers"] += 1
            cell["starting_mrr"] += a
            cell["ending_mrr"] += b
            cell["retained"] += min(a, b)
            if b == 0:
                cell["churn"] += a
            elif b < a:
                cell["contraction"] += a - b
            else:
                cell["expansion"] += b - a
    for cell in out.values():
        cell["grr"] = Fraction(cell["retained"]) / Fraction(cell["starting_mrr"])
        cell["nrr"] = Fraction(cell["ending_mrr"]) / Fraction(cell["starting_mrr"])
    return out


def oracle_bridge_by(
    rows: list[SegRow], first: datetime.date, last: datetime.date
) -> dict[tuple[str, str], dict[str, Decimal]]:
    """(period label, group) -> opening, movements, transfers, closing, for non-empty cells."""
    mrr, group = _tables(rows)
    customers = sorted({c for c, _ in mrr})
    out: dict[tuple[str, str], dict[str, Decimal]] = {}

    def cell(month: datetime.date, g: str) -> dict[str, Decimal]:
        names = (
            "opening_mrr",
            "new",
            "reactivation",
            "expansion",
            "contraction",
            "churn",
            "transfer_in",
            "transfer_out",
            "closing_mrr",
        )
        return out.setdefault((period_label(month), g), {n: Decimal(0) for n in names})

    months = month_range(first, last)
    for prev, month in pairwise(months):
        for c in customers:
            a = mrr.get((c, prev), Decimal(0))
            b = mrr.get((c, month), Decimal(0))
            if a > 0:
                cell(month, group[(c, prev)])["opening_mrr"] += a
            if b > 0:
                cell(month, group[(c, month)])["closing_mrr"] += b
            if a > 0 and b == 0:
                cell(month, group[(c, prev)])["churn"] += a
            elif a == 0 and b > 0:
                paid_before = any(mrr.get((c, m), Decimal(0)) > 0 for m in months if m < prev)
                cell(month, group[(c, month)])["reactivation" if paid_before else "new"] += b
            elif a > 0 and b > 0:
                g_old, g_new = group[(c, prev)], group[(c, month)]
                if g_old != g_new:
                    cell(month, g_old)["transfer_out"] += a
                    cell(month, g_new)["transfer_in"] += a
                target = cell(month, g_new)
                if b > a:
                    target["expansion"] += b - a
                elif b < a:
                    target["contraction"] += a - b
    return out
