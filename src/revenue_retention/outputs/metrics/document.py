"""The ``metrics`` document: the JSON contract and CSV files of the bridge and retention."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.text import Text

from revenue_retention.analyses import MetricsResult
from revenue_retention.analyses.uncertainty import UncertaintyResult
from revenue_retention.metrics.methods import METHOD_LABELS
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs.metrics.records import (
    CHURN_REASON_FIELDS,
    CI_FIELDS,
    SPOT_RETENTION_FIELDS,
    bridge_fields,
    bridge_records,
    churn_reason_records,
    interval_records,
    retention_fields,
    retention_records,
    spot_retention_records,
)
from revenue_retention.outputs.metrics.terminal import (
    answer_line,
    latest_table,
    render_metrics,
    trend_table,
)
from revenue_retention.outputs.units import unit_document

__all__ = [
    "method_metrics_document",
    "metrics_document",
    "to_csv",
    "to_json",
    "with_intervals",
    "write_csv_dir",
]


def metrics_document(result: MetricsResult) -> Document:
    """The ``metrics`` output: ``input``, ``method``, ``windows``, ``bridge``, ``retention``."""

    def render(console: Console) -> None:
        render_metrics(result, console)

    document = Document(
        header={
            "input": result.input.to_dict(),
            "method": result.method,
            "windows": list(result.windows),
        }
        | ({"by": list(result.by)} if result.by else {})
        | ({"currency": result.currency} if result.currency is not None else {})
        | (
            {"churn_reason_column": result.churn_reason_column}
            if result.churn_reasons is not None
            else {}
        ),
        sections=(
            Section("bridge", bridge_fields(result), bridge_records(result)),
            Section("retention", retention_fields(result), retention_records(result)),
        )
        + (
            (Section("retention_spot", SPOT_RETENTION_FIELDS, spot_retention_records(result)),)
            if result.retention_spot is not None
            else ()
        )
        + (
            (Section("churn_reasons", CHURN_REASON_FIELDS, churn_reason_records(result)),)
            if result.churn_reasons is not None
            else ()
        ),
        render=render,
    )
    return unit_document(document, result.unit)


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


def _render_by_method(result: MetricsResult, console: Console) -> None:
    """The terminal view of ``metrics --method``: latest row per window, then the trend."""
    records = retention_records(result)
    label = METHOD_LABELS.get(result.method, result.method)
    title = f"Retention, {result.method} method"
    source = Text(f"{result.input.path}  months {result.input.months}", style="dim")
    note = Text(
        f"method: {result.method}, {label}; '-' marks a figure this method does not define. "
        "Compare all methods with: retention methods INPUT",
        style="dim",
    )
    parts: list[RenderableType] = []
    if (answer := answer_line(result)) is not None:
        parts.append(answer)
    parts += [
        source,
        latest_table(console, records, result.windows, title),
        trend_table(console, records, result.windows),
        note,
    ]
    console.print(Group(*parts))


def method_metrics_document(result: MetricsResult) -> Document:
    """The ``metrics`` document of a result by any method: the same JSON and CSV contract.

    For the cohort method this is ``metrics_document`` itself; for the others only the
    terminal view differs (a method's label, no figures it does not define).
    """
    document = metrics_document(result)
    if result.method == "cohort":
        return document

    def render(console: Console) -> None:
        _render_by_method(result, console)

    return dataclasses.replace(document, render=render)
