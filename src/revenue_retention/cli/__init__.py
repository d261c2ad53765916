"""The ``retention`` command and its error boundary, the one place errors are caught.

A ``RetentionError`` (bad input, bad option) becomes one clear message on stderr and
exit code 1; anything else is a bug: a short message, exit code 70, and the traceback
only with ``--debug``. Usage errors are Click's: exit code 2.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from revenue_retention import __version__
from revenue_retention.cli import check as check_command
from revenue_retention.cli import cohorts as cohorts_command
from revenue_retention.cli import concentration as concentration_command
from revenue_retention.cli import customers as customers_command
from revenue_retention.cli import decompose as decompose_command
from revenue_retention.cli import demo as demo_command
from revenue_retention.cli import diagnose as diagnose_command
from revenue_retention.cli import examples as examples_command
from revenue_retention.cli import explain as explain_command
from revenue_retention.cli import forecast as forecast_command
from revenue_retention.cli import growth as growth_command
from revenue_retention.cli import methods as methods_command
from revenue_retention.cli import metrics as metrics_command
from revenue_retention.cli import report as report_command
from revenue_retention.cli import seasonality as seasonality_command
from revenue_retention.errors import OptionError, RetentionError

__all__ = ["app", "main"]

EXIT_DATA_ERROR = 1
EXIT_BUG = 70

F = TypeVar("F", bound=Callable[..., Any])
_state = {"debug": False}

app = typer.Typer(
    name="retention",
    help="Revenue retention analytics: exact MRR bridge, GRR, NRR and what explains them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _guard(command: F) -> F:
    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        # Imported here: ``retention --help`` needs neither (nor what they load).
        from revenue_retention.cli.common import close_connections, stderr
        from revenue_retention.cli.flags import flag_namer
        from revenue_retention.engine import out_of_memory, redact_text

        err = stderr()
        try:
            return command(*args, **kwargs)
        except RetentionError as error:
            # The library names a Python parameter (window_months); its user typed a flag.
            text = str(error)
            if isinstance(error, OptionError):
                text = error.message(flag_namer(command))
            # A database URL may carry a password, in any message that names it.
            err.print(f"error: {redact_text(text)}", markup=False)
            raise typer.Exit(EXIT_DATA_ERROR) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            if _state["debug"]:
                raise
            memory = out_of_memory(error)
            if memory is not None:
                err.print(f"error: {memory}", markup=False)
                raise typer.Exit(EXIT_DATA_ERROR) from None
            err.print(
                f"internal error (a bug in revenue-retention, not in your data): "
                f"{type(error).__name__}: {redact_text(str(error))}\nRe-run with --debug for "
                "the traceback "
                "and please report it.",
                markup=False,
            )
            raise typer.Exit(EXIT_BUG) from None
        finally:
            close_connections()

    return guarded  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"retention {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Revenue retention analytics: exact MRR bridge, GRR, NRR and what explains them."""
    _state["debug"] = debug


app.command("metrics")(_guard(metrics_command.metrics))
app.command("demo")(_guard(demo_command.demo))
app.command("report")(_guard(report_command.report))
app.command("examples")(_guard(examples_command.examples))
app.command("diagnose")(_guard(diagnose_command.diagnose))
app.command("methods")(_guard(methods_command.methods))
app.command("decompose")(_guard(decompose_command.decompose_command))
app.command("concentration")(_guard(concentration_command.concentration))
app.command("explain")(_guard(explain_command.explain))
app.command("cohorts")(_guard(cohorts_command.cohorts))
app.command("seasonality")(_guard(seasonality_command.seasonality))
app.command("customers")(_guard(customers_command.customers))
app.command("forecast")(_guard(forecast_command.forecast))
app.command("check")(_guard(check_command.check))
app.command("growth")(_guard(growth_command.growth))


#: Allocations between two collections of the youngest generation (Python's default: 700).
#: Building and compiling Ibis expressions allocates hundreds of thousands of short-lived
#: objects; at the default the collector ran so often that the demo report spent about 7%
#: of its wall time in it (7.18 s -> 6.64 s, median of 3 whole runs, ratio 0.93), for
#: about 10 MiB more peak memory.
_GC_THRESHOLD = 100_000


def main() -> None:
    """Entry point of the ``retention`` console script."""
    # Only for the command-line process: the library leaves its caller's settings alone.
    gc.set_threshold(_GC_THRESHOLD, *gc.get_threshold()[1:])
    sys.exit(app())
