"""The report's charts, tested by their data against hand-computed figures, never by pixels.

Small cases are the worked example of docs/metrics.md (``five_customers``, see conftest) and
a few tiny files written here, each with its arithmetic in the test. The demo data checks
that every chart of the report is built, coloured with the Okabe-Ito palette, sized by its
container, and that its traces equal the JSON records of the same results. A Hypothesis
property checks the bridge waterfall against the slow Decimal oracle (tests/oracle.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.oracle import oracle_bridge
from tests.strategies import Dataset as GeneratedData
from tests.strategies import mrr_rows
from tests.tables import dataset_of

import revenue_retention as rr
from revenue_retention.analyses.benchmarks import load_benchmarks
from revenue_retention.analyses.cohorts import compute_cohorts
from revenue_retention.analyses.concentration import compute_concentration
from revenue_retention.analyses.decompose import compute_decomposition
from revenue_retention.analyses.methods import compute_methods
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.analyses.seasonality import compute_seasonality
from revenue_retention.datasets import write_demo_csv
from revenue_retention.errors import OptionError
from revenue_retention.outputs._charts import NEUTRAL, money_label
from revenue_retention.outputs.cohorts.chart import (
    MAX_AGE_COLUMNS,
    MIN_COHORT_CUSTOMERS,
    RATE_COLOR_RANGE,
    SMALL_COHORT_NAME,
)
from revenue_retention.outputs.metrics.records import bridge_records, retention_records
from revenue_retention.outputs.overview.charts import (
    OKABE_ITO,
    REPORT_CHARTS,
    Chart,
    bridge_waterfall,
    cohort_heatmap,
    concentration_pareto,
    expansion_split,
    methods_compare,
    mrr_movements,
    report_charts,
    retention_trend,
    seasonality_quarters,
    segment_multiples,
)
from revenue_retention.outputs.registry import chart

# Okabe & Ito (2008), "Color Universal Design": the eight colours as published, in RGB.
PUBLISHED_RGB = {
    "black": (0, 0, 0),
    "orange": (230, 159, 0),
    "sky_blue": (86, 180, 233),
    "bluish_green": (0, 158, 115),
    "yellow": (240, 228, 66),
    "blue": (0, 114, 178),
    "vermillion": (213, 94, 0),
    "reddish_purple": (204, 121, 167),
}
#: Colours that carry no data: backgrounds, grid, text, the middle of a diverging scale.
NEUTRALS = {"#FFFFFF", "#E5E5E5", "#222222"}


def _load(tmp_path: Path, name: str, text: str) -> rr.Dataset:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return rr.load(path)


def _trace(fig: go.Figure, name: str) -> Any:
    found = [t for t in fig.data if t.name == name]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def _close(actual: float | None, numerator: int, denominator: int) -> bool:
    """A float rate equals the exact fraction to 12 significant digits."""
    assert actual is not None
    return abs(Fraction(actual) - Fraction(numerator, denominator)) < Fraction(1, 10**12)


# --- bridge waterfall ------------------------------------------------------------------


def test_bridge_of_the_latest_month_is_april_of_the_worked_example(
    five_customers: rr.MetricsResult,
) -> None:
    # docs/metrics.md §2, April 2024: 330 + 0 new + 70 reactivation (D) + 30 expansion (A)
    # - 0 - 0 = 430.
    drawn = bridge_waterfall(five_customers)
    trace = _trace(drawn.figure, "MRR bridge")
    assert drawn.id == "bridge-month"
    assert list(trace.x) == [
        "New",
        "Reactivation",
        "Expansion",
        "Contraction",
        "Churn",
        "Net change",
    ]
    assert [c[0] for c in trace.customdata] == ["0.00", "70.00", "30.00", "0.00", "0.00", "100.00"]
    assert [c[1] for c in trace.customdata] == [
        "new",
        "reactivation",
        "expansion",
        "contraction",
        "churn",
        "net_change",
    ]
    # The bars start at the opening MRR, not at zero; the net change is their total.
    assert trace.base == 330.0
    assert list(trace.y) == [0.0, 70.0, 30.0, 0.0, 0.0, 100.0]
    assert list(trace.measure) == [*["relative"] * 5, "total"]
    # Every bar says its amount, signed.
    assert list(trace.text) == ["0.00", "+70.00", "+30.00", "0.00", "0.00", "+100.00"]
    assert trace.textposition == "outside"
    assert trace.meta == {
        "first": "2024-04",
        "last": "2024-04",
        "opening_mrr": "330.00",
        "closing_mrr": "430.00",
    }
    opening, closing = _trace(drawn.figure, "Opening MRR"), _trace(drawn.figure, "Closing MRR")
    assert (opening.y, opening.text) == ((330.0,), ("330.00",))
    assert [list(c) for c in opening.customdata] == [["330.00", "2024-03"]]
    assert (closing.y, closing.text) == ((430.0,), ("430.00",))
    assert list(drawn.figure.layout.xaxis.categoryarray) == [
        "Opening MRR",
        *trace.x,
        "Closing MRR",
    ]
    assert drawn.rows[0] == ("Opening MRR (end of 2024-03)", "330.00")
    assert drawn.rows[-1] == ("Closing MRR (end of 2024-04)", "430.00")


def test_bridge_axis_is_zoomed_on_the_movements(five_customers: rr.MetricsResult) -> None:
    # The levels the April bars reach run from 330 (opening) to 430 (closing): the axis
    # covers them with some room, and starts far above zero, so a 30.00 bar is a tenth of
    # its height rather than a fourteenth.
    drawn = bridge_waterfall(five_customers)
    low, high = drawn.figure.layout.yaxis.range
    assert 250 < low < 330 and 430 < high < 500
    assert f"{low:,.0f}" in drawn.caption and "not at zero" in drawn.caption


def test_bridge_over_several_months_sums_the_movements_exactly(
    five_customers: rr.MetricsResult,
) -> None:
    # February to April: opening 430 (Jan), new 60 (E), reactivation 70 (D), expansion
    # 20 + 30 (A), contraction 50 (B), churn 80 (D) + 50 (C), closing 430 (Apr).
    drawn = bridge_waterfall(five_customers, months=3)
    trace = _trace(drawn.figure, "MRR bridge")
    assert [c[0] for c in trace.customdata] == [
        "60.00",
        "70.00",
        "50.00",
        "-50.00",
        "-130.00",
        "0.00",
    ]
    assert list(trace.text) == ["+60.00", "+70.00", "+50.00", "\u221250.00", "\u2212130.00", "0.00"]
    assert trace.meta == {
        "first": "2024-02",
        "last": "2024-04",
        "opening_mrr": "430.00",
        "closing_mrr": "430.00",
    }
    assert drawn.id == "bridge-3-months"


def test_trailing_twelve_months_need_twelve_bridge_months(
    five_customers: rr.MetricsResult,
) -> None:
    with pytest.raises(OptionError, match="needs 12 bridge months; the data has 3"):
        bridge_waterfall(five_customers, months=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrr_rows(max_customers=6, max_months=15), st.integers(1, 14))
def test_bridge_waterfall_equals_the_oracle(data: GeneratedData, wanted: int) -> None:
    assume(data.rows)
    months = sorted({month for _, month, _ in data.rows})
    expected = oracle_bridge(data.rows, months[0], months[-1])
    assume(expected)
    span = expected[-min(wanted, len(expected)) :]
    drawn = bridge_waterfall(
        rr.compute_metrics(dataset_of(data.rows), window_months=[1]), months=len(span)
    )
    trace = _trace(drawn.figure, "MRR bridge")
    amounts = [Decimal(c[0]) for c in trace.customdata]
    moves = ("new", "reactivation", "expansion", "contraction", "churn")
    sums = {name: sum((r[name] for r in span), Decimal(0)) for name in moves}
    opening, closing = span[0]["opening_mrr"], span[-1]["closing_mrr"]
    assert amounts == [
        sums["new"],
        sums["reactivation"],
        sums["expansion"],
        -sums["contraction"],
        -sums["churn"],
        closing - opening,
    ]
    assert (Decimal(trace.meta["opening_mrr"]), Decimal(trace.meta["closing_mrr"])) == (
        opening,
        closing,
    )
    # The bars close: opening plus every signed movement is the closing MRR, exactly.
    assert opening + sum(amounts[:-1], Decimal(0)) == closing
    # Every level the bars reach is inside the zoomed axis.
    low, high = drawn.figure.layout.yaxis.range
    level = opening
    for amount in amounts[:-1]:
        level += amount
        assert low < float(level) < high
    assert low < float(opening) < high


# --- MRR and its movements (the first screen) ----------------------------------------


def test_mrr_movements_of_the_worked_example(five_customers: rr.MetricsResult) -> None:
    # docs/metrics.md §2: Feb new 60 (E), churn 80 (D), closing 410; Mar expansion 20 (A),
    # contraction 50 (B), churn 50 (C), closing 330; Apr expansion 30 (A), reactivation
    # 70 (D), closing 430.
    drawn = mrr_movements(five_customers)
    assert drawn.id == "mrr-movements"
    months = ["2024-02", "2024-03", "2024-04"]
    line = _trace(drawn.figure, "MRR")
    assert list(line.x) == months and list(line.y) == [410.0, 330.0, 430.0]
    assert [c[0] for c in line.customdata] == ["410.00", "330.00", "430.00"]
    expected = {
        "New": ["60.00", "0.00", "0.00"],
        "Expansion": ["0.00", "20.00", "30.00"],
        "Reactivation": ["0.00", "0.00", "70.00"],
        "Contraction": ["0.00", "-50.00", "0.00"],
        "Churn": ["-80.00", "-50.00", "0.00"],
        "Net change": ["-20.00", "-80.00", "100.00"],
    }
    for name, amounts in expected.items():
        trace = _trace(drawn.figure, name)
        assert list(trace.x) == months, name
        assert [c[0] for c in trace.customdata] == amounts, name
        assert list(trace.y) == [float(a) for a in amounts], name
    # Gains up, losses down, stacked on zero; MRR above them on its own axis.
    assert drawn.figure.layout.barmode == "relative"
    assert _trace(drawn.figure, "New").yaxis == "y2" and line.yaxis == "y"
    assert drawn.rows[0] == (
        "2024-02",
        "430.00",
        "60.00",
        "0.00",
        "0.00",
        "0.00",
        "-80.00",
        "-20.00",
        "410.00",
    )


def test_mrr_movements_show_the_last_two_years(demo_charts: list[Chart], demo: Overview) -> None:
    drawn = next(c for c in demo_charts if c.id == "mrr-movements")
    months = [r["period"] for r in bridge_records(demo.metrics)][-24:]
    assert list(_trace(drawn.figure, "MRR").x) == months
    assert drawn.figure.layout.yaxis.title.text == "MRR"


# --- retention trend -------------------------------------------------------------------


def test_trend_of_the_quarterly_window_is_the_worked_example(
    five_customers: rr.MetricsResult,
) -> None:
    # docs/metrics.md §3, window Jan -> Apr: S = 100 + 200 + 50 + 80 = 430;
    # GRR = (100 + 150 + 0 + 70) / 430, NRR = (150 + 150 + 0 + 70) / 430, logos 3 / 4.
    drawn = retention_trend(five_customers, 3, load_benchmarks())
    grr, nrr, logos = (_trace(drawn.figure, n) for n in ("GRR", "NRR", "Logo retention"))
    for trace in (grr, nrr, logos):
        assert list(trace.x) == ["2024-04"]
        assert list(trace.customdata) == [["430.00", 4, "370.00"]]
    assert _close(grr.y[0], 320, 430)
    assert _close(nrr.y[0], 370, 430)
    assert _close(logos.y[0], 3, 4)
    assert grr.meta == {"field": "grr", "window_months": 3}
    assert drawn.rows == (("2024-04", "4", "430.00", "74.4%", "86.0%", "75.0%"),)
    # Benchmark bands are for 12-month windows: none on a quarterly trend.
    assert drawn.figure.layout.shapes == ()


def test_trend_rows_are_one_per_as_of_month_of_the_window(
    five_customers: rr.MetricsResult,
) -> None:
    # The monthly window has a rate for February, March and April.
    trace = _trace(retention_trend(five_customers, 1, load_benchmarks()).figure, "GRR")
    assert list(trace.x) == ["2024-02", "2024-03", "2024-04"]
    # Feb: (100 + 200 + 50 + 0) / 430; Mar: (100 + 150 + 0 + 60) / 410; Apr: 330 / 330.
    assert _close(trace.y[0], 350, 430)
    assert _close(trace.y[1], 310, 410)
    assert _close(trace.y[2], 1, 1)


def test_trend_without_the_window_says_which_windows_exist(
    five_customers: rr.MetricsResult,
) -> None:
    with pytest.raises(OptionError, match=r"computed windows: \[1, 3\]"):
        retention_trend(five_customers, 6, load_benchmarks())


# --- cohort heatmap --------------------------------------------------------------------


def test_cohort_heatmap_of_the_worked_example(five_customers_csv: Path) -> None:
    data = rr.load(five_customers_csv)
    drawn = cohort_heatmap(
        compute_cohorts(data, metric="nrr"), compute_cohorts(data, metric="logo")
    )
    # Both cohorts have fewer than 10 customers: every cell is in the grey traces.
    nrr = _trace(drawn.figure, f"NRR, {SMALL_COHORT_NAME}")
    logos = _trace(drawn.figure, f"Logo retention, {SMALL_COHORT_NAME}")
    assert all(v is None for row in _trace(drawn.figure, "NRR").z for v in row)
    # Cohort 2024-01 is A, B, C, D (430 at age 0); 2024-02 is E (60), seen to age 2.
    assert list(nrr.y) == ["2024-01", "2024-02"]
    assert list(nrr.x) == [0, 1, 2, 3]
    # NRR of 2024-01: Feb 350, Mar 270, Apr 370 of 430.
    january = [Fraction(v) if v is not None else None for v in nrr.z[0]]
    expected = [Fraction(1), Fraction(350, 430), Fraction(270, 430), Fraction(370, 430)]
    assert all(abs(a - b) < Fraction(1, 10**12) for a, b in zip(january, expected, strict=True))
    assert list(nrr.z[1]) == [1.0, 1.0, 1.0, None]
    assert [list(row) for row in logos.z] == [[1.0, 0.75, 0.5, 0.75], [1.0, 1.0, 1.0, None]]
    assert list(nrr.customdata[0][3]) == ["370.00", "430.00", 3, 4, None]
    assert nrr.customdata[1][3] is None
    # Each cell prints its value; the axis gives each cohort's customers.
    assert nrr.texttemplate == "%{z:.0%}"
    assert list(drawn.figure.layout.yaxis.ticktext) == ["2024-01 \u00b7 4", "2024-02 \u00b7 1"]
    assert [t.visible for t in drawn.figure.data] == [True, True, False, False]
    buttons = drawn.figure.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["NRR", "Logo retention"]
    assert [b.args[0]["visible"] for b in buttons] == [
        [True, True, False, False],
        [False, False, True, True],
    ]
    assert f"fewer than {MIN_COHORT_CUSTOMERS} customers are grey" in drawn.caption
    assert drawn.columns == (
        "Cohort",
        "Customers",
        "Starting MRR",
        "NRR month 3",
        "Logo retention month 3",
    )
    assert drawn.rows == (
        ("2024-01", "4", "430.00", "86.0%", "75.0%"),
        ("2024-02", "1", "60.00", "-", "-"),
    )


def _upgraded_cohorts() -> str:
    """Cohort 2024-01: twelve customers at 100, one of them gone in February (NRR 11/12).
    Cohort 2024-02: one customer at 100 who upgrades to 1,400 in March (NRR 1,400%)."""
    rows = [f"c{i},2024-01,100" for i in range(12)]
    rows += [f"c{i},2024-02,100" for i in range(1, 12)]
    rows += [f"c{i},2024-03,100" for i in range(1, 12)]
    rows += ["up,2024-02,100", "up,2024-03,1400"]
    return "customer_id,month,mrr\n" + "\n".join(rows) + "\n"


def test_cohort_heatmap_colours_are_clamped_and_small_cohorts_grey(tmp_path: Path) -> None:
    data = _load(tmp_path, "upgraded.csv", _upgraded_cohorts())
    drawn = cohort_heatmap(compute_cohorts(data, metric="nrr"))
    large, small = _trace(drawn.figure, "NRR"), _trace(drawn.figure, f"NRR, {SMALL_COHORT_NAME}")
    # One customer at 1,400% no longer stretches the scale: it stops at 50% and 150%,
    # centred on 100%, and says so on the colour bar.
    assert (large.zmin, large.zmax) == RATE_COLOR_RANGE == (0.5, 1.5)
    assert list(large.colorbar.ticktext) == ["\u226450%", "75%", "100%", "125%", "\u2265150%"]
    # The cohort of twelve keeps its colours: 1, then 11 / 12 at months 1 and 2.
    assert large.z[0][0] == 1.0 and _close(large.z[0][1], 11, 12) and _close(large.z[0][2], 11, 12)
    assert all(v is None for v in large.z[1])
    # The upgraded customer's cohort of one is grey, and keeps its exact figure: 14 = 1,400%.
    assert list(small.z[1][:2]) == [1.0, 14.0] and all(v is None for v in small.z[0])
    assert small.showscale is False
    assert {stop[1] for stop in small.colorscale} == {NEUTRAL["grid"]}
    assert list(drawn.figure.layout.yaxis.ticktext) == ["2024-01 \u00b7 12", "2024-02 \u00b7 1"]


def test_cohort_heatmap_of_a_long_history_shows_every_third_month(tmp_path: Path) -> None:
    # One customer paying for 60 months: ages 0 to 59, too many columns; every third shown.
    rows = [f"a,{2020 + m // 12}-{m % 12 + 1:02d},100" for m in range(60)]
    data = _load(tmp_path, "long.csv", "customer_id,month,mrr\n" + "\n".join(rows) + "\n")
    drawn = cohort_heatmap(compute_cohorts(data, metric="nrr"))
    ages = list(_trace(drawn.figure, f"NRR, {SMALL_COHORT_NAME}").x)
    assert ages == list(range(0, 60, 3)) and len(ages) <= MAX_AGE_COLUMNS
    assert "(every 3 months of age shown)" in drawn.caption
    assert drawn.min_width > 0


def test_cohort_heatmap_toggles_only_a_logo_view(five_customers_csv: Path) -> None:
    data = rr.load(five_customers_csv)
    with pytest.raises(OptionError, match="logo-retention result"):
        cohort_heatmap(compute_cohorts(data, metric="nrr"), compute_cohorts(data, metric="grr"))
    alone = cohort_heatmap(compute_cohorts(data, metric="mrr"))
    trace = _trace(alone.figure, "MRR")
    # An MRR view carries its exact amount: cohort 2024-01 at age 2 holds 120 + 150.
    small = _trace(alone.figure, f"MRR, {SMALL_COHORT_NAME}")
    assert trace.customdata[0][2][4] == "270.00" == small.customdata[0][2][4]
    assert alone.figure.layout.updatemenus == ()


# --- segments --------------------------------------------------------------------------

SEGMENTS_CSV = """\
customer_id,month,mrr,segment
A,2024-01,100,<b>smb</b>
A,2024-02,50,<b>smb</b>
B,2024-01,200,ent
B,2024-02,260,ent
C,2024-01,100,ent
"""


def test_segment_multiples_one_panel_per_group(tmp_path: Path) -> None:
    # Window Jan -> Feb. ent: S = 300, GRR = (200 + 0) / 300, NRR = 260 / 300, logos 1 / 2.
    # smb: S = 100, GRR = NRR = 50 / 100, logos 1. All: S = 400, GRR 250 / 400,
    # NRR 310 / 400, logos 2 / 3. The larger group (ent) comes first.
    data = _load(tmp_path, "segments.csv", SEGMENTS_CSV)
    drawn = segment_multiples(
        rr.compute_metrics(data, window_months=[1], by=["segment"]), "segment", 1
    )
    traces = {(t.meta["group"], t.name): t for t in drawn.figure.data}
    assert list(traces) == [
        ("ent", "GRR"),
        ("ent", "NRR"),
        ("<b>smb</b>", "GRR"),
        ("<b>smb</b>", "NRR"),
    ]
    assert _close(traces["ent", "GRR"].y[0], 200, 300)
    assert _close(traces["ent", "NRR"].y[0], 260, 300)
    assert _close(traces["<b>smb</b>", "GRR"].y[0], 50, 100)
    assert list(traces["ent", "GRR"].customdata) == [["300.00", 2, "260.00"]]
    # One legend entry per rate toggles it in every panel.
    assert [t.showlegend for t in drawn.figure.data] == [True, True, False, False]
    assert {t.legendgroup for t in drawn.figure.data} == {"grr", "nrr"}
    # Group names are data: escaped wherever Plotly renders them as (HTML-like) text.
    titles = [a.text for a in drawn.figure.layout.annotations]
    assert titles == ["ent", "&lt;b&gt;smb&lt;/b&gt;"]
    assert traces["<b>smb</b>", "GRR"].text == ("&lt;b&gt;smb&lt;/b&gt;",)
    assert drawn.rows == (
        ("ent", "2", "300.00", "66.7%", "86.7%", "50.0%"),
        ("<b>smb</b>", "1", "100.00", "50.0%", "50.0%", "100.0%"),
        ("All customers", "3", "400.00", "62.5%", "77.5%", "66.7%"),
    )


def test_segment_multiples_by_size_band_say_size_band(tmp_path: Path) -> None:
    # The band of MRR is the tool's own attribute: its title is words, not the column name.
    data = _load(tmp_path, "segments.csv", SEGMENTS_CSV)
    result = rr.compute_metrics(
        data, window_months=[1], by=["size_band"], size_bands=[Decimal(150)]
    )
    drawn = segment_multiples(result, "size_band", 1)
    assert drawn.title == "Retention by size band, 1-month windows"
    assert "size_band" not in drawn.title + drawn.caption
    by_segment = rr.compute_metrics(data, window_months=[1], by=["segment"])
    assert segment_multiples(by_segment, "segment", 1).title.startswith("Retention by segment,")


def test_segment_multiples_need_the_breakdown(five_customers: rr.MetricsResult) -> None:
    with pytest.raises(OptionError, match="not a breakdown"):
        segment_multiples(five_customers, "segment", 1)


# --- concentration, decomposition, seasonality, methods --------------------------------


def test_concentration_pareto_of_two_customers(tmp_path: Path) -> None:
    # a: 300, b: 100 at the start. Top 1 holds 300 / 400; both hold all of it.
    data = _load(
        tmp_path,
        "two.csv",
        "customer_id,month,mrr\na,2024-01,300\nb,2024-01,100\na,2024-02,450\nb,2024-02,50\n",
    )
    drawn = concentration_pareto(compute_concentration(data, window_months=1))
    curve = _trace(drawn.figure, "Cumulative share of starting MRR")
    assert list(curve.x) == [0.5, 1.0]
    assert list(curve.y) == [0.75, 1.0]
    assert [list(c) for c in curve.customdata] == [[1, "300.00"], [2, "400.00"]]
    tops = _trace(drawn.figure, "Top customers")
    # Top 5 and top 10 of two customers are both customers.
    assert list(tops.x) == [0.5, 1.0, 1.0]
    assert list(tops.y) == [0.75, 1.0, 1.0]
    assert _trace(drawn.figure, "Equal shares").y == (0.0, 1.0)
    # The labels stand in a column apart from each other and from the points, an arrow
    # from each to its point: top 10 highest, top 1 lowest.
    labels = drawn.figure.layout.annotations
    assert [a.text for a in labels] == [
        "top 10: 100.0% of starting MRR",
        "top 5: 100.0% of starting MRR",
        "top 1: 75.0% of starting MRR",
    ]
    assert [(a.x, a.y) for a in labels] == [(1.0, 1.0), (1.0, 1.0), (0.5, 0.75)]
    heights = [a.ay for a in labels]
    assert all(high - low >= 0.08 for high, low in itertools.pairwise(heights))
    assert {a.ax for a in labels} == {0.3} and all(a.showarrow for a in labels)
    # Expansion: a grew by 150, the only expander.
    assert drawn.rows[0] == ("Top 1", "1", "300.00", "75.0%", "150.00", "100.0%")


def test_expansion_split_of_one_customer(tmp_path: Path) -> None:
    # Seats 10 x 20.00 -> 12 x 21.00: volume (12 - 10) * (20 + 21) / 2 = 41,
    # price (21 - 20) * (10 + 12) / 2 = 11; support 1 x 50.00 is new: cross-sell 50.
    data = _load(
        tmp_path,
        "lines.csv",
        "customer_id,month,product,quantity,unit_price\n"
        "a,2024-01,seats,10,20\na,2025-01,seats,12,21\na,2025-01,support,1,50\n",
    )
    drawn = expansion_split(compute_decomposition(data, window_months=12))
    amounts = {t.name: (t.x[0], t.y[0], t.customdata[0][0]) for t in drawn.figure.data}
    assert amounts == {
        "Volume expansion": ("Increases", 41.0, "41.00"),
        "Price increase": ("Increases", 11.0, "11.00"),
        "Cross-sell": ("Increases", 50.0, "50.00"),
        "Volume contraction": ("Decreases", 0.0, "0.00"),
        "Price decrease": ("Decreases", 0.0, "0.00"),
        "Product churn": ("Decreases", 0.0, "0.00"),
        "Churn": ("Decreases", 0.0, "0.00"),
    }
    # Shares of S = 200: 41 / 200, 11 / 200, 50 / 200.
    assert _trace(drawn.figure, "Price increase").customdata[0][1] == 0.055
    assert drawn.rows[-1] == ("Net change (ending - starting MRR)", "102.00", "51.0%")
    assert "NRR 151.0%, 145.5% without price increases" in drawn.caption


def test_seasonality_quarters_of_one_quarter(tmp_path: Path) -> None:
    # Dec 2023: a 100, b 100; Mar 2024: a 150. Q1's quarterly window Dec -> Mar:
    # GRR = min(100, 150) / 200, NRR = 150 / 200. No other quarter, no annual figure.
    data = _load(
        tmp_path,
        "q.csv",
        "customer_id,month,mrr\na,2023-12,100\nb,2023-12,100\na,2024-03,150\n",
    )
    drawn = seasonality_quarters(compute_seasonality(data))
    grr, nrr = _trace(drawn.figure, "GRR"), _trace(drawn.figure, "NRR")
    assert list(grr.x) == ["Q1", "Q2", "Q3", "Q4"]
    assert list(grr.y) == [0.5, None, None, None]
    assert list(nrr.y) == [0.75, None, None, None]
    assert list(grr.error_y.array) == [0.0, None, None, None]
    assert list(_trace(drawn.figure, "Annual NRR").y) == [None] * 4
    assert drawn.rows[0] == ("Q1", "1", "50.0%", "50.0% to 50.0%", "75.0%", "75.0% to 75.0%", "-")
    assert "too few quarters" in drawn.caption


def test_methods_side_by_side(five_customers_csv: Path) -> None:
    # Quarterly window Jan -> Apr. Cohort GRR 320 / 430 (§3). Movement: S minus the
    # monthly churn and contraction of Feb (80), Mar (50 + 50) and Apr (0): 250 / 430.
    # Compounded: April's monthly GRR, (120 + 150 + 60) / 330 = 1, cubed. Chained:
    # Feb 350 / 430 x Mar 310 / 410 x Apr 1. Trailing and averaged need 6 months.
    drawn = methods_compare(compute_methods(rr.load(five_customers_csv), window_months=3))
    grr = _trace(drawn.figure, "GRR")
    assert list(grr.y) == [
        "cohort",
        "movement",
        "compounded",
        "compounded_chain",
        "trailing",
        "averaged",
    ]
    assert _close(grr.x[0], 320, 430)
    assert _close(grr.x[1], 250, 430)
    assert _close(grr.x[2], 1, 1)
    assert _close(grr.x[3], 350 * 310, 430 * 410)
    assert grr.x[4] is None and grr.x[5] is None
    assert grr.customdata[0][1] == 0.0
    assert _close(grr.customdata[1][1], 250 - 320, 430)
    # The headline is named on the axis and in the table; every bar has its value beside it.
    assert drawn.figure.layout.yaxis.ticktext[:2] == ("<b>Cohort</b><br>(headline)", "Movement")
    assert drawn.rows[0][:2] == ("cohort (point-in-time) (headline)", "74.4%")
    # 320 / 430, 250 / 430, 1, 108,500 / 176,300: to a tenth of a point.
    assert list(grr.text) == ["74.4%", "58.1%", "100.0%", "61.5%", "n/a", "n/a"]
    assert grr.textposition == "outside"
    # The headline's bars in full colour, the others lighter.
    assert list(grr.marker.opacity) == [1.0, 0.5, 0.5, 0.5, 0.5, 0.5]
    assert "The headline (the cohort method" in drawn.caption
    assert drawn.rows[4][1] == "-" and drawn.rows[4][4].startswith("needs 6 months")


# --- the whole report on the demo data -------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Overview:
    csv = write_demo_csv(tmp_path_factory.mktemp("demo") / "demo.csv")
    # Fewer resamples than the report's: the intervals are not charted.
    return compute_overview(rr.load(csv), resamples=100)


@pytest.fixture(scope="module")
def demo_charts(demo: Overview) -> list[Chart]:
    return report_charts(demo)


def test_report_charts_in_report_order(demo_charts: list[Chart]) -> None:
    # The demo says no reason for churn: that chart alone is left out.
    assert [c.id for c in demo_charts] == [c for c in REPORT_CHARTS if c != "churn-reasons"]
    for drawn in demo_charts:
        assert drawn.title and drawn.caption and "\n" not in drawn.caption
        assert drawn.rows and all(len(row) == len(drawn.columns) for row in drawn.rows)
        assert all(isinstance(cell, str) for row in drawn.rows for cell in row)


def test_charts_leave_out_missing_analyses(demo: Overview) -> None:
    without = Overview(**{**demo.__dict__, "decomposition": None, "methods": None})
    ids = [c.id for c in report_charts(without)]
    assert "expansion-split" not in ids and "methods" not in ids
    assert len(ids) == len(REPORT_CHARTS) - 3  # and churn-reasons: the demo says no reason


def test_palette_is_okabe_ito() -> None:
    published = {name: "#{:02X}{:02X}{:02X}".format(*rgb) for name, rgb in PUBLISHED_RGB.items()}
    assert published == OKABE_ITO


def _colours(node: Any) -> Iterator[str]:
    """Every colour string anywhere in a figure's JSON (markers, lines, scales, shapes)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "template":
                continue
            if (key.endswith("color") or key == "colorway") and isinstance(value, str):
                yield value
            elif key.endswith("color") and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            elif key == "colorscale" and isinstance(value, list):
                yield from (stop[1] for stop in value)
            else:
                yield from _colours(value)
    elif isinstance(node, list):
        for item in node:
            yield from _colours(item)


