"""Price, volume and cross-sell decomposition (METRICS.md §6): hand cases, oracle, identities."""

from __future__ import annotations

import csv
import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.engine_run import rates_match
from tests.oracle import add_months, period_label
from tests.oracle_decompose import Line, SeveralPricesError, oracle_decompose
from tests.tables import dataset_of

from revenue_retention.analyses import compute_metrics
from revenue_retention.analyses.decompose import compute_decomposition
from revenue_retention.canonical import load
from revenue_retention.errors import InputError, OptionError
from revenue_retention.outputs.decompose import decompose_document

D = Decimal
COMPONENTS = (
    "volume_expansion",
    "price_increase",
    "cross_sell",
    "volume_contraction",
    "price_decrease",
    "product_churn",
    "churn",
)
RATES = ("grr", "nrr", "nrr_excluding_price", "price_share_of_expansion")


def write_lines(path: Path, lines: list[Line], *, with_mrr: bool = False) -> Path:
    """Line items as a long-layout CSV, in the given order; ``mrr`` = quantity x price."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["customer_id", "month", "product", "quantity", "unit_price"]
            + (["mrr"] if with_mrr else [])
        )
        for customer_id, month, product, q, p in lines:
            writer.writerow(
                [customer_id, period_label(month), product, f"{q:f}", f"{p:f}"]
                + ([f"{q * p:f}"] if with_mrr else [])
            )
    return path


def run(path: Path, window: int = 12, as_of: str | None = None) -> dict[str, Any]:
    """The JSON document of ``decompose`` on a file, as the CLI writes it."""
    return decompose_document(
        compute_decomposition(load(path), window_months=window, as_of=as_of)
    ).to_dict()


def month(text: str) -> datetime.date:
    year, mon = text.split("-")
    return datetime.date(int(year), int(mon), 1)


# --- Hand cases ------------------------------------------------------------------------------

#: Every customer's unit price up 5% in January, quantities unchanged (the golden case
#: price_increase_as_expansion with line items): 200 + 966.60 + 3,800 + 33.40 = 5,000.00.
FIVE_PERCENT = [
    ("P1", "core", D(10), D("20.00"), D("21.00")),  # 200.00 -> 210.00
    ("P2", "support", D(1), D("966.60"), D("1014.93")),  # 966.60 x 1.05 = 1,014.93
    ("P3", "core", D(100), D("38.00"), D("39.90")),  # 3,800.00 -> 3,990.00
    ("P4", "addon", D(1), D("33.40"), D("35.07")),  # 33.40 x 1.05 = 35.07
]


@pytest.fixture
def five_percent_price_increase(tmp_path: Path) -> Path:
    lines: list[Line] = []
    for customer, product, q, p0, p1 in FIVE_PERCENT:
        lines.append((customer, month("2024-01"), product, q, p0))
        lines.append((customer, month("2025-01"), product, q, p1))
    return write_lines(tmp_path / "five.csv", lines)


def test_a_price_increase_shows_as_expansion_that_is_all_price(
    five_percent_price_increase: Path,
) -> None:
    doc = run(five_percent_price_increase, window=12)
    totals = doc["totals"][0]
    assert (totals["as_of"], totals["cohort_month"], totals["window_months"]) == (
        "2025-01",
        "2024-01",
        12,
    )
    assert totals["starting_mrr"] == "5000.00"
    assert totals["ending_mrr"] == "5250.00"
    # §3: every customer grew, so all of E - S = 250.00 is expansion.
    assert (totals["expansion"], totals["contraction"], totals["churn"]) == (
        "250.00",
        "0.00",
        "0.00",
    )
    # price = (p1 - p0) * (q + q) / 2 = (p1 - p0) * q: 10 + 48.33 + 190 + 1.67 = 250.00
    assert totals["price_increase"] == "250.00"
    assert totals["gross_expansion"] == "250.00"
    for name in ("volume_expansion", "cross_sell", "volume_contraction", "price_decrease"):
        assert totals[name] == "0.00"
    assert totals["nrr"] == 1.05  # 5,250 / 5,000
    assert totals["nrr_excluding_price"] == 1.0  # (5,250 - 250) / 5,000
    assert totals["grr"] == 1.0
    assert totals["price_share_of_expansion"] == 1.0
    items = {(r["customer_id"], r["product"]): r for r in doc["items"]}
    assert items[("P2", "support")]["price"] == "48.33"  # 48.33 x (1 + 1) / 2
    assert items[("P2", "support")]["volume"] == "0.00"
    assert {r["class"] for r in doc["items"]} == {"expansion"}


#: One month window 2024-12 -> 2025-01, a customer for every component:
#: A  core 10 @ 20.00 -> 6 + 6 @ 21.00 (two lines, one price); analytics 5 @ 9.00 dropped;
#:    support added 1 @ 99.00; a free line (price 0) at both ends holds nothing.
#: B  core 7 @ 25.00 -> 4 @ 26.25; a zero-quantity analytics line at another price.
#: C  core 3 @ 30.00 and support 1 @ 10.00 -> nothing (churn).
#: D  core 2 @ 50.00 -> 2 @ 45.00 (a price cut).
#: E  new at the end: not in the cohort.
#: F  core 1 @ 40.00 both months (flat).
MIXED = [
    ("A", "2024-12", "core", "10", "20.00"),
    ("A", "2024-12", "analytics", "5", "9.00"),
    ("A", "2024-12", "training", "3", "0.00"),
    ("A", "2025-01", "core", "6", "21.00"),
    ("A", "2025-01", "core", "6", "21.00"),
    ("A", "2025-01", "support", "1", "99.00"),
    ("A", "2025-01", "training", "3", "0.00"),
    ("B", "2024-12", "core", "7", "25.00"),
    ("B", "2025-01", "core", "4", "26.25"),
    ("B", "2025-01", "analytics", "0", "12.00"),
    ("C", "2024-12", "core", "3", "30.00"),
    ("C", "2024-12", "support", "1", "10.00"),
    ("D", "2024-12", "core", "2", "50.00"),
    ("D", "2025-01", "core", "2", "45.00"),
    ("E", "2025-01", "core", "1", "10.00"),
    ("F", "2024-12", "core", "1", "40.00"),
    ("F", "2025-01", "core", "1", "40.00"),
]


def mixed_lines() -> list[Line]:
    return [(c, month(m), prod, D(q), D(p)) for c, m, prod, q, p in MIXED]


@pytest.fixture
def one_customer_per_component(tmp_path: Path) -> Path:
    return write_lines(tmp_path / "mixed.csv", mixed_lines())


def test_each_component_computed_by_hand(one_customer_per_component: Path) -> None:
    doc = run(one_customer_per_component, window=1)
    items = {(r["customer_id"], r["product"]): r for r in doc["items"]}
    # A core: volume = (12 - 10) x (20 + 21) / 2 = 41.00; price = (21 - 20) x (10 + 12) / 2
    # = 11.00; 41 + 11 = 252 - 200.
    a_core = items[("A", "core")]
    assert (a_core["q0"], a_core["p0"], a_core["q1"], a_core["p1"]) == (
        "10",
        "20.00",
        "12",
        "21.00",
    )
    assert (a_core["volume"], a_core["price"], a_core["change"]) == ("41.00", "11.00", "52.00")
    assert a_core["class"] == "expansion"
    assert items[("A", "analytics")]["product_churn"] == "45.00"  # 5 x 9.00
    assert items[("A", "analytics")]["class"] == "product_churn"
    assert items[("A", "support")]["cross_sell"] == "99.00"
    assert items[("A", "support")]["class"] == "cross_sell"
    assert items[("A", "support")]["q0"] is None
    # B core: volume = (4 - 7) x (25 + 26.25) / 2 = -76.875; price = 1.25 x 11 / 2 = 6.875;
    # -76.875 + 6.875 = -70 = 105 - 175: the halves need a third decimal place.
    b_core = items[("B", "core")]
    assert (b_core["volume"], b_core["price"], b_core["change"]) == ("-76.875", "6.875", "-70.00")
    assert items[("C", "core")]["churn"] == "90.00"
    assert items[("C", "support")]["churn"] == "10.00"
    assert items[("C", "support")]["product_churn"] == "0.00"
    assert items[("D", "core")]["price"] == "-10.00"  # (45 - 50) x (2 + 2) / 2
    assert items[("F", "core")]["class"] == "flat"
    assert not any(c == "E" for c, _ in items)  # new inside the window
    assert ("A", "training") not in items  # free: holds no MRR
    assert ("B", "analytics") not in items  # zero quantity

    totals = doc["totals"][0]
    # S = A 245 + B 175 + C 100 + D 100 + F 40 = 660; E = 351 + 105 + 0 + 90 + 40 = 586.
    assert (totals["starting_mrr"], totals["ending_mrr"], totals["net_change"]) == (
        "660.00",
        "586.00",
        "-74.00",
    )
    # §3: expansion A 106; contraction B 70 + D 10 = 80; churn C 100.
    assert (totals["expansion"], totals["contraction"], totals["churn"]) == (
        "106.00",
        "80.00",
        "100.00",
    )
    # §6: volume 41 | -76.875; price 11 + 6.875 | -10; cross-sell 99; product churn 45.
    assert totals["volume_expansion"] == "41.00"
    assert totals["price_increase"] == "17.875"
    assert totals["cross_sell"] == "99.00"
    assert totals["gross_expansion"] == "157.875"
    assert totals["volume_contraction"] == "76.875"
    assert totals["price_decrease"] == "10.00"
    assert totals["product_churn"] == "45.00"
    assert totals["gross_contraction"] == "131.875"  # 157.875 - 131.875 - 100 = -74
    assert totals["nrr"] == pytest.approx(586 / 660)
    assert totals["nrr_excluding_price"] == pytest.approx((586 - 17.875) / 660)
    assert totals["grr"] == pytest.approx(480 / 660)  # (660 - 100 - 80) / 660
    assert totals["price_share_of_expansion"] == pytest.approx(17.875 / 157.875)
    assert (totals["customers"], totals["retained_customers"]) == (5, 4)

    movements = {r["movement"]: r for r in doc["movements"]}
    assert [r["movement"] for r in doc["movements"]] == [
        "expansion",
        "flat",
        "contraction",
        "churn",
    ]
    # The §3 expansion of A, 106 = volume 41 + price 11 + cross-sell 99 - product churn 45.
    exp = movements["expansion"]
    assert (exp["customers"], exp["change"], exp["volume_effect"], exp["price_effect"]) == (
        1,
        "106.00",
        "41.00",
        "11.00",
    )
    assert (exp["cross_sell"], exp["product_churn"]) == ("99.00", "45.00")
    # The §3 contraction of B and D, -80 = volume -76.875 + price (6.875 - 10).
    con = movements["contraction"]
    assert (con["customers"], con["change"], con["volume_effect"], con["price_effect"]) == (
        2,
        "-80.00",
        "-76.875",
        "-3.125",
    )
    assert (movements["churn"]["change"], movements["churn"]["churn"]) == ("-100.00", "100.00")
    assert (movements["flat"]["customers"], movements["flat"]["change"]) == (1, "0.00")

    products = {r["product"]: r for r in doc["products"]}
    assert sorted(products) == ["analytics", "core", "support"]
    core = products["core"]
    # core: holders A B C D F -> A B D F; 605 -> 487; volume 41 - 76.875; price 11 + 6.875 - 10.
    assert (core["customers_start"], core["customers_end"]) == (5, 4)
    assert (core["quantity_start"], core["quantity_end"]) == ("23", "19")
    assert (core["starting_mrr"], core["ending_mrr"], core["change"]) == (
        "605.00",
        "487.00",
        "-118.00",
    )
    assert (core["volume_effect"], core["price_effect"], core["churn"]) == (
        "-35.875",
        "7.875",
        "90.00",
    )
    assert (products["support"]["cross_sell"], products["support"]["churn"]) == (
        "99.00",
        "10.00",
    )

    customers = {r["customer_id"]: r for r in doc["customers"]}
    assert customers["A"]["class"] == "expansion"
    assert (customers["A"]["products_start"], customers["A"]["products_end"]) == (2, 2)
    assert customers["B"]["volume_contraction"] == "76.875"
    assert customers["B"]["price_increase"] == "6.875"


def test_an_empty_cohort_has_no_rates(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "zero.csv",
        [
            ("a", month("2024-01"), "core", D(0), D("10.00")),
            ("a", month("2024-02"), "core", D(3), D("10.00")),
        ],
    )
    totals = run(path, window=1)["totals"][0]
    assert totals["customers"] == 0
    assert totals["starting_mrr"] == "0.00"
    assert all(totals[rate] is None for rate in RATES)


def test_as_of_picks_the_window(one_customer_per_component: Path) -> None:
    # With as-of 2024-12 and a window of 1 month the cohort month precedes the data.
    with pytest.raises(OptionError, match="window_months"):
        run(one_customer_per_component, window=1, as_of="2024-12")
    with pytest.raises(OptionError, match="as_of"):
        run(one_customer_per_component, window=1, as_of="2026-01")
    with pytest.raises(OptionError, match="1 to 120"):
        run(one_customer_per_component, window=0)


# --- Input the decomposition cannot split --------------------------------------------------


def test_input_without_line_item_columns_names_them(tmp_path: Path) -> None:
    path = tmp_path / "mrr.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,100\na,2024-02,120\n")
    with pytest.raises(InputError, match="product, quantity and unit_price") as info:
        run(path, window=1)
    assert "no column for product, quantity, unit_price" in str(info.value)


def test_input_with_quantity_and_price_but_no_product(tmp_path: Path) -> None:
    path = tmp_path / "qp.csv"
    path.write_text("customer_id,month,quantity,unit_price\na,2024-01,1,100\na,2024-02,1,120\n")
    with pytest.raises(InputError, match="no column for product"):
        run(path, window=1)


def test_subscription_periods_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "periods.csv"
    path.write_text(
        "customer_id,start_date,end_date,product,quantity,unit_price\n"
        "a,2024-01-01,2024-06-01,core,1,10\n"
    )
    with pytest.raises(InputError, match="long layout"):
        run(path, window=1)


def test_several_prices_for_one_product_are_refused_with_where(tmp_path: Path) -> None:
    lines = [
        *mixed_lines(),
        ("B", month("2025-01"), "core", D(2), D("30.00")),  # B core already 4 @ 26.25
    ]
    path = write_lines(tmp_path / "prices.csv", lines)
    with pytest.raises(InputError, match="several unit prices") as info:
        run(path, window=1)
    assert "customer B, 2025-01, product core: 2 prices from 26.25 to 30.00" in str(info.value)


def test_several_prices_outside_the_window_do_not_matter(tmp_path: Path) -> None:
    lines = [
        *mixed_lines(),
        ("B", month("2024-11"), "core", D(2), D("30.00")),
        ("B", month("2024-11"), "core", D(2), D("31.00")),
    ]
    path = write_lines(tmp_path / "outside.csv", lines)
    assert run(path, window=1)["totals"][0]["starting_mrr"] == "660.00"


def test_an_mrr_column_must_equal_quantity_times_price(tmp_path: Path) -> None:
    path = tmp_path / "discount.csv"
    path.write_text(
        "customer_id,month,product,quantity,unit_price,mrr\n"
        "a,2024-01,core,3,25.00,75.00\n"
        "a,2024-02,core,3,25.00,70.00\n"
    )
    with pytest.raises(InputError, match="not quantity x unit_price") as info:
        run(path, window=1)
    assert "customer a, 2024-02, product core: 3 x 25.00 but mrr 70.00" in str(info.value)


def test_a_line_with_mrr_needs_a_product(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(
        "customer_id,month,product,quantity,unit_price\na,2024-01,,3,25.00\na,2024-02,core,3,25\n"
    )
    with pytest.raises(InputError, match="have no product"):
        run(path, window=1)


# --- Generated data: oracle and identities -------------------------------------------------

PRODUCTS = ("core", "addon", "support")
IDS = ("a", "A", "b", "c", "acme", "z-9")
# Each example loads a CSV and runs a dozen engine queries (~0.5 s): few examples, many paths.
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def quantities() -> st.SearchStrategy[Decimal]:
    """Whole seats mostly, sometimes 2-place usage quantities; 0 now and then."""
    return st.one_of(
        st.integers(0, 40).map(Decimal), st.integers(0, 5_000).map(lambda c: D(c).scaleb(-2))
    )


def prices() -> st.SearchStrategy[Decimal]:
    """2-place unit prices, free (0.00) now and then."""
    return st.one_of(st.integers(0, 10_000), st.integers(0, 1_000_000)).map(
        lambda c: D(c).scaleb(-2)
    )


@st.composite
def repriced(draw: st.DrawFn, price: Decimal) -> Decimal:
    """A price moved by -10% .. +10% (rounded to the cent), or a new price altogether."""
    if draw(st.booleans()):
        basis_points = draw(st.integers(-1000, 1000))
        return (price * (10_000 + basis_points) / 10_000).quantize(D("0.01"), ROUND_HALF_UP)
    return draw(prices())


@st.composite
def line_items(draw: st.DrawFn, max_customers: int = 6, max_months: int = 4) -> list[Line]:
    """Customers walking through months: each product kept, resized, repriced, dropped or
    added; some months away (gaps: churn, new, reactivation); a product's quantity split
    over lines of one price; zero-quantity lines at other prices; shuffled."""
    first = datetime.date(draw(st.integers(2022, 2025)), draw(st.integers(1, 12)), 1)
    months = [add_months(first, i) for i in range(draw(st.integers(2, max_months)))]
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=max_customers, unique=True))
    lines: list[Line] = []
    for customer in ids:
        holding: dict[str, tuple[Decimal, Decimal]] = {}
        for m in months:
            for product in PRODUCTS:
                step = draw(st.sampled_from(("keep", "keep", "volume", "price", "both", "drop")))
                if product not in holding:
                    if draw(st.booleans()):
                        holding[product] = (draw(quantities()), draw(prices()))
                    continue
                q, p = holding[product]
                if step == "drop":
                    del holding[product]
                    continue
                if step in ("volume", "both"):
                    q = draw(quantities())
                if step in ("price", "both"):
                    p = draw(repriced(p))
                holding[product] = (q, p)
            if draw(st.integers(0, 4)) == 0:  # a month away: no line at all
                continue
            for product, (q, p) in holding.items():
                cents = int(q.scaleb(2))
                cut = draw(st.integers(0, cents)) if draw(st.booleans()) else cents
                lines.append((customer, m, product, D(cut).scaleb(-2), p))
                if cut != cents:
                    lines.append((customer, m, product, D(cents - cut).scaleb(-2), p))
                if draw(st.integers(0, 5)) == 0:  # a zero line at another price holds nothing
                    lines.append((customer, m, product, D(0), draw(prices())))
    return list(draw(st.permutations(lines)))


@st.composite
def windows(draw: st.DrawFn, lines: list[Line]) -> tuple[datetime.date, int]:
    """An as-of month and a window length that fit the data's own month range."""
    months = sorted({m for _, m, _, _, _ in lines})
    first, last = months[0], months[-1]
    span = (last.year - first.year) * 12 + last.month - first.month
    assume(span >= 1)
    window = draw(st.integers(1, span))
    as_of = add_months(first, draw(st.integers(window, span)))
    return as_of, window


