"""Every METRICS.md term (sections 1-7) has exactly one function that defines it.

A function defines a term when its docstring says ``Defines: <term> (METRICS.md §N)``
(whitespace, line breaks included, counts as one space). So a newcomer goes from a term of
the spec to its one function with a grep, and a second definition fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import defaultdict
from functools import cache

import pytest

import revenue_retention

#: (section, term) for every definition of METRICS.md sections 1-7.
TERMS: tuple[tuple[int, str], ...] = (
    (1, "the canonical table, one row per customer-month with line items summed"),
    (1, "a month with no row means MRR 0"),
    (1, "snapshot convention, active at the last or first day of the month"),
    (1, "annual, quarterly, weekly plans normalised to monthly"),
    (1, "negative MRR, unparseable amounts or dates, unknown currencies rejected with a reason"),
    (1, "rows in = rows accepted + rows rejected"),
    (2, "the movement rule new / reactivation / expansion / contraction / churn"),
    (2, "new = never paid before, otherwise reactivation"),
    (
        2,
        "the bridge identity closing = opening + new + reactivation + expansion"
        " - contraction - churn",
    ),
    (2, "the first month is the opening balance, no bridge row"),
    (3, "the cohort C of a window, customers paying at M - k"),
    (3, "S (starting MRR) and E (ending MRR) of a cohort"),
    (3, "churn, contraction, expansion of a cohort customer"),
    (3, "a customer's class over a window, churn / contraction / expansion / flat"),
    (3, "GRR = (S - churn - contraction) / S"),
    (3, "NRR = E / S = (S - churn - contraction + expansion) / S"),
    (3, "logo retention = |{c in C : b > 0}| / |C|"),
    (3, "a customer who left and came back inside the window counts with its MRR at M"),
    (3, "S = 0 gives no rate (null), never a division error"),
    (3, "attribute breakdowns, a customer's group at the start of the window"),
    (3, "acquisition cohorts, by first month with MRR > 0"),
    (4, "movement method"),
    (4, "compounded monthly, GRR_monthly ^ 12"),
    (4, "trailing revenue"),
    (4, "averaged"),
    (5, "share of S held by the top 1 / 5 / 10 customers"),
    (5, "Herfindahl index of S"),
    (5, "share of expansion from the top 1 / 5 / 10 expanders"),
    (5, "NRR without the top k expanders' expansion"),
    (6, "volume effect = (q1 - q0) * (p0 + p1) / 2"),
    (6, "price effect = (p1 - p0) * (q0 + q1) / 2"),
    (6, "cross-sell"),
    (6, "product churn, contraction or churn if the last product"),
    (6, "expansion = volume expansion + price increase + cross-sell"),
    (6, "NRR excluding price increases = (E - positive price effect) / S"),
    (7, "GRR bands"),
    (7, "NRR bands"),
    (7, "medians, SaaS Capital 2023"),
    (7, "leaky bucket, NRR >= 100% while GRR < 85%"),
    (7, "expansion dependence, the spread NRR - GRR"),
    (7, "concentration diagnostic"),
    (7, "borrowed loyalty"),
    (7, "cohort drift"),
    (7, "seasonality, quarterly rates swing far more than the annual one"),
    (7, "small base, the interval includes the benchmark"),
    (7, "small-base bootstrap confidence interval, resampling customers"),
)


_DEFINES = re.compile(r"Defines: (.+?) \(METRICS\.md §(\d)\)")


def _functions() -> dict[str, object]:
    """Every function and method of the package, by qualified name."""
    found: dict[str, object] = {}
    package = revenue_retention.__path__
    for info in pkgutil.walk_packages(package, prefix="revenue_retention."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = value
            elif inspect.isclass(value) and value.__module__ == module.__name__:
                for attr, member in vars(value).items():
                    if inspect.isfunction(member):
                        found[f"{module.__name__}.{name}.{attr}"] = member
    return found


@cache
def definitions() -> dict[tuple[int, str], list[str]]:
    """(section, term) -> the functions whose docstring says they define it."""
    by_term: dict[tuple[int, str], list[str]] = defaultdict(list)
    for qualified, function in _functions().items():
        doc = " ".join((inspect.getdoc(function) or "").split())
        for term, section in _DEFINES.findall(doc):
            by_term[(int(section), term)].append(qualified)
    return dict(by_term)


@pytest.mark.parametrize(("section", "term"), TERMS)
def test_every_term_has_one_defining_function(section: int, term: str) -> None:
    functions = definitions().get((section, term), [])
    assert len(functions) == 1, f"§{section} {term!r} is defined by {functions or 'nothing'}"


def test_every_definition_names_a_term_of_the_spec() -> None:
    unknown = {key: where for key, where in definitions().items() if key not in TERMS}
    assert not unknown, f"Defines: lines citing no METRICS.md term of this list: {unknown}"


def test_the_terms_are_listed_once() -> None:
    assert len(set(TERMS)) == len(TERMS)
    assert {section for section, _ in TERMS} == {1, 2, 3, 4, 5, 6, 7}
