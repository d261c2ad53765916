"""Notebook display: every result renders as an escaped HTML table and plots the report's chart.

The cases are the worked example of docs/metrics.md (``five_customers``, see conftest), its
exact-money companion ``exact_and_empty``, and tiny files written here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import plotly.graph_objects as go
import pytest

import revenue_retention as rr
from revenue_retention.analyses.decompose import compute_decomposition
from revenue_retention.analyses.explain import compute_explain
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.outputs._html import MAX_ROWS, html_table
from revenue_retention.outputs.overview.charts import bridge_waterfall
from revenue_retention.outputs.registry import chart
from revenue_retention.outputs.registry import html as repr_html

HOSTILE_IDS_CSV = """\
customer_id,month,mrr
<img src=x onerror=alert(1)>,2024-01,100
<img src=x onerror=alert(1)>,2024-02,40
A&B,2024-01,50
"""

LINE_ITEMS_CSV = """\
customer_id,month,product,quantity,unit_price
a,2024-01,seats,10,20
a,2025-01,seats,12,21
a,2025-01,support,1,50
"""


@pytest.fixture
def small_overview(five_customers_csv: Path) -> Overview:
    # A 3-month headline window fits the four months of the worked example.
    return compute_overview(rr.load(five_customers_csv), window_months=3, resamples=100)


def test_customer_ids_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    path.write_text(HOSTILE_IDS_CSV, encoding="utf-8")
    shown = compute_explain(rr.load(path), window_months=1)._repr_html_()
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "A&amp;B" in shown
    assert "<img" not in shown and "A&B" not in shown
    # The image customer went from 100 to 40 (a change of -60), the other churned.
    assert "-60.00" in shown and "-50.00" in shown


def test_money_is_exact_and_missing_rates_are_dashes(exact_and_empty: rr.MetricsResult) -> None:
    shown = exact_and_empty._repr_html_()
    # X: 83.333333 in February, 100.10 in March (exactly, never rounded to cents).
    assert "83.333333" in shown and "100.10" in shown
    # February's monthly window has an empty cohort: no rate, shown as "-".
    assert '<td style="text-align: right">-</td>' in shown


def test_rates_show_to_a_tenth_of_a_point(five_customers: rr.MetricsResult) -> None:
    shown = five_customers._repr_html_()
    # The quarterly window Jan -> Apr: GRR 320 / 430, NRR 370 / 430, logos 3 / 4.
    for rate in ("74.4%", "86.0%", "75.0%"):
        assert f">{rate}<" in shown
    assert "<caption>MRR bridge</caption>" in shown and "<caption>Retention</caption>" in shown
    # Months are labelled as in the JSON, not as indexes.
    assert ">2024-04<" in shown and "month_index" not in shown


def test_every_result_renders_and_plots_the_report_chart(
    small_overview: Overview, tmp_path: Path
) -> None:
    path = tmp_path / "lines.csv"
    path.write_text(LINE_ITEMS_CSV, encoding="utf-8")
    results = [
        small_overview,
        small_overview.metrics,
        small_overview.segments,
        small_overview.cohorts_nrr,
        small_overview.seasonality,
        small_overview.concentration,
        small_overview.methods,
        small_overview.explain,
        small_overview.diagnosis,
        small_overview.intervals,
        compute_decomposition(rr.load(path), window_months=12),
    ]
    assert all(r is not None for r in results), small_overview.skipped
    kinds = {type(r).__name__ for r in results}
    assert kinds == {
        "Overview",
        "MetricsResult",
        "CohortResult",
        "SeasonalityResult",
        "ConcentrationResult",
        "MethodsResult",
        "ExplainResult",
        "Diagnosis",
        "UncertaintyResult",
        "DecomposeResult",
    }
    for result in results:
        shown = result._repr_html_()
        assert shown.startswith('<div class="revenue-retention">') and "<table>" in shown
        drawn = chart(result)
        plotted = result.plot()
        assert isinstance(plotted, go.Figure)
        # The same traces as the report's figure, with the chart's title added.
        assert plotted.to_plotly_json()["data"] == drawn.figure.to_plotly_json()["data"]
        assert plotted.layout.title.text == drawn.title


def test_plot_options_reach_the_chart(small_overview: Overview) -> None:
    bridge = small_overview.metrics.plot(kind="bridge", months=3)
    assert (
        bridge.data[0].customdata
        == bridge_waterfall(small_overview.metrics, 3).figure.data[0].customdata
    )
    assert small_overview.plot(id="cohort-heatmap").data[0].name == "NRR"
    both = small_overview.cohorts_nrr.plot(logo=small_overview.cohorts_logo)
    small = "cohorts under 10 customers"
    assert [t.name for t in both.data] == [
        "NRR",
        f"NRR, {small}",
        "Logo retention",
        f"Logo retention, {small}",
    ]


def test_long_tables_say_how_many_rows_are_left_out() -> None:
    rows = [[f"c{i}", Decimal(i)] for i in range(MAX_ROWS + 50)]
    shown = html_table(["customer_id", "mrr"], rows)
    assert shown.count("<tr>") == MAX_ROWS + 1  # the header row and MAX_ROWS rows
    assert shown.endswith("<p>... and 50 more rows.</p>")


def test_values_are_formatted_by_kind() -> None:
    shown = html_table(
        ["text", "count", "rate", "money", "flag", "none"],
        [["<x>", 1234, 0.8604, Decimal("2306621.060000"), True, None]],
    )
    cells = shown.split("<tbody>")[1]
    assert cells == (
        '<tr><td>&lt;x&gt;</td><td style="text-align: right">1,234</td>'
        '<td style="text-align: right">86.0%</td>'
        '<td style="text-align: right">2,306,621.06</td><td>yes</td>'
        '<td style="text-align: right">-</td></tr></tbody></table>'
    )


def test_only_results_have_a_view() -> None:
    with pytest.raises(TypeError, match="no HTML view of int"):
        repr_html(3)
