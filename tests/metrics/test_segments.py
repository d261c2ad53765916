"""Breakdowns by attribute (--by): start-of-window groups, transfers, groups add to the total."""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.oracle import period_label
from tests.oracle_segments import SegRow, oracle_bridge_by, oracle_retention_by
from tests.strategies import Dataset, mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.errors import OptionError
from revenue_retention.metrics import bridge, retention
from revenue_retention.metrics.groups import band_labels, check_groups

GROUPS = ("SMB", "Mid", "Ent")


def write_segmented(rows: list[SegRow], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "month", "mrr", "segment"])
        for customer, month, amount, group in rows:
            writer.writerow([customer, period_label(month), f"{amount:f}", group])
    return path


def test_a_customer_moving_segment_transfers_its_mrr(tmp_path: Path) -> None:
    # x pays 100 as SMB in January, 150 as Ent in February: SMB loses 100 by transfer,
    # Ent gains 100 by transfer and 50 of expansion. y stays SMB at 40.
    path = write_segmented(
        [
            ("x", datetime.date(2024, 1, 1), Decimal(100), "SMB"),
            ("x", datetime.date(2024, 2, 1), Decimal(150), "Ent"),
            ("y", datetime.date(2024, 1, 1), Decimal(40), "SMB"),
            ("y", datetime.date(2024, 2, 1), Decimal(40), "SMB"),
        ],
        tmp_path / "seg.csv",
    )
    data = rr.load(path)
    rows = {r["segment"]: r for r in bridge(data, by=["segment"]).to_pyarrow().to_pylist()}
    assert rows["SMB"]["opening_mrr"] == 140 and rows["SMB"]["transfer_out"] == 100
    assert rows["SMB"]["closing_mrr"] == 40 and rows["SMB"]["expansion"] == 0
    assert rows["Ent"]["opening_mrr"] == 0 and rows["Ent"]["transfer_in"] == 100
    assert rows["Ent"]["expansion"] == 50 and rows["Ent"]["closing_mrr"] == 150
    # Retention groups by the segment at the start of the window: x counts in SMB.
    ret = retention(data, windows=[1], by=["segment"]).to_pyarrow().to_pylist()
    assert [(r["segment"], r["customers"]) for r in ret] == [("SMB", 2)]
    assert ret[0]["starting_mrr"] == 140 and ret[0]["ending_mrr"] == 190  # nrr 190/140


def test_size_band_uses_the_starting_mrr(tmp_path: Path) -> None:
    # a starts at 50 (band < 100) and grows to 5000: it stays in the first band for retention.
    path = write_segmented(
        [
            ("a", datetime.date(2024, 1, 1), Decimal(50), "S"),
            ("a", datetime.date(2024, 2, 1), Decimal(5000), "S"),
        ],
        tmp_path / "bands.csv",
    )
    data = rr.load(path)
    ret = retention(data, windows=[1], by=["size_band"]).to_pyarrow().to_pylist()
    assert [r["size_band"] for r in ret] == ["1: < 100"]
    moves = bridge(data, by=["size_band"]).to_pyarrow().to_pylist()
    by_band = {r["size_band"]: r for r in moves}
    assert by_band["1: < 100"]["transfer_out"] == 50
    assert by_band["3: 1k - < 10k"]["transfer_in"] == 50
    assert by_band["3: 1k - < 10k"]["expansion"] == 4950


def test_band_labels_and_unknown_groups() -> None:
    assert band_labels([Decimal(100)]) == ["1: < 100", "2: >= 100"]
    with pytest.raises(OptionError, match="did you mean 'segment'"):
        check_groups(["segmnt"], ["segment", "plan"])
    with pytest.raises(OptionError, match="twice"):
        check_groups(["plan", "plan"], ["plan"])


@st.composite
def segmented(draw: st.DrawFn) -> tuple[Dataset, list[SegRow]]:
    data = draw(mrr_rows(max_customers=6, max_months=14))
    # One group per customer-month (line items share it); customers may change group.
    groups: dict[tuple[str, datetime.date], str] = {}
    for customer, month, _ in data.rows:
        groups.setdefault((customer, month), draw(st.sampled_from(GROUPS)))
    rows = [(c, m, a, groups[(c, m)]) for c, m, a in data.rows]
    return data, rows


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(segmented())
def test_segmented_figures_equal_the_oracle_and_add_up(case: tuple[Dataset, list[SegRow]]) -> None:
    _, rows = case
    assume(rows)

    loaded = dataset_of(
        [(c, m, a) for c, m, a, _ in rows], attributes={"segment": [g for *_, g in rows]}
    )
    first = min(m for _, m, _, _ in rows)
    last = max(m for _, m, _, _ in rows)

    got_bridge = bridge(loaded, by=["segment"]).to_pyarrow().to_pylist()
    total_bridge = bridge(loaded).to_pyarrow().to_pylist()
    expected = oracle_bridge_by(rows, first, last)
    for r in got_bridge:
        key = (period_label(r["period"]), r["segment"])
        want = expected.get(key)
        if want is None:  # a group with nothing that month: all zero
            assert all(r[k] == 0 for k in ("opening_mrr", "closing_mrr", "new", "churn"))
            continue
        assert {k: r[k] for k in want} == want, key
    # Groups add up to the total, transfers cancel out.
    for total in total_bridge:
        parts = [r for r in got_bridge if r["month_index"] == total["month_index"]]
        for name in (
            "opening_mrr",
            "new",
            "reactivation",
            "expansion",
            "contraction",
            "churn",
            "closing_mrr",
        ):
            assert sum(p[name] for p in parts) == total[name]
        assert sum(p["transfer_in"] for p in parts) == sum(p["transfer_out"] for p in parts)

    for window in (1, 3):
        got = retention(loaded, windows=[window], by=["segment"]).to_pyarrow().to_pylist()
        want_ret = oracle_retention_by(rows, first, last, window)
        assert len(got) == len(want_ret)
        for r in got:
            want = want_ret[(period_label(r["as_of"]), r["segment"])]
            for name in (
                "customers",
                "starting_mrr",
                "ending_mrr",
                "churn",
                "contraction",
                "expansion",
            ):
                assert r[name] == want[name]
            for name in ("grr", "nrr"):
                assert abs(Fraction(r[name]) - want[name]) <= Fraction(1, 10**12) * max(
                    1, abs(want[name])
                )
