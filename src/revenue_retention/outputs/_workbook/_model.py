"""What a sheet is made of: blocks of records under a title, one under the other.

Never side by side: an Excel filter hides whole rows, so a table beside another would lose
rows to the other's filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from revenue_retention.analyses.overview import Overview
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._workbook._kinds import Kind, kind_of
from revenue_retention.outputs.labels import field_label, reader_text
from revenue_retention.outputs.units import mrr_name, unit_words

__all__ = [
    "Block",
    "Sheet",
    "Typed",
    "item_block",
    "section",
    "section_block",
    "sheet_in_unit",
    "skipped",
]


@dataclass(frozen=True)
class Typed:
    """One value with its own kind (a list of figures of different kinds), or greyed out."""

    value: Any
    kind: Kind | None = None
    #: Shown in grey italics: a cohort figure from only the members old enough yet.
    partial: bool = False


@dataclass(frozen=True)
class Block:
    """One table of records under a title: its fields are the column headers."""

    name: str
    title: str
    fields: tuple[str, ...]
    records: Sequence[Mapping[str, Any]]
    #: Kinds of fields whose name means something else here (shares in month_of_year).
    kinds: Mapping[str, Kind] = field(default_factory=dict)
    #: Lines under the title: how to read the table, or why it is missing.
    notes: tuple[str, ...] = ()
    #: Rates shaded by a colour scale from this column on (a cohort heatmap).
    heat_from: int | None = None
    #: The unit its amounts are in: ``arr`` headers say ARR where the field says mrr.
    unit: str = "mrr"

    def kind(self, name: str) -> Kind | None:
        # A record of a command's JSON in ARR names its field so (``net_new_arr``).
        return self.kinds.get(name) or self.kinds.get(mrr_name(name)) or kind_of(name)

    def header(self, name: str) -> str:
        """The field's name in words, in the block's unit (``Starting ARR``)."""
        return unit_words(field_label(name), self.unit)

    @property
    def height(self) -> int:
        """Rows taken: title, notes, then the header and records (or a 'none' line)."""
        return 1 + len(self.notes) + (1 + max(len(self.records), 1) if self.fields else 0)


@dataclass(frozen=True)
class Sheet:
    """A sheet: a title, a caption, and its blocks one under the other.

    ``main`` is the index of the sheet's main table, the long one: the rows down to its
    header stay frozen on screen, with ``frozen_columns`` beside them (None: only the
    title and caption stay).
    """

    name: str
    title: str
    caption: str
    blocks: tuple[Block, ...]
    main: int | None = 0
    frozen_columns: int = 0


def section(document: Document, name: str) -> Section:
    """The section of ``document`` called ``name``."""
    return next(s for s in document.sections if s.name == name)


def section_block(document: Document, name: str, title: str, *notes: str, **kinds: Kind) -> Block:
    """A block holding one section of a command's document, as its JSON has it."""
    found = section(document, name)
    return Block(name, title, found.fields, found.records, kinds, notes)


def item_block(name: str, title: str, record: Mapping[str, Any], *notes: str) -> Block:
    """A record as a list of ``item, value`` rows, each value of its own field's kind.

    The item is the field in words (``rows_read`` is ``Rows read``).
    """
    rows = [
        {"item": field_label(key), "value": Typed(value, kind_of(key))}
        for key, value in record.items()
    ]
    return Block(name, title, ("item", "value"), rows, notes=notes)


def skipped(ov: Overview, analysis: str, title: str) -> Block:
    """A block standing for an analysis the data could not support, saying why."""
    reason = reader_text(ov.skipped.get(analysis, "no result"))
    return Block(analysis.replace(" ", "_"), title, (), [], notes=(f"Not computed: {reason}",))


def sheet_in_unit(sheet: Sheet, unit: str) -> Sheet:
    """``sheet`` of an overview already in ``unit``, its words saying so.

    Titles, captions, notes, headers and the items of an item block (``Starting MRR``)
    say ARR where they said MRR; values are the records', untouched.
    """
    if unit == "mrr":
        return sheet

    def items(block: Block) -> Sequence[Mapping[str, Any]]:
        if block.fields != ("item", "value"):
            return block.records
        return [{**r, "item": unit_words(str(r["item"]), unit)} for r in block.records]

    blocks = tuple(
        replace(
            b,
            title=unit_words(b.title, unit),
            notes=tuple(unit_words(n, unit) for n in b.notes),
            records=items(b),
            unit=unit,
        )
        for b in sheet.blocks
    )
    return replace(
        sheet,
        title=unit_words(sheet.title, unit),
        caption=unit_words(sheet.caption, unit),
        blocks=blocks,
    )
