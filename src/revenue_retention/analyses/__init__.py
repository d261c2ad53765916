"""Analyses: executed, frozen results built from metric expressions (METRICS.md §3-7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revenue_retention._lazy import lazy_exports

if TYPE_CHECKING:
    from revenue_retention.analyses.benchmarks import Benchmarks, load_benchmarks
    from revenue_retention.analyses.cohorts import CohortResult, compute_cohorts
    from revenue_retention.analyses.concentration import ConcentrationResult, compute_concentration
    from revenue_retention.analyses.decompose import DecomposeResult, compute_decomposition
    from revenue_retention.analyses.diagnostics import (
        Diagnosis,
        Diagnostic,
        Thresholds,
        compute_diagnosis,
    )
    from revenue_retention.analyses.explain import ExplainResult, compute_explain
    from revenue_retention.analyses.methods import MethodsResult, compute_methods
    from revenue_retention.analyses.seasonality import SeasonalityResult, compute_seasonality
    from revenue_retention.analyses.summary import MetricsResult, compute_metrics
    from revenue_retention.analyses.uncertainty import UncertaintyResult, compute_intervals

# Imported on first use: a command loads the modules it needs, not all of them.
__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "revenue_retention.analyses.benchmarks": ("Benchmarks", "load_benchmarks"),
        "revenue_retention.analyses.cohorts": ("CohortResult", "compute_cohorts"),
        "revenue_retention.analyses.concentration": (
            "ConcentrationResult",
            "compute_concentration",
        ),
        "revenue_retention.analyses.decompose": ("DecomposeResult", "compute_decomposition"),
        "revenue_retention.analyses.diagnostics": (
            "Diagnosis",
            "Diagnostic",
            "Thresholds",
            "compute_diagnosis",
        ),
        "revenue_retention.analyses.explain": ("ExplainResult", "compute_explain"),
        "revenue_retention.analyses.methods": ("MethodsResult", "compute_methods"),
        "revenue_retention.analyses.seasonality": ("SeasonalityResult", "compute_seasonality"),
        "revenue_retention.analyses.summary": ("MetricsResult", "compute_metrics"),
        "revenue_retention.analyses.uncertainty": ("UncertaintyResult", "compute_intervals"),
    },
)

__all__ = [
    "Benchmarks",
    "CohortResult",
    "ConcentrationResult",
    "DecomposeResult",
    "Diagnosis",
    "Diagnostic",
    "ExplainResult",
    "MethodsResult",
    "MetricsResult",
    "SeasonalityResult",
    "Thresholds",
    "UncertaintyResult",
    "compute_cohorts",
    "compute_concentration",
    "compute_decomposition",
    "compute_diagnosis",
    "compute_explain",
    "compute_intervals",
    "compute_methods",
    "compute_metrics",
    "compute_seasonality",
    "load_benchmarks",
]
