"""Goals and thresholds from a small TOML file, each checked met or missed with its figures.

A goals file is a list of ``[[goal]]`` tables::

    [[goal]]
    metric = "grr"            # grr, nrr or logo_retention (METRICS.md §3, cohort method)
    window_months = 12        # default 12
    at_least = 0.90           # or "90%"; or at_most

    [[goal]]
    name = "no segment's GRR falls fast"
    metric = "grr"
    by = "segment"            # every group of this attribute must meet the goal
    max_drop_points = 5       # the rate may fall at most 5 percentage points ...
    over_months = 3           # ... between as-of - 3 months and as-of (default 3)

A level goal (``at_least`` / ``at_most``) compares the rate of the window ending at the
as-of month; a drop goal compares it with the same window ending ``over_months`` earlier.
A goal whose rate is null (an empty cohort; a group absent at one of the two months) is
``unknown``: reported, never counted as met or missed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from revenue_retention.analyses._result import Result
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.errors import InputError
from revenue_retention.metrics import retention
from revenue_retention.periods import month_label

__all__ = ["METRICS", "Goal", "GoalResult", "GoalsResult", "check_goals", "load_goals"]

METRICS = ("grr", "nrr", "logo_retention")
_KEYS = {
    "name",
    "metric",
    "window_months",
    "by",
    "at_least",
    "at_most",
    "max_drop_points",
    "over_months",
}
_NAMES = {"grr": "GRR", "nrr": "NRR", "logo_retention": "logo retention"}


@dataclass(frozen=True)
class Goal:
    """One goal as the file states it; exactly one of ``at_least``, ``at_most`` and
    ``max_drop_points`` is set (rates as fractions, the drop in percentage points)."""

    name: str
    metric: str
    window_months: int = 12
    by: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    max_drop_points: float | None = None
    over_months: int = 3
    #: Where the goal is in its file, for messages.
    line: int | None = None

    @property
    def kind(self) -> str:
        """``"at_least"``, ``"at_most"`` or ``"max_drop"``."""
        if self.at_least is not None:
            return "at_least"
        return "at_most" if self.at_most is not None else "max_drop"

    @property
    def threshold(self) -> float:
        """The number the goal compares with."""
        value = self.at_least if self.at_least is not None else self.at_most
        if value is None:
            value = self.max_drop_points
        assert value is not None
        return value


@dataclass(frozen=True)
class GoalResult:
    """A goal checked for the whole base (``group`` ``None``) or one group of ``goal.by``.

    ``status`` is ``"met"``, ``"missed"`` or ``"unknown"`` (a rate that is null).
    ``previous`` and ``change_points`` are set for drop goals.
    """

    goal: Goal
    group: str | None
    value: float | None
    previous: float | None
    change_points: float | None
    status: str
    message: str


@dataclass(frozen=True, repr=False)
class GoalsResult(Result):
    """Every goal of a file checked at ``as_of``."""

    input: InputReport
    path: str
    as_of: int
    results: tuple[GoalResult, ...]

    @property
    def missed(self) -> tuple[GoalResult, ...]:
        """The results that missed their goal."""
        return tuple(r for r in self.results if r.status == "missed")


def _line_of(text: str, index: int, key: str | None) -> int | None:
    """The line of the ``index``-th ``[[goal]]`` (or of ``key`` inside it), 1-based."""
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines) if re.match(r"\s*\[\[\s*goal\s*\]\]", line)]
    if index >= len(headers):
        return None
    start = headers[index]
    end = headers[index + 1] if index + 1 < len(headers) else len(lines)
    if key is not None:
        for i in range(start, end):
            if re.match(rf"\s*{re.escape(key)}\s*=", lines[i]):
                return i + 1
    return start + 1


def _rate(value: Any, fail: Any) -> float:
    """A rate from ``0.9`` or ``"90%"``."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(-?[0-9]+(?:\.[0-9]+)?)\s*%\s*", value)
        if match is None:
            fail(f'{value!r} is not a rate: write 0.9 or "90%"')
        return float(match.group(1)) / 100  # type: ignore[union-attr]
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(f'{value!r} is not a rate: write 0.9 or "90%"')
    if not 0 <= value <= 10:
        fail(f"{value!r} is not a rate: write 0.9 (90%), not 90")
    return float(value)


def _goal(entry: Any, index: int, text: str, where: str) -> Goal:
    def fail(reason: str, key: str | None = None) -> Any:
        line = _line_of(text, index, key)
        at = f"{where}, line {line}" if line is not None else where
        named = f", key {key!r}" if key is not None else ""
        raise InputError(f"{at} (goal {index + 1}{named}): {reason}")

    if not isinstance(entry, dict):
        fail("a goal must be a table: [[goal]]")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        fail(f"unknown key; the keys are {', '.join(sorted(_KEYS))}", unknown[0])
    metric = entry.get("metric")
    if metric not in METRICS:
        fail(f"{metric!r} is not one of {', '.join(METRICS)}", "metric")
    kinds = [k for k in ("at_least", "at_most", "max_drop_points") if k in entry]
    if len(kinds) != 1:
        fail("give exactly one of at_least, at_most, max_drop_points")
    window = entry.get("window_months", 12)
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 120:
        fail(f"{window!r} must be a whole number of months from 1 to 120", "window_months")
    over = entry.get("over_months", 3)
    if isinstance(over, bool) or not isinstance(over, int) or not 1 <= over <= 120:
        fail(f"{over!r} must be a whole number of months from 1 to 120", "over_months")
    if "over_months" in entry and kinds != ["max_drop_points"]:
        fail("over_months goes with max_drop_points", "over_months")
    by = entry.get("by")
    if by is not None and not isinstance(by, str):
        fail(f"{by!r} must be an attribute name", "by")
    kind = kinds[0]
    raw = entry[kind]
    if kind == "max_drop_points":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
            fail(f"{raw!r} must be a number of percentage points >= 0", kind)
        value = float(raw)
    else:
        value = _rate(raw, lambda reason: fail(reason, kind))
    name = entry.get("name")
    if name is not None and not isinstance(name, str):
        fail(f"{name!r} must be text", "name")
    return Goal(
        name=name or _default_name(metric, window, by, kind, value, over),
        metric=metric,
        window_months=window,
        by=by,
        line=_line_of(text, index, None),
        over_months=over,
        **{kind: value},
    )


