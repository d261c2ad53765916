"""Tests of canonical.validate: each named stage on a tiny table, then the whole fold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest

from revenue_retention.canonical import validate
from revenue_retention.canonical.columns import map_columns
from revenue_retention.canonical.readings import Readings
from revenue_retention.canonical.validate import STAGES, Frame, Stage
from revenue_retention.engine import LINE_COLUMN
from revenue_retention.errors import RejectReason as R


def _frame(columns: dict[str, list[Any]]) -> Frame:
    """A frame of text columns as a CSV gives them, numbered from line 2."""
    n = len(next(iter(columns.values())))
    table = ibis.memtable(pa.table({LINE_COLUMN: list(range(2, n + 2)), **columns}))
    cmap = map_columns(list(columns), "tiny.csv")
    return Frame.start(table, cmap, Readings())


def _through(f: Frame, last: Stage) -> Frame:
    """The frame after every stage up to and including ``last``."""
    for stage in STAGES:
        f = stage(f)
        if stage is last:
            return f
    raise AssertionError(f"{last.__name__} is not a stage")


def _reasons(f: Frame) -> list[dict[str, Any]]:
    """Each row's reason per role, in line order."""
    t = f.table.mutate(**{f"_why_{r}": reason for r, reason in f.reasons.items()})
    rows = t.order_by(LINE_COLUMN).to_pyarrow().to_pylist()
    return [{r: row[f"_why_{r}"] for r in f.reasons} for row in rows]


def _column(f: Frame, name: str) -> list[Any]:
    return f.table.order_by(LINE_COLUMN)[name].to_pyarrow().to_pylist()


LONG = {"customer_id": ["a", "", "c"], "month": ["2024-01", "soon", ""]}


def test_stages_are_named_and_in_order() -> None:
    names = [stage.__name__ for stage in STAGES]
    assert names[:5] == ["typed_columns", "texts", "date_texts", "parsed", "valued"]
    assert names[-1] == "verdict"
    assert len(set(names)) == len(names)


def test_typed_columns_keep_typed_values_and_read_text_as_text() -> None:
    table = ibis.memtable(
        pa.table(
            {
                LINE_COLUMN: [2],
                "customer_id": ["a"],
                "month": [dt.date(2024, 1, 1)],
                "mrr": ["10"],
            }
        )
    )
    cmap = map_columns(["customer_id", "month", "mrr"], "tiny.parquet")
    f = validate.typed_columns(Frame.start(table, cmap, Readings()))
    assert list(f.typed_dates) == ["month"]
    assert f.typed_amounts == {}
    assert f.as_text == ["mrr"]


def test_texts_and_date_texts_name_a_column_per_role() -> None:
    f = _through(_frame(LONG | {"mrr": [" 10 ", "1", "2"]}), validate.date_texts)
    assert {"_t_month", "_t_mrr", "_d_month"} <= set(f.table.columns)
    assert _column(f, "_t_mrr")[1:] == ["1", "2"]


def test_valued_rejects_bad_dates_and_missing_ids() -> None:
    f = _through(_frame(LONG | {"mrr": ["10", "1", "2"]}), validate.valued)
    rows = f.table.order_by(LINE_COLUMN).to_pyarrow().to_pylist()
    assert [r["_r_customer_id"] for r in rows] == [None, R.MISSING_CUSTOMER_ID, None]
    assert [r["_r_month"] for r in rows] == [None, R.INVALID_DATE, R.MISSING_DATE]
    assert rows[0]["_v_month"] == dt.date(2024, 1, 1)
    assert rows[0]["_v_mrr"] == Decimal("10")


def test_parsed_rejects_amount_syntax() -> None:
    f = _through(
        _frame({"customer_id": ["a", "b"], "month": ["2024-01"] * 2, "mrr": ["1x", ""]}),
        validate.parsed,
    )
    assert _column(f, "_r_mrr") == [R.INVALID_AMOUNT, R.MISSING_AMOUNT]


