"""Malformed files made by Hypothesis from valid ones: a clear outcome, always, and in time.

Each example takes a valid file (long MRR, subscription periods, a revenue cube) and
breaks it the ways files break: bytes inserted or cut, delimiters, quotes and line breaks
out of place, spreadsheet debris in a value, lines repeated, dropped or swapped, the file
cut short, saved in another encoding. ``retention metrics`` must then either compute, with
totals that reconcile and a rejects file holding every rejected row, or stop with exit
code 1 and one ``error:`` line (a ``RetentionError``; a rejects file may be written
first); never with another exception (exit code 70), and never hang: a watchdog ends the
test run with every thread's traceback if one example takes more than two minutes.
"""

from __future__ import annotations

import csv
import faulthandler
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from revenue_retention.cli import app

SEEDS = {
    "long": (
        "customer_id,month,mrr,segment\n"
        "acme,2024-01,100.00,smb\nacme,2024-02,120.50,smb\nbeta,2024-01,50,ent\n"
        "beta,2024-02,50,ent\ngamma,2024-02,75.25,smb\ngamma,2024-03,80,smb\n"
    ),
    "periods": (
        "customer_id,start_date,end_date,mrr\n"
        "acme,2024-01-01,2024-04-01,100\nbeta,2024-01-15,,50\ngamma,2024-02-01,2024-03-01,20\n"
    ),
    "notes": (
        "customer_id,month,mrr,note\n"
        'acme,2024-01,100,"\u2018Nord\u2019 \u2013 \u20ac"\nacme,2024-02,120,"two\nlines"\n'
        "beta,2024-01,50,München\n\nbeta,2024-02,55,x\n"
    ),
    "cube": (
        "Customer,Segment,Jan 2024,Feb 2024,Mar 2024\n"
        'acme,smb,"$1,000.00","$1,100.00",\nbeta,ent,$50.00,$50.00,$50.00\n'
    ),
}
#: What gets into files: delimiters, quotes, line breaks, bytes of other encodings,
#: signs, currency, spreadsheet errors, exponents.
DEBRIS = [
    b",",
    b";",
    b"\t",
    b"|",
    b'"',
    b'""',
    b"\n",
    b"\r\n",
    b"\r",
    b"\x00",
    b"\xff",
    b"\xe9",
    "é".encode(),
    "€".encode(),
    b"$",
    b"(",
    b")",
    b"-",
    b".",
    b"/",
    b" ",
    b"e5",
    b"#REF!",
    b"NaN",
    b"1,234",
    b"31/02/2024",
    b"\xef\xbb\xbf",
]
VALUES = [
    "",
    " ",
    "#N/A",
    "#DIV/0!",
    "NaN",
    "-inf",
    "1e3",
    "(200)",
    "-0",
    "1,200.50",
    "1.200,50",
    "$1,200",
    "9" * 30,
    "0.1234567",
    "-5",
    "03/04/2024",
    "25/04/2024",
    "2024-02-30",
    "1900-01-01",
    "2999-12-31",
    "Jan 2024",
    "a\nb",
    '"',
    "x,y",
]

_runs = itertools.count()


def apply(data: bytes, mutation: tuple[str, int, int, int]) -> bytes:
    """One mutation of ``data``: its kind and three numbers that place it."""
    kind, a, b, c = mutation
    lines = data.split(b"\n")
    if kind == "insert":
        at = a % (len(data) + 1)
        return data[:at] + DEBRIS[b % len(DEBRIS)] + data[at:]
    if kind == "cut":
        at = a % (len(data) + 1)
        return data[:at] + data[at + 1 + b % 8 :]
    if kind == "truncate":
        return data[: a % (len(data) + 1)]
    if kind == "value":
        row = lines[a % len(lines)].split(b",")
        row[b % len(row)] = VALUES[c % len(VALUES)].encode()
        lines[a % len(lines)] = b",".join(row)
        return b"\n".join(lines)
    if kind == "repeat":
        line = lines[a % len(lines)]
        lines.insert(b % (len(lines) + 1), line)
        return b"\n".join(lines)
    if kind == "drop":
        del lines[a % len(lines)]
        return b"\n".join(lines)
    if kind == "swap":
        i, j = a % len(lines), b % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    if kind == "blank":
        lines.insert(a % (len(lines) + 1), b"")
        return b"\n".join(lines)
    # Saved in another encoding, when the text has one.
    encoding = ("utf-16", "utf-16-be", "cp1252", "latin-1")[a % 4]
    try:
        return data.decode("utf-8").encode(encoding)
    except (UnicodeDecodeError, UnicodeEncodeError):
        return data


MUTATIONS = st.tuples(
    st.sampled_from(
        ["insert", "cut", "truncate", "value", "repeat", "drop", "swap", "blank", "encode"]
    ),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
)


@contextmanager
def watchdog(seconds: int = 120) -> Iterator[None]:
    """End the whole run, with every thread's traceback, if the block hangs."""
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def check(source: Path, folder: Path) -> None:
    """The run computes with reconciling totals, or stops with one clear error."""
    rejects = folder / "rejects.csv"
    args = ["metrics", str(source), "--format", "json", "--windows", "1,3", "--rejects"]
    with watchdog():
        result = CliRunner().invoke(app, [*args, str(rejects)])
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        # Rows may have been set aside before the run found nothing left to compute.
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
        return
    report = json.loads(result.stdout)["input"]
    assert report["rows_read"] == report["rows_accepted"] + report["rows_rejected"]
    assert sum(report["rejected_by_reason"].values()) == report["rows_rejected"]
    money = [Decimal(report[k]) for k in ("money_read", "money_accepted", "money_rejected")]
    assert money[0] == money[1] + money[2]
    with rejects.open(newline="", encoding="utf-8") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == report["rows_rejected"]
    # Without --rejects, the same file stops exactly when something was rejected.
    with watchdog():
        strict = CliRunner().invoke(app, args[:-1])
    assert strict.exit_code == (1 if report["rows_rejected"] else 0), strict.output


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    mutations=st.lists(MUTATIONS, min_size=1, max_size=4),
)
def test_a_broken_file_gives_a_clear_outcome(
    tmp_path: Path, seed: str, mutations: list[tuple[str, int, int, int]]
) -> None:
    data = SEEDS[seed].encode()
    for mutation in mutations:
        data = apply(data, mutation)
    folder = tmp_path / f"run{next(_runs)}"
    folder.mkdir()
    source = folder / "input.csv"
    source.write_bytes(data)
    check(source, folder)