def as_decimal(value: Any, like: Any = None) -> Any:
    """Money and quantity strings as Decimal; names (a class, an id) stay text."""
    return D(value) if isinstance(value, str) and not isinstance(like, str) else value


@SETTINGS
@given(st.data())
def test_engine_equals_oracle(tmp_path: Path, data: st.DataObject) -> None:
    lines = data.draw(line_items())
    assume(lines)
    as_of, window = data.draw(windows(lines))
    with_mrr = data.draw(st.booleans())
    path = write_lines(tmp_path / "lines.csv", lines, with_mrr=with_mrr)
    try:
        expected = oracle_decompose(lines, as_of, window)
    except SeveralPricesError:
        with pytest.raises(InputError, match="several unit prices"):
            run(path, window, period_label(as_of))
        return
    doc = run(path, window, period_label(as_of))

    totals = doc["totals"][0]
    for name, want in expected["totals"].items():
        if name in RATES:
            assert rates_match(totals[name], want), (name, totals[name], want)
        else:
            assert as_decimal(totals[name]) == want, (name, totals[name], want)

    items = {(r["customer_id"], r["product"]): r for r in doc["items"]}
    assert sorted(items) == sorted(expected["items"])
    for key, want in expected["items"].items():
        got = items[key]
        for name, value in want.items():
            assert as_decimal(got[name], value) == value, (key, name, got[name], value)

    customers = {r["customer_id"]: r for r in doc["customers"]}
    assert sorted(customers) == sorted(expected["customers"])
    for key, want in expected["customers"].items():
        for name, value in want.items():
            assert as_decimal(customers[key][name], value) == value, (key, name)

    products = {r["product"]: r for r in doc["products"]}
    assert sorted(products) == sorted(expected["products"])
    for key, want in expected["products"].items():
        for name, value in want.items():
            assert as_decimal(products[key][name], value) == value, (key, name)


