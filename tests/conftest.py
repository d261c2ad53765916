"""Session-wide engines: one SparkSession and one PostgreSQL server for the whole run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.servers import postgres_server, spark_session, unavailable


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The Ibis PySpark backend of the run's one local SparkSession."""
    backend = spark_session()
    if backend is None:
        unavailable("PySpark or Java is not installed")
    yield backend
    backend._session.stop()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of the run's PostgreSQL server (a real one, started for the tests)."""
    with postgres_server() as url:
        if url is None:
            unavailable("PostgreSQL's server binaries (pg_ctl, initdb) are not installed")
        assert url is not None
        yield url
