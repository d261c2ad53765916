"""The report and its workbook in ARR (``retention report --unit arr``).

Checked against the MRR report of the same data: every amount is 12 x the MRR one to the
cent (charts, tables, sentences, sheets), every rate, count and month is the same, what
the input holds (money read, accepted, rejected) is kept, and the words say ARR.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.outputs.test_workbook import _raw_numbers
from typer.testing import CliRunner

from revenue_retention import load
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.cli import app
from revenue_retention.datasets import write_demo_csv
from revenue_retention.outputs.overview.charts import report_charts
from revenue_retention.outputs.overview.directory import directory_payload
from revenue_retention.outputs.overview.report import data_notes, render_report, summary_sentence
from revenue_retention.outputs.overview.workbook import write_workbook

TWELVE = Decimal(12)
#: A word MRR that is not part of ``ARR (MRR x 12)`` nor of a churn rate's name.
_MRR = re.compile(r"(?<![A-Za-z0-9_])MRR(?![A-Za-z0-9_])(?! x 12)(?! churn)")
#: Charts whose numbers are amounts: every ``y`` (and a waterfall's ``base``) is x 12.
MONEY_CHARTS = {"mrr-movements", "bridge-month", "bridge-ttm", "expansion-split"}
#: Charts of rates and shares only (their hover texts may show an amount).
RATE_CHARTS = {
    "retention-trend",
    "cohort-heatmap",
    "cohort-groups",
    "segments",
    "concentration",
    "seasonality",
    "methods",
}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Overview, Overview, Path]:
    """The demo company, smaller (300 customers, 26 months), in MRR and in ARR."""
    folder = tmp_path_factory.mktemp("unit")
    data = load(write_demo_csv(folder / "demo.csv", customers=300, months=26))
    mrr = compute_overview(data, resamples=100)
    return mrr, mrr.in_arr(), folder


def _cents(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_every_analysis_in_arr_by_hand(both: tuple[Overview, Overview, Path]) -> None:
    mrr, arr = both[0], both[1]
    assert (mrr.unit, arr.unit) == ("mrr", "arr")
    for m, a in zip(mrr.metrics.bridge.to_pylist(), arr.metrics.bridge.to_pylist(), strict=True):
        for name in ("opening_mrr", "new", "reactivation", "expansion", "contraction"):
            assert a[name] == m[name] * TWELVE
        assert a["closing_mrr"] == m["closing_mrr"] * TWELVE
    for m, a in zip(
        mrr.metrics.retention.to_pylist(), arr.metrics.retention.to_pylist(), strict=True
    ):
        assert a["starting_mrr"] == m["starting_mrr"] * TWELVE
        assert (a["grr"], a["nrr"], a["customers"]) == (m["grr"], m["nrr"], m["customers"])
    # The forecast: amounts x 12, its rates exact and unchanged.
    assert mrr.forecast is not None and arr.forecast is not None
    assert arr.forecast.rates.starting_mrr == mrr.forecast.rates.starting_mrr * TWELVE
    assert arr.forecast.rates.grr == mrr.forecast.rates.grr
    for ms, as_ in zip(mrr.forecast.scenarios, arr.forecast.scenarios, strict=True):
        for (month, amount, *_), (month_a, amount_a, *_) in zip(ms.path, as_.path, strict=True):
            assert (month_a, amount_a) == (month, amount * TWELVE)
    # The customer search's months, the concentration's customers and shares.
    assert mrr.customers is not None and arr.customers is not None
    months = zip(mrr.customers.months.to_pylist(), arr.customers.months.to_pylist(), strict=True)
    for m, a in months:
        assert (a["mrr"], a["amount"], a["movement"]) == (
            m["mrr"] * TWELVE,
            None if m["amount"] is None else m["amount"] * TWELVE,
            m["movement"],
        )
    assert mrr.concentration is not None and arr.concentration is not None
    assert arr.concentration.starting_mrr == mrr.concentration.starting_mrr * TWELVE
    assert arr.concentration.shares.column("share_of_starting_mrr").equals(
        mrr.concentration.shares.column("share_of_starting_mrr")
    )
    # Growth: its ARR column is ARR in either view; LTV and seats would keep theirs.
    assert mrr.growth is not None and arr.growth is not None
    last_m, last_a = mrr.growth.latest(), arr.growth.latest()
    assert last_m is not None and last_a is not None
    assert last_a["ending_mrr"] == last_m["ending_mrr"] * TWELVE == last_a["arr"] == last_m["arr"]
    assert last_a["quick_ratio"] == last_m["quick_ratio"]
    # What the input holds is not a monthly amount: kept.
    assert arr.input.money_read == mrr.input.money_read
    assert arr.in_arr() is arr


def test_unit_is_a_parameter_of_compute_overview(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,10\na,2024-02,15\nb,2024-02,1.5\n")
    ov = compute_overview(load(path), window_months=1, resamples=100, unit="ARR")
    assert ov.unit == "arr"
    assert ov.metrics.bridge.column("closing_mrr").to_pylist()[-1] == Decimal("198")
    with pytest.raises(Exception, match="must be one of mrr, arr"):
        compute_overview(load(path), window_months=1, unit="eur")


def _numbers(trace: dict[str, Any], key: str) -> list[float]:
    values = trace.get(key)
    if values is None or isinstance(values, str):
        return []
    if isinstance(values, int | float):
        return [float(values)]
    flat = [v for row in values for v in row] if values and isinstance(values[0], list) else values
    return [float(v) for v in flat if isinstance(v, int | float) and not isinstance(v, bool)]


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() if k != "customdata" for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def _in_arr_words(text: str) -> str:
    return _MRR.sub("ARR", text)


def test_every_chart_in_arr(both: tuple[Overview, Overview, Path]) -> None:
    mrr, arr = both[0], both[1]
    charts_m, charts_a = report_charts(mrr), report_charts(arr)
    assert [c.id for c in charts_a] == [c.id for c in charts_m]
    assert {c.id for c in charts_m} <= MONEY_CHARTS | RATE_CHARTS
    for cm, ca in zip(charts_m, charts_a, strict=True):
        fm, fa = cm.figure.to_dict(), ca.figure.to_dict()
        for tm, ta in zip(fm["data"], fa["data"], strict=True):
            for key in ("y", "z", "base"):
                factor = 12 if cm.id in MONEY_CHARTS and key != "z" else 1
                expected = [v * factor for v in _numbers(tm, key)]
                assert _numbers(ta, key) == pytest.approx(expected, rel=1e-12), (cm.id, key)
        # Words: where MRR was said of an amount, ARR is.
        for text in [ca.title, ca.caption, *ca.columns, *_texts(fa["layout"]), *_texts(fa["data"])]:
            assert not _MRR.search(text), (ca.id, text)
        layout_m = {k: v for k, v in fm["layout"].items() if k != "template"}
        layout_a = {k: v for k, v in fa["layout"].items() if k != "template"}
        # The same words, but MRR of an amount said ARR (the axes' ranges are amounts).
        assert sorted(map(_in_arr_words, _texts(layout_m))) == sorted(_texts(layout_a)), ca.id
    # The bridge's steps, exact as the table shows them.
    ttm_m = next(c for c in charts_m if c.id == "bridge-ttm")
    ttm_a = next(c for c in charts_a if c.id == "bridge-ttm")
    for row_m, row_a in zip(ttm_m.rows, ttm_a.rows, strict=True):
        assert row_a[0] == row_m[0].replace("MRR", "ARR")
        assert _cents(row_a[1].replace(",", "")) == _cents(row_m[1].replace(",", "")) * 12


def test_the_page_in_arr(both: tuple[Overview, Overview, Path]) -> None:
    mrr, arr = both[0], both[1]
    row = next(
        r
        for r in mrr.metrics.retention.to_pylist()
        if r["as_of_index"] == mrr.as_of and r["window_months"] == mrr.window
    )
    shown = f"{_cents(row['starting_mrr'] * 12):,}"
    assert f"(ARR {shown})" in summary_sentence(arr)
    assert summary_sentence(arr).replace(f"(ARR {shown})", "") == summary_sentence(mrr).replace(
        f"(MRR {_cents(row['starting_mrr']):,})", ""
    )
    assert data_notes(arr)[0].startswith("Amounts are ARR")
    assert not any(n.startswith("Amounts are ARR") for n in data_notes(mrr))
    page = render_report(arr)
    assert '"unit": "arr"' in page
    assert ">Start ARR</th>" in page and ">Start MRR</th>" not in page
    # The customer search: every customer's months x 12.
    assert mrr.customers is not None and arr.customers is not None
    pm = directory_payload(mrr.customers, mrr.input.attributes)["customers"]
    pa_ = directory_payload(arr.customers, arr.input.attributes)["customers"]
    for cm, ca in zip(pm, pa_, strict=True):
        assert _cents(ca["mrr"].replace(",", "")) == _cents(cm["mrr"].replace(",", "")) * 12
        for mm, ma in zip(cm["months"], ca["months"], strict=True):
            assert (ma[0], ma[2]) == (mm[0], mm[2])
            assert _cents(ma[1].replace(",", "")) == _cents(mm[1].replace(",", "")) * 12


def _header_rows(ws: Any) -> dict[int, list[Any]]:
    return {r[0].row: [c.value for c in r] for r in ws.iter_rows()}


def test_the_workbook_in_arr(both: tuple[Overview, Overview, Path]) -> None:
    """Every sheet but Summary and Growth has the same cells: numbers in a money format
    x 12 to the cent, every other number equal, words ARR where they said MRR."""
    mrr, arr, folder = both
    path_m, path_a = folder / "mrr.xlsx", folder / "arr.xlsx"
    write_workbook(mrr, path_m)
    write_workbook(arr, path_a)
    raw_m, raw_a = _raw_numbers(path_m), _raw_numbers(path_a)
    book_m, book_a = openpyxl.load_workbook(path_m), openpyxl.load_workbook(path_a)
    assert book_a.sheetnames == book_m.sheetnames
    scaled = 0
    for ws in book_m.worksheets:
        wa = book_a[ws.title]
        if ws.title in ("Summary", "Growth"):
            continue
        assert (wa.max_row, wa.max_column) == (ws.max_row, ws.max_column), ws.title
        for row in ws.iter_rows():
            for cell in row:
                other = wa[cell.coordinate]
                if cell.coordinate in raw_m[ws.title]:
                    m, a = (
                        Decimal(raw_m[ws.title][cell.coordinate]),
                        Decimal(raw_a[ws.title][other.coordinate]),
                    )
                    money = cell.number_format == "#,##0.00"
                    assert a == (m * 12 if money else m), (ws.title, cell.coordinate)
                    scaled += money and m != 0
                elif isinstance(cell.value, str) and other.font.bold:  # titles, headers
                    assert other.value == _MRR.sub("ARR", cell.value), (ws.title, cell.coordinate)
                elif isinstance(cell.value, str):  # a record's text (a method's "why") may
                    assert other.value in (cell.value, _MRR.sub("ARR", cell.value))
                else:
                    assert other.value == cell.value, (ws.title, cell.coordinate)
    assert scaled > 2_000
    # Growth holds `growth --unit arr`'s records: its columns by header.
    growth_m = {str(c.value): c.column for c in book_m["Growth"][5] if c.value}
    growth_a = {str(c.value): c.column for c in book_a["Growth"][5] if c.value}
    assert "ARR" in growth_m and "ARR" not in growth_a  # Ending ARR is the ARR there
    for header, column in growth_m.items():
        if header == "ARR":
            continue
        target = growth_a[_MRR.sub("ARR", header)]
        m = book_m["Growth"].cell(6, column)
        a = book_a["Growth"].cell(6, target)
        if not isinstance(m.value, int | float) or m.value is None:
            assert a.value == m.value, header
            continue
        factor = 12 if m.number_format == "#,##0.00" else 1
        assert a.value == pytest.approx(m.value * factor, rel=1e-12), header
    # Summary: the input's money kept, the outlook's amounts x 12.
    summary_m = {r[0]: r[1:] for r in book_m["Summary"].iter_rows(values_only=True) if r[0]}
    summary_a = {r[0]: r[1:] for r in book_a["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary_a["Money read"] == summary_m["Money read"]
    scenario = "Existing base, GRR floor"
    assert summary_a[scenario][1] == pytest.approx(summary_m[scenario][1] * 12, rel=1e-12)


def test_report_command_in_arr(tmp_path: Path) -> None:
    csv = write_demo_csv(tmp_path / "demo.csv", customers=120, months=14)
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    args = ["report", str(csv), "--unit", "arr", "-o", str(html), "--xlsx", str(xlsx), "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    page = html.read_text("utf-8")
    assert '"unit": "arr"' in page and "Amounts are ARR" in page
    assert openpyxl.load_workbook(xlsx)["Bridge"]["A1"].value.startswith("ARR")
    bad = CliRunner().invoke(app, ["report", str(csv), "--unit", "eur", "-o", str(html)])
    assert bad.exit_code != 0 and "mrr, arr" in bad.output
