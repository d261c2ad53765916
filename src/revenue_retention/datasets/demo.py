"""Generate the deterministic synthetic B2B SaaS billing history used by the demo."""

from __future__ import annotations

import os
import pathlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from revenue_retention.errors import OptionError
from revenue_retention.outputs.files import write_file

__all__ = ["generate_demo", "write_demo_csv"]

MONEY = pa.decimal128(38, 6)

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
PLANS = ("Starter", "Growth", "Scale")
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
PRODUCTS = ("core", "analytics", "support", "integrations")
CORE, ANALYTICS, SUPPORT, INTEGRATIONS = range(len(PRODUCTS))
ADDONS = (ANALYTICS, SUPPORT, INTEGRATIONS)

SEGMENT_SHARE = np.array([0.62, 0.28, 0.10])
# Rows are segments: small companies buy the cheap plan, large ones the top plan.
PLAN_MIX = np.array([[0.65, 0.30, 0.05], [0.20, 0.55, 0.25], [0.00, 0.30, 0.70]])
REGION_SHARE = np.array([0.50, 0.28, 0.14, 0.08])

# Seats per account at signup: lognormal median and spread, clipped to a plausible range.
SEATS_MEDIAN = np.array([6.0, 30.0, 90.0])
SEATS_SIGMA = np.array([0.7, 0.6, 0.6])
SEATS_MIN = np.array([1, 5, 25])
SEATS_MAX = np.array([60, 400, 2000])

# Monthly probabilities, indexed by segment (SMB, Mid-Market, Enterprise).
CHURN = np.array([0.021, 0.0095, 0.0045])
SEAT_CHANGE = np.array([0.05, 0.08, 0.10])
EXPAND_SHARE = np.array([0.56, 0.63, 0.68])
ADDON_AT_SIGNUP = np.array([[0.10, 0.25, 0.40], [0.05, 0.25, 0.60], [0.10, 0.25, 0.40]])
ADDON_CROSS_SELL = np.array([[0.008, 0.015, 0.020], [0.004, 0.010, 0.015], [0.006, 0.012, 0.015]])
ADDON_DROP = np.array([0.020, 0.012, 0.008])
INTEGRATIONS_MAX = np.array([3, 6, 10])
REACTIVATE = 0.012  # per month, for customers churned at least two months earlier
PLAN_UPGRADE = 0.004
INTEGRATIONS_CHANGE = 0.03
PRICE_LOCK_SHARE = 0.25  # multi-year contracts that skip a January increase
BASE_SHARE = 0.35  # customers already paying in the first month
WHALE_SHARE = 0.004  # very large Enterprise accounts (the heavy tail)


def _starting_list_prices() -> np.ndarray:
    """List prices in cents per unit, indexed [product, segment, plan]."""
    table = np.zeros((len(PRODUCTS), len(SEGMENTS), len(PLANS)), dtype=np.int64)
    table[CORE] = np.array([2500, 4500, 7900])  # per seat, by plan
    table[ANALYTICS] = np.array([900, 1200, 1500])  # per seat, by plan
    table[SUPPORT] = np.array([9900, 45000, 150000])[:, None]  # flat, by segment
    table[INTEGRATIONS] = 15000  # per connector
    return table


