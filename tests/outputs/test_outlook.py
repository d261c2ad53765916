"""The report's and workbook's outlook: next 12 months and what to do first, by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.test_forecast_cli import constant_grr_csv

from revenue_retention import load
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.outputs.overview.outlook import outlook
from revenue_retention.outputs.overview.outlook_sheet import outlook_block
from revenue_retention.outputs.overview.report import render_report


@pytest.fixture(scope="module")
def constant(tmp_path_factory: pytest.TempPathFactory) -> Overview:
    # 2023-01 .. 2025-01: the base keeps 90% a year. As of 2025-01 MRR is 810, GRR = NRR =
    # 90%, no new business: floor and base-only growth are both 810 x 0.9 = 729.00; the
    # projection made at 2024-01 (900 x 0.9 = 810) is what happened.
    return compute_overview(
        load(constant_grr_csv(tmp_path_factory.mktemp("outlook"))), resamples=200
    )


def test_the_outlook_states_floor_growth_backtest_and_first_step(constant: Overview) -> None:
    said = outlook(constant)
    assert said.first is not None and said.first.startswith(
        "Retention first, then expansion: 12-month GRR is 90.0%, between 85% and 90%"
    )
    assert said.projection is not None
    assert said.projection.startswith(
        "From 810.00 MRR at 2025-01, the existing base alone is projected at 2026-01 to "
        "729.00 at its revenue floor (MRR x GRR 90.0%;"
    )
    assert "and 729.00 on its own growth (MRR x NRR 90.0%;" in said.projection
    assert said.projection.endswith(
        "With new business at its trailing rate (0.00 MRR a year): 729.00."
    )
    assert said.backtest == (
        "Backtest: the same projection made at 2024-01 was off at 2025-01 by GRR floor "
        "+0.0%, NRR path +0.0%, with new business +0.0% (positive: too high)."
    )
    assert said.figures == {"floor": "729.00", "base": "729.00", "with_new_business": "729.00"}


def test_the_report_shows_the_outlook_in_its_headline_section(constant: Overview) -> None:
    page = render_report(constant)
    answer = page[page.index('<section id="answer"') : page.index('<section id="stands-out"')]
    assert '<div class="outlook" id="outlook">' in answer
    assert "<strong>What to do first.</strong> Retention first, then expansion" in answer
    assert "729.00 at its revenue floor" in answer


def test_the_workbook_block_has_each_scenario_a_year_ahead(constant: Overview) -> None:
    block = outlook_block(constant)
    assert [(r["scenario"], r["mrr"], r["period"]) for r in block.records] == [
        ("Existing base, GRR floor", "729.00", "2026-01"),
        ("Existing base, NRR path", "729.00", "2026-01"),
        ("Base plus new business", "729.00", "2026-01"),
    ]
    assert block.notes[0].startswith("What to do first: Retention first")


def test_without_a_year_of_data_the_block_says_why(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,10\na,2024-06,10\n", encoding="utf-8")
    ov = compute_overview(load(path), resamples=200)
    assert ov.forecast is None and "forecast" in ov.skipped
    block = outlook_block(ov)
    assert block.records == []
