"""The ``metrics`` document: the JSON contract and CSV files of the bridge and retention."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.console import Console

from revenue_retention.analyses import MetricsResult
from revenue_retention.analyses.uncertainty import UncertaintyResult
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs.metrics.records import (
    CI_FIELDS,
    SPOT_RETENTION_FIELDS,
    bridge_fields,
    bridge_records,
    interval_records,
    retention_fields,
    retention_records,
    spot_retention_records,
)
from revenue_retention.outputs.metrics.terminal import render_metrics

__all__ = ["metrics_document", "to_csv", "to_json", "with_intervals", "write_csv_dir"]


def metrics_document(result: MetricsResult) -> Document:
    """The ``metrics`` output: ``input``, ``method``, ``windows``, ``bridge``, ``retention``."""

    def render(console: Console) -> None:
        render_metrics(result, console)

    return Document(
        header={
            "input": result.input.to_dict(),
            "method": result.method,
            "windows": list(result.windows),
        }
        | ({"by": list(result.by)} if result.by else {})
        | ({"currency": result.currency} if result.currency is not None else {}),
        sections=(
            Section("bridge", bridge_fields(result), bridge_records(result)),
            Section("retention", retention_fields(result), retention_records(result)),
        )
        + (
            (Section("retention_spot", SPOT_RETENTION_FIELDS, spot_retention_records(result)),)
            if result.retention_spot is not None
            else ()
        ),
        render=render,
    )


def with_intervals(
    document: Document, result: MetricsResult, intervals: UncertaintyResult
) -> Document:
    """The ``metrics`` document with bootstrap intervals (``--ci``, METRICS.md §7).

    The header gains ``ci`` (level, resamples, seed, method), the retention records the
    ``CI_FIELDS``; the terminal view shows each latest rate's interval beside it.
    """

    def render(console: Console) -> None:
        render_metrics(result, console, intervals)

    sections = tuple(
        Section(s.name, s.fields + CI_FIELDS, interval_records(s.records, intervals))
        if s.name == "retention"
        else s
        for s in document.sections
    )
    header = dict(document.header) | {
        "ci": {
            "level": intervals.level,
            "resamples": intervals.resamples,
            "seed": intervals.seed,
            "method": intervals.method,
        }
    }
    return dataclasses.replace(document, header=header, sections=sections, render=render)


def to_json(result: MetricsResult) -> str:
    """The ``metrics`` JSON document: money as exact decimal strings, rates as numbers,
    ``null`` where the cohort is empty."""
    return metrics_document(result).to_json()


def to_csv(result: MetricsResult, *, raw: bool = False) -> str:
    """Both tables as CSV, each under a ``# bridge`` / ``# retention`` line.

    A text a spreadsheet would read as a formula (``=...``, ``@...``, a group named
    ``-x``) gets a leading ``'`` and quotes, unless ``raw`` (``outputs.formulas``).
    """
    return metrics_document(result).to_csv(raw)


def write_csv_dir(result: MetricsResult, folder: Path, *, raw: bool = False) -> list[Path]:
    """Write ``bridge.csv`` and ``retention.csv`` into ``folder``, both or neither; return
    their paths. Formula-like text is neutralised unless ``raw``, as by ``to_csv``."""
    return metrics_document(result).write_csv_dir(folder, raw)