def _scale(cents: np.ndarray, num: np.ndarray | int, den: int) -> np.ndarray:
    """Multiply integer cents by num/den, rounding half up, without touching floats."""
    return (cents * num + den // 2) // den


@dataclass
class _Book:
    """Billing state of every customer in the current month (arrays indexed by customer)."""

    active: np.ndarray  # bool: pays this month
    has: np.ndarray  # bool [product, customer]: product billed this month
    qty: np.ndarray  # int64 [product, customer]
    price: np.ndarray  # int64 cents [product, customer]
    seats: np.ndarray  # int64
    plan: np.ndarray  # int64 index into PLANS
    discount: np.ndarray  # int64 percent off list, fixed per contract
    started: np.ndarray  # int64 month index of the latest (re)start
    churned_at: np.ndarray  # int64 month index of the latest churn, -1 if never


def _open(
    book: _Book,
    who: np.ndarray,
    t: int,
    seg: np.ndarray,
    whale: np.ndarray,
    list_price: np.ndarray,
    rng: np.random.Generator,
    addon_boost: float,
) -> None:
    """Start (or restart) the contracts of the customers selected by the mask ``who``."""
    n = who.size
    # Draws always cover every customer so the random stream does not depend on the mask.
    u_addon = rng.random((len(ADDONS), n))
    discount = np.select(
        [seg == 0, seg == 1],
        [np.where(rng.random(n) < 0.2, 10, 0), rng.integers(0, 16, n)],
        rng.integers(10, 31, n),
    )
    discount = np.where(whale, rng.integers(30, 41, n), discount)
    connectors = rng.integers(1, INTEGRATIONS_MAX[seg] + 1)

    book.discount[who] = discount[who]
    book.active[who] = True
    book.started[who] = t
    book.has[:, who] = False
    book.has[CORE, who] = True
    for k, product in enumerate(ADDONS):
        takes = u_addon[k] < np.minimum(ADDON_AT_SIGNUP[k, seg] * addon_boost, 0.9)
        book.has[product, who] = takes[who]
    book.qty[INTEGRATIONS, who] = connectors[who]
    _sync_seats(book)
    for product in range(len(PRODUCTS)):
        deal = _scale(list_price[product, seg, book.plan], 100 - book.discount, 100)
        book.price[product, who] = deal[who]


def _sync_seats(book: _Book) -> None:
    """Per-seat products follow the seat count; support is one flat unit."""
    book.qty[CORE] = book.seats
    book.qty[ANALYTICS] = book.seats
    book.qty[SUPPORT] = 1


def generate_demo(
    *, customers: int = 2000, months: int = 36, start: str = "2023-01", seed: int = 7
) -> pa.Table:
    """Generate the billing history of a synthetic B2B SaaS company.

    The company sells a per-seat ``core`` subscription and three add-ons
    (``analytics`` per seat, ``support`` flat, ``integrations`` per connector)
    to SMB, Mid-Market and Enterprise customers. The history has a base of
    customers already paying in the first month and acquisitions throughout,
    segment-dependent prices and churn (SMB churns most, Enterprise least),
    seat expansions and contractions, cross-sell, add-on churn, full churn,
    reactivations, a list-price increase every January for most existing
    customers, occasional plan upgrades and a handful of very large
    Enterprise accounts. Everything is drawn from
    ``numpy.random.Generator(PCG64(seed))``: the same arguments always give
    an identical table.

    Parameters
    ----------
    customers : int, default 2000
        Number of customers ever acquired; each one pays in at least one month.
    months : int, default 36
        Number of calendar months in the history.
    start : str, default "2023-01"
        First month, as ``"YYYY-MM"``.
    seed : int, default 7
        Seed of the PCG64 random generator.

    Returns
    -------
    pyarrow.Table
        One row per billed (customer, month, product), sorted by
        ``customer_id``, ``month`` and ``product``, with columns
        ``customer_id``, ``month`` (``"YYYY-MM"``), ``segment``, ``plan``,
        ``region``, ``product``, ``quantity`` (int64, >= 1), ``unit_price``
        and ``mrr`` (``decimal128(38, 6)``, whole cents,
        ``mrr == quantity * unit_price`` exactly, always > 0). A month without
        a row for a customer means that customer paid nothing that month.

    Raises
    ------
    ValueError
        If ``customers`` or ``months`` is below 1, or ``start`` is not
        ``"YYYY-MM"``.

    Examples
    --------
    >>> table = generate_demo(customers=20, months=6)
    >>> table.num_rows > 0
    True
    >>> table.column_names[:3]
    ['customer_id', 'month', 'segment']
    >>> table.column("month")[0].as_py()
    '2023-01'
    """
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be at least 1")
    OptionError.check_whole("seed", seed, 0, 2**63 - 1)
    parsed = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", start)
    if parsed is None:
        raise ValueError(f"start must be 'YYYY-MM', got {start!r}")
    year0, month0 = int(parsed.group(1)), int(parsed.group(2))

    rng = np.random.Generator(np.random.PCG64(seed))
    n = customers

    # Fixed customer attributes.
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    region = rng.choice(len(REGIONS), size=n, p=REGION_SHARE)
    plan = (rng.random(n)[:, None] > np.cumsum(PLAN_MIX[seg], axis=1)).sum(axis=1)
    plan = np.minimum(plan, len(PLANS) - 1)  # guards the last cumulative share's rounding
    # Acquisition month: a base already paying, the rest acquired later with
    # a mild acceleration (the company grows), each in a month of the history.
    later = 1 + np.floor(rng.random(n) ** 0.8 * (months - 1)).astype(np.int64)
    acquired = np.where((rng.random(n) < BASE_SHARE) | (months == 1), 0, later)
    seats0 = np.exp(np.log(SEATS_MEDIAN[seg]) + SEATS_SIGMA[seg] * rng.standard_normal(n))
    seats = np.clip(np.rint(seats0), SEATS_MIN[seg], SEATS_MAX[seg]).astype(np.int64)
    # The heavy tail: a handful of Enterprise accounts buying many more seats.
    enterprise = np.flatnonzero(seg == 2)
    n_whales = min(enterprise.size, max(1, round(WHALE_SHARE * n)))
    whale = np.zeros(n, dtype=bool)
    whale[rng.permutation(enterprise)[:n_whales]] = True
    boost = rng.uniform(2.5, 6.0, n)
    seats = np.where(whale, np.rint(seats * boost).astype(np.int64), seats)

    book = _Book(
        active=np.zeros(n, dtype=bool),
        has=np.zeros((len(PRODUCTS), n), dtype=bool),
        qty=np.zeros((len(PRODUCTS), n), dtype=np.int64),
        price=np.zeros((len(PRODUCTS), n), dtype=np.int64),
        seats=seats,
        plan=plan.astype(np.int64),
        discount=np.zeros(n, dtype=np.int64),
        started=np.zeros(n, dtype=np.int64),
        churned_at=np.full(n, -1, dtype=np.int64),
    )
    list_price = _starting_list_prices()
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("cust", "t", "prod", "q", "p", "plan")}

    for t in range(months):
        calendar_month = (month0 - 1 + t) % 12 + 1
        if t == 0:
            # The base has been paying for a while: older contracts hold more add-ons
            # and are past the risky first months.
            _open(book, acquired == 0, t, seg, whale, list_price, rng, addon_boost=1.6)
            book.started[acquired == 0] = -rng.integers(6, 49, n)[acquired == 0]
        else:
            if calendar_month == 1:
                # Annual list-price increase, also applied to existing contracts except
                # those locked by a multi-year agreement: part of "expansion" is price.
                bp = int(rng.integers(500, 801))
                # New deals are quoted from a price book kept in whole dollars.
                list_price = _scale(list_price, 10000 + bp, 10000 * 100) * 100
                locked = rng.random(n) < PRICE_LOCK_SHARE
                bump = book.has & (book.active & ~locked)[None, :]
                book.price = np.where(bump, _scale(book.price, 10000 + bp, 10000), book.price)

            u = rng.random((4, n))
            tenure = t - book.started
            hazard = CHURN[seg] * np.where(tenure < 6, 1.5, 1.0) * np.where(whale, 0.3, 1.0)
            churn = book.active & (u[0] < hazard)
            book.active[churn] = False
            book.has[:, churn] = False
            book.churned_at[churn] = t
            stay = book.active.copy()

            # Seat expansion and contraction (volume); expansions more likely than cuts.
            change = stay & (u[1] < SEAT_CHANGE[seg])
            up = u[2] < EXPAND_SHARE[seg]
            size = u[3]
            grown = np.maximum(book.seats + 1, np.rint(book.seats * (1.05 + 0.35 * size)))
            shrunk = np.maximum(
                1, np.minimum(book.seats - 1, np.rint(book.seats * (0.95 - 0.3 * size)))
            )
            book.seats = np.where(
                change & up, grown, np.where(change & ~up, shrunk, book.seats)
            ).astype(np.int64)

            # Plan upgrades re-price per-seat products at the higher plan's deal price,
            # never below what the customer already pays.
            upgrade = stay & (book.plan < len(PLANS) - 1) & (rng.random(n) < PLAN_UPGRADE)
            book.plan = book.plan + upgrade
            for product in (CORE, ANALYTICS):
                deal = _scale(list_price[product, seg, book.plan], 100 - book.discount, 100)
                book.price[product] = np.where(
                    upgrade, np.maximum(book.price[product], deal), book.price[product]
                )

            # Cross-sell of add-ons not yet held, and add-on churn of those held.
            u_addon = rng.random((2, len(ADDONS), n))
            for k, product in enumerate(ADDONS):
                adopt = stay & ~book.has[product] & (u_addon[0, k] < ADDON_CROSS_SELL[k, seg])
                drop = stay & book.has[product] & (u_addon[1, k] < ADDON_DROP[seg])
                deal = _scale(list_price[product, seg, book.plan], 100 - book.discount, 100)
                book.price[product] = np.where(adopt, deal, book.price[product])
                book.has[product] = (book.has[product] | adopt) & ~drop

            # Connectors come and go one at a time.
            u_int = rng.random((2, n))
            step = np.where(u_int[1] < 0.65, 1, -1)
            moves = stay & (u_int[0] < INTEGRATIONS_CHANGE)
            book.qty[INTEGRATIONS] = np.where(
                moves, np.maximum(1, book.qty[INTEGRATIONS] + step), book.qty[INTEGRATIONS]
            )

            # Reactivation: some churned customers come back, usually smaller, at the
            # current list price.
            u_back = rng.random((2, n))
            back = (
                ~book.active
                & (book.churned_at >= 0)
                & (t - book.churned_at >= 2)
                & (u_back[0] < REACTIVATE)
            )
            book.seats = np.where(
                back, np.maximum(1, np.rint(book.seats * (0.5 + 0.5 * u_back[1]))), book.seats
            ).astype(np.int64)
            _open(book, back, t, seg, whale, list_price, rng, addon_boost=1.0)
            _open(book, acquired == t, t, seg, whale, list_price, rng, addon_boost=1.0)
            _sync_seats(book)

        for product in range(len(PRODUCTS)):
            idx = np.flatnonzero(book.active & book.has[product])
            rows["cust"].append(idx)
            rows["t"].append(np.full(idx.size, t, dtype=np.int64))
            rows["prod"].append(np.full(idx.size, product, dtype=np.int64))
            rows["q"].append(book.qty[product, idx])
            rows["p"].append(book.price[product, idx])
            rows["plan"].append(book.plan[idx])

    cols = {k: np.concatenate(v) for k, v in rows.items()}
    order = np.lexsort((cols["prod"], cols["t"], cols["cust"]))
    cols = {k: v[order] for k, v in cols.items()}
    cust = cols["cust"]

    width = max(5, len(str(n)))
    ids = np.strings.add("C", np.strings.zfill(np.arange(1, n + 1).astype(str), width))
    labels = [
        f"{year0 + (month0 - 1 + t) // 12:04d}-{(month0 - 1 + t) % 12 + 1:02d}"
        for t in range(months)
    ]

    def take(values: Any, index: np.ndarray) -> pa.Array:
        return pc.take(pa.array(values, pa.string()), pa.array(index, pa.int64()))

    return pa.table(
        {
            "customer_id": take(ids, cust),
            "month": take(labels, cols["t"]),
            "segment": take(SEGMENTS, seg[cust]),
            "plan": take(PLANS, cols["plan"]),
            "region": take(REGIONS, region[cust]),
            "product": take(PRODUCTS, cols["prod"]),
            "quantity": pa.array(cols["q"], pa.int64()),
            "unit_price": _cents_to_decimal(cols["p"]),
            "mrr": _cents_to_decimal(cols["q"] * cols["p"]),
        }
    )


