"""What the input report says about valid data: repeats, roles read, annual payments.

Each case is shaped like a real export (RavenStack's subscriptions, an invoice export
without service periods, Stripe's invoice lines); the expected words and figures are
worked out in comments.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import ibis
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tests.oracle import recurring_warning_start

from revenue_retention import compute_metrics, load
from revenue_retention.canonical.notices import recurring_payments
from revenue_retention.datasets import example_path


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def warnings_about(path: Path, words: str, **options: object) -> list[str]:
    return [w for w in load(path, **options).report.warnings if words in w]  # type: ignore[arg-type]


def test_subscriptions_differing_only_in_their_id_are_not_repeats(tmp_path: Path) -> None:
    # Two subscriptions of one account, same dates and amount: different subscriptions
    # (S1, S2), both real. Without the id column the rows are the same, and said to be.
    header = "subscription_id,account_id,start_date,end_date,mrr_amount"
    rows = ["S1,A,2024-01-01,,100", "S2,A,2024-01-01,,100"]
    with_ids = write_csv(tmp_path / "ids.csv", header, *rows)
    assert warnings_about(with_ids, "repeat another row") == []
    without = write_csv(
        tmp_path / "no_ids.csv",
        "account_id,start_date,end_date,mrr_amount",
        *[r.split(",", 1)[1] for r in rows],
    )
    (warning,) = warnings_about(without, "repeat another row")
    assert warning.startswith("1 row(s) repeat another row exactly")
    # Either way both are counted: 200 a month.
    assert load(with_ids).table.mrr.sum().to_pyarrow().as_py() == Decimal(200)


def test_stripe_invoice_lines_differing_in_their_line_id_are_not_repeats(tmp_path: Path) -> None:
    # The example export's first line, twice: the same line id is a repeat; a second
    # line of the same invoice (another id, il_2) is not.
    lines = example_path("stripe_invoice_lines.csv").read_text().splitlines()
    header, first = lines[0], lines[1]
    copy = write_csv(tmp_path / "copy.csv", header, first, first)
    assert len(warnings_about(copy, "repeat another row")) == 1
    second = first.replace("il_1OaA01", "il_2", 1)
    assert second != first
    other = write_csv(tmp_path / "other.csv", header, first, second)
    assert warnings_about(other, "repeat another row") == []


def test_roles_read_from_other_names_are_said(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "seats.csv",
        "account_id,month,mrr,seats,plan",
        "a,2024-01,100,10,pro",
    )
    (note,) = warnings_about(path, "columns read by their names")
    assert "'account_id' as customer_id" in note and "'seats' as quantity" in note
    assert "'mrr'" not in note  # the role's own name: nothing to say
    assert "--column ROLE=COLUMN" in note
    # A role named by the user is not inferred: not said.
    given = warnings_about(path, "columns read by their names", columns={"quantity": "seats"})
    assert given and "seats" not in given[0]
    canonical = write_csv(tmp_path / "plain.csv", "customer_id,month,mrr", "a,2024-01,1")
    assert warnings_about(canonical, "columns read by their names") == []


def _annual_invoices(tmp_path: Path, *extra: str) -> Path:
    # Five customers each pay 24,000 once a year, in January 2023 and January 2024.
    rows = [f"c{i},2023-01-15,24000{extra[0] if extra else ''}" for i in range(5)]
    rows += [f"c{i},2024-01-15,24000{extra[0] if extra else ''}" for i in range(5)]
    header = "Customer,Invoice Date,Amount" + (",interval" if extra else "")
    return write_csv(tmp_path / "annual.csv", header, *rows)


def test_amounts_paid_once_a_year_are_said_to_be_annual(tmp_path: Path) -> None:
    path = _annual_invoices(tmp_path)
    data = load(path)
    # Read as invoices dated in their month (the invoice date is the month).
    assert data.report.layout == "long"
    assert data.report.columns["month"] == "Invoice Date"
    (warning,) = [w for w in data.report.warnings if "once every 12 months" in w]
    assert warning.startswith("5 of 5 customers pay once every 12 months")
    assert "service_start and service_end" in warning and "interval = year" in warning
    # What that reading gives, month by month: 120,000 of churn in February 2023 and
    # 120,000 back as reactivation in January 2024.
    bridge = {
        r["month_index"]: r for r in compute_metrics(data, window_months=[1]).bridge.to_pylist()
    }
    assert bridge[data.months.first + 1]["churn"] == Decimal(120000)
    assert bridge[data.months.last]["reactivation"] == Decimal(120000)


def test_a_billing_interval_spreads_each_invoice_over_the_months_it_pays_for(
    tmp_path: Path,
) -> None:
    # The same invoices with interval = year: each 24,000 pays for 12 months from its
    # date (Jan 15 to Jan 15: January .. December with the last-day snapshot), 2,000 a
    # month: five customers at 2,000 = 10,000 in every month, no churn, no warning. The
    # latest invoice (2024-01-15) dates the data: the analysis ends at 2023-12.
    path = _annual_invoices(tmp_path, ",year")
    data = load(path)
    assert data.report.layout == "invoices"
    assert not [w for w in data.report.warnings if "once every" in w]
    mrr = {
        (r["customer_id"], r["month_index"]): r["mrr"] for r in data.table.to_pyarrow().to_pylist()
    }
    assert set(mrr.values()) == {Decimal(2000)}
    assert len({m for _, m in mrr}) == 12  # Jan 2023 .. Dec 2023
    bridge = compute_metrics(data, window_months=[1]).bridge.to_pylist()
    assert {(r["churn"], r["reactivation"], r["closing_mrr"]) for r in bridge} == {
        (Decimal(0), Decimal(0), Decimal(10000))
    }


def test_quarterly_payments_are_said_to_be_quarterly(tmp_path: Path) -> None:
    rows = [f"q,2024-{m:02d}-01,900" for m in (1, 4, 7, 10)] + ["m,2024-01-01,10"]
    path = write_csv(tmp_path / "q.csv", "customer_id,date,amount", *rows)
    (warning,) = warnings_about(path, "once every 3 months")
    assert warning.startswith("1 of 2 customers pay once every 3 months")
    assert "interval = quarter" in warning


# A customer's months: a first month (January 2020 is 24240, any residue modulo 12) and
# steps from it. Steps that are multiples of 3 summing to 12 per step (3 then 21, 6 then
# 18) agree modulo 3 and span as much as yearly payments do, without being yearly; steps
# of 2 then 4 span as much as quarterly payments do, without being quarterly.
months_of_a_customer = st.builds(
    lambda first, steps: {first + sum(steps[:i]) for i in range(len(steps) + 1)},
    st.integers(24240, 24251),
    st.lists(st.sampled_from([1, 2, 3, 4, 6, 9, 12, 15, 18, 21, 24]), max_size=4),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example([{24240, 24243, 24264}], Decimal("10"))  # steps 3 and 21: neither yearly nor quarterly
@example([{24240, 24242, 24246}], Decimal("10"))  # steps 2 and 4: not quarterly
@example([{24241, 24244, 24247}, {24240}], Decimal("0"))  # one of one pays every 3 months
@example([{24240, 24243, 24246}, {24241, 24253}], Decimal("10"))  # one of each: 12 said
@given(
    st.lists(months_of_a_customer, min_size=1, max_size=4),
    st.sampled_from([Decimal("0"), Decimal("10")]),
)
def test_payments_every_12_or_3_months_are_found_as_the_steps_between_them_say(
    customers: list[set[int]], first_amount: Decimal
) -> None:
    # A customer's first month carries ``first_amount``: 0 (not a paying month) or 10.
    rows = [
        {
            "customer_id": f"c{i}",
            "month_index": m,
            "mrr": first_amount if m == min(ms) else Decimal(5),
        }
        for i, ms in enumerate(customers)
        for m in sorted(ms)
    ]
    table = ibis.memtable(
        rows, schema={"customer_id": "string", "month_index": "int64", "mrr": "decimal(38, 6)"}
    )
    paying = {
        f"c{i}": {m for m in ms if first_amount or m != min(ms)} for i, ms in enumerate(customers)
    }
    paying = {c: ms for c, ms in paying.items() if ms}
    expected = recurring_warning_start(paying)
    found = recurring_payments(table)
    if expected is None:
        assert found == []
    else:
        (warning,) = found
        assert warning.startswith(expected)
