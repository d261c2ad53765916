"""Tests of the input adapter registry: detection, source errors, custom adapters, line numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ibis.backends import BaseBackend

from revenue_retention.canonical import load
from revenue_retention.engine import LINE_COLUMN, connect
from revenue_retention.errors import (
    BadRowsError,
    InputError,
    OptionError,
    RejectReason,
    RetentionError,
    SourceError,
)
from revenue_retention.inputs import Adapter, Raw, adapters, read_source, register, registry

HEADER = "customer_id,month,mrr"


def write_text(path: Path, *lines: str) -> Path:
    """Write ``lines`` as a text file, one per line; line 1 is the first argument."""
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def write_parquet(path: Path) -> Path:
    """A small valid Parquet file in the long layout."""
    table = pa.table(
        {
            "customer_id": ["a", "b"],
            "month": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)],
            "mrr": pa.array(["10.00", "20.00"]).cast(pa.decimal128(12, 2)),
        }
    )
    pq.write_table(table, path)
    return path


@pytest.fixture
def con() -> BaseBackend:
    return connect()


# --- detection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("billing.csv", [HEADER, "a,2024-01,10"]),
        ("BILLING.CSV", [HEADER, "a,2024-01,10"]),
        ("billing.txt", [HEADER, "a,2024-01,10"]),
        ("billing.tsv", ["customer_id\tmonth\tmrr", "a\t2024-01\t10"]),
        ("semicolons.csv", ["customer_id;month;mrr", "a;2024-01;10", "b;2024-02;20"]),
    ],
)
def test_csv_detected_by_extension_with_its_delimiter(
    tmp_path: Path, con: BaseBackend, name: str, lines: list[str]
) -> None:
    raw = read_source(write_text(tmp_path / name, *lines), con)
    assert raw.adapter == "csv"
    assert raw.columns == ("customer_id", "month", "mrr")
    assert LINE_COLUMN not in raw.columns


def test_csv_detected_by_content_when_the_file_has_no_extension(
    tmp_path: Path, con: BaseBackend
) -> None:
    raw = read_source(write_text(tmp_path / "billing", HEADER, "a,2024-01,10"), con)
    assert raw.adapter == "csv"
    assert raw.columns == ("customer_id", "month", "mrr")


@pytest.mark.parametrize("name", ["billing.parquet", "billing.PARQUET", "billing.pq"])
def test_parquet_detected_by_extension(tmp_path: Path, con: BaseBackend, name: str) -> None:
    raw = read_source(write_parquet(tmp_path / name), con)
    assert raw.adapter == "parquet"
    assert raw.columns == ("customer_id", "month", "mrr")


@pytest.mark.parametrize("name", ["billing", "billing.dat"])
def test_parquet_detected_by_content_whatever_the_name(
    tmp_path: Path, con: BaseBackend, name: str
) -> None:
    raw = read_source(write_parquet(tmp_path / name), con)
    assert raw.adapter == "parquet"


def test_a_parquet_file_named_csv_is_a_clear_source_error(tmp_path: Path, con: BaseBackend) -> None:
    path = write_parquet(tmp_path / "billing.csv")
    with pytest.raises(
        SourceError, match=r"not CSV text: the file is a Parquet file; rename it"
    ) as error:
        read_source(path, con)
    assert error.value.path == str(path)


def test_a_text_file_named_parquet_is_a_source_error(tmp_path: Path, con: BaseBackend) -> None:
    path = write_text(tmp_path / "billing.parquet", HEADER, "a,2024-01,10")
    with pytest.raises(SourceError, match="is not a Parquet file") as error:
        read_source(path, con)
    assert error.value.path == str(path)


def test_a_corrupt_parquet_file_is_a_source_error(tmp_path: Path, con: BaseBackend) -> None:
    path = tmp_path / "billing.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(SourceError, match="cannot be read as Parquet"):
        read_source(path, con)


def test_an_unknown_extension_lists_the_supported_formats(tmp_path: Path, con: BaseBackend) -> None:
    path = write_text(tmp_path / "billing.json", '{"customer_id": "a"}')
    with pytest.raises(SourceError) as error:
        read_source(path, con)
    message = error.value.reason
    assert "unrecognised file type" in message
    assert "csv" in message
    assert "parquet" in message
    assert "--input-format" in message


# --- sources that cannot be read ----------------------------------------------------------


def test_a_missing_path_is_no_such_file(tmp_path: Path, con: BaseBackend) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(SourceError) as error:
        read_source(path, con)
    assert error.value.reason == "no such file"
    assert str(error.value) == f"{path}: no such file"
    # Part of the tree the CLI catches, and still a ValueError for plain Python callers.
    assert isinstance(error.value, InputError)
    assert isinstance(error.value, RetentionError)
    assert isinstance(error.value, ValueError)


def test_load_of_a_missing_path_is_no_such_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        load(tmp_path / "nowhere.csv")


def test_a_folder_is_a_source_error(tmp_path: Path, con: BaseBackend) -> None:
    folder = tmp_path / "exports.csv"
    folder.mkdir()
    with pytest.raises(SourceError) as error:
        read_source(folder, con)
    assert "folder" in error.value.reason


@pytest.mark.parametrize("name", ["empty.csv", "empty"])
def test_an_empty_file_says_it_is_empty(tmp_path: Path, con: BaseBackend, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(SourceError) as error:
        read_source(path, con)
    # The reason, not the message: the message starts with the path, which says "empty".
    assert "empty" in error.value.reason


def test_an_empty_parquet_file_says_it_is_empty(tmp_path: Path, con: BaseBackend) -> None:
    path = tmp_path / "nothing.parquet"
    path.write_bytes(b"")
    with pytest.raises(SourceError) as error:
        read_source(path, con)
    assert "empty" in error.value.reason


def test_a_row_with_an_extra_field_is_rejected_as_such(tmp_path: Path) -> None:
    path = write_text(tmp_path / "billing.csv", HEADER, "a,2024-01,1", "b,2024-02,5,extra")
    data = load(path, on_bad_rows="reject")
    assert [
        (r["line"], r["value"], r["reason"]) for r in data.rejects.to_pyarrow().to_pylist()
    ] == [(3, "b,2024-02,5,extra", "wrong_column_count")]
    assert (data.report.rows_read, data.report.rows_accepted) == (2, 1)
    assert data.report.rows_without_amount == 1  # which value is the amount is unknown


def test_a_malformed_row_late_in_a_large_csv_is_rejected_on_its_line(tmp_path: Path) -> None:
    # 25,000 data rows: row n is on line n + 1; data row 25,001 (line 25,002) has a 4th field,
    # far past any part of the file a sniffer would look at.
    rows = [f"c{i},2024-01,1" for i in range(25_000)] + ["x,2024-01,1,extra"]
    path = write_text(tmp_path / "billing.csv", HEADER, *rows)
    with pytest.raises(BadRowsError) as error:
        load(path)
    assert [(b.line, b.reason) for b in error.value.examples] == [
        (25_002, RejectReason.WRONG_COLUMN_COUNT)
    ]


# --- choosing an adapter by name ------------------------------------------------------------


def test_an_unknown_adapter_name_is_an_option_error(tmp_path: Path, con: BaseBackend) -> None:
    path = write_text(tmp_path / "billing.csv", HEADER, "a,2024-01,10")
    with pytest.raises(OptionError) as error:
        read_source(path, con, adapter="excel")
    assert error.value.option == "input_format"
    assert error.value.value == "excel"
    assert "csv" in str(error.value)
    assert "parquet" in str(error.value)


def test_load_with_an_unknown_input_format_is_an_option_error(tmp_path: Path) -> None:
    path = write_text(tmp_path / "billing.csv", HEADER, "a,2024-01,10")
    with pytest.raises(OptionError, match="input_format"):
        load(path, input_format="excel")


def test_a_named_adapter_bypasses_detection(tmp_path: Path, con: BaseBackend) -> None:
    # ".dat" is recognised by neither built-in adapter; naming "csv" reads it anyway.
    path = write_text(tmp_path / "billing.dat", HEADER, "a,2024-01,10")
    raw = read_source(path, con, adapter="csv")
    assert raw.adapter == "csv"
    assert raw.columns == ("customer_id", "month", "mrr")


def test_naming_csv_for_a_parquet_file_is_still_a_clear_error(
    tmp_path: Path, con: BaseBackend
) -> None:
    path = write_parquet(tmp_path / "billing.bin")
    with pytest.raises(SourceError, match="is a Parquet file"):
        read_source(path, con, adapter="csv")


def test_the_built_in_adapters_are_registered() -> None:
    known = adapters()
    assert {"csv", "parquet"} <= set(known)
    assert all(isinstance(adapter, Adapter) for adapter in known.values())
    assert all(name == adapter.name for name, adapter in known.items())


# --- custom adapters ------------------------------------------------------------------------


class KeyValueAdapter:
    """A test adapter: ``key=value`` pairs separated by ``;``, one record per line."""

    name = "keyvalue"

    def detect(self, source: Path) -> bool:
        return source.suffix == ".kv"

    def read(self, source: Path, con: BaseBackend) -> Raw:
        records = [
            dict(pair.split("=", 1) for pair in line.split(";"))
            for line in source.read_text().splitlines()
        ]
        columns = tuple(records[0])
        data: dict[str, list[object]] = {LINE_COLUMN: list(range(1, len(records) + 1))}
        data |= {name: [record[name] for record in records] for name in columns}
        return Raw(
            path=str(source),
            adapter=self.name,
            table=ibis.memtable(pa.table(data)),
            columns=columns,
        )


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Adapter]]:
    """A copy of the registry (built-ins loaded) that is thrown away after the test."""
    adapters()  # load built-ins and entry points into the real registry first
    copy = dict(registry._REGISTRY)
    monkeypatch.setattr(registry, "_REGISTRY", copy)
    yield copy


def test_a_registered_adapter_is_detected_and_loads(
    tmp_path: Path, con: BaseBackend, isolated_registry: dict[str, Adapter]
) -> None:
    adapter = KeyValueAdapter()
    assert register(adapter) is adapter
    assert isinstance(adapter, Adapter)
    assert adapters()["keyvalue"] is adapter

    path = write_text(
        tmp_path / "billing.kv",
        "customer_id=a;month=2024-01;mrr=10.50",
        "customer_id=a;month=2024-01;mrr=4.50",
        "customer_id=b;month=2024-02;mrr=7",
    )
    assert read_source(path, con).adapter == "keyvalue"
    assert read_source(path, con, adapter="keyvalue").columns == ("customer_id", "month", "mrr")

    data = load(path)
    rows = data.table.order_by("customer_id").to_pyarrow().to_pylist()
    # a in 2024-01: 10.50 + 4.50 = 15.00; b in 2024-02: 7.
    assert [(r["customer_id"], r["period"], r["mrr"]) for r in rows] == [
        ("a", dt.date(2024, 1, 1), 15),
        ("b", dt.date(2024, 2, 1), 7),
    ]
    assert data.report.adapter == "keyvalue"


def test_a_registered_adapter_reports_its_line_numbers(
    tmp_path: Path, isolated_registry: dict[str, Adapter]
) -> None:
    register(KeyValueAdapter())
    path = write_text(
        tmp_path / "billing.kv",
        "customer_id=a;month=2024-01;mrr=10",
        "customer_id=b;month=2024-01;mrr=abc",
    )
    with pytest.raises(BadRowsError) as error:
        load(path)
    [bad] = error.value.examples
    # The adapter numbered its records 1, 2: the bad one is record 2.
    assert (bad.line, bad.column, bad.value, bad.reason) == (
        2,
        "mrr",
        "abc",
        RejectReason.INVALID_AMOUNT,
    )


def test_registering_under_an_existing_name_replaces_it(
    isolated_registry: dict[str, Adapter],
) -> None:
    class ReplacementCsv(KeyValueAdapter):
        name = "csv"

        def detect(self, source: Path) -> bool:
            return False

    replacement = register(ReplacementCsv())
    assert adapters()["csv"] is replacement


def test_the_isolated_registry_leaves_the_real_one_untouched() -> None:
    # Runs with the real registry: no test adapter may have leaked into it.
    assert "keyvalue" not in adapters()
    assert isinstance(adapters()["csv"], Adapter)
    assert type(adapters()["csv"]).__name__ == "CsvAdapter"


def test_entry_point_adapters_are_loaded_on_first_use(
    monkeypatch: pytest.MonkeyPatch, isolated_registry: dict[str, Adapter]
) -> None:
    class FakeEntryPoint:
        def load(self) -> type[KeyValueAdapter]:
            return KeyValueAdapter

    groups: list[str] = []

    def fake_entry_points(*, group: str) -> list[FakeEntryPoint]:
        groups.append(group)
        return [FakeEntryPoint()]

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    monkeypatch.setattr(registry, "_entry_points_loaded", False)
    assert "keyvalue" in adapters()
    assert groups == ["revenue_retention.inputs"]
    # Loaded once: a second call does not ask again.
    adapters()
    assert groups == ["revenue_retention.inputs"]


# --- line numbers -------------------------------------------------------------------------


def test_the_nth_csv_data_row_is_on_line_n_plus_1_in_bad_rows_error(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "billing.csv",
        HEADER,  # line 1
        "a,2024-01,abc",  # line 2: data row 1
        "b,2024-01,10",  # line 3: data row 2
        "c,2024-01,10",  # line 4: data row 3
        "d,2024-13,10",  # line 5: data row 4
    )
    with pytest.raises(BadRowsError) as error:
        load(path)
    assert [(bad.path, bad.line, bad.column) for bad in error.value.examples] == [
        (str(path), 2, "mrr"),
        (str(path), 5, "month"),
    ]


def test_the_nth_csv_data_row_is_on_line_n_plus_1_in_rejects(tmp_path: Path) -> None:
    # 1,000 good rows (lines 2 .. 1001), then bad rows as data rows 1001 and 1003.
    good = [f"c{i},2024-01,1" for i in range(1_000)]
    path = write_text(
        tmp_path / "billing.csv", HEADER, *good, ",2024-01,1", "z,2024-01,1", "y,2024-01,-1"
    )
    data = load(path, on_bad_rows="reject")
    rejects = data.rejects.to_pyarrow().to_pylist()
    assert [(r["line"], r["column"], r["reason"]) for r in rejects] == [
        (1002, "customer_id", "missing_customer_id"),
        (1004, "mrr", "negative_amount"),
    ]


def test_parquet_rows_are_numbered_from_1(tmp_path: Path) -> None:
    table = pa.table(
        {
            "customer_id": ["a", "b", "c"],
            "month": ["2024-01", "2024-01", "2024-01"],
            "mrr": ["10", "10", "-3"],
        }
    )
    pq.write_table(table, tmp_path / "billing.parquet")
    data = load(tmp_path / "billing.parquet", on_bad_rows="reject")
    rejects = data.rejects.to_pyarrow().to_pylist()
    assert [(r["line"], r["customer_id"], r["reason"]) for r in rejects] == [
        (3, "c", "negative_amount")
    ]


def test_a_blank_line_does_not_shift_the_line_numbers(tmp_path: Path) -> None:
    path = write_text(tmp_path / "billing.csv", HEADER, "a,2024-01,10", "", "b,2024-13,5")
    with pytest.raises(BadRowsError) as error:
        load(path)
    assert [bad.line for bad in error.value.examples] == [4]


def test_a_quoted_line_break_does_not_shift_the_line_numbers(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "billing.csv",
        "customer_id,month,mrr,note",  # line 1
        'a,2024-01,10,"first',  # line 2
        'second"',  # line 3 (same record)
        "b,2024-13,5,x",  # line 4
    )
    with pytest.raises(BadRowsError) as error:
        load(path)
    assert [bad.line for bad in error.value.examples] == [4]


def test_column_names_repeated_in_another_case_are_a_source_error(tmp_path: Path) -> None:
    # Engines compare names without regard to case: Segment and segment are the same column.
    path = tmp_path / "twice.csv"
    path.write_text("customer_id,month,mrr,Segment,segment\na,2024-01,1,x,y\n", encoding="utf-8")
    with pytest.raises(SourceError, match="repeats the column name"):
        load(path)
