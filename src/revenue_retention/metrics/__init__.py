"""Metric expressions over the canonical table: the bridge and retention (METRICS.md §2-4)."""

from __future__ import annotations

from revenue_retention.metrics.bridge import MOVEMENTS, bridge
from revenue_retention.metrics.retention import DEFAULT_WINDOWS, cohort_pairs, retention

__all__ = ["DEFAULT_WINDOWS", "MOVEMENTS", "bridge", "cohort_pairs", "retention"]
