"""Acquisition cohorts (METRICS.md §3): hand-computed cases and the Decimal oracle."""

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
from tests.oracle import Row
from tests.oracle_cohorts import oracle_cohort_sizes, oracle_cohorts
from tests.strategies import Dataset, mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses.cohorts import CohortResult, compute_cohorts
from revenue_retention.errors import OptionError
from revenue_retention.outputs.cohorts import cohort_records, cohort_size_records

RATES = ("grr", "nrr", "logo_retention")
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def m(month: int) -> datetime.date:
    return datetime.date(2024, month, 1)


def usd(amount: str) -> Decimal:
    return Decimal(amount)


#: 2024-01..2024-04.
#: a: 100, 100, 0, 50   (churns in March, comes back in April)
#: b: 200, 300, 300, 300 (expands in February)
#: c: -, 100, 0, 0       (gone after its first month)
#: d: -, 50, 80, 40      (expands, then contracts)
#: e: -, -, 0.00, 70     (an explicit zero row is not a first payment: cohort April)
FIVE_CUSTOMERS: list[Row] = [
    ("a", m(1), usd("100")),
    ("a", m(2), usd("100")),
    ("a", m(4), usd("50")),
    ("b", m(1), usd("200")),
    ("b", m(2), usd("120")),
    ("b", m(2), usd("180")),  # two line items: 300
    ("b", m(3), usd("300")),
    ("b", m(4), usd("300")),
    ("c", m(2), usd("100")),
    ("d", m(2), usd("50")),
    ("d", m(3), usd("80")),
    ("d", m(4), usd("40")),
    ("e", m(3), usd("0.00")),
    ("e", m(4), usd("70")),
]


def run(rows: list[Row], folder: Path, **options: Any) -> tuple[CohortResult, list[dict[str, Any]]]:
    data = rr.load(write_long_csv(rows, folder / "mrr.csv"))
    result = compute_cohorts(data, **options)
    return result, cohort_records(result)


def cell(records: list[dict[str, Any]], cohort: str, age: int) -> dict[str, Any]:
    (found,) = [r for r in records if r["cohort"] == cohort and r["age_months"] == age]
    return found


def check(
    record: dict[str, Any],
    customers: int,
    active: int,
    base: str,
    mrr: str,
    retained: str,
    complete: bool = True,
) -> None:
    """Counts and money as given; rates follow from them (each is also checked by hand)."""
    assert record["cohort_customers"] == customers
    assert record["active_customers"] == active
    assert Decimal(record["base_mrr"]) == Decimal(base)
    assert Decimal(record["mrr"]) == Decimal(mrr)
    assert Decimal(record["retained_mrr"]) == Decimal(retained)
    assert record["complete"] is complete


def test_monthly_cohorts_relative_to_first_month(tmp_path: Path) -> None:
    _, records = run(FIVE_CUSTOMERS, tmp_path)
    assert [(r["cohort"], r["age_months"]) for r in records] == [
        ("2024-01", 0), ("2024-01", 1), ("2024-01", 2), ("2024-01", 3),
        ("2024-02", 0), ("2024-02", 1), ("2024-02", 2),
        ("2024-04", 0),
    ]  # fmt: skip
    # Cohort 2024-01 = {a, b}, base 100 + 200 = 300.
    check(cell(records, "2024-01", 0), 2, 2, "300", "300", "300")
    # Feb: a 100, b 300: MRR 400; kept min(100,100) + min(200,300) = 300.
    jan1 = cell(records, "2024-01", 1)
    check(jan1, 2, 2, "300", "400", "300")
    assert jan1["nrr"] == pytest.approx(4 / 3) and jan1["grr"] == 1.0
    # Mar: a 0, b 300: MRR 300; kept 0 + 200 = 200; one of two active.
    jan2 = cell(records, "2024-01", 2)
    check(jan2, 2, 1, "300", "300", "200")
    assert (jan2["nrr"], jan2["grr"], jan2["logo_retention"]) == (1.0, pytest.approx(2 / 3), 0.5)
    # Apr: a back at 50, b 300: MRR 350; kept 50 + 200 = 250.
    jan3 = cell(records, "2024-01", 3)
    check(jan3, 2, 2, "300", "350", "250")
    assert jan3["nrr"] == pytest.approx(7 / 6) and jan3["grr"] == pytest.approx(5 / 6)
    # Cohort 2024-02 = {c, d}, base 100 + 50 = 150. Mar: c 0, d 80: kept min(50, 80) = 50.
    feb1 = cell(records, "2024-02", 1)
    check(feb1, 2, 1, "150", "80", "50")
    assert feb1["nrr"] == pytest.approx(80 / 150) and feb1["grr"] == pytest.approx(1 / 3)
    # Apr: d 40 < 50: kept 40.
    check(cell(records, "2024-02", 2), 2, 1, "150", "40", "40")
    # e first pays in April (the March 0.00 row is no payment): age 0 only.
    check(cell(records, "2024-04", 0), 1, 1, "70", "70", "70")