def test_every_colour_drawn_is_okabe_ito(demo_charts: list[Chart]) -> None:
    allowed = {c.upper() for c in OKABE_ITO.values()} | NEUTRALS
    for drawn in demo_charts:
        used = {c.upper() for c in _colours(drawn.figure.to_plotly_json())}
        assert used, drawn.id
        assert used <= allowed, (drawn.id, used - allowed)
        assert [c.upper() for c in drawn.figure.layout.template.layout.colorway] == [
            c.upper()
            for c in (
                OKABE_ITO["blue"],
                OKABE_ITO["orange"],
                OKABE_ITO["bluish_green"],
                OKABE_ITO["vermillion"],
                OKABE_ITO["reddish_purple"],
                OKABE_ITO["sky_blue"],
                OKABE_ITO["yellow"],
                OKABE_ITO["black"],
            )
        ]


def test_figures_fit_their_container_and_need_nothing_external(demo_charts: list[Chart]) -> None:
    for drawn in demo_charts:
        layout = drawn.figure.layout
        assert layout.width is None and layout.autosize is True, drawn.id
        # No title in the figure: the report's page gives it.
        assert layout.title.text is None, drawn.id
        text = drawn.figure.to_json()
        assert "http" not in text and "mapbox" not in text and "$" not in text, drawn.id


