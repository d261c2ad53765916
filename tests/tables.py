"""Generated rows as an in-memory canonical Dataset: properties pay for the metrics, not a CSV.

The loader's own properties (tests/canonical, tests/inputs, tests/hostile) keep writing files;
everywhere else a property's rows go straight into the engine through ``from_canonical``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

import pyarrow as pa
from ibis.backends import BaseBackend
from tests.oracle import Row

import revenue_retention as rr
from revenue_retention.canonical.memory import from_canonical
from revenue_retention.money import MONEY_SCALE

#: Wide enough for any amount the strategies draw; the engine casts to its money type.
_MRR = pa.decimal128(38, MONEY_SCALE)


@cache
def _session() -> BaseBackend:
    """One DuckDB connection for the whole run (a new one per example costs ~50 ms)."""
    return rr.connect("duckdb")


def dataset_of(
    rows: Iterable[Row],
    *,
    attributes: dict[str, Sequence[str]] | None = None,
    line_items: dict[str, Sequence[Any]] | None = None,
) -> rr.Dataset:
    """The Dataset of ``(customer_id, month, mrr)`` rows, in the given order.

    ``attributes`` maps an attribute name to one value per row; ``line_items`` adds the
    ``product``, ``quantity`` and ``unit_price`` columns (one value per row) for ``decompose``.
    """
    listed = list(rows)
    columns: dict[str, Any] = {
        "customer_id": pa.array([r[0] for r in listed], pa.string()),
        "month": pa.array([r[1] for r in listed], pa.date32()),
        "mrr": pa.array([r[2] for r in listed], _MRR),
    }
    for name, values in (attributes or {}).items():
        columns[name] = pa.array(list(values), pa.string())
    table = pa.table(columns)
    lines = None
    if line_items is not None:
        lines = table.select(["customer_id", "month", "mrr"])
        lines = lines.append_column("product", pa.array(list(line_items["product"]), pa.string()))
        for name in ("quantity", "unit_price"):
            values = [Decimal(v) for v in line_items[name]]
            lines = lines.append_column(name, pa.array(values, _MRR))
    return from_canonical(
        table, con=_session(), attributes=tuple(attributes or ()), line_items=lines
    )


def metrics_of(rows: Sequence[Row], windows: Sequence[int] = (1, 3, 12)) -> dict[str, Any]:
    """The ``metrics`` JSON document of ``rows``, computed by the engine from memory."""
    document: dict[str, Any] = json.loads(
        rr.to_json(rr.compute_metrics(dataset_of(rows), window_months=windows))
    )
    return document
