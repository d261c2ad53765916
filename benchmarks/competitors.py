"""The same numbers as ``retention metrics``, written the obvious ways, for the benchmark.

Each implementation reads a long Parquet file (``customer_id, month, mrr``), computes the
monthly MRR bridge and cohort retention for the given windows (METRICS.md §2-3), and
writes them as JSON in one shape (money as exact strings) so the benchmark can check
that every implementation agrees with every other, to the cent.

    python benchmarks/competitors.py sql|pandas|polars FILE --windows 1,3,12 --out OUT.json

- ``sql``: the hand-written DuckDB query a data engineer would write: sum line items per
  customer-month, one self-join for the bridge (month m - 1 to m), one per window for
  retention (m - k to m), each customer's first paying month for new vs reactivation.
- ``pandas``: the same with ``groupby`` and ``merge``, amounts as integer cents.
- ``polars``: the same as a Polars lazy query, amounts as integer cents.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

BRIDGE = ("opening_mrr", "new", "reactivation", "expansion", "contraction", "churn", "closing_mrr")
RETENTION = ("customers", "starting_mrr", "churn", "contraction", "expansion", "ending_mrr")
CENT = Decimal("0.01")


def money(value: Any) -> str:
    """An amount (Decimal, or integer cents when ``cents``) as a plain two-place string."""
    return f"{Decimal(value).quantize(CENT):f}"


def floor_sql(path: Path, windows: list[int]) -> dict[str, list[dict[str, Any]]]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    month = "(year(month) * 12 + month(month) - 1)"
    con.execute(
        f"""CREATE TEMP VIEW cm AS
        SELECT customer_id, {month} AS m, sum(mrr) AS mrr
        FROM read_parquet('{path}') GROUP BY ALL HAVING sum(mrr) > 0"""
    )
    bridge = con.execute(
        """
        WITH firsts AS (SELECT customer_id, min(m) AS first_m FROM cm GROUP BY customer_id),
        pairs AS (
            SELECT coalesce(cur.customer_id, prev.customer_id) AS customer_id,
                   coalesce(cur.m, prev.m + 1) AS m,
                   coalesce(prev.mrr, 0) AS a, coalesce(cur.mrr, 0) AS b
            FROM cm AS cur FULL JOIN cm AS prev
              ON cur.customer_id = prev.customer_id AND cur.m = prev.m + 1)
        SELECT p.m,
          sum(a) AS opening_mrr,
          sum(CASE WHEN a = 0 AND f.first_m = p.m THEN b ELSE 0 END) AS new,
          sum(CASE WHEN a = 0 AND f.first_m < p.m THEN b ELSE 0 END) AS reactivation,
          sum(CASE WHEN a > 0 AND b > a THEN b - a ELSE 0 END) AS expansion,
          sum(CASE WHEN b > 0 AND b < a THEN a - b ELSE 0 END) AS contraction,
          sum(CASE WHEN b = 0 THEN a ELSE 0 END) AS churn,
          sum(b) AS closing_mrr
        FROM pairs AS p JOIN firsts AS f USING (customer_id)
        WHERE p.m > (SELECT min(m) FROM cm) AND p.m <= (SELECT max(m) FROM cm)
        GROUP BY p.m ORDER BY p.m"""
    ).fetchall()
    retention = []
    for k in windows:
        retention += con.execute(
            f"""
            SELECT s.m + {k} AS as_of, {k} AS window_months, count(*) AS customers,
              sum(s.mrr) AS starting_mrr,
              sum(CASE WHEN e.mrr IS NULL THEN s.mrr ELSE 0 END) AS churn,
              sum(CASE WHEN e.mrr < s.mrr THEN s.mrr - e.mrr ELSE 0 END) AS contraction,
              sum(CASE WHEN e.mrr > s.mrr THEN e.mrr - s.mrr ELSE 0 END) AS expansion,
              sum(coalesce(e.mrr, 0)) AS ending_mrr
            FROM cm AS s LEFT JOIN cm AS e ON e.customer_id = s.customer_id AND e.m = s.m + {k}
            WHERE s.m + {k} <= (SELECT max(m) FROM cm)
            GROUP BY ALL ORDER BY as_of"""
        ).fetchall()
    return {
        "bridge": [
            {"month": r[0], **{n: money(v) for n, v in zip(BRIDGE, r[1:], strict=True)}}
            for r in bridge
        ],
        "retention": [
            {
                "as_of": r[0],
                "window_months": r[1],
                "customers": r[2],
                **{n: money(v) for n, v in zip(RETENTION[1:], r[3:], strict=True)},
            }
            for r in retention
        ],
    }


def _cents_table(path: Path) -> Any:
    """The file with ``month`` as a month number and ``mrr`` as exact integer cents."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    cents = pc.multiply(table["mrr"], pa.scalar(Decimal(100), pa.decimal128(3, 0)))
    month = pc.add(
        pc.multiply(pc.year(table["month"]), 12), pc.subtract(pc.month(table["month"]), 1)
    )
    return pa.table(
        {"customer_id": table["customer_id"], "m": month, "mrr": cents.cast(pa.int64())}
    )


def pandas_way(path: Path, windows: list[int]) -> dict[str, list[dict[str, Any]]]:

    df = _cents_table(path).to_pandas()
    cm = df.groupby(["customer_id", "m"], as_index=False)["mrr"].sum()
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
                **{n: money(Decimal(int(row[n])) / 100) for n in RETENTION[1:]},
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
                **{n: money(Decimal(row[n]) / 100) for n in RETENTION[1:]},
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
