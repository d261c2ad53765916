"""Analyses: executed, frozen results built from metric expressions."""

from __future__ import annotations

from revenue_retention.analyses.summary import MetricsResult, compute_metrics

__all__ = ["MetricsResult", "compute_metrics"]
