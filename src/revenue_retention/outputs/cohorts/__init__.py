"""The ``cohorts`` document: cohort x age records, cohort sizes and the terminal matrix."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group
from rich.text import Text

from revenue_retention.analyses.cohorts import CohortResult
from revenue_retention.money import format_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import html_table, para
from revenue_retention.outputs._terminal import Column, fit_table
from revenue_retention.outputs.registry import register
from revenue_retention.periods import month_label

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

__all__ = [
    "COHORT_FIELDS",
    "COHORT_SIZE_FIELDS",
    "cohort_records",
    "cohort_size_records",
    "cohorts_document",
    "render_cohorts",
]

COHORT_FIELDS = (
    "cohort",
    "age_months",
    "cohort_customers",
    "active_customers",
    "base_mrr",
    "mrr",
    "retained_mrr",
    "grr",
    "nrr",
    "logo_retention",
    "value",
    "complete",
)
COHORT_SIZE_FIELDS = (
    "cohort",
    "customers",
    "starting_mrr",
    "first_payment_from",
    "first_payment_to",
    "includes_opening_balance",
)
_MONEY = ("base_mrr", "mrr", "retained_mrr")
_RATES = ("grr", "nrr", "logo_retention")
#: Ages shown in the terminal matrix, so that it fits a screen: (up to age, every n months).
_AGE_STEPS = ((12, 1), (24, 3), (60, 6))
_LATER_EVERY = 12
_TITLES = {"nrr": "NRR", "grr": "GRR", "logo": "logo retention", "mrr": "MRR"}


def cohort_records(result: CohortResult) -> list[dict[str, Any]]:
    """One record per cohort and age, money as exact strings, rates as numbers."""
    money_value = result.metric == "mrr"
    return [
        {
            "cohort": result.label(row["cohort_index"]),
            "age_months": row["age_months"],
            "cohort_customers": row["cohort_customers"],
            "active_customers": row["active_customers"],
        }
        | {name: format_money(row[name]) for name in _MONEY}
        | {name: row[name] for name in _RATES}
        | {
            "value": format_money(row["value"]) if money_value else row["value"],
            "complete": row["complete"],
        }
        for row in result.cohorts.to_pylist()
    ]


def cohort_size_records(result: CohortResult) -> list[dict[str, Any]]:
    """One record per cohort: its customers and their MRR in their first paying month."""
    return [
        {
            "cohort": result.label(row["cohort_index"]),
            "customers": row["customers"],
            "starting_mrr": format_money(row["starting_mrr"]),
            "first_payment_from": month_label(row["first_month"]),
            "first_payment_to": month_label(row["last_first_month"]),
            "includes_opening_balance": row["includes_opening_balance"],
        }
        for row in result.sizes.to_pylist()
    ]


def _shown(age: int) -> bool:
    for until, every in _AGE_STEPS:
        if age <= until:
            return age % every == 0
    return age % _LATER_EVERY == 0


#: The ages a narrow terminal keeps longest, most telling first; other ages go sooner.
_KEY_AGES = (12, 6, 3, 1, 24, 36, 18, 9)


def _age_drops(ages: list[int], result: CohortResult) -> dict[int, int]:
    """How soon each age column goes when the terminal is narrow (0: never)."""
    ranked = sorted(ages, key=lambda a: (_KEY_AGES.index(a) if a in _KEY_AGES else 99, a))
    kept = set(ranked[:3])
    drops = {a: 0 if a in kept else i + 1 for i, a in enumerate(ranked)}
    if 0 in drops and result.relative_to == "first" and result.metric != "mrr":
        drops[0] = len(ages) + 1  # 100% by definition: the first to go
    return drops


def _compact_money(text: str | None) -> str:
    if text is None:
        return "-"
    value = Decimal(text)
    for limit, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10**3), "k")):
        if abs(value) >= limit:
            scaled = value / limit
            # Three significant digits keep the matrix narrow: 1.25M, 99.9k, 104k.
            return f"{scaled:.{2 if abs(scaled) < 10 else 1 if abs(scaled) < 100 else 0}f}{suffix}"
    return f"{value:.0f}"


def _cell(record: dict[str, Any], metric: str) -> str:
    value = record["value"]
    if metric == "mrr":
        text = _compact_money(value)
    else:
        text = "-" if value is None else f"{value * 100:.1f}"
    return text if record["complete"] else text + "*"


def render_cohorts(result: CohortResult, console: Console) -> None:
    """Print the cohort x age matrix of the chosen metric, with cohort sizes."""
    records = cohort_records(result)
    sizes = {r["cohort"]: r for r in cohort_size_records(result)}
    base = (
        "the first paying month"
        if result.relative_to == "first"
        else "month 1 (first-month drop-off ignored)"
    )
    unit = "" if result.metric == "mrr" else " (%)"
    title = (
        f"{_TITLES[result.metric]}{unit} by {result.grain} of acquisition and age in months, "
        f"relative to {base}"
    )
    if not records:
        console.print(Text(f"{title}\nno customer ever paid in {result.months}"))
        return
    ages = [a for a in sorted({r["age_months"] for r in records}) if _shown(a)]
    drops = _age_drops(ages, result)
    columns = [
        Column("cohort", "left"),
        Column("customers"),
        *(Column(f"m{age}", drop=drops[age]) for age in ages),
    ]
    by_cohort: dict[str, dict[int, dict[str, Any]]] = {}
    for record in records:
        by_cohort.setdefault(record["cohort"], {})[record["age_months"]] = record
    rows = []
    for cohort, size in sizes.items():
        row = by_cohort.get(cohort, {})
        label = cohort + ("+" if size["includes_opening_balance"] else "")
        cells = [_cell(row[a], result.metric) if a in row else "" for a in ages]
        rows.append([label, f"{size['customers']:,}", *cells])
    table = fit_table(console, title, columns, rows, box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1))
    notes = Text()
    notes.append(
        f"input {result.input.path}, months {result.months}; "
        "customers = members by first paying month",
        style="dim",
    )
    if result.relative_to == "month1":
        notes.append("; figures use only members still paying at month 1", style="dim")
    if any(s["includes_opening_balance"] for s in sizes.values()):
        notes.append(
            "\n+ also holds every customer already paying in the first month of the data",
            style="dim",
        )
    if any(not r["complete"] for r in records):
        notes.append(
            "\n* only the members that have reached this age yet (the rest started later)",
            style="dim",
        )
    console.print(Group(table, notes))


def cohorts_document(result: CohortResult) -> Document:
    """The ``cohorts`` output: header ``input, metric, grain, relative_to``; sections
    ``cohorts`` (one record per cohort and age) and ``cohort_sizes``."""

    def render(console: Console) -> None:
        render_cohorts(result, console)

    return Document(
        header={
            "input": result.input.to_dict(),
            "metric": result.metric,
            "grain": result.grain,
            "relative_to": result.relative_to,
        },
        sections=(
            Section("cohorts", COHORT_FIELDS, cohort_records(result)),
            Section("cohort_sizes", COHORT_SIZE_FIELDS, cohort_size_records(result)),
        ),
        render=render,
    )


def _html(r: CohortResult) -> str:
    rows = r.cohorts.to_pylist()
    ages = sorted({row["age_months"] for row in rows})
    cells = {(row["cohort_index"], row["age_months"]): row["value"] for row in rows}
    cohorts = sorted({row["cohort_index"] for row in rows})
    matrix = [[r.label(c), *(cells.get((c, a)) for a in ages)] for c in cohorts]
    return para(
        f"{r.metric} of each {r.grain} cohort by month since first payment "
        f"(relative to {r.relative_to})."
    ) + html_table(["cohort", *map(str, ages)], matrix)


@register(CohortResult)
class CohortsPresenter:
    """``CohortResult`` on every channel: terminal, JSON, CSV, notebook, ``plot()``."""

    def document(self, result: CohortResult, **options: Any) -> Document:
        return cohorts_document(result)

    def html(self, result: CohortResult) -> str:
        return _html(result)

    def chart(self, result: CohortResult, **options: Any) -> Chart:
        # Imported here: Plotly is loaded for a chart only, not for every command.
        from revenue_retention.outputs.cohorts.chart import cohort_heatmap

        return cohort_heatmap(result, **options)

    def sheets(self, result: CohortResult) -> Sequence[Sheet]:
        return ()
