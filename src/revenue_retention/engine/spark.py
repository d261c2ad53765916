"""Spark: a local (or given) SparkSession behind Ibis, and Spark's scans of files.

PySpark is an optional extra, imported only here and only when Spark is asked for.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revenue_retention.errors import EngineNotSupported, OptionError

__all__ = [
    "SESSION_CONF",
    "build_conf",
    "checkpoint",
    "connect_spark",
    "is_spark_session",
    "scan_spark",
]

#: Settings every session gets (a session we did not build gets them too: they are SQL
#: settings of that session). Without them Spark rounds a decimal product that exceeds 38
#: digits instead of failing, and reads dates in the machine's time zone.
SESSION_CONF = {
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
}
_BUILD_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # A failed task is logged with its Java stack trace at ERROR; the failure reaches
    # Python as an exception the command reports in one line, so only FATAL is logged.
    "spark.driver.extraJavaOptions": "-Dlog4j2.level=fatal",
    # Ibis fetches results through pandas; PySpark 4.0's Arrow route there fails under
    # pandas 3 when warnings are errors. Results are small: the row route is exact.
    "spark.sql.execution.arrow.pyspark.enabled": "false",
}
#: Settings of a local session only. A few cores: the default 200 shuffle partitions only
#: add overhead. On a cluster the window pass shuffles every row by customer: its
#: partitions are the cluster's to set (spark-defaults.conf), never eight.
_LOCAL_CONF = {"spark.sql.shuffle.partitions": "8"}


def build_conf(master: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings of a session this package builds for ``master``.

    A local session's driver is its only executor: Spark's default 1 GB heap fails on
    ten million rows (java.lang.OutOfMemoryError in the grouping's spill reader), so it
    gets a third of the machine's memory (1 to 16 GB) unless ``SPARK_DRIVER_MEMORY`` says.

    >>> build_conf("local[2]")["spark.sql.shuffle.partitions"]
    '8'
    >>> "spark.sql.shuffle.partitions" in build_conf("yarn")
    False
    >>> build_conf("local[*]", {"SPARK_DRIVER_MEMORY": "3g"})["spark.driver.memory"]
    '3g'
    >>> "spark.driver.memory" in build_conf("yarn")
    False
    """
    environ = os.environ if environ is None else environ
    local: dict[str, str] = {}
    if master.startswith("local"):
        memory = environ.get("SPARK_DRIVER_MEMORY") or f"{local_driver_gib()}g"
        local = {**_LOCAL_CONF, "spark.driver.memory": memory}
    return {**_BUILD_CONF, **local, **SESSION_CONF}


