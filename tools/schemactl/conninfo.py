"""Target URLs: resolution from flags and environment, masking, and connecting."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import conninfo as pg_conninfo

from schemactl.errors import ConnectionFailed, InputError

__all__ = [
    "resolve_target",
    "mask",
    "connect",
    "with_dbname",
    "with_user",
    "dbname_of",
    "server_major",
    "PINNED_SEARCH_PATH",
    "AUTHORING_SEARCH_PATH",
    "AUTHORING_SESSION_SEARCH_PATH",
    "pinned_options",
    "child_environment",
]

# Every session the tool opens resolves unqualified names in the system catalog only: a function or
# operator that a role with CREATE somewhere planted (a better-matching overload of one the tool's
# catalog queries call, CVE-2018-1058) is never found, whoever connects.
PINNED_SEARCH_PATH = "pg_catalog, pg_temp"
_PIN = "-c search_path=" + PINNED_SEARCH_PATH.replace(" ", "")
# How SQL that people write (schema/ files) is run: PostgreSQL's default search_path, for the
# statements of that source only and inside their transaction.
AUTHORING_SEARCH_PATH = 'SET LOCAL search_path = "$user", public'
AUTHORING_SESSION_SEARCH_PATH = 'SET search_path = "$user", public'

_URL_SCHEMES = ("postgresql://", "postgres://")


def resolve_target(explicit: str | None, env: Mapping[str, str] | None = None) -> str:
    """Return the target URL: the flag, else DATABASE_URL, else the DB_* variables."""
    env = os.environ if env is None else env
    if explicit:
        return _check_url(explicit)
    if env.get("DATABASE_URL"):
        return _check_url(env["DATABASE_URL"])
    if env.get("DB_NAME") or env.get("DB_HOST"):
        user = quote(env.get("DB_USER", "postgres"), safe="")
        password = env.get("DB_PASSWORD")
        auth = user + (":" + quote(password, safe="") if password else "")
        host = env.get("DB_HOST", "localhost")
        port = env.get("DB_PORT", "5432")
        name = quote(env.get("DB_NAME", "postgres"), safe="")
        return f"postgresql://{auth}@{host}:{port}/{name}"
    raise InputError(
        "no target database: pass --target URL, or set DATABASE_URL, "
        "or DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD"
    )


def _check_url(url: str) -> str:
    if not url.startswith(_URL_SCHEMES):
        raise InputError(f"not a postgresql:// URL: {mask(url)}")
    try:
        pg_conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise InputError(f"malformed database URL {mask(url)}: {exc}") from None
    return url


_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)([^@]*)(@)")
_PASSWORD_IN_KV = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def mask(text: str) -> str:
    """Replace every password in URLs, keyword DSNs or error text with '***'."""
    text = _PASSWORD_IN_URL.sub(r"\1***\3", text)
    text = _PASSWORD_IN_KV.sub(r"\1***", text)
    return text


def with_dbname(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(dbname, safe=""), parts.query, ""))


def with_user(url: str, user: str) -> str:
    """The same server and database, logging in as another role (without the URL's password)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, quote(user, safe="") + "@" + host, parts.path, parts.query, ""))


def dbname_of(url: str) -> str:
    """The database a URL names (libpq's default: the user name)."""
    info = pg_conninfo.conninfo_to_dict(url)
    return str(info.get("dbname") or info.get("user") or os.environ.get("PGDATABASE") or "postgres")


def pinned_options(url: str | None = None) -> str:
    """libpq `options` for a session of the tool: the URL's own options, then the pinned search_path."""
    own = ""
    if url:
        with contextlib.suppress(psycopg.ProgrammingError):
            own = str(pg_conninfo.conninfo_to_dict(url).get("options") or "")
    own = own or os.environ.get("PGOPTIONS", "")
    return f"{own} {_PIN}".strip()


def child_environment(url: str | None = None, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for pg_dump, pg_restore or psql children: PGOPTIONS pins their search_path too."""
    result = dict(os.environ if env is None else env)
    result["PGOPTIONS"] = pinned_options(url)
    return result


def connect(url: str, *, autocommit: bool = False, connect_timeout: int = 10) -> psycopg.Connection:
    """Open a psycopg connection with the pinned search_path, turning every failure into one masked line."""
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=connect_timeout,
                               options=pinned_options(url))
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        raise ConnectionFailed(f"cannot connect to {mask(url)}: {mask(reason)}") from None
    except psycopg.ProgrammingError as exc:
        raise InputError(f"malformed database URL {mask(url)}: {exc}") from None


def server_major(conn: psycopg.Connection) -> int:
    """The server's major version number (15 for 15.4)."""
    return conn.info.server_version // 10000
