"""``overview``: every analysis of the report, each the same as when run on its own."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from revenue_retention import (
    Dataset,
    OptionError,
    compute_concentration,
    compute_decomposition,
    compute_diagnosis,
    compute_methods,
    compute_seasonality,
    load,
)
from revenue_retention.analyses.overview import compute_overview, segment_attribute
from revenue_retention.datasets import write_demo_csv


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_csv(tmp_path_factory.mktemp("demo") / "demo.csv")


def test_each_part_equals_its_analysis_run_alone(demo: Path) -> None:
    data = load(demo)
    ov = compute_overview(data, resamples=300)
    assert ov.skipped == {}
    assert ov.as_of == data.months.last and ov.window == 12
    assert ov.segment_by == "segment"
    assert ov.concentration == compute_concentration(data, window_months=12)
    assert ov.decomposition is not None
    assert ov.decomposition.totals == compute_decomposition(data, window_months=12).totals
    assert ov.seasonality == compute_seasonality(data)
    assert ov.methods == compute_methods(data, window_months=12)
    # The diagnosis reuses the results above; it must be what compute_diagnosis() finds alone,
    # except for the small-base rule, whose bootstrap here has fewer resamples.
    alone = {d.id: d for d in compute_diagnosis(data).diagnostics}
    assert ov.diagnosis is not None
    for found in ov.diagnosis.diagnostics:
        if found.id != "small_base":
            assert found == alone[found.id]


def test_without_line_items_the_decomposition_is_skipped_with_its_reason(
    tmp_path: Path,
) -> None:
    rows = [f"{c},{2023 + m // 12}-{m % 12 + 1:02d},{100 + m}" for c in "ab" for m in range(14)]
    path = tmp_path / "plain.csv"
    path.write_text("customer_id,month,mrr\n" + "\n".join(rows) + "\n")
    ov = compute_overview(load(path), resamples=100)
    assert ov.decomposition is None
    assert "product" in ov.skipped["decomposition"]
    assert ov.segment_by == "size_band"  # no attribute: size bands of starting MRR


def test_short_data_falls_back_to_the_longest_window(tmp_path: Path) -> None:
    # 2024-01 to 2024-06: six months, so the longest window is 5 months (2024-01 -> 2024-06).
    # a pays 10 throughout, b 20 then stops in 2024-04: GRR = NRR = 10 / 30, logos 1 / 2.
    path = tmp_path / "short.csv"
    rows = [f"a,2024-0{m},10" for m in range(1, 7)] + [f"b,2024-0{m},20" for m in range(1, 4)]
    path.write_text("customer_id,month,mrr\n" + "\n".join(rows) + "\n")
    ov = compute_overview(load(path), resamples=100)
    assert (ov.requested_window, ov.window, ov.shortened) == (12, 5, True)
    assert ov.as_of_label == "2024-06"
    five = [
        r
        for r in ov.metrics.retention.to_pylist()
        if r["window_months"] == 5 and r["as_of_index"] == ov.as_of
    ]
    assert len(five) == 1
    assert five[0]["grr"] == pytest.approx(1 / 3) and five[0]["logo_retention"] == 0.5
    assert not compute_overview(load(path), window_months=3, resamples=100).shortened


def test_one_month_and_unknown_attribute(tmp_path: Path, demo: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,10\n")
    with pytest.raises(OptionError, match="needs at least 2 months"):
        compute_overview(load(path))
    with pytest.raises(OptionError):
        segment_attribute(load(demo), "colour")
    assert segment_attribute(load(demo), "plan") == "plan"


def _stored(data: Dataset) -> list[str]:
    """The tables the run stored in its engine (DuckDB's temporary tables), by name."""
    found = data.con.raw_sql("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return sorted(name for (name,) in found)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_report_reads_one_canonical_table(demo: Path, tmp_path: Path, suffix: str) -> None:
    """Every analysis of the report reads the one canonical table the load made: none
    validates the input again or stores a canonical table of its own."""
    path = demo
    if suffix == ".parquet":
        path = tmp_path / "demo.parquet"
        header = demo.read_text(encoding="utf-8").splitlines()[0].split(",")
        text = pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()))
        pq.write_table(pacsv.read_csv(demo, convert_options=text), path)
    data = load(path)
    before = _stored(data)
    compute_overview(data, resamples=100)
    stored = _stored(data)
    made = [name for name in stored if name not in before]
    # The load validates a CSV once (stored) and a Parquet file in the scan that sums it.
    assert len([n for n in stored if n.startswith("_rr_validated_")]) == (suffix == ".csv")
    # The customer-months are summed once, and once more with the attributes for the
    # breakdowns, when the first analysis asks for the canonical table.
    assert len([n for n in stored if n.startswith("_rr_customer_months_")]) == 1
    assert [n for n in made if n.startswith(("_rr_canonical_", "_rr_validated_"))] == [
        n for n in stored if n.startswith("_rr_canonical_")
    ]
    assert len([n for n in stored if n.startswith("_rr_canonical_")]) == 1
    assert data.table is data.table