def local_driver_gib() -> int:
    """A third of this machine's memory in GiB, at least 1 and at most 16."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: Spark's default
        return 1
    return max(1, min(16, total // 3 // 2**30))


def _pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise EngineNotSupported(
            "spark", "running without PySpark", "install it: pip install 'revenue-retention[spark]'"
        ) from None
    return pyspark.sql


def is_spark_session(engine: object) -> bool:
    """Whether ``engine`` is a SparkSession (checked without importing PySpark)."""
    return type(engine).__name__ == "SparkSession" and type(engine).__module__.startswith("pyspark")


def connect_spark(session: Any = None, master: str | None = None) -> BaseBackend:
    """An Ibis backend on ``session``, or on a new session (``local[*]`` unless ``master``).

    A master named by host and port (``spark://``, ``k8s://``, ``mesos://``) is first
    reached over TCP within ``CONNECT_SECONDS``: Spark itself would retry registering
    with an absent master for a minute, and print its Java stack traces meanwhile.
    """
    if session is None and master:
        check_reachable(master)
    sql = _pyspark()
    if session is None:
        master = master or "local[*]"
        builder = sql.SparkSession.builder.appName("revenue-retention").master(master)
        for key, value in build_conf(master).items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except Exception as error:  # Java missing, a master Spark cannot parse or join
            raise OptionError(
                "spark_master", master or "local[*]", f"gives no Spark session: {_first(error)}"
            ) from None
        session.sparkContext.setLogLevel("FATAL")
    for key, value in SESSION_CONF.items():
        session.conf.set(key, value)
    from revenue_retention.engine.spark_backend import spark_backend

    return spark_backend(session)


#: How long a master named by host and port has to answer.
CONNECT_SECONDS = 5.0
_DEFAULT_PORTS = {"spark": 7077, "mesos": 5050, "k8s": 443}


def master_endpoints(master: str) -> list[tuple[str, int]]:
    """The hosts and ports a master URL names (none for ``local[*]``, ``yarn``).

    >>> master_endpoints("spark://head-1:7077,head-2:7077")
    [('head-1', 7077), ('head-2', 7077)]
    >>> master_endpoints("k8s://https://api.example.com"), master_endpoints("yarn")
    ([('api.example.com', 443)], [])
    """
    scheme, sep, rest = master.partition("://")
    if not sep or scheme not in _DEFAULT_PORTS:
        return []
    if scheme == "k8s":
        rest = rest.partition("://")[2] or rest
    found = []
    for part in rest.split("/")[0].split(","):
        host, _, port = part.rpartition(":") if ":" in part else (part, "", "")
        found.append((host.strip("[]"), int(port) if port.isdigit() else _DEFAULT_PORTS[scheme]))
    return found


def check_reachable(master: str) -> None:
    """Refuse a master none of whose hosts answer on its port within ``CONNECT_SECONDS``."""
    endpoints = master_endpoints(master)
    reasons = []
    for host, port in endpoints:
        try:
            with socket.create_connection((host, port), timeout=CONNECT_SECONDS):
                return
        except socket.gaierror:
            reasons.append(f"{host} is not a known host name")
        except TimeoutError:
            reasons.append(f"{host}:{port} does not answer within {CONNECT_SECONDS:g} s")
        except OSError as error:
            reasons.append(f"{host}:{port} refuses the connection ({error.strerror})")
    if endpoints:
        raise OptionError(
            "spark_master",
            master,
            f"cannot be reached: {'; '.join(reasons)}; check its host and port",
        )


def _first(error: Exception) -> str:
    """What a Spark or Py4J error says, on one line: the Java exception's message (after
    Py4J's ``An error occurred while calling ...``), else the first line that says much.

    >>> _first(RuntimeError("An error occurred while calling x.\\n: java.lang.Illegal"
    ...     "StateException: All masters are unresponsive! Giving up.\\n\\tat a.b(C.java:1)"))
    'All masters are unresponsive! Giving up.'
    """
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    for line in lines:
        if line.startswith(": "):
            return line[2:].split(": ", 1)[-1][:300]
    for line in lines:
        if not line.startswith(("Traceback", "File ", "at ", "An error occurred")):
            return line[:300]
    return lines[0][:300] if lines else type(error).__name__


def scan_spark(
    con: BaseBackend,
    path: Path,
    fmt: str,
    line_column: str,
    header: Sequence[str] = (),
    delimiter: str = ",",
    numbered: bool = True,
) -> ir.Table:
    """A Spark scan of a CSV (every column text) or Parquet file with its line column.

    Spark numbers rows in file order with ``monotonically_increasing_id`` (increasing with
    the split's offset in the file, then within the split); ``row_number`` over it turns
    that into 1-based rows, plus one for the CSV header line.
    """
    sql = _pyspark()
    functions = __import__("pyspark.sql.functions", fromlist=["col"])
    session = con._session
    if fmt == "csv":
        schema = sql.types.StructType(
            [sql.types.StructField(name, sql.types.StringType()) for name in header]
        )
        frame = session.read.csv(
            str(path),
            schema=schema,
            header=True,
            sep=delimiter,
            quote='"',
            escape='"',
            mode="FAILFAST",
            enforceSchema=True,
            ignoreLeadingWhiteSpace=False,
            ignoreTrailingWhiteSpace=False,
        )
        offset = 1
    else:
        frame = session.read.parquet(str(path))
        offset = 0
    if numbered:
        order = sql.Window.orderBy(functions.monotonically_increasing_id())
        line = functions.row_number().over(order) + offset
    else:
        line = functions.lit(None).cast("bigint")
    frame = frame.select(line.cast("bigint").alias(line_column), "*")
    name = f"_rr_scan_{abs(hash((str(path), numbered)))}"
    frame.createOrReplaceTempView(name)
    return con.table(name)


def checkpoint(con: BaseBackend, expr: ir.Table, name: str) -> ir.Table:
    """Compute ``expr`` once and keep it in Spark's block manager, its lineage cut.

    A cached view would keep its whole plan (validation included), which Spark analyses
    again in every later query: on small data that planning, not the work, dominates.
    """
    con._run_pre_execute_hooks(expr)  # registers the memtables the query uses
    frame = con._session.sql(con.compile(expr)).localCheckpoint(eager=True)
    frame.createOrReplaceTempView(name)
    return con.table(name)
