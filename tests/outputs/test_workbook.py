"""The workbook read back: every sheet's numbers equal the JSON of the matching command.

The JSON comes from each analysis run afresh on the same data (what ``retention metrics
--format json``, ``cohorts``, ``concentration`` ... print), not from the ``Overview`` the
workbook was written from. Money is compared exactly, on the digits in the sheet's XML;
rates to 1e-12; months as the ``YYYY-MM`` of the date in the cell. Headers are words, so a
record's field is found under its words (``field_label``; a few are checked by hand).
"""

from __future__ import annotations

import itertools
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from revenue_retention import load
from revenue_retention.analyses.cohorts import compute_cohorts
from revenue_retention.analyses.concentration import compute_concentration
from revenue_retention.analyses.decompose import compute_decomposition
from revenue_retention.analyses.diagnostics import compute_diagnosis
from revenue_retention.analyses.explain import compute_explain
from revenue_retention.analyses.growth import compute_growth
from revenue_retention.analyses.methods import compute_methods
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.analyses.seasonality import compute_seasonality
from revenue_retention.analyses.summary import compute_metrics
from revenue_retention.analyses.uncertainty import compute_intervals
from revenue_retention.canonical import Dataset
from revenue_retention.datasets import write_demo_csv
from revenue_retention.outputs._document import Document
from revenue_retention.outputs.cohorts import cohorts_document
from revenue_retention.outputs.concentration import concentration_document
from revenue_retention.outputs.decompose import decompose_document
from revenue_retention.outputs.diagnose import diagnose_document
from revenue_retention.outputs.explain import explain_document
from revenue_retention.outputs.growth import growth_document
from revenue_retention.outputs.labels import field_label, reader_text
from revenue_retention.outputs.methods import methods_document
from revenue_retention.outputs.metrics.document import metrics_document, with_intervals
from revenue_retention.outputs.overview.definitions import DEFINITIONS
from revenue_retention.outputs.overview.workbook import SHEETS, write_workbook
from revenue_retention.outputs.seasonality import seasonality_document

RESAMPLES = 200
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_LABEL = re.compile(r"\d{4}-\d{2}")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
#: JSON strings that are names, never numbers or months, whatever they look like.
_TEXT = frozenset(("customer_id", "product", "item", "metric", "movement", "term", "section"))


def _json(document: Document) -> dict[str, Any]:
    """The document as a program reading ``--format json`` gets it."""
    parsed: dict[str, Any] = json.loads(document.to_json())
    return parsed


def _raw_numbers(path: Path) -> dict[str, dict[str, str]]:
    """Sheet name -> cell -> the number exactly as written in the sheet's XML."""
    out: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{_RELS}}}Relationship")}
        for sheet in book.iter(f"{{{_MAIN}}}sheet"):
            target = str(targets[sheet.get(f"{{{_DOC_RELS}}}id")]).lstrip("/")
            name = target if target.startswith("xl/") else f"xl/{target}"
            xml = ElementTree.fromstring(archive.read(name))
            out[str(sheet.get("name"))] = {
                str(c.get("r")): str(c.findtext(f"{{{_MAIN}}}v"))
                for c in xml.iter(f"{{{_MAIN}}}c")
                if c.get("t") == "n" and c.find(f"{{{_MAIN}}}v") is not None
            }
    return out


class Row(dict[str, Any]):
    """A table row by header, found by the header's words or by the JSON field's name."""

    def __missing__(self, key: str) -> Any:
        return self[field_label(key)]

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (
            isinstance(key, str) and dict.__contains__(self, field_label(key))
        )


