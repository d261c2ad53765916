"""The input report: what was read, accepted and rejected, the months, and the warnings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis.expr.types as ir

from revenue_retention.canonical import currency, fx, notices
from revenue_retention.canonical.columns import ColumnMap
from revenue_retention.canonical.counts import Counts
from revenue_retention.canonical.dataset import InputReport
from revenue_retention.canonical.fx_setup import FxSetup
from revenue_retention.canonical.grouped import ID, repeat_suspects
from revenue_retention.canonical.observed import observed_month, observed_warnings
from revenue_retention.canonical.options import OnBadRows
from revenue_retention.canonical.parse import text_of
from revenue_retention.canonical.rejected import Locator, examples, rejects_table
from revenue_retention.canonical.shaped import Shaped
from revenue_retention.canonical.validate import ID_PREFIX
from revenue_retention.errors import BadRowsError, InputError, NoValidRowsError
from revenue_retention.inputs import Raw
from revenue_retention.money import format_money
from revenue_retention.periods import MonthRange, month_index_of

__all__ = ["Months", "input_report", "read_warnings", "refuse", "rejects"]


class Months:
    """The months of the data and those analysed, and the month the data was taken in."""

    def __init__(self, shaped: Shaped, counts: Counts, as_of: int | None) -> None:
        first, last = counts.first, counts.last
        assert first is not None and last is not None  # some row was accepted
        snapshot = shaped.snapshot
        ends_are_events = shaped.layout.ends_are_events(shaped.cmap, counts)
        observed = observed_month(counts.observed, snapshot, first, not ends_are_events)
        if ends_are_events and observed is not None:
            last = max(last, observed)  # open subscriptions were running when it was taken
        self.data = MonthRange(first, last)
        self.observed = observed
        self.warnings = observed_warnings(counts.observed, observed, last, as_of, snapshot)
        default = observed if as_of is None and observed is not None else None
        self.analysed = self.data.capped(as_of if as_of is not None else default)


def read_warnings(shaped: Shaped, accepted: ir.Table) -> list[str]:
    """What the reading itself noticed: roles, readings, currency, values, the source."""
    raw, cmap = shaped.raw, shaped.cmap
    warnings: list[str] = [*notices.roles_read(cmap), *raw.warnings, *shaped.readings.notes]
    warnings += [*_rule_warnings(raw, cmap), *notices.amount_name(cmap)]
    warnings += shaped.currency.notes if shaped.currency is not None else ()
    warnings += shaped.layout.value_warnings(accepted, cmap)
    warnings += shaped.layout.source_warnings(raw, cmap)
    if cmap.ignored:
        warnings.append(
            f"total column(s) not read: {', '.join(map(repr, cmap.ignored))} "
            "(a cube's months are read one by one)"
        )
    return warnings


def input_report(
    shaped: Shaped,
    rows: ir.Table,
    counts: Counts,
    groups: ir.Table | None,
    table: ir.Table,
    months: Months,
    as_of: int | None,
    warnings: list[str],
    residual: Decimal | None,
) -> InputReport:
    """The report of the load: ``warnings`` so far, and those of the canonical table."""
    raw, cmap = shaped.raw, shaped.cmap
    accepted = rows.filter(rows._rr_reason.isnull())
    renamed = [f"{src!r} as {name!r}" for src, name in cmap.renamed.items()]
    warnings = [*warnings]
    warnings += notices.id_twins(table) if _ids_may_clash(raw, cmap, groups, counts) else ()
    warnings += _repeats(shaped, accepted, table, counts, groups)
    warnings += shaped.layout.table_warnings(table)
    if renamed:
        warnings.append(
            "attribute columns kept under another name, as the tool uses theirs: "
            f"{', '.join(renamed)}"
        )
    setup = shaped.fx
    return InputReport(
        warnings=tuple(warnings),
        path=raw.path,
        adapter=raw.adapter,
        layout=cmap.layout,
        columns=shaped.layout.columns_read(cmap),
        attributes=cmap.attributes,
        snapshot=shaped.snapshot,
        rows_read=counts.rows_read,
        rows_accepted=counts.rows_accepted,
        rows_rejected=counts.rejected,
        rejected_by_reason=dict(counts.by_reason),
        money_read=counts.money_read,
        money_accepted=counts.money_accepted,
        money_rejected=counts.money_rejected,
        rows_without_amount=counts.rows_without_amount,
        data_months=months.data,
        months=months.analysed,
        as_of=as_of,
        currency=(
            _currency_report(
                setup, counts, shaped, _accepted_converted(accepted, shaped, months.data)
            )
            if setup is not None
            else _named_currency(shaped.currency, counts)
        ),
        excluded=_excluded(accepted) if cmap.rules else None,
        money_spread_residual=residual,
        observed_through=counts.observed,
        observed_month=months.observed,
        lines=raw.account.to_dict() if raw.account is not None else None,
    )


def _ids_may_clash(raw: Raw, cmap: ColumnMap, groups: ir.Table | None, counts: Counts) -> bool:
    """Whether two ids of the source may fold to the same one (``notices.id_twins``)."""
    if groups is None:
        return notices.ids_may_clash(raw.fast[cmap.roles["customer_id"]])
    # Twins differ only by case or spaces: one of them changes when folded.
    return bool(counts.folding_ids) and notices.ids_may_clash(groups.customer_id)


def _repeats(
    shaped: Shaped,
    accepted: ir.Table,
    table: ir.Table,
    counts: Counts,
    groups: ir.Table | None,
) -> list[str]:
    """Rows repeated value for value, and subscription periods that overlap: both add up."""
    # Every value read, and the ids: two subscriptions of one account with the same dates
    # and amount differ in their subscription id, and are not repeats.
    values = [c for c in accepted.columns if not c.startswith("_rr_") or c.startswith(ID_PREFIX)]
    own = shaped.layout.repeats(shaped.raw, accepted, values, shaped.snapshot)
    if own is not None:
        return own
    if groups is not None:
        if not counts.repeat_suspects:
            return []  # every customer-month's rows differ (or it has one row)
        accepted = _suspected(accepted, groups)
    elif shaped.layout.one_row_per_month() and _one_row_each(table, counts):
        return []  # one row per customer-month (the canonical table has as many)
    return notices.duplicate_rows(accepted, values)


def _one_row_each(table: ir.Table, counts: Counts) -> bool:
    return bool(table.count().to_pyarrow().as_py() == counts.rows_accepted)


def _suspected(accepted: ir.Table, groups: ir.Table) -> ir.Table:
    """Only the rows of the customer-months that may hold a repeat (``grouped``)."""
    suspects = repeat_suspects(groups)
    keyed = accepted.mutate(
        _rr_key=accepted[ID] if ID in accepted.columns else accepted.customer_id,
        _rr_month_index=month_index_of(accepted.month),
    )
    return keyed.semi_join(
        suspects,
        (keyed._rr_key == suspects.customer_id) & (keyed._rr_month_index == suspects.month_index),
    )


def _excluded(accepted: ir.Table) -> dict[str, dict[str, Any]]:
    """Valid rows that carry no recurring revenue, by why: rows and money as billed."""
    rows = accepted.filter(accepted._rr_excluded.notnull())
    found = rows.group_by(why=rows._rr_excluded).agg(rows=rows.count(), money=rows._rr_amount.sum())
    return {
        r["why"]: {"rows": r["rows"], "money": format_money(r["money"] or Decimal(0))}
        for r in sorted(found.to_pyarrow().to_pylist(), key=lambda r: r["why"])
    }


def _rule_warnings(raw: Raw, cmap: ColumnMap) -> list[str]:
    """What an export's rules cannot see: coupons named without their value."""
    if "coupon" not in cmap.roles or {"percent_off", "amount_off"} & set(cmap.roles):
        return []
    coupon = text_of(raw.table[cmap.roles["coupon"]])
    used = raw.table.filter(coupon.notnull()).count().to_pyarrow().as_py()
    if not used:
        return []
    return [
        f"{used} subscriptions name a coupon ({cmap.roles['coupon']!r}) but the export has no "
        "Percent Off or Amount Off column: their MRR is before discounts. The invoice line "
        "items export carries the discount amounts."
    ]


