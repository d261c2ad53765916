"""The console every terminal view prints through: text from the data is shown, never obeyed.

A customer id or a segment can hold an escape sequence (``\\x1b]0;...`` retitles a terminal,
``\\x1b[2J`` clears it) or something that reads as Rich markup (``[/bold]``). Every string and
``Text`` a view hands to Rich, cell, title or caption alike, passes through this console's
``render_str`` or ``render``, so whatever the views and tables look like, control
characters come out as ``errors.visible`` writes them in error messages (``\\x1b``) and
square brackets as themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Span, Text

from revenue_retention.errors import visible

__all__ = ["SafeConsole"]


def _visible_text(text: Text) -> Text:
    """``text`` with its control characters escaped, each style span kept on its characters."""
    plain = text.plain
    if plain.isprintable():
        return text
    shown = [visible(c) for c in plain]
    # Where each character of the old text starts in the new one (and where the text ends).
    starts = [0]
    for piece in shown:
        starts.append(starts[-1] + len(piece))
    spans = [Span(starts[s.start], starts[s.end], s.style) for s in text.spans]
    return Text(
        "".join(shown),
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
        tab_size=text.tab_size,
        spans=spans,
    )


class SafeConsole(Console):
    """A Rich console that shows control characters and markup from the data as text.

    Takes the options of ``rich.console.Console`` but ``markup`` and ``emoji``, both off:
    ``[/x]`` in a customer id is not a tag, ``:smile:`` not an emoji.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options, markup=False, emoji=False)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **kwargs)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        if isinstance(renderable, Text):
            renderable = _visible_text(renderable)
        return super().render(renderable, options)
