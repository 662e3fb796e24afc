"""The desired state built once: a template database on the dev server plus its reads, cached on disk.

A drift check compares a target with the schema built from the sources. Building, inspecting
and dumping that schema on every run costs more than reading the target, so the result is kept:

- on the dev server, a template database `schemactl_desired_<key>` that nobody may connect to,
  whose COMMENT carries the full key (a template that is missing, renamed, commented otherwise
  or open to connections is not trusted and is rebuilt);
- on disk, under the dev server's state directory (SCHEMACTL_HOME), the template's catalog
  inspection, its normalized `pg_dump` and the declared roles, as JSON data (schemactl.stored:
  reading it back runs no code), written by atomic rename; the directory and the files read
  back must be the running user's alone (schemactl.statedir).

The key hashes every source byte (the files the loader reads, with their paths), the server
major, the dev server's user, and the tool itself (its version, the bytes of its own modules and
queries, and the versions of migra, schemainspect, SQLAlchemy, pglast and psycopg): any change
to one of them is a miss. Concurrent runs build a key once: the builder holds an advisory lock
on the dev server and the others wait for it, then read its result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import psycopg
from psycopg import sql

from schemactl import __version__
from schemactl.build import build_source
from schemactl.conninfo import connect, with_dbname
from schemactl.devserver import (
    BUILDER_ROLE,
    DevServer,
    builder_url,
    ensure_builder,
    register_owned,
    release_owned,
    running_embedded_urls,
    scratch_name,
    state_root,
)
from schemactl.diff import Inspection, Side
from schemactl.engine import applying_role_neutral, normalized_dump, read_database
from schemactl.errors import ConnectionFailed
from schemactl.load import sql_files
from schemactl.roles import Role, roles_from_statements
from schemactl.statedir import check_dir, ensure_dir, read_state_file
from schemactl.stored import Damaged, from_data, to_data
from schemactl.validate.gate import load_declarative

__all__ = ["DesiredState", "TEMPLATE_PREFIX", "cache_dir", "clean", "desired_state", "require_declarative_cached",
           "source_key"]

Progress = Callable[[str], None]

TEMPLATE_PREFIX = "schemactl_desired_"
# Bump when the cached file's layout changes.
CACHE_FORMAT = 2
CACHE_SUFFIX = ".json"
# Templates kept per state directory; the least recently used beyond this are dropped.
KEEP = 6
_COMMENT = "schemactl desired state "
_DEPENDENCIES = ("migra", "schemainspect", "sqlalchemy", "pglast", "psycopg", "psycopg2-binary")


def _state_tag() -> str:
    """Which state directory built a template, as its COMMENT says after the key: a server can be
    shared by several (--dev-url), and each drops only the orphans it made."""
    return f"(state {hashlib.sha1(str(cache_dir().resolve()).encode()).hexdigest()[:12]})"


@dataclass(frozen=True)
class DesiredState:
    """The desired schema as read once: where its template is, and what reading it gave."""

    key: str
    template: str
    dev: DevServer
    label: str
    roles: dict[str, Role]
    inspection: Inspection
    dump: tuple[str, ...]
    hit: bool = field(default=False, compare=False)

    @property
    def url(self) -> str:
        """The template's URL: a key for cached reads, never connected to."""
        return with_dbname(self.dev.url, self.template)

    def side(self) -> Side:
        return Side(url=self.url, roles=self.roles, label=self.label, live=False)


def cache_dir() -> Path:
    """The cache's directory under the state directory, refused when another user could write it."""
    return check_dir(state_root() / "desired")