@settings(SETTINGS, max_examples=12)
@given(st.data())
def test_identities_hold_on_any_line_items(data: st.DataObject) -> None:
    lines = data.draw(line_items())
    assume(lines)
    as_of, window = data.draw(windows(lines))
    try:
        oracle_decompose(lines, as_of, window)
    except SeveralPricesError:
        assume(False)
    loaded = dataset_of(
        [(c, m, q * p) for c, m, _, q, p in lines],
        line_items={
            "product": [line[2] for line in lines],
            "quantity": [line[3] for line in lines],
            "unit_price": [line[4] for line in lines],
        },
    )
    result = compute_decomposition(loaded, window_months=window, as_of=period_label(as_of))
    doc = decompose_document(result).to_dict()

    # volume + price = q1 p1 - q0 p0, exactly, for every customer and product.
    for row in doc["items"]:
        if row["q0"] is not None and row["q1"] is not None:
            q0, p0, q1, p1 = (D(row[k]) for k in ("q0", "p0", "q1", "p1"))
            assert D(row["volume"]) + D(row["price"]) == q1 * p1 - q0 * p0
            assert D(row["change"]) == q1 * p1 - q0 * p0

    # The components add up to E - S, in total and per customer (b - a).
    text = ("as_of", "cohort_month", "method")
    t = {k: v if k in text else as_decimal(v) for k, v in doc["totals"][0].items()}
    net = t["ending_mrr"] - t["starting_mrr"]
    up = t["volume_expansion"] + t["price_increase"] + t["cross_sell"]
    down = t["volume_contraction"] + t["price_decrease"] + t["product_churn"] + t["churn"]
    assert up - down == net
    assert t["expansion"] - t["contraction"] - t["churn"] == net
    for c in doc["customers"]:
        c_up = sum(D(c[k]) for k in ("volume_expansion", "price_increase", "cross_sell"))
        c_down = sum(D(c[k]) for k in COMPONENTS[3:])
        assert c_up - c_down == D(c["ending_mrr"]) - D(c["starting_mrr"]) == D(c["change"])
    assert sum(D(m["change"]) for m in doc["movements"]) == net
    assert sum(D(p["change"]) for p in doc["products"]) == net

    # NRR excluding price increases is never above NRR; GRR never above NRR or 1.
    if t["customers"]:
        assert t["nrr_excluding_price"] <= t["nrr"]
        assert t["grr"] <= min(t["nrr"], 1.0)

    # S, E and the §3 movements are those of `retention metrics` for the same window.
    retention = compute_metrics(loaded, window_months=[window]).retention.to_pylist()
    row = next(r for r in retention if r["as_of_index"] == result.as_of)
    for name in ("starting_mrr", "ending_mrr", "expansion", "contraction", "churn"):
        assert t[name] == row[name], name
    assert (t["customers"], t["retained_customers"]) == (
        row["customers"],
        row["retained_customers"],
    )


def test_oracle_agrees_with_the_hand_case() -> None:
    expected = oracle_decompose(mixed_lines(), month("2025-01"), 1)
    assert expected["totals"]["price_increase"] == D("17.875")
    assert expected["totals"]["nrr_excluding_price"] == Fraction("568.125") / 660
    assert expected["items"][("B", "core")]["volume"] == D("-76.875")
