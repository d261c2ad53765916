"""Churn by reason: worked by hand, against an independent oracle, and through the CLI."""

from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import Dataset, mrr_rows
from tests.tables import dataset_of
from typer.testing import CliRunner

import revenue_retention as rr
from revenue_retention.analyses.churn_reasons import (
    INVOLUNTARY_WORDS,
    PAUSED_WORDS,
    UNEXPLAINED_WORDS,
    churn_by_reason,
    reason_column,
)
from revenue_retention.cli import app
from revenue_retention.errors import OptionError
from revenue_retention.periods import month_index

# Feb: b pauses (50, its 0 row says paused), d stops with nothing said (20, "active").
# Mar: a's card fails (100, its 0 row says past_due), c cancels in its last paying month
# (30, "Canceled"), e stops (10, "active"); b resumes at 60 after its paused month, d
# comes back at 20 after a month with no row.
LONG = """customer_id,month,mrr,status
a,2024-01,100,active
a,2024-02,100,active
a,2024-03,0,past_due
b,2024-01,50,active
b,2024-02,0,paused
b,2024-03,60,active
c,2024-01,30,active
c,2024-02,30,Canceled
d,2024-01,20,active
d,2024-03,20,active
e,2024-02,10,active
"""


def _load(tmp_path: Path, text: str, name: str = "mrr.csv") -> rr.Dataset:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return rr.load(path)


def _by_month(data: rr.Dataset, column: str) -> dict[str, dict[str, object]]:
    rows = churn_by_reason(data, column).to_pyarrow().to_pylist()
    return {f"{r['month_index'] // 12}-{r['month_index'] % 12 + 1:02d}": r for r in rows}


def test_each_months_churn_by_reason_worked_by_hand(tmp_path: Path) -> None:
    data = _load(tmp_path, LONG)
    assert reason_column(data) == "status"
    got = _by_month(data, "status")
    d = Decimal
    feb, mar = got["2024-02"], got["2024-03"]
    assert (feb["churn_voluntary"], feb["churn_involuntary"]) == (d(0), d(0))
    assert (feb["churn_paused"], feb["churn_unexplained"], feb["churn"]) == (d(50), d(20), d(70))
    assert (feb["customers_paused"], feb["customers_unexplained"]) == (1, 1)
    assert (mar["churn_voluntary"], mar["churn_involuntary"]) == (d(30), d(100))
    assert (mar["churn_paused"], mar["churn_unexplained"], mar["churn"]) == (d(0), d(10), d(140))
    assert (mar["reactivation"], mar["reactivation_resumed"]) == (d(80), d(60))
    assert mar["reactivation_excluding_resumed"] == d(20)
    assert feb["churn_excluding_paused"] == d(20)
    # The bridge's own churn and reactivation, to the cent.
    bridge = rr.compute_metrics(data, window_months=1).bridge.to_pylist()
    assert [b["churn"] for b in bridge] == [d(70), d(140)]
    assert [b["reactivation"] for b in bridge] == [d(0), d(80)]


def test_subscription_periods_take_the_reason_of_their_last_month(tmp_path: Path) -> None:
    text = (
        "subscription_id,customer_id,start_date,end_date,monthly_amount,cancellation_reason\n"
        "1,a,2024-01-01,2024-03-01,100,Payment Failed\n"
        "2,b,2024-01-01,2024-03-01,40,switched to a competitor\n"
        "3,c,2024-01-01,2024-03-01,25,\n"
        "4,k,2024-01-01,,5,\n"
        "5,z,2024-06-01,,7,\n"  # a later start: the data is observed to 2024-06
    )
    data = _load(tmp_path, text, "periods.csv")
    assert reason_column(data) == "cancellation_reason"
    rows = churn_by_reason(data, "cancellation_reason").to_pyarrow().to_pylist()
    churned = [r for r in rows if r["churn"] > 0]
    assert len(churned) == 1  # the three end together; k keeps paying
    month = churned[0]
    assert month["churn_involuntary"] == Decimal(100)
    assert month["churn_voluntary"] == Decimal(40)
    assert month["churn_unexplained"] == Decimal(25)
    assert month["churned_customers"] == 3


def test_a_named_column_must_be_an_attribute(tmp_path: Path) -> None:
    data = _load(tmp_path, LONG)
    try:
        reason_column(data, "plan")
    except OptionError as error:
        assert error.parameter == "churn_reason" and "status" in str(error)
    else:
        raise AssertionError("an unknown column was accepted")
    assert reason_column(_load(tmp_path, "customer_id,month,mrr\na,2024-01,1\n", "x.csv")) is None


def _kind(value: str | None) -> str:
    """The classification, written again in Python (the oracle)."""
    if value is None:
        return "unexplained"
    text = re.sub(r"[^a-z0-9]+", "_", value.strip().lower())
    if text in UNEXPLAINED_WORDS:
        return "unexplained"
    if text in PAUSED_WORDS:
        return "paused"
    if any(word in text for word in INVOLUNTARY_WORDS):
        return "involuntary"
    return "voluntary"


