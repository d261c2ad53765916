"""Long customer-month Parquet inputs of any size, generated with NumPy (no Python row loop).

Each customer starts in a random month and then, month by month, keeps paying with a
small chance of churning; a churned customer may come back. Amounts move by small steps
(expansion, contraction), in cents, written as DECIMAL(12, 2). Deterministic per seed.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MONTHS = 36
FIRST_YEAR = 2023


def customers_for(rows: int, months: int = MONTHS) -> int:
    """Customers that give about ``rows`` paying customer-months (about 55% of the grid)."""
    return max(1, round(rows / (months * 0.55)))


def generate(customers: int, months: int = MONTHS, seed: int = 7) -> pa.Table:
    """``customer_id, month, mrr``: one row per paying customer-month, in customer order.

    Never builds Python objects per row; the customer x month grid exists only as NumPy
    arrays of one chunk of customers at a time.
    """
    rng = np.random.default_rng(seed)
    chunks = []
    chunk = 200_000
    for low in range(0, customers, chunk):
        n = min(chunk, customers - low)
        start = rng.integers(-12, months, n)  # negative: already paying in the first month
        month = np.arange(months)[None, :]
        churn = rng.random((n, months)) < 0.03
        back = rng.random((n, months)) < 0.15
        # Paying state walks: stop at churn, resume at a comeback after at least a month.
        paying = np.zeros((n, months), dtype=bool)
        state = start <= 0
        for m in range(months):  # a loop over 36 months, vectorised over customers
            state = np.where(start == m, True, state)
            state = np.where(state & churn[:, m], False, np.where(~state & back[:, m], True, state))
            state &= month[0, m] >= start
            paying[:, m] = state
        base = rng.lognormal(5.5, 1.0, n).round(2)
        steps = rng.choice([-0.1, 0.0, 0.0, 0.0, 0.05, 0.2], size=(n, months))
        level = np.clip(np.cumprod(1 + steps, axis=1) * base[:, None], 1, 1e7)
        cents = np.round(level * 100).astype(np.int64)
        who, when = np.nonzero(paying)
        ids = np.char.add("C", (who + low).astype(str))
        year = FIRST_YEAR + when // 12
        dates = (year - 1970) * 12 + when % 12
        chunks.append(
            pa.table(
                {
                    "customer_id": pa.array(ids, pa.string()),
                    "month": pa.array(dates.astype("datetime64[M]").astype("datetime64[D]")).cast(
                        pa.date32()
                    ),
                    "mrr": pa.array(cents[who, when], pa.int64()).cast(pa.decimal128(19, 0)),
                }
            )
        )
    table = pa.concat_tables(chunks)
    # Cents to DECIMAL(12, 2) exactly: a decimal product with 0.01, no float on the way.
    mrr = pa.compute.multiply(table["mrr"], pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)))
    return table.set_column(2, "mrr", mrr.cast(pa.decimal128(12, 2)))


def write(path: Path, rows: int, seed: int = 7) -> Path:
    """Generate about ``rows`` customer-month rows into a Parquet file at ``path``."""
    pq.write_table(generate(customers_for(rows), seed=seed), path, row_group_size=1 << 20)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    write(args.path, args.rows)
