"""The conventions of the public API (issue 17): every analysis is ``compute_*(data, *, ...)``,
the window is ``window_months``, and a month is ``"YYYY-MM"`` or a date, never an index."""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import revenue_retention as rr
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
def lines(tmp_path_factory: pytest.TempPathFactory) -> rr.Dataset:
    path = tmp_path_factory.mktemp("conventions") / "lines.csv"
    path.write_text(LINES, encoding="utf-8")
    return rr.load(path)


def test_every_analysis_is_a_compute_verb() -> None:
    # The old names are gone, and asking for one says what it is now.
    assert len(ANALYSES) == 10
    with pytest.raises(AttributeError, match="compute_decomposition"):
        _ = rr.decompose  # type: ignore[attr-defined]


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
    assert having == set(WITH_AS_OF)


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
    assert error.value.option == "as_of"
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