def test_hover_shows_exact_money_and_rates_to_a_tenth(demo_charts: list[Chart]) -> None:
    for drawn in demo_charts:
        for trace in drawn.figure.data:
            template = trace.hovertemplate
            if trace.hoverinfo == "skip":
                continue
            assert template and template.endswith("<extra></extra>"), (drawn.id, trace.name)
            # Rates are formatted to 0.1%; money only ever comes from the exact strings.
            assert ":.1%}" in template or "%{customdata" in template, (drawn.id, trace.name)


def test_trend_equals_the_metrics_json(demo: Overview, demo_charts: list[Chart]) -> None:
    records = [r for r in retention_records(demo.metrics) if r["window_months"] == 12]
    trend = next(c for c in demo_charts if c.id == "retention-trend").figure
    for name, field in (("GRR", "grr"), ("NRR", "nrr"), ("Logo retention", "logo_retention")):
        trace = _trace(trend, name)
        assert list(trace.x) == [r["as_of"] for r in records]
        assert list(trace.y) == [r[field] for r in records]
        assert [c[0] for c in trace.customdata] == [r["starting_mrr"] for r in records]
    # Every GRR band of the benchmark file inside the visible range is shaded at its edges.
    shapes = [s for s in trend.layout.shapes if s.type == "rect" and s.yref == "y"]
    assert any((s.y0, s.y1) == (0.85, 0.9) for s in shapes)
    medians = [s.y0 for s in trend.layout.shapes if s.type == "line"]
    assert medians == [0.91, 1.02]
    # Logo retention has its own panel, without the GRR bands (they are for revenue).
    assert _trace(trend, "Logo retention").yaxis == "y3"
    assert not [s for s in trend.layout.shapes if s.yref == "y3"]
    assert trend.layout.yaxis3.title.text == "Logo retention"
    cited = [a.text for a in trend.layout.annotations if a.text.startswith("median")]
    assert cited == ["median 91%, SaaS Capital (2023)", "median 102%, SaaS Capital (2023)"]


