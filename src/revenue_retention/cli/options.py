"""Options shared by several commands, declared once.

The options that say how to read the input are the fields of ``InputOptions``; the
``with_input_options`` decorator gives a command all of them as parameters and hands it
one ``InputOptions``, which gives the ``canonical.LoadOptions`` of ``load``
(``InputOptions.load_options``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:  # the engine and canonical load when a command reads its input
    from ibis.backends import BaseBackend

    from revenue_retention.canonical import LoadOptions

__all__ = [
    "FORMAT",
    "LOAD_FIELDS",
    "OUTPUT",
    "SOURCE",
    "UNIT",
    "WINDOWS",
    "Engine",
    "Format",
    "InputOptions",
    "SnapshotDay",
    "with_input_options",
]

R = TypeVar("R")


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Engine(enum.StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class SnapshotDay(enum.StrEnum):
    last = "last"
    first = "first"


SOURCE = typer.Argument(
    ...,
    help="CSV or Parquet file (long MRR or subscription periods), or a database URL with --table.",
)
FORMAT = typer.Option(
    Format.table, "--format", "-f", help="table for people; json or csv for programs."
)
WINDOWS = typer.Option(
    "1,3,12", "--windows", "-w", help="Window lengths in months, comma separated."
)
OUTPUT = typer.Option(
    None, "--output", "-o", help="Write to this file (json) or folder (csv) instead of stdout."
)
UNIT = typer.Option(
    "mrr", "--unit", help="mrr, or arr: every amount of recurring revenue x 12, labelled ARR."
)
DEFAULT_OUTPUT_DIR = Path("out")


@dataclasses.dataclass(frozen=True)
class InputOptions:
    """How a command reads its input (``common.load_input``); shown in ``--help`` in this order."""

    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Last month analysed, YYYY-MM; later data is ignored."),
    ] = None
    column: Annotated[
        list[str],
        typer.Option(
            "--column",
            "-c",
            metavar="ROLE=COLUMN",
            help="Name a column for a role when the header differs: ROLE=COLUMN (roles: "
            "customer_id, month, mrr, start_date, end_date, quantity, unit_price, product).",
        ),
    ] = dataclasses.field(default_factory=list)
    snapshot: Annotated[
        SnapshotDay,
        typer.Option(
            "--snapshot",
            help="For subscription periods: a subscription counts in a month if active on its last "
            "(default) or first day.",
        ),
    ] = SnapshotDay.last
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help="Write bad rows with their reasons to this CSV and compute on the rest, "
            "instead of stopping at the first bad rows.",
            dir_okay=False,
        ),
    ] = None
    csv_raw: Annotated[
        bool,
        typer.Option(
            "--csv-raw",
            help="Write CSV values (--format csv, --rejects) exactly as they are. By default a "
            "text starting with = + - @, a tab or a carriage return gets a leading ' so that a "
            "spreadsheet shows it instead of running it as a formula.",
        ),
    ] = False
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format",
            help="Input adapter (csv, parquet, xlsx, stripe-subscriptions, stripe-invoice-lines), "
            "if not detected.",
        ),
    ] = None
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="Where the computation runs: duckdb (embedded, default) or spark (local mode "
            "unless --spark-master; needs revenue-retention[spark]). A database URL as the input "
            "runs it there.",
        ),
    ] = Engine.duckdb
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            help="With a database URL as the input (postgresql://user@host/db, duckdb:///file.db, "
            "sqlite:///file.db): the table to read, schema.table allowed.",
        ),
    ] = None
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master", help="With --engine spark: the cluster's master URL (e.g. yarn)."
        ),
    ] = None
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Worksheet of an Excel workbook (default: the first)."),
    ] = None
    decimal_separator: Annotated[
        str | None,
        typer.Option(
            "--decimal-separator",
            help="Amounts are written for display (1,234.50, $1,200, 1.234,50) with this decimal "
            "separator, '.' or ','; needed only when the file does not show which (is 1,234 one "
            "thousand or one point two?).",
        ),
    ] = None
    date_order: Annotated[
        str | None,
        typer.Option(
            "--date-order",
            help="How to read dates such as 03/04/2024: dmy (day first) or mdy (month first); "
            "needed only when no date of the file shows which (such as 25/04/2024).",
        ),
    ] = None
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            help="Cap the memory DuckDB uses (e.g. 2GB); beyond it, it works on disk in a "
            "temporary folder. Default: 1 GiB per thread, at least 2 GiB.",
        ),
    ] = None
    fx_rates: Annotated[
        Path | None,
        typer.Option(
            "--fx-rates",
            help="CSV of exchange rates (date, currency, rate_to_reporting) for a currency column: "
            "each month uses the latest rate dated on or before its last day.",
            dir_okay=False,
        ),
    ] = None
    fx_rate: Annotated[
        list[str],
        typer.Option(
            "--fx-rate",
            metavar="CUR=RATE",
            help="A fixed exchange rate to the reporting currency (repeatable), e.g. EUR=1.08.",
        ),
    ] = dataclasses.field(default_factory=list)
    reporting_currency: Annotated[
        str | None,
        typer.Option(
            "--reporting-currency",
            help="Currency the figures are reported in (rows in it need no rate), e.g. USD.",
        ),
    ] = None
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            help="Without a currency column: the currency of amounts that name none, e.g. EUR "
            "(otherwise read from the amount's header, such as 'Amount (USD)', or its values, "
            "such as $1,200; a '$' is read as USD unless this names another dollar).",
        ),
    ] = None

    def load_options(self, engine: str | BaseBackend) -> LoadOptions:
        """The options of ``canonical.load`` these give; ``engine`` as ``--memory-limit`` caps it.

        ``ROLE=COLUMN`` and ``CUR=RATE`` are parsed here; ``--rejects`` sets bad rows aside.
        """
        from revenue_retention.canonical import LoadOptions, parse_column_options, parse_fx_rates

        return LoadOptions(
            table=self.table,
            columns=parse_column_options(self.column),
            as_of=self.as_of,
            snapshot=self.snapshot.value,
            on_bad_rows="reject" if self.rejects else "raise",
            engine=engine,
            input_format=self.input_format,
            sheet=self.sheet,
            decimal_separator=self.decimal_separator,
            date_order=self.date_order,
            fx_rates=self.fx_rates,
            fixed_rates=parse_fx_rates(self.fx_rate),
            reporting_currency=self.reporting_currency,
            spark_master=self.spark_master,
            currency=self.currency,
        )


#: Each field of ``LoadOptions`` and the input option that gives it (the same name but for
#: the repeatable ``--column`` and ``--fx-rate``, and ``--rejects``, which sets bad rows
#: aside); tests/canonical/test_options.py holds it to ``LoadOptions``.
LOAD_FIELDS: dict[str, str] = {
    "table": "table",
    "columns": "column",
    "as_of": "as_of",
    "snapshot": "snapshot",
    "on_bad_rows": "rejects",
    "engine": "engine",
    "input_format": "input_format",
    "sheet": "sheet",
    "decimal_separator": "decimal_separator",
    "date_order": "date_order",
    "fx_rates": "fx_rates",
    "fixed_rates": "fx_rate",
    "reporting_currency": "reporting_currency",
    "spark_master": "spark_master",
    "currency": "currency",
}


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def _input_parameters() -> list[inspect.Parameter]:
    """The fields of ``InputOptions`` as keyword parameters, each with its option and default."""
    hints = typing.get_type_hints(InputOptions, include_extras=True)
    return [
        inspect.Parameter(
            field.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=_default(field),
            annotation=hints[field.name],
        )
        for field in dataclasses.fields(InputOptions)
    ]


def with_input_options(command: Callable[..., R]) -> Callable[..., R]:
    """``command`` with its keyword-only ``InputOptions`` parameter spread into the options.

    Typer reads a command's options from its signature (``__signature__`` when set), so
    the signature shown to it has every field of ``InputOptions`` in place of that
    parameter; the call gathers them back into one ``InputOptions``. Fields not passed
    keep their defaults.
    """
    signature = inspect.signature(command)
    hints = typing.get_type_hints(command, include_extras=True)
    own = [param.replace(annotation=hints[param.name]) for param in signature.parameters.values()]
    slot = next((i for i, param in enumerate(own) if param.annotation is InputOptions), None)
    if slot is None or own[slot].kind is not inspect.Parameter.KEYWORD_ONLY:
        raise TypeError(f"{command.__name__} needs a keyword-only InputOptions parameter")
    name = own[slot].name
    shared = _input_parameters()
    names = [param.name for param in shared]

    @functools.wraps(command)
    def spread(*args: Any, **kwargs: Any) -> R:
        given = {field: kwargs.pop(field) for field in names if field in kwargs}
        return command(*args, **{name: InputOptions(**given)}, **kwargs)

    parameters = [*own[:slot], *shared, *own[slot + 1 :]]
    spread.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    spread.__annotations__ = {param.name: param.annotation for param in parameters}
    if "return" in hints:
        spread.__annotations__["return"] = hints["return"]
    return spread
