"""``retention report``: one offline HTML report (and optionally an Excel workbook)."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.cli.options import (
    SOURCE,
    Format,
    InputOptions,
    with_input_options,
)
from revenue_retention.errors import OptionError

__all__ = ["QUIET", "report"]

QUIET = typer.Option(False, "--quiet", "-q", help="No progress display.")


def _check_target(path: Path, option: str, suffix: str) -> None:
    if path.is_dir():
        raise OptionError(option, str(path), "is a folder; name a file to write")
    if path.suffix.lower() != suffix:
        raise OptionError(option, str(path), f"should end in {suffix}")


@with_input_options
def report(
    source: str = SOURCE,
    output: Path = typer.Option(
        Path("report.html"), "--output", "-o", help="The HTML file to write."
    ),
    xlsx: Path | None = typer.Option(
        None, "--xlsx", help="Also write the same content as an Excel workbook here."
    ),
    window: int = typer.Option(
        12, "--window", "-k", help="Headline window in months (benchmarks are for 12)."
    ),
    by: str | None = typer.Option(
        None,
        "--by",
        metavar="COLUMN",
        help="Attribute of the segment breakdown (default: segment, plan, tier, region, "
        "country or industry if present, else size_band of starting MRR).",
    ),
    benchmarks: Path | None = typer.Option(
        None, "--benchmarks", help="A TOML file of bands and medians to use instead of ours."
    ),
    quiet: bool = QUIET,
    *,
    inputs: InputOptions,
) -> None:
    """Write the report: the answer in words, every chart, the input reconciled.

    One self-contained HTML file (scripts and styles inline; it opens offline and makes no
    request): headline GRR, NRR and logo retention with benchmark bands, trends and
    diagnostics; bridge, trend, cohort, segment, concentration, expansion, seasonality and
    methods charts, each with its figures as a table; rows read, accepted and rejected;
    definitions; the customers behind each movement. --xlsx writes the same as sheets.

    Examples:

    \b
        retention report mrr.csv -o report.html
        retention report mrr.csv -o report.html --xlsx report.xlsx
        retention report subscriptions.csv --by plan --as-of 2024-12 -o q4.html
    """
    from revenue_retention.analyses.benchmarks import load_benchmarks
    from revenue_retention.analyses.overview import STEPS, overview
    from revenue_retention.cli.common import load_input, stderr
    from revenue_retention.cli.progress import steps
    from revenue_retention.outputs.report import write_report

    _check_target(output, "--output", ".html")
    if xlsx is not None:
        _check_target(xlsx, "--xlsx", ".xlsx")
    bench = load_benchmarks(benchmarks)
    with steps(quiet) as step:
        step("reading the input", STEPS + 3)
        # warnings go to stderr, like any machine-readable output
        data = load_input(source, inputs, format=Format.json)
        ov = overview(data, window=window, by=by, benchmarks=bench, step=step)
        step("writing the report")
        written = [write_report(ov, output)]
        step("writing the workbook")
        if xlsx is not None:
            from revenue_retention.outputs.workbook import write_workbook  # Excel when asked

            written.append(write_workbook(ov, xlsx))
    for path in written:
        stderr().print(f"written: {path}", markup=False)