def test_ttm_bridge_equals_the_sum_of_the_json_bridge_months(
    demo: Overview, demo_charts: list[Chart]
) -> None:
    months = bridge_records(demo.metrics)[-12:]
    ttm = _trace(next(c for c in demo_charts if c.id == "bridge-ttm").figure, "MRR bridge")

    def total(name: str) -> Decimal:
        return sum((Decimal(r[name]) for r in months), Decimal(0))

    opening, closing = Decimal(months[0]["opening_mrr"]), Decimal(months[-1]["closing_mrr"])
    assert [Decimal(c[0]) for c in ttm.customdata] == [
        total("new"),
        total("reactivation"),
        total("expansion"),
        -total("contraction"),
        -total("churn"),
        closing - opening,
    ]
    assert ttm.meta == {
        "first": months[0]["period"],
        "last": months[-1]["period"],
        "opening_mrr": months[0]["opening_mrr"],
        "closing_mrr": months[-1]["closing_mrr"],
    }


def test_chart_dispatch(demo: Overview) -> None:
    assert chart(demo.metrics).id == "retention-trend"
    assert chart(demo.metrics, kind="bridge", months=12).id == "bridge-ttm"
    assert chart(demo.segments, kind="segments").id == "segments"
    assert chart(demo, id="seasonality").id == "seasonality"
    assert chart(demo.metrics, kind="movements").id == "mrr-movements"
    with pytest.raises(OptionError, match="trend, bridge, movements, segments"):
        chart(demo.metrics, kind="pie")
    with pytest.raises(OptionError, match="not a chart of the report"):
        chart(demo, id="pie")
    with pytest.raises(TypeError, match="no chart for str"):
        chart("not a result")


