"""``render_metrics``: the terminal summary shows the figures computed by hand (conftest.py).

And it fits the terminal: at 80 and 100 columns no line is wider, and every figure shown is
whole (a column is left out, and named, rather than a figure cut).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from rich.console import Console

from revenue_retention import MetricsResult, compute_metrics, load
from revenue_retention.datasets import write_demo_csv
from revenue_retention.outputs import render_metrics
from revenue_retention.outputs.metrics.records import (
    BRIDGE_FIELDS,
    bridge_records,
    retention_records,
)
from revenue_retention.outputs.metrics.terminal import _bridge_table


def rendered(result: MetricsResult, width: int = 200) -> str:
    buffer = io.StringIO()
    render_metrics(result, Console(file=buffer, width=width))
    return buffer.getvalue()


def line_starting(text: str, start: str) -> str:
    """The first table row whose first cell starts with ``start``."""
    lines = [ln for ln in text.splitlines() if ln.lstrip("│ ").startswith(start)]
    assert lines, f"no row starting {start!r} in:\n{text}"
    return lines[0]


def test_latest_retention_shows_hand_computed_percentages(five_customers: MetricsResult) -> None:
    text = rendered(five_customers)
    # 3-month window as of 2024-04: GRR 320 / 430 = 74.4%, NRR 370 / 430 = 86.0%,
    # logos 3 / 4 = 75.0%
    three = line_starting(text, "3 mo")
    assert "2024-04" in three
    assert "74.4%" in three
    assert "86.0%" in three
    assert "75.0%" in three
    # 1-month window as of 2024-04: GRR 330 / 330 = 100.0%, NRR 360 / 330 = 109.1%
    one = line_starting(text, "1 mo")
    assert "100.0%" in one
    assert "109.1%" in one
    # four months of data cannot fill a 12-month window
    assert line_starting(text, "12 mo").count("-") >= 8
    assert "12 mo: not enough months of data" in text


def test_the_answer_comes_first_in_one_line(five_customers: MetricsResult) -> None:
    # Four months: the longest window with a figure is 3 months, to 2024-04 (above).
    first = rendered(five_customers, 80).splitlines()[0]
    assert (
        first
        == "3 months to 2024-04: GRR 74.4% \u00b7 NRR 86.0% \u00b7 logos 75.0% \u00b7 4 customers"
    )


def test_bridge_signs_are_those_of_the_json(five_customers: MetricsResult) -> None:
    text = rendered(five_customers)
    bridge = text[text.index("MRR bridge") :]
    february = line_starting(bridge, "2024-02")
    # opening 430, new 60, churn 80 (positive, as in the JSON), closing 410
    cells = [c.strip() for c in february.strip("│").split("│")]
    record = bridge_records(five_customers)[0]
    assert record["churn"] == "80.00"
    assert cells == ["2024-02", "430.00", "60.00", "0.00", "0.00", "0.00", "80.00", "410.00"]
    assert "closing = opening + new + reactivation + expansion - contraction - churn" in bridge


def test_trend_shows_every_month_with_a_window(five_customers: MetricsResult) -> None:
    text = rendered(five_customers)
    # 1-month GRR: Feb 350 / 430 = 81.4%, Mar 310 / 410 = 75.6%
    assert "81.4%" in text
    assert "75.6%" in text
    # 1-month NRR in March: 330 / 410 = 80.5%
    assert "80.5%" in text


def test_null_rates_show_as_a_dash(exact_and_empty: MetricsResult) -> None:
    rows = [
        [cell.strip() for cell in ln.strip("│").split("│")]
        for ln in rendered(exact_and_empty).splitlines()
        if ln.startswith("│")
    ]
    # trend: 2024-02 has an empty 1-month cohort (nobody paid in Jan): GRR, NRR, logos null
    assert ["2024-02", "-", "-", "-"] in rows
    # 2024-03: cohort {X}, GRR 100.0%, NRR 100.10 / 83.333333 = 120.1%, logos 1 / 1
    assert ["2024-03", "100.0%", "120.1%", "100.0%"] in rows


def test_output_to_a_file_has_no_colour_codes(five_customers: MetricsResult) -> None:
    assert "\x1b[" not in rendered(five_customers)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> MetricsResult:
    return compute_metrics(load(write_demo_csv(tmp_path_factory.mktemp("t") / "demo.csv")))


_FIGURE = re.compile(r"-?\d[\d,]*\.\d+%?")


@pytest.mark.parametrize("width", [80, 100])
def test_tables_fit_the_terminal_with_whole_figures(demo: MetricsResult, width: int) -> None:
    text = rendered(demo, width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    # The answer is the first line, whole.
    assert lines[0].startswith("12 months to 2025-12: GRR ") and len(lines[0]) <= width
    # No cell is cut or folded: every table row is one line, and every figure in it is one
    # the JSON has (money exactly, rates to a tenth of a point).
    assert "\u2026" not in text
    amounts = ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr")
    money = {
        f"{Decimal(v):,.2f}" for r in bridge_records(demo) for k, v in r.items() if k != "period"
    } | {f"{Decimal(r[k]):,.2f}" for r in retention_records(demo) for k in amounts}
    rates = {
        f"{r[k] * 100:.1f}%"
        for r in retention_records(demo)
        for k in ("grr", "nrr", "logo_retention")
        if r[k] is not None
    }
    rows = [line for line in lines if line.startswith("│")]
    assert rows
    for row in rows:
        for figure in _FIGURE.findall(row):
            assert figure in money or figure in rates, (figure, row)
    # What was left out is named, never silently dropped.
    bridge = text[text.index("MRR bridge") :]
    assert f"not shown at {width} columns: opening" in bridge


def test_wide_terminal_shows_every_column(demo: MetricsResult) -> None:
    text = rendered(demo, 200)
    assert "not shown" not in text
    assert "reactivation" in text and "opening" in text


def test_several_currencies_are_read_per_currency_never_added_up() -> None:
    from revenue_retention import compute_metrics, load
    from revenue_retention.datasets import example_path

    data = load(
        example_path("multi_currency.csv"),
        fx_rates=example_path("fx_rates.csv"),
        reporting_currency="USD",
    )
    text = rendered(compute_metrics(data, window_months=[1]))
    # Read per currency: EUR 4 x 1000 + 3 x 600 = 5,800; GBP 2 x 800 + 2 x 900 = 3,400;
    # USD 3 x 1500 = 4,500. Never "13,700.00" (EUR, GBP and USD added as one number).
    assert "EUR 5,800.00 = accepted 5,800.00 + rejected 0.00" in text
    assert "GBP 3,400.00 = accepted 3,400.00 + rejected 0.00" in text
    assert "USD 4,500.00 = accepted 4,500.00 + rejected 0.00" in text
    assert "13,700.00" not in text
    # Converted, each row at its month's rate: EUR 1000 x (1.10 + 1.08 + 1.0617 + 1.07)
    # + 600 x (1.08 + 1.0617 + 1.07) = 4,311.70 + 1,927.02; GBP 800 x (1.27 + 1.26) +
    # 900 x (1.25 + 1.24) = 4,265.00; USD 4,500.00: 15,003.72 in all.
    assert "money accepted in USD at each row's first-month rate: 15,003.72" in text
    assert data.report.currency is not None
    assert data.report.currency["money_accepted_converted"] == "15003.72"


def test_six_place_amounts_fit_80_columns_whole() -> None:
    """Spread invoice lines give amounts six places (83,333.333333): the five movements and
    closing at that width do not fit 80 columns, so closing goes after opening and
    reactivation, and no figure folds onto a second line."""
    amount = "83333.333333"
    rows = [
        {"period": f"2024-{m:02d}"} | dict.fromkeys(BRIDGE_FIELDS[1:], amount) for m in range(1, 13)
    ]
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(_bridge_table(Console(width=80), rows))
    text = buffer.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    lines = [line for line in text.splitlines() if line.startswith("│")]
    # One line per month, every figure whole.
    assert len(lines) == 12 and all(re.match(r"│ 2024-\d\d ", line) for line in lines)
    assert all(line.count("83,333.333333") == 4 for line in lines)
    assert "not shown at 80 columns: opening, reactivation, closing" in text
