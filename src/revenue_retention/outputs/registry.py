"""One rendering registry: how each result is shown in a notebook, a terminal, JSON and charts.

``outputs/`` is sliced one way, by analysis: ``outputs/<analysis>/`` holds everything one
result looks like (``__init__.py``: its document for JSON, CSV and the terminal, its notebook
tables and its presenter; ``chart.py``: its Plotly chart; ``sheets.py``: its workbook
sheets). The channel toolkits they share are private: ``_document`` (Document, Section),
``_terminal`` (fitted Rich tables), ``_html`` (escaped tables), ``_charts`` (figure, palette,
Chart) and ``_workbook`` (the xlsx writer). ``overview/`` puts the report and the workbook
together from the other analyses.

Every result type has one ``Presenter``, registered with ``@register(ResultType)`` in the
outputs package named like the result's analysis module (``analyses/cohorts.py`` ->
``outputs/cohorts/``; two older names differ, see ``_MODULE_OF``). ``presenter_for(result)``
imports that package on first use, so a command loads only its own presentation (and
Plotly only for a chart), and the analyses never import outputs: the result base class
(``analyses/_result.py``) makes the one upward import, into this module, inside its methods.

Adding an analysis touches three files:

1. ``analyses/<name>.py``: the computation, returning a ``<Name>Result(Result)`` declared
   ``@dataclass(frozen=True, repr=False)``. Its ``to_arrow``/``to_pandas``/``to_polars``
   and one-line ``repr`` come with ``Result``.
2. ``outputs/<name>.py`` (a package ``outputs/<name>/`` once it grows a chart module): one
   class decorated ``@register(<Name>Result)`` with ``document`` (JSON, CSV and the terminal
   view), ``html`` (notebook), ``chart`` (``plot()``; import Plotly inside it) and
   ``sheets`` (``()`` unless it has workbook sheets of its own).
3. ``cli/<name>.py``: the command, which ends ``emit(document(result), ...)``.

Nothing else: ``result.to_json()``, ``_repr_html_()`` and ``plot()`` come from ``Result``
and find the presenter here; a test (``tests/outputs/test_registry.py``) fails for a result
type without one.
"""

from __future__ import annotations

import html as html_text
import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._document import Document
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = [
    "Presenter",
    "chart",
    "document",
    "figure",
    "html",
    "presenter_for",
    "register",
    "registered",
    "sheets",
]

R = TypeVar("R", contravariant=True)
P = TypeVar("P")

#: Outputs modules not named like their analysis module (kept for their history).
_MODULE_OF = {"summary": "metrics", "diagnostics": "diagnose", "goals": "check"}
#: Height added on top of a figure for its title in a notebook.
_TITLE_PX = 36

_PRESENTERS: dict[type, Presenter[Any]] = {}


class Presenter(Protocol[R]):
    """How one result type is presented on every channel."""

    def document(self, result: R, **options: Any) -> Document:
        """JSON header and record sections, CSV, and the terminal view (``Document.render``)."""
        ...

    def html(self, result: R) -> str:
        """The notebook view: escaped HTML tables (without the outer ``div``)."""
        ...

    def chart(self, result: R, **options: Any) -> Chart:
        """The report's chart of the result, which ``plot()`` shows titled."""
        ...

    def sheets(self, result: R) -> Sequence[Sheet]:
        """The result's workbook sheets; ``()`` when it has none of its own."""
        ...


def register(result_type: type) -> Callable[[type[P]], type[P]]:
    """Class decorator: an instance of the class presents ``result_type`` (and subclasses)."""

    def add(presenter: type[P]) -> type[P]:
        _PRESENTERS[result_type] = presenter()  # type: ignore[assignment]
        return presenter

    return add


def _module_of(result_type: type) -> str:
    name = result_type.__module__.rsplit(".", 1)[-1]
    return f"revenue_retention.outputs.{_MODULE_OF.get(name, name)}"


def _registered(result_type: type) -> Presenter[Any] | None:
    return next((_PRESENTERS[t] for t in result_type.__mro__ if t in _PRESENTERS), None)


def presenter_for(result: object, missing: str = "no presenter for") -> Presenter[Any]:
    """The presenter of ``result``'s type, importing its outputs module on first use.

    Raises
    ------
    TypeError
        ``result`` is not a result this package presents (``missing`` starts the message).
    """
    kind = type(result)
    found = _registered(kind)
    # A result of the package (or a subclass of one): load its analysis's outputs.
    ours = (c for c in kind.__mro__ if c.__module__.startswith("revenue_retention.analyses."))
    if found is None and (analysis := next(ours, None)) is not None:
        try:
            importlib.import_module(_module_of(analysis))
        except ModuleNotFoundError as error:
            if error.name != _module_of(analysis):
                raise
        found = _registered(kind)
    if found is None:
        raise TypeError(f"{missing} {kind.__name__}")
    return found


def registered() -> dict[type, Presenter[Any]]:
    """The presenters registered so far, by result type (for tests and tools)."""
    return dict(_PRESENTERS)


def document(result: object, **options: Any) -> Document:
    """The command output of ``result``: what ``to_json()``, ``to_csv()`` and the CLI write."""
    return presenter_for(result, "no document of").document(result, **options)


def html(result: object) -> str:
    """The HTML a notebook shows for ``result``: its main tables, every value escaped."""
    shown = presenter_for(result, "no HTML view of").html(result)
    return f'<div class="revenue-retention">{shown}</div>'


def chart(result: object, **options: Any) -> Chart:
    """The report's chart of ``result`` (untitled: the report titles it in the page).

    Raises
    ------
    OptionError
        An option does not fit the result.
    """
    return presenter_for(result, "no chart for").chart(result, **options)


def sheets(result: object) -> Sequence[Sheet]:
    """The workbook sheets of ``result`` (``()`` for a result with none of its own)."""
    return presenter_for(result, "no sheets of").sheets(result)


def figure(result: object, **options: Any) -> go.Figure:
    """``chart(result, **options)`` as ``plot()`` returns it: the figure, with its title.

    The report gives each chart its title in the page, so its figures have none; a
    notebook shows the figure alone, so here it gets the chart's title.
    """
    drawn = chart(result, **options)
    fig = drawn.figure
    height = fig.layout.height or 450
    # The title takes the top of the figure; the legend moves down under it.
    fig.update_layout(
        title={
            "text": html_text.escape(drawn.title),
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 8, "l": 10},
        },
        height=height + _TITLE_PX,
        legend_y=1 - _TITLE_PX / (height + _TITLE_PX),
        margin_t=(fig.layout.margin.t or 50) + _TITLE_PX,
    )
    return fig


def no_chart(result: object) -> Chart:
    """The answer of a presenter whose result has no chart of its own (yet)."""
    from revenue_retention.errors import OptionError

    raise OptionError(
        "plot",
        type(result).__name__,
        "has no chart; its tables are in to_pandas(), to_arrow() and to_json()",
    )
