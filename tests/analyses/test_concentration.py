"""Concentration (METRICS.md §5): a hand-computed seed case, the oracle, and its properties."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.engine_run import rates_match, write_long_csv
from tests.oracle import Row, add_months
from tests.oracle_concentration import oracle_concentration
from tests.strategies import Dataset, mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses.concentration import (
    ConcentrationResult,
    compute_concentration,
)

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GOLDEN = Path(__file__).parent.parent / "golden" / "concentration_of_nrr" / "input.csv"


def _month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


def _load(rows: list[Row], folder: Path) -> rr.Dataset:
    return rr.load(write_long_csv(rows, folder / "mrr.csv"))


def _one_account_carries_nrr() -> list[Row]:
    """The seed's "115% NRR might be one account growing 50% while ten churned".

    Window 2024-06 -> 2025-06 (12 months), S = 100,000.00:
    A 40,000 -> 60,000 in 2025-01 (+50%, +20,000); B 10,000 -> 11,000 (+1,000) and
    C 10,000 -> 10,500 (+500) in 2025-03; D .. H 6,700 each, steady (33,500);
    T01 .. T10 650 each, gone from 2024-09 (churn 6,500).
    S = 40,000 + 10,000 + 10,000 + 33,500 + 6,500 = 100,000.
    """
    rows: list[Row] = []
    for i in range(13):
        month = add_months(_month(2024, 6), i)
        after_jan = month >= _month(2025, 1)
        after_mar = month >= _month(2025, 3)
        rows.append(("A", month, Decimal("60000.00" if after_jan else "40000.00")))
        rows.append(("B", month, Decimal("11000.00" if after_mar else "10000.00")))
        rows.append(("C", month, Decimal("10500.00" if after_mar else "10000.00")))
        rows += [(name, month, Decimal("6700.00")) for name in "DEFGH"]
        if month < _month(2024, 9):
            rows += [(f"T{n:02d}", month, Decimal("650.00")) for n in range(1, 11)]
    return rows


@pytest.fixture(scope="module")
def seed_case(tmp_path_factory: pytest.TempPathFactory) -> ConcentrationResult:
    folder = tmp_path_factory.mktemp("seed")
    return compute_concentration(
        _load(_one_account_carries_nrr(), folder), as_of="2025-06", window_months=12
    )


def test_seed_headline_is_carried_by_one_account(seed_case: ConcentrationResult) -> None:
    r = seed_case
    # E = 100,000 - 6,500 churn + 21,500 expansion = 115,000 -> NRR 1.15
    assert (r.customers, r.expanders) == (18, 3)
    assert r.starting_mrr == Decimal("100000")
    assert r.expansion == Decimal("21500")
    assert r.ending_mrr == Decimal("115000")
    assert r.nrr == pytest.approx(1.15, abs=1e-12)
    # Without A's 20,000: 95,000 / 100,000; without A, B, C (21,500): 93,500 / 100,000.
    assert r.nrr_without_top_expanders(1) == pytest.approx(0.95, abs=1e-12)
    assert r.nrr_without_top_expanders(3) == pytest.approx(0.935, abs=1e-12)
    assert r.nrr_without_top_expanders(1) < 1 < r.nrr  # type: ignore[operator]
    # A alone: 20,000 / 21,500 of the expansion; the top 5 and 10 hold all 3 expanders.
    assert r.expansion_share_of_top(1) == pytest.approx(20000 / 21500, abs=1e-12)
    assert r.expansion_share_of_top(5) == 1.0
    assert r.expansion_share_of_top(10) == 1.0


def test_seed_shares_of_starting_mrr(seed_case: ConcentrationResult) -> None:
    r = seed_case
    # top 1: A 40,000; top 5: A, B, C, D, E (ties at 10,000 and 6,700 by id) = 73,400;
    # top 10: + F, G, H (20,100) + T01, T02 (1,300) = 94,800.
    assert r.share_of_top(1) == pytest.approx(0.40, abs=1e-12)
    assert r.share_of_top(5) == pytest.approx(0.734, abs=1e-12)
    assert r.share_of_top(10) == pytest.approx(0.948, abs=1e-12)
    assert [str(m) for m in r.shares.column("mrr").to_pylist()] == [
        "40000.000000",
        "73400.000000",
        "94800.000000",
    ]
    # 0.4^2 + 2 x 0.1^2 + 5 x 0.067^2 + 10 x 0.0065^2
    # = 0.16 + 0.02 + 0.022445 + 0.0004225 = 0.2028675
    assert r.herfindahl == pytest.approx(0.2028675, abs=1e-12)
    assert r.top_customers.column("customer_id").to_pylist() == [
        "A", "B", "C", "D", "E", "F", "G", "H", "T01", "T02",
    ]  # fmt: skip
    assert r.top_expanders.column("customer_id").to_pylist() == ["A", "B", "C"]
    assert [str(x) for x in r.top_expanders.column("expansion").to_pylist()] == [
        "20000.000000",
        "1000.000000",
        "500.000000",
    ]


def test_seed_pareto_curve(seed_case: ConcentrationResult) -> None:
    pareto = seed_case.pareto.to_pylist()
    assert [p["rank"] for p in pareto] == list(range(1, 19))
    assert pareto[0]["mrr_share"] == pytest.approx(0.4)
    assert pareto[0]["customer_share"] == pytest.approx(1 / 18)
    # A, B, C, D..H hold 93,500 of 100,000 with 8 of 18 customers.
    assert pareto[7]["cumulative_mrr"] == Decimal("93500")
    assert pareto[-1]["cumulative_mrr"] == Decimal("100000")
    assert (pareto[-1]["customer_share"], pareto[-1]["mrr_share"]) == (1.0, 1.0)


def test_golden_case_concentration_of_nrr() -> None:
    """tests/golden/concentration_of_nrr: its README works out NRR without the top expander."""
    r = compute_concentration(rr.load(GOLDEN), as_of="2025-10", window_months=12)
    assert r.nrr == pytest.approx(1.15, abs=1e-12)
    # (115,000 - 20,000) / 100,000
    assert r.nrr_without_top_expanders(1) == pytest.approx(0.95, abs=1e-12)
    assert r.expansion_share_of_top(1) == 1.0
    # A holds 40,000 of 100,000; 0.4^2 + 5 x 0.11^2 + 10 x 0.005^2 = 0.22075
    assert r.share_of_top(1) == pytest.approx(0.4, abs=1e-12)
    assert r.herfindahl == pytest.approx(0.22075, abs=1e-12)


def test_empty_cohort_gives_nulls_not_errors(tmp_path: Path) -> None:
    # Nobody pays in 2024-02 (the start of the 1-month window to 2024-03).
    rows = [("a", _month(2024, 1), Decimal("5")), ("a", _month(2024, 3), Decimal("7"))]
    r = compute_concentration(_load(rows, tmp_path), as_of="2024-03", window_months=1)
    assert (r.customers, r.starting_mrr, r.nrr, r.herfindahl) == (0, Decimal(0), None, None)
    assert r.share_of_top(1) is None and r.nrr_without_top_expanders(1) is None
    assert r.pareto.num_rows == r.top_customers.num_rows == r.top_expanders.num_rows == 0


def test_no_expansion_gives_null_expansion_shares(tmp_path: Path) -> None:
    rows = [("a", _month(2024, 1), Decimal("5")), ("a", _month(2024, 2), Decimal("3"))]
    r = compute_concentration(_load(rows, tmp_path), window_months=1)
    assert r.expansion == 0 and r.expansion_share_of_top(1) is None
    # 3 / 5: nothing to remove, so NRR without the top expander equals NRR.
    assert r.nrr_without_top_expanders(1) == r.nrr == pytest.approx(0.6)


def test_many_customers_give_about_200_pareto_points(tmp_path: Path) -> None:
    jan, feb = _month(2024, 1), _month(2024, 2)
    rows = [(f"c{i:04d}", m, Decimal(i + 1)) for i in range(1500) for m in (jan, feb)]
    r = compute_concentration(_load(rows, tmp_path), window_months=1)
    ranks = r.pareto.column("rank").to_pylist()
    # The top customer, then rank ceil(1500 * i / 200) for i = 1 .. 200.
    assert len(ranks) == 201 and ranks[:3] == [1, 8, 15] and ranks[-1] == 1500
    assert r.pareto.column("mrr_share").to_pylist()[-1] == 1.0


@pytest.mark.parametrize(
    ("as_of", "window", "option"),
    [("2023-12", 1, "as_of"), ("2024-03", 1, "as_of"), ("2024-02", 2, "window_months")],
)
def test_window_outside_the_data_is_an_option_error(
    tmp_path: Path, as_of: str, window: int, option: str
) -> None:
    rows = [("a", _month(2024, 1), Decimal("5")), ("a", _month(2024, 2), Decimal("3"))]
    with pytest.raises(rr.OptionError) as error:
        compute_concentration(_load(rows, tmp_path), as_of=as_of, window_months=window)
    assert error.value.option == option


@st.composite
def data_and_window(draw: st.DrawFn) -> tuple[Dataset, datetime.date, int]:
    """Generated rows, an as-of month inside them and a window that fits."""
    data = draw(mrr_rows(max_customers=11, max_months=14))
    assume(data.rows)
    months = sorted({m for _, m, _ in data.rows})
    first, last = months[0], months[-1]
    span = (last.year - first.year) * 12 + last.month - first.month
    assume(span >= 1)
    window = draw(st.integers(1, span))
    as_of = add_months(first, draw(st.integers(window, span)))
    return data, as_of, window


def _rows(table: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _check_against_oracle(got: ConcentrationResult, want: dict[str, Any]) -> None:
    for name in ("customers", "expanders", "starting_mrr", "ending_mrr", "expansion"):
        assert getattr(got, name) == want[name], name
    assert rates_match(got.nrr, want["nrr"])
    if want["herfindahl"] is None:
        assert got.herfindahl is None
    else:  # a float sum of squares: a relative bound, not exactness
        assert abs(Fraction(got.herfindahl) - want["herfindahl"]) <= Fraction(1, 10**9)
    for got_row, want_row in zip(_rows(got.shares), want["shares"], strict=True):
        for key, value in want_row.items():
            if isinstance(value, Fraction) or value is None:
                assert rates_match(got_row[key], value), (key, got_row, want_row)
            else:
                assert got_row[key] == value, (key, got_row, want_row)
    for got_row, want_row in zip(_rows(got.nrr_without_top), want["nrr_without_top"], strict=True):
        assert got_row["expansion_removed"] == want_row["expansion_removed"]
        assert got_row["ending_mrr"] == want_row["ending_mrr"]
        assert rates_match(got_row["nrr"], want_row["nrr"])
    pareto = _rows(got.pareto)
    assert [(p["rank"], p["cumulative_mrr"]) for p in pareto] == [
        (p["rank"], p["cumulative_mrr"]) for p in want["pareto"]
    ]
    for got_point, want_point in zip(pareto, want["pareto"], strict=True):
        assert rates_match(got_point["mrr_share"], want_point["mrr_share"])
        assert rates_match(got_point["customer_share"], want_point["customer_share"])
    assert [
        (r["customer_id"], r["start_mrr"], r["end_mrr"], r["change"])
        for r in _rows(got.top_customers)
    ] == want["top_customers"]
    assert [
        (r["customer_id"], r["start_mrr"], r["end_mrr"], r["expansion"])
        for r in _rows(got.top_expanders)
    ] == want["top_expanders"]


def _check_properties(r: ConcentrationResult) -> None:
    # NRR without the top k expanders is never above NRR, and falls as k grows.
    without = [r.nrr_without_top_expanders(k) for k in (1, 3)]
    if r.nrr is None:
        assert without == [None, None]
    else:
        assert without[1] <= without[0] <= r.nrr  # type: ignore[operator]
    for column in ("share_of_starting_mrr", "share_of_expansion"):
        shares = r.shares.column(column).to_pylist()
        if shares[0] is None:
            assert shares == [None, None, None]
            continue
        assert all(0 <= s <= 1 for s in shares)
        assert shares == sorted(shares)  # monotone in k = 1, 5, 10
    if r.customers:
        # Herfindahl lies in [1/n, 1] (equal sizes to one customer), up to float rounding.
        assert 1 / r.customers - 1e-12 <= r.herfindahl <= 1 + 1e-12  # type: ignore[operator]
    mrr_shares = r.pareto.column("mrr_share").to_pylist()
    assert mrr_shares == sorted(mrr_shares)


# One generated run serves both checks.
@SETTINGS
@given(data_and_window())
def test_concentration_equals_oracle_and_keeps_its_properties(
    case: tuple[Dataset, datetime.date, int],
) -> None:
    data, as_of, window = case
    got = compute_concentration(dataset_of(data.rows), as_of=as_of, window_months=window)
    _check_against_oracle(got, oracle_concentration(data.rows, as_of, window))
    _check_properties(got)
