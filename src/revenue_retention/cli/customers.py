"""``retention customers``: every customer's MRR and movement each month, and the movement log."""

from __future__ import annotations

from pathlib import Path

import typer

from revenue_retention.cli.options import (
    FORMAT,
    SOURCE,
    UNIT,
    Format,
    InputOptions,
    with_input_options,
)

__all__ = ["customers"]


@with_input_options
def customers(
    source: str = SOURCE,
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Write one row per customer and month (MRR, movement, amount, attributes at "
        "the time) to this file: .csv or .parquet.",
        dir_okay=False,
    ),
    log: Path | None = typer.Option(
        None,
        "--log",
        help="Write the movement log (one row per movement: month, customer, type, amount) "
        "to this file: .csv or .parquet.",
        dir_okay=False,
    ),
    format: Format = FORMAT,
    unit: str = UNIT,
    *,
    inputs: InputOptions,
) -> None:
    """Every customer's MRR and movement each month, and the log of movements.

    A row per customer and month it paid in, or churned in: MRR of the month before and
    of the month, the movement (new, reactivation, expansion, contraction, churn, or
    none) and its amount, and the customer's attributes at the time. A churn is the row
    of the month after the last paying month, with MRR 0. The movement log holds the
    rows with a movement; summed by month and type it equals the bridge of `retention
    metrics` to the cent (the summary shows the totals side by side).

    Examples:

    \b
        retention customers mrr.csv --out customers.csv --log movements.csv
        retention customers subscriptions.csv --out customers.parquet
        retention customers mrr.csv --format json
        retention customers mrr.csv --out customers.parquet --unit arr
    """
    from revenue_retention.analyses.customers import customer_tables, in_log_order, log_totals
    from revenue_retention.analyses.units import ARR_FACTOR, check_unit, scale_rows
    from revenue_retention.cli.common import emit, load_input
    from revenue_retention.outputs.customers import (
        PREVIEW_ROWS,
        check_suffix,
        customers_document,
        write_tables,
    )
    from revenue_retention.outputs.units import arr_document

    arr = check_unit(unit) == "arr"
    check_suffix("--out", out)
    check_suffix("--log", log)
    data = load_input(source, inputs, format=format, outputs={"--out": out, "--log": log})
    months, moves = customer_tables(data)
    totals = log_totals(data, months)
    files_of = (("customer_months", months, out), ("movement_log", moves, log))
    if arr:
        # Every amount x 12 in the engine (the files may hold every customer-month), the
        # files' columns named as ARR, in the MRR files' order (a select does not keep it).
        for row in totals["movements"]:
            row["amount"] *= ARR_FACTOR
            row["bridge_amount"] *= ARR_FACTOR
        by_customer = ("customer_id", "month_index")
        files_of = (
            ("customer_months", scale_rows(months, rename=True).order_by(*by_customer), out),
            ("movement_log", in_log_order(scale_rows(moves, rename=True)), log),
        )
        months = scale_rows(months).order_by(*by_customer)
    wanted = [(name, table, path) for name, table, path in files_of if path is not None]
    written = write_tables(
        data.con, [(table, path) for _, table, path in wanted], raw=inputs.csv_raw
    )
    files = {name: (str(path), rows) for (name, _, path), rows in zip(wanted, written, strict=True)}
    preview = []
    if not wanted and format is Format.table:
        preview = data.con.to_pyarrow(months.limit(PREVIEW_ROWS)).to_pylist()
    document = customers_document(
        data.report,
        customer_months=totals["customer_months"],
        customers=totals["customers"],
        movements=totals["movements"],
        files=files,
        preview=preview,
        attributes=data.attributes,
    )
    emit(arr_document(document) if arr else document, format, None, csv_raw=inputs.csv_raw)
