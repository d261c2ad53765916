"""Options shared by several commands, declared once."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

__all__ = [
    "AS_OF",
    "COLUMNS",
    "DATE_ORDER",
    "DECIMAL_SEPARATOR",
    "ENGINE",
    "FORMAT",
    "FX_RATE",
    "FX_RATES",
    "INPUT_FORMAT",
    "MEMORY_LIMIT",
    "OUTPUT",
    "REJECTS",
    "REPORTING_CURRENCY",
    "SHEET",
    "SNAPSHOT",
    "SPARK_MASTER",
    "TABLE",
    "WINDOWS",
    "Engine",
    "Format",
    "SnapshotDay",
]


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Engine(enum.StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class SnapshotDay(enum.StrEnum):
    last = "last"
    first = "first"


FORMAT = typer.Option(
    Format.table, "--format", "-f", help="table for people; json or csv for programs."
)
WINDOWS = typer.Option(
    "1,3,12", "--windows", "-w", help="Window lengths in months, comma separated."
)
AS_OF = typer.Option(None, "--as-of", help="Last month analysed, YYYY-MM; later data is ignored.")
COLUMNS = typer.Option(
    [],
    "--column",
    "-c",
    metavar="ROLE=COLUMN",
    help="Name a column for a role when the header differs: ROLE=COLUMN "
    "(roles: customer_id, month, mrr, start_date, end_date, quantity, unit_price, product).",
)
SNAPSHOT = typer.Option(
    SnapshotDay.last,
    "--snapshot",
    help="For subscription periods: a subscription counts in a month if active on its last "
    "(default) or first day.",
)
REJECTS = typer.Option(
    None,
    "--rejects",
    help="Write bad rows with their reasons to this CSV and compute on the rest, "
    "instead of stopping at the first bad rows.",
    dir_okay=False,
)
OUTPUT = typer.Option(
    None, "--output", "-o", help="Write to this file (json) or folder (csv) instead of stdout."
)
INPUT_FORMAT = typer.Option(
    None,
    "--input-format",
    help="Input adapter (csv, parquet, xlsx, stripe-subscriptions, stripe-invoice-lines), "
    "if not detected.",
)
SHEET = typer.Option(None, "--sheet", help="Worksheet of an Excel workbook (default: the first).")
DECIMAL_SEPARATOR = typer.Option(
    None,
    "--decimal-separator",
    help="Amounts are written for display (1,234.50, $1,200, 1.234,50) with this decimal "
    "separator, '.' or ','; needed only when the file does not show which (is 1,234 one "
    "thousand or one point two?).",
)
DATE_ORDER = typer.Option(
    None,
    "--date-order",
    help="How to read dates such as 03/04/2024: dmy (day first) or mdy (month first); needed "
    "only when no date of the file shows which (such as 25/04/2024).",
)
MEMORY_LIMIT = typer.Option(
    None,
    "--memory-limit",
    help="Cap the memory DuckDB uses (e.g. 2GB); beyond it, it works on disk in a temporary "
    "folder. Default: 80% of the machine's memory.",
)
FX_RATES = typer.Option(
    None,
    "--fx-rates",
    help="CSV of exchange rates (date, currency, rate_to_reporting) for a currency column: "
    "each month uses the latest rate dated on or before its last day.",
    dir_okay=False,
)
FX_RATE = typer.Option(
    [],
    "--fx-rate",
    metavar="CUR=RATE",
    help="A fixed exchange rate to the reporting currency (repeatable), e.g. EUR=1.08.",
)
REPORTING_CURRENCY = typer.Option(
    None,
    "--reporting-currency",
    help="Currency the figures are reported in (rows in it need no rate), e.g. USD.",
)
ENGINE = typer.Option(
    Engine.duckdb,
    "--engine",
    help="Where the computation runs: duckdb (embedded, default) or spark (local mode unless "
    "--spark-master; needs revenue-retention[spark]). A database URL as the input runs it there.",
)
SPARK_MASTER = typer.Option(
    None, "--spark-master", help="With --engine spark: the cluster's master URL (e.g. yarn)."
)
TABLE = typer.Option(
    None,
    "--table",
    help="With a database URL as the input (postgresql://user@host/db, duckdb:///file.db, "
    "sqlite:///file.db): the table to read, schema.table allowed.",
)
DEFAULT_OUTPUT_DIR = Path("out")