@dataclass(frozen=True)
class Book:
    """The workbook of one overview, read back, with the data it came from."""

    data: Dataset
    ov: Overview
    path: Path
    wb: openpyxl.Workbook
    raw: dict[str, dict[str, str]]

    def table(self, sheet: str, name: str) -> list[Row]:
        """The records of the Excel table ``<sheet>_<name>``, as header -> cell."""
        ws: Worksheet = self.wb[sheet]
        rows = ws[ws.tables[f"{sheet}_{name}"].ref]
        header = [str(c.value) for c in rows[0]]
        return [Row(zip(header, row, strict=True)) for row in rows[1:]]

    def items(self, sheet: str, name: str) -> Row:
        """An ``item, value`` table as item -> value cell."""
        return Row({str(r["item"].value): r["value"] for r in self.table(sheet, name)})

    def check(self, sheet: str, cell: Cell, expected: Any, name: str) -> None:
        """One cell against its JSON value: exact money, rates to 1e-12, months as dates."""
        where = f"{sheet}!{cell.coordinate} ({name})"
        if expected is None:
            assert cell.value is None, where
        elif isinstance(expected, bool):
            assert cell.value is expected, where
        elif isinstance(expected, int):
            assert cell.value == expected and isinstance(cell.value, int), where
        elif isinstance(expected, float):
            assert isinstance(cell.value, int | float), where
            assert cell.value == pytest.approx(expected, rel=0, abs=1e-12), where
        elif name in _TEXT:
            assert cell.value == expected, where
        elif _LABEL.fullmatch(expected):
            assert isinstance(cell.value, datetime), where
            assert cell.value.strftime("%Y-%m") == expected, where
            assert cell.number_format == "yyyy-mm", where
        elif _NUMBER.fullmatch(expected):
            # A number, not text; its digits in the XML are the JSON's, exactly.
            assert isinstance(cell.value, int | float), where
            assert Decimal(self.raw[sheet][cell.coordinate]) == Decimal(expected), where
        else:
            assert cell.value == expected, where

    def same_records(
        self,
        sheet: str,
        name: str,
        expected: Sequence[Mapping[str, Any]],
        fields: Sequence[str] | None = None,
    ) -> None:
        rows = self.table(sheet, name)
        assert len(rows) == len(expected), f"{sheet}_{name}"
        for row, record in zip(rows, expected, strict=True):
            keys = list(record) if fields is None else fields
            # Every key of the record is a column; a column a record lacks (a total row's
            # segment) is empty.
            assert all(key in row for key in keys), f"{sheet}_{name} columns"
            by_header = {field_label(key): key for key in keys}
            assert len(by_header) == len(keys)
            for header in row:
                if header in by_header:
                    key = by_header[header]
                    self.check(sheet, row[header], record[key], key)
                elif fields is None:
                    assert row[header].value is None, f"{sheet}!{row[header].coordinate}"

    def same_items(self, sheet: str, name: str, expected: Mapping[str, Any]) -> None:
        items = self.items(sheet, name)
        assert list(items) == [field_label(key) for key in expected]
        for key, value in expected.items():
            self.check(sheet, items[key], value, key)


