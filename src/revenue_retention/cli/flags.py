"""The command-line flag of each Python parameter an ``OptionError`` names.

The library's errors name the parameter a Python caller passed (``window_months``); the
command line shows the flag its user typed (``--window``). The command's own options say
which flag stands for a parameter: the option of the same name, or of a name in
``ALIASES`` (``metrics`` has ``--windows`` where the others have ``--window``).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from typer.models import OptionInfo

__all__ = ["ALIASES", "EXTRA", "flag_namer", "flag_of", "options_of"]

#: Python parameters whose options are named otherwise in a command, tried in order.
ALIASES: dict[str, tuple[str, ...]] = {
    "window_months": ("window_months", "window", "windows"),
    "level": ("level", "ci"),
    "columns": ("columns", "column"),
    "fixed_rates": ("fixed_rates", "fx_rate"),
    "horizon_months": ("horizon_months", "months"),
    "customer_id": ("customer_id", "customer"),
    "compared": ("compared", "compare"),
}

#: The flag of a parameter that the command has no option for (``load``'s ``columns`` is
#: filled by ``--column``; ``demo`` reads its file with no input options).
EXTRA: dict[str, str] = {
    "columns": "--column",
    "fixed_rates": "--fx-rate",
    "level": "--ci",
    "window_months": "--window",
}


def options_of(command: Callable[..., Any]) -> dict[str, tuple[str, ...]]:
    """Each option of a Typer command function, by parameter name, with its flags.

    An option is declared as the parameter's default (``window: int = typer.Option(12,
    "--window")``) or in its ``Annotated`` type (the input options); without flags of its
    own, Typer names it after the parameter.
    """
    found: dict[str, tuple[str, ...]] = {}
    for parameter in inspect.signature(command).parameters.values():
        flags: list[str] = []
        if isinstance(parameter.default, OptionInfo):
            flags = list(parameter.default.param_decls or ())
        for option in typing.get_args(parameter.annotation)[1:]:
            if isinstance(option, OptionInfo):
                # In Annotated, Typer reads the first argument (the default's place) as a flag.
                first = [option.default] if isinstance(option.default, str) else []
                flags = [*first, *(option.param_decls or ())]
        if flags or isinstance(parameter.default, OptionInfo):
            found[parameter.name] = tuple(flags) or ("--" + parameter.name.replace("_", "-"),)
    return found


def flag_of(parameter: str, options: Mapping[str, Sequence[str]]) -> str:
    """The flag that sets ``parameter`` among a command's ``options`` (``options_of``).

    A name that is already a flag (an error raised by the command line itself) stays as it
    is; a parameter no option sets is shown as ``EXTRA`` says, else as a flag of its name.

    >>> flag_of("window_months", {"window": ("--window", "-k")}), flag_of("--output", {})
    ('--window', '--output')
    >>> flag_of("as_of", {}), flag_of("columns", {})
    ('--as-of', '--column')
    """
    if parameter.startswith("-"):
        return parameter
    for name in ALIASES.get(parameter, (parameter,)):
        flags = options.get(name)
        if flags:
            return next((flag for flag in flags if flag.startswith("--")), flags[0])
    return EXTRA.get(parameter, "--" + parameter.replace("_", "-"))


def flag_namer(command: Callable[..., Any]) -> Callable[[str], str]:
    """``flag_of`` for the options of ``command``, for ``OptionError.message``."""
    options = options_of(command)
    return lambda parameter: flag_of(parameter, options)
