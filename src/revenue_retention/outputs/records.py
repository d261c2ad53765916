"""Result rows as plain records: money as exact decimal strings, months as ``YYYY-MM``."""

from __future__ import annotations

from typing import Any

from revenue_retention.analyses import MetricsResult
from revenue_retention.money import format_money
from revenue_retention.periods import month_label

__all__ = ["BRIDGE_FIELDS", "RETENTION_FIELDS", "bridge_records", "retention_records"]

BRIDGE_FIELDS = (
    "period",
    "opening_mrr",
    "new",
    "reactivation",
    "expansion",
    "contraction",
    "churn",
    "closing_mrr",
)
RETENTION_FIELDS = (
    "as_of",
    "window_months",
    "method",
    "customers",
    "retained_customers",
    "starting_mrr",
    "churn",
    "contraction",
    "expansion",
    "ending_mrr",
    "grr",
    "nrr",
    "logo_retention",
)
_BRIDGE_MONEY = BRIDGE_FIELDS[1:]
_RETENTION_MONEY = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")


def bridge_records(result: MetricsResult) -> list[dict[str, Any]]:
    """One record per bridge month, in the JSON contract's field order."""
    return [
        {"period": month_label(row["month_index"])}
        | {name: format_money(row[name]) for name in _BRIDGE_MONEY}
        for row in result.bridge.to_pylist()
    ]


def retention_records(result: MetricsResult) -> list[dict[str, Any]]:
    """One record per (as-of month, window), in the JSON contract's field order."""
    return [
        {
            "as_of": month_label(row["as_of_index"]),
            "window_months": row["window_months"],
            "method": result.method,
            "customers": row["customers"],
            "retained_customers": row["retained_customers"],
        }
        | {name: format_money(row[name]) for name in _RETENTION_MONEY}
        | {name: row[name] for name in ("grr", "nrr", "logo_retention")}
        for row in result.retention.to_pylist()
    ]
