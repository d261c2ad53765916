"""The same numbers as ``retention metrics``, written by hand, for the benchmark.

Each implementation reads a long Parquet file (``customer_id, month, mrr``, line items
allowed, other columns ignored), computes the monthly MRR bridge and cohort retention for
the given windows (METRICS.md §2-3), and writes them as JSON in one shape (money as exact
strings) so the benchmark can check that every implementation agrees with every other,
to the cent.

    python benchmarks/competitors.py sql|pandas|polars FILE --windows 1,3,12 --out OUT.json

- ``sql``: the fastest DuckDB query we could write for these numbers (the floor): one
  statement that sums line items per customer-month with a hash aggregation, then sorts
  each customer's months once and reads everything off that sort with window functions:
  the previous and next paying month (``lag``, ``lead``) give the bridge and the
  one-month window, and a ``RANGE k FOLLOWING`` frame per longer window gives the MRR
  ``k`` months later; a ``GROUP BY`` month then sums it all into one row per month, from
  which the bridge and retention rows are read (a few dozen rows, in Python). Exact
  DECIMAL money throughout.
- ``pandas``: ``groupby`` and ``merge`` (hash joins on customer and month), amounts as
  integer cents.
- ``polars``: the same as one lazy Polars query plan, amounts as integer cents.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

BRIDGE = ("opening_mrr", "new", "reactivation", "expansion", "contraction", "churn", "closing_mrr")
RETENTION = (
    "customers",
    "retained_customers",
    "starting_mrr",
    "churn",
    "contraction",
    "expansion",
    "ending_mrr",
)
CENT = Decimal("0.01")
COLUMNS = ["customer_id", "month", "mrr"]


def money(value: Any) -> str:
    """An exact amount as a plain two-place string."""
    return f"{Decimal(value).quantize(CENT):f}"


def floor_sql(path: Path, windows: list[int]) -> dict[str, list[dict[str, Any]]]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    later = [k for k in windows if k != 1]
    frames = "".join(
        f", sum(mrr) OVER (w RANGE BETWEEN {k} FOLLOWING AND {k} FOLLOWING) AS b{k}" for k in later
    )
    window_sums = "".join(
        f""",
          count(b{k}) AS retained{k},
          sum(a) FILTER (b{k} IS NULL) AS churn{k},
          sum(a - b{k}) FILTER (b{k} < a) AS contraction{k},
          sum(b{k} - a) FILTER (b{k} > a) AS expansion{k},
          sum(b{k}) AS ending{k}"""
        for k in later
    )
    query = f"""
        WITH cm AS (
          SELECT customer_id, year(month) * 12 + month(month) - 1 AS m, sum(mrr) AS mrr
          FROM read_parquet(?) GROUP BY ALL HAVING sum(mrr) > 0),
        steps AS (
          SELECT m, mrr AS a, lag(m) OVER w AS prev_m, lag(mrr) OVER w AS prev_a,
                 lead(m) OVER w AS next_m{frames}
          FROM cm WINDOW w AS (PARTITION BY customer_id ORDER BY m))
        SELECT m, sum(a) AS closing, count(*) AS customers,
          sum(a) FILTER (prev_m IS NULL) AS new,
          sum(a) FILTER (prev_m < m - 1) AS reactivation,
          sum(a - prev_a) FILTER (prev_m = m - 1 AND a > prev_a) AS expansion,
          sum(prev_a - a) FILTER (prev_m = m - 1 AND a < prev_a) AS contraction,
          sum(a) FILTER (next_m IS DISTINCT FROM m + 1) AS leaving,
          count(*) FILTER (next_m = m + 1) AS staying{window_sums}
        FROM steps GROUP BY m ORDER BY m"""
    cursor = con.execute(query, [str(path)])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    months = {r[0]: dict(zip(names, r, strict=True)) for r in rows}
    return _read_off(months, windows)


def _read_off(
    months: dict[int, dict[str, Any]], windows: list[int]
) -> dict[str, list[dict[str, Any]]]:
    """The bridge and retention rows from per-month sums (a few dozen rows)."""
    first, last = min(months), max(months)
    zero: dict[str, Any] = {}

    def at(m: int, name: str) -> Any:
        return months.get(m, zero).get(name) or 0

    bridge = [
        {
            "month": m,
            "opening_mrr": money(at(m - 1, "closing")),
            "new": money(at(m, "new")),
            "reactivation": money(at(m, "reactivation")),
            "expansion": money(at(m, "expansion")),
            "contraction": money(at(m, "contraction")),
            "churn": money(at(m - 1, "leaving")),
            "closing_mrr": money(at(m, "closing")),
        }
        for m in range(first + 1, last + 1)
    ]
    retention = []
    for k in windows:
        for end in range(first + k, last + 1):
            start = end - k
            if k == 1:
                moved = {
                    "retained_customers": at(start, "staying"),
                    "churn": at(start, "leaving"),
                    "contraction": at(end, "contraction"),
                    "expansion": at(end, "expansion"),
                    "ending_mrr": at(end, "closing") - at(end, "new") - at(end, "reactivation"),
                }
            else:
                moved = {
                    "retained_customers": at(start, f"retained{k}"),
                    "churn": at(start, f"churn{k}"),
                    "contraction": at(start, f"contraction{k}"),
                    "expansion": at(start, f"expansion{k}"),
                    "ending_mrr": at(start, f"ending{k}"),
                }
            retention.append(
                {
                    "as_of": end,
                    "window_months": k,
                    "customers": at(start, "customers"),
                    "retained_customers": moved.pop("retained_customers"),
                    "starting_mrr": money(at(start, "closing")),
                    **{name: money(value) for name, value in moved.items()},
                }
            )
    return {"bridge": bridge, "retention": retention}


def _cents_table(path: Path) -> Any:
    """The file with ``month`` as a month number and ``mrr`` as exact integer cents."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=COLUMNS)
    cents = pc.multiply(table["mrr"], pa.scalar(Decimal(100), pa.decimal128(3, 0)))
    month = pc.add(
        pc.multiply(pc.year(table["month"]), 12), pc.subtract(pc.month(table["month"]), 1)
    )
    return pa.table(
        {"customer_id": table["customer_id"], "m": month, "mrr": cents.cast(pa.int64())}
    )


