"""Slow, obvious Decimal reference for the price / volume / cross-sell split (METRICS.md §6).

Independent of the package: line items in, plain dictionaries out, every step a loop.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from tests.oracle import add_months

Line = tuple[str, datetime.date, str, Decimal, Decimal]
"""(customer_id, first-of-month date, product, quantity, unit_price); MRR = quantity x price."""

ZERO = Decimal(0)
COMPONENTS = (
    "volume_expansion",
    "price_increase",
    "cross_sell",
    "volume_contraction",
    "price_decrease",
    "product_churn",
    "churn",
)


class SeveralPricesError(ValueError):
    """One customer, month and product is billed at more than one unit price."""


def _half(value: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80  # far more digits than any test amount: the halving stays exact
        return value / 2


def _rate(numerator: Decimal, denominator: Decimal) -> Fraction | None:
    return None if denominator == 0 else Fraction(numerator) / Fraction(denominator)


def oracle_decompose(lines: list[Line], as_of: datetime.date, window_months: int) -> dict[str, Any]:
    """Totals, per-item, per-customer and per-product figures of the window ending ``as_of``.

    Raises ``SeveralPricesError`` when a held product has two unit prices in one customer-month.
    """
    start = add_months(as_of, -window_months)
    mrr: dict[tuple[str, datetime.date], Decimal] = defaultdict(lambda: ZERO)
    quantity: dict[tuple[str, datetime.date, str], Decimal] = defaultdict(lambda: ZERO)
    prices: dict[tuple[str, datetime.date, str], set[Decimal]] = defaultdict(set)
    for customer, month, product, q, p in lines:
        mrr[(customer, month)] += q * p
        if q * p > 0:  # a zero line holds nothing
            quantity[(customer, month, product)] += q
            prices[(customer, month, product)].add(p)
    for key, found in prices.items():
        if key[1] in (start, as_of) and len(found) > 1:
            raise SeveralPricesError(key)

    cohort = sorted(c for (c, m), value in mrr.items() if m == start and value > 0)
    items: dict[tuple[str, str], dict[str, Any]] = {}
    customers: dict[str, dict[str, Any]] = {}
    for customer in cohort:
        a, b = mrr[(customer, start)], mrr.get((customer, as_of), ZERO)
        products = sorted({p for (c, m, p) in quantity if c == customer and m in (start, as_of)})
        totals = dict.fromkeys((*COMPONENTS, "change", "volume_effect", "price_effect"), ZERO)
        for product in products:
            q0 = quantity.get((customer, start, product))
            q1 = quantity.get((customer, as_of, product))
            p0 = min(prices[(customer, start, product)]) if q0 is not None else None
            p1 = min(prices[(customer, as_of, product)]) if q1 is not None else None
            m0 = q0 * p0 if q0 is not None and p0 is not None else ZERO
            m1 = q1 * p1 if q1 is not None and p1 is not None else ZERO
            row = dict.fromkeys(("volume", "price", "cross_sell", "product_churn", "churn"), ZERO)
            if q0 is not None and q1 is not None and p0 is not None and p1 is not None:
                row["volume"] = _half((q1 - q0) * (p0 + p1))
                row["price"] = _half((p1 - p0) * (q0 + q1))
                cls = "expansion" if m1 > m0 else "contraction" if m1 < m0 else "flat"
            elif q0 is None:
                row["cross_sell"] = m1
                cls = "cross_sell"
            elif b == 0:
                row["churn"] = m0
                cls = "churn"
            else:
                row["product_churn"] = m0
                cls = "product_churn"
            row |= {
                "q0": q0,
                "p0": p0,
                "q1": q1,
                "p1": p1,
                "starting_mrr": m0,
                "ending_mrr": m1,
                "change": m1 - m0,
                "class": cls,
            }
            items[(customer, product)] = row
            totals["volume_expansion"] += max(row["volume"], ZERO)
            totals["volume_contraction"] += max(-row["volume"], ZERO)
            totals["price_increase"] += max(row["price"], ZERO)
            totals["price_decrease"] += max(-row["price"], ZERO)
            for name in ("cross_sell", "product_churn", "churn", "change"):
                totals[name] += row[name]
            totals["volume_effect"] += row["volume"]
            totals["price_effect"] += row["price"]
        cls = "churn" if b == 0 else "expansion" if b > a else "contraction" if b < a else "flat"
        customers[customer] = totals | {"starting_mrr": a, "ending_mrr": b, "class": cls}

    s = sum((c["starting_mrr"] for c in customers.values()), ZERO)
    e = sum((c["ending_mrr"] for c in customers.values()), ZERO)
    sums = {name: sum((c[name] for c in customers.values()), ZERO) for name in COMPONENTS}
    expansion = sum(
        (
            c["ending_mrr"] - c["starting_mrr"]
            for c in customers.values()
            if c["class"] == "expansion"
        ),
        ZERO,
    )
    contraction = sum(
        (
            c["starting_mrr"] - c["ending_mrr"]
            for c in customers.values()
            if c["class"] == "contraction"
        ),
        ZERO,
    )
    gross_expansion = sums["volume_expansion"] + sums["price_increase"] + sums["cross_sell"]
    totals_out = {
        "customers": len(customers),
        "retained_customers": sum(1 for c in customers.values() if c["ending_mrr"] > 0),
        "starting_mrr": s,
        "ending_mrr": e,
        "expansion": expansion,
        "contraction": contraction,
        **sums,
        "gross_expansion": gross_expansion,
        "gross_contraction": sums["volume_contraction"]
        + sums["price_decrease"]
        + sums["product_churn"],
        "grr": _rate(s - sums["churn"] - contraction, s),
        "nrr": _rate(e, s),
        "nrr_excluding_price": _rate(e - sums["price_increase"], s),
        "price_share_of_expansion": _rate(sums["price_increase"], gross_expansion),
    }

    products: dict[str, dict[str, Any]] = {}
    for (_, product), row in sorted(items.items()):
        out = products.setdefault(
            product,
            {"customers_start": 0, "customers_end": 0}
            | dict.fromkeys(("starting_mrr", "ending_mrr", "change", *COMPONENTS), ZERO),
        )
        out["customers_start"] += row["q0"] is not None
        out["customers_end"] += row["q1"] is not None
        for name in (
            "starting_mrr",
            "ending_mrr",
            "change",
            "cross_sell",
            "product_churn",
            "churn",
        ):
            out[name] += row[name]
        out["volume_expansion"] += max(row["volume"], ZERO)
        out["volume_contraction"] += max(-row["volume"], ZERO)
        out["price_increase"] += max(row["price"], ZERO)
        out["price_decrease"] += max(-row["price"], ZERO)
    return {"totals": totals_out, "items": items, "customers": customers, "products": products}
