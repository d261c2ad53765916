"""The report's searchable customer table: what the page's script reads (``report.js``).

Each customer is one compact record (latest MRR, first paying month, last movement,
attributes) with its timeline: every month it paid or churned in, with its MRR, movement
and amount, as ``retention explain --customer`` shows it. Amounts are the exact display
strings; the page only filters and shows them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from revenue_retention.analyses.customers import NO_MOVEMENT, CustomerDirectory
from revenue_retention.money import display_money
from revenue_retention.periods import month_label

__all__ = ["directory_payload"]


def directory_payload(directory: CustomerDirectory, attributes: tuple[str, ...]) -> dict[str, Any]:
    """``{"attributes", "total", "shown", "customers": [{id, mrr, first, move, moved,
    attrs, months: [[period, mrr, movement, amount], ...]}]}`` for the page."""
    timelines: dict[str, list[list[str]]] = defaultdict(list)
    for row in directory.months.to_pylist():
        movement = "" if row["movement"] == NO_MOVEMENT else row["movement"]
        amount = "" if not movement else display_money(row["amount"])
        timelines[row["customer_id"]].append(
            [month_label(row["month_index"]), display_money(row["mrr"]), movement, amount]
        )
    customers = []
    for row in directory.customers.to_pylist():
        moved = row["last_movement_month"]
        customers.append(
            {
                "id": str(row["customer_id"]),
                "mrr": display_money(row["mrr"]),
                "first": month_label(row["first_month"]) if row["first_month"] is not None else "",
                "move": row["last_movement"] or "",
                "moved": month_label(moved) if moved is not None else "",
                "attrs": ["" if row[a] is None else str(row[a]) for a in attributes],
                "months": timelines.get(row["customer_id"], []),
            }
        )
    return {
        "attributes": list(attributes),
        "total": directory.total,
        "shown": len(customers),
        "customers": customers,
    }
