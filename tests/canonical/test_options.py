"""Tests of canonical.options: one options object for load() and the CLI's input options."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from pathlib import Path

import pytest

from revenue_retention.canonical import LoadOptions, load
from revenue_retention.cli.options import LOAD_FIELDS, InputOptions, SnapshotDay
from revenue_retention.errors import OptionError

FIELDS = [field.name for field in dataclasses.fields(LoadOptions)]


def test_load_takes_the_fields_of_load_options_in_their_order_with_their_defaults() -> None:
    parameters = list(inspect.signature(load).parameters.values())
    assert parameters[0].name == "source"
    assert [p.name for p in parameters[1:]] == FIELDS
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[1:])
    defaults = {field.name: field.default for field in dataclasses.fields(LoadOptions)}
    assert {p.name: p.default for p in parameters[1:]} == defaults


def test_every_field_has_a_cli_input_option() -> None:
    assert list(LOAD_FIELDS) == FIELDS
    options = {field.name for field in dataclasses.fields(InputOptions)}
    assert set(LOAD_FIELDS.values()) <= options


def test_the_cli_options_give_load_options() -> None:
    inputs = InputOptions(
        as_of="2024-12",
        column=["mrr=net amount"],
        fx_rate=["EUR=1.08"],
        snapshot=SnapshotDay.first,
        reporting_currency="USD",
    )
    options = inputs.load_options("duckdb")
    assert options.columns == {"mrr": "net amount"}
    assert options.fixed_rates is not None and str(options.fixed_rates["EUR"]) == "1.08"
    assert (options.as_of, options.snapshot, options.on_bad_rows) == ("2024-12", "first", "raise")
    assert options.reporting_currency == "USD" and options.converting
    assert InputOptions().load_options("duckdb") == LoadOptions(columns={}, fixed_rates={})


def test_rejects_set_bad_rows_aside() -> None:
    inputs = InputOptions(rejects=Path("bad.csv"))
    assert inputs.load_options("duckdb").on_bad_rows == "reject"


@pytest.mark.parametrize(
    ("changes", "parameter"),
    [({"snapshot": "middle"}, "snapshot"), ({"on_bad_rows": "skip"}, "on_bad_rows")],
)
def test_check_refuses_values_no_source_is_read_with(
    changes: dict[str, str], parameter: str
) -> None:
    with pytest.raises(OptionError, match=parameter):
        LoadOptions(**changes).check()  # type: ignore[arg-type]


def test_as_of_is_read_as_a_month_index() -> None:
    assert LoadOptions(as_of="2024-01").as_of_index == 2024 * 12
    assert LoadOptions(as_of=dt.date(2024, 1, 31)).as_of_index == 2024 * 12
    assert LoadOptions().as_of_index is None
    with pytest.raises(OptionError, match="is not a month"):
        _ = LoadOptions(as_of=5).as_of_index  # type: ignore[arg-type]
