"""Words for a reader of the report and the workbook, who has neither the CLI nor METRICS.md.

The currency the amounts are in (when the input names or shows it), money titles that
carry it, column headers in words instead of JSON field names, and input notes with the
command-line hints taken out (a reader of a report cannot pass ``--date-order``).
"""

from __future__ import annotations

import re

from revenue_retention.canonical import InputReport
from revenue_retention.metrics.groups import SIZE_BAND

__all__ = ["attribute_label", "currency_code", "field_label", "money_title", "reader_text"]


def currency_code(report: InputReport) -> str | None:
    """The currency every amount is in (``USD``), or None when the input does not say.

    It is the reporting currency of the input report: the currency column's only
    currency, the one converted to, or the one inferred from symbols or the header.
    """
    info = report.currency
    if not info:
        return None
    code = info.get("reporting_currency")
    return str(code) if code else None


def money_title(what: str, currency: str | None) -> str:
    """An axis or column title for amounts: ``MRR (USD)``, or ``MRR`` without a currency."""
    return f"{what} ({currency})" if currency else what


# A clause that tells a command-line user which option to pass: from its start (after a
# sentence or clause boundary) to the end of its sentence (a full stop before a capital or
# the end, so that "e.g." does not end it), or of its clause (a semicolon).
_CLI_CLAUSE = re.compile(
    r"(?:(?<=[.;:,])|^)\s*(?:or\s+)?[^.;:,]*?(?<![\w-])--[a-z][a-z0-9-]*"
    r".*?(?:\.(?=\s+[A-Z]|\s*$)|;|$)"
)


# A pointer to the project's specification, which the reader does not have: the page's
# own definitions say the same in words.
_SPEC_REFERENCE = re.compile(
    r"\s*\((?:[^()]*?,\s*)?(?:METRICS\.md\s*)?(?:§|section\s)\s*[\d.,\s§-]*\)"
    r"|,?\s*METRICS\.md(?:\s*(?:§|section\s)\s*[\d.,§-]*\d)?"
)


def reader_text(text: str) -> str:
    """``text`` without the clauses that name a command-line option or METRICS.md.

    >>> reader_text("dates are read day first; 3 read both ways. Say otherwise with --date-order")
    'dates are read day first; 3 read both ways.'
    >>> reader_text("mixed writing: write dates as YYYY-MM-DD, or say which with --date-order")
    'mixed writing: write dates as YYYY-MM-DD.'
    >>> reader_text("the reference (METRICS.md §3): the customers paying at 2024-12")
    'the reference: the customers paying at 2024-12.'
    >>> reader_text("no column for price. Name it with --column ROLE=COLUMN, e.g. --column x=y.")
    'no column for price.'
    """
    kept = _SPEC_REFERENCE.sub("", text)
    kept = _CLI_CLAUSE.sub("", kept).strip()
    kept = re.sub(r"\s*[,;:]\s*$", "", kept)
    if kept and kept[-1] not in ".!?)":
        kept += "."
    return kept


#: Field names whose words are not just the name with spaces (acronyms, units, signs).
_FIELD_WORDS = {
    "as_of": "As of",
    "period": "Month",
    "window_months": "Window (months)",
    "opening_mrr": "Opening MRR",
    "closing_mrr": "Closing MRR",
    "starting_mrr": "Starting MRR",
    "ending_mrr": "Ending MRR",
    "start_mrr": "Start MRR",
    "end_mrr": "End MRR",
    "base_mrr": "MRR at age 0",
    "retained_mrr": "Retained MRR",
    "annual_starting_mrr": "Annual starting MRR",
    "cumulative_mrr": "Cumulative MRR",
    "mrr": "MRR",
    "mrr_share": "Share of MRR",
    "grr": "GRR",
    "nrr": "NRR",
    "logo_retention": "Logo retention",
    "customer_id": "Customer",
    "customers": "Customers",
    "nrr_excluding_price": "NRR excluding price increases",
    "ci_low": "Interval low",
    "ci_high": "Interval high",
    "ci_level": "Interval level",
    "change_vs_year_earlier": "Change vs a year earlier",
    "year_earlier_as_of": "Year earlier as of",
    "year_earlier": "Year earlier",
    "herfindahl": "Herfindahl index",
    "fx": "Exchange-rate effect",
    "fx_effect": "Exchange-rate effect",
    "why": "Why it differs",
    "m0": "Month 0",
}
_ACRONYMS = {
    "mrr": "MRR",
    "grr": "GRR",
    "nrr": "NRR",
    "ci": "interval",
    "fx": "exchange-rate",
    "arr": "ARR",
    "arpa": "ARPA",
    "ltv": "LTV",
}


def field_label(name: str) -> str:
    """A JSON field name in words for a column header: ``starting_mrr`` -> ``Starting MRR``.

    >>> field_label("grr_vs_cohort"), field_label("share_of_expansion"), field_label("m12")
    ('GRR vs cohort', 'Share of expansion', 'Month 12')
    """
    if name in _FIELD_WORDS:
        return _FIELD_WORDS[name]
    if re.fullmatch(r"m\d+", name):
        return f"Month {name[1:]}"
    words = [_ACRONYMS.get(w, w) for w in name.split("_") if w]
    if not words:
        return name
    first = words[0]
    words[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(words)


def attribute_label(name: str) -> str:
    """An attribute as a reader's words: the user's own column as named, ``size band`` for
    the band of MRR the tool derives (``--by size_band``)."""
    return "size band" if name == SIZE_BAND else name
