"""Retention by every method (METRICS.md §3-4): hand-computed cases, the oracle, properties."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from tests.engine_run import comparable, rates_match, write_long_csv
from tests.oracle import Row, oracle_retention
from tests.oracle_methods import MONEY_KEYS, ORACLES, RATE_KEYS
from tests.strategies import Dataset, mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses import MetricsResult
from revenue_retention.analyses.methods import compute_methods
from revenue_retention.errors import OptionError
from revenue_retention.metrics.methods import METHODS, method_retention, months_needed, parse_method
from revenue_retention.outputs.metrics.records import retention_records

Records = dict[str, list[dict[str, Any]]]


def engine_methods(rows: list[Row], windows: tuple[int, ...], folder: Path) -> Records:
    """The ``metrics`` JSON ``retention`` records of ``rows`` by every method (one load)."""
    data = rr.load(write_long_csv(rows, folder / "mrr.csv"))
    out: Records = {}
    for method in METHODS:
        document = json.loads(
            rr.to_json(rr.compute_metrics(data, window_months=windows, method=method))
        )
        assert document["method"] == method
        assert {r["method"] for r in document["retention"]} <= {method}
        out[method] = document["retention"]
    return out


def month(text: str) -> datetime.date:
    year, number = text.split("-")
    return datetime.date(int(year), int(number), 1)


def monthly(customer: str, first: str, last: str, mrr: str) -> list[Row]:
    """One row per month from ``first`` to ``last`` inclusive at a constant MRR."""
    rows, current = [], month(first)
    while current <= month(last):
        rows.append((customer, current, Decimal(mrr)))
        current = datetime.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return rows


def by_as_of(records: list[dict[str, Any]], as_of: str, k: int) -> dict[str, Any]:
    [row] = [r for r in records if r["as_of"] == as_of and r["window_months"] == k]
    return row


def near(value: float | None, exact: Fraction | float) -> bool:
    return value is not None and abs(value - float(exact)) <= 1e-12


# --- hand-computed: two years, five customers -------------------------------------------
#
# Months 2023-01 .. 2024-12 (24 months, the minimum for trailing and averaged at k = 12).
#   a: 100 every month                       b: 100 in 2023, gone from 2024-01
#   c: 100 from 2023-07 (a mid-year start)   d: new in 2024-01 at 100
#   e: new in 2024-02 at 50, churned in 2024-08 (acquired and lost inside the window)
TWO_YEARS = (
    monthly("a", "2023-01", "2024-12", "100")
    + monthly("b", "2023-01", "2023-12", "100")
    + monthly("c", "2023-07", "2024-12", "100")
    + monthly("d", "2024-01", "2024-12", "100")
    + monthly("e", "2024-02", "2024-07", "50")
)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Records:
    return engine_methods(TWO_YEARS, (1, 12), tmp_path_factory.mktemp("two_years"))


def test_cohort_is_the_reference(two_years: Records) -> None:
    # Cohort paying at 2023-12: a, b, c at 100 each, S = 300; at 2024-12 a 100, b 0, c 100.
    row = by_as_of(two_years["cohort"], "2024-12", 12)
    assert (row["customers"], row["starting_mrr"], row["churn"]) == (3, "300.00", "100.00")
    assert near(row["grr"], Fraction(2, 3)) and near(row["nrr"], Fraction(2, 3))


def test_movement_counts_losses_of_customers_acquired_inside_the_window(
    two_years: Records,
) -> None:
    # S = MRR at 2023-12 = 300 (a, b, c). Bridge 2024-01..2024-12: churn b 100 (2024-01)
    # + e 50 (2024-08) = 150; no contraction or expansion (d and e arrive as new).
    # GRR = (300 - 150) / 300 = 0.5 < cohort 2/3; NRR = (300 - 150 + 0) / 300 = 0.5
    # = (closing 300 - new 150 (d 100 + e 50) - reactivation 0) / 300.
    row = by_as_of(two_years["movement"], "2024-12", 12)
    assert row["method"] == "movement"
    assert (row["customers"], row["starting_mrr"]) == (3, "300.00")
    assert (row["churn"], row["contraction"], row["expansion"]) == ("150.00", "0.00", "0.00")
    assert row["ending_mrr"] == "150.00"
    assert near(row["grr"], 0.5) and near(row["nrr"], 0.5)
    assert row["retained_customers"] is None and row["logo_retention"] is None


def test_compounded_is_the_monthly_rate_to_the_power_k(two_years: Records) -> None:
    # 2024-12: the monthly cohort (a, c, d at 100 at 2024-11) loses nothing: 1 ** 12 = 1,
    # although the year lost b and e: the approximation reads 100%.
    assert near(by_as_of(two_years["compounded"], "2024-12", 12)["grr"], 1)
    # 2024-08: monthly cohort a, c, d 100 + e 50 = 350; e churns: GRR = 300 / 350 = 6/7.
    row = by_as_of(two_years["compounded"], "2024-08", 12)
    assert near(row["grr"], Fraction(6, 7) ** 12)  # 0.15703...
    assert all(row[name] is None for name in (*MONEY_KEYS, "customers", "retained_customers"))


def test_chain_multiplies_the_monthly_rates(two_years: Records) -> None:
    # Monthly GRRs 2024-01..2024-12: 2024-01 = 200 / 300 (b churns), 2024-08 = 300 / 350
    # (e churns), the other ten = 1. Product = 2/3 * 6/7 = 4/7 = 0.5714...
    row = by_as_of(two_years["compounded_chain"], "2024-12", 12)
    assert near(row["grr"], Fraction(4, 7)) and near(row["nrr"], Fraction(4, 7))


def test_trailing_compares_twelve_months_of_revenue(two_years: Records) -> None:
    # Prior 2023-01..2023-12: a 1200, b 1200, c 600 (six months) = 3000; d, e: none.
    # Last 2024-01..2024-12: a 1200, b 0, c 1200. Churn 1200 (b), expansion 600 (c's
    # first full year after a mid-year start), ending 2400.
    # GRR = (1200 + 0 + 600) / 3000 = 0.6; NRR = 2400 / 3000 = 0.8; logos 2 / 3.
    records = two_years["trailing"]
    assert [(r["as_of"], r["window_months"]) for r in records if r["window_months"] == 12] == [
        ("2024-12", 12)
    ]  # 24 months of data give exactly one row
    row = by_as_of(records, "2024-12", 12)
    assert (row["customers"], row["retained_customers"]) == (3, 2)
    assert (row["starting_mrr"], row["churn"], row["contraction"]) == ("3000.00", "1200.00", "0.00")
    assert (row["expansion"], row["ending_mrr"]) == ("600.00", "2400.00")
    assert near(row["grr"], 0.6) and near(row["nrr"], 0.8)
    assert near(row["logo_retention"], Fraction(2, 3))


def test_averaged_is_the_mean_of_twelve_annual_rates(two_years: Records) -> None:
    # Annual cohorts starting 2023-01..2023-06: a, b (S = 200), at the end a only: 1/2.
    # Starting 2023-07..2023-12: a, b, c (S = 300), at the end a and c: 2/3.
    # Mean = (6 * 1/2 + 6 * 2/3) / 12 = 7/12 for GRR, NRR and logo retention alike.
    row = by_as_of(two_years["averaged"], "2024-12", 12)
    for name in RATE_KEYS:
        assert near(row[name], Fraction(7, 12)), name
    assert row["starting_mrr"] is None


def test_every_method_is_the_cohort_method_on_a_one_month_window(two_years: Records) -> None:
    cohort = two_years["cohort"]
    reference = [(r["as_of"], r["grr"], r["nrr"]) for r in cohort if r["window_months"] == 1]
    for method in METHODS:
        rows = [r for r in two_years[method] if r["window_months"] == 1]
        assert [r["as_of"] for r in rows] == [as_of for as_of, _, _ in reference], method
        for r, (_, grr, nrr) in zip(rows, reference, strict=True):
            assert near(r["grr"], grr) and near(r["nrr"], nrr), (method, r)


def test_movement_can_read_below_zero(tmp_path: Path) -> None:
    # a: 100, 100, 100. c: new in 2024-02 at 150, gone in 2024-03.
    # Window 2 ending 2024-03: S = 100 (a); bridge churn = 150 (c) -> (100 - 150) / 100 = -0.5.
    # Cohort GRR = 100 / 100 = 1; chained = monthly 1 (02) * 100 / 250 (03) = 0.4.
    new_then_gone = ("c", datetime.date(2024, 2, 1), Decimal("150.00"))
    rows = [*monthly("a", "2024-01", "2024-03", "100"), new_then_gone]
    records = engine_methods(rows, (2,), tmp_path)
    assert near(by_as_of(records["cohort"], "2024-03", 2)["grr"], 1)
    assert near(by_as_of(records["movement"], "2024-03", 2)["grr"], -0.5)
    assert near(by_as_of(records["compounded_chain"], "2024-03", 2)["grr"], 0.4)
    # Too short for trailing and averaged (2 * 2 = 4 months needed, 3 given): no rows.
    assert records["trailing"] == [] and records["averaged"] == []


def test_movement_counts_dips_that_regrow(tmp_path: Path) -> None:
    # a: 100, 60, 100 (a dip and a recovery inside the window); the cohort sees 100 -> 100.
    # Movement, window 2 ending 2024-03: contraction 40, expansion 40:
    # GRR = (100 - 40) / 100 = 0.6, NRR = (100 - 40 + 40) / 100 = 1.
    rows = [
        ("a", datetime.date(2024, 1, 1), Decimal("100")),
        ("a", datetime.date(2024, 2, 1), Decimal("60")),
        ("a", datetime.date(2024, 3, 1), Decimal("100")),
    ]
    records = engine_methods(rows, (2,), tmp_path)
    row = by_as_of(records["movement"], "2024-03", 2)
    assert (row["contraction"], row["expansion"]) == ("40.00", "40.00")
    assert near(row["grr"], 0.6) and near(row["nrr"], 1)
    assert near(by_as_of(records["cohort"], "2024-03", 2)["grr"], 1)


def test_unknown_method_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="did you mean 'movement'"):
        parse_method("movment")
    assert months_needed("averaged", 3) == 6


def test_compare_methods_on_two_years(tmp_path: Path) -> None:
    data = rr.load(write_long_csv(TWO_YEARS, tmp_path / "mrr.csv"))
    result = compute_methods(data, window_months=12)
    assert [m.method for m in result.methods] == list(METHODS)
    by = {m.method: m for m in result.methods}
    assert near(by["movement"].grr, 0.5) and near(by["trailing"].nrr, 0.8)
    assert by["movement"].grr_vs_cohort is not None
    assert near(by["movement"].grr_vs_cohort, 0.5 - Fraction(2, 3))
    # Movement losses 150 against the cohort's 100: the why-line says by how much.
    assert "50.00 more churn and contraction" in by["movement"].why
    assert "to the power 12" in by["compounded"].why
    # One month earlier there are 23 months: trailing and averaged need 24.
    short = compute_methods(data, as_of="2024-11", window_months=12)
    by = {m.method: m for m in short.methods}
    assert by["trailing"].grr is None and "needs 24 months" in by["trailing"].why
    assert by["cohort"].grr is not None
    with pytest.raises(OptionError, match="window_months"):
        compute_methods(data, as_of="2023-06", window_months=12)


# --- the oracle and the properties, on generated data ------------------------------------

WINDOWS = (1, 2, 4)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOLERANCE = 1e-12


def _range(data: Dataset) -> tuple[datetime.date, datetime.date]:
    months = [m for _, m, _ in data.rows]
    return min(months), max(months)


def engine_rows(rows: list[Row], windows: tuple[int, ...]) -> Records:
    """Every method's retention rows as records, from one in-memory table and one query per method.

    Lighter than ``engine_methods`` (no bridge per method) so that more examples fit;
    the records are built as the JSON contract builds them.
    """
    data = dataset_of(rows)
    out: Records = {}
    for method in METHODS:
        table = data.con.to_pyarrow(method_retention(data, method, windows=windows))
        result = MetricsResult(data.report, windows, method, pa.table({}), table)
        out[method] = retention_records(result)
    return out


@SETTINGS
@given(mrr_rows(max_customers=7, max_months=12))
def test_every_method_equals_its_oracle_and_keeps_its_properties(data: Dataset) -> None:
    assume(data.rows)
    first, last = _range(data)
    records = engine_rows(data.rows, WINDOWS)

    # 1. Each method equals its slow Decimal reference, field by field.
    expected = {"cohort": oracle_retention(data.rows, first, last, WINDOWS)}
    expected |= {m: oracle(data.rows, first, last, WINDOWS) for m, oracle in ORACLES.items()}
    for method in METHODS:
        got, want = comparable(records[method]), expected[method]
        assert [(r["as_of"], r["window_months"]) for r in got] == [
            (r["as_of"], r["window_months"]) for r in want
        ], method
        for g, w in zip(got, want, strict=True):
            for key, value in w.items():
                if key in RATE_KEYS:
                    assert rates_match(g[key], value), (method, key, g, w)
                else:
                    assert g[key] == value, (method, key, g, w)

    cohort = {(r["as_of"], r["window_months"]): r for r in records["cohort"]}
    for method in METHODS:
        for row in records[method]:
            key = (row["as_of"], row["window_months"])
            grr, nrr = row["grr"], row["nrr"]
            # 2. GRR never above 100%, never above NRR (every method).
            if grr is not None:
                assert grr <= 1 + TOLERANCE and grr <= nrr + TOLERANCE * max(1, nrr), (method, row)
            # 3. On a one-month window every method is the cohort method.
            if row["window_months"] == 1:
                for name in RATE_KEYS:
                    if row[name] is not None or method == "movement":
                        want = cohort[key][name]
                        if method == "movement" and name == "logo_retention":
                            continue  # the movement method defines no logo retention
                        assert (row[name] is None) == (want is None), (method, row)
                        assert row[name] is None or abs(row[name] - want) <= TOLERANCE * max(
                            1, abs(want)
                        ), (method, name, row, cohort[key])
    # 4. Movement GRR <= cohort GRR: its losses include every cohort loss and more.
    for row in records["movement"]:
        reference = cohort[(row["as_of"], row["window_months"])]
        losses = Decimal(row["churn"]) + Decimal(row["contraction"])
        assert losses >= Decimal(reference["churn"]) + Decimal(reference["contraction"])
        if row["grr"] is not None:
            assert row["grr"] <= reference["grr"], (row, reference)