def _tool_digest() -> str:
    digest = hashlib.sha256(f"schemactl {__version__} python {sys.version_info[:2]}\n".encode())
    for name in _DEPENDENCIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} absent\n".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".sql") and p.is_file()):
        digest.update(str(path.relative_to(package)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def source_key(schema_dir: Path, *, major: int, dev_user: str) -> str:
    """The cache key: every source byte, the server major, the dev user and the tool itself."""
    return _sources_digest(schema_dir, f"format {CACHE_FORMAT}\nmajor {major}\nuser {dev_user}\n")


def _sources_digest(schema_dir: Path, header: str) -> str:
    root = Path(schema_dir)
    files = sql_files(root) if root.is_dir() else [root]
    digest = hashlib.sha256(header.encode())
    digest.update(_tool_digest().encode())
    for path in files:
        name = str(path.relative_to(root)) if root.is_dir() else path.name
        content = path.read_bytes()
        # Length-prefixed, so moving bytes between a name and a file is a different key.
        digest.update(f"\0{len(name)}:{name}\0{len(content)}:".encode() + content)
    return digest.hexdigest()


def require_declarative_cached(schema_dir: Path) -> None:
    """The gate (every statement parses and declares), remembered for the exact sources and tool.

    Parsing a large schema costs more than reading a target, and the verdict depends only on
    the source bytes and the tool, so a pass is recorded under the same kind of key as the
    desired state; a refusal is never recorded, so it is reported in full every time.
    """
    if not Path(schema_dir).exists():
        load_declarative(schema_dir)  # names the missing path
        return
    digest = _sources_digest(schema_dir, f"gate {CACHE_FORMAT}\n")
    marker = cache_dir() / f"gate-{digest}"
    if read_state_file(marker) is not None:
        return
    load_declarative(schema_dir)
    with contextlib.suppress(OSError):  # an unwritable cache only costs the next run a parse
        ensure_dir(marker.parent)
        marker.touch(mode=0o600)


def _template_name(key: str) -> str:
    return TEMPLATE_PREFIX + key[:40]


def _cache_file(key: str) -> Path:
    return cache_dir() / f"{key}{CACHE_SUFFIX}"


def _dev_user(dev: DevServer) -> str:
    info = psycopg.conninfo.conninfo_to_dict(dev.url)
    return str(info.get("user") or os.environ.get("PGUSER") or "")


def _template_trusted(conn: psycopg.Connection, template: str, key: str) -> bool:
    row = conn.execute(
        "SELECT d.datallowconn, d.datistemplate, shobj_description(d.oid, 'pg_database') "
        "FROM pg_database d WHERE d.datname = %s", (template,)).fetchone()
    # The key decides; the state tag after it only says who made it.
    return row is not None and not row[0] and row[1] and (row[2] or "").split(" (state ")[0] == _COMMENT + key


def _load_cached(key: str, template: str, dev: DevServer, label: str) -> DesiredState | None:
    path = _cache_file(key)
    try:
        text = read_state_file(path)
        stored = json.loads(text) if text is not None else None
    except (OSError, ValueError):  # unreadable or damaged (JSON's error is a ValueError): built again
        return None
    if not isinstance(stored, dict) or stored.get("format") != CACHE_FORMAT or stored.get("key") != key:
        return None
    try:
        roles, inspection = from_data(stored.get("roles")), from_data(stored.get("inspection"))
    except Damaged:
        return None
    dump = stored.get("dump")
    if not (isinstance(roles, dict) and all(isinstance(r, Role) for r in roles.values())
            and isinstance(inspection, Inspection) and isinstance(dump, list)
            and all(isinstance(line, str) for line in dump)):
        return None
    # Recently used: eviction keeps the newest files.
    os.utime(path)
    return DesiredState(key=key, template=template, dev=dev, label=label, roles=roles,
                        inspection=inspection, dump=tuple(dump), hit=True)


def _write_cached(state: DesiredState) -> None:
    folder = ensure_dir(cache_dir())
    payload = {"format": CACHE_FORMAT, "key": state.key, "roles": to_data(state.roles),
               "inspection": to_data(state.inspection), "dump": list(state.dump)}
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=CACHE_SUFFIX)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, separators=(",", ":"))
        # Readers see the old file or the whole new one, never a partial write.
        os.replace(tmp, _cache_file(state.key))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _lock_id(key: str) -> int:
    return int(key[:15], 16)


def _drop_database(conn: psycopg.Connection, name: str, *, force: bool = False) -> bool:
    """Drop a database if nobody is using it (or anyway, with force); False when in use."""
    statement = "DROP DATABASE IF EXISTS {} WITH (FORCE)" if force else "DROP DATABASE IF EXISTS {}"
    try:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s AND datistemplate", (name,)).fetchone():
            # A template database must stop being one before it can be dropped.
            conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(sql.Identifier(name)))
        conn.execute(sql.SQL(statement).format(sql.Identifier(name)))
    except psycopg.errors.ObjectInUse:
        return False
    return True


def _evict(conn: psycopg.Connection, dev: DevServer, keep_key: str) -> None:
    files = sorted(cache_dir().glob("*" + CACHE_SUFFIX), key=lambda p: p.stat().st_mtime, reverse=True)
    for leftover in cache_dir().glob("*.pickle"):
        # The format of earlier versions: never read, only removed (its templates go as orphans below).
        leftover.unlink(missing_ok=True)
    for path in files[KEEP:]:
        key = path.stem
        if key != keep_key and _drop_database(conn, _template_name(key)):
            path.unlink(missing_ok=True)
    if dev.url in running_embedded_urls():
        # A template this state directory made whose file is gone (a clean while the server was
        # down, a lost write) is dropped too; another state directory's (one using this server
        # with --dev-url) is that one's to keep or drop.
        known = {_template_name(p.stem) for p in cache_dir().glob("*" + CACHE_SUFFIX)}
        tag = _state_tag()
        for name, comment in conn.execute(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname LIKE %s",
                (TEMPLATE_PREFIX.replace("_", r"\_") + "%",)).fetchall():
            if name not in known and (comment or "").endswith(tag):
                _drop_database(conn, name)


