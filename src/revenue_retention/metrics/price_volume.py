"""Price, volume and cross-sell: what a window's expansion is made of (METRICS.md §6).

Expressions over the line items of one window's cohort at its start (0) and end (1):
per customer and product, the volume and price effects, cross-sell and product churn;
per customer, their sums; for the cohort, the §3 totals with their §6 components.
Nothing here runs a query: ``analyses/decompose.py`` validates the lines, runs these and
checks the identities.
"""

from __future__ import annotations

from decimal import Decimal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from revenue_retention.metrics.spec import grr, nrr, rate, window_class, window_totals
from revenue_retention.money import MONEY, zero

__all__ = [
    "COMPONENTS",
    "CUSTOMER_CLASSES",
    "EFFECT",
    "EFFECT_FIELDS",
    "ITEM_CLASSES",
    "component_sums",
    "customer_effects",
    "decomposition_totals",
    "line_item_effects",
    "nrr_excluding_price",
    "price_effect",
    "price_share_of_expansion",
    "volume_effect",
]

#: Scale of volume and price effects. Quantities and prices have at most 6 places, so
#: (q1 - q0) * (p0 + p1) has at most 12 and halving it adds one: 13 places hold every
#: effect exactly, which is what makes volume + price = q1 p1 - q0 p0 exact (§6).
EFFECT = dt.Decimal(precision=38, scale=13)
_HALF = ibis.literal(Decimal("0.5"), type=dt.Decimal(precision=2, scale=1))
#: Class of one (customer, product) row.
ITEM_CLASSES = ("expansion", "contraction", "flat", "cross_sell", "product_churn", "churn")
#: Class of a cohort customer by its own net change (§3).
CUSTOMER_CLASSES = ("expansion", "flat", "contraction", "churn")
#: Component sums, each >= 0: increases first, then decreases (§6).
INCREASES = ("volume_expansion", "price_increase", "cross_sell")
DECREASES = ("volume_contraction", "price_decrease", "product_churn", "churn")
COMPONENTS = INCREASES + DECREASES
#: Sums of volume or price effects, which carry the effects' scale.
EFFECT_FIELDS = frozenset(
    {
        "volume_expansion",
        "price_increase",
        "volume_contraction",
        "price_decrease",
        "volume_effect",
        "price_effect",
    }
)


def volume_effect(
    q0: ir.NumericValue, q1: ir.NumericValue, p0: ir.NumericValue, p1: ir.NumericValue
) -> ir.DecimalValue:
    """Defines: volume effect = (q1 - q0) * (p0 + p1) / 2 (METRICS.md §6).

    The engine multiplies 6-place decimals exactly (12 places) and x 0.5 adds one place:
    the cast to ``EFFECT`` only names the type, it never rounds.
    """
    return ((q1 - q0) * (p0 + p1) * _HALF).cast(EFFECT)


def price_effect(
    q0: ir.NumericValue, q1: ir.NumericValue, p0: ir.NumericValue, p1: ir.NumericValue
) -> ir.DecimalValue:
    """Defines: price effect = (p1 - p0) * (q0 + q1) / 2 (METRICS.md §6).

    With ``volume_effect``: volume + price = q1 p1 - q0 p0, exactly.
    """
    return ((p1 - p0) * (q0 + q1) * _HALF).cast(EFFECT)


def line_item_effects(lines: ir.Table, pairs: ir.Table, start: int, end: int) -> ir.Table:
    """Defines: cross-sell (METRICS.md §6).
    Defines: product churn, contraction or churn if the last product (METRICS.md §6).

    One row per cohort customer and product held at either end of the window, with its
    components. ``lines``: the cohort's line items of the two months (``customer_id,
    month_index, product, quantity, unit_price, mrr``); ``pairs``: the cohort
    (``customer_id, a, b``). A product is *held* when its MRR is > 0 (as a customer is
    *paying*, §1). Held at both ends: volume and price effects; only at the end:
    cross-sell q1 p1; only at the start: q0 p0 is product churn, or churn when the
    customer pays nothing at the end.
    """
    held = lines.filter(lines.mrr > 0)
    at_start = held.month_index == start
    at_end = held.month_index == end
    per = held.group_by("customer_id", "product").agg(
        q0=held.quantity.sum(where=at_start).cast(MONEY),
        p0=held.unit_price.max(where=at_start).cast(MONEY),
        m0=held.mrr.sum(where=at_start).cast(MONEY),
        q1=held.quantity.sum(where=at_end).cast(MONEY),
        p1=held.unit_price.max(where=at_end).cast(MONEY),
        m1=held.mrr.sum(where=at_end).cast(MONEY),
    )
    per = per.join(pairs, "customer_id")
    none = ibis.literal(Decimal(0), type=EFFECT)
    had, has = per.q0.notnull(), per.q1.notnull()
    both = had & has
    m0, m1 = per.m0.fill_null(zero()), per.m1.fill_null(zero())
    dropped = ibis.ifelse(has, zero(), m0)
    churned = per.b == 0
    return per.select(
        "customer_id",
        "product",
        "q0",
        "p0",
        "q1",
        "p1",
        starting_mrr=m0,
        ending_mrr=m1,
        change=(m1 - m0).cast(MONEY),
        volume=ibis.ifelse(both, volume_effect(per.q0, per.q1, per.p0, per.p1), none),
        price=ibis.ifelse(both, price_effect(per.q0, per.q1, per.p0, per.p1), none),
        cross_sell=ibis.ifelse(had, zero(), m1),
        product_churn=ibis.ifelse(churned, zero(), dropped),
        churn=ibis.ifelse(churned, dropped, zero()),
        item_class=ibis.cases(
            (~had, "cross_sell"),
            (~has & churned, "churn"),
            (~has, "product_churn"),
            (m1 > m0, "expansion"),
            (m1 < m0, "contraction"),
            else_="flat",
        ),
    )


