"""Every command's JSON, and the report's data, on every engine equal to DuckDB's.

Shaped like Ibis's own backend test suite (ibis/backends/tests): each command is a case,
parametrized over the engines, compared with the embedded engine's output. The input is
one slice of the demo company (line items, reactivations, attributes, 24 months), read
by each engine its own way: DuckDB and Spark the CSV file, PostgreSQL a table of DATE and
NUMERIC columns, SQLite a table of text. Each engine loads it once for the module; the
Spark session and the PostgreSQL server are the run's (``tests/conftest.py``).

Money, counts, months, labels and flags must be identical. Rates are floats: an engine
that adds float rates in another order (Spark's averages across partitions) may differ
in the last bit, so floats are compared to 12 significant digits, as ``rates_match`` does.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from typer.testing import CliRunner

import revenue_retention as rr
from revenue_retention.analyses.cohort_groups import cohort_groups
from revenue_retention.analyses.compare import compare_months
from revenue_retention.analyses.customers import customer_story, customer_tables, log_totals
from revenue_retention.analyses.growth import compute_growth
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.analyses.units import scale_rows
from revenue_retention.cli import app
from revenue_retention.datasets import generate_demo
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs.cohort_groups import cohort_groups_document
from revenue_retention.outputs.cohorts import cohorts_document
from revenue_retention.outputs.compare import with_comparison
from revenue_retention.outputs.concentration import concentration_document
from revenue_retention.outputs.customers import customers_document, story_document
from revenue_retention.outputs.decompose import decompose_document
from revenue_retention.outputs.diagnose import diagnose_document
from revenue_retention.outputs.explain import explain_document
from revenue_retention.outputs.forecast import forecast_document
from revenue_retention.outputs.growth import growth_document
from revenue_retention.outputs.labels import field_label
from revenue_retention.outputs.methods import methods_document
from revenue_retention.outputs.metrics.document import method_metrics_document, with_intervals
from revenue_retention.outputs.overview.directory import directory_payload
from revenue_retention.outputs.overview.workbook import sheets
from revenue_retention.outputs.seasonality import seasonality_document

ENGINES = ("spark", "postgres", "sqlite")
#: Few resamples: the intervals are compared between engines, not judged.
RESAMPLES = 200
#: Rates compared to this many significant digits (see the module's docstring).
DIGITS = 12


@dataclasses.dataclass
class Loaded:
    """One engine's dataset and, computed once when first asked for, its report's data.

    The report runs each analysis once with the CLI's defaults (``overview``; that each
    part equals the analysis run alone is ``tests/analyses/test_overview.py``), so the
    commands it holds are read from it: on Spark each query costs seconds, whatever its
    size. Commands with other options, and ``diagnose`` alone (which computes its inputs
    itself), run on their own.
    """

    data: rr.Dataset

    @functools.cached_property
    def overview(self) -> Overview:
        return compute_overview(self.data, resamples=RESAMPLES)


def _metrics_with_intervals(run: Loaded) -> Document:
    """``retention metrics --windows 12 --ci 0.9``: what the CLI computes for it."""
    result = rr.compute_metrics(run.data, window_months=[12])
    intervals = rr.compute_intervals(
        run.data, window_months=[12], level=0.9, resamples=RESAMPLES, all_months=True
    )
    return with_intervals(method_metrics_document(result), result, intervals)


def _part(ov: Overview, name: str) -> Any:
    part = getattr(ov, name)
    assert part is not None, ov.skipped.get(name)
    return part


def _customers(run: Loaded, arr: bool = False) -> Document:
    """``retention customers --out --log``: the summary, and every row of both files
    (``--unit arr``: their amounts x 12 in the engine, columns named ``arr``)."""
    data = run.data
    months, moves = customer_tables(data)
    totals = log_totals(data, months)
    summary = customers_document(
        data.report,
        customer_months=totals["customer_months"],
        customers=totals["customers"],
        movements=totals["movements"],
        files={},
        preview=[],
        attributes=data.attributes,
    )

    def rows(table: Any) -> Section:
        found = data.con.to_pyarrow(table)
        records = [
            {k: rr.format_money(v) if isinstance(v, Decimal) else str(v) for k, v in r.items()}
            for r in found.to_pylist()
        ]
        return Section("rows", tuple(found.column_names), records)

    if arr:
        months, moves = scale_rows(months, rename=True), scale_rows(moves, rename=True)
    files = (months, moves)
    sections = (
        *summary.sections,
        *(
            dataclasses.replace(rows(t), name=n)
            for t, n in zip(files, ("customer_months", "movement_log"), strict=True)
        ),
    )
    return dataclasses.replace(summary, sections=sections)


#: Each command as its CLI runs it after loading: the analysis, then its document.
COMMANDS: dict[str, Callable[[Loaded], Document]] = {
    "metrics": lambda r: method_metrics_document(r.overview.metrics),
    "metrics --windows 12 --by segment": lambda r: method_metrics_document(r.overview.segments),
    # The demo has no status column: its plan stands in, to run the split on each engine.
    "metrics --churn-reason plan": lambda r: method_metrics_document(
        rr.compute_metrics(r.data, window_months=[1], churn_reason="plan")
    ),
    "metrics --method movement": lambda r: method_metrics_document(
        rr.compute_metrics(r.data, window_months=[3, 12], method="movement")
    ),
    "metrics --by size_band": lambda r: method_metrics_document(
        rr.compute_metrics(r.data, window_months=[1, 12], by=["size_band"])
    ),
    "metrics --ci 0.9": _metrics_with_intervals,
    "cohorts": lambda r: cohorts_document(r.overview.cohorts_nrr),
    "cohorts --metric logo": lambda r: cohorts_document(r.overview.cohorts_logo),
    "cohorts --grain quarter --relative-to month1 --metric grr": lambda r: cohorts_document(
        rr.compute_cohorts(r.data, metric="grr", grain="quarter", relative_to="month1")
    ),
    "concentration": lambda r: concentration_document(_part(r.overview, "concentration")),
    "decompose": lambda r: decompose_document(_part(r.overview, "decomposition")),
    "seasonality": lambda r: seasonality_document(r.overview.seasonality),
    "methods": lambda r: methods_document(_part(r.overview, "methods")),
    "diagnose": lambda r: diagnose_document(rr.compute_diagnosis(r.data)),
    "explain": lambda r: explain_document(_part(r.overview, "explain")),
    "explain --period 2024-06": lambda r: explain_document(
        rr.compute_explain(r.data, period="2024-06")
    ),
    "explain --by segment=Enterprise": lambda r: explain_document(
        rr.compute_explain(r.data, by=("segment", "Enterprise"))
    ),
    "customers --out --log": _customers,
    "customers --out --log --unit arr": lambda r: _customers(r, arr=True),
    "explain --customer C00106": lambda r: story_document(customer_story(r.data, "C00106")),
    "cohorts --by segment --grain quarter": lambda r: cohort_groups_document(
        cohort_groups(r.data, "segment", grain="quarter")
    ),
    "metrics --compare 2024-06": lambda r: with_comparison(
        method_metrics_document(r.overview.metrics), compare_months(r.overview.metrics, "2024-06")
    ),
    "forecast": lambda r: forecast_document(rr.compute_forecast(r.data, resamples=RESAMPLES)),
    "growth --gross-margin 0.8 --unit arr": lambda r: growth_document(
        compute_growth(r.data, gross_margin="0.8").in_arr()
    ),
}

#: Fields that name where the data came from (a file, a table), not what it holds.
SOURCE_FIELDS = ("files", "adapter")


def demo_items() -> pa.Table:
    """Two years of the demo company, its amounts as line items (quantity x unit_price)."""
    demo = generate_demo(customers=150, months=24)
    items = demo.drop_columns(["mrr"])
    # Whole cents, as a billing export prints them.
    return items.set_column(
        items.schema.get_field_index("unit_price"),
        "unit_price",
        items["unit_price"].cast(pa.decimal128(12, 2)),
    )


def _typed(items: pa.Table) -> pa.Table:
    """As a database table holds it: the month a DATE (its first day)."""
    month = pc.strptime(pc.binary_join_element_wise(items["month"], "-01", ""), "%Y-%m-%d", "s")
    return items.set_column(1, "month", month.cast(pa.date32()))


def _as_text(items: pa.Table) -> pa.Table:
    return pa.table({name: items[name].cast(pa.string()) for name in items.column_names})


def _load(engine: str, folder: Path, items: pa.Table, spark: Any, postgres_url: str) -> Any:
    csv = folder / "demo.csv"
    if not csv.exists():
        pacsv.write_csv(items, csv)
    if engine == "duckdb":
        return rr.load(csv)
    if engine == "spark":
        return rr.load(csv, engine=spark)
    if engine == "postgres":
        con = ibis.connect(postgres_url)
        con.create_table("every_command", ibis.memtable(_typed(items)), overwrite=False)
        con.disconnect()
        return rr.load(postgres_url, table="every_command")
    path = folder / "demo.db"
    text = _as_text(items)
    with sqlite3.connect(path) as con:
        columns = ", ".join(f"{name} TEXT" for name in text.column_names)
        con.execute(f"CREATE TABLE every_command ({columns})")
        marks = ", ".join("?" * text.num_columns)
        rows = zip(*(text[name].to_pylist() for name in text.column_names), strict=True)
        con.executemany(f"INSERT INTO every_command VALUES ({marks})", rows)
    con.close()
    return rr.load(f"sqlite:///{path}", table="every_command")


@pytest.fixture(scope="module")
def engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Loaded]]:
    """The demo slice loaded on an engine, once per engine for the module."""
    folder = tmp_path_factory.mktemp("every_command")
    items = demo_items()
    loaded: dict[str, Loaded] = {}

    def get(engine: str) -> Loaded:
        if engine not in loaded:
            spark = request.getfixturevalue("spark") if engine == "spark" else None
            url = request.getfixturevalue("postgres_url") if engine == "postgres" else ""
            loaded[engine] = Loaded(_load(engine, folder, items, spark, url))
        return loaded[engine]

    yield get
    for engine, run in loaded.items():
        if engine in ("postgres", "sqlite"):
            run.data.con.disconnect()


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """DuckDB's output of each case, computed once."""
    return {}


