"""Golden cases: figures computed by hand, compared with the tool's output (METRICS.md §2-6, §8).

Every folder next to this file is one case: ``input.csv`` (long layout), ``expected.json``
(the hand-computed rows, schema in ``README.md`` here) and ``README.md`` (the arithmetic).
A case without a ``command`` runs ``load -> compute_metrics -> to_json`` with the windows its
``expected.json`` names; a case with one runs ``retention COMMAND input.csv -f json OPTIONS``
(§4 methods, §5 concentration, §6 decompose) and compares the sections it lists. Either way
every field listed is checked. The expected files are checked on their own too:
their shape, and the identities of §2 and §3 wherever a row is complete, so a slip in the
hand arithmetic shows up as a failure of the file, not of the code.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import revenue_retention as rr
from revenue_retention.cli import app

GOLDEN = Path(__file__).parent
FILES = ("input.csv", "expected.json", "README.md")
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))

#: Cases that fail because of a known bug in ``src``, with the bug: they stay, strictly xfailed.
KNOWN_BUGS: dict[str, str] = {}

RATE_TOLERANCE = 1e-12
MONEY_TEXT = re.compile(r"-?\d+\.\d{2}")
NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?")
MONTH_TEXT = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

#: Fields that identify a row, per table of the JSON document.
KEYS = {"retention": ("as_of", "window_months"), "bridge": ("period",)}
MONEY = {
    "retention": ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr"),
    "bridge": (
        "opening_mrr",
        "new",
        "reactivation",
        "expansion",
        "contraction",
        "churn",
        "closing_mrr",
    ),
}
RATES = {"retention": ("grr", "nrr", "logo_retention"), "bridge": ()}
COUNTS = {"retention": ("customers", "retained_customers"), "bridge": ()}
OTHER = {"retention": ("method",), "bridge": ()}
TOP_LEVEL = {"description", "windows", "retention", "bridge"}
COMMAND_TOP_LEVEL = {"description", "command", "options", "sections"}
#: Fields that identify a row of the other commands' sections (none: a one-row section).
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    **KEYS,
    "summary": (),
    "shares": ("top",),
    "nrr_without_top_expanders": ("top",),
    "top_customers": ("rank",),
    "top_expanders": ("rank",),
    "totals": (),
    "items": ("customer_id", "product"),
    "customers": ("customer_id",),
    "products": ("product",),
}


def expected_of(case: str) -> dict[str, Any]:
    return json.loads((GOLDEN / case / "expected.json").read_text(encoding="utf-8"))


def key_of(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in KEYS[table])


def same(table: str, name: str, want: Any, got: Any) -> bool:
    """Money as exact decimals (the output must be a string), rates within tolerance."""
    if name in MONEY[table]:
        return isinstance(got, str) and Decimal(got) == Decimal(want)
    if name in RATES[table]:
        if want is None or got is None:
            return want is None and got is None
        return isinstance(got, float) and abs(got - want) <= RATE_TOLERANCE
    return bool(type(got) is type(want) and got == want)


def mismatches(
    table: str, expected: list[dict[str, Any]], actual: list[dict[str, Any]]
) -> list[str]:
    """Every expected field that differs from the output, as readable lines."""
    by_key = {key_of(table, row): row for row in actual}
    problems = []
    for row in expected:
        key = key_of(table, row)
        got = by_key.get(key)
        if got is None:
            problems.append(f"{table} {key}: no such row in the output")
            continue
        for name, want in row.items():
            if name not in KEYS[table] and not same(table, name, want, got.get(name)):
                problems.append(f"{table} {key} {name}: expected {want!r}, got {got.get(name)!r}")
    return problems


def test_cases_found() -> None:
    assert len(CASES) >= 14, CASES
    assert set(KNOWN_BUGS) <= set(CASES), set(KNOWN_BUGS) - set(CASES)
    assert all(reason.startswith("BUG: ") for reason in KNOWN_BUGS.values())


@pytest.mark.parametrize("case", CASES)
def test_case_folder_complete(case: str) -> None:
    present = {p.name for p in (GOLDEN / case).iterdir()}
    assert set(FILES) <= present, f"{case} lacks {set(FILES) - present}"


def command_cases() -> list[str]:
    return [case for case in CASES if "command" in expected_of(case)]


@pytest.mark.parametrize("case", CASES)
def test_expected_is_well_formed(case: str) -> None:
    expected = expected_of(case)
    if "command" in expected:
        assert set(expected) <= COMMAND_TOP_LEVEL, set(expected) - COMMAND_TOP_LEVEL
        assert isinstance(expected["command"], str) and expected["description"]
        assert all(isinstance(o, str) for o in expected.get("options", [])), expected
        assert expected["sections"], "nothing to check"
        for name, rows in expected["sections"].items():
            assert name in SECTION_KEYS, f"no key fields known for section {name!r}"
            keys = [tuple(row[k] for k in SECTION_KEYS[name]) for row in rows]
            assert len(set(keys)) == len(keys), f"{name}: duplicate rows {keys}"
        return
    assert set(expected) <= TOP_LEVEL, set(expected) - TOP_LEVEL
    windows = expected["windows"]
    assert windows, "windows must not be empty"
    assert all(type(k) is int and k > 0 for k in windows), windows
    assert expected.get("retention") or expected.get("bridge"), "nothing to check"
    for table in ("retention", "bridge"):
        rows = expected.get(table, [])
        keys = [key_of(table, row) for row in rows]
        assert len(set(keys)) == len(keys), f"{table}: duplicate rows {keys}"
        allowed = set(KEYS[table] + MONEY[table] + RATES[table] + COUNTS[table] + OTHER[table])
        for row in rows:
            assert set(row) <= allowed, f"{table} {row}: unknown fields {set(row) - allowed}"
            month = row["as_of" if table == "retention" else "period"]
            assert MONTH_TEXT.fullmatch(month), month
            if table == "retention":
                assert row["window_months"] in windows, row
            for name in MONEY[table]:
                if name in row:
                    assert isinstance(row[name], str), (name, row[name])
                    assert MONEY_TEXT.fullmatch(row[name]), (name, row[name])
            for name in RATES[table]:
                if row.get(name) is not None:
                    assert isinstance(row[name], float), (name, row[name])
            for name in COUNTS[table]:
                if name in row:
                    assert type(row[name]) is int and row[name] >= 0, (name, row[name])


def close(rate: float | None, numerator: Fraction, denominator: Fraction) -> bool:
    if denominator == 0:
        return rate is None
    return rate is not None and abs(rate - float(numerator / denominator)) <= RATE_TOLERANCE


@pytest.mark.parametrize("case", CASES)
def test_expected_is_consistent(case: str) -> None:
    """The hand-computed rows obey §2 and §3 wherever they give every term."""
    expected = expected_of(case)
    if expected.get("command", "metrics") == "metrics" and "sections" in expected:
        expected = expected["sections"]
    for row in expected.get("bridge", []):
        m = {name: Fraction(row[name]) for name in MONEY["bridge"] if name in row}
        if len(m) == len(MONEY["bridge"]):
            closing = (
                m["opening_mrr"]
                + m["new"]
                + m["reactivation"]
                + m["expansion"]
                - m["contraction"]
                - m["churn"]
            )
            assert closing == m["closing_mrr"], row
    for row in expected.get("retention", []):
        m = {name: Fraction(row[name]) for name in MONEY["retention"] if row.get(name) is not None}
        if len(m) < len(MONEY["retention"]):
            continue
        s, kept = m["starting_mrr"], m["starting_mrr"] - m["churn"] - m["contraction"]
        assert kept + m["expansion"] == m["ending_mrr"], row
        assert close(row["grr"], kept, s), row
        assert close(row["nrr"], m["ending_mrr"], s), row
        if row["grr"] is not None:
            assert row["grr"] <= 1.0
            assert row["grr"] <= row["nrr"]
        if "retained_customers" in row:
            retained = Fraction(row["retained_customers"])
            assert retained <= row["customers"], row
            assert close(row["logo_retention"], retained, Fraction(row["customers"])), row


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case])]
            if case in KNOWN_BUGS
            else [],
        )
        for case in CASES
        if "command" not in expected_of(case)
    ],
)
def test_golden(case: str) -> None:
    expected = expected_of(case)
    data = rr.load(GOLDEN / case / "input.csv")
    result = rr.compute_metrics(data, window_months=expected["windows"])
    document = json.loads(rr.to_json(result))
    problems = []
    for table in ("retention", "bridge"):
        problems += mismatches(table, expected.get(table, []), document[table])
    assert not problems, "\n".join(problems)


def same_value(want: Any, got: Any) -> bool:
    """Decimal strings (money, quantities) exactly, floats within tolerance, the rest equal."""
    if isinstance(want, str) and NUMBER_TEXT.fullmatch(want):
        return isinstance(got, str) and Decimal(got) == Decimal(want)
    if isinstance(want, float):
        return isinstance(got, float) and abs(got - want) <= RATE_TOLERANCE * max(1, abs(want))
    return bool(type(got) is type(want) and got == want)


@pytest.mark.parametrize("case", command_cases())
def test_golden_command(case: str) -> None:
    expected = expected_of(case)
    argv = [expected["command"], str(GOLDEN / case / "input.csv"), "-f", "json"]
    ran = CliRunner().invoke(app, argv + expected.get("options", []), prog_name="retention")
    assert ran.exit_code == 0, ran.output
    document = json.loads(ran.stdout)
    problems = []
    for name, rows in expected["sections"].items():
        keys = SECTION_KEYS[name]
        by_key = {tuple(row[k] for k in keys): row for row in document[name]}
        for row in rows:
            key = tuple(row[k] for k in keys)
            got = by_key.get(key)
            if got is None:
                problems.append(f"{name} {key}: no such row in the output")
                continue
            for field, want in row.items():
                if not same_value(want, got.get(field)):
                    problems.append(
                        f"{name} {key} {field}: expected {want!r}, got {got.get(field)!r}"
                    )
    assert not problems, "\n".join(problems)