def _oracle(
    rows: list[tuple[str, datetime.date, Decimal]], statuses: list[str]
) -> dict[int, dict[str, Decimal]]:
    mrr: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    said: dict[tuple[str, int], list[str]] = defaultdict(list)  # a month's rows' statuses
    for (customer, month, amount), status in zip(rows, statuses, strict=True):
        key = (customer, month_index(month.year, month.month))
        mrr[key] += amount
        said[key].append(status)
    status_of = {key: min(said[key]) for key in mrr}
    months = sorted({m for _, m in mrr})
    customers = sorted({c for c, _ in mrr})
    out: dict[int, dict[str, Decimal]] = {}
    for m in range(months[0] + 1, months[-1] + 1):
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for c in customers:
            before, now = mrr.get((c, m - 1), Decimal(0)), mrr.get((c, m), Decimal(0))
            if before > 0 and now <= 0:
                stated = _kind(status_of[(c, m)]) if (c, m) in mrr else "unexplained"
                kind = stated if stated != "unexplained" else _kind(status_of[(c, m - 1)])
                sums["churn"] += before
                sums[f"churn_{kind}"] += before
            paid_before = any(mrr.get((c, k), Decimal(0)) > 0 for k in range(months[0], m - 1))
            if now > 0 and before <= 0 and paid_before:
                sums["reactivation"] += now
                if (c, m - 1) in mrr and _kind(status_of[(c, m - 1)]) == "paused":
                    sums["reactivation_resumed"] += now
        out[m] = sums
    return out


STATUSES = st.sampled_from(
    [None, "active", "canceled", "past_due", "paused", "Too Expensive", "unpaid", "trialing"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrr_rows(max_customers=6, max_months=10), st.data())
def test_the_reasons_add_up_to_the_bridge_and_match_the_oracle(
    data: Dataset, draw: st.DataObject
) -> None:
    if not data.rows:
        return
    statuses = draw.draw(st.lists(STATUSES, min_size=len(data.rows), max_size=len(data.rows)))
    values = ["" if s is None else s for s in statuses]
    dataset = dataset_of(data.rows, attributes={"status": values})
    got = churn_by_reason(dataset, "status").to_pyarrow().to_pylist()
    bridge = {
        r["month_index"]: r
        for r in rr.compute_metrics(
            dataset, window_months=1, churn_reason="status"
        ).bridge.to_pylist()
    }
    # An empty status is a value like any other (the smallest): the engine's min() keeps it.
    expected = _oracle(data.rows, values)
    for row in got:
        kinds = ("voluntary", "involuntary", "paused", "unexplained")
        assert sum(row[f"churn_{k}"] for k in kinds) == row["churn"]
        assert sum(row[f"customers_{k}"] for k in kinds) == row["churned_customers"]
        assert row["churn"] == bridge[row["month_index"]]["churn"]
        assert row["reactivation"] == bridge[row["month_index"]]["reactivation"]
        oracle = expected.get(row["month_index"], {})
        for name in ("churn", *(f"churn_{k}" for k in kinds), "reactivation_resumed"):
            assert row[name] == oracle.get(name, Decimal(0)), (row["month_index"], name)


def test_the_command_shows_and_writes_the_split(tmp_path: Path) -> None:
    path = tmp_path / "mrr.csv"
    path.write_text(LONG, encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(app, ["metrics", str(path), "--windows", "1"], env={"COLUMNS": "100"})
    assert shown.exit_code == 0, shown.output
    assert "churn by reason (column 'status')" in shown.stdout
    written = runner.invoke(app, ["metrics", str(path), "--windows", "1", "-f", "json"])
    document = json.loads(written.stdout)
    assert document["churn_reason_column"] == "status"
    assert document["churn_reasons"][1]["churn_involuntary"] == "100.00"
    arr = runner.invoke(app, ["metrics", str(path), "-w", "1", "-f", "json", "--unit", "arr"])
    assert json.loads(arr.stdout)["churn_reasons"][1]["churn_involuntary"] == "1200.00"
    refused = runner.invoke(app, ["metrics", str(path), "--churn-reason", "plan"])
    assert refused.exit_code == 1 and "--churn-reason" in refused.stderr


def test_the_chart_draws_each_reason_from_the_split(tmp_path: Path) -> None:
    from revenue_retention.outputs.metrics.reasons import churn_reasons_chart

    chart = churn_reasons_chart(rr.compute_metrics(_load(tmp_path, LONG), window_months=1))
    traces = {trace.meta["field"]: trace for trace in chart.figure.data}
    assert list(traces["churn_involuntary"].x) == ["2024-02", "2024-03"]
    assert [c[0] for c in traces["churn_involuntary"].customdata] == ["0.00", "100.00"]
    assert [c[0] for c in traces["churn_paused"].customdata] == ["50.00", "0.00"]
    assert chart.rows[1][:2] == ("2024-03", "140.00")
    assert chart.rows[1][-1] == "60.00"  # resumed after the pause
    no_reason = _load(tmp_path, "customer_id,month,mrr\na,2024-01,1\na,2024-02,2\n", "n.csv")
    try:
        churn_reasons_chart(rr.compute_metrics(no_reason, window_months=1))
    except OptionError as error:
        assert "no status or reason column" in str(error)
    else:
        raise AssertionError("a chart without a reason column")


def test_growth_names_the_reason_column_it_reads(tmp_path: Path) -> None:
    """Growth's note points to the churn split when the input says why, names no split
    it cannot make otherwise."""
    with_status = rr.compute_growth(_load(tmp_path, LONG), window_months=1)
    assert "the column status" in with_status.notes["churn_reasons"]
    without = "\n".join(line.rsplit(",", 1)[0] for line in LONG.splitlines()) + "\n"
    plain = rr.compute_growth(_load(tmp_path, without, "plain.csv"), window_months=1)
    assert plain.notes["churn_reasons"].endswith("this input has none")
