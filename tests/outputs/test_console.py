"""The terminal console shows text from the data; it never sends its control characters.

An id ``\\x1b]0;owned\\x07`` would retitle the terminal, ``\\x1b[2J`` clear it; ``[/bold]``
would stop a run with a Rich markup error. Each is printed as error messages print it.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Group
from rich.table import Table
from rich.text import Text
from tests.hostile_values import TERMINAL

from revenue_retention.errors import visible
from revenue_retention.outputs.console import SafeConsole


def _printed(*renderables: object, color: bool = False) -> str:
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, width=120, color_system="truecolor" if color else None)
    console.print(*renderables)
    return buffer.getvalue()


@pytest.mark.parametrize("value", TERMINAL)
def test_cells_titles_and_captions_show_the_value(value: str) -> None:
    table = Table(title=f"Customers of {value}", caption=f"caption {value}")
    table.add_column(f"col {value}")
    table.add_row(value)
    out = _printed(table)
    assert "\x1b" not in out and "\x07" not in out
    assert out.count(visible(value)) == 4  # title, caption, header, cell


def test_text_objects_keep_their_styles_around_the_escapes() -> None:
    text = Text("id ")
    text.append("\x1b[2Jwiped", style="bold")
    text.append(" after", style="italic")
    out = _printed(Group(text), color=True)
    plain = "id \\x1b[2Jwiped after"
    # The only escape sequences left are the console's own styles (ESC [ ... m).
    assert out.replace("\x1b[1m", "").replace("\x1b[3m", "").replace("\x1b[0m", "") == (
        plain + "\n"
    )
    assert "\x1b[1m\\x1b[2Jwiped\x1b[0m" in out


def test_markup_and_emoji_codes_are_text() -> None:
    assert _printed("[/bold] [red]x[/red] :smile:") == "[/bold] [red]x[/red] :smile:\n"


def test_our_own_line_breaks_stay() -> None:
    assert _printed("two\nlines") == "two\nlines\n"
