"""``retention check``: goals from a TOML file, met or missed, with an exit code for alerts."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.cli.options import (
    FORMAT,
    OUTPUT,
    SOURCE,
    Format,
    InputOptions,
    with_input_options,
)

__all__ = ["check"]


@with_input_options
def check(
    source: str = SOURCE,
    goals: Path = typer.Option(..., "--goals", "-g", help="TOML file of goals (see below)."),
    baseline: Path | None = typer.Option(
        None,
        "--baseline",
        help="An earlier 'retention metrics --format json' output: show what moved since and "
        "flag restatements (past months whose figures changed).",
    ),
    format: Format = FORMAT,
    output: Path | None = OUTPUT,
    *,
    inputs: InputOptions,
) -> None:
    """Check retention goals; exit 3 when one is missed, for cron, CI and alerting.

    The goals file holds [[goal]] tables: metric (grr, nrr, logo_retention), window_months
    (default 12), and at_least or at_most (0.9 or "90%"), or max_drop_points with
    over_months (default 3) for a fall between two as-of months; by = "segment" checks
    every group. Each goal is printed met, MISSED or unknown (null rate) with its figures.
    Exit codes: 0 every goal met (unknown ones included); 3 a goal missed; 1 bad input
    or goals file (file, line and key named); 2 usage error; 70 a bug. A goals.toml:

    \b
        [[goal]]
        metric = "grr"
        at_least = "90%"
        [[goal]]
        metric = "grr"
        by = "segment"
        max_drop_points = 5
        over_months = 3

    Examples:

    \b
        retention check mrr.csv --goals goals.toml
        retention check mrr.csv --goals goals.toml --format json -o check.json
        retention check mrr.csv --goals goals.toml --baseline last_month.json
    """
    from revenue_retention.analyses.goals import check_goals, load_goals
    from revenue_retention.cli.common import emit, load_input
    from revenue_retention.outputs.check import EXIT_GOAL_MISSED, check_document
    from revenue_retention.periods import parse_month

    stated = load_goals(goals)
    previous = None
    if baseline is not None:
        from revenue_retention.outputs.baseline import read_baseline

        previous = read_baseline(baseline)
    data = load_input(
        source, inputs, format=format, outputs={"--output": output}, reads=[goals, baseline]
    )
    as_of = parse_month(inputs.as_of) if inputs.as_of else None
    result = check_goals(data, stated, as_of=as_of, path=str(goals))
    compared = None
    if previous is not None:
        from revenue_retention.analyses import compute_metrics
        from revenue_retention.outputs.baseline import compare
        from revenue_retention.outputs.metrics.document import method_metrics_document

        # Recomputed as the earlier run was asked for, so that rows meet their twins.
        windows = tuple(w for w in previous["windows"] if isinstance(w, int))
        method = previous.get("method", "cohort")
        by = [str(b) for b in previous.get("by") or ()]
        current = method_metrics_document(
            compute_metrics(data, window_months=windows or (1, 3, 12), method=method, by=by)
        )
        compared = compare(previous, current.to_dict()) | {"file": str(baseline)}
    emit(check_document(result, compared), format, output, csv_raw=inputs.csv_raw)
    if result.missed:
        raise typer.Exit(EXIT_GOAL_MISSED)