def test_thin_benchmark_bands_are_shaded_but_not_named(tmp_path: Path) -> None:
    # a pays 100 for 14 months; b pays 100 for 13 then stops: the 12-month GRR goes from
    # 100% (2025-01) to 50% (2025-02), so the GRR panel spans 48% to 102%. The 5-point
    # bands (acceptable, strong) are under a tenth of that: shaded, their names left out
    # so they do not write over each other; weak (48% to 85%) and excellent (95% to the
    # top, 102%) are named.
    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02"]
    rows = [f"a,{m},100" for m in months] + [f"b,{m},100" for m in months[:13]]
    data = _load(tmp_path, "drop.csv", "customer_id,month,mrr\n" + "\n".join(rows) + "\n")
    trend = retention_trend(
        rr.compute_metrics(data, window_months=[12]), 12, load_benchmarks()
    ).figure
    assert list(_trace(trend, "GRR").y) == [1.0, 0.5]
    grr_bands = [s for s in trend.layout.shapes if s.type == "rect" and s.yref == "y"]
    assert len(grr_bands) == 4
    named = [a.text for a in trend.layout.annotations if a.yref == "y" and a.text[-1] == ")"]
    named = [t for t in named if not t.startswith("median")]
    assert named == ["weak (below 85%)", "excellent (95% or more)"]


def test_chart_labels_are_to_the_cent() -> None:
    # A spread invoice line gives MRR six places; a bar's label shows cents, half up.
    assert money_label(Decimal("83.333333")) == "83.33"
    assert money_label(Decimal("99848.676397")) == "99,848.68"
    assert money_label(Decimal("0.005")) == "0.01"
    assert money_label(Decimal("-29130.441671")) == "-29,130.44"
