"""``retention methods`` and ``retention metrics --method`` on the five-customer example.

The data (``conftest.py``), MRR per month 2024-01 .. 2024-04:
A 100 100 120 150 | B 200 200 150 150 | C 50 50 0 0 | D 80 0 0 70 | E 0 60 60 60.

Window of 3 months ending 2024-04 (start 2024-01):
- cohort: A, B, C, D paying at 2024-01, S = 430; at 2024-04 A 150, B 150, C 0, D 70:
  churn 50 (C), contraction 50 (B) + 10 (D), expansion 50 (A).
  GRR = (430 - 110) / 430 = 320/430; NRR = 370/430.
- movement: bridge 2024-02 D churn 80 (E new 60); 2024-03 A +20, B -50, C churn 50;
  2024-04 A +30 (D reactivation 70, not credited). Churn 130, contraction 50, expansion 50:
  GRR = (430 - 180) / 430 = 250/430; NRR = 300/430 = (closing 430 - new 60 - react. 70) / 430.
- compounded: monthly GRR at 2024-04 = (120 + 150 + 60) / 330 = 1, so 1 ** 3 = 1;
  monthly NRR = 360 / 330 = 12/11, cubed.
- compounded_chain: monthly GRRs 350/430 (02), 310/410 (03), 1 (04): product 108500/176300.
- trailing and averaged need 2 * 3 = 6 months; there are 4.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke

CLOSE = 1e-12


def methods_json(invoke: Invoke, path: Path, *args: str) -> dict:
    result = invoke("methods", path, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_methods_side_by_side(invoke: Invoke, five_customers_csv: Path) -> None:
    document = methods_json(invoke, five_customers_csv, "--window", "3")
    assert (document["as_of"], document["window_months"]) == ("2024-04", 3)
    by = {row["method"]: row for row in document["methods"]}
    assert list(by) == [
        "cohort",
        "movement",
        "compounded",
        "compounded_chain",
        "trailing",
        "averaged",
    ]
    assert abs(by["cohort"]["grr"] - 320 / 430) < CLOSE
    assert abs(by["cohort"]["nrr"] - 370 / 430) < CLOSE
    movement = by["movement"]
    assert (movement["starting_mrr"], movement["churn"], movement["contraction"]) == (
        "430.00",
        "130.00",
        "50.00",
    )
    assert abs(movement["grr"] - 250 / 430) < CLOSE and abs(movement["nrr"] - 300 / 430) < CLOSE
    assert abs(movement["grr_vs_cohort"] - (250 - 320) / 430) < CLOSE
    # 180 - 110 = 70 more losses than the cohort method, stated in the why-line.
    assert "70.00 more churn and contraction" in movement["why"]
    assert abs(by["compounded"]["grr"] - 1) < CLOSE
    assert abs(by["compounded"]["nrr"] - (12 / 11) ** 3) < CLOSE
    assert by["compounded"]["starting_mrr"] is None
    assert abs(by["compounded_chain"]["grr"] - 108500 / 176300) < CLOSE
    for name in ("trailing", "averaged"):
        assert by[name]["grr"] is None and by[name]["months_needed"] == 6
        assert "needs 6 months of data up to 2024-04; there are 4" in by[name]["why"]
    assert all(row["why"] and row["label"] for row in document["methods"])


def test_all_methods_agree_on_a_one_month_window(invoke: Invoke, five_customers_csv: Path) -> None:
    # 2024-04 against 2024-03: A 120 -> 150, B 150, E 60: GRR 1, NRR 360/330 for every method.
    document = methods_json(invoke, five_customers_csv, "--window", "1")
    for row in document["methods"]:
        assert abs(row["grr"] - 1) < CLOSE and abs(row["nrr"] - 360 / 330) < CLOSE, row


def test_methods_as_of_and_formats(
    invoke: Invoke, five_customers_csv: Path, tmp_path: Path
) -> None:
    # As of 2024-03, window 2 (start 2024-01): cohort GRR = (100 + 150 + 0 + 0) / 430.
    document = methods_json(invoke, five_customers_csv, "--as-of", "2024-03", "--window", "2")
    assert document["as_of"] == "2024-03" and document["months_of_data"] == 3
    assert abs(document["methods"][0]["grr"] - 250 / 430) < CLOSE
    table = invoke("methods", five_customers_csv, "--window", "3")
    assert table.exit_code == 0, table.output
    assert "by method" in table.stdout and "compounded_chain" in table.stdout
    assert "needs 6 months" in table.stdout
    folder = tmp_path / "out"
    csv = invoke("methods", five_customers_csv, "-k", "2", "-f", "csv", "-o", folder)
    assert csv.exit_code == 0, csv.output
    lines = (folder / "methods.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("method,label,as_of,window_months,months_needed")
    assert len(lines) == 1 + 6


def test_methods_bad_window(invoke: Invoke, five_customers_csv: Path) -> None:
    too_long = invoke("methods", five_customers_csv, "--window", "3", "--as-of", "2024-03")
    assert too_long.exit_code == 1
    assert "--window" in too_long.stderr and "before the data's first month" in too_long.stderr
    assert "the earliest is 2024-04" in too_long.stderr
    longer_than_data = invoke("methods", five_customers_csv, "--window", "4")
    assert longer_than_data.exit_code == 1
    assert "the data has 4 months" in longer_than_data.stderr
    zero = invoke("methods", five_customers_csv, "--window", "0")
    assert zero.exit_code == 1 and "--window" in zero.stderr


def test_metrics_method_labels_every_row(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("metrics", five_customers_csv, "-f", "json", "-w", "3", "--method", "movement")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["method"] == "movement"
    [row] = document["retention"]
    assert row["method"] == "movement" and row["as_of"] == "2024-04"
    assert abs(row["grr"] - 250 / 430) < CLOSE
    assert row["logo_retention"] is None and row["retained_customers"] is None
    # The bridge does not depend on the method.
    cohort = json.loads(invoke("metrics", five_customers_csv, "-f", "json", "-w", "3").stdout)
    assert document["bridge"] == cohort["bridge"]


def test_metrics_default_is_the_cohort_method(invoke: Invoke, five_customers_csv: Path) -> None:
    default = invoke("metrics", five_customers_csv, "-f", "json")
    explicit = invoke("metrics", five_customers_csv, "-f", "json", "--method", "cohort")
    assert default.exit_code == 0 and default.stdout == explicit.stdout
    assert {row["method"] for row in json.loads(default.stdout)["retention"]} == {"cohort"}
    table = invoke("metrics", five_customers_csv)
    assert table.stdout == invoke("metrics", five_customers_csv, "--method", "cohort").stdout


def test_metrics_other_methods_in_csv_and_table(invoke: Invoke, five_customers_csv: Path) -> None:
    csv = invoke("metrics", five_customers_csv, "-f", "csv", "-w", "1", "--method", "compounded")
    assert csv.exit_code == 0, csv.output
    retention = csv.stdout.split("# retention\n")[1].splitlines()
    assert all(line.split(",")[2] == "compounded" for line in retention[1:])
    table = invoke("metrics", five_customers_csv, "--method", "trailing", "-w", "1,3")
    assert table.exit_code == 0, table.output
    assert "trailing revenue" in table.stdout and "not enough months of data" in table.stdout


def test_metrics_unknown_method_is_a_usage_error(invoke: Invoke, five_customers_csv: Path) -> None:
    result = invoke("metrics", five_customers_csv, "--method", "movment")
    assert result.exit_code == 2
    assert "--method" in result.stderr