def _build(dev: DevServer, schema_dir: Path, key: str, template: str, label: str, progress: Progress) -> DesiredState:
    source = load_declarative(schema_dir)
    # A scratch database until it is renamed: interrupted or killed, it is dropped or reaped.
    building = scratch_name("desired")
    register_owned(dev.url, building)
    ensure_builder(dev.url)
    with connect(dev.url, autocommit=True) as admin:
        try:
            admin.execute(sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0 ENCODING 'UTF8'").format(
                sql.Identifier(building), sql.Identifier(BUILDER_ROLE)))
        except psycopg.Error as exc:
            raise ConnectionFailed(f"cannot create a database on {dev.shown}: {exc}") from None
        renamed = False
        try:
            # Built and read as the unprivileged builder: schema/ is others' SQL.
            url = builder_url(dev.url, building)
            progress(f"building {label} ({len(source.statements)} statements) into a template")
            build_source(source, url, admin_url=dev.url)
            inspection, text = read_database(Side(url=url, label=label), dev, major=dev.major)
            state = DesiredState(key=key, template=template, dev=dev, label=label,
                                 roles=roles_from_statements(source.statements), inspection=inspection,
                                 dump=tuple(normalized_dump(applying_role_neutral(url, text))))
            # The file first: a template is never without its file, so eviction leaves it alone.
            _write_cached(state)
            _drop_database(admin, template, force=True)
            admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building),
                                                                          sql.Identifier(template)))
            renamed = True
            release_owned(building)
            admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(template),
                                                                       sql.Literal(f"{_COMMENT}{key} {_state_tag()}")))
            # A template nobody can connect to cannot be edited behind the cache's back.
            admin.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(
                sql.Identifier(template)))
        except BaseException:
            _drop_database(admin, template if renamed else building, force=True)
            release_owned(building)
            _cache_file(key).unlink(missing_ok=True)
            raise
        _evict(admin, dev, key)
    return state


def desired_state(dev: DevServer, schema_dir: Path, *, label: str, progress: Progress = lambda _: None,
                  use_cache: bool = True) -> DesiredState:
    """The desired state of schema_dir on dev: from the cache when it is trusted, else built once."""
    key = source_key(schema_dir, major=dev.major, dev_user=_dev_user(dev))
    template = _template_name(key)
    with connect(dev.url, autocommit=True) as conn:
        if use_cache and _template_trusted(conn, template, key):
            cached = _load_cached(key, template, dev, label)
            if cached is not None:
                progress(f"desired state of {label}: cached template {template}")
                return cached
        # One builder per key; the others wait here and then find its result.
        conn.execute("SELECT pg_advisory_lock(%s)", (_lock_id(key),))
        try:
            if use_cache and _template_trusted(conn, template, key):
                cached = _load_cached(key, template, dev, label)
                if cached is not None:
                    progress(f"desired state of {label}: built by a concurrent run")
                    return cached
            return _build(dev, schema_dir, key, template, label, progress)
        finally:
            # After Ctrl-C the session may be unusable; closing it releases the lock anyway.
            with contextlib.suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(%s)", (_lock_id(key),))


def _drop_templates(dev_url: str) -> list[str]:
    with connect(dev_url, autocommit=True) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY 1",
            (TEMPLATE_PREFIX.replace("_", r"\_") + "%",)).fetchall()]
        for name in names:
            _drop_database(conn, name, force=True)
    return names


def clean(*, dev_url: str | None = None) -> list[str]:
    """Empty the cache: drop the templates on the dev server(s) and remove the files on disk.

    The embedded servers that are running are cleaned, and the server of dev_url /
    SCHEMACTL_DEV_URL when given. Returns the templates dropped.
    """
    import shutil  # noqa: PLC0415

    servers = running_embedded_urls()
    named = dev_url or os.environ.get("SCHEMACTL_DEV_URL")
    if named:
        servers.append(named)
    dropped = [name for url in servers for name in _drop_templates(url)]
    shutil.rmtree(cache_dir(), ignore_errors=True)
    return dropped