def _book(data: Dataset, ov: Overview, path: Path) -> Book:
    write_workbook(ov, path)
    return Book(data, ov, path, openpyxl.load_workbook(path), _raw_numbers(path))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The demo company, smaller: 300 customers over 26 months, products and segments."""
    folder = tmp_path_factory.mktemp("workbook")
    data = load(write_demo_csv(folder / "demo.csv", customers=300, months=26))
    return _book(data, compute_overview(data, resamples=RESAMPLES), folder / "demo.xlsx")


@pytest.fixture(scope="module")
def metrics_json(demo: Book) -> dict[str, Any]:
    """``retention metrics --windows 1,3,12 --format json``."""
    return _json(metrics_document(compute_metrics(demo.data, window_months=[1, 3, 12])))


def test_sheets_in_order(demo: Book) -> None:
    assert demo.wb.sheetnames == list(SHEETS)


def test_bridge_equals_metrics_json(demo: Book, metrics_json: dict[str, Any]) -> None:
    demo.same_records("Bridge", "monthly", metrics_json["bridge"])


def test_trailing_twelve_months_add_up_the_json_bridge(
    demo: Book, metrics_json: dict[str, Any]
) -> None:
    bridge = metrics_json["bridge"]
    last = bridge[-12:]
    rows = {r["movement"].value: r for r in demo.table("Bridge", "latest")}
    assert list(rows) == list(bridge[0])[1:]
    for name, row in rows.items():
        demo.check("Bridge", row["latest_month"], bridge[-1][name], name)
        if name == "opening_mrr":
            expected = last[0][name]
        elif name == "closing_mrr":
            expected = last[-1][name]
        else:
            expected = str(sum(Decimal(r[name]) for r in last))
        demo.check("Bridge", row["trailing_12_months"], expected, name)


def test_retention_equals_metrics_json(demo: Book, metrics_json: dict[str, Any]) -> None:
    demo.same_records("Retention", "windows", metrics_json["retention"])


def test_summary_headline_is_the_json_with_interval(
    demo: Book, metrics_json: dict[str, Any]
) -> None:
    result = compute_metrics(demo.data, window_months=[12])
    intervals = compute_intervals(demo.data, window_months=[12], level=0.9, resamples=RESAMPLES)
    with_ci = _json(with_intervals(metrics_document(result), result, intervals))["retention"]
    as_of = demo.ov.as_of_label
    now = next(r for r in with_ci if r["as_of"] == as_of)
    year = int(as_of[:4]) - 1
    before_label = f"{year:04d}{as_of[4:]}"
    before = next(r for r in with_ci if r["as_of"] == before_label)
    rows = demo.table("Summary", "headline")
    assert [r["metric"].value for r in rows] == ["grr", "nrr", "logo_retention"]
    for row in rows:
        metric = str(row["metric"].value)
        demo.check("Summary", row["as_of"], as_of, "as_of")
        demo.check("Summary", row["window_months"], 12, "window_months")
        demo.check("Summary", row["value"], now[metric], metric)
        demo.check("Summary", row["year_earlier_as_of"], before_label, "as_of")
        demo.check("Summary", row["year_earlier"], before[metric], metric)
        change = now[metric] - before[metric]
        demo.check("Summary", row["change_vs_year_earlier"], change, metric)
        demo.check("Summary", row["ci_low"], now[f"{metric}_low"], metric)
        demo.check("Summary", row["ci_high"], now[f"{metric}_high"], metric)
        demo.check("Summary", row["ci_level"], 0.9, "ci_level")
    latest = [r for r in metrics_json["retention"] if r["as_of"] == as_of]
    assert [r["window_months"] for r in latest] == [1, 3, 12]
    demo.same_records("Summary", "latest", latest)


def test_summary_benchmarks_and_diagnostics_are_the_diagnose_json(demo: Book) -> None:
    diagnosis = _json(diagnose_document(compute_diagnosis(demo.data, window_months=12)))
    demo.same_records("Summary", "benchmarks", diagnosis["benchmarks"])
    fields = ("id", "title", "status", "triggered", "message")
    in_words = [r | {"message": reader_text(r["message"])} for r in diagnosis["diagnostics"]]
    demo.same_records("Summary", "diagnostics", in_words, fields)


def test_summary_says_what_was_read_and_how(demo: Book) -> None:
    source = demo.data.report.to_dict()
    about = demo.items("Summary", "about")
    for name in (
        "rows_read",
        "rows_accepted",
        "rows_rejected",
        "money_read",
        "money_accepted",
        "money_rejected",
        "first_month",
        "last_month",
    ):
        demo.check("Summary", about[name], source[name], name)
    assert source["rows_read"] == source["rows_accepted"] + source["rows_rejected"]
    assert about["file"].value == source["files"][0]
    demo.check("Summary", about["as_of"], demo.ov.as_of_label, "as_of")
    assert about["window_months"].value == 12
    assert str(about["method"].value).startswith("cohort")
    assert not [k for k in about if k.startswith("not computed")]
    terms = [r["term"].value for r in demo.table("Summary", "definitions")]
    assert terms == [d.term for d in DEFINITIONS]
    texts = [r["text"].value for r in demo.table("Summary", "definitions")]
    assert texts == [d.text for d in DEFINITIONS]


def test_methods_and_seasonality_are_their_json(demo: Book) -> None:
    methods = _json(methods_document(compute_methods(demo.data, window_months=12)))
    demo.same_records("Methods", "methods", methods["methods"])
    seasonal = _json(seasonality_document(compute_seasonality(demo.data)))
    for section in ("quarter_of_year", "quarters", "month_of_year", "swing"):
        demo.same_records("Methods", section, seasonal[section])


@pytest.mark.parametrize("metric", ["nrr", "logo"])
def test_cohort_matrix_is_the_cohorts_json(demo: Book, metric: str) -> None:
    cohorts = _json(cohorts_document(compute_cohorts(demo.data, metric=metric)))
    rows = demo.table("Cohorts", metric)
    assert [r["cohort"].value.strftime("%Y-%m") for r in rows] == [
        s["cohort"] for s in cohorts["cohort_sizes"]
    ]
    by_cohort = {r["cohort"].value.strftime("%Y-%m"): r for r in rows}
    for size in cohorts["cohort_sizes"]:
        row = by_cohort[size["cohort"]]
        demo.check("Cohorts", row["customers"], size["customers"], "customers")
        demo.check("Cohorts", row["starting_mrr"], size["starting_mrr"], "starting_mrr")
    ages = {r["age_months"] for r in cohorts["cohorts"]}
    assert list(rows[0])[3:] == [f"Month {a}" for a in sorted(ages)]
    filled = 0
    for record in cohorts["cohorts"]:
        cell = by_cohort[record["cohort"]][f"m{record['age_months']}"]
        demo.check("Cohorts", cell, record["value"], "value")
        assert cell.number_format == "0.0%"
        filled += 1
    empty = sum(1 for r in rows for k, c in r.items() if k.startswith("Month") and c.value is None)
    assert filled + empty == len(rows) * len(ages)


def test_segments_are_the_json_by_segment(demo: Book) -> None:
    assert demo.ov.segment_by == "segment"
    by = _json(metrics_document(compute_metrics(demo.data, window_months=[12], by=["segment"])))
    demo.same_records("Segments", "windows", by["retention"])
    latest = [r for r in by["retention"] if r["as_of"] == demo.ov.as_of_label]
    assert {r["scope"] for r in latest} == {"total", "group"}
    demo.same_records("Segments", "latest", latest)


def test_concentration_is_the_concentration_json(demo: Book) -> None:
    doc = _json(concentration_document(compute_concentration(demo.data, window_months=12)))
    demo.same_items("Concentration", "summary", doc["summary"][0])
    for section in (
        "shares",
        "nrr_without_top_expanders",
        "top_customers",
        "top_expanders",
        "pareto",
    ):
        demo.same_records("Concentration", section, doc[section])


def test_decomposition_is_the_decompose_json(demo: Book) -> None:
    doc = _json(decompose_document(compute_decomposition(demo.data, window_months=12)))
    demo.same_items("Decomposition", "totals", doc["totals"][0])
    for section in ("movements", "products", "customers"):
        demo.same_records("Decomposition", section, doc[section])


def test_customers_are_the_explain_json(demo: Book) -> None:
    doc = _json(explain_document(compute_explain(demo.data, window_months=12)))
    assert len(doc["customers"]) == doc["listed"] > 100
    demo.same_records("Customers", "customers", doc["customers"])
    demo.same_items("Customers", "totals", doc["totals"][0])
    demo.same_records("Customers", "movements", doc["movements"])


@pytest.mark.parametrize(
    ("sheet", "frozen", "main"),
    [
        ("Summary", "A3", None),
        ("Bridge", "A6", "monthly"),
        ("Retention", "A6", "windows"),
        ("Methods", "A3", None),
        ("Cohorts", "D7", "nrr"),
        # The window to the latest month (a few rows) above every month's.
        ("Segments", "A13", "windows"),
        # The Pareto points start too far down to freeze above them.
        ("Concentration", "A3", None),
        ("Decomposition", "A19", "customers"),
        ("Customers", "A12", "customers"),
    ],
)
def test_frozen_headers_and_column_widths(
    demo: Book, sheet: str, frozen: str, main: str | None
) -> None:
    ws = demo.wb[sheet]
    assert ws.freeze_panes == frozen
    # The main table's header is the last frozen row.
    if main is not None:
        header_row = int(frozen[1:]) - 1
        assert ws.tables[f"{sheet}_{main}"].ref.split(":")[0] == f"A{header_row}"
    assert ws["A1"].font.b and ws["A1"].value
    widths = [d.width for d in ws.column_dimensions.values()]
    assert widths and all(6 <= w <= 60 for w in widths)


def test_number_formats(demo: Book) -> None:
    row = demo.table("Retention", "windows")[0]
    assert row["as_of"].number_format == "yyyy-mm"
    assert row["customers"].number_format == "#,##0"
    for name in ("starting_mrr", "churn", "ending_mrr"):
        assert row[name].number_format == "#,##0.00"
    for name in ("grr", "nrr", "logo_retention"):
        assert row[name].number_format == "0.0%"
    headline = demo.table("Summary", "headline")[0]
    assert headline["change_vs_year_earlier"].number_format == "+0.0%;-0.0%;0.0%"
    summary = demo.items("Concentration", "summary")
    assert summary["starting_mrr"].number_format == "#,##0.00"
    assert summary["herfindahl"].number_format == "0.0000"
    month_of_year = demo.table("Methods", "month_of_year")[0]
    assert month_of_year["churn"].number_format == "0.0%"
    assert isinstance(month_of_year["churn"].value, float)


def test_cohort_heatmaps_are_shaded(demo: Book) -> None:
    ranges = [str(r.sqref) for r in demo.wb["Cohorts"].conditional_formatting]
    tables = demo.wb["Cohorts"].tables
    for name in ("Cohorts_nrr", "Cohorts_logo"):
        first, last = tables[name].ref.split(":")
        body = f"D{int(first[1:]) + 1}:{last}"
        assert body in ranges


def test_same_overview_same_bytes(demo: Book, tmp_path: Path) -> None:
    again = write_workbook(demo.ov, tmp_path / "nested" / "again.xlsx")
    assert again.read_bytes() == demo.path.read_bytes()


# Two customers over 14 months, no product lines: the decomposition cannot run. B's MRR
# has 18 significant digits, more than a float (and "%.16g") keeps.
_WIDE = "123456789012.345678"


@pytest.fixture(scope="module")
def no_products(tmp_path_factory: pytest.TempPathFactory) -> Book:
    folder = tmp_path_factory.mktemp("no_products")
    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02"]
    rows = [f"A,{m},100,smb" for m in months] + [f"B,{m},{_WIDE},ent" for m in months[:-1]]
    path = folder / "two.csv"
    path.write_text("customer_id,month,mrr,segment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    data = load(path)
    return _book(data, compute_overview(data, resamples=RESAMPLES), folder / "two.xlsx")


def test_missing_analysis_says_why(no_products: Book) -> None:
    reason = no_products.ov.skipped["decomposition"]
    assert no_products.ov.decomposition is None and reason
    ws = no_products.wb["Decomposition"]
    lines = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert f"Not computed: {reader_text(reason)}" in lines
    assert not ws.tables
    about = no_products.items("Summary", "about")
    assert about["not computed: decomposition"].value == reader_text(reason)
    assert "--" not in about["not computed: decomposition"].value


def test_money_keeps_every_digit_in_the_file(no_products: Book) -> None:
    bridge = no_products.table("Bridge", "monthly")
    opening = bridge[0]["opening_mrr"]
    written = no_products.raw["Bridge"][opening.coordinate]
    assert Decimal(written) == Decimal(_WIDE) + 100
    assert written == "123456789112.345678"
    churn = bridge[-1]["churn"]
    assert no_products.raw["Bridge"][churn.coordinate] == _WIDE


def test_an_empty_table_says_none(no_products: Book) -> None:
    # A stays flat and B churns: nobody expands.
    ws = no_products.wb["Concentration"]
    assert "Concentration_top_expanders" not in ws.tables
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    title = next(c for c in cells if c.value == "Largest expanders")
    below = [ws.cell(title.row + 2, title.column).value, ws.cell(title.row + 3, title.column).value]
    assert below == ["(none)", None]


def test_short_data_adds_up_the_months_it_has(tmp_path: Path) -> None:
    """Five months and a 3-month window: the trailing bridge is the 4 bridge months."""
    amounts = {"2024-01": ("100", "50"), "2024-02": ("120", "50"), "2024-03": ("120", "0")}
    amounts |= {"2024-04": ("90.5", "0"), "2024-05": ("90.5", "70.25")}
    rows = [f"A,{m},{a}\nB,{m},{b}" for m, (a, b) in amounts.items()]
    path = tmp_path / "short.csv"
    path.write_text("customer_id,month,mrr\n" + "\n".join(rows) + "\n", encoding="utf-8")
    data = load(path)
    book = _book(
        data, compute_overview(data, window_months=3, resamples=50), tmp_path / "short.xlsx"
    )
    latest = {r["movement"].value: r for r in book.table("Bridge", "latest")}
    # By hand: opening 150 (Jan); new 0; reactivation 70.25 (B in May); expansion 20
    # (A in Feb); contraction 29.5 (A in Apr); churn 50 (B in Mar); closing 160.75 (May).
    expected = {
        "opening_mrr": "150",
        "new": "0",
        "reactivation": "70.25",
        "expansion": "20",
        "contraction": "29.5",
        "churn": "50",
        "closing_mrr": "160.75",
    }
    for name, amount in expected.items():
        book.check("Bridge", latest[name]["trailing_4_months"], amount, name)
    assert latest["closing_mrr"]["latest_month"].value == 160.75
    assert book.wb["Summary"].tables["Summary_headline"]
    headline = book.table("Summary", "headline")
    assert all(r["year_earlier"].value is None for r in headline)


def test_headers_are_words(demo: Book) -> None:
    ws = demo.wb["Retention"]
    header = [c.value for c in ws[ws.tables["Retention_windows"].ref][0]]
    assert header[:6] == [
        "As of",
        "Window (months)",
        "Method",
        "Customers",
        "Retained customers",
        "Starting MRR",
    ]
    assert "GRR" in header and "Logo retention" in header and "starting_mrr" not in header
    ws = demo.wb["Bridge"]
    assert [c.value for c in ws[ws.tables["Bridge_monthly"].ref][0]] == [
        "Month",
        "Opening MRR",
        "New",
        "Reactivation",
        "Expansion",
        "Contraction",
        "Churn",
        "Closing MRR",
    ]


def test_no_table_shares_a_row_with_another(demo: Book) -> None:
    """Filtering one table hides whole rows: no other table may have cells in them."""
    for ws in demo.wb:
        spans = []
        for _, ref in ws.tables.items():
            first, last = ref.split(":")
            assert first.startswith("A"), (ws.title, ref)  # one under the other, from A
            spans.append((int(first[1:]), int("".join(c for c in last if c.isdigit()))))
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start > end + 1, (ws.title, spans)


def test_no_cell_names_metrics_md_or_an_option(demo: Book, no_products: Book) -> None:
    for book in (demo, no_products):
        for ws in book.wb:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        assert "METRICS.md" not in cell.value and "\u00a7" not in cell.value
                        assert not re.search(r"(?<![\w-])--[a-z]", cell.value), cell.value


def test_a_long_table_says_where_the_tables_below_it_are(demo: Book) -> None:
    caption = demo.wb["Customers"]["A2"].value
    totals = demo.wb["Customers"].tables["Customers_totals"].ref.split(":")[0]
    title_row = int(totals[1:]) - 1
    assert f"Further down: Totals (the Retention row) (row {title_row:,})." in caption


def test_currency_and_title(tmp_path: Path) -> None:
    rows = [f"a,2024-{m:02d},100,EUR" for m in range(1, 13)] + ["a,2025-01,120,EUR"]
    path = tmp_path / "eur.csv"
    path.write_text("customer_id,month,mrr,currency\n" + "\n".join(rows) + "\n")
    data = load(path)
    target = write_workbook(
        compute_overview(data, resamples=100), tmp_path / "eur.xlsx", title="Acme"
    )
    wb = openpyxl.load_workbook(target)
    assert wb["Summary"]["A1"].value == "Acme: revenue retention to 2025-01"
    ws = wb["Bridge"]
    header = [c.value for c in ws[ws.tables["Bridge_monthly"].ref][0]]
    assert header[:3] == ["Month", "Opening MRR (EUR)", "New (EUR)"]
    about = {r[0]: r[1] for r in wb["Summary"].values}
    assert about["Currency"] == "EUR"


def test_several_currencies_are_read_one_by_one(tmp_path: Path) -> None:
    from revenue_retention.datasets import example_path

    data = load(
        example_path("multi_currency.csv"),
        fx_rates=example_path("fx_rates.csv"),
        reporting_currency="USD",
    )
    book = _book(
        data, compute_overview(data, window_months=3, resamples=RESAMPLES), tmp_path / "fx.xlsx"
    )
    about = book.items("Summary", "about")
    # Per currency, as money cells; the converted total (15,003.72 by hand, see
    # test_terminal.py) is labelled with its currency; no mixed "money_read" sum.
    expected = {"EUR": "5800.00", "GBP": "3400.00", "USD": "4500.00"}
    for code, money in expected.items():
        for name in ("money_read", "money_accepted"):
            book.check("Summary", about[f"{name} {code}"], money, f"{name} {code}")
    book.check("Summary", about["money_accepted in USD"], "15003.72", "money_accepted in USD")
    assert "money_read" not in about


def test_growth_is_the_growth_json(demo: Book) -> None:
    doc = _json(growth_document(compute_growth(demo.data, window_months=12)))
    assert doc["quantity"], "the demo has seats"
    for section in ("windows", "months", "quantity"):
        demo.same_records("Growth", section, doc[section])
