"""The ``metrics`` JSON contract and its CSV forms, on datasets computed by hand (conftest.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from revenue_retention import MetricsResult, to_csv, to_json
from revenue_retention.outputs import write_csv_dir

BRIDGE_KEYS = [
    "period",
    "opening_mrr",
    "new",
    "reactivation",
    "expansion",
    "contraction",
    "churn",
    "closing_mrr",
]
RETENTION_KEYS = [
    "as_of",
    "window_months",
    "method",
    "customers",
    "retained_customers",
    "starting_mrr",
    "churn",
    "contraction",
    "expansion",
    "ending_mrr",
    "grr",
    "nrr",
    "logo_retention",
]
RATES = ("grr", "nrr", "logo_retention")

# Bridge of the five customers (docs/metrics.md §2); closing = opening + new + reactivation
# + expansion - contraction - churn.
FIVE_BRIDGE = [
    # 430 + 60 (E new) - 80 (D churn) = 410
    ["2024-02", "430.00", "60.00", "0.00", "0.00", "0.00", "80.00", "410.00"],
    # 410 + 20 (A 100 -> 120) - 50 (B 200 -> 150) - 50 (C churn) = 330
    ["2024-03", "410.00", "0.00", "0.00", "20.00", "50.00", "50.00", "330.00"],
    # 330 + 70 (D back, paid in Jan) + 30 (A 120 -> 150) = 430
    ["2024-04", "330.00", "0.00", "70.00", "30.00", "0.00", "0.00", "430.00"],
]

# Retention of the five customers (docs/metrics.md §3): one row per (as_of, window) with
# M - k >= 2024-01; the 12-month window has none with four months of data.
# columns: as_of, window, customers, retained, S, churn, contraction, expansion, E, GRR, NRR, logos
FIVE_RETENTION = [
    # cohort Jan {A 100, B 200, C 50, D 80}; Feb b = 100, 200, 50, 0 -> D churns 80
    # GRR = (430 - 80 - 0) / 430; NRR = 350 / 430; logos 3 / 4
    ["2024-02", 1, 4, 3, "430.00", "80.00", "0.00", "0.00", "350.00", 350 / 430, 350 / 430, 3 / 4],
    # cohort Feb {A 100, B 200, C 50, E 60}; Mar b = 120, 150, 0, 60
    # churn 50 (C), contraction 50 (B), expansion 20 (A); E = 410 - 50 - 50 + 20 = 330
    # GRR = (410 - 50 - 50) / 410 = 310 / 410; NRR = 330 / 410; logos 3 / 4
    ["2024-03", 1, 4, 3, "410.00", "50.00", "50.00", "20.00", "330.00", 310 / 410, 330 / 410, 0.75],
    # cohort Mar {A 120, B 150, E 60} (D paid nothing in Mar); Apr b = 150, 150, 60
    # expansion 30 (A); E = 330 + 30 = 360; GRR = 330 / 330; NRR = 360 / 330; logos 3 / 3
    ["2024-04", 1, 3, 3, "330.00", "0.00", "0.00", "30.00", "360.00", 1.0, 360 / 330, 1.0],
    # cohort Jan {A 100, B 200, C 50, D 80}; Apr b = 150, 150, 0, 70
    # churn 50 (C); contraction 50 (B) + 10 (D) = 60; expansion 50 (A)
    # E = 430 - 50 - 60 + 50 = 370; GRR = 320 / 430 (74.4%); NRR = 370 / 430 (86.0%); logos 3 / 4
    ["2024-04", 3, 4, 3, "430.00", "50.00", "60.00", "50.00", "370.00", 320 / 430, 370 / 430, 0.75],
]


def bridge_row(values: list[Any]) -> dict[str, Any]:
    return dict(zip(BRIDGE_KEYS, values, strict=True))


def retention_row(values: list[Any]) -> dict[str, Any]:
    as_of, window, customers, retained, *money, grr, nrr, logos = values
    return dict(
        zip(
            RETENTION_KEYS,
            [as_of, window, "cohort", customers, retained, *money, grr, nrr, logos],
            strict=True,
        )
    )


def approx_rates(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its rates compared approximately (they are the only floats)."""
    return row | {k: pytest.approx(row[k]) for k in RATES if row[k] is not None}


# --- to_json ---------------------------------------------------------------------------------


def test_json_top_level_keys(five_customers: MetricsResult) -> None:
    document = json.loads(to_json(five_customers))
    assert list(document) == ["input", "method", "windows", "bridge", "retention"]
    assert document["method"] == "cohort"
    assert document["windows"] == [1, 3, 12]


def test_json_input_report(five_customers: MetricsResult) -> None:
    report = json.loads(to_json(five_customers))["input"]
    assert report["rows_read"] == 15
    assert report["rows_accepted"] == 15
    assert report["rows_rejected"] == 0
    # A 470 + B 700 + C 100 + D 150 + E 180 = 1600
    assert report["money_read"] == "1600.00"
    assert report["money_accepted"] == "1600.00"
    assert report["money_rejected"] == "0.00"
    assert (report["first_month"], report["last_month"]) == ("2024-01", "2024-04")
    assert report["as_of"] is None


def test_json_bridge_rows(five_customers: MetricsResult) -> None:
    bridge = json.loads(to_json(five_customers))["bridge"]
    # one row per month after the first: Feb, Mar, Apr
    assert bridge == [bridge_row(values) for values in FIVE_BRIDGE]
    assert all(list(row) == BRIDGE_KEYS for row in bridge)


def test_json_retention_rows(five_customers: MetricsResult) -> None:
    retention = json.loads(to_json(five_customers))["retention"]
    assert all(list(row) == RETENTION_KEYS for row in retention)
    assert retention == [approx_rates(retention_row(values)) for values in FIVE_RETENTION]


