"""Real engines for the tests: a local SparkSession, a PostgreSQL server started here, and
the chromium the browser tests drive.

Outside CI a missing JDK, PySpark, PostgreSQL binary or chromium skips the tests that
need it, with the reason in pytest's summary; with ``RR_REQUIRE_ENGINES=1`` (set by
``.ci/run``) it fails them instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REQUIRED = os.environ.get("RR_REQUIRE_ENGINES") == "1"


def unavailable(reason: str) -> None:
    """Skip the test for lack of an engine, or fail it when the engines are required."""
    if REQUIRED:
        pytest.fail(f"RR_REQUIRE_ENGINES=1 but {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """The chromium the browser tests drive, or None: ``$RR_CHROMIUM``, else on ``PATH``.

    Only a system chromium is used (Debian's package): Playwright never downloads one.
    """
    named = os.environ.get("RR_CHROMIUM")
    if named:
        return named if Path(named).is_file() and os.access(named, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """A throwaway PostgreSQL cluster on a free loopback port: its URL, or None if impossible.

    ``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres``
    user that Debian's package creates, and its commands run through ``runuser``.
    """
    bindir = _postgres_bin()
    if bindir is None:
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="rr-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            yield None
            return
        os.chown(base, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, cwd=base)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


def spark_session() -> Any:
    """One local SparkSession for the whole test run, or None without PySpark or Java."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return None
    from revenue_retention.engine.spark import connect_spark

    return connect_spark(master="local[2]")