def test_cohort_sizes_and_opening_balance(tmp_path: Path) -> None:
    result, _ = run(FIVE_CUSTOMERS, tmp_path)
    assert cohort_size_records(result) == [
        {"cohort": "2024-01", "customers": 2, "starting_mrr": "300.00",
         "first_payment_from": "2024-01", "first_payment_to": "2024-01",
         "includes_opening_balance": True},
        {"cohort": "2024-02", "customers": 2, "starting_mrr": "150.00",
         "first_payment_from": "2024-02", "first_payment_to": "2024-02",
         "includes_opening_balance": False},
        {"cohort": "2024-04", "customers": 1, "starting_mrr": "70.00",
         "first_payment_from": "2024-04", "first_payment_to": "2024-04",
         "includes_opening_balance": False},
    ]  # fmt: skip


def test_relative_to_month1_ignores_first_month_drop_off(tmp_path: Path) -> None:
    _, records = run(FIVE_CUSTOMERS, tmp_path, relative_to="month1")
    # April's cohort has no month 1 in the data; ages start at 1.
    assert [(r["cohort"], r["age_months"]) for r in records] == [
        ("2024-01", 1), ("2024-01", 2), ("2024-01", 3), ("2024-02", 1), ("2024-02", 2),
    ]  # fmt: skip
    # 2024-01: base at Feb, a 100 + b 300 = 400.
    check(cell(records, "2024-01", 1), 2, 2, "400", "400", "400")
    # Mar: a 0, b 300: kept 0 + 300 = 300, NRR = GRR = 3/4.
    jan2 = cell(records, "2024-01", 2)
    check(jan2, 2, 1, "400", "300", "300")
    assert jan2["nrr"] == 0.75 and jan2["grr"] == 0.75
    # Apr: a 50, b 300: 350 / 400.
    check(cell(records, "2024-01", 3), 2, 2, "400", "350", "350")
    # 2024-02: c pays 0 in March, so only d is in the base, at 80. Apr: 40 / 80.
    check(cell(records, "2024-02", 1), 1, 1, "80", "80", "80")
    feb2 = cell(records, "2024-02", 2)
    check(feb2, 1, 1, "80", "40", "40")
    assert (feb2["nrr"], feb2["grr"], feb2["logo_retention"]) == (0.5, 0.5, 1.0)


def test_quarter_cohorts_count_age_from_each_customers_first_month(tmp_path: Path) -> None:
    _, records = run(FIVE_CUSTOMERS, tmp_path, grain="quarter")
    # 2024-Q1 = {a, b (Jan), c, d (Feb)}: base 100 + 200 + 100 + 50 = 450.
    check(cell(records, "2024-Q1", 0), 4, 4, "450", "450", "450")
    # Age 1: a Feb 100, b Feb 300, c Mar 0, d Mar 80: MRR 480; kept 100 + 200 + 0 + 50.
    q1 = cell(records, "2024-Q1", 1)
    check(q1, 4, 3, "450", "480", "350")
    assert q1["nrr"] == pytest.approx(16 / 15) and q1["grr"] == pytest.approx(7 / 9)
    assert q1["logo_retention"] == 0.75
    # Age 2: a Mar 0, b Mar 300, c Apr 0, d Apr 40: MRR 340; kept 0 + 200 + 0 + 40.
    check(cell(records, "2024-Q1", 2), 4, 2, "450", "340", "240")
    # Age 3: c and d would be in May, beyond the data: only a and b, base 300.
    check(cell(records, "2024-Q1", 3), 2, 2, "300", "350", "250", complete=False)
    check(cell(records, "2024-Q2", 0), 1, 1, "70", "70", "70")


