"""Ibis's PySpark backend with in-memory tables sent to Spark as Arrow.

Imported only when Spark is asked for: importing it imports PySpark.

Ibis 12 registers an in-memory table (``ibis.memtable``) on Spark through pandas and
maps ``decimal.Decimal`` over every decimal column, which raises ``TypeError:
conversion from NoneType to Decimal`` on the first null: any small result with a null
amount (an annual figure before the data reaches 12 months back) could not be sent back
to Spark. PySpark 4 takes an Arrow table directly, exactly (decimals stay decimals, nulls
stay nulls), so that is what is sent.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.backends import BaseBackend
from ibis.backends.pyspark import Backend
from ibis.backends.pyspark.datatypes import PySparkSchema

__all__ = ["SparkBackend", "spark_backend"]


class SparkBackend(Backend):
    """The Ibis PySpark backend, its ``memtable`` registration exact for every type."""

    def _register_in_memory_table(self, op: Any) -> None:
        schema = PySparkSchema.from_ibis(op.schema)
        frame = self._session.createDataFrame(op.data.to_pyarrow(op.schema), schema=schema)
        frame.createOrReplaceTempView(op.name)


def spark_backend(session: Any) -> BaseBackend:
    """A ``SparkBackend`` on ``session``."""
    # Loading Ibis's backend by name registers its options, which its compiler reads;
    # it happens once (the loaded backend is cached as an attribute of ``ibis``).
    _ = ibis.pyspark
    backend: BaseBackend = SparkBackend().connect(session)
    return backend