def plain(value: Any) -> Any:
    """``value`` as JSON-like data: dataclasses and enums spelled out, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def command_json(document: Document) -> Any:
    """The command's JSON as a program reads it, without the fields that name the source."""
    parsed = json.loads(document.to_json())
    for name in SOURCE_FIELDS:
        parsed["input"].pop(name)
    parsed["input"].pop("lines", None)  # a text file's line counts: a table has none
    return parsed


def report_data(ov: Overview) -> Any:
    """Everything the report shows (its ``Overview``) as the workbook lays it out."""
    book = plain(sheets(ov))
    source = (field_label("file"), field_label("adapter"))
    for sheet in book:
        sheet.pop("caption")  # names the input file
        for block in sheet["blocks"]:
            block["records"] = [r for r in block["records"] if r.get("item") not in source]
    return book


def assert_same(got: Any, want: Any, where: str = "") -> None:
    """Equal, floats to ``DIGITS`` significant digits (see the module's docstring)."""
    if isinstance(want, float) and isinstance(got, float):
        assert got == pytest.approx(want, rel=10**-DIGITS, abs=10**-DIGITS), where
    elif isinstance(want, dict) and isinstance(got, dict):
        assert got.keys() == want.keys(), where
        for key in want:
            assert_same(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list) and isinstance(got, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]")
    else:
        assert got == want, where


