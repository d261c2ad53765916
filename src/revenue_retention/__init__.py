"""revenue-retention: exact MRR bridge, GRR, NRR and what explains them.

The public API mirrors the ``retention`` command::

    import revenue_retention as rr

    data = rr.load("mrr.csv")                 # canonical customer-month table (METRICS.md §1)
    rr.bridge(data).to_pandas()               # monthly MRR bridge (§2)
    rr.retention(data, windows=[12]).to_pyarrow()   # cohort GRR / NRR / logo retention (§3)
    result = rr.compute_metrics(data)         # both, executed, as the CLI reports them
    rr.load(rr.example_path("revenue_cube.xlsx"))   # every input has a shipped example
    rr.diagnose(data)                         # benchmarks and diagnostics in words (§7)
    rr.overview(data).plot()                  # every analysis of the report, charted
"""

from __future__ import annotations

__version__ = "0.1.0"

from revenue_retention.analyses import (
    Benchmarks,
    CohortResult,
    ConcentrationResult,
    DecomposeResult,
    Diagnosis,
    Diagnostic,
    ExplainResult,
    MethodsResult,
    MetricsResult,
    SeasonalityResult,
    Thresholds,
    UncertaintyResult,
    bootstrap_intervals,
    cohort_matrix,
    compare_methods,
    compute_concentration,
    compute_explain,
    compute_explain_period,
    compute_metrics,
    decompose,
    diagnose,
    load_benchmarks,
    seasonality,
)
from revenue_retention.analyses.overview import Overview, overview
from revenue_retention.canonical import Dataset, InputReport, load
from revenue_retention.datasets import example_path
from revenue_retention.engine import connect
from revenue_retention.errors import (
    BadRow,
    BadRowsError,
    EngineNotSupported,
    InputError,
    MissingColumnError,
    NoValidRowsError,
    OptionError,
    OutputError,
    RejectReason,
    RetentionError,
    SourceError,
)
from revenue_retention.metrics import DEFAULT_WINDOWS, MOVEMENTS, bridge, cohort_pairs, retention
from revenue_retention.metrics.methods import METHODS, method_retention
from revenue_retention.money import format_money
from revenue_retention.outputs import to_csv, to_json, write_rejects
from revenue_retention.periods import MonthRange

__all__ = [
    "DEFAULT_WINDOWS",
    "METHODS",
    "MOVEMENTS",
    "BadRow",
    "BadRowsError",
    "Benchmarks",
    "CohortResult",
    "ConcentrationResult",
    "Dataset",
    "DecomposeResult",
    "Diagnosis",
    "Diagnostic",
    "EngineNotSupported",
    "ExplainResult",
    "InputError",
    "InputReport",
    "MethodsResult",
    "MetricsResult",
    "MissingColumnError",
    "MonthRange",
    "NoValidRowsError",
    "OptionError",
    "OutputError",
    "Overview",
    "RejectReason",
    "RetentionError",
    "SeasonalityResult",
    "SourceError",
    "Thresholds",
    "UncertaintyResult",
    "__version__",
    "bootstrap_intervals",
    "bridge",
    "cohort_matrix",
    "cohort_pairs",
    "compare_methods",
    "compute_concentration",
    "compute_explain",
    "compute_explain_period",
    "compute_metrics",
    "connect",
    "decompose",
    "diagnose",
    "example_path",
    "format_money",
    "load",
    "load_benchmarks",
    "method_retention",
    "overview",
    "retention",
    "seasonality",
    "to_csv",
    "to_json",
    "write_rejects",
]
