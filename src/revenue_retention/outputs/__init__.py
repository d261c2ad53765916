"""Outputs: render executed results for people (terminal) and programs (JSON, CSV); no computing.

One package per analysis, channel toolkits private; ``registry`` finds a result's presenter
(its layout and how to add an analysis are in ``outputs/registry.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revenue_retention._lazy import lazy_exports

if TYPE_CHECKING:
    from revenue_retention.outputs._document import Document, Section
    from revenue_retention.outputs.metrics.document import (
        metrics_document,
        to_csv,
        to_json,
        write_csv_dir,
    )
    from revenue_retention.outputs.metrics.records import bridge_records, retention_records
    from revenue_retention.outputs.metrics.terminal import render_metrics
    from revenue_retention.outputs.rejects import write_rejects

# Imported on first use: a command loads the modules it needs, not all of them.
__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "revenue_retention.outputs._document": ("Document", "Section"),
        "revenue_retention.outputs.metrics.records": ("bridge_records", "retention_records"),
        "revenue_retention.outputs.rejects": ("write_rejects",),
        "revenue_retention.outputs.metrics.document": (
            "metrics_document",
            "to_csv",
            "to_json",
            "write_csv_dir",
        ),
        "revenue_retention.outputs.metrics.terminal": ("render_metrics",),
    },
)

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
