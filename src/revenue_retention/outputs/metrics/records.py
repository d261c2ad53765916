"""Result rows as plain records: money as exact decimal strings, months as ``YYYY-MM``."""

from __future__ import annotations

from typing import Any

from revenue_retention.analyses import MetricsResult
from revenue_retention.analyses.uncertainty import METRICS as _CI_METRICS
from revenue_retention.analyses.uncertainty import UncertaintyResult
from revenue_retention.canonical import InputReport
from revenue_retention.money import display_money, format_money
from revenue_retention.periods import month_label

__all__ = [
    "BRIDGE_FIELDS",
    "CI_FIELDS",
    "RETENTION_FIELDS",
    "SPOT_RETENTION_FIELDS",
    "bridge_fields",
    "bridge_records",
    "interval_records",
    "money_by_currency",
    "retention_fields",
    "retention_records",
    "spot_retention_records",
]

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


_TRANSFERS = ("transfer_in", "transfer_out")


def bridge_fields(result: MetricsResult) -> tuple[str, ...]:
    """Bridge columns: with ``--by``, the attributes after ``period`` and the transfers."""
    if "fx" in result.bridge.column_names:
        return (*BRIDGE_FIELDS[:-1], "fx", BRIDGE_FIELDS[-1])
    if not result.by:
        return BRIDGE_FIELDS
    return ("period", "scope", *result.by, *BRIDGE_FIELDS[1:-1], *_TRANSFERS, BRIDGE_FIELDS[-1])


def retention_fields(result: MetricsResult) -> tuple[str, ...]:
    """Retention columns: with ``--by``, ``scope`` and the attributes after ``window_months``."""
    if result.currency is not None:
        basis = (*RETENTION_FIELDS[:3], "currency_basis", *RETENTION_FIELDS[3:])
        return basis if not result.by else (*basis[:2], "scope", *result.by, *basis[2:])
    if not result.by:
        return RETENTION_FIELDS
    return (*RETENTION_FIELDS[:2], "scope", *result.by, *RETENTION_FIELDS[2:])


def bridge_records(result: MetricsResult, groups: bool = True) -> list[dict[str, Any]]:
    """One record per bridge month, in the JSON contract's field order.

    With ``--by``, one record per month and group follows the totals, carrying each
    attribute under its own name and the MRR moved between groups.
    """
    # With --by, "scope" tells totals from groups (a group's value may itself be null).
    total_scope = {"scope": "total"} if result.by and groups else {}
    money = bridge_fields(result)[1:] if "fx" in result.bridge.column_names else _BRIDGE_MONEY
    totals: list[dict[str, Any]] = [
        {"period": month_label(row["month_index"])}
        | total_scope
        | {name: format_money(row[name]) for name in money}
        for row in result.bridge.to_pylist()
    ]
    if result.bridge_by is None or not groups:
        return totals
    money = (*_BRIDGE_MONEY[:-1], *_TRANSFERS, _BRIDGE_MONEY[-1])
    by_group: list[dict[str, Any]] = [
        {"period": month_label(row["month_index"]), "scope": "group"}
        | {name: row[name] for name in result.by}
        | {name: format_money(row[name]) for name in money}
        for row in result.bridge_by.to_pylist()
    ]
    return totals + by_group


def spot_retention_records(result: MetricsResult) -> list[dict[str, Any]]:
    """Across currencies, the retention records at spot rates, each with its FX effect."""
    if result.retention_spot is None:
        return []
    return [
        {
            "as_of": month_label(row["as_of_index"]),
            "window_months": row["window_months"],
            "method": result.method,
            "currency_basis": "spot",
            "customers": row["customers"],
            "retained_customers": row["retained_customers"],
        }
        | {name: format_money(row[name]) for name in (*_RETENTION_MONEY, "fx_effect")}
        | {name: row[name] for name in ("grr", "nrr", "logo_retention")}
        for row in result.retention_spot.to_pylist()
    ]


#: Columns of the spot-rate retention records (several currencies).
SPOT_RETENTION_FIELDS = (
    "as_of",
    "window_months",
    "method",
    "currency_basis",
    "customers",
    "retained_customers",
    *_RETENTION_MONEY,
    "fx_effect",
    "grr",
    "nrr",
    "logo_retention",
)