def _default_name(
    metric: str, window: int, by: str | None, kind: str, value: float, over: int
) -> str:
    what = f"{window}-month {_NAMES[metric]}"
    if by is not None:
        what += f" of every {by}"
    if kind == "max_drop_points":
        return f"{what} falls at most {value:g} points in {over} months"
    sign = ">=" if kind == "at_least" else "<="
    return f"{what} {sign} {value * 100:g}%"


def load_goals(path: str | Path) -> tuple[Goal, ...]:
    """The goals of a TOML file (see the module docstring).

    Raises
    ------
    InputError
        A file that cannot be read, is not TOML, or holds a goal that is not valid: the
        message names the file, the line and the key.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "goals.toml"
    >>> _ = p.write_text('[[goal]]\\nmetric = "grr"\\nat_least = "90%"\\n')
    >>> load_goals(p)[0].name
    '12-month GRR >= 90%'
    """
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{where}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{where}: is not UTF-8 text") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{where}: not valid TOML ({error})") from None
    unknown = sorted(set(raw) - {"goal"})
    if unknown:
        line = next((i + 1 for i, t in enumerate(text.splitlines()) if unknown[0] in t), None)
        at = f"{where}, line {line}" if line is not None else where
        raise InputError(f"{at}: unknown key {unknown[0]!r}; goals are [[goal]] tables")
    entries = raw.get("goal", [])
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{where}: no goals; write at least one [[goal]] table")
    return tuple(_goal(entry, i, text, where) for i, entry in enumerate(entries))


def _rates(data: Dataset, as_of: int, goal: Goal) -> dict[tuple[int, str | None], float | None]:
    """The goal's rate per (as-of month, group) at the months it compares."""
    wanted = [as_of] if goal.kind != "max_drop" else [as_of, as_of - goal.over_months]
    rows = retention(
        data, data.months.capped(as_of), [goal.window_months], by=[goal.by] if goal.by else []
    )
    rows = rows.filter(rows.as_of_index.isin(wanted))
    found = data.con.to_pyarrow(rows).to_pylist()
    return {(r["as_of_index"], r[goal.by] if goal.by else None): r[goal.metric] for r in found}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _check(
    goal: Goal, group: str | None, rates: dict[tuple[int, str | None], float | None], as_of: int
) -> GoalResult:
    value = rates.get((as_of, group))
    who = f"{goal.by} {group}: " if goal.by is not None else ""
    label = f"{goal.window_months}-month {_NAMES[goal.metric]}"
    if goal.kind != "max_drop":
        if value is None:
            return GoalResult(
                goal, group, None, None, None, "unknown", f"{who}no {label} (empty cohort)"
            )
        met = value >= goal.threshold if goal.kind == "at_least" else value <= goal.threshold
        sign = ">=" if goal.kind == "at_least" else "<="
        message = f"{who}{label} {_pct(value)} (goal {sign} {_pct(goal.threshold)})"
        return GoalResult(goal, group, value, None, None, "met" if met else "missed", message)
    before_month = as_of - goal.over_months
    previous = rates.get((before_month, group))
    if value is None or previous is None:
        return GoalResult(
            goal,
            group,
            value,
            previous,
            None,
            "unknown",
            f"{who}no {label} at {month_label(before_month if previous is None else as_of)}",
        )
    change = (value - previous) * 100
    met = -change <= goal.threshold
    message = (
        f"{who}{label} {_pct(previous)} at {month_label(before_month)} -> {_pct(value)}: "
        f"{change:+.1f} points (goal: falls at most {goal.threshold:g})"
    )
    return GoalResult(goal, group, value, previous, change, "met" if met else "missed", message)


def check_goals(
    data: Dataset, goals: tuple[Goal, ...], *, as_of: int | None = None, path: str = ""
) -> GoalsResult:
    """Check every goal at ``as_of`` (default: the data's last month).

    Raises
    ------
    InputError
        A goal's ``by`` that is not an attribute of the data (naming the goal's line).
    """
    as_of = data.months.last if as_of is None else as_of
    results = []
    for goal in goals:
        if goal.by is not None and goal.by not in (*data.attributes, "size_band"):
            at = f"{path}, goal at line {goal.line}" if goal.line else (path or "goals")
            raise InputError(
                f"{at} (key 'by'): {goal.by!r} is not an attribute of the data; its "
                f"attributes: {', '.join(data.attributes) or 'none'} (or size_band)"
            )
        rates = _rates(data, as_of, goal)
        groups = sorted({g for m, g in rates if m == as_of}, key=str) if goal.by else [None]
        results += [_check(goal, group, rates, as_of) for group in groups]
    return GoalsResult(data.report, path, as_of, tuple(results))
