"""What each column of the workbook holds, from its JSON field name: month, money, rate ..."""

from __future__ import annotations

import enum
import re

from revenue_retention.outputs.metrics.records import BRIDGE_FIELDS
from revenue_retention.outputs.units import mrr_name

__all__ = ["Kind", "kind_of"]


class Kind(enum.Enum):
    """How a column is written: its cell type and number format."""

    TEXT = enum.auto()
    MONTH = enum.auto()
    MONEY = enum.auto()
    RATE = enum.auto()
    #: A difference of two rates, signed.
    POINTS = enum.auto()
    COUNT = enum.auto()
    #: An exact decimal that is not money (a quantity).
    DECIMAL = enum.auto()
    #: A concentration index between 0 and 1.
    INDEX = enum.auto()


# What the commands' JSON fields hold, by name; a table where a name means something else
# says so (month_of_year's movements are shares, not money). Other fields are written by
# their value's type: text, whole numbers, floats, booleans.
_MONTHS = frozenset(
    [
        "period",
        "as_of",
        "start",
        "cohort",
        "cohort_month",
        "first_payment_from",
        "first_payment_to",
        "first_month",
        "last_month",
        "data_last_month",
        "year_earlier_as_of",
    ]
)
_MONEY = frozenset(
    [
        *BRIDGE_FIELDS[1:],
        "transfer_in",
        "transfer_out",
        "starting_mrr",
        "ending_mrr",
        "annual_starting_mrr",
        "base_mrr",
        "mrr",
        "retained_mrr",
        "start_mrr",
        "end_mrr",
        "change",
        "amount",
        "expansion_removed",
        "cumulative_mrr",
        "net_change",
        "volume_effect",
        "price_effect",
        "volume_expansion",
        "price_increase",
        "cross_sell",
        "gross_expansion",
        "volume_contraction",
        "price_decrease",
        "product_churn",
        "gross_contraction",
        "money_read",
        "money_accepted",
        "money_rejected",
        "money_spread_residual",
        "latest_month",
    ]
)
_RATES = frozenset(
    [
        "value",
        "median",
        "nrr_excluding_price",
        "price_share_of_expansion",
        "share_of_starting_mrr",
        "share_of_expansion",
        "customer_share",
        "mrr_share",
        "quarterly_spread",
        "annual_spread",
        "threshold",
        "year_earlier",
        "ci_low",
        "ci_high",
        "ci_level",
    ]
)
_RATE_PREFIXES = ("grr", "nrr", "logo_retention", "annual_grr", "annual_nrr")
_OTHER = {"herfindahl": Kind.INDEX, "quantity_start": Kind.DECIMAL, "quantity_end": Kind.DECIMAL}


def kind_of(name: str) -> Kind | None:
    """A column's kind from its JSON field name; None: from each value's type."""
    if name in _OTHER:
        return _OTHER[name]
    if name in _MONTHS:
        return Kind.MONTH
    if name in _MONEY:
        return Kind.MONEY
    base, _, currency = name.partition(" ")
    if base in _MONEY and re.fullmatch(r"(in )?[A-Z]{3}", currency):
        return Kind.MONEY  # money read, accepted ... of one currency ("money_read EUR")
    if name.endswith("_vs_cohort") or name == "change_vs_year_earlier":
        return Kind.POINTS
    if name in _RATES or name.startswith(_RATE_PREFIXES):
        return Kind.RATE
    if (mrr := mrr_name(name)) != name:
        return kind_of(mrr)  # a field named in ARR (``closing_arr``): the MRR field's kind
    return None
