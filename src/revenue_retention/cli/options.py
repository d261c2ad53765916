"""Options shared by several commands, declared once."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

__all__ = [
    "AS_OF",
    "COLUMNS",
    "FORMAT",
    "INPUT_FORMAT",
    "OUTPUT",
    "REJECTS",
    "SNAPSHOT",
    "WINDOWS",
    "Format",
    "SnapshotDay",
]


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


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
    None, "--input-format", help="Input adapter (csv, parquet), if not detected."
)
DEFAULT_OUTPUT_DIR = Path("out")
