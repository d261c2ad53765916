"""Default parameters shared by the analyses and the command line's help.

Plain numbers, importable without the engine: ``retention --help`` shows them without
loading what computes with them.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MIN_SWING_PP", "DEFAULT_RESAMPLES", "DEFAULT_SWING_RATIO", "WINDOW_MONTHS"]

#: The window analysed by default: the annual figure benchmarks and every method of §4
#: are about.
WINDOW_MONTHS = 12
#: Bootstrap resamples per cohort unless asked otherwise: percentiles at 5% / 95% then
#: rest on 100 resamples each side.
DEFAULT_RESAMPLES = 2000
#: Quarterly rates must swing this many times more than the annual ones to be flagged ...
DEFAULT_SWING_RATIO = 2.0
#: ... and by at least this many percentage points, so that tiny flat-data noise is not.
DEFAULT_MIN_SWING_PP = 2.0
