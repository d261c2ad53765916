"""The definitions shown beside the figures, in plain words (METRICS.md is the reference).

One list, so the report and the workbook say the same thing. Each entry names the
METRICS.md section it restates; a test checks every term is defined there.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFINITIONS", "Definition"]


@dataclass(frozen=True)
class Definition:
    term: str
    section: str
    text: str


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "MRR",
        "1",
        "Recurring revenue in force for a customer at the month's snapshot. Line items of "
        "the same customer and month are added up; a month without a row counts as zero.",
    ),
    Definition(
        "MRR bridge",
        "2",
        "How MRR moved from one month to the next: new (first ever revenue), reactivation "
        "(back after a gap), expansion, contraction and churn (down to zero). Closing MRR "
        "equals opening MRR plus new, reactivation and expansion, minus contraction and "
        "churn, to the cent.",
    ),
    Definition(
        "Cohort",
        "3",
        "The customers paying at the start of a window. Customers won during the window "
        "are not part of it, so they can neither help nor hurt its retention.",
    ),
    Definition(
        "GRR",
        "3",
        "Gross revenue retention: the share of the cohort's starting MRR still there at "
        "the end of the window, counting losses (churn, contraction) but no gains. It "
        "cannot exceed 100%.",
    ),
    Definition(
        "NRR",
        "3",
        "Net revenue retention: the cohort's ending MRR divided by its starting MRR, so "
        "expansion counts. A customer who left and came back within the window counts at "
        "its ending MRR.",
    ),
    Definition(
        "Logo retention",
        "3",
        "The share of the cohort's customers still paying at the end of the window.",
    ),
    Definition(
        "Segment",
        "3",
        "Each customer is placed in the segment it had at the start of the window, so "
        "revenue lost stays with the segment that lost it.",
    ),
    Definition(
        "Methods",
        "4",
        "The cohort method above is the default. The movement method subtracts every "
        "monthly loss of the window, including those of customers won inside it, so it "
        "reads lower; a compounded monthly rate is an approximation of the annual one; "
        "trailing revenue compares two twelve-month sums; averaged rates smooth twelve "
        "month-end figures. Each is labelled wherever it appears.",
    ),
    Definition(
        "Concentration",
        "5",
        "How much of the starting MRR the largest customers hold, and how much of the "
        "expansion the largest expanders bring; NRR without the top expanders shows "
        "whether a few accounts carry the headline.",
    ),
    Definition(
        "Price, volume and cross-sell",
        "6",
        "With product lines, each customer's change per product splits into a volume "
        "effect (more or fewer units), a price effect (a different unit price) and "
        "cross-sell (a product it did not have). NRR excluding price increases leaves the "
        "price effect out.",
    ),
    Definition(
        "Benchmark bands",
        "7",
        "Ranges used for annual rates of B2B SaaS companies (consumer subscriptions run "
        "lower), with published medians and their year. They place a figure; they are "
        "not a target.",
    ),
    Definition(
        "Confidence interval",
        "7",
        "Resampling the cohort's customers shows how much a rate could move by chance. "
        "When the interval includes the benchmark median, the base is too small to say "
        "whether the business is above or below it.",
    ),
)
