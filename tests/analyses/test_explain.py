"""Explain (METRICS.md §2-3): hand cases, the oracle's listing, and totals equal to metrics."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.oracle import add_months
from tests.oracle_concentration import oracle_explain, oracle_explain_period
from tests.strategies import Dataset, mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses import explain as explain_module
from revenue_retention.analyses.explain import (
    PERIOD_TOTALS,
    WINDOW_TOTALS,
    ExplainResult,
    compute_explain,
)
from revenue_retention.datasets import write_demo_csv
from revenue_retention.money import MONEY
from revenue_retention.periods import month_index, month_label

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RATES = ("grr", "nrr", "logo_retention")


def _csv(path: Path, header: str, lines: list[str]) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def one_of_each(tmp_path_factory: pytest.TempPathFactory) -> rr.Dataset:
    """12-month window 2024-01 -> 2025-01, one customer per class (a -> b):

    a SMB 100 -> 0 churn; b SMB 200 -> 150 contraction 50; c ENT 1000 -> 1300 expansion
    300 (SMB from 2024-06: the start decides); d ENT 500 -> 500 flat; e new in 2024-06
    (not in the cohort); f SMB 60, gone in 2024-06, back at 90: expansion 30.
    """
    path = tmp_path_factory.mktemp("window") / "mrr.csv"
    return rr.load(
        _csv(
            path,
            "customer_id,month,mrr,segment",
            [
                "a,2024-01,100.00,SMB",
                "b,2024-01,200.00,SMB",
                "c,2024-01,1000.00,ENT",
                "d,2024-01,500.00,ENT",
                "f,2024-01,60.00,SMB",
                "b,2024-06,180.00,SMB",
                "c,2024-06,1000.00,SMB",
                "d,2024-06,500.00,ENT",
                "e,2024-06,80.00,SMB",
                "b,2025-01,150.00,SMB",
                "c,2025-01,1300.00,SMB",
                "d,2025-01,500.00,ENT",
                "e,2025-01,80.00,SMB",
                "f,2025-01,90.00,SMB",
            ],
        )
    )


def _listing(result: ExplainResult) -> list[tuple[str, str, str]]:
    return [
        (r["customer_id"], f"{r['change']:f}", r["movement"]) for r in result.customers.to_pylist()
    ]


def test_window_lists_every_cohort_customer_by_impact(one_of_each: rr.Dataset) -> None:
    result = compute_explain(one_of_each, as_of="2025-01", window_months=12)
    # |change|: c 300, a 100, b 50, f 30, d 0; e joined inside the window: not in the cohort.
    assert _listing(result) == [
        ("c", "300.000000", "expansion"),
        ("a", "-100.000000", "churn"),
        ("b", "-50.000000", "contraction"),
        ("f", "30.000000", "expansion"),
        ("d", "0.000000", "flat"),
    ]
    assert result.customers.column("segment").to_pylist() == ["ENT", "SMB", "SMB", "SMB", "ENT"]
    t = result.totals_row
    # S = 100 + 200 + 1000 + 500 + 60 = 1860; E = 0 + 150 + 1300 + 500 + 90 = 2040
    # = 1860 - 100 churn - 50 contraction + 330 expansion.
    assert (t["customers"], t["retained_customers"]) == (5, 4)
    assert [t[k] for k in ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")] == [
        Decimal(v) for v in ("1860", "100", "50", "330", "2040")
    ]
    assert t["grr"] == pytest.approx(1710 / 1860) and t["nrr"] == pytest.approx(2040 / 1860)
    assert t["logo_retention"] == pytest.approx(0.8)
    assert result.movements.to_pylist() == [
        {"movement": "churn", "customers": 1, "amount": Decimal("100")},
        {"movement": "contraction", "customers": 1, "amount": Decimal("50")},
        {"movement": "expansion", "customers": 2, "amount": Decimal("330")},
        {"movement": "flat", "customers": 1, "amount": Decimal("0")},
    ]


def test_by_takes_the_attribute_at_the_start_and_groups_add_up(one_of_each: rr.Dataset) -> None:
    smb = compute_explain(one_of_each, as_of="2025-01", window_months=12, by=("segment", "SMB"))
    ent = compute_explain(one_of_each, as_of="2025-01", window_months=12, by=("segment", "ENT"))
    # c was ENT at 2024-01 (SMB later): it stays in ENT, with its expansion.
    assert [r[0] for r in _listing(smb)] == ["a", "b", "f"]
    assert [r[0] for r in _listing(ent)] == ["c", "d"]
    # SMB: S = 100 + 200 + 60 = 360, E = 0 + 150 + 90 = 240; ENT: S = 1500, E = 1800.
    assert (smb.totals_row["starting_mrr"], smb.totals_row["ending_mrr"]) == (360, 240)
    assert (ent.totals_row["starting_mrr"], ent.totals_row["ending_mrr"]) == (1500, 1800)
    whole = compute_explain(one_of_each, as_of="2025-01", window_months=12).totals_row
    for name in WINDOW_TOTALS:
        assert smb.totals_row[name] + ent.totals_row[name] == whole[name], name


def test_limit_cuts_the_list_not_the_totals(one_of_each: rr.Dataset) -> None:
    result = compute_explain(one_of_each, as_of="2025-01", window_months=12, limit=2)
    assert [r[0] for r in _listing(result)] == ["c", "a"]
    assert (result.listed, result.totals_row["customers"]) == (5, 5)


@pytest.fixture(scope="module")
def one_bridge_month(tmp_path_factory: pytest.TempPathFactory) -> rr.Dataset:
    """Bridge month 2024-04 (a = mrr 2024-03, b = mrr 2024-04):

    p 100 -> 0 churn; q 100 -> 160 expansion 60; r 300 -> 200 contraction 100;
    s new at 50; t paid 70 in 2024-01, back at 40: reactivation; u 10 -> 10 flat.
    """
    path = tmp_path_factory.mktemp("period") / "mrr.csv"
    lines = [f"p,2024-0{m},100.00,Pro" for m in (1, 2, 3)]
    lines += ["q,2024-03,100.00,Pro", "q,2024-04,160.00,Pro"]
    lines += ["r,2024-03,300.00,Basic", "r,2024-04,200.00,Pro"]
    lines += ["s,2024-04,50.00,Pro", "t,2024-01,70.00,Basic", "t,2024-04,40.00,Pro"]
    lines += ["u,2024-03,10.00,Pro", "u,2024-04,10.00,Pro"]
    return rr.load(_csv(path, "customer_id,month,mrr,plan", lines))


def test_period_lists_every_mover_of_the_month(one_bridge_month: rr.Dataset) -> None:
    result = compute_explain(one_bridge_month, period="2024-04")
    # p and r tie at |100|: customer_id decides; u (flat) is not listed.
    assert _listing(result) == [
        ("p", "-100.000000", "churn"),
        ("r", "-100.000000", "contraction"),
        ("q", "60.000000", "expansion"),
        ("s", "50.000000", "new"),
        ("t", "40.000000", "reactivation"),
    ]
    # opening 100 + 100 + 300 + 10 = 510; closing 160 + 200 + 50 + 40 + 10 = 460
    # = 510 + 50 new + 40 reactivation + 60 expansion - 100 contraction - 100 churn.
    t = result.totals_row
    assert [t[k] for k in PERIOD_TOTALS] == [
        Decimal(v) for v in ("510", "50", "40", "60", "100", "100", "460")
    ]
    assert (t["customers"], result.listed, result.start) == (5, 5, month_index(2024, 3))


def test_period_by_groups_at_the_month_before_or_on_arrival(
    one_bridge_month: rr.Dataset,
) -> None:
    # r was Basic in 2024-03 (Pro in 2024-04): Basic. t arrives in 2024-04 as Pro: Pro.
    basic = compute_explain(one_bridge_month, period="2024-04", by=("plan", "Basic"))
    pro = compute_explain(one_bridge_month, period="2024-04", by=("plan", "Pro"))
    assert [r[0] for r in _listing(basic)] == ["r"]
    assert [r[0] for r in _listing(pro)] == ["p", "q", "s", "t"]
    whole = compute_explain(one_bridge_month, period="2024-04").totals_row
    for name in ("customers", *PERIOD_TOTALS):
        assert basic.totals_row[name] + pro.totals_row[name] == whole[name], name


@pytest.mark.parametrize(
    ("by", "message"),
    [
        (("segmnt", "SMB"), "names no attribute column; attributes: segment. "
         "Did you mean 'segment'?"),
        (("segment", "smb"), "matches no row: segment takes the values 'ENT', 'SMB'. "
         "Did you mean 'SMB'?"),
    ],
)  # fmt: skip
def test_unknown_attribute_or_value_is_an_option_error(
    one_of_each: rr.Dataset, by: tuple[str, str], message: str
) -> None:
    with pytest.raises(rr.OptionError) as error:
        compute_explain(one_of_each, as_of="2025-01", window_months=12, by=by)
    assert error.value.option == "by"
    assert error.value.reason == message


def test_first_month_has_no_bridge_row(one_bridge_month: rr.Dataset) -> None:
    with pytest.raises(rr.OptionError, match="opening balance") as error:
        compute_explain(one_bridge_month, period="2024-01")
    assert error.value.option == "period"
    with pytest.raises(rr.OptionError, match="limit"):
        compute_explain(one_bridge_month, period="2024-04", limit=0)


def test_a_totals_mismatch_is_raised_not_reported(
    one_of_each: rr.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reconciliation is code, not a comment: a wrong reference fails loudly."""
    real = explain_module.retention

    def off_by_a_cent(*args: Any, **kwargs: Any) -> ir.Table:
        table = real(*args, **kwargs)
        return table.mutate(churn=(table.churn + Decimal("0.01")).cast(MONEY))

    monkeypatch.setattr(explain_module, "retention", off_by_a_cent)
    with pytest.raises(AssertionError, match="does not reconcile"):
        compute_explain(one_of_each, as_of="2025-01", window_months=12)


