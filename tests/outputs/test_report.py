"""The report's words and figures on a dataset small enough to compute by hand.

Four customers over 25 months (2023-01 to 2025-01), and a fifth won later:

| customer | 2023-01 .. 2023-12 | 2024-01 | 2024-02 .. 2024-06 | 2024-07 .. 2025-01 |
| -------- | -----------------: | ------: | -----------------: | -----------------: |
| A        |                100 |     100 |                100 |                100 |
| B        |                200 |       0 |                  0 |                  0 |
| C        |                100 |     100 |                100 |                150 |
| D        |                300 |     300 |                240 |                240 |
| E        |                  0 |       0 |  80 from 2024-03   |                 80 |

12 months to 2025-01: the cohort is A, C, D (paying in 2024-01): S = 500, contraction 60
(D), expansion 50 (C), E = 490: GRR 440/500 = 88%, NRR 490/500 = 98%, logos 3/3.
12 months to 2024-01 (a year earlier): the cohort is A, B, C, D: S = 700, churn 200 (B),
E = 500: GRR = NRR = 5/7, logos 3/4.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs

from revenue_retention import load
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.outputs.overview.report import (
    data_notes,
    headlines,
    render_report,
    summary_sentence,
)


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _rows(customer: str, first: str, last: str, mrr: int, segment: str) -> list[str]:
    return [f"{customer},{month},{mrr},{segment}" for month in _months(first, last)]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Overview:
    rows = [
        *_rows("A", "2023-01", "2025-01", 100, "smb"),
        *_rows("B", "2023-01", "2023-12", 200, "smb"),
        *_rows("C", "2023-01", "2024-06", 100, "ent"),
        *_rows("C", "2024-07", "2025-01", 150, "ent"),
        *_rows("D", "2023-01", "2024-01", 300, "ent"),
        *_rows("D", "2024-02", "2025-01", 240, "ent"),
        *_rows("<E&co>", "2024-03", "2025-01", 80, "smb"),
    ]
    path = tmp_path_factory.mktemp("small") / "small.csv"
    path.write_text("customer_id,month,mrr,segment\n" + "\n".join(rows) + "\n")
    return compute_overview(load(path), resamples=200)


def test_headlines_by_hand(small: Overview) -> None:
    grr, nrr, logos = headlines(small)
    assert (grr.metric, nrr.metric, logos.metric) == ("grr", "nrr", "logo_retention")
    assert grr.value == pytest.approx(0.88, abs=1e-12)
    assert nrr.value == pytest.approx(0.98, abs=1e-12)
    assert logos.value == 1.0
    assert grr.year_earlier == pytest.approx(5 / 7, abs=1e-12)
    assert nrr.year_earlier == pytest.approx(5 / 7, abs=1e-12)
    assert logos.year_earlier == 0.75
    assert grr.year_earlier_month == "2024-01"
    assert grr.change_points == pytest.approx((0.88 - 5 / 7) * 100)
    assert (grr.arrow, nrr.arrow, logos.arrow) == ("▲", "▲", "▲")
    # Bands of the built-in benchmarks file (METRICS.md §7).
    assert (grr.band, grr.band_range) == ("acceptable", "85% to 90%")
    assert nrr.band == "shrinking base"
    # Three customers: every interval is wide, and includes the median where there is one.
    assert grr.low is not None and grr.high is not None and grr.low <= 0.88 <= grr.high
    assert grr.small_base and nrr.small_base


def test_summary_sentence_by_hand(small: Overview) -> None:
    assert summary_sentence(small) == (
        "The 3 customers paying in 2024-01 (MRR 500.00) kept 88.0% of that revenue by "
        "2025-01 counting only what they lost (GRR), and 98.0% once their expansion is added "
        "(NRR); 100.0% of them were still paying (logo retention)."
    )


def test_rendered_page(small: Overview) -> None:
    page = render_report(small)
    assert page.startswith("<!doctype html>")
    # Plotly's own bundle, inlined once, names addresses it never fetches for these charts
    # (map tiles, its logo link); the browser test proves no request is made.
    assert page.count(get_plotlyjs()) == 1
    ours = page.replace(get_plotlyjs(), "")
    # Self-contained: no address outside the page, no external script or style.
    for outside in ('src="http', 'href="http', "src='http", "@import", "<link "):
        assert outside not in ours
    assert "Content-Security-Policy" in page
    assert 'value="0.88"' in page
    # The appendix lists D's contraction and C's expansion, exactly, with escaped ids.
    assert 'data-sort="-60.00"' in page and 'data-sort="50.00"' in page
    assert "&lt;E&amp;co&gt;" not in page.split('id="customers"')[1]  # E is not in the cohort
    assert "<E&co>" not in page
    assert "Rows read" in page and 'id="rows-read" value="98"' in page


def test_written_file(small: Overview, tmp_path: Path) -> None:
    from revenue_retention.outputs.overview.report import write_report

    target = write_report(small, tmp_path / "nested" / "r.html")
    assert target.read_text(encoding="utf-8") == render_report(small)


def test_sparklines_are_the_last_twelve_months_by_hand(small: Overview) -> None:
    # 12-month windows as of 2024-02 .. 2024-12: the cohort is A, B, C, D (700); at the end
    # A keeps 100, B 0, C 100 (150 from 2024-07), D 240: GRR 440 / 700. As of 2025-01 the
    # cohort is A, C, D (500): GRR 440 / 500 = 88%.
    grr = headlines(small)[0].spark
    assert grr.months == (*(f"2024-{m:02d}" for m in range(2, 13)), "2025-01")
    assert grr.values[:11] == pytest.approx([440 / 700] * 11) and grr.values[11] == 0.88
    # Scaled to its own range: eleven equal points low, the last one at the top.
    points = grr.path.split()
    assert points[0] == "M3.0" and grr.last == (117.0, 3.0)
    assert grr.summary == "from 62.9% (2024-02) to 88.0% (2025-01), between 62.9% and 88.0%"
    page = render_report(small)
    assert 'class="spark" data-metric="grr"' in page and grr.path in page


def test_page_speaks_to_a_reader_without_the_cli_or_metrics_md(small: Overview) -> None:
    page = render_report(small).replace(get_plotlyjs(), "")
    body = page[page.index("<body>") :]
    assert "METRICS.md" not in body and "§" not in body
    assert not re.search(r"(?<![\w-])--[a-z]", body)
    # The definitions are on the page, and the cohort method links to them.
    assert 'id="definitions"' in body and '<a href="#definitions">definitions</a>' in body
    # Benchmarks cited as publisher (year).
    assert "Median 91%, SaaS Capital (2023)." in body
    assert (
        "GRR acceptable from Anish Patel (2025); NRR shrinking base from Anish Patel (2025)" in body
    )


def test_data_notes_say_what_qualifies_the_figures(tmp_path: Path) -> None:
    # Day-first dates (13/01/2024 can only be day first) and one negative amount, rejected.
    rows = [f"a,13/{m:02d}/2024,100" for m in range(1, 13)] + ["b,13/01/2024,-5"]
    path = tmp_path / "notes.csv"
    path.write_text("customer_id,month,mrr\n" + "\n".join(rows) + "\n")
    ov = compute_overview(load(path, on_bad_rows="reject"), resamples=100)
    notes = data_notes(ov)
    assert any(n.startswith("The data covers 2024-01 to 2024-12 (12 months)") for n in notes)
    assert any(n.startswith("1 of 13 rows were rejected (negative amount 1)") for n in notes)
    dates = [n for n in notes if "read day first" in n or "day-first" in n or "03/04" in n]
    assert dates and all("--" not in n for n in notes)
    page = render_report(ov)
    aside = page.split('id="data-notes"')[1].split("</aside>")[0]
    assert aside.count('class="data-note"') == len(notes)
    # The first lines point to them, for a phone where they come after the chart.
    assert f'<a href="#data-notes" class="notes-link">{len(notes)} data notes</a>' in page


def test_past_three_data_notes_the_rest_fold_open_never_scroll(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revenue_retention.outputs.overview import report as report_module

    path = tmp_path / "plain.csv"
    path.write_text(
        "customer_id,month,mrr\n" + "".join(f"a,2024-{m:02d},100\n" for m in range(1, 13))
    )
    ov = compute_overview(load(path), resamples=100)
    notes = [f"note {i} <b>" for i in range(1, 6)]
    monkeypatch.setattr(report_module, "data_notes", lambda _: notes)
    aside = render_report(ov).split('id="data-notes"')[1].split("</aside>")[0]
    shown, folded = aside.split('<details class="more-notes">')
    assert shown.count('class="data-note"') == 3 and "note 3 &lt;b&gt;" in shown
    assert "<summary>2 more data notes</summary>" in folded
    assert folded.count('class="data-note"') == 2 and "note 5 &lt;b&gt;" in folded
    css = render_report(ov).split("<style>")[1].split("</style>")[0]
    notes_rule = css.split(".data-notes {")[1].split("}")[0]
    assert "overflow" not in notes_rule and "max-height" not in notes_rule


def test_currency_on_the_headline_axes_and_tables(tmp_path: Path) -> None:
    # One currency column, EUR throughout: a pays 100 for 13 months, then 120.
    rows = [f"a,{2024 + m // 12}-{m % 12 + 1:02d},100,EUR" for m in range(13)]
    rows.append("a,2025-02,120,EUR")
    path = tmp_path / "eur.csv"
    path.write_text("customer_id,month,mrr,currency\n" + "\n".join(rows) + "\n")
    ov = compute_overview(load(path), resamples=100)
    assert "(MRR 100.00 EUR)" in summary_sentence(ov)
    page = render_report(ov)
    assert "amounts in EUR" in page
    from revenue_retention.outputs.overview.charts import report_charts

    charts = {c.id: c for c in report_charts(ov)}
    movements = charts["mrr-movements"].figure.layout
    assert (movements.yaxis.title.text, movements.yaxis2.title.text) == (
        "MRR (EUR)",
        "Movements (EUR)",
    )
    assert charts["bridge-month"].figure.layout.yaxis.title.text == "MRR (EUR)"
    assert charts["bridge-month"].columns == ("Step", "MRR (EUR)")
    assert "Starting MRR (EUR)" in charts["retention-trend"].columns
    assert "Starting MRR (EUR)" in charts["cohort-heatmap"].columns


def test_several_currencies_are_shown_one_by_one_and_converted_with_a_label() -> None:
    from revenue_retention.datasets import example_path

    data = load(
        example_path("multi_currency.csv"),
        fx_rates=example_path("fx_rates.csv"),
        reporting_currency="USD",
    )
    page = render_report(compute_overview(data, window_months=3, resamples=50))
    trust = page.split('id="trust-title"')[1]
    # EUR 4 x 1000 + 3 x 600; GBP 2 x 800 + 2 x 900; USD 3 x 1500 (see test_terminal.py
    # for the converted total by hand), never their sum 13,700.00 as one figure.
    assert "EUR 5,800.00 = accepted 5,800.00 + rejected 0.00" in trust
    assert "GBP 3,400.00 = accepted 3,400.00 + rejected 0.00" in trust
    assert "USD 4,500.00 = accepted 4,500.00 + rejected 0.00" in trust
    assert "13,700.00" not in trust
    assert "accepted in USD at each row&#39;s first-month rate: 15,003.72" in trust
    # The data notes of the first screen say it too, per currency.
    aside = page.split('id="data-notes"')[1].split("</aside>")[0]
    assert "The amounts are in 3 currencies, converted to USD" in aside
    assert "EUR 5,800.00 (accepted 5,800.00, rejected 0.00)" in aside
    assert "13,700.00" not in aside


def test_the_spread_residual_is_a_data_note(tmp_path: Path) -> None:
    # 1,000.00 for 2024 is 83.333333 a month: 12 shares are 999.999996, 0.000004 short;
    # twice over (2024 and 2025), 0.000008.
    path = tmp_path / "lines.csv"
    path.write_text(
        "customer_id,service_start,service_end,amount\n"
        "a,2024-01-01,2024-12-31,1000.00\n"
        "a,2025-01-01,2025-12-31,1000.00\n"
    )
    ov = compute_overview(load(path, as_of="2025-12"), resamples=50)
    assert ov.input.money_spread_residual == Decimal("0.000008")
    notes = [n for n in data_notes(ov) if n.startswith("Invoice lines are spread evenly")]
    assert len(notes) == 1 and "a rounding residual of 0.000008 in all" in notes[0]
    aside = render_report(ov).split('id="data-notes"')[1].split("</aside>")[0]
    assert "a rounding residual of 0.000008 in all" in aside
    # The sentence gives the starting MRR (83.333333 at 2024-12) to the cent.
    assert "(MRR 83.33)" in summary_sentence(ov)


def test_growth_section_by_hand(small: Overview) -> None:
    """2024-01 to 2025-01: MRR 500 -> 570 (A 100, C 150, D 240, E 80), ARR 6,840; E new 80,
    C +50, D -60: quick ratio 130 / 60; ARPA 570 / 4; cohort GRR 440 / 500."""
    html = render_report(small, charts=[])
    section = html[html.index('<section id="growth"') : html.index('<section id="trust"')]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", section)
    for expected in ("570.00", "6,840.00", "70.00", "14.0%", "2.17", "142.50", "80.00"):
        assert expected in cells, expected
    assert "1 - GRR (88.0%)" in cells and "1 - NRR (98.0%)" in cells
    assert 'href="#growth"' in html
    assert "--gross-margin" not in section
