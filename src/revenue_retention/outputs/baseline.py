"""What moved since an earlier ``metrics`` JSON, and which past months were restated.

Both sides are ``metrics`` documents (the earlier one read from a file, the current one
built by the same code). Rows are matched by their key (the bridge by ``period``;
retention by ``as_of``, ``window_months``, ``method``): a month in both whose figures
differ is a **restatement** (the input changed under a month already reported); a month
only in the current run is new; one only in the earlier run is gone, also a restatement.
What moved is each window's latest rates and the closing MRR, earlier run against this one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from revenue_retention.errors import InputError

__all__ = ["MOVED_FIELDS", "RESTATED_FIELDS", "compare", "read_baseline"]

MOVED_FIELDS = (
    "figure",
    "window_months",
    "before_as_of",
    "before",
    "after_as_of",
    "after",
    "change",
)
RESTATED_FIELDS = ("section", "period", "window_months", "group", "field", "before", "after")
_RATES = ("grr", "nrr", "logo_retention")
#: Rates are floats from exact sums: equal inputs give equal floats; this only absorbs the
#: last bit of a different summation order between engines.
_RATE_TOLERANCE = 1e-12


def read_baseline(path: str | Path) -> dict[str, Any]:
    """An earlier ``retention metrics --format json`` output.

    Raises
    ------
    InputError
        A file that cannot be read, is not JSON, or is not a ``metrics`` document.
    """
    where = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{where}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{where}: not JSON ({error})") from None
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("bridge"), list)
        or not isinstance(document.get("retention"), list)
        or not isinstance(document.get("windows"), list)
    ):
        raise InputError(
            f"{where}: not the JSON of 'retention metrics' (it needs windows, bridge and "
            "retention); write one with: retention metrics FILE --format json -o FILE"
        )
    return document


def _key(section: str, row: dict[str, Any], by: tuple[str, ...]) -> tuple[Any, ...]:
    """A row's identity: its month (and window, method), and its group under ``--by``."""
    group = tuple(row.get(name) for name in ("scope", *by))
    if section == "bridge":
        return (row.get("period"), None, *group)
    return (row.get("as_of"), row.get("window_months"), row.get("method"), *group)


def _differs(name: str, before: Any, after: Any) -> bool:
    if name in _RATES and isinstance(before, float | int) and isinstance(after, float | int):
        return abs(before - after) > _RATE_TOLERANCE
    return bool(before != after)


def _restated(
    section: str, before: list[Any], after: list[Any], by: tuple[str, ...]
) -> list[dict[str, Any]]:
    old = {_key(section, r, by): r for r in before if isinstance(r, dict)}
    new = {_key(section, r, by): r for r in after}
    found = []
    for key, row in new.items():
        was = old.get(key)
        if was is None:
            continue
        for name, value in row.items():
            if name in was and _differs(name, was[name], value):
                found.append(_record(section, key, row, by, name, was[name], value))
    for key in sorted(old.keys() - new.keys(), key=str):
        found.append(_record(section, key, old[key], by, "row", "present", "absent"))
    return found


def _record(
    section: str,
    key: tuple[Any, ...],
    row: dict[str, Any],
    by: tuple[str, ...],
    name: str,
    before: Any,
    after: Any,
) -> dict[str, Any]:
    group = ", ".join(f"{b}={row[b]}" for b in by if row.get(b) is not None) or None
    return {
        "section": section,
        "period": key[0],
        "window_months": key[1],
        "group": group,
        "field": name,
        "before": before,
        "after": after,
    }


def _latest(rows: list[Any], window: int) -> dict[str, Any] | None:
    mine = [
        r
        for r in rows
        if isinstance(r, dict)
        and r.get("window_months") == window
        and r.get("scope", "total") == "total"
    ]
    return max(mine, key=lambda r: str(r.get("as_of")), default=None)


def _moved(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    moved = []
    for window in after["windows"]:
        old, new = _latest(before["retention"], window), _latest(after["retention"], window)
        if old is None or new is None:
            continue
        for name in _RATES:
            was, now = old.get(name), new.get(name)
            change = (
                now - was if isinstance(was, float | int) and isinstance(now, float | int) else None
            )
            moved.append(
                {
                    "figure": name,
                    "window_months": window,
                    "before_as_of": old.get("as_of"),
                    "before": was,
                    "after_as_of": new.get("as_of"),
                    "after": now,
                    "change": change,
                }
            )
    old_bridge = [
        r for r in before["bridge"] if isinstance(r, dict) and r.get("scope", "total") == "total"
    ]
    new_bridge = [r for r in after["bridge"] if r.get("scope", "total") == "total"]
    if old_bridge and new_bridge:
        was_row = max(old_bridge, key=lambda r: str(r.get("period")))
        now_row = max(new_bridge, key=lambda r: str(r.get("period")))
        moved.append(
            {
                "figure": "closing_mrr",
                "window_months": None,
                "before_as_of": was_row.get("period"),
                "before": was_row.get("closing_mrr"),
                "after_as_of": now_row["period"],
                "after": now_row["closing_mrr"],
                "change": None,
            }
        )
    return moved


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What moved and what was restated between two ``metrics`` documents.

    Returns
    -------
    dict
        ``moved`` (records of ``MOVED_FIELDS``), ``restated`` (``RESTATED_FIELDS``; a whole
        row gone has ``field`` "row"), ``restated_months`` (sorted), ``new_months``.

    Examples
    --------
    >>> old = {"windows": [1], "bridge": [{"period": "2024-02", "closing_mrr": "10.00"}],
    ...        "retention": [{"as_of": "2024-02", "window_months": 1, "method": "cohort",
    ...                       "grr": 0.5, "nrr": 0.5, "logo_retention": 0.5}]}
    >>> new = {"windows": [1], "bridge": [{"period": "2024-02", "closing_mrr": "12.00"},
    ...                                   {"period": "2024-03", "closing_mrr": "12.00"}],
    ...        "retention": old["retention"]}
    >>> found = compare(old, new)
    >>> found["restated_months"], found["new_months"]
    (['2024-02'], ['2024-03'])
    """
    by = tuple(str(b) for b in before.get("by") or ())
    restated = _restated("bridge", before["bridge"], after["bridge"], by) + _restated(
        "retention", before["retention"], after["retention"], by
    )
    old_months = {r.get("period") for r in before["bridge"] if isinstance(r, dict)}
    new_months = sorted(str(r["period"]) for r in after["bridge"] if r["period"] not in old_months)
    return {
        "moved": _moved(before, after),
        "restated": restated,
        "restated_months": sorted({str(r["period"]) for r in restated}),
        "new_months": new_months,
    }
