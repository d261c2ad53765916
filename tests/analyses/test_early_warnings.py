"""The early warnings of ``diagnose`` and the "what to do first" line, on hand-built cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import revenue_retention as rr
from revenue_retention.analyses.advice import what_to_do_first
from revenue_retention.analyses.diagnostics import Diagnostic, compute_diagnosis
from revenue_retention.analyses.early_warnings import EARLY_WARNINGS, sign_test


def label(index: int) -> str:
    """Month ``index`` counted from 2024-01."""
    return f"{2024 + index // 12}-{index % 12 + 1:02d}"


def write(tmp_path: Path, rows: list[str], header: str = "customer_id,month,mrr") -> Path:
    path = tmp_path / "data.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(path: Path, rule_id: str) -> Diagnostic:
    rule = next(r for r in EARLY_WARNINGS if r.__name__.lstrip("_").startswith(rule_id))
    result = compute_diagnosis(rr.load(path), rules=[rule])
    (found,) = result.diagnostics
    assert found.id == rule_id
    return found


def churning(tmp_path: Path, per_quarter: list[int]) -> Path:
    # 200 customers at 100 from 2024-01 (month 0); in quarter i, per_quarter[i] of them
    # leave at its first month. 3-month GRR at month 3(i+1) = 1 - c_i / (those left at 3i).
    rows, gone = [], 0
    last = {}
    for i, c in enumerate(per_quarter):
        for k in range(gone, gone + c):
            last[k] = 3 * i  # last paying month
        gone += c
    for k in range(200):
        rows += [f"c{k},{label(m)},100" for m in range(19) if m <= last.get(k, 18)]
    return write(tmp_path, rows)


def test_a_steady_fall_of_quarterly_grr_is_a_declining_trend(tmp_path: Path) -> None:
    found = run(churning(tmp_path, [0, 2, 4, 6, 8, 10]), "grr_trend")
    expected = [1.0, 198 / 200, 194 / 198, 188 / 194, 180 / 188, 170 / 180]
    assert found.inputs["grr"] == pytest.approx(expected)
    assert found.inputs["quarters"] == [
        "2024-04",
        "2024-07",
        "2024-10",
        "2025-01",
        "2025-04",
        "2025-07",
    ]
    # numpy's least squares as the oracle of the slope.
    assert found.inputs["slope_per_quarter"] == pytest.approx(np.polyfit(range(6), expected, 1)[0])
    assert (found.inputs["declines"], found.inputs["steps"]) == (5, 5)
    assert found.inputs["sign_test_p"] == 1 / 32
    assert found.triggered is True
    assert "GRR is declining" in found.message


def test_one_bad_quarter_is_not_a_trend(tmp_path: Path) -> None:
    # GRR 198/200, 1, 196/198, 186/196, 1, 184/186: three falls in five steps, as likely
    # as not by chance (p = 16/32), though the bad quarter tilts the slope down.
    found = run(churning(tmp_path, [2, 0, 2, 10, 0, 2]), "grr_trend")
    assert found.inputs["grr"] == pytest.approx([0.99, 1, 196 / 198, 186 / 196, 1, 184 / 186])
    assert (found.inputs["declines"], found.inputs["sign_test_p"]) == (3, 0.5)
    assert found.triggered is False


def test_sign_test_counts_falls_as_coin_flips() -> None:
    assert sign_test(0, 5) == 1.0
    assert sign_test(3, 5) == (10 + 5 + 1) / 32


def segments(tmp_path: Path, a_customers: int) -> Path:
    # Segment A: a_customers at 100 throughout; segment B: 8 at 100, two of whom leave at
    # 2025-02. At 2025-04 B's 12-month GRR is 600 / 800 = 75%, down 25 points from 2025-01.
    rows = []
    for m in range(16):  # 2024-01 .. 2025-04
        rows += [f"a{i},{label(m)},100,A" for i in range(a_customers)]
        rows += [f"b{i},{label(m)},100,B" for i in range(8) if not (i < 2 and m >= 13)]
    return write(tmp_path, rows, "customer_id,month,mrr,segment")


def test_a_segment_falling_while_the_total_holds(tmp_path: Path) -> None:
    # With 120 customers in A the total falls 200 / 12800 = 1.5625 points (< 2: it held),
    # and B holds 800 / 12800 = 6.25% of starting MRR (>= 5%).
    found = run(segments(tmp_path, 120), "segment_drop")
    assert found.triggered is True
    assert found.inputs["total_change_points"] == pytest.approx(-1.5625)
    (group,) = found.inputs["groups"]
    assert (group["attribute"], group["group"], group["grr_before"], group["grr"]) == (
        "segment",
        "B",
        1.0,
        0.75,
    )
    assert group["change_points"] == pytest.approx(-25.0)
    assert group["share_of_starting_mrr"] == pytest.approx(0.0625)
    assert found.message.startswith("segment B: 12-month GRR from 2025-01 to 2025-04 fell")


def test_a_segment_falling_with_the_total_is_a_broad_decline(tmp_path: Path) -> None:
    # With 40 in A the total falls 200 / 4800 = 4.2 points: not a segment hidden by it.
    found = run(segments(tmp_path, 40), "segment_drop")
    assert found.triggered is False
    assert "broad decline" in found.message


def test_a_recent_cohort_keeping_less_early_on(tmp_path: Path) -> None:
    # A base customer from 2024-01, then one new customer at 100 a month from 2024-02 to
    # 2024-10, except 2024-09's cohort: two at 50, one of whom leaves at age 2. As of
    # 2025-01 the cohorts 2024-02 .. 2024-10 have reached month 3; the latest three are
    # 2024-08, 2024-09 (GRR 50 / 100 = 50%) and 2024-10; the six before keep 100%.
    rows = [f"base,{label(m)},100" for m in range(13)]
    for start in range(1, 11):
        if start == 8:
            rows += [f"n8a,{label(m)},50" for m in range(start, 13)]
            rows += [f"n8b,{label(m)},50" for m in range(start, start + 2)]
        else:
            rows += [f"n{start},{label(m)},100" for m in range(start, 13)]
    found = run(write(tmp_path, rows), "early_retention")
    assert found.triggered is True
    assert (found.inputs["older_cohorts"], found.inputs["older_grr"]) == (6, 1.0)
    assert [(r["cohort"], r["grr"]) for r in found.inputs["recent"]] == [
        ("2024-08", 1.0),
        ("2024-09", 0.5),
        ("2024-10", 1.0),
    ]
    assert found.message.endswith(
        ": 2024-09 retain worse early on; look at how they were sold and onboarded."
    )


def test_expansion_from_customers_who_contracted_lately(tmp_path: Path) -> None:
    # 12 months to 2025-01. e1: 100 -> 300 at 2024-06 -> 250 at 2024-12 (a contraction
    # in the last 3 months), expansion 150; e2: 100 -> 150 at 2024-03, expansion 50;
    # s: 100 flat. 150 of 200 = 75% of the expansion is from a contracting customer.
    rows = [f"s,{label(m)},100" for m in range(13)]
    rows += [f"e1,{label(m)},{100 if m < 5 else 300 if m < 11 else 250}" for m in range(13)]
    rows += [f"e2,{label(m)},{100 if m < 2 else 150}" for m in range(13)]
    found = run(write(tmp_path, rows), "expansion_at_risk")
    assert found.triggered is True
    assert found.inputs == {
        "expanders": 2,
        "expansion": "200.000000",
        "expanders_contracting": 1,
        "expansion_from_contracting": "150.000000",
        "share": 0.75,
    }


def test_churn_and_contraction_after_price_increases(tmp_path: Path) -> None:
    # Line items, 2024-01 .. 2025-07. Ten customers r0-r9 see their unit price go from
    # 10 to 12 in 2024-07 (a price increase in the 12 months to 2025-01); ten, k0-k9,
    # keep 10. In the 6 months after 2025-01, r0-r3 leave and r4 halves its seats (5 of
    # 10 raised customers, 50%); k0 leaves (1 of 10, 10%): a gap of 40 points.
    rows = []
    for m in range(19):
        for i in range(10):
            if not (i < 4 and m > 13):
                seats = 5 if (i == 4 and m > 13) else 10
                rows.append(f"r{i},{label(m)},core,{seats},{12 if m >= 6 else 10}")
            if not (i == 0 and m > 13):
                rows.append(f"k{i},{label(m)},core,10,10")
    path = write(tmp_path, rows, "customer_id,month,product,quantity,unit_price")
    found = run(path, "price_increase_followup")
    assert found.triggered is True
    assert found.inputs["as_of_price_window"] == "2025-01"
    assert found.inputs["price_increase"] == {
        "customers": 10,
        "churned": 4,
        "contracted": 1,
        "churned_or_contracted_rate": 0.5,
    }
    assert found.inputs["no_price_increase"]["churned_or_contracted_rate"] == 0.1
    assert found.inputs["gap_points"] == pytest.approx(40.0)


def test_without_line_items_the_price_follow_up_says_why(tmp_path: Path) -> None:
    found = run(segments(tmp_path, 10), "price_increase_followup")
    assert found.triggered is None and found.status == "not run"
    assert found.message.startswith("Not run:")


@pytest.mark.parametrize(
    ("grr", "lever"),
    [
        (0.84, "fix_the_leak"),
        (0.85, "retention_then_expansion"),
        (0.90, "retention_then_expansion"),
        (0.905, "focus_on_expansion"),
    ],
)
def test_what_to_do_first_follows_the_section_7_bands(grr: float, lever: str) -> None:
    advice = what_to_do_first(grr, 1.05)
    assert advice is not None and advice.lever == lever
    assert advice.threshold["fix_the_leak_grr_below"] == 0.85
    assert advice.threshold["focus_on_expansion_grr_above"] == 0.90
    assert what_to_do_first(None, None) is None


def test_diagnose_carries_the_what_to_do_first_line(tmp_path: Path) -> None:
    result = compute_diagnosis(rr.load(segments(tmp_path, 120)), rules=[])
    assert result.advice is not None
    # 12-month GRR at 2025-04: 12600 / 12800 = 98.4%: the base holds.
    assert result.advice.lever == "focus_on_expansion"
    assert result.advice.inputs["grr"] == pytest.approx(12600 / 12800)
