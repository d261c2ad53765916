"""Names of a package imported on first use (PEP 562), so that importing it costs nothing.

A command that needs one analysis should not pay for loading every other one (and the
engine, Arrow and the report's libraries behind them) just because a package's
``__init__`` re-exports them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: dict[str, Any], locations: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the package whose ``globals()`` is ``namespace``.

    ``locations`` maps a module to the names it defines. A name is imported from its
    module when first asked for, then kept in the package's namespace.

    >>> space = {"__name__": "example"}
    >>> getattr_, dir_ = lazy_exports(space, {"json.decoder": ["JSONDecodeError"]})
    >>> getattr_("JSONDecodeError").__name__, "JSONDecodeError" in space
    ('JSONDecodeError', True)
    """
    package = namespace["__name__"]
    module_of = {name: module for module, names in locations.items() for name in names}

    def attribute(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # found once; later lookups do not come here
        return value

    def names() -> list[str]:
        return sorted({*namespace, *module_of})

    return attribute, names
