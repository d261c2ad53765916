"""What to do first: the lever that matters most for this business, from stated rules (§7).

METRICS.md §7 and the articles behind it: below about 85% GRR, fix the leak (expansion
on a leaking base has to work every year just to stand still); above about 90%, the base
holds, so focus on expansion; in between, retention still comes first where it leaks,
then expansion. The rule, its thresholds and the rates it read travel with the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["FIX_LEAK_BELOW", "FOCUS_EXPANSION_ABOVE", "Advice", "what_to_do_first"]

#: GRR below this: fix the leak (the weak band's edge, §7).
FIX_LEAK_BELOW = 0.85
#: GRR above this: focus on expansion (the strong band's edge, §7).
FOCUS_EXPANSION_ABOVE = 0.90


@dataclass(frozen=True)
class Advice:
    """The first lever to pull (``lever``: ``fix_the_leak``, ``retention_then_expansion``
    or ``focus_on_expansion``), in words, with the rates and thresholds it follows from."""

    lever: str
    text: str
    inputs: dict[str, Any]
    threshold: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "lever": self.lever,
            "text": self.text,
            "inputs": dict(self.inputs),
            "threshold": dict(self.threshold),
        }


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _rate(value: float) -> str:
    # One place: 99.6% must not read as 100%, nor 84.6% as the 85% edge.
    return f"{value * 100:.1f}%"


def what_to_do_first(
    grr: float | None,
    nrr: float | None,
    *,
    window_months: int = 12,
    fix_leak_below: float = FIX_LEAK_BELOW,
    focus_expansion_above: float = FOCUS_EXPANSION_ABOVE,
) -> Advice | None:
    """The "what to do first" line for a window's GRR and NRR (``None`` without a GRR).

    >>> print(what_to_do_first(0.78, 1.10).text)
    Fix the leak first: 12-month GRR is 78.0%, below 85%, so the base loses 22.0% of its \
revenue a year and expansion (NRR 110.0%) is papering over it; cut churn and contraction \
before pushing expansion.
    >>> what_to_do_first(0.93, 1.04).lever
    'focus_on_expansion'
    """
    if grr is None:
        return None
    threshold = {
        "fix_the_leak_grr_below": fix_leak_below,
        "focus_on_expansion_grr_above": focus_expansion_above,
        "rule": (
            f"GRR below {_pct(fix_leak_below)}: fix the leak; above "
            f"{_pct(focus_expansion_above)}: focus on expansion; in between: retention "
            "first where it leaks, then expansion (METRICS.md section 7)"
        ),
    }
    inputs = {"grr": grr, "nrr": nrr, "window_months": window_months}
    rate = f"{window_months}-month GRR is {_rate(grr)}"
    nrr_text = f"NRR {_rate(nrr)}" if nrr is not None else "NRR unknown"
    if grr < fix_leak_below:
        lever = "fix_the_leak"
        covered = nrr is not None and nrr >= 1
        text = (
            f"Fix the leak first: {rate}, below {_pct(fix_leak_below)}, so the base loses "
            f"{_rate(1 - grr)} of its revenue a year"
            + (
                f" and expansion ({nrr_text}) is papering over it"
                if covered
                else f" and expansion does not make up for it ({nrr_text})"
            )
            + "; cut churn and contraction before pushing expansion."
        )
    elif grr > focus_expansion_above:
        lever = "focus_on_expansion"
        text = (
            f"Focus on expansion: {rate}, above {_pct(focus_expansion_above)}, so the base "
            f"holds its revenue; growth from it ({nrr_text}) comes from upsell, cross-sell "
            "and pricing."
        )
    else:
        lever = "retention_then_expansion"
        text = (
            f"Retention first, then expansion: {rate}, between {_pct(fix_leak_below)} and "
            f"{_pct(focus_expansion_above)}; closing the leak where it is largest (the "
            f"weakest segment, the latest cohorts) adds more than expansion ({nrr_text}) "
            "until GRR is above "
            f"{_pct(focus_expansion_above)}."
        )
    return Advice(lever, text, inputs, threshold)
