"""The ``cohorts --by`` document: the overall cohorts, then each group's, keys added only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

from typing import Any

from rich.console import Console
from rich.rule import Rule

from revenue_retention.analyses.cohort_groups import CohortGroups
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import document_html
from revenue_retention.outputs.cohorts import (
    COHORT_FIELDS,
    COHORT_SIZE_FIELDS,
    cohort_records,
    cohort_size_records,
    cohorts_document,
    render_cohorts,
)
from revenue_retention.outputs.cohorts.chart import cohort_group_heatmaps
from revenue_retention.outputs.registry import register

__all__ = ["NO_VALUE", "cohort_groups_document"]

#: How the terminal names the group of customers without a value.
NO_VALUE = "(no value)"


def _records(split: CohortGroups) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    cohorts: list[dict[str, Any]] = []
    sizes: list[dict[str, Any]] = []
    for value in split.groups:
        result = split.group(value)
        cohorts += [{"group": value} | r for r in cohort_records(result)]
        sizes += [{"group": value} | r for r in cohort_size_records(result)]
    return cohorts, sizes


def cohort_groups_document(split: CohortGroups) -> Document:
    """``cohorts --by``: the ``cohorts`` document of every customer, with keys added:
    ``by`` (the attribute), ``groups`` (its values), and the sections
    ``cohorts_by_group`` and ``cohort_sizes_by_group`` (``group`` then the fields of
    ``cohorts`` and ``cohort_sizes``)."""
    overall = cohorts_document(split.overall)
    cohorts, sizes = _records(split)

    def render(console: Console) -> None:
        overall.render(console)
        for value in split.groups:
            result = split.group(value)
            customers = sum(result.sizes.column("customers").to_pylist())
            name = NO_VALUE if value is None else value
            console.print(
                Rule(
                    f"{split.by} = {name}: {customers:,} customer{'s' if customers != 1 else ''} "
                    f"(their {split.by} in "
                    "their first paying month)",
                    align="left",
                )
            )
            render_cohorts(result, console)

    return Document(
        header=dict(overall.header) | {"by": split.by, "groups": list(split.groups)},
        sections=(
            *overall.sections,
            Section("cohorts_by_group", ("group", *COHORT_FIELDS), cohorts),
            Section("cohort_sizes_by_group", ("group", *COHORT_SIZE_FIELDS), sizes),
        ),
        render=render,
    )


@register(CohortGroups)
class CohortGroupsPresenter:
    """``CohortGroups`` on every channel: terminal, JSON, CSV, notebook, a heatmap per group."""

    def document(self, result: CohortGroups, **options: Any) -> Document:
        return cohort_groups_document(result)

    def html(self, result: CohortGroups) -> str:
        return document_html(cohort_groups_document(result))

    def chart(self, result: CohortGroups, **options: Any) -> Chart:
        return cohort_group_heatmaps(result, **options)

    def sheets(self, result: CohortGroups) -> Sequence[Sheet]:
        return ()
