"""Databases named by a URL (``postgresql://``, ``duckdb:///``, ``sqlite:///``) through Ibis."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import ibis
from ibis.backends import BaseBackend

from revenue_retention.errors import EngineNotSupported, SourceError

__all__ = [
    "EXTRAS",
    "SESSION_SETTINGS",
    "connect_url",
    "database_file",
    "database_path",
    "is_url",
    "redact",
    "redact_text",
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
    """The URL without its password, fit to print: in ``user:password@host`` or in a
    query parameter (``?password=``, ``sslpassword``, any ``...token``, ``...secret``).

    >>> redact("postgresql://me:secret@db:5432/billing")
    'postgresql://me:***@db:5432/billing'
    >>> redact("postgresql://me@db/billing?sslmode=require&password=secret")
    'postgresql://me@db/billing?sslmode=require&password=***'
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL urllib can split (a bad port): hide what may be secret
        return _SECRET_PARAMETER.sub(r"\1\2=***", _USER_INFO.sub(r"\1:***@", url))
    shown = url  # edited in place: urllib would drop the empty host of duckdb:///x.db
    if password is not None:
        user_info, _, host = parts.netloc.rpartition("@")
        shown = shown.replace(parts.netloc, f"{user_info.split(':', 1)[0]}:***@{host}", 1)
    if parts.query:
        query = _SECRET_PARAMETER.sub(r"\1\2=***", parts.query)
        shown = shown.replace(f"?{parts.query}", f"?{query}", 1)
    return shown


def redact_text(text: str) -> str:
    """``text`` with every URL in it redacted, and ``password=`` pairs of a libpq DSN.

    >>> redact_text("cannot open postgresql://me:pw@db/x: password=pw is wrong")
    'cannot open postgresql://me:***@db/x: password=*** is wrong'
    """
    text = _URL_IN_TEXT.sub(lambda found: redact(found.group(0)), text)
    return _DSN_PASSWORD.sub(r"\1=***", text)


#: A query parameter that may hold a secret, and its value.
_SECRET_PARAMETER = re.compile(
    r"(^|[&;?])([^=&;?]*(?:pass|pwd|secret|token|key)[^=&;?]*)=[^&;#]*", re.IGNORECASE
)
_USER_INFO = re.compile(r"(://[^:/@\s]*):[^@\s]*@")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")
_DSN_PASSWORD = re.compile(
    r"\b(password|sslpassword)\s*=\s*(?:'[^']*'|[^\s)'\",;]+)", re.IGNORECASE
)


def database_file(url: str) -> Path | None:
    """The local file a ``duckdb:`` or ``sqlite:`` URL names, by SQLAlchemy's convention
    (three slashes before a relative path, four before an absolute one); None for a
    server, an in-memory database or a URL that names no file.

    >>> database_file("sqlite:///billing.db"), database_file("duckdb:////srv/b.duckdb")
    (PosixPath('billing.db'), PosixPath('/srv/b.duckdb'))
    >>> database_file("postgresql://me@db/billing") is None
    True
    """
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("duckdb", "sqlite"):
        return None
    host, _, path = rest.partition("/")
    path = unquote(path.split("?", 1)[0])
    if host or not path or path == ":memory:":
        return None
    return Path(path)


def connect_url(url: str) -> BaseBackend:
    """An Ibis connection to the database the URL names.

    A database file (``duckdb:``, ``sqlite:``) is named as SQLAlchemy names one: three
    slashes before a path relative to the current folder (``duckdb:///w.duckdb``), four
    before an absolute one (``duckdb:////data/w.duckdb``). It is opened read-only, and a
    DuckDB file without access to anything else: a view in it that reads a local file
    (``read_csv('/etc/passwd')``) or a URL fails instead of leaking it into a report.
    """
    scheme = urlsplit(url).scheme.lower()
    backend = "postgres" if scheme.startswith("postgres") else scheme
    extra = EXTRAS.get(scheme)
    try:
        if scheme in ("duckdb", "sqlite"):
            return _open_file(url, scheme)
        con = ibis.connect(url)
        for statement in SESSION_SETTINGS.get(con.name, ()):
            con.raw_sql(statement).close()
        return con
    except ImportError:  # Ibis's own "missing dependencies" error is one too
        hint = f"pip install 'revenue-retention[{extra}]'" if extra else "install its driver"
        raise EngineNotSupported(backend, "this database without its driver", hint) from None
    except SourceError:
        raise
    except (ValueError, AttributeError) as error:
        if "Don't know how to connect" in str(error) or isinstance(error, AttributeError):
            raise SourceError(
                redact(url),
                "is not a database URL Ibis knows (postgresql://, duckdb:///, sqlite:///)",
            ) from None
        raise SourceError(redact(url), f"cannot be opened: {redact_text(str(error))}") from None
    except Exception as error:  # the driver's own connection error, reworded once here
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SourceError(redact(url), f"cannot connect: {redact_text(first)}") from None


def database_path(url: str) -> Path:
    """The file a ``duckdb:`` or ``sqlite:`` URL names; an error when it names none.

    >>> database_path("duckdb:///data/w.duckdb"), database_path("sqlite:////srv/b.db")
    (PosixPath('data/w.duckdb'), PosixPath('/srv/b.db'))
    """
    path = database_file(url)
    if path is None:
        scheme = url.partition("://")[0]
        raise SourceError(
            redact(url),
            f"names no database file: write {scheme}:///relative/path.db (three slashes, a "
            f"path from the current folder) or {scheme}:////absolute/path.db (four)",
        )
    return path


def _open_file(url: str, scheme: str) -> BaseBackend:
    path = database_path(url)
    # Ibis would create a missing file: a typo must not read as an empty database.
    if not path.is_file():
        absolute = Path("/") / path
        hint = (
            f"; for the absolute path {absolute}, write {scheme}:///{absolute} (four slashes)"
            if not path.is_absolute() and absolute.is_file()
            else ""
        )
        raise SourceError(redact(url), f"no such database file: {path}{hint}")
    if scheme == "duckdb":
        return ibis.duckdb.connect(path, read_only=True, enable_external_access=False)
    import sqlite3

    reader = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    return ibis.sqlite.from_connection(reader)
