"""Benchmarks and diagnostics on hand-built cases whose figures are worked out in comments."""

from __future__ import annotations

from pathlib import Path

import pytest

import revenue_retention as rr
from revenue_retention.analyses.benchmarks import load_benchmarks
from revenue_retention.analyses.diagnostics import Diagnosis, Diagnostic, compute_diagnosis
from revenue_retention.errors import InputError, OptionError
from revenue_retention.periods import month_index


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def by_id(result: Diagnosis) -> dict[str, Diagnostic]:
    return {d.id: d for d in result.diagnostics}


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    # Ten customers at 100 in 2024-01 (S = 1000). By 2025-01: three churned (-300), c0
    # grew to 500 (+400), the other six stay at 100. E = 500 + 600 = 1100.
    # GRR = (1000 - 300) / 1000 = 70%; NRR = 1100 / 1000 = 110%.
    rows = [f"c{i},2024-01,100" for i in range(10)]
    rows += ["c0,2025-01,500"] + [f"c{i},2025-01,100" for i in range(4, 10)]
    return write(tmp_path / "leaky.csv", "customer_id,month,mrr", rows)


def test_leaky_bucket_and_expansion_dependence(leaky: Path) -> None:
    result = compute_diagnosis(rr.load(leaky))
    assert result.rates["grr"] == pytest.approx(0.70)
    assert result.rates["nrr"] == pytest.approx(1.10)
    found = by_id(result)
    assert found["leaky_bucket"].triggered is True
    assert found["leaky_bucket"].message == "NRR 110% but GRR 70%: expansion is covering a leak."
    assert found["leaky_bucket"].threshold == {"nrr_at_least": 1.0, "grr_below": 0.85}
    # spread 110% - 70% = 40 points >= 15
    assert found["expansion_dependence"].triggered is True
    assert found["expansion_dependence"].inputs["spread"] == pytest.approx(0.40)
    # c0 brings all of the expansion (400 of 400): share 100% > 50%, and NRR without it
    # is (1100 - 400) / 1000 = 70% < 100%.
    assert found["concentration"].triggered is True
    assert found["concentration"].inputs["nrr_without_top_expander"] == pytest.approx(0.70)
    # No line items: price cannot be told from volume.
    assert found["borrowed_loyalty"].triggered is None
    # Too few quarterly cohorts for drift.
    assert found["cohort_drift"].triggered is None


def test_bands_follow_the_spec_edges() -> None:
    bench = load_benchmarks()
    place = bench.place
    assert place("grr", 0.849).label == "weak"  # type: ignore[union-attr]
    assert place("grr", 0.85).label == "acceptable"  # type: ignore[union-attr]
    assert place("grr", 0.90).label == "acceptable"  # type: ignore[union-attr]  # 85-90%
    assert place("grr", 0.9001).label == "strong"  # type: ignore[union-attr]  # > 90%
    assert place("grr", 0.95).label == "excellent"  # type: ignore[union-attr]  # >= 95%
    assert place("nrr", 0.999).label == "shrinking base"  # type: ignore[union-attr]
    assert place("nrr", 1.00).label == "ok"  # type: ignore[union-attr]
    assert place("nrr", 1.10).label == "good"  # type: ignore[union-attr]
    assert place("nrr", 1.20).label == "top performers"  # type: ignore[union-attr]
    assert place("logo_retention", 0.9) is None
    assert bench.medians["nrr"].value == 1.02 and bench.medians["grr"].value == 0.91
    assert bench.medians["grr"].year == 2023


def test_benchmarks_can_be_overridden(tmp_path: Path, leaky: Path) -> None:
    custom = tmp_path / "bands.toml"
    custom.write_text(
        '[[bands]]\nmetric = "grr"\nlabel = "fine"\nat_least = 0.5\nsource = "us"\nyear = 2026\n'
        '[medians.grr]\nvalue = 0.6\nsource = "us"\nyear = 2026\n',
        encoding="utf-8",
    )
    result = compute_diagnosis(rr.load(leaky), benchmarks=load_benchmarks(custom))
    grr = next(p for p in result.placements if p.metric == "grr")
    assert grr.band is not None and grr.band.label == "fine" and grr.median == 0.6
    broken = tmp_path / "broken.toml"
    broken.write_text('[[bands]]\nmetric = "grr"\n', encoding="utf-8")
    with pytest.raises(InputError, match="lacks the field"):
        load_benchmarks(broken)


