"""The MRR bridge of several months as one (METRICS.md §2): the report's trailing waterfall.

Over a span of months the opening is the first month's opening MRR, each movement the exact
sum over the months and the closing the last month's closing MRR; because each month closes
and chains into the next, the identity of §2 holds for the span as it does for each month.
Outputs draw and list a span; the adding up happens here, in exact ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from revenue_retention.analyses.summary import MetricsResult
from revenue_retention.errors import OptionError
from revenue_retention.metrics.spec import MOVEMENT_SIGNS, MOVEMENTS

__all__ = ["BridgeSpan", "bridge_span"]

_FX = "fx"


@dataclass(frozen=True)
class BridgeSpan:
    """The bridge of the months ``first`` to ``last`` (month indexes) added up.

    ``amounts`` holds ``opening_mrr``, each movement as the bridge reports it (a positive
    amount whatever its sign) and ``closing_mrr``; ``signs`` the movements in bridge order
    with their sign in the identity.
    """

    first: int
    last: int
    amounts: dict[str, Decimal]
    signs: dict[str, int]

    @property
    def opening(self) -> Decimal:
        return self.amounts["opening_mrr"]

    @property
    def closing(self) -> Decimal:
        return self.amounts["closing_mrr"]

    @property
    def signed(self) -> dict[str, Decimal]:
        """Each movement with its sign in the identity: contraction and churn negative."""
        return {
            name: -self.amounts[name] if sign < 0 and self.amounts[name] else self.amounts[name]
            for name, sign in self.signs.items()
        }

    @property
    def net_change(self) -> Decimal:
        """Closing minus opening: the sum of the signed movements."""
        return self.closing - self.opening

    @property
    def levels(self) -> list[Decimal]:
        """The MRR at the opening and after each movement in turn (the waterfall's steps)."""
        levels = [self.opening]
        for amount in self.signed.values():
            levels.append(levels[-1] + amount)
        return levels


def bridge_span(metrics: MetricsResult, months: int = 1) -> BridgeSpan:
    """The bridge of the last ``months`` months of ``metrics`` as one.

    Raises
    ------
    OptionError
        The data has fewer than ``months`` bridge months (the first month has none).
    """
    rows: list[dict[str, Any]] = metrics.bridge.to_pylist()
    if months < 1 or len(rows) < months:
        raise OptionError(
            "months",
            months,
            f"needs {months} bridge months; the data has {len(rows)} (the first month is "
            "the opening balance and has no bridge row)",
        )
    span = rows[-months:]
    # Each movement's sign in the identity of §2 (+ fx across currencies, docs/metrics.md 1.10).
    signs = {name: MOVEMENT_SIGNS[name] for name in MOVEMENTS}
    if _FX in metrics.bridge.column_names:
        signs[_FX] = 1
    amounts = {"opening_mrr": span[0]["opening_mrr"]}
    amounts |= {name: sum((r[name] for r in span), Decimal(0)) for name in signs}
    amounts["closing_mrr"] = span[-1]["closing_mrr"]
    result = BridgeSpan(span[0]["month_index"], span[-1]["month_index"], amounts, signs)
    if result.levels[-1] != result.closing:
        # Each month closes exactly (§2) and chains into the next: a bug if this fails.
        raise AssertionError(f"bridge does not close over {months} months: {amounts}")
    return result