def retention_records(result: MetricsResult, groups: bool = True) -> list[dict[str, Any]]:
    """One record per (as-of month, window), in the JSON contract's field order.

    With ``--by``, one record per (as-of month, window, group) follows the totals, each
    attribute under its own name; a customer counts in its group at the window's start.
    """
    by_group = result.retention_by if groups and result.retention_by is not None else None
    total_scope = {"scope": "total"} if by_group is not None else {}
    return [
        {
            "as_of": month_label(row["as_of_index"]),
            "window_months": row["window_months"],
        }
        | total_scope
        | {"method": result.method}
        | (
            {"currency_basis": result.currency["retention_basis"]}
            if result.currency is not None
            else {}
        )
        | {
            "customers": row["customers"],
            "retained_customers": row["retained_customers"],
        }
        | {name: format_money(row[name]) for name in _RETENTION_MONEY}
        | {name: row[name] for name in ("grr", "nrr", "logo_retention")}
        for row in result.retention.to_pylist()
    ] + [
        {
            "as_of": month_label(row["as_of_index"]),
            "window_months": row["window_months"],
            "scope": "group",
        }
        | {name: row[name] for name in result.by}
        | {
            "method": result.method,
            "customers": row["customers"],
            "retained_customers": row["retained_customers"],
        }
        | {name: format_money(row[name]) for name in _RETENTION_MONEY}
        | {name: row[name] for name in ("grr", "nrr", "logo_retention")}
        for row in (by_group.to_pylist() if by_group is not None else [])
    ]


#: Keys a cohort-method retention record gains with ``--ci`` (METRICS.md §7, small base).
CI_FIELDS = (
    "grr_low",
    "grr_high",
    "nrr_low",
    "nrr_high",
    "logo_retention_low",
    "logo_retention_high",
    "ci_level",
)


def interval_records(
    records: list[dict[str, Any]], intervals: UncertaintyResult
) -> list[dict[str, Any]]:
    """The retention records, each cohort-method one with its bootstrap interval keys.

    Only records whose (as-of month, window) has an interval in ``intervals`` get the
    ``CI_FIELDS``; the others are returned as they are.
    """
    by_key = {(month_label(c.as_of), c.window_months): c for c in intervals.cohorts}
    out = []
    for record in records:
        cohort = by_key.get((record["as_of"], record["window_months"]))
        if cohort is None or record.get("method") != "cohort":
            out.append(record)
            continue
        extra: dict[str, Any] = {}
        for metric in _CI_METRICS:
            interval = cohort.rate(metric)
            extra[f"{metric}_low"] = interval.low
            extra[f"{metric}_high"] = interval.high
        out.append(record | extra | {"ci_level": intervals.level})
    return out


def money_by_currency(report: InputReport) -> tuple[list[dict[str, str]], str] | None:
    """Money read per currency, and the accepted money converted (labelled), for people.

    None unless several currencies were read: their amounts are never added up as one.
    Each record has ``currency``, ``read``, ``accepted``, ``rejected`` (display strings);
    the second item says what the converted total is, e.g. ``accepted in USD at each
    row's first-month rate: 15,003.72``.
    """
    c = report.currency
    if c is None or not c["converted"]:
        return None
    lines = [
        {
            "currency": str(code),
            **{name: display_money(money[name]) for name in ("read", "accepted", "rejected")},
        }
        for code, money in c["money_by_currency"].items()
    ]
    total = (
        f"accepted in {c['reporting_currency']} at each row's first-month rate: "
        f"{display_money(c.get('money_accepted_converted'))}"
    )
    return lines, total


#: The fields of the churn-by-reason records (``--format json``: ``churn_reasons``).
CHURN_REASON_FIELDS = (
    "period",
    "churn",
    "churn_voluntary",
    "churn_involuntary",
    "churn_paused",
    "churn_unexplained",
    "churned_customers",
    "customers_voluntary",
    "customers_involuntary",
    "customers_paused",
    "customers_unexplained",
    "churn_excluding_paused",
    "reactivation",
    "reactivation_resumed",
    "reactivation_excluding_resumed",
)


def churn_reason_records(result: MetricsResult) -> list[dict[str, Any]]:
    """One record per bridge month: its churn by reason (empty without a reason column)."""
    if result.churn_reasons is None:
        return []
    return [
        {"period": month_label(row["month_index"])}
        | {
            name: row[name]
            if name.startswith(("churned_", "customers_"))
            else format_money(row[name])
            for name in CHURN_REASON_FIELDS[1:]
        }
        for row in result.churn_reasons.to_pylist()
    ]
