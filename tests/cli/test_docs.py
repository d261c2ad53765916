"""CLI help comes from the code: every command documented with Examples, docs/cli.md in sync.

Like sqlite-utils' tests/test_docs.py. docs/cli.md is generated from ``--help``; refresh it
after changing a command with::

    UPDATE_DOCS=1 .venv/bin/pytest tests/cli/test_docs.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from revenue_retention.cli import app

CLI_REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
REFRESH = "UPDATE_DOCS=1 .venv/bin/pytest tests/cli/test_docs.py"
#: Fixed terminal: Click wraps help at min(COLUMNS, 80) - 2 columns; no colour, no styling.
HELP_ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}

# Typer 0.29 carries its own copy of Click (typer._click), so use Typer's names for it.
ROOT = typer.main.get_command(app)
_CONTEXT = typer.Context(ROOT, info_name="retention")
COMMANDS: list[str] = ROOT.list_commands(_CONTEXT)  # type: ignore[attr-defined]


def command(name: str) -> Any:
    """The Click command object behind ``retention NAME``."""
    found = ROOT.get_command(_CONTEXT, name)  # type: ignore[attr-defined]
    assert found is not None
    return found


def help_text(*args: str) -> str:
    """``retention ARGS --help`` as printed on a fixed 100-column dumb terminal."""
    result = CliRunner().invoke(app, [*args, "--help"], env=HELP_ENV, prog_name="retention")
    assert result.exit_code == 0, result.output
    return result.stdout


def render_cli_reference() -> str:
    """The CLI reference: ``--help`` of ``retention`` and of each command, in help order."""
    parts = [
        "# CLI reference\n",
        "<!-- Generated from `retention --help` by tests/cli/test_docs.py; do not edit.",
        f"     Refresh: {REFRESH} -->\n",
    ]
    for args in [(), *((name,) for name in COMMANDS)]:
        title = " ".join(("retention", *args))
        parts += [f"## {title}\n", "```text", help_text(*args).rstrip("\n"), "```\n"]
    return "\n".join(parts)


def examples_of(name: str) -> list[str]:
    """The example command lines that end a command's docstring (empty if there is none)."""
    help_ = command(name).help or ""
    _, marker, tail = help_.rpartition("Examples:")
    if not marker:
        return []
    # "\b" alone on a line tells Click not to re-wrap the paragraph after it.
    return [line.strip() for line in tail.splitlines() if line.strip() not in ("", "\b")]


def test_root_has_help() -> None:
    assert (ROOT.help or "").strip()
    assert "metrics" in COMMANDS
    assert "demo" in COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help(name: str) -> None:
    cmd = command(name)
    assert (cmd.help or "").strip(), f"retention {name} has no help"
    assert cmd.get_short_help_str().strip()


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_ends_with_examples(name: str) -> None:
    examples = examples_of(name)
    assert examples, f"the docstring of retention {name} does not end with 'Examples:'"
    # After "Examples:" come only command lines of this very command.
    for line in examples:
        assert line.startswith(f"retention {name}"), f"not an example of {name}: {line!r}"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_parameter_has_help(name: str) -> None:
    missing = [
        param.name
        for param in command(name).params
        if not getattr(param, "help", None) and not getattr(param, "hidden", False)
    ]
    assert not missing, f"retention {name}: no help for {missing}"


def test_examples_stay_on_one_line_in_help() -> None:
    broken = []
    for name in COMMANDS:
        shown = [line.strip() for line in help_text(name).splitlines()]
        broken += [example for example in examples_of(name) if example not in shown]
    assert not broken, "examples wrapped in --help:\n" + "\n".join(broken)


def test_help_shows_the_examples() -> None:
    # demo's examples are short enough not to wrap: they appear verbatim in --help
    shown = [line.strip() for line in help_text("demo").splitlines()]
    assert examples_of("demo") == ["retention demo", "retention demo --out /tmp/demo --format json"]
    for example in examples_of("demo"):
        assert example in shown


def test_cli_reference_is_up_to_date() -> None:
    expected = render_cli_reference()
    if os.environ.get("UPDATE_DOCS") == "1":
        CLI_REFERENCE.write_text(expected, encoding="utf-8")
    actual = CLI_REFERENCE.read_text(encoding="utf-8") if CLI_REFERENCE.exists() else ""
    assert actual == expected, (
        f"{CLI_REFERENCE.relative_to(CLI_REFERENCE.parents[1])} is out of date with the "
        f"CLI's --help; regenerate it with: {REFRESH}"
    )
