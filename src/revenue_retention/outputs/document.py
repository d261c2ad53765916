"""A command's output in one shape: JSON header fields, named record tables, a terminal view.

Every command builds a ``Document`` and the CLI writes it as table, JSON or CSV, so the
three formats cannot drift apart and no command re-implements writing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

__all__ = ["Document", "Section"]


@dataclass(frozen=True)
class Section:
    """One table of records (a JSON array, a CSV file) with its column order."""

    name: str
    fields: tuple[str, ...]
    records: list[dict[str, Any]]


def _csv(section: Section) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(section.fields), lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(
        {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in r.items()}
        for r in section.records
    )
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

    def to_csv(self) -> str:
        """Every section as CSV under a ``# name`` line, a blank line between sections."""
        return "\n".join(f"# {s.name}\n{_csv(s)}" for s in self.sections)

    def write_csv_dir(self, folder: Path) -> list[Path]:
        """One ``<section>.csv`` per section in ``folder``; returns the paths."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for section in self.sections:
            path = folder / f"{section.name}.csv"
            path.write_text(_csv(section), encoding="utf-8")
            paths.append(path)
        return paths
