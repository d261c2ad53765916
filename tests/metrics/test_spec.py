"""The vocabulary of METRICS.md §2, §3 and §7 (metrics/spec.py), on hand-made truth tables."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from revenue_retention.metrics import spec
from revenue_retention.money import MONEY
from revenue_retention.periods import MonthRange

D = Decimal


def _evaluate(
    rows: list[dict[str, Any]], build: Callable[[ir.Table], dict[str, ir.Value]]
) -> list[dict[str, Any]]:
    """Each row of ``rows`` with the expressions ``build`` makes of it, run in DuckDB."""
    numbered = [row | {"_row": i} for i, row in enumerate(rows)]
    table = ibis.memtable(pa.Table.from_pylist(numbered))
    table = table.mutate(**{name: table[name].cast(MONEY) for name in ("a", "b")})
    result: list[dict[str, Any]] = (
        table.mutate(**build(table)).order_by("_row").to_pyarrow().to_pylist()
    )
    return result


# a = mrr(M - 1), b = mrr(M), first: never paid before M  ->  the one movement and its amount.
STEP_TABLE = [
    (D(0), D(40), True, "new", D(40)),
    (D(0), D(40), False, "reactivation", D(40)),
    (D(100), D(150), False, "expansion", D(50)),
    (D(100), D(60), False, "contraction", D(40)),
    (D(100), D(0), False, "churn", D(100)),
    (D(100), D(100), False, None, None),
    (D(0), D(0), False, None, None),
    (D(0), D(0), True, None, None),
]


def test_step_parts_truth_table() -> None:
    rows = [{"a": a, "b": b, "first": first} for a, b, first, _, _ in STEP_TABLE]

    def build(t: ir.Table) -> dict[str, ir.Value]:
        parts = spec.step_parts(t.a, t.b, first=t.first)
        return {
            **{f"when_{n}": p.when for n, p in parts.items()},
            **{f"amount_{n}": p.amount.cast(MONEY) for n, p in parts.items()},
        }

    for row, (_, _, _, movement, amount) in zip(_evaluate(rows, build), STEP_TABLE, strict=True):
        applies = [name for name in spec.MOVEMENTS if row[f"when_{name}"]]
        assert applies == ([movement] if movement else []), row
        if movement:
            assert row[f"amount_{movement}"] == amount


def test_step_class_names_the_one_movement() -> None:
    rows = [{"a": a, "b": b, "first": first} for a, b, first, _, _ in STEP_TABLE]

    def build(t: ir.Table) -> dict[str, ir.Value]:
        return {"movement": spec.step_class(spec.step_parts(t.a, t.b, first=t.first))}

    got = [r["movement"] for r in _evaluate(rows, build)]
    assert got == [movement or "flat" for _, _, _, movement, _ in STEP_TABLE]


# A cohort customer (a > 0) over a window: its class and its churn/contraction/expansion.
WINDOW_TABLE = [
    (D(100), D(0), "churn", D(100)),
    (D(100), D(60), "contraction", D(40)),
    (D(100), D(130), "expansion", D(30)),
    (D(100), D(100), "flat", None),
]


def test_window_parts_and_class_truth_table() -> None:
    rows = [{"a": a, "b": b} for a, b, _, _ in WINDOW_TABLE]

    def build(t: ir.Table) -> dict[str, ir.Value]:
        parts = spec.window_parts(t.a, t.b)
        return {
            "kind": spec.window_class(t.a, t.b),
            **{f"when_{n}": p.when for n, p in parts.items()},
            **{f"amount_{n}": p.amount.cast(MONEY) for n, p in parts.items()},
        }

    for row, (_, _, kind, amount) in zip(_evaluate(rows, build), WINDOW_TABLE, strict=True):
        assert row["kind"] == kind
        applies = [name for name in ("churn", "contraction", "expansion") if row[f"when_{name}"]]
        assert applies == ([] if kind == "flat" else [kind])
        if amount is not None:
            assert row[f"amount_{kind}"] == amount
    assert set(spec.WINDOW_CLASSES) == {kind for _, _, kind, _ in WINDOW_TABLE}


def test_window_totals_and_rates_of_a_cohort() -> None:
    # S = 1000: one churn (500), one contraction (50), one expansion (400), one flat.
    pairs = ibis.memtable(pa.table({"a": [500, 300, 100, 100], "b": [0, 250, 500, 100]})).cast(
        {"a": MONEY, "b": MONEY}
    )
    totals = spec.window_totals(pairs, pairs.a, pairs.b)
    row = pairs.aggregate(**totals).to_pyarrow().to_pylist()[0]
    assert row == {
        "customers": 4,
        "retained_customers": 3,
        "starting_mrr": D(1000),
        "churn": D(500),
        "contraction": D(50),
        "expansion": D(400),
        "ending_mrr": D(850),
    }
    assert (
        row["ending_mrr"]
        == row["starting_mrr"] - row["churn"] - row["contraction"] + row["expansion"]
    )
    summary = pairs.aggregate(**totals)
    rates = spec.with_rates(summary).to_pyarrow().to_pylist()[0]
    assert rates["grr"] == pytest.approx(450 / 1000)
    assert rates["nrr"] == pytest.approx(850 / 1000)
    assert rates["logo_retention"] == pytest.approx(3 / 4)


def test_rates_are_null_when_the_base_is_zero() -> None:
    t = ibis.memtable(
        pa.table({"s": [0, 200], "loss": [0, 50], "e": [0, 300], "n": [0, 4], "k": [0, 3]})
    )
    t = t.cast({"s": MONEY, "loss": MONEY, "e": MONEY})
    got = (
        t.select(
            grr=spec.grr(t.s, t.loss, t.loss),
            nrr=spec.nrr(t.e, t.s),
            logo=spec.logo_retention(t.k, t.n),
            plain=spec.rate(t.e, t.s),
        )
        .to_pyarrow()
        .to_pylist()
    )
    assert got[0] == {"grr": None, "nrr": None, "logo": None, "plain": None}
    assert got[1] == {"grr": 0.5, "nrr": 1.5, "logo": 0.75, "plain": 1.5}


def test_ratio_is_the_python_rate() -> None:
    assert spec.ratio(D("97"), D("100")) == 0.97
    assert spec.ratio(D(1), D(3)) == float(D(1) / D(3))
    assert spec.ratio(3, 4) == 0.75
    assert spec.ratio(D(5), D(0)) is None
    assert spec.ratio(0, 0) is None


def test_bridge_closes() -> None:
    row = {
        "month_index": 24289,
        "opening_mrr": D("1000.00"),
        "new": D("40.00"),
        "reactivation": D("10.00"),
        "expansion": D("50.00"),
        "contraction": D("30.00"),
        "churn": D("100.00"),
        "closing_mrr": D("970.00"),
    }
    assert spec.bridge_closes(row)
    assert not spec.bridge_closes(row | {"closing_mrr": D("970.01")})
    # A split bridge's transfers, and a constant-currency bridge's fx line.
    split = row | {"segment": "SMB", "transfer_in": D(5), "transfer_out": D(7)}
    assert spec.bridge_closes(split | {"closing_mrr": D("968.00")})
    assert spec.bridge_closes(row | {"fx": D("-0.5"), "closing_mrr": D("969.50")})
    signs = [spec.MOVEMENT_SIGNS[name] for name in spec.MOVEMENTS]
    assert signs == [1, 1, 1, -1, -1]
    assert ("opening_mrr", *spec.MOVEMENTS, "closing_mrr") == spec.BRIDGE_COLUMNS


def test_interval_includes() -> None:
    assert spec.interval_includes(0.78, 0.94, 0.91)
    assert spec.interval_includes(0.91, 0.94, 0.91)
    assert not spec.interval_includes(0.84, 0.88, 0.91)
    assert not spec.interval_includes(0.92, 0.99, 0.91)


def test_window_spine_by_months_needed() -> None:
    months = MonthRange(100, 104)
    assert spec.window_spine(months, [1, 3]) == ([101, 102, 103, 104, 103, 104], [1, 1, 1, 1, 3, 3])
    # trailing needs 2k months: k = 2 first fits at the 4th month
    assert spec.window_spine(months, [2], lambda k: 2 * k) == ([103, 104], [2, 2])
    assert spec.window_spine(months, [5]) == ([], [])


def test_retention_columns() -> None:
    assert spec.RETENTION_COLUMNS == (
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
