"""Run the real pipeline (CSV -> load -> metrics -> JSON contract) on generated rows."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from tests.oracle import Row, period_label

import revenue_retention as rr


def write_long_csv(rows: Iterable[Row], path: Path) -> Path:
    """Rows as a long-layout CSV (``customer_id,month,mrr``), in the given order."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "month", "mrr"])
        for customer_id, month, mrr in rows:
            writer.writerow([customer_id, period_label(month), f"{mrr:f}"])
    return path


def engine_metrics(rows: Sequence[Row], windows: Sequence[int] = (1, 3, 12)) -> dict[str, Any]:
    """The ``metrics`` JSON document of ``rows``, computed by the engine through a CSV file."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_long_csv(rows, Path(folder) / "mrr.csv")
        result = rr.compute_metrics(rr.load(path), window_months=windows)
    document: dict[str, Any] = json.loads(rr.to_json(result))
    return document


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records with money as Decimal and rates as exact fractions of the floats shown."""
    out = []
    for record in records:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key == "method":
                continue
            if isinstance(value, str) and key not in ("period", "as_of"):
                row[key] = Decimal(value)
            else:
                row[key] = value
        out.append(row)
    return out


def rates_match(engine: float | None, oracle: Fraction | None) -> bool:
    """A float rate equals the exact rate to 12 significant digits; null matches null.

    Rates are floats (money is not): a relative bound, since NRR can be far above 1.
    """
    if engine is None or oracle is None:
        return engine is None and oracle is None
    return abs(Fraction(engine) - oracle) <= Fraction(1, 10**12) * max(1, abs(oracle))