def test_price_increases_are_borrowed_loyalty(tmp_path: Path) -> None:
    # Two customers, one product each, quantity unchanged, unit price +5% after a year:
    # all of the expansion is price; NRR 105%, NRR excluding price 100%.
    header = "customer_id,month,product,quantity,unit_price"
    rows = [
        "a,2024-01,core,10,20.00",
        "b,2024-01,core,5,40.00",
        "a,2025-01,core,10,21.00",
        "b,2025-01,core,5,42.00",
    ]
    result = compute_diagnosis(rr.load(write(tmp_path / "price.csv", header, rows)))
    loyalty = by_id(result)["borrowed_loyalty"]
    assert loyalty.triggered is True
    assert loyalty.inputs["price_share_of_expansion"] == pytest.approx(1.0)
    assert loyalty.inputs["nrr_excluding_price"] == pytest.approx(1.0)
    assert "Price increases are 100% of expansion" in loyalty.message


def test_recent_cohorts_retaining_worse_is_cohort_drift(tmp_path: Path) -> None:
    # A base customer from 2022-01 (the opening cohort, left out), then four customers at
    # 100 joining in the first month of each quarter from 2022-04 to 2023-10. The four
    # older cohorts keep everyone; in the three latest, two of four leave at age 3.
    # At age 6: older keep 400 / 400 = 100%, recent 200 / 400 = 50%: gap 50 points.
    months = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)][:28]
    rows = [f"base,{m},100" for m in months]
    starts = [month_index(2022, 4) + 3 * q for q in range(7)]
    for q, start in enumerate(starts):
        for c in range(4):
            leaves = q >= 4 and c < 2
            for m in range(start, month_index(2024, 4) + 1):
                if leaves and m >= start + 3:
                    break
                rows.append(f"q{q}c{c},{m // 12}-{m % 12 + 1:02d},100")
    result = compute_diagnosis(
        rr.load(write(tmp_path / "drift.csv", "customer_id,month,mrr", rows))
    )
    drift = by_id(result)["cohort_drift"]
    assert drift.triggered is True
    assert drift.inputs["older_nrr"] == pytest.approx(1.0)
    assert drift.inputs["recent_nrr"] == pytest.approx(0.5)
    assert drift.inputs["gap"] == pytest.approx(0.5)


def test_as_of_without_a_full_window_is_an_option_error(leaky: Path) -> None:
    with pytest.raises(OptionError, match="needs 12 months"):
        compute_diagnosis(rr.load(leaky), as_of="2024-06")


def test_every_diagnostic_has_a_stable_id_inputs_and_threshold(leaky: Path) -> None:
    result = compute_diagnosis(rr.load(leaky))
    assert [d.id for d in result.diagnostics] == [
        "leaky_bucket",
        "expansion_dependence",
        "concentration",
        "borrowed_loyalty",
        "cohort_drift",
        "seasonality",
        "small_base",
        "grr_trend",
        "segment_drop",
        "early_retention",
        "expansion_at_risk",
        "price_increase_followup",
    ]
    for d in result.diagnostics:
        assert d.message and isinstance(d.threshold, dict) and isinstance(d.inputs, dict)


def test_drift_names_cohorts_by_label(tmp_path: Path) -> None:
    # Same shape as the drift case above, smaller: labels are quarters, not month indexes.
    rows = [f"base,{y}-{m:02d},100" for y in (2022, 2023) for m in range(1, 13)]
    rows += [f"base,2024-0{m},100" for m in range(1, 5)]
    for q, start in enumerate(month_index(2022, 4) + 3 * q for q in range(7)):
        for m in range(start, month_index(2024, 4) + 1):
            rows.append(f"q{q},{m // 12}-{m % 12 + 1:02d},100")
    result = compute_diagnosis(
        rr.load(write(tmp_path / "labels.csv", "customer_id,month,mrr", rows))
    )
    drift = by_id(result)["cohort_drift"]
    assert drift.inputs["recent_cohorts"] == ["2023-Q2", "2023-Q3", "2023-Q4"]
    assert drift.triggered is False  # everyone stays: no gap


def test_an_attribute_named_like_a_column_in_another_case_is_renamed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "case.csv", "customer_id,month,mrr,Period", ["a,2024-01,1,x", "a,2024-02,1,y"]
    )
    assert rr.load(path).attributes == ("attr_Period",)


def _base(tmp_path: Path, name: str, start: list[int], end: list[int]) -> Path:
    """Customers paying ``start[i]`` in 2024-01 and ``end[i]`` in 2025-01 (0: churned)."""
    rows = [f"c{i},2024-01,{a}" for i, a in enumerate(start)]
    rows += [f"c{i},2025-01,{b}" for i, b in enumerate(end) if b]
    return write(tmp_path / name, "customer_id,month,mrr", rows)


