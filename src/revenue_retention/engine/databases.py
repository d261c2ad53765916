"""Databases named by a URL (``postgresql://``, ``duckdb:///``, ``sqlite:///``) through Ibis."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import ibis
from ibis.backends import BaseBackend

from revenue_retention.errors import EngineNotSupported, SourceError

__all__ = [
    "EXTRAS",
    "SESSION_SETTINGS",
    "connect_url",
    "database_file",
    "is_url",
    "redact",
]

#: Settings of each session opened from a URL, by Ibis backend name. PostgreSQL compiles
#: a query's expressions to machine code when its estimated cost is high (``jit``); the
#: metric queries are many, short and full of expressions, so compiling one took longer
#: than running it (13.6 s of JIT for a 15.4 s query on the 65,000-row demo company).
SESSION_SETTINGS: dict[str, tuple[str, ...]] = {"postgres": ("SET jit = off",)}

#: Extra of this package that brings each scheme's driver.
EXTRAS = {"postgres": "postgres", "postgresql": "postgres", "sqlite": "sqlite", "duckdb": ""}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(source: object) -> bool:
    """Whether ``source`` is a database URL rather than a file path.

    >>> is_url("postgresql://me@db/billing"), is_url("data/mrr.csv")
    (True, False)
    """
    return isinstance(source, str) and bool(_URL.match(source))


def redact(url: str) -> str:
    """The URL without its password, fit to print.

    >>> redact("postgresql://me:secret@db:5432/billing")
    'postgresql://me:***@db:5432/billing'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def database_file(url: str) -> Path | None:
    """The local file a ``duckdb://`` or ``sqlite://`` URL opens; None for a server or
    an in-memory database.

    >>> database_file("sqlite:///billing.db"), database_file("postgresql://me@db/billing")
    (PosixPath('/billing.db'), None)
    """
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("duckdb", "sqlite"):
        return None
    path = rest.split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def connect_url(url: str) -> BaseBackend:
    """An Ibis connection to the database the URL names."""
    scheme = urlsplit(url).scheme.lower()
    backend = "postgres" if scheme.startswith("postgres") else scheme
    if scheme in ("duckdb", "sqlite"):
        # Ibis would create a missing file: a typo must not read as an empty database.
        path = database_file(url)
        if path is not None and not path.exists():
            raise SourceError(redact(url), f"no such database file: {path}")
    extra = EXTRAS.get(scheme)
    try:
        con = ibis.connect(url)
        for statement in SESSION_SETTINGS.get(con.name, ()):
            con.raw_sql(statement).close()
        return con
    except ImportError:  # Ibis's own "missing dependencies" error is one too
        hint = f"pip install 'revenue-retention[{extra}]'" if extra else "install its driver"
        raise EngineNotSupported(backend, "this database without its driver", hint) from None
    except (ValueError, AttributeError) as error:
        if "Don't know how to connect" in str(error) or isinstance(error, AttributeError):
            raise SourceError(
                redact(url),
                "is not a database URL Ibis knows (postgresql://, duckdb:///, sqlite:///)",
            ) from None
        raise SourceError(redact(url), f"cannot be opened: {error}") from None
    except Exception as error:  # the driver's own connection error, reworded once here
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SourceError(redact(url), f"cannot connect: {first}") from None
