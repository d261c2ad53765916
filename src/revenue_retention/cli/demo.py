"""``retention demo``: generate the built-in demo company and run the main job on it."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.analyses import compute_metrics
from revenue_retention.canonical import load
from revenue_retention.cli.common import emit, stderr
from revenue_retention.cli.options import DEFAULT_OUTPUT_DIR, FORMAT, Format
from revenue_retention.datasets import write_demo_csv
from revenue_retention.errors import OptionError
from revenue_retention.outputs import metrics_document

__all__ = ["demo"]


def demo(
    out: Path = typer.Option(
        DEFAULT_OUTPUT_DIR, "--out", help="Folder for the demo data and outputs."
    ),
    format: Format = FORMAT,
    seed: int = typer.Option(
        7, "--seed", help="Seed of the generator; the same seed gives the same data."
    ),
) -> None:
    """Generate the demo SaaS company (about 2,000 customers, 36 months) and analyse it.

    Examples:

    \b
        retention demo
        retention demo --out /tmp/demo --format json
    """
    if out.exists() and not out.is_dir():
        raise OptionError("--out", str(out), "is a file; name a folder for the demo data")
    out.mkdir(parents=True, exist_ok=True)
    path = write_demo_csv(out / "demo.csv", seed=seed)
    if format is Format.table:
        stderr().print(f"demo data written to {path}", markup=False)
    emit(metrics_document(compute_metrics(load(path))), format, None)
