"""Outputs: render executed results for people (terminal) and programs (JSON, CSV); no computing."""

from __future__ import annotations

from revenue_retention.outputs.document import Document, Section
from revenue_retention.outputs.records import bridge_records, retention_records
from revenue_retention.outputs.rejects import write_rejects
from revenue_retention.outputs.tabular import metrics_document, to_csv, to_json, write_csv_dir
from revenue_retention.outputs.terminal import render_metrics

__all__ = [
    "Document",
    "Section",
    "bridge_records",
    "metrics_document",
    "render_metrics",
    "retention_records",
    "to_csv",
    "to_json",
    "write_csv_dir",
    "write_rejects",
]
