"""The reference oracle against hand-computed values, so the engine is checked against truth."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from tests.oracle import Row, customer_months, oracle_bridge, oracle_retention
from tests.strategies import Dataset, line_item_split, mrr_rows

JAN24 = datetime.date(2024, 1, 1)
JAN25 = datetime.date(2025, 1, 1)
BRIDGE_KEYS = [
    "period",
    "opening_mrr",
    "new",
    "reactivation",
    "expansion",
    "contraction",
    "churn",
    "closing_mrr",
]
RETENTION_KEYS = [
    "as_of",
    "window_months",
    "customers",
    "starting_mrr",
    "churn",
    "contraction",
    "expansion",
    "ending_mrr",
    "grr",
    "nrr",
    "logo_retention",
]


def month(year: int, number: int) -> datetime.date:
    """First-of-month date."""
    return datetime.date(year, number, 1)


def usd(amount: str | int) -> Decimal:
    """Exact money from a literal (strings keep the cents as written)."""
    return Decimal(amount)


def bridge_row(period: str, opening: str, closing: str, **movements: str) -> dict:
    """An expected bridge row; movements not named are 0."""
    row: dict = {"period": period}
    row.update({key: Decimal(0) for key in BRIDGE_KEYS[1:]})
    row.update({"opening_mrr": usd(opening), "closing_mrr": usd(closing)})
    row.update({name: usd(amount) for name, amount in movements.items()})
    assert list(row) == BRIDGE_KEYS
    return row


def annual(rows: list[Row]) -> dict:
    """The single 12-month window ending 2025-01 over the range 2024-01..2025-01."""
    (result,) = oracle_retention(rows, JAN24, JAN25, windows=(12,))
    assert result["as_of"] == "2025-01" and result["window_months"] == 12
    return result


def identity_holds(row: dict) -> bool:
    """closing = opening + new + reactivation + expansion - contraction - churn, exactly."""
    return row["closing_mrr"] == (
        row["opening_mrr"]
        + row["new"]
        + row["reactivation"]
        + row["expansion"]
        - row["contraction"]
        - row["churn"]
    )


# --- METRICS.md section 8: the consistent worked examples, as 12-month windows -------------


def test_example_000_grr_85_nrr_115() -> None:
    """$1M start, $150k cancelled -> GRR 85%; +$300k upsell -> NRR 115%."""
    rows: list[Row] = [
        ("upsold", JAN24, usd(600_000)),
        ("steady", JAN24, usd(250_000)),
        ("cancelled", JAN24, usd(150_000)),
        ("upsold", JAN25, usd(900_000)),  # +300k upsell
        ("steady", JAN25, usd(250_000)),
        # "cancelled" has no row in 2025-01: MRR 0
    ]
    r = annual(rows)
    # S = 600k + 250k + 150k = 1,000k; churn 150k; expansion 900k - 600k = 300k
    assert r["starting_mrr"] == usd(1_000_000)
    assert (r["churn"], r["contraction"], r["expansion"]) == (usd(150_000), 0, usd(300_000))
    # E = 1,000k - 150k - 0 + 300k = 1,150k
    assert r["ending_mrr"] == usd(1_150_000)
    # GRR = (600k + 250k + 0) / 1,000k = 85%; NRR = 1,150k / 1,000k = 115%; logos 2/3
    assert r["grr"] == Fraction(85, 100)
    assert r["nrr"] == Fraction(115, 100)
    assert r["logo_retention"] == Fraction(2, 3)
    assert r["customers"] == 3
    # METRICS.md section 8: "GRR = end / start" would give 115% here; GRR excludes expansion.
    assert r["grr"] != Fraction(r["ending_mrr"]) / Fraction(r["starting_mrr"])


def test_example_000_five_hundred_customers() -> None:
    """500 customers x $100, 475 remain -> GRR 95% and logo retention 95%."""
    rows: list[Row] = [(f"c{i:03d}", JAN24, usd(100)) for i in range(500)]
    rows += [(f"c{i:03d}", JAN25, usd(100)) for i in range(475)]
    r = annual(rows)
    # S = 500 x 100 = 50,000; churn = 25 x 100 = 2,500; E = 475 x 100 = 47,500
    assert (r["customers"], r["starting_mrr"], r["churn"]) == (500, usd(50_000), usd(2_500))
    assert r["ending_mrr"] == usd(47_500)
    # GRR = NRR = 47,500 / 50,000 = 95%; logos 475 / 500 = 95%
    assert r["grr"] == r["nrr"] == r["logo_retention"] == Fraction(95, 100)


def test_example_003_grr_90_nrr_110() -> None:
    """100k start, 90k retained -> GRR 90%; +20k expansion -> NRR 110%."""
    rows: list[Row] = [
        ("x", JAN24, usd(54_000)),
        ("y", JAN24, usd(40_000)),
        ("z", JAN24, usd(6_000)),
        ("x", JAN25, usd(74_000)),  # +20k expansion
        ("y", JAN25, usd(36_000)),  # -4k contraction
        ("z", JAN25, usd("0.00")),  # explicit zero: 6k churn
    ]
    r = annual(rows)
    # S = 54k + 40k + 6k = 100k; losses = 4k + 6k = 10k, so 90k retained
    assert r["starting_mrr"] == usd(100_000)
    assert (r["churn"], r["contraction"], r["expansion"]) == (usd(6_000), usd(4_000), usd(20_000))
    # GRR = (54k + 36k + 0) / 100k = 90%; E = 74k + 36k = 110k, NRR = 110%
    assert r["ending_mrr"] == usd(110_000)
    assert (r["grr"], r["nrr"]) == (Fraction(9, 10), Fraction(11, 10))
    assert r["logo_retention"] == Fraction(2, 3)


def test_example_004_grr_95_nrr_97() -> None:
    """100k start, 97k end including a 2k upsell -> GRR 95%, NRR 97%."""
    rows: list[Row] = [
        ("p", JAN24, usd(60_000)),
        ("q", JAN24, usd(35_000)),
        ("r", JAN24, usd(5_000)),
        ("p", JAN25, usd(62_000)),  # +2k upsell
        ("q", JAN25, usd(35_000)),
    ]
    r = annual(rows)
    # S = 100k; E = 62k + 35k = 97k; GRR = (60k + 35k) / 100k = 95%; NRR = 97k / 100k = 97%
    assert (r["starting_mrr"], r["ending_mrr"]) == (usd(100_000), usd(97_000))
    assert (r["churn"], r["contraction"], r["expansion"]) == (usd(5_000), 0, usd(2_000))
    assert (r["grr"], r["nrr"]) == (Fraction(95, 100), Fraction(97, 100))
    # The article's (End + Expansion - Churned) / Start = (97k + 2k - 5k) / 100k = 94% double
    # counts: it must not be what NRR is.
    assert r["nrr"] != Fraction(97_000 + 2_000 - 5_000, 100_000)


def test_net_change_is_not_nrr() -> None:
    """$1M start, +$50k expansion, -$30k contraction, end $1,020k: NRR is 102%, not 2%."""
    rows: list[Row] = [
        ("grows", JAN24, usd(500_000)),
        ("shrinks", JAN24, usd(500_000)),
        ("grows", JAN25, usd(550_000)),
        ("shrinks", JAN25, usd(470_000)),
    ]
    r = annual(rows)
    # E = 550k + 470k = 1,020k; NRR = 1,020k / 1,000k = 102%; GRR = (500k + 470k) / 1M = 97%
    assert r["ending_mrr"] == usd(1_020_000)
    assert (r["grr"], r["nrr"]) == (Fraction(97, 100), Fraction(102, 100))


# --- bridge: one customer per movement ------------------------------------------------------


def test_bridge_expansion() -> None:
    rows: list[Row] = [("c", month(2024, 1), usd("100.00")), ("c", month(2024, 2), usd("150.00"))]
    # Feb: a = 100, b = 150 -> expansion 150 - 100 = 50
    assert oracle_bridge(rows, month(2024, 1), month(2024, 2)) == [
        bridge_row("2024-02", "100.00", "150.00", expansion="50.00")
    ]


def test_bridge_contraction() -> None:
    rows: list[Row] = [("c", month(2024, 1), usd("100.00")), ("c", month(2024, 2), usd("60.50"))]
    # Feb: a = 100.00, b = 60.50 -> contraction 100.00 - 60.50 = 39.50
    assert oracle_bridge(rows, month(2024, 1), month(2024, 2)) == [
        bridge_row("2024-02", "100.00", "60.50", contraction="39.50")
    ]


def test_bridge_churn_then_quiet_month() -> None:
    rows: list[Row] = [("c", month(2024, 1), usd("100.00"))]
    # Feb: a = 100, b = 0 (no row) -> churn 100. Mar: nothing happens, still a row of zeros.
    assert oracle_bridge(rows, month(2024, 1), month(2024, 3)) == [
        bridge_row("2024-02", "100.00", "0", churn="100.00"),
        bridge_row("2024-03", "0", "0"),
    ]


def test_bridge_reactivation_after_gap() -> None:
    rows: list[Row] = [
        ("c", month(2024, 1), usd("100.00")),
        # Feb: no row; Mar: explicit zero row
        ("c", month(2024, 3), usd("0.00")),
        ("c", month(2024, 4), usd("80.00")),
    ]
    # Feb churn 100; Mar 0 -> 0 nothing; Apr a = 0, b = 80, paid in Jan -> reactivation 80
    assert oracle_bridge(rows, month(2024, 1), month(2024, 4)) == [
        bridge_row("2024-02", "100.00", "0", churn="100.00"),
        bridge_row("2024-03", "0", "0"),
        bridge_row("2024-04", "0", "80.00", reactivation="80.00"),
    ]


def test_bridge_new_mid_range() -> None:
    rows: list[Row] = [("old", month(2024, 1), usd("10.00")), ("old", month(2024, 2), usd("10.00"))]
    rows += [("old", month(2024, 3), usd("10.00")), ("fresh", month(2024, 3), usd("70.00"))]
    # Feb: flat 10. Mar: "fresh" a = 0, b = 70, never paid before -> new 70; closing 10 + 70
    assert oracle_bridge(rows, month(2024, 1), month(2024, 3)) == [
        bridge_row("2024-02", "10.00", "10.00"),
        bridge_row("2024-03", "10.00", "80.00", new="70.00"),
    ]


def test_bridge_opening_customers_are_not_new() -> None:
    rows: list[Row] = [("c", month(2024, 1), usd("100.00")), ("c", month(2024, 2), usd("100.00"))]
    # Jan is the opening balance (no row for it); Feb is flat
    assert oracle_bridge(rows, month(2024, 1), month(2024, 2)) == [
        bridge_row("2024-02", "100.00", "100.00")
    ]
    # A single-month range has no bridge row at all
    assert oracle_bridge(rows, month(2024, 1), month(2024, 1)) == []


def test_bridge_zero_trial_then_payment_is_new() -> None:
    rows: list[Row] = [("c", month(2024, 1), usd("0.00")), ("c", month(2024, 2), usd("25.00"))]
    # Jan MRR 0 is not "MRR > 0", so Feb's 25 is new, not a reactivation
    assert oracle_bridge(rows, month(2024, 1), month(2024, 2)) == [
        bridge_row("2024-02", "0", "25.00", new="25.00")
    ]


def test_bridge_ignores_rows_outside_range() -> None:
    rows: list[Row] = [
        ("c", month(2023, 12), usd("999.00")),  # before first: ignored
        ("c", month(2024, 2), usd("40.00")),
        ("c", month(2024, 4), usd("999.00")),  # after last: ignored
    ]
    # Inside [Jan, Mar] c first pays in Feb -> new 40 (its 2023 history is not in range)
    assert oracle_bridge(rows, month(2024, 1), month(2024, 3)) == [
        bridge_row("2024-02", "0", "40.00", new="40.00"),
        bridge_row("2024-03", "40.00", "0", churn="40.00"),
    ]


def test_bridge_sums_line_items_and_ids_are_case_sensitive() -> None:
    rows: list[Row] = [
        ("a", month(2024, 1), usd("30.00")),
        ("a", month(2024, 1), usd("20.25")),  # a: Jan 50.25
        ("A", month(2024, 2), usd("10.00")),
        ("A", month(2024, 2), usd("0.00")),
        ("A", month(2024, 2), usd("5.10")),  # A: Feb 15.10, a different customer from "a"
    ]
    # Feb: "a" churns 50.25, "A" is new 15.10; closing 50.25 + 15.10 - 50.25 = 15.10
    assert oracle_bridge(rows, month(2024, 1), month(2024, 2)) == [
        bridge_row("2024-02", "50.25", "15.10", new="15.10", churn="50.25")
    ]


def test_bridge_all_movements_in_one_month_and_identity() -> None:
    jan, feb, mar = month(2024, 1), month(2024, 2), month(2024, 3)
    rows: list[Row] = [
        ("up", jan, usd("100.00")),
        ("up", feb, usd("100.00")),
        ("up", mar, usd("130.00")),  # Mar expansion 30
        ("down", jan, usd("200.00")),
        ("down", feb, usd("200.00")),
        ("down", mar, usd("150.01")),  # Mar contraction 49.99
        ("gone", jan, usd("75.00")),
        ("gone", feb, usd("75.00")),  # Mar churn 75
        ("back", jan, usd("60.00")),  # Feb churn 60
        ("back", mar, usd("45.00")),  # Mar reactivation 45
        ("new", mar, usd("12.34")),  # Mar new 12.34
    ]
    bridge = oracle_bridge(rows, jan, mar)
    # Feb: opening 100 + 200 + 75 + 60 = 435; closing 375
    # Mar: opening 375; closing 130 + 150.01 + 45 + 12.34 = 337.35
    #      375 + 12.34 + 45 + 30 - 49.99 - 75 = 337.35
    assert bridge == [
        bridge_row("2024-02", "435.00", "375.00", churn="60.00"),
        bridge_row(
            "2024-03",
            "375.00",
            "337.35",
            new="12.34",
            reactivation="45.00",
            expansion="30.00",
            contraction="49.99",
            churn="75.00",
        ),
    ]
    assert all(identity_holds(row) for row in bridge)


def test_bridge_identity_on_hand_cases() -> None:
    """A few more shapes; the identity must hold to the cent in every month."""
    jan, apr = month(2024, 1), month(2024, 4)
    cases: list[list[Row]] = [
        [],
        [("a", jan, usd("0.01")), ("a", month(2024, 2), usd("0.02"))],
        [("a", month(2024, 2), usd("99999.99")), ("b", month(2024, 3), usd("0.01"))],
        [("a", jan, usd("10.00")), ("a", month(2024, 3), usd("10.00")), ("a", apr, usd("9.99"))],
    ]
    for rows in cases:
        bridge = oracle_bridge(rows, jan, apr)
        assert [row["period"] for row in bridge] == ["2024-02", "2024-03", "2024-04"]
        assert all(identity_holds(row) for row in bridge)
        assert all(list(row) == BRIDGE_KEYS for row in bridge)


def test_bridge_crosses_year_boundary() -> None:
    rows: list[Row] = [("c", month(2024, 11), usd("5.00")), ("c", month(2025, 1), usd("5.00"))]
    bridge = oracle_bridge(rows, month(2024, 11), month(2025, 1))
    # Dec churn 5, Jan reactivation 5
    assert bridge == [
        bridge_row("2024-12", "5.00", "0", churn="5.00"),
        bridge_row("2025-01", "0", "5.00", reactivation="5.00"),
    ]


# --- retention windows ----------------------------------------------------------------------


def test_churn_and_return_inside_window_counts_at_m() -> None:
    rows: list[Row] = [
        ("c", JAN24, usd("100.00")),
        # gone Feb..Aug 2024 (no rows), back in Sep 2024 at 130
        ("c", month(2024, 9), usd("130.00")),
        ("c", JAN25, usd("130.00")),
    ]
    r = annual(rows)
    # a = 100 (Jan 2024), b = 130 (Jan 2025): expansion 30, nothing lost
    assert (r["customers"], r["starting_mrr"], r["ending_mrr"]) == (1, usd(100), usd(130))
    assert (r["churn"], r["contraction"], r["expansion"]) == (0, 0, usd(30))
    # GRR = min(100, 130) / 100 = 1; NRR = 130 / 100 = 13/10; logo 1/1
    assert (r["grr"], r["nrr"], r["logo_retention"]) == (1, Fraction(13, 10), 1)


def test_new_customer_inside_window_is_not_in_cohort() -> None:
    rows: list[Row] = [("old", m, usd("100.00")) for m in (JAN24, month(2024, 5), JAN25)]
    rows += [("late", month(2024, 5), usd("500.00")), ("late", JAN25, usd("500.00"))]
    r = annual(rows)
    # Cohort = {old}: S = 100, E = 100 ("late" joined in May 2024, after the start)
    assert (r["customers"], r["starting_mrr"], r["ending_mrr"]) == (1, usd(100), usd(100))
    assert (r["grr"], r["nrr"], r["logo_retention"]) == (1, 1, 1)


def test_empty_cohort_gives_no_rates() -> None:
    rows: list[Row] = [("c", month(2024, 3), usd("50.00"))]
    result = oracle_retention(rows, month(2024, 1), month(2024, 3), windows=(1,))
    # Feb (cohort = Jan payers = {}) and Mar (cohort = Feb payers = {}): no rates, no error
    assert [r["as_of"] for r in result] == ["2024-02", "2024-03"]
    for r in result:
        assert (r["customers"], r["starting_mrr"], r["ending_mrr"]) == (0, 0, 0)
        assert (r["grr"], r["nrr"], r["logo_retention"]) == (None, None, None)


def test_no_rows_at_all() -> None:
    assert oracle_bridge([], month(2024, 1), month(2024, 2)) == [bridge_row("2024-02", "0", "0")]
    (r,) = oracle_retention([], month(2024, 1), month(2024, 2), windows=(1,))
    assert (r["customers"], r["grr"], r["nrr"], r["logo_retention"]) == (0, None, None, None)


def test_retention_rows_keys_and_order() -> None:
    rows: list[Row] = [("c", month(2024, m), usd("10.00")) for m in range(1, 5)]
    result = oracle_retention(rows, month(2024, 1), month(2024, 4), windows=(3, 1, 12))
    # k = 1: Feb, Mar, Apr; k = 3: Apr only (Apr - 3 = Jan); k = 12: none in a 4-month range
    assert [(r["as_of"], r["window_months"]) for r in result] == [
        ("2024-02", 1),
        ("2024-03", 1),
        ("2024-04", 1),
        ("2024-04", 3),
    ]
    assert all(list(r) == RETENTION_KEYS for r in result)
    assert all(type(r["window_months"]) is int and type(r["customers"]) is int for r in result)
    assert all(isinstance(r["grr"], Fraction) for r in result)


def test_retention_quarterly_with_contraction() -> None:
    rows: list[Row] = [
        ("a", month(2024, 1), usd("300.00")),
        ("b", month(2024, 1), usd("100.00")),
        ("a", month(2024, 2), usd("0.00")),  # a gone for a month: not visible quarterly
        ("a", month(2024, 4), usd("250.00")),  # contraction 50 over the quarter
        ("b", month(2024, 4), usd("100.00")),
    ]
    result = oracle_retention(rows, month(2024, 1), month(2024, 4), windows=(3,))
    (r,) = result
    # S = 400; E = 350; GRR = (250 + 100) / 400 = 7/8; NRR = 350 / 400 = 7/8
    assert (r["as_of"], r["starting_mrr"], r["ending_mrr"]) == ("2024-04", usd(400), usd(350))
    assert (r["churn"], r["contraction"], r["expansion"]) == (0, usd(50), 0)
    assert (r["grr"], r["nrr"], r["logo_retention"]) == (Fraction(7, 8), Fraction(7, 8), 1)


def test_rates_are_exact_fractions_not_floats() -> None:
    rows: list[Row] = [("a", JAN24, usd("3.00")), ("a", JAN25, usd("1.00"))]
    r = annual(rows)
    # 1 / 3 exactly: a float or a rounded Decimal would not compare equal
    assert r["grr"] == r["nrr"] == Fraction(1, 3)


def test_customer_months_sums_line_items() -> None:
    rows: list[Row] = [
        ("a", JAN24, usd("0.10")),
        ("a", JAN24, usd("0.20")),
        ("a", JAN25, usd("0.00")),
    ]
    # 0.10 + 0.20 = 0.30 exactly (as floats it would be 0.30000000000000004)
    assert customer_months(rows) == {("a", JAN24): usd("0.30"), ("a", JAN25): usd("0.00")}


@pytest.mark.parametrize(
    "bad_row",
    [
        ("a", datetime.date(2024, 1, 15), usd("1.00")),  # not first of month
        ("a", JAN24, usd("-1.00")),  # negative MRR
        ("a", JAN24, 1.0),  # float money
        ("a", JAN24, Decimal("NaN")),
    ],
)
def test_oracle_rejects_non_canonical_rows(bad_row: Row) -> None:
    with pytest.raises(ValueError):
        customer_months([bad_row])


def test_oracle_rejects_bad_ranges_and_windows() -> None:
    with pytest.raises(ValueError):
        oracle_bridge([], month(2024, 2), month(2024, 1))
    with pytest.raises(ValueError):
        oracle_retention([], month(2024, 1), month(2024, 2), windows=(0,))


# --- properties of the oracle itself on generated data --------------------------------------


@settings(max_examples=150, database=None)
@given(mrr_rows())
def test_oracle_properties(ds: Dataset) -> None:
    """Bridge identity, GRR <= 100%, GRR <= NRR, E = S - churn - contraction + expansion,
    and the 1-month window agrees with the bridge (S = opening, E = closing - new - react.)."""
    bridge = oracle_bridge(ds.rows, ds.first, ds.last)
    assert all(identity_holds(row) for row in bridge)
    for row, nxt in itertools.pairwise(bridge):
        assert row["closing_mrr"] == nxt["opening_mrr"]
    retention = oracle_retention(ds.rows, ds.first, ds.last)
    for r in retention:
        s, e = r["starting_mrr"], r["ending_mrr"]
        assert e == s - r["churn"] - r["contraction"] + r["expansion"]
        if r["grr"] is not None:
            assert 0 <= r["grr"] <= 1 and r["grr"] <= r["nrr"]
    monthly = [r for r in retention if r["window_months"] == 1]
    assert len(monthly) == len(bridge)
    for r, row in zip(monthly, bridge, strict=True):
        assert r["as_of"] == row["period"]
        assert r["starting_mrr"] == row["opening_mrr"]
        assert r["churn"] == row["churn"] and r["contraction"] == row["contraction"]
        assert r["ending_mrr"] == row["closing_mrr"] - row["new"] - row["reactivation"]


@settings(max_examples=60, database=None)
@given(mrr_rows().flatmap(lambda ds: line_item_split(ds).map(lambda split: (ds, split))))
def test_oracle_ignores_line_item_split_and_order(pair: tuple[Dataset, Dataset]) -> None:
    original, split = pair
    assert oracle_bridge(split.rows, split.first, split.last) == oracle_bridge(
        original.rows, original.first, original.last
    )
    assert oracle_retention(split.rows, split.first, split.last) == oracle_retention(
        original.rows, original.first, original.last
    )
