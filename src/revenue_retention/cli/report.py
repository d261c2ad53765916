"""``retention report``: one offline HTML report (and optionally an Excel workbook)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from revenue_retention.cli.options import (
    SOURCE,
    UNIT,
    Format,
    InputOptions,
    with_input_options,
)
from revenue_retention.errors import OptionError

__all__ = ["QUIET", "report"]

QUIET = typer.Option(False, "--quiet", "-q", help="No progress display.")


def _check_target(path: Path, option: str, suffix: str) -> None:
    # os.path.isdir, unlike Path.is_dir, says False where it cannot look; a place that
    # cannot be written is said by load_input's check.
    if os.path.isdir(path):
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
        12,
        "--window",
        "-k",
        help="Headline window in months (benchmarks are for 12). With fewer months of data, "
        "the longest window the data supports, said in the report.",
    ),
    title: str | None = typer.Option(
        None,
        "--title",
        help="The company's name: heads the report and the workbook's Summary sheet.",
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
    unit: str = UNIT,
    quiet: bool = QUIET,
    *,
    inputs: InputOptions,
) -> None:
    """Write the report: the answer on its first screen, the analyst appendix below.

    One self-contained HTML file (scripts and styles inline; it opens offline and makes no
    request). First screen: the answer in one sentence; GRR, NRR and logo retention with
    their last 12 months and benchmark bands; MRR and its monthly movements; data notes
    (rejected rows, guessed dates or amounts, look-alike ids). Appendix: bridge, trend,
    cohort, segment, concentration, expansion, seasonality and methods charts, each with
    its figures as a table; rows read, accepted and rejected; definitions; the customers
    behind each movement. --xlsx writes the same as sheets. --unit arr shows every amount
    of both as ARR (MRR x 12). With fewer months than the window needs, the report uses
    the longest window the data has and says so. Prints the answer in one line.

    Examples:

    \b
        retention report mrr.csv -o report.html
        retention report mrr.csv -o report.html --xlsx report.xlsx --title "Acme Ltd"
        retention report subscriptions.csv --by plan --as-of 2024-12 -o q4.html
        retention report mrr.csv --unit arr -o report-arr.html --xlsx report-arr.xlsx
    """
    from revenue_retention.analyses.benchmarks import load_benchmarks
    from revenue_retention.analyses.overview import STEPS, compute_overview
    from revenue_retention.analyses.units import check_unit
    from revenue_retention.cli.common import load_input, stderr, terminal_width
    from revenue_retention.cli.progress import steps
    from revenue_retention.outputs.console import SafeConsole
    from revenue_retention.outputs.files import OutputFiles
    from revenue_retention.outputs.metrics.terminal import answer_line
    from revenue_retention.outputs.overview.report import render_report, window_note

    _check_target(output, "--output", ".html")
    if xlsx is not None:
        _check_target(xlsx, "--xlsx", ".xlsx")
    chosen_unit = check_unit(unit)
    bench = load_benchmarks(benchmarks)
    with steps(quiet) as step:
        step("reading the input", STEPS + 3)
        # warnings go to stderr, like any machine-readable output
        data = load_input(
            source,
            inputs,
            format=Format.json,
            outputs={"--output": output, "--xlsx": xlsx},
            reads=[benchmarks],
        )
        ov = compute_overview(
            data, window_months=window, by=by, benchmarks=bench, step=step, unit=chosen_unit
        )
        step("writing the report")
        # The report and the workbook appear together, or neither does.
        with OutputFiles() as files:
            with files.open(output) as handle:
                handle.write(render_report(ov, title=title))
            step("writing the workbook")
            if xlsx is not None:
                # Excel only when asked: openpyxl is not loaded otherwise.
                from revenue_retention.outputs.overview.workbook import save_workbook

                with files.open_binary(xlsx) as binary:
                    save_workbook(ov, binary, title=title)
    err = stderr()
    if (note := window_note(ov)) is not None:
        err.print(f"note: {note}", markup=False)
    if (answer := answer_line(ov.metrics, ov.window)) is not None:
        SafeConsole(highlight=False, width=terminal_width()).print(answer)
    for path in (output, xlsx):
        if path is not None:
            err.print(f"written: {path}", markup=False)