@pytest.mark.parametrize(
    ("start", "end", "grr", "nrr", "triggered"),
    [
        # Seed 003's healthy business: 100 start, 5 lost (one of 20 customers at 5 churns),
        # 15 of expansion: GRR 95%, NRR 110%: expansion grows a base that keeps its revenue.
        ([5] * 20, [0] + [5] * 18 + [20], 0.95, 1.10, False),
        # Seed 003's worked example: GBP 100k start, 90k retained, 20k expansion: GRR 90%,
        # NRR 110% (METRICS.md §8): acceptable GRR, not a warning either.
        ([10] * 10, [0] + [10] * 8 + [30], 0.90, 1.10, False),
        # Seed 003's fragile business: GRR 75%, NRR 110%: a weak base carried by expansion.
        ([25] * 4, [0, 25, 25, 35 + 25], 0.75, 1.10, True),
        # Weak GRR, but expansion adds only 5 points: a leak, not dependence on expansion.
        ([25] * 4, [0, 25, 25, 30], 0.75, 0.80, False),
    ],
)
def test_expansion_dependence_warns_only_on_a_weak_base(
    tmp_path: Path, start: list[int], end: list[int], grr: float, nrr: float, triggered: bool
) -> None:
    result = compute_diagnosis(rr.load(_base(tmp_path, "seed003.csv", start, end)))
    assert result.rates["grr"] == pytest.approx(grr)
    assert result.rates["nrr"] == pytest.approx(nrr)
    found = by_id(result)["expansion_dependence"]
    assert found.triggered is triggered
    assert found.status == ("warning" if triggered else "ok")
    assert found.inputs["spread"] == pytest.approx(nrr - grr)
    assert found.threshold["grr_below"] == 0.85 and found.threshold["spread_at_least"] == 0.15
    assert "GRR below 85%" in found.threshold["rule"]
    # The sentence states its own numbers: the GRR to one place, never rounded to 100%.
    assert f"{grr * 100:.1f}%" in found.message or not triggered


def test_price_lifting_nrr_over_100_is_borrowed_loyalty(tmp_path: Path) -> None:
    # The demo's case: price is a minority of expansion, but NRR reaches 100% only with
    # it. Two customers of one product. a: 10 seats at 10.00 (100) -> 10 seats at 12.00
    # (120): +20 of price. b: 10 seats at 10.00 (100) -> 6 seats at 10.00 (60): -40 of
    # volume, and c: 5 seats at 20.00 (100) -> 7 seats at 20.00 (140): +40 of volume.
    # S = 300, E = 120 + 60 + 140 = 320: NRR 320 / 300 = 106.7%. Gross expansion =
    # 20 + 40 = 60, of which price 20: 33.3%, below 50%. NRR excluding price increases =
    # (320 - 20) / 300 = 100%: still not below 100%, so borrowed loyalty is not found.
    header = "customer_id,month,product,quantity,unit_price"
    rows = [
        "a,2024-01,core,10,10.00",
        "b,2024-01,core,10,10.00",
        "c,2024-01,core,5,20.00",
        "a,2025-01,core,10,12.00",
        "b,2025-01,core,6,10.00",
        "c,2025-01,core,7,20.00",
    ]
    result = compute_diagnosis(rr.load(write(tmp_path / "even.csv", header, rows)))
    loyalty = by_id(result)["borrowed_loyalty"]
    assert loyalty.inputs["price_share_of_expansion"] == pytest.approx(1 / 3)
    assert loyalty.inputs["nrr_excluding_price"] == pytest.approx(1.0)
    assert loyalty.triggered is False
    # b drops to 5 seats (50): E = 120 + 50 + 140 = 310, NRR 103.3%; price is still a
    # third of the expansion (20 of 60), but without it NRR is 290 / 300 = 96.7%: the
    # base reaches 100% only because prices rose.
    rows[4] = "b,2025-01,core,5,10.00"
    result = compute_diagnosis(rr.load(write(tmp_path / "lifted.csv", header, rows)))
    loyalty = by_id(result)["borrowed_loyalty"]
    assert result.rates["nrr"] == pytest.approx(310 / 300)
    assert loyalty.inputs["price_share_of_expansion"] == pytest.approx(1 / 3)
    assert loyalty.inputs["nrr_excluding_price"] == pytest.approx(290 / 300)
    assert loyalty.triggered is True
    assert "96.7% instead of 103.3%" in loyalty.message
    assert "without them it shrinks" in loyalty.message


def test_a_check_that_cannot_run_says_so(leaky: Path) -> None:
    found = by_id(compute_diagnosis(rr.load(leaky)))
    # No line items: price cannot be told from volume; 13 months: no cohorts to compare.
    for name in ("borrowed_loyalty", "cohort_drift"):
        assert found[name].triggered is None
        assert found[name].status == "not run"
        assert found[name].message.startswith("Not run: ")
    assert found["leaky_bucket"].status == "warning"
