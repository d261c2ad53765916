"""revenue-retention: exact MRR bridge, GRR, NRR and what explains them.

The public API mirrors the ``retention`` command::

    import revenue_retention as rr

    data = rr.load("mrr.csv")                 # canonical customer-month table (METRICS.md §1)
    rr.bridge(data).to_pandas()               # monthly MRR bridge (§2)
    rr.retention(data, windows=[12]).to_pyarrow()   # cohort GRR / NRR / logo retention (§3)
    result = rr.compute_metrics(data)         # both, executed, as the CLI reports them
"""

from __future__ import annotations

__version__ = "0.1.0"

from revenue_retention.analyses import MetricsResult, compute_metrics
from revenue_retention.canonical import Dataset, InputReport, load
from revenue_retention.engine import connect
from revenue_retention.errors import (
    BadRow,
    BadRowsError,
    EngineNotSupported,
    InputError,
    MissingColumnError,
    OptionError,
    RejectReason,
    RetentionError,
    SourceError,
)
from revenue_retention.metrics import DEFAULT_WINDOWS, MOVEMENTS, bridge, cohort_pairs, retention
from revenue_retention.money import format_money
from revenue_retention.outputs import to_csv, to_json, write_rejects
from revenue_retention.periods import MonthRange

__all__ = [
    "DEFAULT_WINDOWS",
    "MOVEMENTS",
    "BadRow",
    "BadRowsError",
    "Dataset",
    "EngineNotSupported",
    "InputError",
    "InputReport",
    "MetricsResult",
    "MissingColumnError",
    "MonthRange",
    "OptionError",
    "RejectReason",
    "RetentionError",
    "SourceError",
    "__version__",
    "bridge",
    "cohort_pairs",
    "compute_metrics",
    "connect",
    "format_money",
    "load",
    "retention",
    "to_csv",
    "to_json",
    "write_rejects",
]
