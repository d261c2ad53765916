"""Analyses: executed, frozen results built from metric expressions (METRICS.md §3-7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revenue_retention._lazy import lazy_exports

# Named like their modules: bound now, or importing the module would put the module in
# their place (a package's submodule becomes its attribute once imported).
from revenue_retention.analyses.decompose import DecomposeResult, decompose
from revenue_retention.analyses.seasonality import SeasonalityResult, seasonality

if TYPE_CHECKING:
    from revenue_retention.analyses.benchmarks import Benchmarks, load_benchmarks
    from revenue_retention.analyses.cohorts import CohortResult, cohort_matrix
    from revenue_retention.analyses.concentration import ConcentrationResult, compute_concentration
    from revenue_retention.analyses.diagnostics import Diagnosis, Diagnostic, Thresholds, diagnose
    from revenue_retention.analyses.explain import (
        ExplainResult,
        compute_explain,
        compute_explain_period,
    )
    from revenue_retention.analyses.methods import MethodsResult, compare_methods
    from revenue_retention.analyses.summary import MetricsResult, compute_metrics
    from revenue_retention.analyses.uncertainty import UncertaintyResult, bootstrap_intervals

# Imported on first use: a command loads the modules it needs, not all of them.
__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "revenue_retention.analyses.benchmarks": ("Benchmarks", "load_benchmarks"),
        "revenue_retention.analyses.cohorts": ("CohortResult", "cohort_matrix"),
        "revenue_retention.analyses.concentration": (
            "ConcentrationResult",
            "compute_concentration",
        ),
        "revenue_retention.analyses.diagnostics": (
            "Diagnosis",
            "Diagnostic",
            "Thresholds",
            "diagnose",
        ),
        "revenue_retention.analyses.explain": (
            "ExplainResult",
            "compute_explain",
            "compute_explain_period",
        ),
        "revenue_retention.analyses.methods": ("MethodsResult", "compare_methods"),
        "revenue_retention.analyses.summary": ("MetricsResult", "compute_metrics"),
        "revenue_retention.analyses.uncertainty": ("UncertaintyResult", "bootstrap_intervals"),
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
    "bootstrap_intervals",
    "cohort_matrix",
    "compare_methods",
    "compute_concentration",
    "compute_explain",
    "compute_explain_period",
    "compute_metrics",
    "decompose",
    "diagnose",
    "load_benchmarks",
    "seasonality",
]
