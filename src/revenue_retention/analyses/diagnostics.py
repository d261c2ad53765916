"""Benchmarks and plain-language diagnostics of retention, with the numbers behind them (§7).

Each diagnostic has a stable ``id``, says whether it is triggered (``None`` when the data
cannot tell), and carries its ``inputs`` and ``threshold`` so that a reader, or a program,
can check the sentence against the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow.compute as pc

from revenue_retention.analyses._result import Result
from revenue_retention.analyses.advice import Advice, what_to_do_first
from revenue_retention.analyses.benchmarks import Band, Benchmarks, load_benchmarks
from revenue_retention.analyses.cohorts import cohort_label, compute_cohorts
from revenue_retention.analyses.concentration import compute_concentration
from revenue_retention.analyses.decompose import compute_decomposition
from revenue_retention.analyses.seasonality import compute_seasonality
from revenue_retention.analyses.uncertainty import (
    DEFAULT_RESAMPLES,
    compute_intervals,
    small_base_notes,
)
from revenue_retention.canonical import Dataset, InputReport
from revenue_retention.errors import InputError, OptionError
from revenue_retention.metrics import retention
from revenue_retention.metrics.spec import ratio
from revenue_retention.periods import as_of_month, check_window, month_label

__all__ = [
    "STATUS",
    "Diagnosis",
    "Diagnostic",
    "Placement",
    "Thresholds",
    "compute_diagnosis",
    "pct",
]


def pct(value: float | None, places: int = 0) -> str:
    """A rate as a percentage for sentences.

    >>> pct(1.1234), pct(0.78, 1)
    ('112%', '78.0%')
    """
    return "n/a" if value is None else f"{value * 100:.{places}f}%"


@dataclass(frozen=True)
class Thresholds:
    """Where each diagnostic triggers; every one can be changed by the caller."""

    leaky_grr_below: float = 0.85
    leaky_nrr_at_least: float = 1.00
    #: Expansion dependence (§7 names only the spread NRR - GRR): a weak GRR (the band
    #: below 85%) with expansion adding at least this many points to reach NRR.
    expansion_grr_below: float = 0.85
    expansion_spread_at_least: float = 0.15
    concentration_nrr_without_top_below: float = 1.00
    concentration_top_share_above: float = 0.50
    borrowed_price_share_at_least: float = 0.50
    #: ... or price increases are what lifts NRR to 100% or more: without them it is below.
    borrowed_nrr_excluding_price_below: float = 1.00
    drift_age_months: int = 6
    drift_recent_cohorts: int = 3
    drift_gap_at_least: float = 0.05
    seasonal_swing_ratio: float = 2.0
    seasonal_min_swing_pp: float = 2.0
    small_base_level: float = 0.9
    # The early warnings (``early_warnings``).
    trend_quarters: int = 6
    trend_slope_at_most: float = -0.005
    trend_max_p: float = 0.2
    segment_over_months: int = 3
    segment_drop_points: float = 5.0
    segment_total_held_points: float = 2.0
    segment_min_share: float = 0.05
    early_age_months: int = 3
    early_recent_cohorts: int = 3
    early_gap_points: float = 5.0
    risk_recent_months: int = 3
    risk_share_at_least: float = 0.25
    price_followup_months: int = 6
    price_followup_gap_points: float = 5.0
    price_followup_min_customers: int = 5


#: A diagnostic's status by ``triggered``: found, checked and not found, or not run.
STATUS = {True: "warning", False: "ok", None: "not run"}


@dataclass(frozen=True)
class Diagnostic:
    """One finding: triggered or not (None: it could not run), in words, with its evidence.

    A diagnostic that could not run (no cohort, no line items to split price from
    volume) says why in ``message``; its ``status`` is ``"not run"``, never ``"ok"``.
    """

    id: str
    title: str
    triggered: bool | None
    message: str
    inputs: dict[str, Any]
    threshold: dict[str, Any]

    @property
    def status(self) -> str:
        """``"warning"`` (triggered), ``"ok"`` (checked and not found) or ``"not run"``."""
        return STATUS[self.triggered]


@dataclass(frozen=True)
class Placement:
    """A rate placed in its benchmark band, next to the published median."""

    metric: str
    value: float | None
    band: Band | None
    median: float | None
    median_source: str | None


@dataclass(frozen=True, repr=False)
class Diagnosis(Result):
    """The rates of one window, their bands, and every diagnostic."""

    input: InputReport
    as_of: int
    window_months: int
    customers: int
    rates: dict[str, float | None]
    placements: tuple[Placement, ...]
    diagnostics: tuple[Diagnostic, ...]
    benchmarks_path: str
    extra: dict[str, Any] = field(default_factory=dict)
    #: The "what to do first" line (``advice.what_to_do_first``), ``None`` without a GRR.
    advice: Advice | None = None


Rule = Callable[[Dataset, dict[str, Any], Thresholds], Diagnostic]

_NO_COHORT = "Not run: no customers paying at the window's start, so no cohort to judge."


def _leaky_bucket(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """Defines: leaky bucket, NRR >= 100% while GRR < 85% (METRICS.md §7)."""
    grr, nrr = facts["grr"], facts["nrr"]
    threshold = {"nrr_at_least": t.leaky_nrr_at_least, "grr_below": t.leaky_grr_below}
    if grr is None or nrr is None:
        return Diagnostic("leaky_bucket", "Leaky bucket", None, _NO_COHORT, {}, threshold)
    hit = nrr >= t.leaky_nrr_at_least and grr < t.leaky_grr_below
    if hit:
        message = f"NRR {pct(nrr)} but GRR {pct(grr)}: expansion is covering a leak."
    else:
        message = f"GRR {pct(grr)} with NRR {pct(nrr)}: " + (
            "losses are contained."
            if grr >= t.leaky_grr_below
            else "expansion does not cover the losses."
        )
    return Diagnostic(
        "leaky_bucket", "Leaky bucket", hit, message, {"grr": grr, "nrr": nrr}, threshold
    )


def _expansion_dependence(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """The spread NRR - GRR (§7), read against GRR's band: a warning only on a weak base.

    Defines: expansion dependence, the spread NRR - GRR (METRICS.md §7).

    Seed 003: two businesses at NRR 110%, one with GRR 95% (healthy: expansion grows a
    base that keeps its revenue), one with GRR 75% (fragile: expansion has to work every
    year just to stand still). So the rule is GRR below the weak band's edge (85%) while
    expansion adds at least 15 points; a large spread on an acceptable or strong GRR is
    growth, said as such.
    """
    grr, nrr = facts["grr"], facts["nrr"]
    threshold = {
        "grr_below": t.expansion_grr_below,
        "spread_at_least": t.expansion_spread_at_least,
        "rule": (
            f"GRR below {pct(t.expansion_grr_below)} (weak) while NRR exceeds GRR by at "
            f"least {t.expansion_spread_at_least * 100:g} points"
        ),
    }
    if grr is None or nrr is None:
        return Diagnostic(
            "expansion_dependence",
            "Expansion dependence",
            None,
            _NO_COHORT,
            {},
            threshold,
        )
    spread = nrr - grr
    weak = grr < t.expansion_grr_below
    wide = spread >= t.expansion_spread_at_least
    hit = weak and wide
    points = f"NRR exceeds GRR by {spread * 100:.1f} points"
    if hit:
        message = (
            f"{points} on a weak GRR of {pct(grr, 1)}: on its own the base keeps only "
            f"{pct(grr, 1)} of its revenue, and growth depends on expansion continuing."
        )
    elif wide:
        message = (
            f"{points}, on a GRR of {pct(grr, 1)} that is not weak: expansion grows a base "
            "that keeps its revenue."
        )
    else:
        message = f"{points}: growth from the base does not hinge on expansion."
    return Diagnostic(
        "expansion_dependence",
        "Expansion dependence",
        hit,
        message,
        {"grr": grr, "nrr": nrr, "spread": spread},
        threshold,
    )


def _cohort_drift(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """Defines: cohort drift (METRICS.md §7)."""
    age, recent_n = t.drift_age_months, t.drift_recent_cohorts
    threshold = {
        "age_months": age,
        "recent_cohorts": recent_n,
        "gap_at_least": t.drift_gap_at_least,
    }
    cohorts = compute_cohorts(data, metric="nrr", grain="quarter").cohorts
    at_age = cohorts.filter(
        pc.and_(pc.equal(cohorts["age_months"], age), cohorts["complete"])
    ).sort_by("cohort_index")
    # The first cohort holds everyone already paying when the data starts: not a vintage.
    rows = [
        r for r in at_age.to_pylist() if r["cohort_index"] != cohorts["cohort_index"][0].as_py()
    ]
    if len(rows) < recent_n + 1:
        return Diagnostic(
            "cohort_drift",
            "Cohort drift",
            None,
            f"Not run: too few quarterly cohorts have reached month {age} to compare recent "
            "and older ones.",
            {"cohorts_at_age": len(rows)},
            threshold,
        )
    recent, older = rows[-recent_n:], rows[:-recent_n]

    def weighted(group: list[dict[str, Any]], name: str) -> float:
        # Exact sums of money; only the ratio becomes a float.
        base = sum((r["base_mrr"] for r in group), Decimal(0))
        kept = sum((r[name] for r in group), Decimal(0))
        # 0.0, not null, on an empty base: this rule's behaviour before spec.ratio.
        return ratio(kept, base) or 0.0

    def logos(group: list[dict[str, Any]]) -> float | None:
        active = sum(r["active_customers"] for r in group)
        return ratio(active, sum(r["cohort_customers"] for r in group))

    recent_nrr, older_nrr = weighted(recent, "mrr"), weighted(older, "mrr")
    recent_logo, older_logo = logos(recent), logos(older)
    gap = older_nrr - recent_nrr
    hit = gap >= t.drift_gap_at_least
    labels = [cohort_label(r["cohort_index"], "quarter") for r in recent]
    message = (
        f"At month {age}, the {recent_n} latest quarterly cohorts keep {pct(recent_nrr)} of their "
        f"starting MRR against {pct(older_nrr)} for older ones"
        + (": recent customers retain worse." if hit else ".")
    )
    return Diagnostic(
        "cohort_drift",
        "Cohort drift",
        hit,
        message,
        {
            "recent_cohorts": labels,
            "recent_nrr": recent_nrr,
            "older_nrr": older_nrr,
            "recent_logo_retention": recent_logo,
            "older_logo_retention": older_logo,
            "gap": gap,
        },
        threshold,
    )


def _known(facts: dict[str, Any], name: str, fits: Callable[[Any], bool]) -> Any:
    """A result the caller already computed (``compute_diagnosis(known=...)``), if it fits."""
    result = facts["known"].get(name)
    return result if result is not None and fits(result) else None


def _same_window(facts: dict[str, Any]) -> Callable[[Any], bool]:
    return lambda r: r.as_of == facts["as_of"] and r.window_months == facts["window_months"]


def _seasonality(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    result = _known(
        facts,
        "seasonality",
        lambda r: (
            r.swing_ratio == t.seasonal_swing_ratio and r.min_swing_pp == t.seasonal_min_swing_pp
        ),
    ) or compute_seasonality(
        data, swing_ratio=t.seasonal_swing_ratio, min_swing_pp=t.seasonal_min_swing_pp
    )
    flags = [s.flagged for s in result.swings]
    hit = (
        True
        if any(f is True for f in flags)
        else (None if all(f is None for f in flags) else False)
    )
    parts = []
    for s in result.swings:
        if s.flagged is None or s.quarterly_spread is None or s.annual_spread is None:
            parts.append(f"{s.rate.upper()}: {s.reason}")
        else:
            parts.append(
                f"quarterly {s.rate.upper()} swings {s.quarterly_spread * 100:.1f} points "
                f"across the year against {s.annual_spread * 100:.1f} for the annual figure"
            )
    message = "; ".join(parts) + ("." if not hit else ": read single quarters with care.")
    if hit is None:
        message = f"Not run: {message[0].lower()}{message[1:]}"
    return Diagnostic(
        "seasonality",
        "Seasonality",
        hit,
        message[0].upper() + message[1:],
        {
            s.rate: {
                "quarterly_spread": s.quarterly_spread,
                "annual_spread": s.annual_spread,
                "flagged": s.flagged,
            }
            for s in result.swings
        },
        {"swing_ratio": t.seasonal_swing_ratio, "min_swing_pp": t.seasonal_min_swing_pp},
    )


def _concentration(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """Defines: concentration diagnostic (METRICS.md §7)."""
    threshold = {
        "nrr_without_top_expander_below": t.concentration_nrr_without_top_below,
        "top_expander_share_above": t.concentration_top_share_above,
    }
    result = _known(facts, "concentration", _same_window(facts)) or compute_concentration(
        data, as_of=month_label(facts["as_of"]), window_months=facts["window_months"]
    )
    nrr, without_top = result.nrr, result.nrr_without_top_expanders(1)
    top_share = result.expansion_share_of_top(1)
    inputs = {
        "nrr": nrr,
        "nrr_without_top_expander": without_top,
        "nrr_without_top_3_expanders": result.nrr_without_top_expanders(3),
        "top_expander_share_of_expansion": top_share,
        "top_customer_share_of_starting_mrr": result.share_of_top(1),
    }
    if nrr is None or without_top is None:
        return Diagnostic("concentration", "Concentration", None, _NO_COHORT, inputs, threshold)
    carried = nrr >= 1.0 and without_top < t.concentration_nrr_without_top_below
    lopsided = top_share is not None and top_share > t.concentration_top_share_above
    hit = carried or lopsided
    if carried:
        message = (
            f"NRR {pct(nrr)} falls to {pct(without_top)} without its largest expander: "
            "the headline rests on one account."
        )
    elif lopsided:
        message = (
            f"One customer brings {pct(top_share)} of all expansion; NRR without it is "
            f"{pct(without_top)}."
        )
    elif top_share is None:
        message = f"No customer expanded: NRR {pct(nrr)} is not carried by any expander."
    else:
        message = (
            f"NRR {pct(nrr)} is {pct(without_top)} without its largest expander, whose share "
            f"of expansion is {pct(top_share)}: the figure is not carried by a few accounts."
        )
    return Diagnostic("concentration", "Concentration", hit, message, inputs, threshold)


def _borrowed_loyalty(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    """Defines: borrowed loyalty (METRICS.md §7)."""
    threshold = {
        "price_share_of_expansion_at_least": t.borrowed_price_share_at_least,
        "nrr_excluding_price_below": t.borrowed_nrr_excluding_price_below,
        "rule": (
            f"price increases are at least {pct(t.borrowed_price_share_at_least)} of "
            f"expansion, or NRR is {pct(t.borrowed_nrr_excluding_price_below)} or more only "
            "with them"
        ),
    }
    try:
        known = _known(facts, "decomposition", _same_window(facts))
        totals = (
            known
            or compute_decomposition(
                data, as_of=month_label(facts["as_of"]), window_months=facts["window_months"]
            )
        ).totals
    except InputError as error:
        return Diagnostic(
            "borrowed_loyalty",
            "Borrowed loyalty",
            None,
            f"Not run: cannot tell how much expansion is price: {error}",
            {},
            threshold,
        )
    share = totals.price_share_of_expansion
    nrr, without_price = totals.nrr, totals.nrr_excluding_price
    inputs = {
        "price_increase": str(totals.price_increase),
        "gross_expansion": str(totals.gross_expansion),
        "price_share_of_expansion": share,
        "nrr": nrr,
        "nrr_excluding_price": without_price,
    }
    if share is None:
        return Diagnostic(
            "borrowed_loyalty",
            "Borrowed loyalty",
            None,
            "Not run: no expansion in the window to split into price and volume.",
            inputs,
            threshold,
        )
    large_share = share >= t.borrowed_price_share_at_least
    # Price increases are what takes NRR to 100% or more: without them the base shrinks.
    lifted = (
        nrr is not None
        and without_price is not None
        and nrr >= t.borrowed_nrr_excluding_price_below
        and without_price < t.borrowed_nrr_excluding_price_below
    )
    hit = large_share or lifted
    message = (
        f"Price increases are {pct(share)} of expansion; NRR without them is "
        f"{pct(without_price, 1)} instead of {pct(nrr, 1)}"
    )
    if lifted:
        message += ": the base grows only because prices rose; without them it shrinks."
    elif large_share:
        message += ": growth is borrowed from price, not earned from usage."
    else:
        message += "."
    return Diagnostic("borrowed_loyalty", "Borrowed loyalty", hit, message, inputs, threshold)


def _small_base(data: Dataset, facts: dict[str, Any], t: Thresholds) -> Diagnostic:
    medians = facts["medians"]
    threshold = {"level": t.small_base_level, "benchmarks": medians}
    result = _known(
        facts,
        "intervals",
        lambda r: (
            r.level == t.small_base_level
            and r.seed == 0
            and r.resamples == DEFAULT_RESAMPLES
            and r.get(facts["as_of"], facts["window_months"]) is not None
        ),
    ) or compute_intervals(
        data,
        as_of=month_label(facts["as_of"]),
        window_months=facts["window_months"],
        level=t.small_base_level,
        seed=0,
    )
    cohort = result.get(facts["as_of"], facts["window_months"])
    if cohort is None or cohort.customers == 0 or not medians:
        return Diagnostic("small_base", "Small base", None, _NO_COHORT, {}, threshold)
    notes = small_base_notes(result, medians, label="median", window_months=None)
    inputs = {
        "customers": cohort.customers,
        **{
            metric: {"point": r.point, "low": r.low, "high": r.high}
            for metric in ("grr", "nrr", "logo_retention")
            for r in [cohort.rate(metric)]
        },
    }
    if notes:
        message = " ".join(str(note) for note in notes)
    else:
        message = (
            f"With {cohort.customers:,} customers the {t.small_base_level:.0%} intervals "
            "exclude the published medians: the comparison holds."
        )
    return Diagnostic("small_base", "Small base", bool(notes), message, inputs, threshold)


#: The rules, in the order they are reported.
RULES: list[Rule] = [
    _leaky_bucket,
    _expansion_dependence,
    _concentration,
    _borrowed_loyalty,
    _cohort_drift,
    _seasonality,
    _small_base,
]


def compute_diagnosis(
    data: Dataset,
    *,
    as_of: str | dt.date | None = None,
    window_months: int = 12,
    benchmarks: Benchmarks | None = None,
    thresholds: Thresholds | None = None,
    rules: Sequence[Rule] | None = None,
    known: Mapping[str, Any] | None = None,
) -> Diagnosis:
    """Place the window's GRR and NRR in their benchmark bands and run every diagnostic.

    Parameters
    ----------
    data
        A dataset from ``load``.
    as_of
        The month the window ends at, ``"YYYY-MM"`` or a date (default: the last month of
        the data).
    window_months
        Window length; the benchmark bands are for 12-month windows.
    benchmarks
        Bands and medians (default: the built-in file).
    thresholds
        Where each diagnostic triggers.
    rules
        The diagnostics to run (default: all).
    known
        Results already computed for this dataset, reused where they fit a rule instead
        of computed again: ``concentration``, ``decomposition``, ``seasonality``,
        ``intervals`` (a result that does not fit, e.g. another window, is ignored).

    Returns
    -------
    Diagnosis
    """
    check_window(window_months)
    benchmarks = benchmarks or load_benchmarks()
    thresholds = thresholds or Thresholds()
    end = as_of_month(as_of)
    end = data.months.last if end is None else end
    if not data.months.first + window_months <= end <= data.months.last:
        raise OptionError(
            "as_of",
            month_label(end),
            f"needs {window_months} months of data before it (data: {data.months})",
        )
    rows = data.con.to_pyarrow(retention(data, windows=[window_months]))
    row = next(r for r in rows.to_pylist() if r["as_of_index"] == end)
    facts = {
        "grr": row["grr"],
        "nrr": row["nrr"],
        "logo_retention": row["logo_retention"],
        "row": row,
        "as_of": end,
        "window_months": window_months,
        "medians": {metric: m.value for metric, m in benchmarks.medians.items()},
        "known": dict(known or {}),
    }
    placements = tuple(
        Placement(
            metric,
            facts[metric],
            benchmarks.place(metric, facts[metric]),
            benchmarks.medians[metric].value if metric in benchmarks.medians else None,
            benchmarks.medians[metric].source if metric in benchmarks.medians else None,
        )
        for metric in ("grr", "nrr", "logo_retention")
    )
    # Imported here: the early warnings build on this module's Diagnostic and Thresholds.
    from revenue_retention.analyses.early_warnings import EARLY_WARNINGS

    found = tuple(rule(data, facts, thresholds) for rule in (rules or [*RULES, *EARLY_WARNINGS]))
    return Diagnosis(
        input=data.report,
        as_of=end,
        window_months=window_months,
        customers=row["customers"],
        rates={k: facts[k] for k in ("grr", "nrr", "logo_retention")},
        placements=placements,
        diagnostics=found,
        benchmarks_path=benchmarks.path,
        advice=what_to_do_first(facts["grr"], facts["nrr"], window_months=window_months),
    )
