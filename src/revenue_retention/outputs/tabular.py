"""The ``metrics`` document: the JSON contract and CSV files of the bridge and retention."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from revenue_retention.analyses import MetricsResult
from revenue_retention.outputs.document import Document, Section
from revenue_retention.outputs.records import (
    BRIDGE_FIELDS,
    RETENTION_FIELDS,
    bridge_records,
    retention_records,
)
from revenue_retention.outputs.terminal import render_metrics

__all__ = ["metrics_document", "to_csv", "to_json", "write_csv_dir"]


def metrics_document(result: MetricsResult) -> Document:
    """The ``metrics`` output: ``input``, ``method``, ``windows``, ``bridge``, ``retention``."""

    def render(console: Console) -> None:
        render_metrics(result, console)

    return Document(
        header={
            "input": result.input.to_dict(),
            "method": result.method,
            "windows": list(result.windows),
        },
        sections=(
            Section("bridge", BRIDGE_FIELDS, bridge_records(result)),
            Section("retention", RETENTION_FIELDS, retention_records(result)),
        ),
        render=render,
    )


def to_json(result: MetricsResult) -> str:
    """The ``metrics`` JSON document: money as exact decimal strings, rates as numbers,
    ``null`` where the cohort is empty."""
    return metrics_document(result).to_json()


def to_csv(result: MetricsResult) -> str:
    """Both tables as CSV, each under a ``# bridge`` / ``# retention`` line."""
    return metrics_document(result).to_csv()


def write_csv_dir(result: MetricsResult, folder: Path) -> list[Path]:
    """Write ``bridge.csv`` and ``retention.csv`` into ``folder``; return their paths."""
    return metrics_document(result).write_csv_dir(folder)