def test_json_one_retention_row_per_month_and_window(five_customers: MetricsResult) -> None:
    retention = json.loads(to_json(five_customers))["retention"]
    keys = [(row["as_of"], row["window_months"]) for row in retention]
    # 1-month window: Feb, Mar, Apr; 3-month window: Apr only; 12-month window: none
    assert keys == [("2024-02", 1), ("2024-03", 1), ("2024-04", 1), ("2024-04", 3)]


def test_json_types_money_strings_rates_numbers(five_customers: MetricsResult) -> None:
    document = json.loads(to_json(five_customers))
    for row in document["bridge"]:
        assert all(isinstance(row[k], str) for k in BRIDGE_KEYS)
    for row in document["retention"]:
        for key in ("starting_mrr", "churn", "contraction", "expansion", "ending_mrr"):
            assert isinstance(row[key], str)
        for key in ("window_months", "customers", "retained_customers"):
            assert type(row[key]) is int
        for key in RATES:
            assert type(row[key]) is float


def test_json_exact_money_and_null_rates_for_an_empty_cohort(
    exact_and_empty: MetricsResult,
) -> None:
    document = json.loads(to_json(exact_and_empty))
    assert document["bridge"] == [
        # nobody pays in Jan (Z's row is 0): opening 0; X is new with 83.333333
        bridge_row(["2024-02", "0.00", "83.333333", "0.00", "0.00", "0.00", "0.00", "83.333333"]),
        # X: 100.100000 - 83.333333 = 16.766667 expansion; Y new 0.50
        # closing 83.333333 + 0.50 + 16.766667 = 100.60
        bridge_row(["2024-03", "83.333333", "0.50", "0.00", "16.766667", "0.00", "0.00", "100.60"]),
    ]
    february, march = document["retention"]
    # the cohort paying in Jan is empty: S = 0, so every rate is null, not 0 and not an error
    assert february == retention_row(
        ["2024-02", 1, 0, 0, "0.00", "0.00", "0.00", "0.00", "0.00", None, None, None]
    )
    # cohort {X}: a = 83.333333, b = 100.10; GRR = min(a, b) / a = 1; NRR = 100.10 / 83.333333
    assert march == approx_rates(
        retention_row(
            [
                "2024-03",
                1,
                1,
                1,
                "83.333333",
                "0.00",
                "0.00",
                "16.766667",
                "100.10",
                1.0,
                100.10 / 83.333333,  # = 1.2012000048...
                1.0,
            ]
        )
    )
    assert '"grr": null' in to_json(exact_and_empty)


# --- to_csv and write_csv_dir -----------------------------------------------------------------


def sections(text: str) -> dict[str, list[dict[str, str]]]:
    """Split ``# name`` sections (a blank line between them) and parse each as CSV."""
    found = {}
    for block in text.split("\n\n"):
        title, _, body = block.partition("\n")
        assert title.startswith("# "), block
        found[title[2:]] = list(csv.DictReader(io.StringIO(body)))
    return found


def test_csv_has_a_bridge_and_a_retention_section(five_customers: MetricsResult) -> None:
    text = to_csv(five_customers)
    lines = text.splitlines()
    assert lines[0] == "# bridge"
    assert lines[1] == ",".join(BRIDGE_KEYS)
    # three bridge rows, then a blank line, then the retention section
    assert lines[5] == ""
    assert lines[6] == "# retention"
    assert lines[7] == ",".join(RETENTION_KEYS)
    assert len(lines) == 8 + len(FIVE_RETENTION)
    assert text.endswith("\n")


def test_csv_values_match_the_json(five_customers: MetricsResult) -> None:
    parsed = sections(to_csv(five_customers))
    assert list(parsed) == ["bridge", "retention"]
    assert [list(row.values()) for row in parsed["bridge"]] == FIVE_BRIDGE
    retention = parsed["retention"]
    assert [row["as_of"] + "/" + row["window_months"] for row in retention] == [
        "2024-02/1",
        "2024-03/1",
        "2024-04/1",
        "2024-04/3",
    ]
    three_month = retention[3]
    assert three_month["method"] == "cohort"
    assert three_month["starting_mrr"] == "430.00"
    assert three_month["contraction"] == "60.00"
    assert three_month["ending_mrr"] == "370.00"
    assert float(three_month["grr"]) == pytest.approx(320 / 430)
    assert float(three_month["nrr"]) == pytest.approx(370 / 430)
    assert float(three_month["logo_retention"]) == 0.75


def test_csv_writes_null_rates_as_empty_cells(exact_and_empty: MetricsResult) -> None:
    february = sections(to_csv(exact_and_empty))["retention"][0]
    assert february["as_of"] == "2024-02"
    assert (february["grr"], february["nrr"], february["logo_retention"]) == ("", "", "")


def test_write_csv_dir_writes_one_file_per_section(
    five_customers: MetricsResult, tmp_path: Path
) -> None:
    folder = tmp_path / "not" / "yet" / "there"
    written = write_csv_dir(five_customers, folder)
    assert written == [folder / "bridge.csv", folder / "retention.csv"]
    assert sorted(p.name for p in folder.iterdir()) == ["bridge.csv", "retention.csv"]
    # each file is exactly its section of to_csv, without the "# name" line
    bridge_part, retention_part = to_csv(five_customers).split("\n\n")
    assert "# bridge\n" + (folder / "bridge.csv").read_text(encoding="utf-8") == bridge_part + "\n"
    assert "# retention\n" + (folder / "retention.csv").read_text(encoding="utf-8") == (
        retention_part
    )
    with (folder / "bridge.csv").open(newline="", encoding="utf-8") as handle:
        assert [list(row.values()) for row in csv.DictReader(handle)] == FIVE_BRIDGE
