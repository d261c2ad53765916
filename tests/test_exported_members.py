"""The public API is curated: ``__all__`` is pinned, importable and documented (like httpx)."""

from __future__ import annotations

import inspect
import subprocess
import sys
import types

import pytest

import revenue_retention as rr

EXPORTED = [
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


def test_all_is_pinned() -> None:
    # Changing the public API is a decision: update this list (and CHANGELOG.md) with it.
    assert rr.__all__ == EXPORTED


def test_all_is_sorted_constants_classes_then_functions() -> None:
    # ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then the rest, each alphabetical.
    def kind(name: str) -> int:
        if name.isupper():
            return 0
        return 1 if name[0].isupper() else 2

    assert rr.__all__ == sorted(rr.__all__, key=lambda name: (kind(name), name))


def test_every_public_name_of_the_root_is_exported() -> None:
    # Subpackages are attributes of the package once imported; they are not the API. The
    # names are imported on first use (PEP 562): dir() lists them before they are.
    public = {
        name
        for name in dir(rr)
        if not name.startswith("_")
        and not isinstance(getattr(rr, name), types.ModuleType)
        and name not in ("annotations", "TYPE_CHECKING", "lazy_exports")  # the module's own
    }
    assert public == set(EXPORTED) - {"__version__"}


def test_importing_the_package_loads_no_engine() -> None:
    # ``import revenue_retention`` and ``retention --help`` stay fast: nothing heavy loads
    # until a name that needs it is used.
    code = (
        "import sys, revenue_retention, revenue_retention.cli; "
        "print(sorted(m for m in ('ibis', 'duckdb', 'pyarrow', 'plotly', 'jinja2', "
        "'openpyxl', 'pyspark', 'rich') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip() == "[]", found.stderr


@pytest.mark.parametrize("name", EXPORTED)
def test_exported_name_is_importable(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from revenue_retention import {name}", namespace)
    assert namespace[name] is getattr(rr, name)


@pytest.mark.parametrize(
    "name", [n for n in EXPORTED if callable(getattr(rr, n)) or inspect.isclass(getattr(rr, n))]
)
def test_exported_callable_has_its_own_docstring(name: str) -> None:
    obj = getattr(rr, name)
    # obj.__doc__, not inspect.getdoc: a class must not borrow its base's docstring, and a
    # dataclass without one gets a generated "Name(field: type, ...)" signature instead.
    doc = obj.__doc__
    assert doc and doc.strip(), f"{name} has no docstring"
    assert not doc.startswith(f"{obj.__name__}("), f"{name} has only a generated docstring"


def test_version_is_a_string() -> None:
    assert isinstance(rr.__version__, str)
    assert rr.__version__.count(".") >= 2
