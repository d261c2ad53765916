"""``retention demo``: generate the built-in demo company and run the main job on it."""

from __future__ import annotations

import shutil
import sys
import warnings
from pathlib import Path

import typer

from revenue_retention.cli.options import DEFAULT_OUTPUT_DIR, FORMAT, Format
from revenue_retention.cli.report import QUIET
from revenue_retention.errors import DataWarning, OptionError

__all__ = ["demo", "next_step"]


def demo(
    out: Path = typer.Option(
        DEFAULT_OUTPUT_DIR, "--out", help="Folder for the demo data and outputs."
    ),
    format: Format = FORMAT,
    seed: int = typer.Option(
        7, "--seed", help="Seed of the generator; the same seed gives the same data."
    ),
    quiet: bool = QUIET,
) -> None:
    """Generate the demo SaaS company (about 2,000 customers, 36 months) and analyse it.

    Prints the bridge and retention, then writes the demo's HTML report and Excel workbook
    (report.html, report.xlsx) next to the data and prints their paths.

    Examples:

    \b
        retention demo
        retention demo --out /tmp/demo --format json
    """
    from revenue_retention.analyses import compute_metrics
    from revenue_retention.analyses.overview import STEPS, compute_overview
    from revenue_retention.canonical import load
    from revenue_retention.cli.common import emit, stderr
    from revenue_retention.cli.progress import steps
    from revenue_retention.datasets import write_demo_csv
    from revenue_retention.outputs.files import OutputFiles, check_targets
    from revenue_retention.outputs.overview.report import render_report
    from revenue_retention.outputs.overview.workbook import save_workbook
    from revenue_retention.outputs.registry import document

    if out.exists() and not out.is_dir():
        raise OptionError("--out", str(out), "is a file; name a folder for the demo data")
    html, xlsx = out / "report.html", out / "report.xlsx"
    check_targets([("--out", path) for path in (out / "demo.csv", html, xlsx)], [])
    path = write_demo_csv(out / "demo.csv", seed=seed)
    if format is Format.table:
        stderr().print(f"demo data written to {path}", markup=False)
    with warnings.catch_warnings():  # the demo's data is clean; the report shows any note
        warnings.simplefilter("ignore", DataWarning)
        data = load(path)
    emit(document(compute_metrics(data)), format, None)
    with steps(quiet) as step:
        step("analysing the demo data", STEPS + 2)
        ov = compute_overview(data, step=step)
        step("writing the report")
        with OutputFiles() as files:
            with files.open(html) as handle:
                handle.write(render_report(ov))
            step("writing the workbook")
            with files.open_binary(xlsx) as binary:
                save_workbook(ov, binary)
    err = stderr()
    err.print(f"workbook written to {xlsx}", markup=False)
    err.print(f"report written to {html.resolve()}", markup=False)
    err.print(next_step(), markup=False)


def next_step() -> str:
    """What to run on one's own data (the README's "Your own data in three steps")."""
    command, activate = _command()
    lines = [
        "",
        "Next, your own data: one file (CSV, Excel or Parquet) with three columns, the customer,",
        "the month and the amount (customer_id,month,mrr; export headers such as 'Customer ID',",
        "'Invoice Date' or 'Amount (USD)' are recognised). Then:",
        f"  {command} metrics my_billing.csv",
        f"  {command} report my_billing.csv -o my_report.html",
    ]
    if activate is not None:
        lines += [
            f"In a new shell, `source {activate}` first to type just `retention`, or install it",
            "for good: `pipx install .` or `uv tool install .` "
            '(README, "Your own data in three steps").',
        ]
    return "\n".join(lines)


def _command() -> tuple[str, str | None]:
    """How this shell runs ``retention``, and the script that activates its environment.

    ``make demo`` runs ``.venv/bin/retention``, which a new shell does not find by name.
    """
    argv0 = Path(sys.argv[0])
    if argv0.name != "retention":  # run another way (python -m, a test): by its name
        return "retention", None
    found = shutil.which("retention")
    if found is not None and Path(found).resolve() == argv0.resolve():
        return "retention", None
    script = argv0.resolve()
    try:
        shown = script.relative_to(Path.cwd().resolve())
    except ValueError:
        shown = script
    activate = shown.parent / "activate"
    return str(shown), str(activate) if (script.parent / "activate").is_file() else None