def _directory(ov: Overview) -> Any:
    """The report's customer search: each customer's record and months, as the page has
    them (``retention report``'s "Find a customer")."""
    return directory_payload(_part(ov, "customers"), ov.input.attributes)


#: The report's parts that are not a command's output, by case.
REPORT: dict[str, Callable[[Loaded], Any]] = {
    "report": lambda r: report_data(r.overview),
    "report --unit arr": lambda r: report_data(r.overview.in_arr()),
    "report: find a customer": lambda r: _directory(r.overview),
    "report: cohorts by segment": lambda r: command_json(
        cohort_groups_document(_part(r.overview, "cohort_groups"))
    ),
}


def _output(case: str, run: Loaded) -> Any:
    if case in REPORT:
        return REPORT[case](run)
    return command_json(COMMANDS[case](run))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", [*COMMANDS, *REPORT])
def test_command_output_equals_duckdb(
    case: str,
    engine: str,
    engines: Callable[[str], Loaded],
    reference: dict[str, Any],
) -> None:
    if case not in reference:
        reference[case] = _output(case, engines("duckdb"))
    assert_same(_output(case, engines(engine)), reference[case], case)


def test_the_slice_exercises_what_the_commands_need(engines: Callable[[str], Loaded]) -> None:
    """The cases above compare something: the slice has every shape the analyses read."""
    run = engines("duckdb")
    assert run.data.report.rows_read > 3000
    ov = run.overview
    assert ov.skipped == {}
    # Annual figures at some quarter ends and not others: the swing check and its nulls.
    annual = ov.seasonality.quarters.column("annual_grr").to_pylist()
    assert None in annual and any(a is not None for a in annual)
    # Product line items: price, volume and cross-sell effects.
    totals = _part(ov, "decomposition").totals
    assert totals.price_increase > 0 and totals.cross_sell > 0 and totals.churn > 0
    assert ov.cohorts_nrr.cohorts.num_rows > 100


def test_seasonality_on_spark_from_the_command_line(spark: Any, tmp_path: Path) -> None:
    """The command that stopped with exit 70 on Spark, through the CLI (same session)."""
    csv = tmp_path / "demo.csv"
    pacsv.write_csv(demo_items(), csv)
    runner = CliRunner()
    outputs = {}
    for engine in ("duckdb", "spark"):
        result = runner.invoke(
            app, ["seasonality", str(csv), "--engine", engine, "-f", "json"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        outputs[engine] = json.loads(result.stdout)
    assert_same(outputs["spark"], outputs["duckdb"])
