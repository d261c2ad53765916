"""The conventions of the public API (issue 17): every analysis is ``compute_*(data, *, ...)``,
the window is ``window_months``, and a month is ``"YYYY-MM"`` or a date, never an index."""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import revenue_retention as rr
from revenue_retention.cli import app
from revenue_retention.periods import month_index

ANALYSES = sorted(name for name in rr.__all__ if name.startswith("compute_"))

# Line items over three months: every analysis with an ``as_of`` can run on it (the
# decomposition needs product, quantity and unit price), with a one-month window.
LINES = """\
customer_id,month,product,quantity,unit_price
a,2024-01,seats,10,20
a,2024-02,seats,12,20
a,2024-03,seats,12,21
b,2024-01,seats,5,20
b,2024-02,seats,5,20
c,2024-02,seats,1,20
c,2024-03,seats,2,20
"""


@pytest.fixture(scope="module")
def lines_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("conventions") / "lines.csv"
    path.write_text(LINES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def lines(lines_csv: Path) -> rr.Dataset:
    return rr.load(lines_csv)


def test_every_analysis_is_a_compute_verb() -> None:
    # The old names are gone, and asking for one says what it is now.
    assert len(ANALYSES) == 12
    with pytest.raises(AttributeError, match="compute_decomposition"):
        _ = rr.decompose  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="compute_forecast"):
        _ = rr.forecast  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ANALYSES)
def test_analyses_take_the_data_then_keywords_only(name: str) -> None:
    parameters = list(inspect.signature(getattr(rr, name)).parameters.values())
    assert parameters[0].name == "data"
    assert parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[1:]), parameters


@pytest.mark.parametrize("name", [*ANALYSES, "load"])
def test_one_name_per_concept(name: str) -> None:
    names = set(inspect.signature(getattr(rr, name)).parameters)
    # The window is window_months everywhere, the month analysed up to as_of.
    assert not names & {"window", "windows", "months", "month", "end", "until"}, names


# Each analysis with an as_of, called on ``lines`` with a one-month window.
WITH_AS_OF: dict[str, Callable[..., Any]] = {
    "compute_concentration": lambda d, **kw: rr.compute_concentration(d, window_months=1, **kw),
    "compute_decomposition": lambda d, **kw: rr.compute_decomposition(d, window_months=1, **kw),
    "compute_diagnosis": lambda d, **kw: rr.compute_diagnosis(d, window_months=1, **kw),
    "compute_explain": lambda d, **kw: rr.compute_explain(d, window_months=1, **kw),
    "compute_intervals": lambda d, **kw: rr.compute_intervals(
        d, window_months=1, resamples=100, **kw
    ),
    "compute_methods": lambda d, **kw: rr.compute_methods(d, window_months=1, **kw),
}


def test_every_analysis_with_an_as_of_is_listed_here() -> None:
    having = {n for n in ANALYSES if "as_of" in inspect.signature(getattr(rr, n)).parameters}
    # The forecast needs a year of data before its as_of, more than ``lines`` holds: its
    # as_of is checked the same way in tests/analyses/test_forecast.py.
    assert having == set(WITH_AS_OF) | {"compute_forecast"}


def _as_of_index(result: Any) -> int:
    if isinstance(result, rr.UncertaintyResult):
        return result.cohorts[-1].as_of
    return int(result.as_of)


@pytest.mark.parametrize("name", sorted(WITH_AS_OF))
def test_as_of_is_a_month_string_or_a_date(lines: rr.Dataset, name: str) -> None:
    run = WITH_AS_OF[name]
    february = month_index(2024, 2)
    assert _as_of_index(run(lines, as_of="2024-02")) == february
    assert _as_of_index(run(lines, as_of=datetime.date(2024, 2, 29))) == february
    assert _as_of_index(run(lines)) == month_index(2024, 3)  # the data's last month


@pytest.mark.parametrize("name", sorted(WITH_AS_OF))
def test_a_month_index_is_refused(lines: rr.Dataset, name: str) -> None:
    with pytest.raises(rr.OptionError, match='pass "YYYY-MM"') as error:
        WITH_AS_OF[name](lines, as_of=month_index(2024, 2))
    assert error.value.parameter == "as_of"
    # It says which month the index would have been, since that is what was meant.
    assert "'2024-02'" in str(error.value)