def _accepted_converted(
    accepted: ir.Table, shaped: Shaped, data_months: MonthRange
) -> Decimal | None:
    """Money accepted in the reporting currency: each row at its first month's rate.

    Every accepted row has a rate by its first month (``Shaped.fx_checked``), so this
    converts all of it; None when no amount needs converting.
    """
    setup = shaped.fx
    if setup is None or not setup.active:
        return None
    rates = fx.spine_rates(
        setup.rates, setup.fixed, setup.reporting, setup.currencies, data_months.months
    )
    rows = accepted.mutate(_first=shaped.layout.span(accepted, shaped.snapshot)[0])
    joined = rows.join(
        rates, (rows.currency == rates.currency) & (rows._first == rates.month_index)
    )
    total = fx.convert(joined._rr_amount, joined.rate).sum()
    return total.to_pyarrow().as_py() or Decimal(0)


def _currency_report(
    setup: FxSetup, counts: Counts, shaped: Shaped, converted: Decimal | None
) -> dict[str, Any]:
    by_currency = {
        code: {name: format_money(value) for name, value in money.to_dict().items()}
        for code, money in sorted(counts.by_currency.items(), key=lambda kv: str(kv[0]))
    }
    column = shaped.cmap.roles.get("currency")
    found = (
        {"source": "column", "evidence": f"column {column!r}"}
        if column is not None
        else shaped.currency.describe()
        if shaped.currency is not None
        else {}
    )
    return {
        "reporting_currency": setup.reporting,
        "currencies": list(setup.currencies),
        "rates": setup.source,
        "converted": setup.active,
        "money_by_currency": by_currency,
        **found,
    } | (
        {
            "money_accepted_converted": format_money(converted),
            "converted_at": "each accepted row at the rate of its first month",
        }
        if converted is not None
        else {}
    )