def test_checked_rejects_negative_amounts_and_orders_the_reasons() -> None:
    f = _through(
        _frame({"customer_id": ["a", ""], "month": ["2024-01", "x"], "mrr": ["-5", "-5"]}),
        validate.checked,
    )
    assert list(f.reasons) == ["customer_id", "month", "mrr"]  # validate.CHECK_ORDER
    assert _reasons(f) == [
        {"customer_id": None, "month": None, "mrr": R.NEGATIVE_AMOUNT},
        {"customer_id": R.MISSING_CUSTOMER_ID, "month": R.INVALID_DATE, "mrr": R.NEGATIVE_AMOUNT},
    ]


def test_currency_must_be_a_three_letter_code() -> None:
    f = _through(
        _frame(
            {
                "customer_id": ["a", "b", "c"],
                "month": ["2024-01"] * 3,
                "mrr": ["1"] * 3,
                "currency": ["eur", "", "euro"],
            }
        ),
        validate.checked,
    )
    assert _column(f, "_v_currency")[0] == "EUR"
    assert [r["currency"] for r in _reasons(f)] == [None, R.MISSING_CURRENCY, R.INVALID_CURRENCY]


def test_currency_without_a_column_adds_nothing() -> None:
    f = _through(_frame(LONG | {"mrr": ["1"] * 3}), validate.currency)
    assert f.codes == {}


def test_product_amount_is_exact_at_the_money_scale() -> None:
    # 3 x 2.50 = 7.50; 0.333333 x 0.5 = 0.1666665 has seven decimals: rejected.
    f = _through(
        _frame(
            {
                "customer_id": ["a", "b"],
                "month": ["2024-01"] * 2,
                "quantity": ["3", "0.5"],
                "unit_price": ["2.50", "0.333333"],
            }
        ),
        validate.product_amount,
    )
    assert [r["unit_price"] for r in _reasons(f)] == [None, R.TOO_MANY_DECIMALS]
    amounts = f.table.mutate(_a=f.amount).order_by(LINE_COLUMN)._a.to_pyarrow().to_pylist()
    assert amounts[0] == Decimal("7.5")


def test_end_before_start_is_rejected_in_periods() -> None:
    f = _through(
        _frame(
            {
                "customer_id": ["a", "b", "c"],
                "start_date": ["2024-03-01", "2024-03-01", "2024-03-01"],
                "end_date": ["2024-02-01", "2024-04-01", ""],
                "mrr": ["1"] * 3,
            }
        ),
        validate.layout_reasons,
    )
    assert f.cmap.layout == "periods"
    assert [r["end_date"] for r in _reasons(f)] == [R.END_BEFORE_START, None, None]


def test_billing_stages_leave_a_plain_table_alone() -> None:
    f = _through(_frame(LONG | {"mrr": ["1"] * 3}), validate.layout_reasons)
    assert validate.billing_rules(f) is f
    assert validate.billing_interval(f) is f


@pytest.mark.parametrize(
    ("row", "reason", "column"),
    [
        ({"customer_id": "", "month": "bad", "mrr": "-1"}, R.MISSING_CUSTOMER_ID, "customer_id"),
        ({"customer_id": "a", "month": "bad", "mrr": "-1"}, R.INVALID_DATE, "month"),
        ({"customer_id": "a", "month": "2024-02", "mrr": "-1"}, R.NEGATIVE_AMOUNT, "mrr"),
        ({"customer_id": "a", "month": "2024-02", "mrr": "12.5"}, None, None),
    ],
)
def test_validated_reports_the_first_failing_column(
    row: dict[str, str], reason: str | None, column: str | None
) -> None:
    f = _frame({k: [v] for k, v in row.items()})
    out = validate.validated(f.source, f.cmap, f.read).to_pyarrow().to_pylist()[0]
    assert (out["_rr_reason"], out["_rr_bad_column"]) == (reason, column)
    assert out["_rr_bad_value"] == (row[column] if column else None)
    assert out["_rr_amount"] == (None if row["mrr"] == "bad" else Decimal(row["mrr"]))
