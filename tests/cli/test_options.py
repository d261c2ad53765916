"""Input options are declared once, on InputOptions; every command with an input has them."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest
from tests.cli.test_docs import COMMANDS, command

from revenue_retention.cli.options import Engine, InputOptions, SnapshotDay, with_input_options

#: The commands that read no input.
NO_INPUT = {"demo", "examples"}
FIELDS = [field.name for field in dataclasses.fields(InputOptions)]


@with_input_options
def _toy(source: str, *, inputs: InputOptions, limit: int = 3) -> tuple[str, InputOptions, int]:
    return source, inputs, limit


def test_the_options_stand_in_place_of_the_input_options_parameter() -> None:
    names = list(inspect.signature(_toy).parameters)
    assert names == ["source", *FIELDS, "limit"]


def test_the_call_gathers_the_options_into_one_input_options() -> None:
    source, inputs, limit = _toy(
        "mrr.csv", as_of="2024-12", fx_rate=["EUR=1.08"], engine=Engine.spark, limit=5
    )
    assert (source, limit) == ("mrr.csv", 5)
    assert inputs == InputOptions(as_of="2024-12", fx_rate=["EUR=1.08"], engine=Engine.spark)


def test_options_not_given_keep_the_defaults_of_the_cli() -> None:
    _, inputs, _ = _toy("mrr.csv")
    assert inputs == InputOptions()
    assert (inputs.column, inputs.snapshot, inputs.rejects) == ([], SnapshotDay.last, None)


def test_a_command_without_a_keyword_only_input_options_parameter_is_refused() -> None:
    def positional(source: str, inputs: InputOptions) -> None: ...

    def none(source: str, rejects: Path | None = None) -> None: ...

    for wrong in (positional, none):
        with pytest.raises(TypeError, match="keyword-only InputOptions"):
            with_input_options(wrong)


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NO_INPUT))
def test_every_command_with_an_input_has_every_input_option_once(name: str) -> None:
    params = [param.name for param in command(name).params]
    assert [param for param in params if param in FIELDS] == FIELDS
    assert "inputs" not in params