def test_year_cohort_and_mrr_metric(tmp_path: Path) -> None:
    result, records = run(FIVE_CUSTOMERS, tmp_path, grain="year", metric="mrr")
    assert {r["cohort"] for r in records} == {"2024"}
    # Everyone: 100 + 200 + 100 + 50 + 70 = 520.
    year0 = cell(records, "2024", 0)
    check(year0, 5, 5, "520", "520", "520")
    assert year0["value"] == "520.00"  # the MRR metric's value is exact money
    # e (April) has no age 1 yet: 4 of 5 members observed.
    check(cell(records, "2024", 1), 4, 3, "450", "480", "350", complete=False)
    assert result.sizes.column("customers").to_pylist() == [5]


@pytest.mark.parametrize(("metric", "column"), [("nrr", "nrr"), ("grr", "grr"),
                                                ("logo", "logo_retention")])  # fmt: skip
def test_value_is_the_chosen_metric(tmp_path: Path, metric: str, column: str) -> None:
    _, records = run(FIVE_CUSTOMERS, tmp_path, metric=metric)
    assert all(r["value"] == r[column] for r in records)


@pytest.mark.parametrize(
    ("option", "value"), [("metric", "arr"), ("grain", "week"), ("relative_to", "month2")]
)
def test_unknown_options_are_refused(tmp_path: Path, option: str, value: str) -> None:
    data = rr.load(write_long_csv(FIVE_CUSTOMERS, tmp_path / "mrr.csv"))
    with pytest.raises(OptionError, match=value):
        compute_cohorts(data, **{option: value})


def test_as_of_shortens_every_cohort(tmp_path: Path) -> None:
    data = rr.load(write_long_csv(FIVE_CUSTOMERS, tmp_path / "mrr.csv"), as_of="2024-02")
    records = cohort_records(compute_cohorts(data))
    assert [(r["cohort"], r["age_months"]) for r in records] == [
        ("2024-01", 0), ("2024-01", 1), ("2024-02", 0)
    ]  # fmt: skip


def test_nobody_ever_paid_gives_empty_tables(tmp_path: Path) -> None:
    rows = [("a", m(1), usd("0.00")), ("b", m(2), usd("0.00"))]
    result, records = run(rows, tmp_path)
    assert records == [] and cohort_size_records(result) == []


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: Decimal(value) if key in ("base_mrr", "mrr", "retained_mrr") else value
        for key, value in record.items()
        if key not in (*RATES, "value")
    }


@SETTINGS
@given(
    mrr_rows(max_customers=8, max_months=16),
    st.sampled_from(["month", "quarter", "year"]),
    st.sampled_from(["first", "month1"]),
)
def test_cohorts_equal_oracle(data: Dataset, grain: str, relative_to: str) -> None:
    assume(data.rows)
    months = [month for _, month, _ in data.rows]
    first, last = min(months), max(months)  # the loader's range is the data's own
    result = compute_cohorts(dataset_of(data.rows), grain=grain, relative_to=relative_to)
    records = cohort_records(result)
    expected = oracle_cohorts(data.rows, first, last, grain, relative_to)
    assert [_comparable(r) for r in records] == [
        {k: v for k, v in e.items() if k not in RATES} for e in expected
    ]
    for got, want in zip(records, expected, strict=True):
        for name in RATES:
            assert rates_match(got[name], want[name]), (name, got, want)
        # Properties of §3 that hold for every cohort and age.
        if got["grr"] is not None:
            assert 0 <= got["grr"] <= 1 and got["grr"] <= got["nrr"]
        if got["age_months"] == (0 if relative_to == "first" else 1):
            assert got["nrr"] == got["grr"] == got["logo_retention"] == 1.0
    sizes = [r | {"starting_mrr": Decimal(r["starting_mrr"])} for r in cohort_size_records(result)]
    assert sizes == oracle_cohort_sizes(data.rows, first, last, grain)


def test_month_cohort_equals_window_retention_of_its_members(tmp_path: Path) -> None:
    """A month cohort at age k is §3's k-month window from its first month, on its members."""
    _, records = run(FIVE_CUSTOMERS, tmp_path)
    # Only a and b pay in January: the 3-month window to April is exactly cohort 2024-01.
    data = rr.load(write_long_csv(FIVE_CUSTOMERS, tmp_path / "again.csv"))
    window = rr.retention(data, windows=[3]).to_pyarrow().to_pylist()
    (april,) = [r for r in window if r["as_of"] == m(4)]
    jan3 = cell(records, "2024-01", 3)
    assert Decimal(jan3["base_mrr"]) == april["starting_mrr"]
    assert Decimal(jan3["mrr"]) == april["ending_mrr"]
    assert rates_match(jan3["grr"], Fraction(april["grr"]))
