"""Small hand-computed datasets for the output tests, written to ``tmp_path`` and loaded.

``five_customers`` is the worked example of docs/metrics.md §2-3 (METRICS.md §2-3):

| customer | Jan 2024 | Feb 2024 | Mar 2024 | Apr 2024 |
| -------- | -------: | -------: | -------: | -------: |
| A        |      100 |      100 |      120 |      150 |
| B        |      200 |      200 |      150 |      150 |
| C        |       50 |       50 |        0 |        0 |
| D        |       80 |        0 |        0 |       70 |
| E        |        0 |       60 |       60 |       60 |
| total    |      430 |      410 |      330 |      430 |

``exact_and_empty`` has an amount that needs six places and an empty cohort:

| customer | Jan 2024 | Feb 2024  | Mar 2024 |
| -------- | -------: | --------: | -------: |
| Z        | 0 (row)  |           |          |
| X        |          | 83.333333 |   100.10 |
| Y        |          |           |     0.50 |

Z's explicit 0 makes January the first month while nobody pays in it, so the 1-month
window as of February has an empty cohort (S = 0: null rates, METRICS.md §3).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from revenue_retention import MetricsResult, compute_metrics, load

FIVE_CUSTOMERS_CSV = """\
customer_id,month,mrr
A,2024-01,100
A,2024-02,100
A,2024-03,120
A,2024-04,150
B,2024-01,200
B,2024-02,200
B,2024-03,150
B,2024-04,150
C,2024-01,50
C,2024-02,50
D,2024-01,80
D,2024-04,70
E,2024-02,60
E,2024-03,60
E,2024-04,60
"""

EXACT_AND_EMPTY_CSV = """\
customer_id,month,mrr
Z,2024-01,0
X,2024-02,83.333333
X,2024-03,100.10
Y,2024-03,0.50
"""


@pytest.fixture
def five_customers_csv(tmp_path: Path) -> Path:
    path = tmp_path / "five_customers.csv"
    path.write_text(FIVE_CUSTOMERS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def five_customers(five_customers_csv: Path) -> MetricsResult:
    """Default windows 1, 3, 12 on the docs' worked example."""
    return compute_metrics(load(five_customers_csv))


@pytest.fixture
def exact_and_empty(tmp_path: Path) -> MetricsResult:
    path = tmp_path / "exact_and_empty.csv"
    path.write_text(EXACT_AND_EMPTY_CSV, encoding="utf-8")
    return compute_metrics(load(path), window_months=[1])