def pandas_way(path: Path, windows: list[int]) -> dict[str, list[dict[str, Any]]]:

    df = _cents_table(path).to_pandas()
    cm = df.groupby(["customer_id", "m"], as_index=False, sort=False)["mrr"].sum()
    cm = cm[cm["mrr"] > 0]
    first, last = cm["m"].min(), cm["m"].max()
    firsts = cm.groupby("customer_id")["m"].min().rename("first_m")
    prev = cm.assign(m=cm["m"] + 1)
    pairs = cm.merge(prev, on=["customer_id", "m"], how="outer", suffixes=("_b", "_a"))
    pairs = pairs.fillna({"mrr_a": 0, "mrr_b": 0}).join(firsts, on="customer_id")
    pairs = pairs[(pairs["m"] > first) & (pairs["m"] <= last)]
    a, b = pairs["mrr_a"], pairs["mrr_b"]
    pairs = pairs.assign(
        opening_mrr=a,
        new=b.where((a == 0) & (pairs["first_m"] == pairs["m"]), 0),
        reactivation=b.where((a == 0) & (pairs["first_m"] < pairs["m"]), 0),
        expansion=(b - a).where((a > 0) & (b > a), 0),
        contraction=(a - b).where((b > 0) & (b < a), 0),
        churn=a.where(b == 0, 0),
        closing_mrr=b,
    )
    bridge = pairs.groupby("m")[list(BRIDGE)].sum().sort_index()
    retention = []
    for k in windows:
        start = cm.assign(as_of=cm["m"] + k)
        start = start[start["as_of"] <= last]
        joined = start.merge(
            cm.rename(columns={"m": "as_of", "mrr": "end"}), on=["customer_id", "as_of"], how="left"
        )
        s, e = joined["mrr"], joined["end"]
        joined = joined.assign(
            customers=1,
            retained_customers=e.notna().astype("int64"),
            starting_mrr=s,
            churn=s.where(e.isna(), 0),
            contraction=(s - e).where(e < s, 0),
            expansion=(e - s).where(e > s, 0),
            ending_mrr=e.fillna(0),
        )
        sums = joined.groupby("as_of")[list(RETENTION)].sum().sort_index()
        retention += [
            {
                "as_of": int(as_of),
                "window_months": k,
                "customers": int(row["customers"]),
                "retained_customers": int(row["retained_customers"]),
                **{n: money(Decimal(int(row[n])) / 100) for n in RETENTION[2:]},
            }
            for as_of, row in sums.iterrows()
        ]
    return {
        "bridge": [
            {"month": int(m), **{n: money(Decimal(int(row[n])) / 100) for n in BRIDGE}}
            for m, row in bridge.iterrows()
        ],
        "retention": retention,
    }


