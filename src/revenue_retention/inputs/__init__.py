"""Input adapters: turn a source (a file, a database table) into a raw table plus line numbers.

An adapter knows a file format, not business rules: it returns every column as text,
with the engine's ``LINE_COLUMN``, and validation happens later, in ``canonical``.

Adding an adapter
-----------------
Write a class with ``name``, ``detect(source) -> bool`` and ``read(source, con) -> Raw``,
then register it::

    from revenue_retention.inputs import Raw, register

    class JsonLines:
        name = "jsonl"
        def detect(self, source): return str(source).endswith(".jsonl")
        def read(self, source, con): ...

    register(JsonLines())

Third-party packages can register theirs under the ``revenue_retention.inputs``
entry-point group; they are loaded on first use.
"""

from __future__ import annotations

from revenue_retention.inputs.database import read_table
from revenue_retention.inputs.registry import Adapter, Raw, adapters, read_source, register

__all__ = ["Adapter", "Raw", "adapters", "read_source", "read_table", "register"]
