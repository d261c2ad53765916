"""Tests of several currencies: rates, rejects, constant-currency and spot retention, FX bridge."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from tests.strategies import Dataset, mrr_rows

from revenue_retention import compute_metrics, load, to_json
from revenue_retention.datasets import example_path
from revenue_retention.errors import BadRowsError, OptionError, SourceError
from revenue_retention.periods import month_label


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def eur_customer(tmp_path: Path) -> tuple[Path, Path]:
    data = write_csv(
        tmp_path / "mrr.csv",
        "customer_id,month,mrr,currency",
        "berlin,2024-01,1000,EUR",
        "berlin,2024-02,1000,EUR",
    )
    rates = write_csv(
        tmp_path / "rates.csv",
        "date,currency,rate_to_reporting",
        "2024-01-01,EUR,1.10",
        "2024-02-01,EUR,1.0617",
    )
    return data, rates


def test_the_published_example(tmp_path: Path) -> None:
    # EUR 1,000 while EUR/USD moves from 1.10 to 1.0617: at spot 1,061.70 / 1,100 = 96.52%,
    # in constant currency 1,100 / 1,100 = 100%.
    data, rates = eur_customer(tmp_path)
    result = compute_metrics(
        load(data, fx_rates=rates, reporting_currency="USD"), window_months=[1]
    )
    [constant] = result.retention.to_pylist()
    [spot] = result.retention_spot.to_pylist()  # type: ignore[union-attr]
    assert constant["nrr"] == 1.0
    assert round(spot["nrr"] * 100, 2) == 96.52
    assert spot["ending_mrr"] == Decimal("1061.70")
    assert spot["fx_effect"] == Decimal("-38.30")
    [bridge] = result.bridge.to_pylist()
    assert (bridge["opening_mrr"], bridge["fx"], bridge["closing_mrr"]) == (
        Decimal("1100"),
        Decimal("-38.30"),
        Decimal("1061.70"),
    )
    assert bridge["contraction"] == 0  # the rate move is not a contraction


def test_the_json_says_the_basis_of_every_figure(tmp_path: Path) -> None:
    data, rates = eur_customer(tmp_path)
    document = json.loads(
        to_json(
            compute_metrics(load(data, fx_rates=rates, reporting_currency="USD"), window_months=[1])
        )
    )
    assert document["currency"]["reporting_currency"] == "USD"
    assert set(document["currency"]["basis"]) == {"retention", "retention_spot", "bridge"}
    assert document["retention"][0]["currency_basis"] == "constant"
    assert document["retention_spot"][0]["currency_basis"] == "spot"
    assert document["retention_spot"][0]["fx_effect"] == "-38.30"
    assert document["bridge"][0]["fx"] == "-38.30"
    assert document["input"]["currency"]["money_by_currency"] == {
        "EUR": {"read": "2000.00", "accepted": "2000.00", "rejected": "0.00"}
    }


def test_fixed_rates_need_no_file(tmp_path: Path) -> None:
    data, _ = eur_customer(tmp_path)
    result = compute_metrics(
        load(data, fixed_rates={"EUR": Decimal("1.2")}, reporting_currency="USD"), window_months=[1]
    )
    [row] = result.retention.to_pylist()
    assert row["starting_mrr"] == Decimal(1200) and row["nrr"] == 1.0
    assert result.bridge.to_pylist()[0]["fx"] == 0


def test_the_multi_currency_example_by_hand() -> None:
    data = load(
        example_path("multi_currency.csv"),
        fx_rates=example_path("fx_rates.csv"),
        reporting_currency="USD",
    )
    result = compute_metrics(data, window_months=[3])
    [constant] = result.retention.to_pylist()  # 2024-04 against 2024-01
    [spot] = result.retention_spot.to_pylist()  # type: ignore[union-attr]
    # January at January rates: berlin 1000 x 1.10, london 800 x 1.27, austin 1500 USD.
    assert constant["starting_mrr"] == spot["starting_mrr"] == Decimal(3616)
    # April at January rates: berlin 1100, london 900 x 1.27 = 1143, austin churned.
    assert constant["ending_mrr"] == Decimal(2243)
    assert (constant["churn"], constant["expansion"]) == (Decimal(1500), Decimal(127))
    # April at April rates: berlin 1000 x 1.07 = 1070, london 900 x 1.24 = 1116.
    assert spot["ending_mrr"] == Decimal(2186)
    assert spot["fx_effect"] == Decimal(-57)
    assert (spot["contraction"], spot["expansion"]) == (Decimal(30), Decimal(100))
    # April's bridge: movements at March rates (berlin 1061.70, london 1125, paris 637.02
    # unchanged, austin churns 1500); fx = 8.30 - 9 + 4.98 = 4.28.
    april = result.bridge.to_pylist()[-1]
    assert month_label(april["month_index"]) == "2024-04"
    assert april["opening_mrr"] == Decimal("4323.72")
    assert (april["churn"], april["expansion"], april["contraction"]) == (Decimal(1500), 0, 0)
    assert april["fx"] == Decimal("4.28")
    assert april["closing_mrr"] == Decimal(2828)


def test_every_bridge_month_closes_with_the_fx_line() -> None:
    data = load(
        example_path("multi_currency.csv"),
        fx_rates=example_path("fx_rates.csv"),
        reporting_currency="USD",
    )
    for row in compute_metrics(data, window_months=[1]).bridge.to_pylist():
        moved = (
            row["new"] + row["reactivation"] + row["expansion"] - row["contraction"] - row["churn"]
        )
        assert row["opening_mrr"] + moved + row["fx"] == row["closing_mrr"]


def test_a_missing_rate_is_a_bad_row_with_its_reason(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "mrr.csv",
        "customer_id,month,mrr,currency",
        "a,2024-01,100,USD",
        "b,2024-01,200,GBP",
        "c,2023-12,50,EUR",
        "c,2024-01,50,EUR",
    )
    rates = write_csv(
        tmp_path / "rates.csv", "date,currency,rate_to_reporting", "2024-01-01,EUR,1.1"
    )
    with pytest.raises(BadRowsError) as error:
        load(data, fx_rates=rates, reporting_currency="USD")
    message = str(error.value)
    assert "line 3, column 'currency': 'GBP': no exchange rate" in message
    assert "line 4, column 'currency': 'EUR'" in message  # December: before the first rate
    assert "[missing_fx_rate]" in message
    kept = load(data, fx_rates=rates, reporting_currency="USD", on_bad_rows="reject")
    assert kept.report.rejected_by_reason == {"missing_fx_rate": 2}
    money = kept.report.currency["money_by_currency"]  # type: ignore[index]
    assert money["GBP"] == {"read": "200.00", "accepted": "0.00", "rejected": "200.00"}
    assert money["EUR"] == {"read": "100.00", "accepted": "50.00", "rejected": "50.00"}


def test_several_currencies_need_a_reporting_currency(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "mrr.csv", "customer_id,month,mrr,currency", "a,2024-01,1,USD", "b,2024-01,1,EUR"
    )
    with pytest.raises(OptionError, match="reporting_currency"):
        load(data)


def test_one_currency_needs_no_rates_and_changes_nothing(tmp_path: Path) -> None:
    plain = write_csv(
        tmp_path / "plain.csv", "customer_id,month,mrr", "a,2024-01,10", "a,2024-02,12"
    )
    coded = write_csv(
        tmp_path / "coded.csv",
        "customer_id,month,mrr,currency",
        "a,2024-01,10,eur",
        "a,2024-02,12,EUR",
    )
    with_code = load(coded)
    assert with_code.fx is None
    assert with_code.report.currency["reporting_currency"] == "EUR"  # type: ignore[index]
    left = json.loads(to_json(compute_metrics(load(plain), window_months=[1])))
    right = json.loads(to_json(compute_metrics(with_code, window_months=[1])))
    assert (left["bridge"], left["retention"]) == (right["bridge"], right["retention"])


def test_rates_without_a_currency_column_are_refused(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "mrr.csv", "customer_id,month,mrr", "a,2024-01,10")
    with pytest.raises(OptionError, match="needs a currency column"):
        load(data, fixed_rates={"EUR": Decimal(1)})


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("2024-01-01,EURO,1.1", "not a currency code"),
        ("2024-13-01,EUR,1.1", "not a date"),
        ("2024-01-01,EUR,-1", "not a positive decimal rate"),
        ('2024-01-01,EUR,"1,1"', "not a positive decimal rate"),
        ("2024-01-01,EUR,1,1", "more or fewer values than the header has columns"),
    ],
)
def test_a_bad_rates_file_names_its_line(tmp_path: Path, line: str, why: str) -> None:
    data, _ = eur_customer(tmp_path)
    rates = write_csv(tmp_path / "rates.csv", "date,currency,rate_to_reporting", line)
    with pytest.raises(SourceError, match=f"(line 2: .*)?{why}"):
        load(data, fx_rates=rates, reporting_currency="USD")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dataset=mrr_rows(max_customers=5, max_months=8))
def test_with_every_rate_1_constant_currency_equals_single_currency(
    tmp_path_factory: pytest.TempPathFactory, dataset: Dataset
) -> None:
    assume(dataset.rows)
    folder = tmp_path_factory.mktemp("fx")
    plain = ["customer_id,month,mrr"]
    coded = ["customer_id,month,mrr,currency"]
    for i, (customer, month, mrr) in enumerate(dataset.rows):
        plain.append(f"{customer},{month:%Y-%m},{mrr}")
        coded.append(f"{customer},{month:%Y-%m},{mrr},{('EUR', 'GBP', 'USD')[i % 3]}")
    single = load(write_csv(folder / "plain.csv", *plain))
    several = load(
        write_csv(folder / "coded.csv", *coded),
        fixed_rates={"EUR": Decimal(1), "GBP": Decimal(1)},
        reporting_currency="USD",
    )
    windows = [1, 3]
    expected = compute_metrics(single, window_months=windows).retention
    result = compute_metrics(several, window_months=windows)
    if several.fx is None:  # every row happened to be in USD
        return
    assert result.retention.select(expected.column_names).equals(expected)
    assert result.retention_spot.select(expected.column_names).equals(expected)  # type: ignore[union-attr]
