"""The ``check`` document: each goal met or missed with its figures, and what moved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revenue_retention.outputs._charts import Chart
    from revenue_retention.outputs._workbook._model import Sheet

import re
from typing import Any

from rich.console import Console, Group
from rich.text import Text

from revenue_retention.analyses.goals import GoalsResult
from revenue_retention.money import display_money
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs._html import document_html
from revenue_retention.outputs.baseline import MOVED_FIELDS, RESTATED_FIELDS
from revenue_retention.outputs.registry import no_chart, register
from revenue_retention.periods import month_label

__all__ = ["EXIT_GOAL_MISSED", "GOAL_FIELDS", "check_document"]

#: The exit code of ``retention check`` when a goal is missed (1 is a data error, 2 a
#: usage error, 70 a bug).
EXIT_GOAL_MISSED = 3
GOAL_FIELDS = (
    "goal",
    "metric",
    "window_months",
    "by",
    "group",
    "kind",
    "threshold",
    "value",
    "previous",
    "change_points",
    "status",
    "message",
    "line",
)
_AMOUNT = re.compile(r"-?[0-9]+\.[0-9]+")
_MARK = {"met": ("met", "green"), "missed": ("MISSED", "bold red"), "unknown": ("?", "dim")}


def _goal_records(result: GoalsResult) -> list[dict[str, Any]]:
    return [
        {
            "goal": r.goal.name,
            "metric": r.goal.metric,
            "window_months": r.goal.window_months,
            "by": r.goal.by,
            "group": r.group,
            "kind": r.goal.kind,
            "threshold": r.goal.threshold,
            "value": r.value,
            "previous": r.previous,
            "change_points": r.change_points,
            "status": r.status,
            "message": r.message,
            "line": r.goal.line,
        }
        for r in result.results
    ]


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value * 100:.2f}%"
    if isinstance(value, str) and _AMOUNT.fullmatch(value):
        return display_money(value)
    return "-" if value is None else str(value)


def check_document(result: GoalsResult, baseline: dict[str, Any] | None = None) -> Document:
    """Header (counts, exit code), ``goals``; with a baseline ``moved`` and ``restated``."""
    counts = {s: sum(r.status == s for r in result.results) for s in ("met", "missed", "unknown")}
    exit_code = EXIT_GOAL_MISSED if counts["missed"] else 0
    header: dict[str, Any] = {
        "input": result.input.to_dict(),
        "as_of": month_label(result.as_of),
        "goals_file": result.path,
        "method": "cohort",
        **counts,
        "all_met": counts["missed"] == 0,
        "exit_code": exit_code,
    }
    sections = [Section("goals", GOAL_FIELDS, _goal_records(result))]
    if baseline is not None:
        header["baseline"] = {
            "file": baseline["file"],
            "restated_months": baseline["restated_months"],
            "new_months": baseline["new_months"],
        }
        sections += [
            Section("moved", MOVED_FIELDS, baseline["moved"]),
            Section("restated", RESTATED_FIELDS, baseline["restated"]),
        ]

    def render(console: Console) -> None:
        lines = Text()
        lines.append(f"Goals of {result.path} at {month_label(result.as_of)}\n", style="bold")
        for r in result.results:
            mark, style = _MARK[r.status]
            lines.append(f"[{mark:>6}] ", style=style)
            lines.append(f"{r.goal.name}: ", style="bold")
            lines.append(f"{r.message}\n")
        verdict = (
            f"{counts['met']} met, {counts['missed']} missed, {counts['unknown']} unknown: "
            + ("all goals met (exit 0)" if not counts["missed"] else f"exit {exit_code}")
        )
        lines.append(verdict, style="bold red" if counts["missed"] else "bold green")
        parts: list[Any] = [lines]
        if baseline is not None:
            moved = Text(f"\nSince {baseline['file']}\n", style="bold")
            for m in baseline["moved"]:
                window = f" {m['window_months']}-month" if m["window_months"] else ""
                moved.append(
                    f"  {m['figure']}{window}: {_show(m['before'])} ({m['before_as_of']}) -> "
                    f"{_show(m['after'])} ({m['after_as_of']})\n"
                )
            restated = baseline["restated_months"]
            if restated:
                moved.append(
                    f"  RESTATED: {len(baseline['restated'])} figures of "
                    f"{len(restated)} past months changed: {', '.join(restated[:12])}"
                    + (" ..." if len(restated) > 12 else "")
                    + "\n",
                    style="bold yellow",
                )
                for r in baseline["restated"][:10]:
                    window = f" {r['window_months']}-month" if r["window_months"] else ""
                    group = f" ({r['group']})" if r["group"] else ""
                    moved.append(
                        f"    {r['section']} {r['period']}{window}{group} {r['field']}: "
                        f"{_show(r['before'])} -> {_show(r['after'])}\n"
                    )
            else:
                moved.append("  no past month restated\n")
            if baseline["new_months"]:
                moved.append(f"  new months: {', '.join(baseline['new_months'])}\n")
            parts.append(moved)
        console.print(Group(*parts))

    return Document(header=header, sections=tuple(sections), render=render)


@register(GoalsResult)
class GoalsResultPresenter:
    """``GoalsResult`` on every channel: terminal, JSON, CSV and notebook tables; no chart."""

    def document(self, result: GoalsResult, **options: Any) -> Document:
        return check_document(result)

    def html(self, result: GoalsResult) -> str:
        return document_html(check_document(result))

    def chart(self, result: GoalsResult, **options: Any) -> Chart:
        return no_chart(result)

    def sheets(self, result: GoalsResult) -> Sequence[Sheet]:
        return ()
