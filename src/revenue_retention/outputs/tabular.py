"""Machine-readable outputs: the JSON contract and CSV files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from revenue_retention.analyses import MetricsResult
from revenue_retention.outputs.records import (
    BRIDGE_FIELDS,
    RETENTION_FIELDS,
    bridge_records,
    retention_records,
)

__all__ = ["to_csv", "to_json", "write_csv_dir"]


def to_json(result: MetricsResult) -> str:
    """The ``metrics`` JSON document: ``input``, ``bridge`` and ``retention``.

    Money is an exact decimal string, rates are JSON numbers, ``null`` where the
    cohort is empty.
    """
    document = {
        "input": result.input.to_dict(),
        "method": result.method,
        "windows": list(result.windows),
        "bridge": bridge_records(result),
        "retention": retention_records(result),
    }
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def _csv(records: list[dict[str, Any]], fields: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def to_csv(result: MetricsResult) -> str:
    """Both tables as CSV, each under a ``# bridge`` / ``# retention`` line, blank line between."""
    return (
        "# bridge\n"
        + _csv(bridge_records(result), BRIDGE_FIELDS)
        + "\n# retention\n"
        + _csv(retention_records(result), RETENTION_FIELDS)
    )


def write_csv_dir(result: MetricsResult, folder: Path) -> list[Path]:
    """Write ``bridge.csv`` and ``retention.csv`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, records, fields in (
        ("bridge", bridge_records(result), BRIDGE_FIELDS),
        ("retention", retention_records(result), RETENTION_FIELDS),
    ):
        path = folder / f"{name}.csv"
        path.write_text(_csv(records, fields), encoding="utf-8")
        written.append(path)
    return written
