"""The rendering registry: one presenter per result type, for JSON, notebook and charts.

``result.to_json()`` must be the JSON the command writes, byte for byte; the cases are the
worked example of docs/metrics.md (``five_customers``, see conftest) and a small file of
product line items for ``decompose``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from typer.testing import CliRunner

import revenue_retention as rr
import revenue_retention.analyses as analyses
from revenue_retention.analyses._result import Result
from revenue_retention.analyses.overview import Overview, compute_overview
from revenue_retention.cli import app
from revenue_retention.outputs import registry

LINE_ITEMS_CSV = """\
customer_id,month,product,quantity,unit_price
a,2024-01,seats,10,20
a,2025-01,seats,12,21
a,2025-01,support,1,50
b,2024-01,seats,5,20
"""

HOSTILE_IDS_CSV = """\
customer_id,month,mrr
<img src=x onerror=alert(1)>,2024-01,100
<img src=x onerror=alert(1)>,2024-02,40
A&B,2024-01,50
"""


def _result_types() -> set[type]:
    """Every result class of the analyses package (each module imported)."""
    for module in pkgutil.iter_modules(analyses.__path__):
        importlib.import_module(f"revenue_retention.analyses.{module.name}")

    def below(cls: type) -> set[type]:
        return {s for c in cls.__subclasses__() for s in (c, *below(c))}

    return below(Result)


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.outputs.conftest import FIVE_CUSTOMERS_CSV

    path = tmp_path_factory.mktemp("registry") / "five_customers.csv"
    path.write_text(FIVE_CUSTOMERS_CSV, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(five: Path) -> Overview:
    return compute_overview(rr.load(five), window_months=3, resamples=100)


def test_every_result_type_has_a_presenter(small: Overview, tmp_path: Path) -> None:
    types = _result_types() - _later_types()
    assert len(types) == 10
    lines = tmp_path / "lines.csv"
    lines.write_text(LINE_ITEMS_CSV, encoding="utf-8")
    results: list[object] = [small, rr.compute_decomposition(rr.load(lines))]
    results += [getattr(small, f) for f in ("metrics", "diagnosis", "intervals", "cohorts_nrr")]
    results += [small.concentration, small.seasonality, small.methods, small.explain]
    assert {type(r) for r in results} == types
    for result in results:
        presenter = registry.presenter_for(result)
        for method in ("document", "html", "chart", "sheets"):
            assert callable(getattr(presenter, method))
    for later in _later_types():  # presenters load with their first result; load them now
        importlib.import_module(registry._module_of(later))
    assert set(registry.registered()) == types | _later_types()
    # The overview is the one result with workbook sheets of its own.
    assert [s.name for s in registry.sheets(small)][:2] == ["Summary", "Bridge"]
    assert registry.sheets(small.metrics) == ()


def test_not_a_result_has_no_presenter() -> None:
    with pytest.raises(TypeError, match="no presenter for int"):
        registry.presenter_for(3)
    with pytest.raises(TypeError, match="no document of str"):
        registry.document("text")


# (command line after the input file, the same call in Python)
CASES: list[tuple[list[str], Callable[[rr.Dataset], Any]]] = [
    (["metrics"], rr.compute_metrics),
    (
        ["metrics", "--method", "movement", "--windows", "1,3"],
        lambda d: rr.compute_metrics(d, window_months=(1, 3), method="movement"),
    ),
    (["cohorts"], rr.compute_cohorts),
    (
        ["cohorts", "--grain", "quarter", "--metric", "grr"],
        lambda d: rr.compute_cohorts(d, metric="grr", grain="quarter"),
    ),
    (["concentration", "--window", "3"], lambda d: rr.compute_concentration(d, window_months=3)),
    (["seasonality"], rr.compute_seasonality),
    (["methods", "--window", "3"], lambda d: rr.compute_methods(d, window_months=3)),
    (["diagnose", "--window", "3"], lambda d: rr.compute_diagnosis(d, window_months=3)),
    (["explain", "--window", "3"], lambda d: rr.compute_explain(d, window_months=3)),
    (["explain", "--period", "2024-03"], lambda d: rr.compute_explain(d, period="2024-03")),
]


@pytest.mark.parametrize(("args", "compute"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_to_json_is_the_commands_json(
    five: Path, args: list[str], compute: Callable[[rr.Dataset], Result]
) -> None:
    done = CliRunner().invoke(app, [args[0], str(five), *args[1:], "-f", "json"])
    assert done.exit_code == 0, done.output
    assert compute(rr.load(five)).to_json() == done.stdout


def test_decompose_to_json_is_the_commands_json(tmp_path: Path) -> None:
    lines = tmp_path / "lines.csv"
    lines.write_text(LINE_ITEMS_CSV, encoding="utf-8")
    done = CliRunner().invoke(app, ["decompose", str(lines), "-f", "json"])
    assert done.exit_code == 0, done.output
    assert rr.compute_decomposition(rr.load(lines)).to_json() == done.stdout


def test_to_csv_is_the_commands_csv(five: Path) -> None:
    done = CliRunner().invoke(app, ["cohorts", str(five), "-f", "csv"])
    assert done.exit_code == 0, done.output
    assert rr.compute_cohorts(rr.load(five)).to_csv() == done.stdout


def test_repr_html_escapes_every_value(tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    path.write_text(HOSTILE_IDS_CSV, encoding="utf-8")
    data = rr.load(path)
    for result in (
        rr.compute_explain(data, window_months=1),
        rr.compute_concentration(data, window_months=1),
    ):
        shown = result._repr_html_()
        assert shown.startswith('<div class="revenue-retention">')
        assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
        assert "A&amp;B" in shown and "A&B" not in shown


def test_plot_is_titled(small: Overview) -> None:
    for result in (small.metrics, small.cohorts_nrr, small.seasonality, small.methods, small):
        drawn = registry.chart(result)
        figure = result.plot()
        assert isinstance(figure, go.Figure)
        assert drawn.title and figure.layout.title.text == drawn.title
        # The report's figure has no title of its own: the page titles it.
        assert registry.chart(result).figure.layout.title.text is None


#: Fifteen months of three customers in two segments (the forecast needs a year before it).
SEGMENTS_CSV = "customer_id,month,mrr,segment\n" + "".join(
    f"{c},{2024 + m // 12}-{m % 12 + 1:02d},{amount + 5 * m},{segment}\n"
    for c, amount, segment, first in (
        ("a", 100, "smb", 0),
        ("b", 200, "ent", 0),
        ("c", 50, "smb", 2),
    )
    for m in range(first, 15)
)

#: Result types of issues 18 and 19: their presenters show the command's tables (no chart).
_LATER_TYPES = {
    "ForecastResult": lambda d: rr.compute_forecast(d, horizon_months=3, resamples=100),
    "GrowthResult": lambda d: rr.compute_growth(d, window_months=1),
    "CustomerStory": lambda d: _analyses("customers").customer_story(d, "a", (1,)),
    "CohortGroups": lambda d: _analyses("cohort_groups").cohort_groups(d, "segment"),
    "GoalsResult": lambda d: _analyses("goals").check_goals(
        d, (_analyses("goals").Goal(name="g", metric="grr", window_months=1, at_least=0.9),)
    ),
}


def _analyses(name: str) -> Any:
    return importlib.import_module(f"revenue_retention.analyses.{name}")


def _later_types() -> set[type]:
    return {t for t in _result_types() if t.__name__ in _LATER_TYPES}


def test_later_results_are_results_with_the_commands_document(tmp_path: Path) -> None:
    path = tmp_path / "segments.csv"
    path.write_text(SEGMENTS_CSV, encoding="utf-8")
    data = rr.load(path)
    assert {t.__name__ for t in _later_types()} == set(_LATER_TYPES)
    for name, make in _LATER_TYPES.items():
        result = make(data)
        assert type(result).__name__ == name
        presenter = registry.presenter_for(result)
        assert result.to_json() == presenter.document(result).to_json()
        shown = result._repr_html_()
        first = presenter.document(result).sections[0]
        assert f"<caption>{first.name}</caption>" in shown
        text = repr(result)
        assert "\n" not in text and len(text) < 400 and text.startswith(f"<{name} ")
        if name == "CohortGroups":  # a heatmap per group (tests/outputs/test_cohort_group_chart)
            assert result.plot().data
            continue
        with pytest.raises(rr.OptionError, match="has no chart"):
            result.plot()