def test_load_refuses_a_month_index_too(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    path.write_text(LINES, encoding="utf-8")
    assert rr.load(path, as_of=datetime.date(2024, 2, 1)).report.as_of == month_index(2024, 2)
    with pytest.raises(rr.OptionError, match="is not a month"):
        rr.load(path, as_of=month_index(2024, 2))  # type: ignore[arg-type]


def test_explain_takes_a_period_instead_of_a_window(lines: rr.Dataset) -> None:
    result = rr.compute_explain(lines, period="2024-03")
    assert (result.window_months, result.as_of) == (1, month_index(2024, 3))
    with pytest.raises(rr.OptionError, match="one bridge month"):
        rr.compute_explain(lines, period="2024-03", window_months=1)


# --- errors name the Python parameter; the command line, its flag ------------------------------

# A bad value for each kind of parameter: (what is called, with what, the parameter named).
BAD_CALLS: list[tuple[str, dict[str, Any], str]] = [
    *[(name, {"window_months": 500}, "window_months") for name in (
        "compute_concentration", "compute_methods", "compute_decomposition",
        "compute_diagnosis", "compute_explain", "compute_intervals")],
    ("compute_metrics", {"window_months": [1, 500]}, "window_months"),
    ("compute_overview", {"window_months": 0}, "window_months"),
    ("compute_concentration", {"as_of": "2025-01"}, "as_of"),
    ("compute_explain", {"period": "2024-01"}, "period"),
    ("compute_explain", {"window_months": 1, "limit": 0}, "limit"),
    ("compute_explain", {"window_months": 1, "by": ("plan", "x")}, "by"),
    ("compute_metrics", {"method": "cohorts"}, "method"),
    ("compute_metrics", {"by": ["plan"]}, "by"),
    ("compute_cohorts", {"grain": "week"}, "grain"),
    ("compute_seasonality", {"swing_ratio": 0}, "swing_ratio"),
    ("compute_intervals", {"level": 2}, "level"),
    ("compute_intervals", {"seed": -1}, "seed"),
    ("compute_forecast", {"horizon_months": 0}, "horizon_months"),
    ("compute_growth", {"gross_margin": "2"}, "gross_margin"),
    ("compute_growth", {"level": 2}, "level"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "arguments", "parameter"), BAD_CALLS)
def test_an_option_error_names_the_python_parameter(
    lines: rr.Dataset, name: str, arguments: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(rr.OptionError) as error:
        getattr(rr, name)(lines, **arguments)
    assert error.value.parameter == parameter
    assert parameter in inspect.signature(getattr(rr, name)).parameters
    assert str(error.value).startswith(f"{parameter}:")
    assert "--" not in str(error.value)


def test_a_window_too_long_reads_the_same_in_python_and_on_the_command_line(
    lines: rr.Dataset, lines_csv: Path
) -> None:
    with pytest.raises(rr.OptionError) as error:
        rr.compute_concentration(lines, window_months=500)
    reason = "500 must be a whole number from 1 to 120 months"
    assert str(error.value) == f"window_months: {reason}"
    assert error.value.option == "window_months"  # the 0.1 name of the field, kept a release
    result = CliRunner().invoke(app, ["concentration", str(lines_csv), "--window", "500"])
    assert (result.exit_code, result.stderr) == (1, f"error: --window: {reason}\n")
    # metrics reads its windows from a list (--windows 1,3,12).
    result = CliRunner().invoke(app, ["metrics", str(lines_csv), "--windows", "500"])
    assert result.stderr == "error: --windows: '500' must be between 1 and 120 months\n"


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["explain", "--period", "2024-01"], "error: --period: '2024-01' has no bridge row"),
        (["metrics", "--ci", "2"], "error: --ci: 2.0 must be a level strictly between 0 and 1"),
        (["metrics", "--by", "plan"], "error: --by: 'plan' is not an attribute of the input"),
        (["metrics", "--column", "mrr"], "error: --column: 'mrr' must look like ROLE=COLUMN"),
        (["seasonality", "--swing-ratio", "0"], "error: --swing-ratio: 0.0 must be"),
        (["report", "-o", "r.html", "--window", "0"], "error: --window: '0' must be 1 month"),
        # A reason naming another parameter names its flag too.
        (["concentration", "--as-of", "2024-02", "--window", "2"], "or a later --as-of (the"),
    ],
)
def test_the_cli_prints_the_flag(lines_csv: Path, args: list[str], printed: str) -> None:
    command, *options = args
    result = CliRunner().invoke(app, [command, str(lines_csv), *options])
    assert result.exit_code == 1, result.output
    assert printed in result.stderr
    assert "window_months" not in result.stderr and "as_of" not in result.stderr


def test_python_reads_another_parameter_by_its_python_name(lines: rr.Dataset) -> None:
    with pytest.raises(rr.OptionError, match=r"or a later as_of \(the earliest is 2024-03\)"):
        rr.compute_concentration(lines, as_of="2024-02", window_months=2)
