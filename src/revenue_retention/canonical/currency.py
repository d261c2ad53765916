"""The currency of amounts when no column names it: from the header, the values, or ``--currency``.

A file says what currency its amounts are in in one of these ways; the report records
which (``input.currency``: ``source`` and ``evidence``):

- a currency column (``canonical.fx``): each row names its own;
- ``--currency EUR``: the currency of every amount that does not name its own;
- the amount column's header: ``Amount (USD)``, ``MRR in EUR``, ``Amount ($)``;
- the values, written for display: ``$1,200.00``, ``2.640,00 EUR``, ``USD 90``.

``$`` and ``¥`` are written by several currencies: they are read as USD and JPY unless
``--currency`` or the header names another of theirs (``CAD``, ``CNY``), and a warning
says so. Amounts that name no currency in a file whose other amounts name one are in
that one (spreadsheets often show the sign on some cells only).

Amounts naming **different** currencies in one column (``$100`` beside ``90 EUR``) are
read as a currency column would be, because that is what they are: each row is in its
own currency, so the figures need ``--reporting-currency`` and exchange rates exactly as
with a currency column (``canonical.fx``); an amount naming none is rejected
(``missing_currency``) unless ``--currency`` or the header says which. Nothing is ever
added up across currencies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from revenue_retention.canonical.parse import (
    CURRENCY_CODE,
    CURRENCY_SIGNS,
    is_display_number,
    text_of,
)
from revenue_retention.errors import OptionError

__all__ = ["CODES", "Currency", "from_header", "infer", "value_marks"]

#: Currency codes recognised in a header (``Amount (USD)``, ``mrr_eur``): the currencies
#: finance exports are commonly in. Values may carry any three capitals (``90 XOF``).
_COMMON = (
    "USD EUR GBP JPY CNY CHF CAD AUD NZD SEK NOK DKK ISK PLN CZK HUF RON BGN HRK TRY UAH INR "
    "BRL MXN ARS CLP COP PEN ZAR NGN KES EGP MAD SGD HKD KRW TWD THB IDR MYR PHP VND ILS AED "
    "SAR QAR"
)
CODES = frozenset(_COMMON.split())
#: What each sign stands for when nothing says otherwise.
_SIGNS = {"$": "USD", "\u20ac": "EUR", "\u00a3": "GBP", "\u00a5": "JPY", "\u20b9": "INR"}
#: Signs that several currencies write, and those currencies (the likeliest first).
_SHARED = {
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP", "TWD"),
    "\u00a5": ("JPY", "CNY"),
}
_SIGN_NAMES = {"$": "dollars", "\u00a5": "yen or yuan"}
#: Dollars written with their country (``US$``, ``C$``, ``A$``), in a header.
_DOLLARS = {
    "us": "USD",
    "c": "CAD",
    "ca": "CAD",
    "a": "AUD",
    "au": "AUD",
    "nz": "NZD",
    "s": "SGD",
    "sg": "SGD",
    "hk": "HKD",
    "mx": "MXN",
    "r": "BRL",
}
_CODE = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True)
class Currency:
    """What the input says about the currency of its amounts, without a currency column."""

    #: The currencies the amounts are in (sorted); one for a single-currency file.
    codes: tuple[str, ...]
    #: The currency of an amount that names none (None: such an amount is rejected).
    default: str | None
    #: ``"option"``, ``"header"`` or ``"values"``: what said it first.
    source: str
    #: What shows it, in words, for the report.
    evidence: str
    #: What each currency sign stands for in this file.
    signs: Mapping[str, str] = field(default_factory=lambda: dict(_SIGNS))
    #: Warnings: a sign read as one of the currencies that write it.
    notes: tuple[str, ...] = ()

    @property
    def per_row(self) -> bool:
        """Whether rows are in different currencies (read as a currency column would be)."""
        return len(self.codes) > 1

    def row_code(self, amount: ir.Value) -> ir.StringValue:
        """Each row's currency: the code its amount names, else its sign's, else the default."""
        code, sign = marks(text_of(amount))
        default = (
            ibis.literal(self.default, type="string")
            if self.default is not None
            else ibis.null("string")
        )
        return ibis.cases(
            (code.notnull(), code),
            *[(sign == s, ibis.literal(c, type="string")) for s, c in sorted(self.signs.items())],
            else_=default,
        )

    def describe(self) -> dict[str, Any]:
        return {"source": self.source, "evidence": self.evidence}


def marks(text: ir.StringValue) -> tuple[ir.StringValue, ir.StringValue]:
    """The currency code and the sign an amount is written with (null when it has none).

    They are what ``parse.display_amount`` drops: a sign anywhere, a code of three
    capitals at either end once the signs are gone (``$1,200.00``, ``USD 90``).
    """
    signless = text.re_replace(CURRENCY_SIGNS, "").strip()
    code = signless.re_extract(f"({CURRENCY_CODE})", 1)
    sign = text.re_extract(f"({CURRENCY_SIGNS})", 1)
    return (
        ibis.ifelse(code.fill_null("") == "", ibis.null("string"), code),
        ibis.ifelse(sign.fill_null("") == "", ibis.null("string"), sign),
    )


def value_marks(table: ir.Table, column: str) -> list[dict[str, Any]]:
    """How the amounts of ``column`` name their currency: ``code, sign, n, example`` per way.

    One aggregate over the column; amounts naming none are the row with neither. Only
    values in a display format count (a plain ``1200.50`` names nothing).
    """
    text = text_of(table[column])
    code, sign = marks(text)
    shown = is_display_number(text).fill_null(False)
    named = ibis.ifelse(shown, code, ibis.null("string"))
    signed = ibis.ifelse(shown, sign, ibis.null("string"))
    rows = table.filter(text.notnull()).mutate(_code=named, _sign=signed, _text=text)
    found = (
        rows.group_by("_code", "_sign")
        .agg(n=rows.count(), example=rows._text.min())
        .order_by(ibis.desc("n"))
        .limit(50)
        .to_pyarrow()
        .to_pylist()
    )
    return [
        {"code": r["_code"], "sign": r["_sign"], "n": r["n"], "example": r["example"]}
        for r in found
    ]


def from_header(name: str) -> tuple[str, str | None] | None:
    """The currency a header names, and the sign it was read from (None for a code).

    >>> from_header("Amount (USD)"), from_header("MRR in eur"), from_header("Amount ($)")
    (('USD', None), ('EUR', None), ('USD', '$'))
    >>> from_header("Amount (C$)"), from_header("Customer ID"), from_header("USD/EUR") is None
    (('CAD', None), None, True)
    """
    found: set[tuple[str, str | None]] = set()
    for prefix in re.findall(r"(?<![A-Za-z])([A-Za-z]{1,2})\$", name):
        if prefix.lower() in _DOLLARS:
            found.add((_DOLLARS[prefix.lower()], None))
    bare = re.sub(r"(?<![A-Za-z])[A-Za-z]{1,2}\$", " ", name)
    for sign, code in _SIGNS.items():
        if sign in bare:
            found.add((code, sign))
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    for word in re.findall(r"[A-Za-z]+", spaced):
        if word.upper() in CODES and (word.isupper() or word.islower()):
            found.add((word.upper(), None))
    codes = {code for code, _ in found}
    if len(codes) != 1:
        return None
    explicit = [f for f in found if f[1] is None]
    return explicit[0] if explicit else found.pop()


def infer(
    given: str | None,
    headers: Sequence[str],
    values: Sequence[Mapping[str, Any]],
    column: str | None,
) -> Currency | None:
    """The currency of the amounts, from ``--currency``, the amount ``headers`` and the
    ``values`` (``value_marks``); None when nothing says it.

    ``column`` names the amount column in messages.
    """
    code = _given(given)
    header = _header(headers)
    if code is not None and header is not None:
        _check_agrees(code, header)
    default = code or (header[1] if header else None)
    signs = dict(_SIGNS)
    for sign, family in _SHARED.items():
        if default in family:
            signs[sign] = default
    named = _named_in_values(values, signs)
    sources = _sources(code, header, signs, named, column)
    if not sources:
        return None
    if default is None and len(named) == 1:
        default = next(iter(named))  # amounts naming none are in the file's one currency
    codes = set(named) | ({default} if default is not None else set())
    confirmed = code is not None or (header is not None and header[2] is None)
    return Currency(
        codes=tuple(sorted(codes)),
        default=default,
        source=sources[0][0],
        evidence="; ".join(text for _, text in sources),
        signs=signs,
        notes=tuple(_sign_notes(signs, named, header, confirmed, default)),
    )


def _named_in_values(
    values: Sequence[Mapping[str, Any]], signs: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """The currencies the values name (a code, or a sign read as ``signs`` says)."""
    named: dict[str, dict[str, Any]] = {}
    for row in values:
        found = row["code"] or (signs[row["sign"]] if row["sign"] else None)
        if found is None:
            continue
        seen = named.setdefault(found, {"n": 0, "example": row["example"], "signs": set()})
        seen["n"] += row["n"]
        if row["code"] is None:
            seen["signs"].add(row["sign"])
    return named


def _sources(
    code: str | None,
    header: tuple[str, str, str | None] | None,
    signs: Mapping[str, str],
    named: Mapping[str, Mapping[str, Any]],
    column: str | None,
) -> list[tuple[str, str]]:
    """Where the currency was read: the option, the header, the values (in that order)."""
    sources = []
    if code is not None:
        sources.append(("option", f"--currency {code}"))
    if header is not None:
        mark = header[2]
        shown = f"header {header[0]!r}" + (f" ({mark!r} read as {signs[mark]})" if mark else "")
        sources.append(("header", shown))
    if named:
        sources.append(("values", _values_text(named, column)))
    return sources


def _sign_notes(
    signs: Mapping[str, str],
    named: Mapping[str, Mapping[str, Any]],
    header: tuple[str, str, str | None] | None,
    confirmed: bool,
    default: str | None,
) -> list[str]:
    """A word for each shared sign ($, £, ...) read as its usual currency unconfirmed."""
    notes: list[str] = []
    for sign, usual in ((s, _SIGNS[s]) for s in _SHARED):
        read = any(sign in seen["signs"] for seen in named.values()) or (
            header is not None and header[2] == sign
        )
        if read and signs[sign] == usual and not (confirmed and default == usual):
            others = ", ".join(c for c in _SHARED[sign][1:5])
            notes.append(
                f"amounts written with {sign!r} are read as {usual}; if they are other "
                f"{_SIGN_NAMES[sign]}, say which with --currency ({others}, ...)"
            )
    return notes


def _given(given: str | None) -> str | None:
    if given is None:
        return None
    if not _CODE.match(given.strip()):
        raise OptionError("currency", given, "is not a currency code such as USD or EUR")
    return given.strip().upper()


def _header(headers: Sequence[str]) -> tuple[str, str, str | None] | None:
    """The amount header that names a currency: ``(header, code, sign)``."""
    found = [(h, *named) for h in headers if (named := from_header(h)) is not None]
    if len({code for _, code, _ in found}) != 1:
        return None  # none, or two amount columns naming different currencies
    return found[0]


def _check_agrees(code: str, header: tuple[str, str, str | None]) -> None:
    name, named, sign = header
    if code == named or (sign is not None and code in _SHARED.get(sign, ())):
        return
    raise OptionError(
        "currency", code, f"contradicts the header {name!r}, which says {named}: drop one"
    )


def _values_text(named: Mapping[str, Mapping[str, Any]], column: str | None) -> str:
    where = f" of column {column!r}" if column else ""  # a cube's are its month columns
    parts = [
        f"{c} ({seen['n']:,} amount(s), e.g. {seen['example']!r})"
        for c, seen in sorted(named.items())
    ]
    return f"the amounts{where}: " + ", ".join(parts)
