"""revenue-retention: exact MRR bridge, GRR, NRR and what explains them.

The public API mirrors the ``retention`` command::

    import revenue_retention as rr

    data = rr.load("mrr.csv")                 # canonical customer-month table (METRICS.md §1)
    rr.bridge(data).to_pandas()               # monthly MRR bridge (§2)
    rr.retention(data, windows=[12]).to_pyarrow()   # cohort GRR / NRR / logo retention (§3)
    result = rr.compute_metrics(data)         # both, executed, as the CLI reports them
    rr.load(rr.example_path("revenue_cube.xlsx"))   # every input has a shipped example
    rr.diagnose(data)                         # benchmarks and diagnostics in words (§7)
    rr.compute_growth(data, gross_margin="0.8")    # ARR, growth, churn rates, ARPA, LTV
    rr.overview(data).plot()                  # every analysis of the report, charted
    rr.forecast(data, months=12)              # MRR ahead: GRR floor, NRR path, new business
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revenue_retention._lazy import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:  # what the names below are, for type checkers and editors
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
    from revenue_retention.analyses.customers import customer_months, movement_log
    from revenue_retention.analyses.forecast import ForecastResult, forecast
    from revenue_retention.analyses.growth import GrowthResult, compute_growth
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
    from revenue_retention.metrics import (
        DEFAULT_WINDOWS,
        MOVEMENTS,
        bridge,
        cohort_pairs,
        retention,
    )
    from revenue_retention.metrics.methods import METHODS, method_retention
    from revenue_retention.money import format_money
    from revenue_retention.outputs import to_csv, to_json, write_rejects
    from revenue_retention.periods import MonthRange


# Each public name and the module it lives in. They are imported on first use (PEP 562),
# so that ``import revenue_retention`` (and the ``retention`` command's start-up) costs
# nothing until something is asked for: the engine, Arrow and the report's libraries load
# only when a function that needs them is used.
_LOCATIONS = {
    "revenue_retention.analyses": (
        "Benchmarks",
        "CohortResult",
        "ConcentrationResult",
        "Diagnosis",
        "Diagnostic",
        "ExplainResult",
        "MethodsResult",
        "MetricsResult",
        "Thresholds",
        "UncertaintyResult",
        "bootstrap_intervals",
        "cohort_matrix",
        "compare_methods",
        "compute_concentration",
        "compute_explain",
        "compute_explain_period",
        "compute_metrics",
        "diagnose",
        "load_benchmarks",
    ),
    # Named like their modules: taken from the module, never the package's attribute.
    "revenue_retention.analyses.decompose": ("DecomposeResult", "decompose"),
    "revenue_retention.analyses.seasonality": ("SeasonalityResult", "seasonality"),
    "revenue_retention.analyses.overview": ("Overview", "overview"),
    "revenue_retention.analyses.customers": ("customer_months", "movement_log"),
    "revenue_retention.analyses.forecast": ("ForecastResult", "forecast"),
    "revenue_retention.analyses.growth": ("GrowthResult", "compute_growth"),
    "revenue_retention.canonical": ("Dataset", "InputReport", "load"),
    "revenue_retention.datasets": ("example_path",),
    "revenue_retention.engine": ("connect",),
    "revenue_retention.errors": (
        "BadRow",
        "BadRowsError",
        "EngineNotSupported",
        "InputError",
        "MissingColumnError",
        "NoValidRowsError",
        "OptionError",
        "OutputError",
        "RejectReason",
        "RetentionError",
        "SourceError",
    ),
    "revenue_retention.metrics": (
        "DEFAULT_WINDOWS",
        "MOVEMENTS",
        "bridge",
        "cohort_pairs",
        "retention",
    ),
    "revenue_retention.metrics.methods": ("METHODS", "method_retention"),
    "revenue_retention.money": ("format_money",),
    "revenue_retention.outputs": ("to_csv", "to_json", "write_rejects"),
    "revenue_retention.periods": ("MonthRange",),
}
__getattr__, __dir__ = lazy_exports(globals(), _LOCATIONS)

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
    "ForecastResult",
    "GrowthResult",
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
    "compute_growth",
    "compute_metrics",
    "connect",
    "customer_months",
    "decompose",
    "diagnose",
    "example_path",
    "forecast",
    "format_money",
    "load",
    "load_benchmarks",
    "method_retention",
    "movement_log",
    "overview",
    "retention",
    "seasonality",
    "to_csv",
    "to_json",
    "write_rejects",
]