def _metrics_row(metrics: rr.MetricsResult, as_of: int, window: int) -> dict[str, Any]:
    rows = [
        r
        for r in metrics.retention.to_pylist()
        if r["as_of_index"] == as_of and r["window_months"] == window
    ]
    assert len(rows) == 1
    return rows[0]


def _bridge_row(metrics: rr.MetricsResult, month: int) -> dict[str, Any]:
    rows = [r for r in metrics.bridge.to_pylist() if r["month_index"] == month]
    assert len(rows) == 1
    return rows[0]


def _assert_window_equals_metrics(result: ExplainResult, metrics: rr.MetricsResult) -> None:
    row = _metrics_row(metrics, result.as_of, result.window_months)
    assert {k: result.totals_row[k] for k in (*WINDOW_TOTALS, *RATES)} == {
        k: row[k] for k in (*WINDOW_TOTALS, *RATES)
    }


def _assert_period_equals_metrics(result: ExplainResult, metrics: rr.MetricsResult) -> None:
    row = _bridge_row(metrics, result.as_of)
    assert {k: result.totals_row[k] for k in PERIOD_TOTALS} == {k: row[k] for k in PERIOD_TOTALS}


@st.composite
def data_window_and_month(draw: st.DrawFn) -> tuple[Dataset, datetime.date, int, datetime.date]:
    """Generated rows, a window that fits them, and a bridge month after their first."""
    data = draw(mrr_rows(max_customers=10, max_months=14))
    assume(data.rows)
    months = sorted({m for _, m, _ in data.rows})
    first, last = months[0], months[-1]
    span = (last.year - first.year) * 12 + last.month - first.month
    assume(span >= 1)
    window = draw(st.integers(1, span))
    as_of = add_months(first, draw(st.integers(window, span)))
    period = add_months(first, draw(st.integers(1, span)))
    return data, as_of, window, period


