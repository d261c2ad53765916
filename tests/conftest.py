"""Session-wide engines: one SparkSession and one PostgreSQL server for the whole run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import is_hypothesis_test
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


# Where the markers come from, so no test file has to remember them (`make test-fast`
# deselects all three; `make test` runs everything).
_ENGINE_FIXTURES = frozenset({"spark", "postgres_url"})
_ENGINE_PATHS = ("tests/engine/", "tests/inputs/test_database.py")
_BROWSER_PATHS = ("tests/outputs/test_report_browser.py",)
_SLOW_PATHS = (
    "tests/hostile/",
    "tests/datasets/test_demo.py",
    "tests/cli/test_demo.py",
    "tests/cli/test_report_cli.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark engine (Spark/PostgreSQL), browser (chromium) and slow (Hypothesis, demo) tests."""
    root = config.rootpath
    for item in items:
        path = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & _ENGINE_FIXTURES or path.startswith(_ENGINE_PATHS):
            item.add_marker(pytest.mark.engine)
        if path.startswith(_BROWSER_PATHS):
            item.add_marker(pytest.mark.browser)
        test = getattr(item, "obj", None)
        if path.startswith(_SLOW_PATHS) or (test is not None and is_hypothesis_test(test)):
            item.add_marker(pytest.mark.slow)
