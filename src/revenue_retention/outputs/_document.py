"""A command's output in one shape: JSON header fields, named record tables, a terminal view.

Every command builds a ``Document`` and the CLI writes it as table, JSON or CSV, so the
three formats cannot drift apart and no command re-implements writing.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from revenue_retention.outputs.files import OutputFiles
from revenue_retention.outputs.formulas import is_formula_like, neutralise

__all__ = ["Document", "Section"]


@dataclass(frozen=True)
class Section:
    """One table of records (a JSON array, a CSV file) with its column order."""

    name: str
    fields: tuple[str, ...]
    records: list[dict[str, Any]]


def _csv_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | dict) else value


def _csv(section: Section, raw: bool = False) -> str:
    """The section as CSV; unless ``raw``, formula-like text neutralised (``formulas``).

    A row holding such a text is written with every field quoted, which quotes that one.
    """
    buffer = io.StringIO()
    plain = csv.writer(buffer, lineterminator="\n")
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    fields = section.fields
    for row in itertools.chain(
        [list(fields)], ([_csv_value(r.get(f)) for f in fields] for r in section.records)
    ):
        if raw or not any(isinstance(v, str) and is_formula_like(v) for v in row):
            plain.writerow(row)
        else:
            quoted.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


@dataclass(frozen=True)
class Document:
    """What a command outputs: ``header`` keys first in JSON, then one array per section."""

    header: Mapping[str, Any]
    sections: Sequence[Section]
    render: Callable[[Console], None] = field(compare=False)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.header) | {s.name: s.records for s in self.sections}

    def to_json(self) -> str:
        """JSON text: exact money strings as they are, NaN refused."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"

    def to_csv(self, raw: bool = False) -> str:
        """Every section as CSV under a ``# name`` line, a blank line between sections.

        Formula-like text is neutralised unless ``raw`` (``outputs.formulas``).
        """
        return "\n".join(f"# {s.name}\n{_csv(s, raw)}" for s in self.sections)

    def csv_files(self, folder: Path) -> list[Path]:
        """The files ``write_csv_dir`` writes: one ``<section>.csv`` per section."""
        return [folder / f"{section.name}.csv" for section in self.sections]

    def write_csv_dir(self, folder: Path, raw: bool = False) -> list[Path]:
        """One ``<section>.csv`` per section in ``folder``, all or none; returns the paths.

        Formula-like text is neutralised unless ``raw`` (``outputs.formulas``).
        """
        paths = self.csv_files(folder)
        with OutputFiles() as files:
            for section, path in zip(self.sections, paths, strict=True):
                with files.open(path) as handle:
                    handle.write(_csv(section, raw))
        return paths
