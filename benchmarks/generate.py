"""Long Parquet inputs of any size shaped like a billing export, generated with NumPy.

Each customer starts in a random month and then, month by month, keeps paying with a
small chance of churning; a churned customer may come back (a gap, then a reactivation).
Amounts move by small steps (expansion, contraction), in cents, written as
DECIMAL(12, 2). Deterministic per seed. Three kinds of file:

- ``lines`` (the default): an invoice-line export. About 1.2 rows per customer-month
  (a main line, sometimes an add-on or two, now and then a zero-amount line such as a
  100% discount; at most three lines, no two alike), integer customer ids, a ``segment``
  column, rows in month order as a billing system exports them (the lines of one invoice
  together).
- ``lines_text``: the same with text ids (``cus_8413093518``), as Stripe writes them.
- ``monthly``: one row per paying customer-month, text ids (``C123``), customer order:
  an MRR table someone already summed.

Never builds Python objects per row: the customer x month grid exists only as NumPy
arrays of one chunk of customers at a time.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

MONTHS = 36
FIRST_YEAR = 2023
KINDS = ("lines", "lines_text", "monthly")
#: Paying customer-months per cell of the customer x month grid, and rows per paying
#: customer-month of a line-item export (1 + P(add-on) + P(second add-on) + P(zero line)).
_PAYING_SHARE = 0.55
_ADDON, _SECOND_ADDON, _ZERO_LINE = 0.16, 0.02, 0.02
LINES_PER_MONTH = 1 + _ADDON + _SECOND_ADDON + _ZERO_LINE
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")


def customers_for(rows: int, months: int = MONTHS, kind: str = "monthly") -> int:
    """Customers that give about ``rows`` rows of a file of this kind."""
    per_customer = months * _PAYING_SHARE * (1 if kind == "monthly" else LINES_PER_MONTH)
    return max(1, round(rows / per_customer))


def _paying(rng: np.random.Generator, n: int, months: int) -> np.ndarray:
    """Whether each of ``n`` customers pays in each month: churns, gaps and comebacks."""
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
    return paying


def _chunk(
    rng: np.random.Generator, low: int, n: int, months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Customer number, month number, cents and base level of each paying customer-month."""
    paying = _paying(rng, n, months)
    base = rng.lognormal(5.5, 1.0, n).round(2)
    steps = rng.choice([-0.1, 0.0, 0.0, 0.0, 0.05, 0.2], size=(n, months))
    level = np.clip(np.cumprod(1 + steps, axis=1) * base[:, None], 1, 1e7)
    cents = np.round(level * 100).astype(np.int64)
    who, when = np.nonzero(paying)
    return who + low, when, cents[who, when], base[who]


def _line_items(
    rng: np.random.Generator, customer: np.ndarray, month: np.ndarray, cents: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each customer-month split into its invoice lines; the lines add up to its cents."""
    n = len(cents)
    draw = rng.random(n)
    addons = (draw < _ADDON + _SECOND_ADDON).astype(np.int64) + (draw < _SECOND_ADDON)
    # At most three lines: a month with two add-ons has no zero-amount line.
    zero_line = (rng.random(n) < _ZERO_LINE / (1 - _SECOND_ADDON)) & (addons < 2)
    # An add-on takes 15-40% of the month, a second one 2-10% (the main line keeps the
    # rest): no two lines of a month are alike, as in a clean export.
    first = np.where(addons >= 1, np.floor(cents * rng.uniform(0.15, 0.4, n)), 0).astype(np.int64)
    second = np.where(addons >= 2, np.floor(cents * rng.uniform(0.02, 0.1, n)), 0).astype(np.int64)
    main = cents - first - second
    count = 1 + addons + zero_line
    at = np.repeat(np.arange(n), count)
    # Position of each line within its customer-month: 0 main, 1 and 2 add-ons, then zero.
    position = np.arange(len(at)) - np.repeat(np.cumsum(count) - count, count)
    amounts = np.stack([main, first, second])
    line_cents = np.where(
        position <= addons[at], amounts[np.minimum(position, 2), at], 0
    )  # past its add-ons, a customer-month's last line is the zero-amount one
    return customer[at], month[at], line_cents


def generate(
    customers: int, months: int = MONTHS, seed: int = 7, kind: str = "monthly"
) -> pa.Table:
    """A billing export of ``customers`` customers over ``months`` months (see the module doc).

    ``monthly``: ``customer_id, month, mrr``, one row per paying customer-month, in
    customer order. ``lines`` / ``lines_text``: ``customer_id, month, segment, mrr``,
    about 1.2 rows per paying customer-month, in month order.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    rng = np.random.default_rng(seed)
    parts = []
    for low in range(0, customers, 200_000):
        customer, month, cents, base = _chunk(rng, low, min(200_000, customers - low), months)
        segment = np.searchsorted([150.0, 1000.0], base, side="right").astype(np.int8)
        if kind != "monthly":
            at = np.arange(len(cents))
            customer, at, cents = _line_items(rng, customer, at, cents)
            month, segment = month[at], segment[at]
        parts.append((customer, month.astype(np.int16), cents, segment))
    customer, month, cents, segment = (np.concatenate(p) for p in zip(*parts, strict=True))
    if kind != "monthly":
        # An export lists a month's invoices together, each invoice's lines in a row.
        order = np.argsort(month, kind="stable")
        customer, month, cents, segment = (
            customer[order],
            month[order],
            cents[order],
            segment[order],
        )
    year = FIRST_YEAR + month.astype(np.int64) // 12
    dates = ((year - 1970) * 12 + month % 12).astype("datetime64[M]").astype("datetime64[D]")
    columns: dict[str, pa.Array] = {
        "customer_id": _ids(customer, kind),
        "month": pa.array(dates).cast(pa.date32()),
    }
    if kind != "monthly":
        columns["segment"] = pa.DictionaryArray.from_arrays(
            pa.array(segment), pa.array(SEGMENTS)
        ).cast(pa.string())
    # Cents to DECIMAL(12, 2) exactly: a decimal product with 0.01, no float on the way.
    amount = pc.multiply(
        pa.array(cents, pa.int64()).cast(pa.decimal128(19, 0)),
        pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)),
    )
    columns["mrr"] = amount.cast(pa.decimal128(12, 2))
    return pa.table(columns)


def _ids(customer: np.ndarray, kind: str) -> pa.Array:
    if kind == "lines":
        return pa.array(customer + 100_001, pa.int64())
    if kind == "lines_text":
        # A bijection of 0 .. 10^10 (the factor is prime to 10): distinct, not in order.
        scrambled = pa.array((customer * 2_654_435_761 + 12_345) % 10**10, pa.int64())
        return pc.binary_join_element_wise("cus_", scrambled.cast(pa.string()), "")
    return pc.binary_join_element_wise("C", pa.array(customer, pa.int64()).cast(pa.string()), "")


def write(path: Path, rows: int, seed: int = 7, kind: str = "lines") -> Path:
    """Generate about ``rows`` rows of a file of ``kind`` into a Parquet file at ``path``."""
    table = generate(customers_for(rows, kind=kind), seed=seed, kind=kind)
    pq.write_table(table, path, row_group_size=1 << 20)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kind", choices=KINDS, default="lines")
    args = parser.parse_args()
    write(args.path, args.rows, kind=args.kind)
