"""``retention examples``: write the example file of every input adapter, with a command each."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.errors import OptionError

__all__ = ["examples"]

#: How each example is read (the README shows the same commands with their output).
_COMMANDS = {
    "revenue_cube.csv": "retention metrics {dir}/revenue_cube.csv --windows 1,3",
    "revenue_cube.xlsx": "retention metrics {dir}/revenue_cube.xlsx --sheet Revenue --windows 1,3",
    "invoice_lines.csv": "retention metrics {dir}/invoice_lines.csv --windows 1,3",
    "stripe_subscriptions.csv": "retention metrics {dir}/stripe_subscriptions.csv --windows 1",
    "stripe_invoice_lines.csv": "retention metrics {dir}/stripe_invoice_lines.csv --windows 1",
    "multi_currency.csv": (
        "retention metrics {dir}/multi_currency.csv --fx-rates {dir}/fx_rates.csv "
        "--reporting-currency USD --windows 1,3"
    ),
    "usage_charges.csv": "retention metrics {dir}/usage_charges.csv --method trailing --windows 12",
}


def examples(
    out: Path = typer.Option(
        Path("out/examples"), "--out", help="Folder to write the example files into."
    ),
) -> None:
    """Write a small realistic example file of every input adapter, and how to read each.

    Examples:

    \b
        retention examples
        retention examples --out /tmp/examples
    """
    from revenue_retention.cli.common import stderr
    from revenue_retention.datasets import EXAMPLES, write_examples

    if out.exists() and not out.is_dir():
        raise OptionError("--out", str(out), "is a file; name a folder for the examples")
    written = write_examples(out)
    for path in written:
        typer.echo(f"{path}  ({EXAMPLES[path.name]})")
        command = _COMMANDS.get(path.name)
        if command:
            typer.echo(f"    {command.format(dir=out)}")
    stderr().print(f"{len(written)} example files written to {out}", markup=False)