def _named_currency(found: currency.Currency | None, counts: Counts) -> dict[str, Any] | None:
    """The report's currency of a file in one currency that no column names (None: unknown)."""
    if found is None:
        return None
    (code,) = found.codes
    money = {
        "read": counts.money_read,
        "accepted": counts.money_accepted,
        "rejected": counts.money_rejected,
    }
    return {
        "reporting_currency": code,
        "currencies": [code],
        "rates": "none needed",
        "converted": False,
        "money_by_currency": {code: {k: format_money(v) for k, v in money.items()}},
        **found.describe(),
    }


def refuse(
    shaped: Shaped, counts: Counts, numbered: ir.Table, locator: Locator, on_bad_rows: OnBadRows
) -> None:
    """Stop at bad rows when asked to, and when no row is left to compute on."""
    raw = shaped.raw
    if raw.account is not None:
        # Every line of the file is the header, blank, inside a quoted value, or the first
        # line of a row the reader returned (or set aside): else rows were lost.
        raw.account.check(shaped.layout.records(raw, locator, counts))
    rejected = counts.rejected
    if rejected and on_bad_rows == "raise":
        raise BadRowsError(raw.path, examples(numbered, locator), rejected, counts.rows_read)
    if counts.first is not None:
        return
    if rejected:  # say why, even when bad rows were to be set aside
        shown = "".join(f"\n  {row}" for row in examples(numbered, locator))
        raise NoValidRowsError(
            f"{raw.path}: all {rejected} rows are invalid; nothing to compute.{shown}",
            rejects=rejects_table(numbered, locator),
            rejected=rejected,
        )
    raise InputError(f"{raw.path}: no rows of data; nothing to compute")


def rejects(numbered: ir.Table, locator: Locator, rejected: int) -> ir.Table:
    """The rejected rows; of a clean file none, in their shape (no line lookup)."""
    if not rejected:
        locator = Locator(locator.raw, locator.con, active=False)
    return rejects_table(numbered, locator)