def _cents_to_decimal(cents: np.ndarray) -> pa.Array:
    """Exact int64 cents -> decimal128(38, 6) amounts, never through a float."""
    whole = pa.array(cents, pa.int64()).cast(pa.decimal128(35, 0))
    # decimal(35, 0) * decimal(2, 2) is decimal(38, 2): an exact product, then a
    # safe widening of the scale.
    hundredth = pa.scalar(Decimal("0.01"), pa.decimal128(2, 2))
    return pc.multiply(whole, hundredth).cast(MONEY)


def write_demo_csv(path: str | os.PathLike[str], **kwargs: Any) -> pathlib.Path:
    """Write the demo billing history to a CSV file.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file; replaced whole if it exists, never left half-written.
    **kwargs
        Passed to :func:`generate_demo` (``customers``, ``months``, ``start``, ``seed``).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_demo_csv(pathlib.Path(tmp) / "demo.csv", customers=20, months=6)
    ...     out.read_text().splitlines()[0]
    'customer_id,month,segment,plan,region,product,quantity,unit_price,mrr'
    """
    table = generate_demo(**kwargs)
    # Amounts are whole cents: scale 2 prints them as plain "1234.50" strings.
    for name in ("unit_price", "mrr"):
        i = table.schema.get_field_index(name)
        as_text = table.column(name).cast(pa.decimal128(38, 2)).cast(pa.string())
        table = table.set_column(i, name, as_text)
    out = pathlib.Path(path)

    # No name or value contains a comma, quote or newline, so nothing is quoted: amounts stay
    # bare numbers that CSV readers infer as numeric. Arrow always quotes the header it
    # writes, hence the header line written here.
    def write(f: IO[bytes]) -> None:
        f.write((",".join(table.column_names) + "\n").encode())
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        pa_csv.write_csv(table, f, options)

    # Written aside and renamed into place, as every output (outputs.files).
    return write_file(out, write)
