"""revenue-retention: exact MRR bridge, GRR, NRR and what explains them.

The public API mirrors the ``retention`` command::

    import revenue_retention as rr

    data = rr.load("mrr.csv")                 # canonical customer-month table (METRICS.md §1)
    rr.bridge(data).to_pandas()               # monthly MRR bridge (§2)
    rr.retention(data, windows=[12]).to_pyarrow()   # cohort GRR / NRR / logo retention (§3)
    result = rr.compute_metrics(data)         # both, executed, as the CLI reports them
    rr.load(rr.example_path("revenue_cube.xlsx"))   # every input has a shipped example
    rr.compute_diagnosis(data, as_of="2024-12")     # benchmarks and diagnostics in words (§7)
    rr.compute_growth(data, gross_margin="0.8")     # ARR, growth, churn rates, ARPA, LTV
    rr.compute_forecast(data, horizon_months=12)    # MRR ahead: GRR floor, NRR path, new business
    rr.write_report(rr.compute_overview(data), "report.html")   # every analysis, one page

Every ``compute_*`` analysis takes the data, then keyword arguments only, named alike:
``as_of="YYYY-MM"`` (or a date; default the data's last month), ``window_months``, ``by``.
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
        compute_cohorts,
        compute_concentration,
        compute_decomposition,
        compute_diagnosis,
        compute_explain,
        compute_intervals,
        compute_methods,
        compute_metrics,
        compute_seasonality,
        load_benchmarks,
    )
    from revenue_retention.analyses.customers import customer_months, movement_log
    from revenue_retention.analyses.forecast import ForecastResult, compute_forecast
    from revenue_retention.analyses.growth import GrowthResult, compute_growth
    from revenue_retention.analyses.overview import Overview, compute_overview
    from revenue_retention.canonical import Dataset, InputReport, load
    from revenue_retention.datasets import example_path
    from revenue_retention.engine import connect
    from revenue_retention.errors import (
        BadRow,
        BadRowsError,
        DataWarning,
        EngineNotSupported,
        InputError,
        MissingColumnError,
        NoValidRowsError,
        OptionError,
        OutputError,
        RejectReason,
        RetentionError,
        RetentionWarning,
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
    from revenue_retention.outputs.overview.report import write_report
    from revenue_retention.outputs.overview.workbook import write_workbook
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
    ),
    "revenue_retention.analyses.decompose": ("DecomposeResult",),
    "revenue_retention.analyses.seasonality": ("SeasonalityResult",),
    "revenue_retention.analyses.overview": ("Overview", "compute_overview"),
    "revenue_retention.analyses.customers": ("customer_months", "movement_log"),
    "revenue_retention.analyses.forecast": ("ForecastResult", "compute_forecast"),
    "revenue_retention.analyses.growth": ("GrowthResult", "compute_growth"),
    "revenue_retention.canonical": ("Dataset", "InputReport", "load"),
    "revenue_retention.datasets": ("example_path",),
    "revenue_retention.engine": ("connect",),
    "revenue_retention.errors": (
        "BadRow",
        "BadRowsError",
        "DataWarning",
        "EngineNotSupported",
        "InputError",
        "MissingColumnError",
        "NoValidRowsError",
        "OptionError",
        "OutputError",
        "RejectReason",
        "RetentionError",
        "RetentionWarning",
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
    "revenue_retention.outputs.overview.report": ("write_report",),
    "revenue_retention.outputs.overview.workbook": ("write_workbook",),
    "revenue_retention.periods": ("MonthRange",),
}
_attribute, __dir__ = lazy_exports(globals(), _LOCATIONS)

#: Names of version 0.1, renamed in 0.2 (CHANGELOG.md): one verb style, ``compute_*``.
_RENAMED = {
    "bootstrap_intervals": "compute_intervals",
    "cohort_matrix": "compute_cohorts",
    "compare_methods": "compute_methods",
    "compute_explain_period": "compute_explain(period=...)",
    "decompose": "compute_decomposition",
    "diagnose": "compute_diagnosis",
    "forecast": "compute_forecast",
    "overview": "compute_overview",
    "seasonality": "compute_seasonality",
}


def __getattr__(name: str) -> object:
    if name in _RENAMED:
        # Not kept as aliases: their arguments changed too (keyword-only, as_of "YYYY-MM").
        raise AttributeError(
            f"module 'revenue_retention' has no attribute {name!r}: it is now "
            f"{_RENAMED[name]}, with keyword arguments (see CHANGELOG.md)"
        )
    return _attribute(name)


__all__ = [
    "DEFAULT_WINDOWS",
    "METHODS",
    "MOVEMENTS",
    "BadRow",
    "BadRowsError",
    "Benchmarks",
    "CohortResult",
    "ConcentrationResult",
    "DataWarning",
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
    "RetentionWarning",
    "SeasonalityResult",
    "SourceError",
    "Thresholds",
    "UncertaintyResult",
    "__version__",
    "bridge",
    "cohort_pairs",
    "compute_cohorts",
    "compute_concentration",
    "compute_decomposition",
    "compute_diagnosis",
    "compute_explain",
    "compute_forecast",
    "compute_growth",
    "compute_intervals",
    "compute_methods",
    "compute_metrics",
    "compute_overview",
    "compute_seasonality",
    "connect",
    "customer_months",
    "example_path",
    "format_money",
    "load",
    "load_benchmarks",
    "method_retention",
    "movement_log",
    "retention",
    "to_csv",
    "to_json",
    "write_rejects",
    "write_report",
    "write_workbook",
]
