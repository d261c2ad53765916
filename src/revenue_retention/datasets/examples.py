"""Small realistic example files of every input adapter, shipped with the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from revenue_retention.outputs.files import OutputFiles

__all__ = ["EXAMPLES", "example_path", "write_examples"]

#: Each example file and what it shows (the README's "Inputs" section uses them).
EXAMPLES: dict[str, str] = {
    "revenue_cube.csv": "wide revenue cube, display-format amounts ($1,200.00), blanks = 0",
    "revenue_cube.xlsx": "the same cube as an Excel workbook (sheet 'Revenue')",
    "invoice_lines.csv": "invoice lines with service periods, spread over the months covered",
    "stripe_subscriptions.csv": "Stripe dashboard subscriptions export",
    "stripe_invoice_lines.csv": "Stripe dashboard invoice line items export",
    "multi_currency.csv": "MRR in EUR, GBP and USD (use with fx_rates.csv)",
    "fx_rates.csv": "exchange rates: date, currency, rate_to_reporting (USD)",
    "usage_charges.csv": "dated usage charges for --method trailing",
}


def example_path(name: str) -> Path:
    """The installed path of an example file.

    >>> example_path("revenue_cube.csv").name
    'revenue_cube.csv'
    """
    if name not in EXAMPLES:
        raise KeyError(f"no example {name!r}; examples: {', '.join(EXAMPLES)}")
    return Path(str(files("revenue_retention.datasets") / "examples" / name))


def write_examples(folder: Path) -> list[Path]:
    """Copy every example file into ``folder``, all or none; returns the paths written."""
    written = [Path(folder) / name for name in EXAMPLES]
    with OutputFiles() as out:
        for name, path in zip(EXAMPLES, written, strict=True):
            with out.open_binary(path) as handle:
                handle.write(example_path(name).read_bytes())
    return written