def polars_way(path: Path, windows: list[int]) -> dict[str, list[dict[str, Any]]]:
    import polars as pl

    month = pl.col("month").dt.year().cast(pl.Int64) * 12 + pl.col("month").dt.month() - 1
    cm = (
        pl.scan_parquet(path)
        .select("customer_id", month.alias("m"), (pl.col("mrr") * 100).cast(pl.Int64).alias("mrr"))
        .group_by("customer_id", "m")
        .agg(pl.col("mrr").sum())
        .filter(pl.col("mrr") > 0)
    )
    bounds = cm.select(pl.col("m").min().alias("first"), pl.col("m").max().alias("last"))
    firsts = cm.group_by("customer_id").agg(pl.col("m").min().alias("first_m"))
    prev = cm.with_columns(pl.col("m") + 1).rename({"mrr": "a"})
    a, b = pl.col("a"), pl.col("b")
    pairs = (
        cm.rename({"mrr": "b"})
        .join(prev, on=["customer_id", "m"], how="full", coalesce=True)
        .with_columns(a.fill_null(0), b.fill_null(0))
        .join(firsts, on="customer_id")
        .join(bounds, how="cross")
        .filter((pl.col("m") > pl.col("first")) & (pl.col("m") <= pl.col("last")))
    )
    zero = pl.lit(0)
    bridge = (
        pairs.group_by("m")
        .agg(
            a.sum().alias("opening_mrr"),
            pl.when((a == 0) & (pl.col("first_m") == pl.col("m")))
            .then(b)
            .otherwise(zero)
            .sum()
            .alias("new"),
            pl.when((a == 0) & (pl.col("first_m") < pl.col("m")))
            .then(b)
            .otherwise(zero)
            .sum()
            .alias("reactivation"),
            pl.when((a > 0) & (b > a)).then(b - a).otherwise(zero).sum().alias("expansion"),
            pl.when((b > 0) & (b < a)).then(a - b).otherwise(zero).sum().alias("contraction"),
            pl.when(b == 0).then(a).otherwise(zero).sum().alias("churn"),
            b.sum().alias("closing_mrr"),
        )
        .sort("m")
    )
    queries = [bridge]
    s, e = pl.col("mrr"), pl.col("end")
    for k in windows:
        queries.append(
            cm.with_columns(as_of=pl.col("m") + k)
            .join(bounds, how="cross")
            .filter(pl.col("as_of") <= pl.col("last"))
            .join(cm.rename({"m": "as_of", "mrr": "end"}), on=["customer_id", "as_of"], how="left")
            .group_by("as_of")
            .agg(
                pl.len().alias("customers"),
                e.is_not_null().sum().alias("retained_customers"),
                s.sum().alias("starting_mrr"),
                pl.when(e.is_null()).then(s).otherwise(zero).sum().alias("churn"),
                pl.when(e < s).then(s - e).otherwise(zero).sum().alias("contraction"),
                pl.when(e > s).then(e - s).otherwise(zero).sum().alias("expansion"),
                e.fill_null(0).sum().alias("ending_mrr"),
            )
            .sort("as_of")
        )
    results = pl.collect_all(queries)
    retention = []
    for k, frame in zip(windows, results[1:], strict=True):
        retention += [
            {
                "as_of": row["as_of"],
                "window_months": k,
                "customers": row["customers"],
                "retained_customers": row["retained_customers"],
                **{n: money(Decimal(row[n]) / 100) for n in RETENTION[2:]},
            }
            for row in frame.iter_rows(named=True)
        ]
    return {
        "bridge": [
            {"month": row["m"], **{n: money(Decimal(row[n]) / 100) for n in BRIDGE}}
            for row in results[0].iter_rows(named=True)
        ],
        "retention": retention,
    }


WAYS = {"sql": floor_sql, "pandas": pandas_way, "polars": polars_way}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("way", choices=sorted(WAYS))
    parser.add_argument("path", type=Path)
    parser.add_argument("--windows", default="1,3,12")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    windows = [int(w) for w in args.windows.split(",")]
    result = WAYS[args.way](args.path, windows)
    result["retention"].sort(key=lambda r: (r["as_of"], r["window_months"]))
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