def _rows(result: ExplainResult) -> list[tuple[str, Decimal, Decimal, Decimal, str]]:
    return [
        (r["customer_id"], r["start_mrr"], r["end_mrr"], r["change"], r["movement"])
        for r in result.customers.to_pylist()
    ]


@SETTINGS
@given(data_window_and_month())
def test_explain_equals_metrics_and_oracle_on_generated_data(
    case: tuple[Dataset, datetime.date, int, datetime.date],
) -> None:
    data, as_of, window, period = case
    loaded = dataset_of(data.rows)
    metrics = rr.compute_metrics(loaded, window_months=[window])

    result = compute_explain(loaded, as_of=as_of, window_months=window)
    _assert_window_equals_metrics(result, metrics)
    assert _rows(result) == oracle_explain(data.rows, as_of, window)

    moves = compute_explain(loaded, period=period)
    _assert_period_equals_metrics(moves, metrics)
    first = min(m for _, m, _ in data.rows)
    assert _rows(moves) == oracle_explain_period(data.rows, first, period)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[rr.Dataset, rr.MetricsResult]:
    data = rr.load(write_demo_csv(tmp_path_factory.mktemp("demo") / "demo.csv"))
    return data, rr.compute_metrics(data, window_months=[3, 12])


@pytest.mark.parametrize(("as_of", "window"), [("2025-12", 12), ("2024-06", 3)])
def test_demo_window_totals_equal_metrics(
    demo: tuple[rr.Dataset, rr.MetricsResult], as_of: str, window: int
) -> None:
    data, metrics = demo
    result = compute_explain(data, as_of=as_of, window_months=window)
    _assert_window_equals_metrics(result, metrics)
    assert result.customers.num_rows == result.listed == result.totals_row["customers"]
    change = pc.sum(result.customers.column("change")).as_py()
    assert change == result.totals_row["ending_mrr"] - result.totals_row["starting_mrr"]
    # Every segment explained apart adds up to the whole cohort.
    parts = [
        compute_explain(data, as_of=as_of, window_months=window, by=("segment", s)).totals_row
        for s in ("SMB", "Mid-Market", "Enterprise")
    ]
    for name in WINDOW_TOTALS:
        assert sum(p[name] for p in parts) == result.totals_row[name], name


@pytest.mark.parametrize("period", ["2025-12", "2024-01"])
def test_demo_period_totals_equal_the_bridge(
    demo: tuple[rr.Dataset, rr.MetricsResult], period: str
) -> None:
    data, metrics = demo
    result = compute_explain(data, period=period)
    _assert_period_equals_metrics(result, metrics)
    assert month_label(result.as_of) == period
    assert set(result.customers.column("movement").to_pylist()) <= set(rr.MOVEMENTS)
