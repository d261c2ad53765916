"""Header names as a person or an export writes them, compared with the names the tool knows.

``Invoice Date``, ``invoice-date``, ``InvoiceDate`` and ``INVOICE_DATE`` are one name;
``Amount (USD)`` and ``Amount in EUR`` are ``amount`` with a currency beside it (the
currency itself is read by ``canonical.currency``). A name that misses by a typo
(``Custmer ID``, ``Invoice_Dat``) is suggested, never taken.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from revenue_retention.canonical.currency import CODES

__all__ = ["candidates", "closest", "normalise", "suggest_column"]

#: Word boundaries inside camelCase (``InvoiceDate``, ``CustomerID``, ``MRRAmount``).
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CURRENCY_WORDS = frozenset(code.lower() for code in CODES)
#: How alike two names must be (difflib's ratio) to be suggested: one typo in a short name.
_CUTOFF = 0.8
#: Columns looked at for a suggestion: a header wider than this is a cube, not a typo.
_MAX_LOOKED_AT = 2000


def normalise(name: str) -> str:
    """``Invoice Date`` -> ``invoice_date``: case, spaces, punctuation and camelCase ignored.

    >>> [normalise(n) for n in ("Invoice Date", "InvoiceDate", "CUSTOMER.ID", "Amount ($)")]
    ['invoice_date', 'invoice_date', 'customer_id', 'amount']
    """
    split = _CAMEL.sub("_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", split.lower()).strip("_")


def candidates(name: str) -> tuple[str, ...]:
    """The names a header may stand for: itself, then without a currency beside it.

    >>> candidates("Amount (USD)"), candidates("MRR in EUR"), candidates("Customer ID")
    (('amount_usd', 'amount'), ('mrr_in_eur', 'mrr'), ('customer_id',))
    """
    full = normalise(name)
    words = full.split("_")
    kept = [w for w in words if w not in _CURRENCY_WORDS]
    if len(kept) == len(words) or not kept:
        return (full,)
    if kept[-1] == "in":  # "amount in usd"
        kept.pop()
    bare = "_".join(kept)
    return (full, bare) if bare and bare != full else (full,)


def closest(wanted: str, names: Sequence[str]) -> str | None:
    """The name among ``names`` nearest to ``wanted`` (compared normalised), if any is near.

    >>> closest("Invoice_Dat", ["Custmer ID", "Invoice Date", "Amount"])
    'Invoice Date'
    >>> closest("net", ["customer_id", "month", "mrr"]) is None
    True
    """
    by_norm: dict[str, str] = {}
    for name in names[:_MAX_LOOKED_AT]:
        by_norm.setdefault(normalise(name), name)
    found = difflib.get_close_matches(normalise(wanted), list(by_norm), n=1, cutoff=_CUTOFF)
    return by_norm[found[0]] if found else None


def suggest_column(
    aliases: Iterable[str], header: Sequence[str], used: Iterable[str]
) -> str | None:
    """The header column most like one of a role's ``aliases`` (``Custmer ID``), if any is.

    Columns already given another role are not suggested.

    >>> suggest_column(["customer_id", "customer"], ["Custmer ID", "Month", "MRR"], ["Month"])
    'Custmer ID'
    """
    taken = set(used)
    free = [h for h in header[:_MAX_LOOKED_AT] if h not in taken]
    by_norm: dict[str, str] = {}
    for name in free:
        for candidate in candidates(name):
            by_norm.setdefault(candidate, name)
    best: tuple[float, str] | None = None
    for alias in aliases:
        for match in difflib.get_close_matches(alias, list(by_norm), n=1, cutoff=_CUTOFF):
            score = difflib.SequenceMatcher(None, alias, match).ratio()
            if best is None or score > best[0]:
                best = (score, by_norm[match])
    return best[1] if best else None