def component_sums(t: ir.Table) -> dict[str, ir.Value]:
    """Defines: expansion = volume expansion + price increase + cross-sell (METRICS.md §6).

    The six component sums of §6 (each >= 0; ``churn`` too) and the signed effects, over
    ``t``'s rows (``line_item_effects`` rows, or customers' sums of them).
    """
    none = ibis.literal(Decimal(0), type=EFFECT)
    return {
        "volume_expansion": t.volume.sum(where=t.volume > 0).cast(EFFECT).fill_null(none),
        "price_increase": t.price.sum(where=t.price > 0).cast(EFFECT).fill_null(none),
        "cross_sell": t.cross_sell.sum().cast(MONEY).fill_null(zero()),
        "volume_contraction": (-t.volume).sum(where=t.volume < 0).cast(EFFECT).fill_null(none),
        "price_decrease": (-t.price).sum(where=t.price < 0).cast(EFFECT).fill_null(none),
        "product_churn": t.product_churn.sum().cast(MONEY).fill_null(zero()),
        "churn": t.churn.sum().cast(MONEY).fill_null(zero()),
        "volume_effect": t.volume.sum().cast(EFFECT).fill_null(none),
        "price_effect": t.price.sum().cast(EFFECT).fill_null(none),
        "change": t.change.sum().cast(MONEY).fill_null(zero()),
    }


def customer_effects(items: ir.Table, pairs: ir.Table) -> ir.Table:
    """One row per cohort customer: a, b, its §3 class and its §6 components."""
    both = items.q0.notnull() & items.q1.notnull()
    per = items.group_by("customer_id").agg(
        products_start=items.q0.notnull().sum(),
        products_end=items.q1.notnull().sum(),
        # Rows whose volume + price is not their change: always 0 unless there is a bug.
        inexact_items=(both & (items.volume + items.price != items.change.cast(EFFECT))).sum(),
        **component_sums(items),
    )
    joined = pairs.left_join(per, "customer_id")
    none = ibis.literal(Decimal(0), type=EFFECT)
    a, b = joined.a, joined.b
    return joined.select(
        customer_id=joined.customer_id,
        starting_mrr=a,
        ending_mrr=b,
        customer_class=window_class(a, b),
        products_start=joined.products_start.fill_null(0),
        products_end=joined.products_end.fill_null(0),
        inexact_items=joined.inexact_items.fill_null(0),
        **{
            name: joined[name].fill_null(none if name in EFFECT_FIELDS else zero())
            for name in (*COMPONENTS, "volume_effect", "price_effect", "change")
        },
    )


def decomposition_totals(customers: ir.Table) -> dict[str, ir.Value]:
    """The window's §3 totals, their §6 components and rates, as aggregations.

    Over ``customer_effects`` rows. The §3 churn is ``churn_s3`` (``churn`` is the §6
    component: the same amount, checked by the caller), and ``inexact_items`` /
    ``inexact_customers`` count rows whose parts do not add up: always 0 unless there
    is a bug.
    """
    c = customers
    a, b = c.starting_mrr, c.ending_mrr
    window = window_totals(c, a, b)
    s, e = window["starting_mrr"].cast(MONEY), window["ending_mrr"].cast(MONEY)
    churn = window["churn"].cast(MONEY).fill_null(zero())
    contraction = window["contraction"].cast(MONEY).fill_null(zero())
    sums = {name: c[name].sum() for name in COMPONENTS}
    parts = (
        c.volume_effect
        + c.price_effect
        + c.cross_sell.cast(EFFECT)
        - c.product_churn.cast(EFFECT)
        - c.churn.cast(EFFECT)
    )
    inexact = (c.change != (b - a).cast(MONEY)) | (parts != c.change.cast(EFFECT))
    gross_expansion = sums["volume_expansion"] + sums["price_increase"] + sums["cross_sell"]
    return {
        "customers": window["customers"],
        "retained_customers": window["retained_customers"],
        "starting_mrr": s,
        "ending_mrr": e,
        "expansion": window["expansion"].cast(MONEY),
        "contraction": contraction,
        "churn_s3": churn,
        **sums,
        "grr": grr(s, churn, contraction),
        "nrr": nrr(e, s),
        "nrr_excluding_price": nrr_excluding_price(e, sums["price_increase"], s),
        "price_share_of_expansion": price_share_of_expansion(
            sums["price_increase"], gross_expansion
        ),
        "inexact_items": c.inexact_items.sum(),
        "inexact_customers": inexact.sum(),
    }


def nrr_excluding_price(
    ending: ir.NumericValue, price_increase: ir.NumericValue, starting: ir.NumericValue
) -> ir.FloatingValue:
    """Defines: NRR excluding price increases = (E - positive price effect) / S (METRICS.md §6)."""
    return rate(ending - price_increase, starting)


def price_share_of_expansion(
    price_increase: ir.NumericValue, gross_expansion: ir.NumericValue
) -> ir.FloatingValue:
    """The share of §6 expansion that is price increases (the input of §7 borrowed loyalty)."""
    return rate(price_increase, gross_expansion)
